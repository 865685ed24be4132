"""``participa replay``: every file reported, exit status 1 on any failure or difference."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from participa.batch import replay_folder
from participa.cli import main
from participa.errors import RuleError

DATA = Path(__file__).resolve().parents[1] / "data"

# Files whose declared rule reproduces the winners they announce.
GOOD = (
    "Netherlands_Assen_2024.pb.gz",
    "Poland_Lodz_2020_Nr_33.pb.gz",
    "Poland_Warszawa_2019_Miedzeszyn.pb.gz",
)

# Greedy selects "a" (most votes) and then "c"; the file announces "b" instead.
WRONG_WINNERS = """META
key;value
description;announced winners that greedy does not give
num_projects;3
num_votes;3
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;selected
a;60;3;1
b;50;1;1
c;40;2;0
VOTES
voter_id;vote
1;a,c
2;a,c
3;a,b
"""


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(list(argv), out=out)
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.getvalue()


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    for name in GOOD:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def test_all_reproduced_exits_0(good_dir: Path) -> None:
    code, text = run("replay", str(good_dir), "--no-progress")
    assert code == 0, text
    assert text.strip().splitlines()[-1].endswith("3 of 3 with an announced outcome reproduced")


def test_a_broken_file_is_reported_the_others_still_run_and_exit_is_1(good_dir: Path) -> None:
    (good_dir / "a_broken.pb").write_text("META\nkey;value\nbudget;abc\n", encoding="utf-8")
    (good_dir / "b_not_gzip.pb.gz").write_bytes(b"this is not gzip data")
    code, text = run("replay", str(good_dir), "--no-progress")
    assert code == 1
    lines = text.strip().splitlines()
    assert len(lines) == len(GOOD) + 2 + 1  # one line per file and the summary
    by_file = {line.split()[0]: line for line in lines[:-1]}
    assert "not replayed" in by_file["a_broken.pb"]
    assert "not replayed" in by_file["b_not_gzip.pb.gz"]
    assert all(by_file[name].endswith("reproduced") for name in GOOD)
    assert lines[-1].startswith(f"{len(GOOD) + 2} files: {len(GOOD)} replayed")


def test_a_differing_outcome_exits_1(good_dir: Path) -> None:
    (good_dir / "wrong.pb").write_text(WRONG_WINNERS, encoding="utf-8")
    code, text = run("replay", str(good_dir), "--no-progress")
    assert code == 1
    wrong = next(line for line in text.splitlines() if line.startswith("wrong.pb"))
    assert "DIFFERS" in wrong
    code, _ = run("replay", str(good_dir), "--json")
    assert code == 1


def test_a_file_that_cannot_be_opened_is_a_result_not_an_abort(good_dir: Path) -> None:
    results = replay_folder(good_dir)
    (good_dir / GOOD[0]).unlink()  # vanishes between listing and reading
    from participa.batch import Job, run_batch

    jobs = [Job(str(good_dir / name)) for name in GOOD]
    again = run_batch(jobs)
    assert again[0].error_type == "FileNotFoundError"
    assert not again[0].ok
    assert [r.matches for r in again[1:]] == [r.matches for r in results[1:]] == [True, True]


def test_jobs_give_the_same_report(good_dir: Path) -> None:
    (good_dir / "wrong.pb").write_text(WRONG_WINNERS, encoding="utf-8")
    assert run("replay", str(good_dir), "--no-progress", "--jobs", "2") == run(
        "replay", str(good_dir), "--no-progress"
    )


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--rule", "bogus"], "unknown rule 'bogus'"),
        (["--jobs", "0"], "--jobs must be 1 or more, got 0"),
        (["--jobs", "-3"], "--jobs must be 1 or more, got -3"),
    ],
)
def test_bad_options_are_refused_with_exit_2(good_dir: Path, argv: list[str], needle: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "participa", "replay", str(good_dir), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert needle in proc.stderr
    assert proc.stdout == ""  # refused before any file is replayed


def test_replay_folder_refuses_an_unknown_rule_up_front(good_dir: Path) -> None:
    with pytest.raises(RuleError, match="unknown rule"):
        replay_folder(good_dir, rule="bogus")


def test_a_file_declaring_rule_unknown_is_not_a_failure(good_dir: Path) -> None:
    text = WRONG_WINNERS.replace("rule;greedy", "rule;unknown")
    (good_dir / "unknown.pb").write_text(text, encoding="utf-8")
    code, out = run("replay", str(good_dir), "--no-progress")
    assert code == 0, out
    assert "there is nothing to replay" in out
    (good_dir / "unknown.pb").write_text(text.replace("rule;unknown", "rule;borda"), "utf-8")
    code, out = run("replay", str(good_dir), "--no-progress")
    assert code == 1  # a declared rule participa cannot replay is a failure
    assert "cannot be replayed" in out
