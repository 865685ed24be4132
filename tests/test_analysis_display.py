"""Jupyter: every main value renders as an escaped HTML table."""

from __future__ import annotations

import pytest

from participa.analysis import check_jr, compare_rules, funding_gaps, satisfaction, shares
from participa.display import attrs_html
from participa.errors import ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import Outcome


def _e() -> Election:
    ps = [Project("a", 6, territory="<S1>"), Project("b", 5, territory="S2")]
    return Election(10, ps, Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))


def test_analysis_values_render() -> None:
    e = _e()
    o = Outcome.from_selection(e, [0], rule="greedy")
    for value in (
        e,
        o,
        shares(e, o),
        funding_gaps(e, o),
        satisfaction(e, o),
        compare_rules(e, [o]),
        check_jr(e, o),
    ):
        html = value._repr_html_()
        assert html.startswith('<div class="participa-view">')
        assert '<table class="participa">' in html
        assert "<S1>" not in html  # escaped
    assert "&lt;S1&gt;" in shares(e, o)._repr_html_()


def test_attrs_html_for_values_without_their_own_view() -> None:
    html = attrs_html(Project("P<1>", 5, categories=("water",)))
    assert "P&lt;1&gt;" in html
    assert "<td>categories</td><td>(&#x27;water&#x27;,)</td>" in html
    with pytest.raises(ValidationError, match="attrs value"):
        attrs_html(3)
