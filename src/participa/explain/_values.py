"""The explanation values: margins, one project's explanation, the whole explanation.

Words come from :mod:`participa.i18n` in the current language; money is shown in the
election's :class:`~participa.money.Currency`.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

import attrs

from participa.boundary import typed_fields
from participa.errors import ValidationError
from participa.i18n import N_, _, ngettext
from participa.money import Currency, _fraction_money
from participa.outcome import Outcome, TraceAction, TraceStep, TraceValue
from participa.rules.utility import Utility

__all__ = [
    "DEFAULT_MAX_RUNS",
    "EXPLAINED_RULES",
    "EXPLAINED_UTILITIES",
    "ExplainedRule",
    "Explanation",
    "Margin",
    "MarginKind",
    "ProjectExplanation",
]

ExplainedRule = Literal["greedy", "mes", "phragmen"]
"""A rule :func:`explain` can explain (greedy, the Method of Equal Shares, Phragmén)."""
EXPLAINED_RULES: tuple[ExplainedRule, ...] = ("greedy", "mes", "phragmen")
"""Every :data:`ExplainedRule`, in the CLI's order."""
DEFAULT_MAX_RUNS = 5000


class MarginKind(enum.Enum):
    """What a :class:`Margin` measures."""

    COST_REDUCTION = "cost_reduction"
    ADDED_SUPPORTERS = "added_supporters"
    REMOVABLE_SUPPORTERS = "removable_supporters"
    COST_INCREASE = "cost_increase"


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Margin:
    """One margin of one project.

    Parameters
    ----------
    kind
        What is measured.
    value
        The margin (minor units for costs; voters, or points on points ballots, for
        supporters), or ``None`` when no change within ``bound`` flips the status.
    bound
        The largest change searched.
    proven
        ``True`` when monotonicity makes the value provably the extreme one;
        ``False`` when it was found by bisection and verified at its edge only.
    points
        Whether supporters are counted in points (cumulative and scoring ballots).
    """

    kind: MarginKind
    value: int | None
    bound: int
    proven: bool
    points: bool = False


_REASONS: dict[str, str] = {
    "greedy_select": N_("funded: ranked with {ratio} per unit of cost, it fit in the {left} left"),
    "greedy_skip": N_("not funded: it costs {cost} but only {left} was left when its turn came"),
    "mes_select": N_(
        "funded in round {round}: its supporters could pay for it at price {rho} "
        "per unit of utility"
    ),
    "mes_skip": N_(
        "not funded: its supporters' equal shares of the budget could not pay for it "
        "at a price competitive with the projects bought"
    ),
    "phragmen_select": N_(
        "funded in round {round}: its supporters' load reached its cost at {load}"
    ),
    "phragmen_stop": N_(
        "not funded: its supporters' load reached its cost first, at {load}, but it costs "
        "{cost} and only {left} was left, so Phragmén stopped"
    ),
    "phragmen_skip": N_(
        "not funded: other projects' supporters earned their costs first and the budget ran out"
    ),
    "too_costly": N_("not funded: it costs {cost}, more than the whole budget"),
    "marginal_select": N_(
        "funded in round {round}: of the projects that still fit, it raised the voters' "
        "satisfaction most per unit of cost; {left} was left after it"
    ),
    "marginal_skip": N_(
        "not funded: while it still fit, another project always raised the voters' "
        "satisfaction more per unit of cost; {left} was left at the end"
    ),
}

EXPLAINED_UTILITIES: Mapping[str, tuple[Utility, ...]] = MappingProxyType(
    {
        "greedy": ("cost", "count", "points", "borda", "effort", "cost-sqrt", "cost-log", "cc"),
        "mes": ("cost", "count", "points", "borda"),
        "phragmen": (),
    }
)
"""The utilities :func:`explain` takes for each rule (Phragmén has none: it counts voters)."""


