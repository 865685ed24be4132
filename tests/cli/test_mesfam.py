"""The equal-shares family from the command line: names, options and the recorded outcomes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from participa.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = json.loads((DATA / "expected_head.json").read_text(encoding="utf-8"))
LODZ = "Poland_Lodz_2020_Nr_33"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(list(argv), out=out)
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.getvalue()


@pytest.mark.parametrize(
    ("key", "options"),
    [
        ("bos_cost", ["--rule", "mes-bos"]),
        ("ees_addopt_card", ["--rule", "ees", "--utility", "count", "--completion", "add-opt"]),
    ],
)
def test_tally_matches_the_reference_source(key: str, options: list[str]) -> None:
    code, text = run("tally", str(DATA / f"{LODZ}.pb.gz"), *options, "--json")
    assert code == 0
    doc = json.loads(text)
    assert sorted(doc["selected"]) == sorted(HEAD[LODZ]["results"][key]["selected"])


def test_fractional_funds_parts() -> None:
    code, text = run("tally", str(DATA / f"{LODZ}.pb.gz"), "--rule", "fractional-mes", "--json")
    assert code == 0
    doc = json.loads(text)
    assert 0 < sum(doc["funding"].values()) <= doc["budget"]
    partial = [p for p, x in doc["funding"].items() if x and p not in doc["selected"]]
    assert partial == ["W008NR"]


def test_completion_of_another_rule_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("tally", str(DATA / f"{LODZ}.pb.gz"), "--rule", "mes", "--completion", "add-opt")
    assert code != 0
    assert "no completion 'add-opt'" in capsys.readouterr().err
