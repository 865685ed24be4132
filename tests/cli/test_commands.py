"""The ``participa`` command: info on every corpus file, tally against the reference, errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from participa.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = sorted(DATA.glob("*.pb.gz"))
EXPECTED: dict[str, Any] = json.loads((DATA / "expected.json").read_text())

# reference key -> CLI options (the corpus README's table)
CLI_OPTIONS = {
    "greedy_cost": ["--rule", "greedy", "--utility", "cost"],
    "greedy_card": ["--rule", "greedy", "--utility", "count"],
    "mes_cost": ["--rule", "mes", "--utility", "cost"],
    "mes_card": ["--rule", "mes", "--utility", "count"],
    "mes_cost_add1": ["--rule", "mes", "--utility", "cost", "--completion", "add1"],
    "phragmen": ["--rule", "phragmen"],
    "greedy_borda": ["--rule", "greedy", "--utility", "borda"],
    "mes_borda": ["--rule", "mes", "--utility", "borda"],
    "greedy_cardinal": ["--rule", "greedy", "--utility", "points"],
    "mes_cardinal": ["--rule", "mes", "--utility", "points"],
}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(list(argv), out=out)
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.getvalue()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:-6])
def test_info_on_every_corpus_file(path: Path) -> None:
    code, text = run("info", str(path), "--json")
    assert code == 0
    doc = json.loads(text)
    facts = EXPECTED[path.name[: -len(".pb.gz")]]
    assert doc["projects"] == facts["parsed"]["num_projects"]
    assert doc["voters"] == facts["parsed"]["num_ballots"]
    assert doc["vote_type"] == facts["file"]["vote_type"]
    assert doc["declared_rule"] == facts["file"]["rule"]


def _cases() -> list[Any]:
    cases = []
    for name, rec in EXPECTED.items():
        for key, res in rec["results"].items():
            if isinstance(res, str) or "error" in res or key not in CLI_OPTIONS:
                continue
            cases.append(pytest.param(name, key, res, id=f"{key}-{name[:40]}"))
    return cases


@pytest.mark.parametrize(("name", "key", "res"), _cases())
def test_tally_matches_reference(name: str, key: str, res: dict[str, Any]) -> None:
    code, text = run("tally", str(DATA / f"{name}.pb.gz"), *CLI_OPTIONS[key], "--json")
    assert code == 0
    doc = json.loads(text)
    assert set(doc) >= {"selected", "funding", "total_cost", "budget"}
    assert sorted(doc["selected"]) == sorted(res["selected"])
    assert sum(doc["funding"].values()) <= doc["budget"]


def test_tally_text_and_explain() -> None:
    code, text = run(
        "tally", str(DATA / "Poland_Lodz_2020_Nr_33.pb.gz"), "--rule", "greedy", "--explain"
    )
    assert code == 0
    assert "selected" in text
    assert "W008NR" in text


def test_rules_lists_every_cli_name() -> None:
    code, text = run("rules")
    assert code == 0
    for name in (
        "greedy",
        "greedy-no-skip",
        "greedy-threshold",
        "mes",
        "phragmen",
        "max-welfare",
        "per-head",
        "equal-split",
        "declared",
    ):
        assert name in text


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["tally", "missing.pb", "--rule", "mes"], "missing.pb"),
        (["tally", str(DATA / "Poland_Lodz_2020_Nr_33.pb.gz"), "--rule", "nope"], "unknown rule"),
        (
            [
                "tally",
                str(DATA / "Poland_Lodz_2020_Nr_33.pb.gz"),
                "--rule",
                "mes",
                "--tie-break",
                "bogus",
            ],
            "tie-breaking",
        ),
        (
            [
                "tally",
                str(DATA / "Poland_Lodz_2020_Nr_33.pb.gz"),
                "--rule",
                "greedy",
                "--utility",
                "borda",
            ],
            "borda",
        ),
        (["info", str(Path(__file__))], "test_commands.py"),
    ],
)
def test_errors_exit_2_without_traceback(argv: list[str], needle: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "participa", *argv], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("participa: error:")
    assert needle in proc.stderr


def test_demo_runs() -> None:
    code, text = run("demo")
    assert code == 0
    assert "per-head" in text
    assert "S/ 2,000,000.00" in text


def test_replay_folder_reproduces_every_announced_outcome() -> None:
    code, text = run("replay", str(DATA), "--no-progress")
    assert code == 0
    summary = text.strip().splitlines()[-1]
    # the corpus README lists 15 dev files whose announced outcome the checker reproduces
    assert summary.endswith("15 of 15 with an announced outcome reproduced"), summary
    assert "DIFFERS" not in text


def test_replay_json_has_one_row_per_file() -> None:
    code, text = run("replay", str(DATA), "--json")
    assert code == 0
    rows = json.loads(text)["results"]
    assert len(rows) == len(FILES)
    assert all(r["ok"] == (r["declared_rule"] != "unknown") for r in rows)


def test_the_entry_point_is_participa_main() -> None:
    import tomllib

    import participa.__main__
    import participa.cli

    scripts = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    target = scripts["project"]["scripts"]["participa"]
    assert target == "participa.__main__:main"
    assert participa.__main__.__all__ == ["main"]
    assert participa.cli.main is main
    assert participa.cli.__all__ == ["main"]


@pytest.mark.parametrize("given", [None, "4"])
def test_the_command_runs_blas_on_one_thread_unless_told(
    monkeypatch: pytest.MonkeyPatch, given: str | None
) -> None:
    import participa.__main__ as entry
    import participa.cli

    if given is None:
        monkeypatch.delenv(entry.BLAS_THREADS, raising=False)
    else:
        monkeypatch.setenv(entry.BLAS_THREADS, given)
    seen: list[str | None] = []

    def fake_main() -> None:
        seen.append(os.environ.get(entry.BLAS_THREADS))
        raise SystemExit(0)

    monkeypatch.setattr(participa.cli, "main", fake_main)
    with pytest.raises(SystemExit):
        entry.main()
    assert seen == ["1" if given is None else given]
