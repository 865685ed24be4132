"""Every main value renders in Jupyter: election, outcome, allocation, feasibility report,
round state and log, ledger, accountability report, diagnostics."""

from __future__ import annotations

from typing import Any

import pytest

from docs_runner import ROOT, run_page
from participa.examples.ves import ves_2000
from participa.io import load_election
from participa.rules import funding_diagnostics, greedy, per_head


@pytest.fixture(scope="module")
def round_page() -> dict[str, Any]:
    namespace, _ = run_page(ROOT / "docs" / "round.md")
    return namespace


def values(round_page: dict[str, Any]) -> dict[str, Any]:
    from participa.ledger import accountability_report
    from participa.phases import Round

    e = load_election(ROOT / "tests" / "data" / "Poland_Lodz_2020_Nr_33.pb.gz")
    rounds = [v for v in round_page.values() if isinstance(v, Round)]
    assert rounds, "docs/round.md defines a Round"
    rnd = rounds[-1]
    feas = next(v for v in round_page.values() if type(v).__name__ == "FeasibilityReport")
    return {
        "election": e,
        "outcome": greedy(e),
        "diagnostics": funding_diagnostics(e, per_head(e)),
        "allocation": ves_2000().allocation,
        "feasibility report": feas,
        "round state": rnd.state,
        "round": rnd,
        "ledger": rnd.state.ledger,
        "accountability": accountability_report(rnd.state.ledger, as_of=rnd.state.now),
    }


def test_every_main_value_has_an_html_view(round_page: dict[str, Any]) -> None:
    for name, value in values(round_page).items():
        html = value._repr_html_()
        assert html.startswith("<"), name
        assert "<table" in html, name
        assert "<script" not in html.lower(), name


def test_html_escapes_text() -> None:
    from participa.model import BallotKind, Election, Profile, Project

    e = Election(
        10,
        (Project("a", 5, name="<b>bold</b> & co"),),
        Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]]),
    )
    html = e._repr_html_()
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
