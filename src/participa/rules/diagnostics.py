"""Funding diagnostics: what a partial-funding outcome leaves unbuilt, and what cost-aware rules do.

A per-head split (:func:`~participa.rules.split.per_head`) hands money to projects
in proportion to their votes, so many receive less than they cost: the money in
them is *stranded* — spent on paper, but not enough to build anything.
:func:`funding_diagnostics` measures that and shows, for the same votes, what
greedy and the method of equal shares (which never fund a project partially)
would have funded.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> from participa.rules.split import per_head
>>> e = Election(100_00, (Project("x", 10_00), Project("y", 90_00), Project("z", 90_00)),
...     Profile.from_ballots(BallotKind.CHOOSE_1, ["x", "y", "z"], [["x"], ["y"], ["z"]]),
...     currency="PEN", minor_per_unit=100)
>>> d = funding_diagnostics(e, per_head(e, redistribute=True))
>>> d.below_cost, d.stranded, d.greedy_selected
(2, 9000, ('x', 'y'))
>>> print(d.table(lang="en"))
per-head: 1 of 3 projects fully funded, 2 below cost holding S/ 90.00 of S/ 100.00, S/ 0.00 unspent
project     cost  funding      gap
x        S/ 10.00  S/ 10.00  S/ 0.00
y        S/ 90.00  S/ 45.00  S/ 45.00
z        S/ 90.00  S/ 45.00  S/ 45.00
greedy would fund: x, y
equal shares would fund: ...
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from participa import serialize
from participa.display import html_table
from participa.errors import RuleError
from participa.i18n import _, ngettext, use_language
from participa.model import Election
from participa.money import Currency
from participa.outcome import Outcome
from participa.rules.greedy import greedy
from participa.rules.mes import equal_shares
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["FundingDiagnostics", "funding_diagnostics"]


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(value)


def _opt_str_tuple(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


@serialize.register("participa.rules.FundingDiagnostics")
@attrs.frozen(slots=True)
class FundingDiagnostics:
    """How far an outcome's funding falls short of costs, beside cost-aware alternatives.

    Parameters
    ----------
    rule
        The diagnosed outcome's rule.
    budget
        Its budget.
    costs
        Each project's cost, in election order.
    funding
        Money each project receives in the diagnosed outcome.
    gaps
        ``cost − funding`` for every project that receives money but less than its cost.
    below_cost
        How many projects receive money but less than their cost.
    stranded
        Money held by those projects.
    unspent
        Budget the outcome does not hand out.
    greedy_selected
        What :func:`~participa.rules.greedy.greedy` (default utility) funds with the
        same votes.
    equal_shares_selected
        What the method of equal shares funds, or ``None`` if it could not run.
    currency
        How the amounts read as money (the outcome's currency).
    """

    rule: str
    budget: int
    costs: Mapping[str, int] = attrs.field(converter=_frozen, hash=False)
    funding: Mapping[str, int] = attrs.field(converter=_frozen, hash=False)
    gaps: Mapping[str, int] = attrs.field(converter=_frozen, hash=False)
    below_cost: int
    stranded: int
    unspent: int
    greedy_selected: tuple[str, ...] = attrs.field(converter=_str_tuple)
    equal_shares_selected: tuple[str, ...] | None = attrs.field(
        default=None, converter=_opt_str_tuple
    )
    currency: Currency = attrs.field(factory=Currency)

    @property
    def fully_funded(self) -> tuple[str, ...]:
        """Projects whose funding covers their cost (and that receive money or cost nothing)."""
        return tuple(
            p for p, c in self.costs.items() if self.funding.get(p, 0) >= c and self.funding.get(p)
        )

    def _rows(self) -> list[tuple[str, str, str, str]]:
        money = self.currency.format
        return [
            (p, money(c), money(self.funding.get(p, 0)), money(self.gaps.get(p, 0)))
            for p, c in self.costs.items()
            if self.funding.get(p, 0)
        ]

    def _caption(self) -> str:
        money = self.currency.format
        return _(
            "{rule}: {funded} of {projects} fully funded, {below} below cost holding "
            "{stranded} of {budget}, {unspent} unspent",
            rule=self.rule,
            funded=len(self.fully_funded),
            projects=ngettext("{n} project", "{n} projects", len(self.costs)),
            below=self.below_cost,
            stranded=money(self.stranded),
            budget=money(self.budget),
            unspent=money(self.unspent),
        )

    def _header(self) -> tuple[str, str, str, str]:
        return (_("project"), _("cost"), _("funding"), _("gap"))

    def _alternatives(self) -> list[str]:
        nothing = _("nothing")
        lines = [_("greedy would fund: {ids}", ids=", ".join(self.greedy_selected) or nothing)]
        if self.equal_shares_selected is None:
            lines.append(_("equal shares would fund: (not available)"))
        else:
            ids = ", ".join(self.equal_shares_selected) or nothing
            lines.append(_("equal shares would fund: {ids}", ids=ids))
        return lines

    def table(self, *, lang: str | None = None) -> str:
        """A plain-text report: a caption, one row per funded project, the alternatives.

        ``lang`` is ``"en"`` or ``"es"`` (``None``: the current language).
        """
        with use_language(lang):
            cells = [self._header(), *self._rows()]
            widths = [max(len(r[k]) for r in cells) for k in range(4)]
            lines = [self._caption()]
            for r in cells:
                lines.append(
                    "  ".join(
                        r[k].ljust(widths[k]) if k == 0 else r[k].rjust(widths[k]) for k in range(4)
                    ).rstrip()
                )
            return "\n".join(lines + self._alternatives())

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "FundingDiagnostics",
            self.rule,
            [
                _("{n} below cost", n=self.below_cost),
                _("{amount} stranded", amount=self.currency.format(self.stranded)),
                _("{amount} unspent", amount=self.currency.format(self.unspent)),
            ],
        )

    def to_html(self, *, lang: str | None = None) -> str:
        """The report as HTML: the table of funded projects, then the alternatives."""
        from participa.display import paragraph, view

        with use_language(lang):
            table = html_table(self._header(), self._rows(), caption=self._caption(), wrap=False)
            return view(table, *(paragraph(line) for line in self._alternatives()))

    def _repr_html_(self) -> str:
        return self.to_html()


def funding_diagnostics(
    election: Election, outcome: Outcome, *, tie_break: TieBreak = DEFAULT_TIE_BREAK
) -> FundingDiagnostics:
    """Diagnose an outcome's partial funding on ``election``.

    Parameters
    ----------
    election
        The election the outcome was computed on.
    outcome
        Any outcome (typically :func:`~participa.rules.split.per_head`'s).
    tie_break
        Tie-breaking for the greedy and equal-shares comparisons.

    Returns
    -------
    FundingDiagnostics
        Gaps, stranded money and the cost-aware alternatives.
    """
    ids = election.project_ids
    unknown = [p for p in outcome.funding if p not in set(ids)]
    if unknown:
        raise RuleError(
            _("the outcome funds projects the election does not have"),
            project_id=unknown[0],
            hint=_("diagnose an outcome with the election it was computed on"),
        )
    costs = {p.id: p.cost for p in election.projects}
    funding = {p: int(outcome.funding.get(p, 0)) for p in ids}
    gaps = {p: costs[p] - f for p, f in funding.items() if 0 < f < costs[p]}
    stranded = sum(funding[p] for p in gaps)
    greedy_sel = greedy(election, tie_break=tie_break).selected
    mes_sel: tuple[str, ...] | None
    try:
        mes_sel = equal_shares(election, tie_break=tie_break).selected
    except RuleError:
        mes_sel = None
    return FundingDiagnostics(
        rule=outcome.rule,
        budget=outcome.budget,
        costs=costs,
        funding=funding,
        gaps=gaps,
        below_cost=len(gaps),
        stranded=stranded,
        unspent=outcome.leftover,
        greedy_selected=greedy_sel,
        equal_shares_selected=mes_sel,
        currency=election.money,
    )
