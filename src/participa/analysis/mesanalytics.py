"""Per-project analytics of the Method of Equal Shares: what each project's supporters had,
what they had already spent, and how close the project came to being funded.

For every project of an election, :func:`equal_shares_analytics` reports, exactly:

*supporters' budget*
    The money its supporters (voters with a positive utility for it) held when the
    project was decided: for a funded project, at the start of the round that funded
    it; for another project, when their money fell below its cost (after the round
    that put it out of reach; at the start when it never was within reach).
*budget lost*
    What those supporters had by then spent on each project funded earlier, the
    *project loss* of the equal-shares literature: money their share no longer holds
    because they paid for something else.
*effective support*
    The percentage of the project's cost that its supporters could pay at the price
    of the projects equal shares funds instead: run equal shares without the project
    and, in each round, add up what each supporter would pay for it at that round's
    price per unit of utility (``min(money, ρ · utility)``, with the money held at
    the start of the round), and at the end everything they hold; the largest of
    these, rounded down. 100 or more means the supporters could have paid for it at
    a winning price: a project equal shares funds has at least 100.

This is the analysis of pabutools' ``mesanalytics`` (project loss and effective
support), computed from participa's exact equal shares: money in exact fractions of
minor units, the price of each round from the outcome's trace (``rho_exact``).
pabutools computes effective support from the money *after* each round's payments and
reports a discarded project when its lazy search next meets it; participa uses the
money at the moment the comparison is about (see the tests).

Complexity: one run of equal shares and a replay of its payments (``O(rounds · g)``
exact operations over ``g`` distinct ballots); effective support adds one run of equal
shares per project and a replay over that project's supporters.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(300, (Project("a", 200), Project("b", 100), Project("c", 150)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a", "c"], ["b", "c"]]))
>>> table = equal_shares_analytics(e)
>>> [(r.project_id, r.selected, r.effective_support) for r in table.rows]
[('a', True, 100), ('b', True, 100), ('c', False, 100)]
>>> c = table.row("c")
>>> c.round, c.supporters_budget, dict(c.lost_to)
(1, Fraction(100, 1), {'a': Fraction(100, 1)})

(``c`` ties with ``a`` at the first price and loses on the project id, hence 100%.)
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa._tabular import Tabular
from participa.errors import ValidationError
from participa.i18n import N_, _
from participa.model import Election
from participa.money import Currency
from participa.outcome import Outcome
from participa.rules.mes import equal_shares
from participa.rules.utility import Utility, default_utility, utility_matrix
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["EqualSharesAnalytics", "ProjectAnalytics", "equal_shares_analytics"]

ObjArray = npt.NDArray[Any]


def _frozen_map(value: Mapping[str, Fraction]) -> Mapping[str, Fraction]:
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True)
class ProjectAnalytics:
    """One project's row (see the module).

    Parameters
    ----------
    project_id
        The project.
    selected
        Whether equal shares funded it.
    round
        The round that funded it, or after which it was out of reach (0: from the start).
    supporters_budget
        Its supporters' money then, in minor units (exact).
    lost_to
        What they had spent on each earlier project (only projects they paid for).
    effective_support
        Percentage of its cost its supporters could pay at a winning price (rounded
        down); ``None`` when not computed.
    """

    project_id: str
    selected: bool
    round: int
    supporters_budget: Fraction
    lost_to: Mapping[str, Fraction] = attrs.field(converter=_frozen_map)
    effective_support: int | None

    @property
    def budget_lost(self) -> Fraction:
        """Everything its supporters had spent on earlier projects."""
        return sum(self.lost_to.values(), Fraction(0))


@attrs.frozen(slots=True)
class EqualSharesAnalytics(Tabular):
    """The per-project analytics of one equal-shares outcome, one row per project.

    ``to_rows()``, ``to_csv()`` and ``to_frame()`` lay it out (money in minor units,
    rounded down to whole minor units in the table; the rows keep exact fractions).
    """

    outcome: Outcome
    rows: tuple[ProjectAnalytics, ...]
    currency: Currency = attrs.field(default=Currency())

    def row(self, project_id: str) -> ProjectAnalytics:
        """The row of ``project_id``; :class:`~participa.ValidationError` if unknown."""
        for r in self.rows:
            if r.project_id == project_id:
                return r
        raise ValidationError(_("unknown project {project!r}", project=project_id))

    def as_table(self) -> Any:
        """The :class:`~participa.tables.Table` behind ``to_rows`` and friends."""
        from participa.tables import Column, Table

        columns = (
            Column("id", N_("column|id")),
            Column("selected", N_("column|selected"), "bool"),
            Column("round", N_("column|round"), "number"),
            Column("supporters_budget", N_("column|supporters' budget"), "money"),
            Column("budget_lost", N_("column|budget lost"), "money"),
            Column("effective_support", N_("column|effective support (%)"), "number"),
        )
        rows = [
            (
                r.project_id,
                r.selected,
                r.round,
                int(r.supporters_budget),
                int(r.budget_lost),
                -1 if r.effective_support is None else r.effective_support,
            )
            for r in self.rows
        ]
        summary = _(
            "equal shares analytics: {selected} of {count} projects funded",
            selected=len(self.outcome.selected),
            count=len(self.rows),
        )
        return Table(columns, rows, self.currency, summary)


def _rounds(election: Election, out: Outcome) -> list[tuple[int, Fraction]]:
    """(project index, exact price per unit of utility) of each round, free projects at 0."""
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    rounds: list[tuple[int, Fraction]] = []
    for step in out.trace:
        if step.action.value != "select" or step.project_id is None:
            continue
        rho = step.values.get("rho_exact")
        rounds.append(
            (index[step.project_id], Fraction(str(rho)) if rho is not None else Fraction(0))
        )
    return rounds


def equal_shares_analytics(
    election: Election,
    *,
    utility: Utility | None = None,
    effective_support: bool = True,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> EqualSharesAnalytics:
    """Project loss and effective support of every project under plain equal shares.

    Parameters
    ----------
    election
        The election.
    utility
        As for :func:`~participa.rules.mes.equal_shares` (default by ballot kind).
    effective_support
        Compute effective support (one more run of equal shares per project).
    tie_break
        As for :func:`~participa.rules.mes.equal_shares`.

    Returns
    -------
    EqualSharesAnalytics
        One :class:`ProjectAnalytics` per project, in election order.

    Raises
    ------
    RuleError
        A utility that does not fit the ballot kind.

    Notes
    -----
    Complexity ``O(rounds · g)`` exact operations plus, with ``effective_support``,
    ``m`` runs of equal shares and ``O(rounds · nnz)`` (``nnz`` approvals over
    distinct ballots).

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("x", 6), Project("y", 3), Project("z", 3)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["x", "y", "z"],
    ...                          [["x"], ["x"], ["y"], ["z", "y"]]))
    >>> a = equal_shares_analytics(e)
    >>> a.row("x").selected, a.row("x").effective_support
    (False, 83)
    >>> print(a.to_csv().splitlines()[1])
    x,0,0,5,0,83
    """
    name = default_utility(election.profile.kind) if utility is None else utility
    u = utility_matrix(election, name)
    out = equal_shares(election, utility=name, tie_break=tie_break)
    prof = election.profile
    mass = prof.group_weight.astype(object)
    n = prof.total_weight
    ids = election.project_ids
    costs = [int(c) for c in election.costs]
    m = len(ids)
    sup = u > 0
    # money per unit of weight, exact
    beta: ObjArray = np.full(prof.num_groups, Fraction(election.budget, n) if n else 0, object)
    paid: dict[int, ObjArray] = {}  # project -> each group's payment per unit of weight
    order: list[int] = []
    decided: dict[int, tuple[int, Fraction, dict[str, Fraction]]] = {}

    def lost(p: int) -> dict[str, Fraction]:
        rows = np.flatnonzero(sup[:, p])
        spent = {}
        for q in order:
            amount = Fraction((paid[q][rows] * mass[rows]).sum())
            if amount:
                spent[ids[q]] = amount
        return spent

    def held(p: int) -> Fraction:
        rows = np.flatnonzero(sup[:, p])
        return Fraction((beta[rows] * mass[rows]).sum()) if rows.size else Fraction(0)

    def out_of_reach(rnd: int) -> None:
        for p in range(m):
            if p not in decided and p not in selected and held(p) < costs[p]:
                decided[p] = (rnd, held(p), lost(p))

    selected = {j for j, _ in _rounds(election, out)}
    out_of_reach(0)
    for rnd, (j, rho) in enumerate(_rounds(election, out), start=1):
        decided[j] = (rnd, held(j), lost(j))
        rows = np.flatnonzero(sup[:, j])
        pay = np.zeros(prof.num_groups, dtype=object)
        pay[rows] = np.minimum(beta[rows], rho * u[rows, j].astype(object))
        beta = beta - pay
        paid[j] = pay
        order.append(j)
        out_of_reach(rnd)
    rnd_last = len(order)
    for p in range(m):
        if p not in decided:
            decided[p] = (rnd_last, held(p), lost(p))
    effective = [
        _effective(election, u, name, p, p in selected, tie_break) if effective_support else None
        for p in range(m)
    ]
    rows_out = tuple(
        ProjectAnalytics(
            ids[p], p in selected, decided[p][0], decided[p][1], decided[p][2], effective[p]
        )
        for p in range(m)
    )
    return EqualSharesAnalytics(out, rows_out, election.money)


def _effective(
    election: Election,
    u: npt.NDArray[np.int64],
    name: Utility,
    p: int,
    was_selected: bool,
    tie_break: TieBreak,
) -> int:
    """Effective support of project ``p`` (see the module), in whole percent."""
    cost = int(election.costs[p])
    rows = np.flatnonzero(u[:, p] > 0)
    if cost == 0 or rows.size == 0:
        return 100 if was_selected or (cost == 0 and rows.size) else 0
    without = u.copy()
    without[:, p] = 0
    out = equal_shares(election, utility=without, tie_break=tie_break)
    prof = election.profile
    n = prof.total_weight
    mass = prof.group_weight[rows].astype(object)
    beta: ObjArray = np.full(rows.size, Fraction(election.budget, n), dtype=object)
    mine = u[rows, p].astype(object)
    best = Fraction(0)
    for j, rho in _rounds(election, out):
        cover = Fraction((np.minimum(beta, rho * mine) * mass).sum())
        best = max(best, cover)
        on = u[rows, j] > 0
        if on.any():
            beta[on] = beta[on] - np.minimum(beta[on], rho * u[rows[on], j].astype(object))
    best = max(best, Fraction((beta * mass).sum()))
    percent = int(best * 100 / cost)
    return max(percent, 100) if was_selected else percent
