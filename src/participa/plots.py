"""Pictures of outcomes (needs the ``plot`` extra: matplotlib, imported only when drawing).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so
nothing global changes and it works headless; draw into your own axes with ``ax=``.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> from participa.outcome import Outcome
>>> e = Election(100, [Project("a", 80, territory="S1"), Project("b", 60, territory="S2")],
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"], ["b"]]))
>>> fig = funding_vs_cost(e, Outcome("per-head", 100, {"a": 33, "b": 60}, ("b",), 60))
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from participa.money import format_amount

if TYPE_CHECKING:
    from participa.analysis.distribution import RuleComparison
    from participa.model import Election
    from participa.outcome import Outcome

__all__ = ["funding_vs_cost", "money_by", "rule_comparison"]

METRICS = {
    "spent_share": "share of budget spent",
    "mean_satisfaction": "mean satisfaction",
    "gini": "Gini of satisfaction",
    "share_with_nothing": "share of voters with nothing",
}


def _figure(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "participa.plots needs matplotlib: pip install 'participa[plot]'"
        ) from exc
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def money_by(election: Election, outcome: Outcome, *, by: str = "territory", ax: Any = None) -> Any:
    """Horizontal bars: money each territory (or dimension, category...) receives.

    Bars are labelled with the amount and its share; see
    :func:`participa.analysis.shares` for the numbers.
    """
    from participa.analysis.distribution import shares

    table = shares(election, outcome, by=by)
    fig, ax = _figure(ax, (6.0, 0.5 + 0.4 * max(1, len(table.rows))))
    keys = [r.key for r in table.rows][::-1]
    vals = [r.funded / election.minor_per_unit for r in table.rows][::-1]
    bars = ax.barh(keys, vals, color="#3b7dd8")
    labels = [
        f"{format_amount(r.funded, minor_per_unit=election.minor_per_unit)} "
        f"({float(r.share) * 100:.1f}%)"
        for r in table.rows
    ][::-1]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
    ax.set_xlabel(f"money ({election.currency or 'units'})")
    ax.set_title(f"{outcome.rule}: money by {by}")
    ax.margins(x=0.25)
    return fig


def funding_vs_cost(
    election: Election, outcome: Outcome, *, ax: Any = None, only_funded: bool = False
) -> Any:
    """Per project: its cost (outline) and the money it got (filled); gaps in red.

    A per-head split shows up as many red gaps: projects funded in proportion to
    their voters rather than their cost.
    """
    fig, ax = _figure(ax, (max(6.0, 0.45 * len(election.projects)), 4.0))
    projects = [p for p in election.projects if not only_funded or outcome.funding.get(p.id, 0) > 0]
    scale = election.minor_per_unit
    xs = list(range(len(projects)))
    cost = [p.cost / scale for p in projects]
    got = [outcome.funding.get(p.id, 0) / scale for p in projects]
    gap_bottom = got
    gap = [c - g if 0 < g < c else 0 for c, g in zip(cost, got, strict=True)]
    ax.bar(xs, cost, color="none", edgecolor="#555555", label="cost")
    ax.bar(xs, got, color="#3b7dd8", label="funded")
    ax.bar(xs, gap, bottom=gap_bottom, color="#d84b3b", alpha=0.6, label="gap")
    ax.set_xticks(xs, [p.id for p in projects], rotation=90 if len(projects) > 12 else 0)
    ax.set_ylabel(f"money ({election.currency or 'units'})")
    ax.set_title(f"{outcome.rule}: funding against cost")
    ax.legend(loc="upper right", fontsize=8)
    return fig


def rule_comparison(
    comparison: RuleComparison,
    *,
    metrics: Sequence[str] = ("spent_share", "share_with_nothing", "gini"),
    ax: Any = None,
) -> Any:
    """Grouped bars: the rules of a :func:`participa.analysis.compare_rules` table side by side.

    ``metrics`` are :class:`~participa.analysis.RuleRow` fields among ``spent_share``,
    ``mean_satisfaction``, ``gini`` and ``share_with_nothing``; shares are drawn in percent.
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        from participa.errors import ValidationError

        raise ValidationError(f"unknown metrics {unknown}", hint=f"use some of {list(METRICS)}")
    fig, ax = _figure(ax, (1.5 + 1.2 * len(comparison.rows), 4.0))
    width = 0.8 / max(1, len(metrics))
    xs = list(range(len(comparison.rows)))
    for k, metric in enumerate(metrics):
        vals = [float(getattr(r, metric)) for r in comparison.rows]
        if metric != "mean_satisfaction":
            vals = [v * 100 for v in vals]
        ax.bar([x + k * width for x in xs], vals, width, label=METRICS[metric])
    ax.set_xticks(
        [x + width * (len(metrics) - 1) / 2 for x in xs], [r.rule for r in comparison.rows]
    )
    ax.set_ylabel("percent (satisfaction in its own unit)")
    ax.set_title(f"rules compared on {comparison.election or 'the election'}")
    ax.legend(fontsize=8)
    return fig