def _frozen_values(value: Mapping[str, int | str]) -> Mapping[str, int | str]:
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True, field_transformer=typed_fields)
class ProjectExplanation:
    """Why one project was or was not funded, with its two margins.

    Parameters
    ----------
    project_id, cost, funded
        The project, its cost (minor units) and whether the rule funded it.
    reason_key, reason_values
        The reason as data (``"greedy_skip"``, ``"mes_select"``, ... and the numbers in
        it); :meth:`reason` and :meth:`sentences` put it in words in the current language.
    margins
        Funded: removable supporters, cost increase. Not funded: cost reduction, added
        supporters (none under the ``borda`` utility, where a ballot naming only the
        project gives it no points).
    money
        How amounts are shown (the election's currency).
    """

    project_id: str
    cost: int
    funded: bool
    reason_key: str
    reason_values: Mapping[str, int | str] = attrs.field(converter=_frozen_values, hash=False)
    margins: tuple[Margin, ...]
    money: Currency

    def _margin(self, kind: MarginKind) -> Margin | None:
        return next((m for m in self.margins if m.kind is kind), None)

    @property
    def cost_reduction(self) -> Margin | None:
        """The smallest cost reduction that funds it (unfunded projects)."""
        return self._margin(MarginKind.COST_REDUCTION)

    @property
    def added_supporters(self) -> Margin | None:
        """The smallest number of added supporters (or points) that funds it."""
        return self._margin(MarginKind.ADDED_SUPPORTERS)

    @property
    def removable_supporters(self) -> Margin | None:
        """How many supporters it can lose and stay funded (funded projects)."""
        return self._margin(MarginKind.REMOVABLE_SUPPORTERS)

    @property
    def cost_increase(self) -> Margin | None:
        """The largest cost increase it can bear and stay funded (funded projects)."""
        return self._margin(MarginKind.COST_INCREASE)

    def _fmt(self, amount: int) -> str:
        return self.money.format(amount)

    def reason(self) -> str:
        """The reason in words, in the current language."""
        v = dict(self.reason_values)
        for key in ("cost", "left"):
            if key in v and isinstance(v[key], int):
                v[key] = self._fmt(int(v[key]))
        if isinstance(v.get("load"), str):  # Phragmén's load: money per voter, exact
            with contextlib.suppress(ValueError, ZeroDivisionError):  # "inf": no supporter
                v["load"] = _fraction_money(self.money, Fraction(str(v["load"])))
        return _(_REASONS[self.reason_key], **v)

    def margin_text(self, margin: Margin) -> str:
        """One margin in words, in the current language."""
        k, n = margin.kind, margin.value
        if k is MarginKind.COST_REDUCTION:
            if n is None:
                text = _(
                    "not funded even at a cost of {low} or nothing",
                    low=self._fmt(min(self.cost, 1)),
                )
            else:
                text = _(
                    "funded if it cost {amount} less ({new_cost})",
                    amount=self._fmt(n),
                    new_cost=self._fmt(self.cost - n),
                )
        elif k is MarginKind.ADDED_SUPPORTERS:
            if n is None:
                if self.reason_key == "too_costly":
                    text = _("no added support can fund a project dearer than the budget")
                elif margin.points:
                    text = _("not funded with up to {bound} more points", bound=margin.bound)
                else:
                    text = _("not funded with up to {bound} more supporters", bound=margin.bound)
            elif margin.points:
                text = ngettext(
                    "funded with {n} more point on a new ballot",
                    "funded with {n} more points on a new ballot",
                    n,
                )
            else:
                text = ngettext(
                    "funded with {n} more supporter", "funded with {n} more supporters", n
                )
        elif k is MarginKind.REMOVABLE_SUPPORTERS:
            assert n is not None
            if n == margin.bound:
                text = _("stays funded even if all {total} supporters leave it", total=n)
            else:
                text = _(
                    "stays funded if it loses {n} of its {total} supporters",
                    n=n,
                    total=margin.bound,
                )
        else:
            assert n is not None
            text = _(
                "stays funded if its cost rises by up to {amount} (to {new_cost})",
                amount=self._fmt(n),
                new_cost=self._fmt(self.cost + n),
            )
        if n is not None and not margin.proven:
            text += " " + _("(found by bisection and verified at its edge)")
        return text

    def sentences(self) -> list[str]:
        """The reason, then each margin, in words."""
        return [self.reason(), *(self.margin_text(m) for m in self.margins)]


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Explanation:
    """Explanations of every project (or one) under one rule.

    Parameters
    ----------
    rule
        ``"greedy"``, ``"mes"`` or ``"phragmen"``.
    utility
        The utility the rule ran with.
    outcome
        The rule's outcome on the unmodified election.
    projects
        One :class:`ProjectExplanation` per explained project, in election order.
    runs
        How many reruns of the rule the margins took.
    """

    rule: ExplainedRule
    utility: Utility
    outcome: Outcome
    projects: tuple[ProjectExplanation, ...]
    runs: int

    def __getitem__(self, project_id: str) -> ProjectExplanation:
        for p in self.projects:
            if p.project_id == project_id:
                return p
        raise ValidationError(_("no explanation for this project"), project_id=project_id)

    def __iter__(self) -> Iterator[ProjectExplanation]:
        return iter(self.projects)

    def __len__(self) -> int:
        return len(self.projects)

    def to_rows(self) -> list[dict[str, object]]:
        """One plain dict per project: ids, status, margins (``None`` when none) and words."""
        rows: list[dict[str, object]] = []
        for p in self.projects:
            row: dict[str, object] = {
                "project_id": p.project_id,
                "cost": p.cost,
                "funded": p.funded,
                "reason": p.reason(),
            }
            for kind in MarginKind:
                m = p._margin(kind)
                row[kind.value] = None if m is None else m.value
                if m is not None:
                    row[kind.value + "_proven"] = m.proven
            row["margins"] = " ; ".join(p.margin_text(m) for m in p.margins)
            rows.append(row)
        return rows

    def trace(self) -> tuple[TraceStep, ...]:
        """One ``"info"`` step per project, in the words of the current language, with the
        margins as values: the explanation in the form of a rule's trace."""
        steps = []
        for p in self.projects:
            values: dict[str, TraceValue] = {"funded": p.funded}
            for m in p.margins:
                if m.value is not None:
                    values[m.kind.value] = m.value
            steps.append(
                TraceStep(0, TraceAction.INFO, p.project_id, "; ".join(p.sentences()), values)
            )
        return tuple(steps)

    def _title(self) -> str:
        if self.rule == "phragmen":  # Phragmén has no utility option
            return _("Why each project was or was not funded ({rule})", rule=self.rule)
        return _(
            "Why each project was or was not funded ({rule}, utility {utility})",
            rule=self.rule,
            utility=self.utility,
        )

    def __str__(self) -> str:
        lines = [self._title()]
        for p in self.projects:
            status = _("funded") if p.funded else _("not funded")
            lines.append(f"{p.project_id} ({p._fmt(p.cost)}, {status})")
            lines.extend("  " + s for s in p.sentences())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from participa.display import html_table

        header = (_("project"), _("cost"), _("funded"), _("reason"), _("margins"))
        rows = (
            (
                p.project_id,
                p._fmt(p.cost),
                _("yes") if p.funded else _("no"),
                p.reason(),
                " ; ".join(p.margin_text(m) for m in p.margins),
            )
            for p in self.projects
        )
        return html_table(header, rows, caption=self._title())
