"""``participa explain FILE --rule ... [--project ID] [--lang es]``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from participa.cli import main
from participa.explain import ExplainedRule, explain
from participa.i18n import use_language
from participa.io import load_election

LODZ = Path(__file__).resolve().parents[1] / "data" / "Poland_Lodz_2020_Nr_33.pb.gz"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(list(argv), out=out)
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.getvalue()


@pytest.mark.parametrize("rule", ["greedy", "mes", "phragmen"])
def test_explain_prints_every_project(rule: ExplainedRule) -> None:
    code, text = run("explain", str(LODZ), "--rule", rule, "--lang", "en")
    assert code == 0
    e = load_election(LODZ)
    with use_language("en"):
        assert text.strip() == str(explain(e, rule)).strip()
    for pid in e.project_ids:
        assert f"{pid} (PLN " in text


def test_explain_one_project_in_spanish() -> None:
    code, text = run("explain", str(LODZ), "--rule", "mes", "--project", "W121NR", "--lang", "es")
    assert code == 0
    assert "W121NR (PLN 195,000, no financiado)" in text
    assert "se financiaría si costara PLN " in text
    assert "W014NR" not in text


def test_explain_unknown_project(capsys: pytest.CaptureFixture[str]) -> None:
    code, _text = run("explain", str(LODZ), "--rule", "greedy", "--project", "nope")
    assert code == 2
    assert "unknown project id [project 'nope']" in capsys.readouterr().err


@pytest.mark.parametrize("utility", ["effort", "cost-sqrt", "cost-log", "cc", "count"])
def test_explain_with_every_greedy_utility(utility: str) -> None:
    """#15.4: the CLI takes every utility greedy takes and prints what explain() gives."""
    code, text = run("explain", str(LODZ), "--rule", "greedy", "--utility", utility, "--lang", "en")
    assert code == 0
    with use_language("en"):
        expected = str(explain(load_election(LODZ), "greedy", utility=utility))  # type: ignore[arg-type]
    assert text.strip() == expected.strip()
    assert f"utility {utility}" in text


def test_explain_refuses_a_utility_mes_has_no_margins_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _text = run("explain", str(LODZ), "--rule", "mes", "--utility", "cc", "--lang", "es")
    assert code == 2
    err = capsys.readouterr().err
    assert "explain no tiene márgenes exactos para la regla 'mes' con la utilidad 'cc'" in err
    assert "cost, count, points, borda" in err
