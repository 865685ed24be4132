"""Pictures of outcomes (needs the ``plot`` extra: matplotlib, imported only when drawing).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so
nothing global changes and it works headless; draw into your own axes with ``ax=``.
The figures participa builds show themselves in Jupyter when a cell returns them
(they have a ``_repr_png_``), with no ``%matplotlib`` magic and no pyplot.

Labels are in the current language (``lang=`` picks one) and amounts read as money
in the election's currency (``S/ 1,234.56``).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> from participa.outcome import Outcome
>>> e = Election(100, [Project("a", 80, territory="S1"), Project("b", 60, territory="S2")],
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"], ["b"]]))
>>> fig = funding_vs_cost(e, Outcome("per-head", 100, {"a": 33, "b": 60}, ("b",), 60))
>>> len(fig.axes)
1
>>> fig._repr_png_()[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from participa.boundary import checked
from participa.i18n import N_, _, use_language
from participa.money import Currency

if TYPE_CHECKING:
    from participa.analysis.distribution import RuleComparison
    from participa.model import Election
    from participa.outcome import Outcome

__all__ = ["METRICS", "funding_vs_cost", "money_by", "rule_comparison"]

METRICS = {
    "spent_share": N_("share of budget spent"),
    "mean_satisfaction": N_("mean satisfaction"),
    "gini": N_("Gini of satisfaction"),
    "share_with_nothing": N_("share of voters with nothing"),
}
"""The :class:`~participa.analysis.RuleRow` fields :func:`rule_comparison` can draw."""

BLUE = "#3b7dd8"
RED = "#d84b3b"
GREY = "#888888"


@cache
def _figure_class() -> type[Any]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            _("participa.plots needs matplotlib: pip install 'participa[plot]'")
        ) from exc

    class PlotFigure(Figure):
        """A matplotlib figure that Jupyter shows as a picture when a cell returns it."""

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png", dpi=100)
            return buf.getvalue()

    PlotFigure.__module__ = __name__
    return PlotFigure


def _figure(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    cls = _figure_class()
    if ax is not None:
        if not (hasattr(ax, "figure") and hasattr(ax, "barh")):
            from participa.errors import ValidationError

            raise ValidationError(
                _("ax must be a matplotlib Axes or None, got {value!r}", value=ax),
                hint=_("pass ax=None to draw a new figure"),
            )
        return ax.figure, ax
    fig = cls(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _unit_label(money: Currency) -> str:
    if money.code is None:
        return _("money")
    return _("money ({currency})", currency=money.symbol)


def _money_ticks(ax: Any, axis: str, money: Currency) -> None:
    """Tick labels as money (``S/ 1,500``): values are drawn in whole units."""
    from matplotlib.ticker import FuncFormatter

    def fmt(value: float, _pos: object) -> str:
        return money.format(round(value * money.minor_per_unit))

    whole = Currency(money.code, 1) if money.minor_per_unit > 1 else money

    def fmt_whole(value: float, _pos: object) -> str:
        if value == round(value):
            return whole.format(round(value))
        return fmt(value, _pos)

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(FuncFormatter(fmt_whole))


@checked
def money_by(
    election: Election,
    outcome: Outcome,
    *,
    by: str = "territory",
    ax: Any = None,
    lang: str | None = None,
) -> Any:
    """Horizontal bars: money each territory (or dimension, category...) receives.

    Bars are labelled with the amount as money and its share; see
    :func:`participa.analysis.shares` for the numbers.
    """
    from participa.analysis.distribution import shares

    money = election.money
    table = shares(election, outcome, by=by)
    with use_language(lang):
        fig, ax = _figure(ax, (6.0, 0.5 + 0.4 * max(1, len(table.rows))))
        keys = [r.key for r in table.rows][::-1]
        vals = [r.funded / money.minor_per_unit for r in table.rows][::-1]
        bars = ax.barh(keys, vals, color=BLUE)
        labels = [f"{money.format(r.funded)} ({float(r.share) * 100:.1f}%)" for r in table.rows]
        ax.bar_label(bars, labels=labels[::-1], padding=3, fontsize=8)
        ax.set_xlabel(_unit_label(money))
        _money_ticks(ax, "x", money)
        ax.set_title(_("{rule}: money by {by}", rule=outcome.rule, by=by))
        ax.margins(x=0.3)
    return fig


@checked
def funding_vs_cost(
    election: Election,
    outcome: Outcome,
    *,
    ax: Any = None,
    only_funded: bool = False,
    lang: str | None = None,
) -> Any:
    """Per project: its cost (outline) and the money it got (filled); gaps in red.

    A per-head split shows up as many red gaps: projects funded in proportion to
    their voters rather than their cost.
    """
    money = election.money
    with use_language(lang):
        fig, ax = _figure(ax, (max(6.0, 0.45 * len(election.projects)), 4.0))
        projects = [
            p for p in election.projects if not only_funded or outcome.funding.get(p.id, 0) > 0
        ]
        scale = money.minor_per_unit
        xs = list(range(len(projects)))
        cost = [p.cost / scale for p in projects]
        got = [outcome.funding.get(p.id, 0) / scale for p in projects]
        gap = [c - g if 0 < g < c else 0 for c, g in zip(cost, got, strict=True)]
        ax.bar(xs, cost, color="none", edgecolor=GREY, label=_("cost"))
        ax.bar(xs, got, color=BLUE, label=_("funded"))
        ax.bar(xs, gap, bottom=got, color=RED, alpha=0.6, label=_("gap"))
        ax.set_xticks(xs, [p.id for p in projects], rotation=90 if len(projects) > 12 else 0)
        ax.set_ylabel(_unit_label(money))
        _money_ticks(ax, "y", money)
        ax.set_title(
            _(
                "{rule}: funding against cost ({spent} of {budget} spent)",
                rule=outcome.rule,
                spent=money.format(outcome.total_funding),
                budget=money.format(outcome.budget),
            )
        )
        ax.legend(loc="upper right", fontsize=8)
    return fig


@checked
def rule_comparison(
    comparison: RuleComparison,
    *,
    metrics: Sequence[str] = ("spent_share", "share_with_nothing", "gini"),
    ax: Any = None,
    lang: str | None = None,
) -> Any:
    """Grouped bars: the rules of a :func:`participa.analysis.compare_rules` table side by side.

    ``metrics`` are :class:`~participa.analysis.RuleRow` fields among ``spent_share``,
    ``mean_satisfaction``, ``gini`` and ``share_with_nothing``; shares and the Gini
    coefficient are drawn in percent, mean satisfaction in its own unit (money for the
    cost utility).
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        from participa.errors import ValidationError

        raise ValidationError(
            _("unknown metrics {names}", names=", ".join(map(repr, unknown))),
            hint=_("use some of: {names}", names=", ".join(METRICS)),
        )
    with use_language(lang):
        fig, ax = _figure(ax, (1.5 + 1.2 * len(comparison.rows), 4.0))
        width = 0.8 / max(1, len(metrics))
        xs = list(range(len(comparison.rows)))
        money = comparison.money
        for k, metric in enumerate(metrics):
            vals = [float(getattr(r, metric)) for r in comparison.rows]
            if metric != "mean_satisfaction":
                vals = [v * 100 for v in vals]
            elif comparison.utility == "cost":
                vals = [v / money.minor_per_unit for v in vals]
            ax.bar([x + k * width for x in xs], vals, width, label=_(METRICS[metric]))
        ax.set_xticks(
            [x + width * (len(metrics) - 1) / 2 for x in xs], [r.rule for r in comparison.rows]
        )
        if list(metrics) == ["mean_satisfaction"]:
            ax.set_ylabel(
                _unit_label(money)
                if comparison.utility == "cost"
                else _("satisfaction ({utility})", utility=comparison.utility)
            )
        elif "mean_satisfaction" in metrics:
            ax.set_ylabel(_("percent (satisfaction in its own unit)"))
        else:
            ax.set_ylabel(_("percent"))
        ax.set_title(
            _(
                "rules compared on {election}",
                election=comparison.election or _("the election"),
            )
        )
        ax.legend(fontsize=8)
    return fig
