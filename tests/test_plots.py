"""Every plot function returns a figure, headless, and draws what it says."""

from __future__ import annotations

import io

import matplotlib
import pytest

from participa import plots
from participa.analysis import compare_rules
from participa.errors import ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import Outcome

matplotlib.use("Agg")


def election() -> Election:
    ps = [
        Project("a", 80_00, territory="S1"),
        Project("b", 60_00, territory="S2"),
        Project("c", 30_00, territory="S2"),
    ]
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a"], ["b"], ["b", "c"]])
    return Election(100_00, ps, prof, currency="PEN", minor_per_unit=100)


def _png(fig: object) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # type: ignore[attr-defined]
    return buf.getvalue()


def test_money_by_territory_labels_each_bar() -> None:
    e = election()
    fig = plots.money_by(e, Outcome.from_selection(e, [1, 2], rule="greedy"))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["S1", "S2"]  # largest on top
    assert [p.get_width() for p in ax.patches] == pytest.approx([0.0, 90.0])
    assert _png(fig).startswith(b"\x89PNG")


def test_funding_vs_cost_shows_per_head_gaps() -> None:
    e = election()
    split = Outcome("per-head", e.budget, {"a": 33_33, "b": 44_44, "c": 22_23}, (), 0)
    fig = plots.funding_vs_cost(e, split)
    ax = fig.axes[0]
    heights = [round(p.get_height(), 2) for p in ax.patches]
    assert heights[:3] == [80.0, 60.0, 30.0]  # costs
    assert heights[3:6] == [33.33, 44.44, 22.23]  # funding
    assert heights[6:] == [46.67, 15.56, 7.77]  # gaps
    assert _png(fig)


def test_rule_comparison_chart_and_own_axes() -> None:
    from matplotlib.figure import Figure

    e = election()
    table = compare_rules(e, ["greedy", "per-head"])
    fig = plots.rule_comparison(table)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["greedy", "per-head"]
    assert len(fig.axes[0].patches) == 2 * 3
    mine = Figure()
    ax = mine.add_subplot()
    assert plots.rule_comparison(table, metrics=("gini",), ax=ax) is mine
    with pytest.raises(ValidationError, match="unknown metrics"):
        plots.rule_comparison(table, metrics=("beauty",))
