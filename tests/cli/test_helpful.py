"""A command line that helps: --version, did you mean, CLI hints, closed pipes, progress."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import participa
from participa.cli import _Ticker, main

LODZ = "dataset:lodz-2020-33"
DATA = Path(__file__).parents[1] / "data"


def cli(*argv: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PARTICIPA_LANG"}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "participa", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=environ,
        timeout=300,
    )


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(list(argv), out=out)
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.getvalue()


def test_version() -> None:
    proc = cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"participa {participa.__version__}"


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["tally", LODZ, "--rule", "mess"], "did you mean mes?"),
        (["tally", LODZ, "--rule", "greedy", "--utility", "cots"], "did you mean cost?"),
        (["tally", LODZ, "--rule", "mes", "--completion", "add"], "did you mean add1?"),
        (["tally", LODZ, "--rule", "mes", "--format", "jsn"], "did you mean json?"),
        (["tally", LODZ, "--rule", "mes", "--completoin", "add1"], "did you mean --completion?"),
        (["compare", LODZ, "--rules", "greedy,phragman"], "did you mean phragmen?"),
        (["info", "dataset:lodz"], "did you mean lodz-2020-33?"),
    ],
)
def test_did_you_mean(argv: list[str], wanted: str) -> None:
    proc = cli(*argv, PARTICIPA_LANG="en")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert wanted in proc.stderr


def test_errors_in_spanish() -> None:
    proc = cli("tally", LODZ, "--rule", "mess", "--lang", "es")
    assert proc.returncode == 2
    assert "¿quiso decir mes?" in proc.stderr
    proc = cli("tally", LODZ, "--lang", "es")
    assert proc.returncode == 2
    assert "faltan los argumentos: --rule" in proc.stderr
    assert proc.stderr.startswith("uso: ")


def test_unknown_language_is_refused() -> None:
    proc = cli("info", LODZ, "--lang", "fr")
    assert proc.returncode == 2
    assert "unknown language 'fr'" in proc.stderr


def test_spanish_help() -> None:
    proc = cli("tally", "--help", "--lang", "es")
    assert proc.returncode == 0
    assert proc.stdout.startswith("uso: participa tally")
    assert "muestra esta ayuda y termina" in proc.stdout
    assert "opciones:" in proc.stdout


def test_tie_hint_speaks_cli(tmp_path: Path) -> None:
    from participa.io import write_pabulib_file
    from participa.model import BallotKind, Election, Profile, Project

    # two projects of equal support and cost, room for one: 'refuse' stops at the tie
    e = Election(
        5,
        (Project("a", 5), Project("b", 5)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    path = write_pabulib_file(e, tmp_path / "tie.pb")
    proc = cli("tally", str(path), "--rule", "greedy", "--tie-break", "refuse")
    assert proc.returncode == 2
    assert "--tie-break min-cost,id" in proc.stderr
    assert "TieBreak.parse" not in proc.stderr


def test_lottery_without_seed_hint_speaks_cli() -> None:
    proc = cli("tally", LODZ, "--rule", "greedy", "--tie-break", "lottery")
    assert proc.returncode == 2
    assert "--tie-break lottery:42" in proc.stderr
    assert "TieBreak.parse" not in proc.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    # the reader goes away before participa writes a byte: every write meets EPIPE
    proc = subprocess.Popen(
        [sys.executable, "-m", "participa", "compare", LODZ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=300) == 0
    assert err == ""


def test_head_one_is_quiet(tmp_path: Path) -> None:
    script = tmp_path / "head.sh"
    script.write_text(
        f'"{sys.executable}" -m participa info {LODZ} --format markdown | head -1\n'
        f'"{sys.executable}" -m participa datasets | head -1\n'
    )
    proc = subprocess.run(
        ["sh", str(script)], capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert len(proc.stdout.splitlines()) == 2


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    # add1 on the largest shipped election takes long enough for a progress line to be due
    proc = cli("tally", "dataset:lodz-2024-teofilow", "--rule", "mes", "--completion", "add1")
    assert proc.returncode == 0
    assert proc.stderr == ""
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("Poland_Lodz_2020_Nr_33.pb.gz", "Poland_Warszawa_2019_Miedzeszyn.pb.gz"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    proc = cli("replay", str(folder))
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert "2 files" in proc.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_ticker_writes_on_a_terminal_only() -> None:
    terminal = _Terminal()
    with _Ticker(terminal, "mes (add1)", delay=0.0) as ticker:
        for _ in range(400):  # the rule "runs" until the line appears (at most 20 s)
            if ticker.wrote:
                break
            time.sleep(0.05)
    assert ticker.wrote
    assert "mes (add1): running" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")  # the line is wiped when done

    pipe = io.StringIO()
    with _Ticker(pipe, "mes (add1)", delay=0.0) as ticker:
        time.sleep(0.3)
    assert not ticker.wrote
    assert pipe.getvalue() == ""


def test_missing_file_and_csv_table_errors() -> None:
    proc = cli("info", "nowhere.pb")
    assert proc.returncode == 2
    assert "nowhere.pb" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = cli("info", "lodz-2020-33")
    assert "dataset:lodz-2020-33" in proc.stderr  # a dataset's bare name gets a hint
    proc = cli("tally", str(DATA / "expected.json").replace(".json", ".csv"), "--rule", "mes")
    assert proc.returncode == 2
    assert "projects.csv" in proc.stderr


def test_option_hints_use_flags() -> None:
    proc = cli("tally", LODZ, "--rule", "phragmen", "--utility", "cost")
    assert proc.returncode == 2
    assert "phragmen takes: --tie-break" in proc.stderr
    proc = cli("tally", LODZ, "--rule", "greedy", "--completion", "add1")
    assert "greedy takes: --utility, --tie-break" in proc.stderr


def test_every_rule_summary_has_spanish() -> None:
    # `participa rules --lang es` translates the registry's summaries through cli.po
    from participa.i18n import catalog
    from participa.rules.registry import RULES

    missing = [spec.summary for spec in RULES.values() if spec.summary not in catalog("es")]
    assert not missing, f"add these to src/participa/locale/es/cli.po: {missing}"
    _code, text = run("rules", "--lang", "es")
    assert "método de partes iguales" in text
    assert "--tie-break" in text


def test_variant_option_reaches_the_rule() -> None:
    code, text = run("tally", "dataset:zurich-s5d10", "--rule", "cstv", "--variant", "mtc")
    assert code == 0
    assert text.startswith("cstv: ")
    proc = cli("tally", "dataset:zurich-s5d10", "--rule", "cstv", "--variant", "mtx")
    assert proc.returncode == 2
    assert "did you mean mt" in proc.stderr


def test_a_bad_file_is_reported_in_spanish(tmp_path: Path) -> None:
    bad = tmp_path / "malo.pb"
    bad.write_text(
        "META\nkey;value\nvote_type;approval\nbudget;1000\n"
        "PROJECTS\nproject_id;cost\n1;100\nVOTES\nvoter_id;vote\nv1;7\n",
        encoding="utf-8",
    )
    proc = cli("tally", str(bad), "--rule", "greedy", "--lang", "es")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}:10: la cédula nombra un proyecto desconocido" in proc.stderr
    assert "[proyecto '7'] [votante 'v1']" in proc.stderr
    assert "(cada proyecto de un voto debe figurar en PROJECTS" in proc.stderr
    no_budget = tmp_path / "sin_presupuesto.pb"
    no_budget.write_text(
        "META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;100\n"
        "VOTES\nvoter_id;vote\nv1;1\n",
        encoding="utf-8",
    )
    proc = cli("info", str(no_budget), PARTICIPA_LANG="es")
    assert proc.returncode == 2
    assert f"{no_budget}:2: META no tiene budget (agregue budget;<monto>)" in proc.stderr
    english = cli("info", str(no_budget), "--lang", "en")
    assert "META has no budget (add budget;<amount>)" in english.stderr
