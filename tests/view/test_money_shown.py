"""Money reads as money outside JSON: one test per place that used to show raw minor units."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import matplotlib
import pytest

from docs_runner import ROOT, run_page
from participa import ValidationError, dumps, loads
from participa.analysis import compare_rules, funding_gaps, satisfaction, shares
from participa.examples.ves import ves_2000
from participa.io import load_election
from participa.ledger import Ledger, accountability_report
from participa.model import BallotKind, Election, Profile, Project
from participa.money import Currency
from participa.rules import funding_diagnostics, greedy, per_head

matplotlib.use("Agg")

LODZ = ROOT / "tests" / "data" / "Poland_Lodz_2020_Nr_33.pb.gz"
SOL = Currency("PEN", 100)


def lima() -> Election:
    ps = [
        Project("pistas", 135_000_00, territory="S1"),
        Project("parque", 60_000_00, territory="S2"),
        Project("losa", 40_000_50, territory="S2"),
    ]
    prof = Profile.from_ballots(
        BallotKind.APPROVAL,
        [p.id for p in ps],
        [["pistas"], ["pistas", "parque"], ["parque", "losa"], ["losa"], ["pistas"]],
    )
    return Election(200_000_00, ps, prof, name="Sector <3>", currency="PEN", minor_per_unit=100)


@pytest.fixture(scope="module")
def round_page() -> dict[str, Any]:
    namespace, _ = run_page(ROOT / "docs" / "round.md")
    return namespace


def test_outcome_html_and_repr_show_money() -> None:
    e = load_election(LODZ)
    o = greedy(e)
    spent, budget = e.money.format(o.total_funding), e.money.format(e.budget)
    assert budget == "PLN 411,000"
    html = o._repr_html_()
    assert f"{spent} of {budget} spent" in html
    assert f">{e.money.format(o.funding[o.selected[0]])}<" in html
    assert str(o.total_funding) not in html  # no raw minor units
    assert repr(o) == f"<Outcome greedy: {len(o.selected)} selected, {spent} of {budget} spent>"


def test_per_head_outcome_knows_the_currency() -> None:
    e = lima()
    o = per_head(e)
    assert o.currency == SOL
    assert "S/ " in o._repr_html_()


def test_round_html_shows_the_envelope_as_money(round_page: dict[str, Any]) -> None:
    rnd = round_page["rnd"]
    html = rnd._repr_html_()
    assert "S/ 2,000,000.00" in html
    assert "200000000" not in html


def test_round_ledger_errors_show_money(round_page: dict[str, Any]) -> None:
    printed = run_page(ROOT / "docs" / "round.md")[1]
    refused = next(line for line in printed.splitlines() if line.startswith("refused:"))
    assert re.search(r"would bring spent to S/ [\d,]+\.\d\d, above the S/ [\d,]+\.\d\d", refused)


def test_ledger_errors_show_money() -> None:
    led = Ledger().with_currency(SOL).promise("P1", 135_000_00, at="2001-07-01T00:00:00Z")
    led = led.commit("P1", 100_000_00, at="2001-08-01T00:00:00Z")
    with pytest.raises(ValidationError) as err:
        led.spend("P1", 101_250_00, at="2001-09-01T00:00:00Z")
    assert "spending S/ 101,250.00 would bring spent to S/ 101,250.00" in str(err.value)
    assert "above the S/ 100,000.00 committed" in str(err.value)
    with pytest.raises(ValidationError, match=r"committed to S/ 235,000\.00, above the S/ 135"):
        led.commit("P1", 135_000_00, at="2001-09-01T00:00:00Z")
    with pytest.raises(ValidationError, match=r"only S/ 35,000\.00 of the promise"):
        led.reallocate("P1", 40_000_00, at="2001-09-01T00:00:00Z", to_project=None)


def test_ledger_keeps_its_currency_and_compares_by_entries() -> None:
    led = Ledger().with_currency(SOL).promise("P1", 1_00, at="2001-07-01T00:00:00Z")
    assert led.commit("P1", 50, at="2001-07-02T00:00:00Z").currency == SOL
    assert led == Ledger().promise("P1", 1_00, at="2001-07-01T00:00:00Z")  # same entries
    assert loads(dumps(led)) == led  # the currency is for people, not part of the JSON
    assert "currency" not in dumps(led)
    assert "S/ 1.00" in led._repr_html_()
    assert "promised S/ 1.00" in repr(led)


def test_accountability_report_shows_money() -> None:
    led = (
        Ledger()
        .with_currency(SOL)
        .promise("A", 600_000_00, territory="S1", at="2001-07-01T00:00:00Z")
        .commit("A", 600_000_00, at="2001-08-01T00:00:00Z")
        .spend("A", 250_000_50, at="2001-09-01T00:00:00Z")
    )
    rep = accountability_report(led, as_of="2001-12-31T00:00:00Z")
    for text in (rep.to_text(), rep._repr_html_(), repr(rep)):
        assert "S/ 250,000.50" in text
    assert "PLN 600,000.00" in rep.to_text(currency="PLN", minor_per_unit=100)  # explicit wins
    assert rep.to_text(currency=Currency("PLN", 100)) == rep.to_text(
        currency="PLN", minor_per_unit=100
    )  # a Currency, or the code and minor units of before


def test_diagnostics_show_money() -> None:
    e = lima()
    d = funding_diagnostics(e, per_head(e))
    assert d.currency == SOL
    assert d.below_cost > 0
    for text in (d.table(), d._repr_html_(), repr(d)):
        assert e.money.format(d.stranded) in text
    assert e.money.format(e.project("pistas").cost) in d.table()


def test_compare_rules_shows_mean_satisfaction_as_money() -> None:
    e = lima()
    table = compare_rules(e, ["greedy", "per-head"])
    row = table.row("greedy")
    mean = e.money.format(round(row.mean_satisfaction))
    assert mean.startswith("S/ ")
    for text in (table._repr_html_(), table.to_text()):
        assert mean in text
        assert "e+0" not in text  # no scientific notation
        assert e.money.format(row.spent) in text


def test_shares_gaps_and_satisfaction_show_money() -> None:
    e = lima()
    o = per_head(e)
    table = shares(e, o)
    assert table.money.format(table.total) in table._repr_html_()
    gaps = funding_gaps(e, o)
    assert e.money.format(gaps.total_gap) in gaps._repr_html_()
    s = satisfaction(e, greedy(e))
    assert e.money.format(round(s.mean)) in s._repr_html_()
    assert s.mean > Fraction(1000)


def test_allocation_and_envelope_show_money() -> None:
    ves = ves_2000()
    total = "S/ 2,000,000.00"
    assert total in ves.allocation.table()
    assert total in ves.allocation._repr_html_()
    assert total in repr(ves.allocation)
    assert total in ves.envelope._repr_html_()
    assert total in repr(ves.envelope)
    assert ves.envelope.format(150) == "S/ 1.50"


def test_plot_labels_show_money() -> None:
    from participa import plots

    e = lima()
    o = greedy(e)
    fig = plots.money_by(e, o)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert any(lab.startswith(e.money.format(o.funding["pistas"])) for lab in labels)
    assert ax.get_xlabel() == "money (S/)"
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks
    assert all(t.startswith("S/ ") for t in ticks)
    fig2 = plots.funding_vs_cost(e, o)
    title = fig2.axes[0].get_title()
    assert f"{e.money.format(o.total_funding)} of {e.money.format(e.budget)} spent" in title
    fig3 = plots.rule_comparison(compare_rules(e, ["greedy"]), metrics=("mean_satisfaction",))
    assert fig3.axes[0].get_ylabel() == "money (S/)"


def test_axiom_witness_shows_money_for_the_cost_utility() -> None:
    from participa.analysis import check_ejr, check_jr
    from participa.rules import max_welfare

    e = load_election(
        ROOT / "tests" / "data" / "France_Toulouse_2022_1_-_Capitole_Arnaud_Bernard_Carmes.pb.gz"
    )
    report = check_ejr(e, max_welfare(e), up_to="one")
    assert not report.satisfied
    assert report.violation is not None
    worth = e.money.format(report.violation.threshold)
    assert worth.startswith("€ ")
    assert f"worth {worth} to each" in str(report)
    assert worth in report._repr_html_()
    assert "no se cumple" in report.to_text(lang="es")
    assert "axioma" in report.to_html(lang="es")
    assert repr(report) == "<AxiomReport 'EJR up to one': violated, cost>"
    ok = check_jr(e, greedy(e))
    assert str(ok).startswith("JR: satisfied (")
