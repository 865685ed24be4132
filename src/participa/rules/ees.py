"""Exact Equal Shares (EES): equal shares where every payer of a project pays the same.

Kraiczy, Robinson and Elkind, "Streamlining Equal Shares" (2024, arXiv 2502.11797).
Every voter starts with ``budget / n``. In each round, for every project not yet
funded, take its supporters and drop the poorest while the poorest cannot pay an
equal split of the cost among those left; the supporters who remain are its
*payers*, each paying ``cost / payers``. Among the projects with payers, fund the one
with the best *bang per buck* — ``payers × utility / cost`` — (ties by
``tie_break``), charge its payers, and repeat until no project has payers.

Unlike the Method of Equal Shares, a payer never pays "what she has left": payments
are exactly equal, which makes the outcome easier to explain and to verify (every
funded project is paid by a set of voters who each pay ``cost / |payers|``).

``utility="cost"`` (a voter's satisfaction is the cost of the projects she gets)
ranks projects by their number of payers; ``utility="count"`` by payers per unit of
cost. Approval (and choose-1) ballots.

Everything is exact: what each voter holds is one exact fraction per funded project she
paid for; who pays is decided on float64 estimates only when every comparison clears a
margin far above their error, else on the exact fractions (see ``_Holdings``).
Identical ballots move together, so the work is over distinct ballots. Complexity: see
:func:`exact_equal_shares`'s Notes.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(40, (Project("p1", 10), Project("p2", 16), Project("p3", 21)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["p1", "p2", "p3"],
...                          [["p1"], ["p1", "p3"], ["p2", "p3"], ["p2", "p3"]]))
>>> exact_equal_shares(e, utility="count").selected
('p1', 'p2')
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt

from participa.errors import ValidationError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak

__all__ = ["EesUtility", "exact_equal_shares"]

EesUtility = Literal["cost", "count"]
"""``cost``: rank by number of payers; ``count``: by payers per unit of cost."""


def exact_equal_shares(
    election: Election,
    *,
    utility: EesUtility = "cost",
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Exact Equal Shares: fund projects paid in exactly equal parts by their payers.

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    utility
        ``"cost"`` or ``"count"`` (see the module).
    tie_break
        Picks among projects with the same bang per buck (default: project id).

    Returns
    -------
    Outcome
        Funded projects in the order EES funded them; the trace gives each one's
        number of payers (voters, with their weights) and what each paid.

    Raises
    ------
    RuleError
        If the ballots are not approval or choose-1 ballots.
    ValidationError
        For an unknown ``utility``.

    Notes
    -----
    Complexity: at most ``m`` rounds for ``m`` projects, each sorting the supporters of
    every unfunded project by the money they hold: ``O(m² · g log g)`` time for ``g``
    distinct ballots (float64 sorts; exact fractions, ``O(k)`` per supporter for ``k``
    funded projects, only for close calls); ``O(g · m)`` memory.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(12, (Project("a", 6), Project("b", 9)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a", "b"], ["b"], ["b"]]))
    >>> out = exact_equal_shares(e)
    >>> out.selected
    ('b',)
    >>> print(out.trace[0].reason)
    3 voters pay 3 each
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "ees")
    if utility not in ("cost", "count"):
        raise ValidationError(
            _("unknown utility {utility!r} for exact equal shares", utility=utility),
            hint=_("use one of: {choices}", choices="cost, count"),
        )
    prof = election.profile
    approvals = prof.approvals()
    weights = prof.group_weight
    n = prof.total_weight
    costs = [int(c) for c in election.costs]
    resolver = tie_break.resolver(election)
    selected: list[int] = []
    trace: list[TraceStep] = []
    if n == 0:
        return Outcome.from_selection(election, [], rule="ees", params={"utility": utility})
    guide = _Holdings(election.budget, n, approvals, weights, len(costs))
    funded = np.zeros(len(costs), dtype=bool)
    while True:
        best: tuple[int, Fraction] | None = None  # (class, value): class 1 = infinite score
        candidates: list[tuple[int, npt.NDArray[np.int64], int]] = []
        for p in range(len(costs)):
            if funded[p]:
                continue
            found = guide.payers(p, costs[p])
            if found is None:
                continue
            payers, count = found
            score = _score(costs[p], count, utility)
            if best is None or score > best:
                best, candidates = score, [(p, payers, count)]
            elif score == best:
                candidates.append((p, payers, count))
        if best is None:
            break
        pick = resolver.pick([c[0] for c in candidates])
        p, payers, count = next(c for c in candidates if c[0] == pick)
        guide.charge(payers, Fraction(costs[p], count))
        funded[p] = True
        selected.append(p)
        each = Fraction(costs[p], count)
        trace.append(
            TraceStep(
                len(selected),
                "select",
                election.project_ids[p],
                _(
                    "{count} voters pay {each} each",
                    count=count,
                    each=election.money.format(int(each)) if each.denominator == 1 else str(each),
                ),
                {"payers": count, "cost": costs[p]},
            )
        )
    params = {"utility": utility, "tie_break": str(tie_break)}
    return Outcome.from_selection(election, selected, rule="ees", trace=trace, params=params)


def _score(cost: int, payers: int, utility: EesUtility) -> tuple[int, Fraction]:
    """Bang per buck, as an exactly comparable key (a free project scores infinitely)."""
    if cost == 0:
        return (1, Fraction(0))
    if utility == "cost":
        return (0, Fraction(payers))
    return (0, Fraction(payers, cost))


class _Holdings:
    """What every voter holds, exactly and as a float64 guide.

    A voter of group ``g`` holds ``budget / n − Σ share_t`` over the funded projects ``t``
    she paid for: one exact fraction per funded project (``shares``) and one boolean
    column of payers per funded project (``paid``). Who pays for a project is decided on
    float64 estimates (``paid_f``, the same sums in floating point) when every comparison
    clears a margin far above their rounding error, else exactly.

    The payers of a project are its supporters from the first one, poorest first, who can
    pay an equal split among those left: ``h_k · left_k ≥ cost``. The estimates' error is
    below ``(k + 2) · 2⁻⁵² · budget / n`` for ``k`` funded projects, far below ``tol =
    2⁻²⁰ · budget / n``. Sorted estimates split into *clusters* wherever two neighbours
    are more than ``tol`` apart: between clusters the exact order is the estimates'
    order. A cluster starting at position ``a`` surely fails when its largest estimate
    times ``left_a`` is below ``cost`` by more than the margin ``tol · left_a + 2⁻⁵⁰ ·
    cost`` (no position inside it can pass: none holds more, none has more voters
    left), and surely passes at ``a`` when its smallest estimate times ``left_a``
    clears ``cost`` by the margin. The payers are decided in float64 when the first
    cluster that does not surely fail surely passes; otherwise the supporters' exact
    amounts are sorted (Fractions).
    """

    def __init__(
        self,
        budget: int,
        n: int,
        approvals: npt.NDArray[np.bool_],
        weights: npt.NDArray[np.int64],
        m: int,
    ) -> None:
        self.base = Fraction(budget, n)
        self.base_f = float(self.base)
        self.tol = self.base_f * 2.0**-20
        self.floats = n < 2**53  # weight sums exact in float64
        self.approvals = np.asfortranarray(approvals & (weights > 0)[:, None])
        self.weights = weights
        self.paid = np.zeros((len(weights), m), dtype=bool, order="F")
        self.shares: list[Fraction] = []
        self.paid_f = np.zeros(len(weights))
        # every group, sorted by its estimate (kept sorted as payments come in)
        self.order = np.arange(len(weights))

    def charge(self, payers: npt.NDArray[np.int64], share: Fraction) -> None:
        self.paid[payers, len(self.shares)] = True
        self.shares.append(share)
        self.paid_f[payers] += float(share)
        # payers and the others each stay sorted among themselves: merge the two runs
        hit = np.zeros(len(self.weights), dtype=bool)
        hit[payers] = True
        runs = np.concatenate((self.order[hit[self.order]], self.order[~hit[self.order]]))
        self.order = runs[np.argsort(self.paid_f[runs] * -1.0, kind="stable")]

    def exact(self, groups: npt.NDArray[np.int64]) -> list[Fraction]:
        k = len(self.shares)
        out = []
        for row in self.paid[groups, :k].tolist():
            out.append(
                self.base
                - sum((s for s, x in zip(self.shares, row, strict=True) if x), Fraction(0))
            )
        return out

    def payers(self, p: int, cost: int) -> tuple[npt.NDArray[np.int64], int] | None:
        """The groups that pay for project ``p`` and their weight (None: nobody can)."""
        groups = np.flatnonzero(self.approvals[:, p])
        if groups.size == 0:
            return None
        if self.floats:
            found = self._guided(p, cost)
            if found is not False:
                return found
        return self._exact(groups, cost)

    def _guided(
        self, p: int, cost: int
    ) -> tuple[npt.NDArray[np.int64], int] | Literal[False] | None:
        ranked = self.order[self.approvals[self.order, p]]  # supporters, poorest first
        es = self.base_f - self.paid_f[ranked]
        w = self.weights[ranked]
        left = np.cumsum(w[::-1])[::-1]
        # clusters: runs of estimates less than tol apart (their exact order is unknown)
        first = np.flatnonzero(np.concatenate(([True], np.diff(es) > self.tol)))
        last = np.concatenate((first[1:], [es.size])) - 1
        left_f = left[first].astype(np.float64)
        margin = self.tol * left_f + 2.0**-50 * cost
        surely_false = es[last] * left_f < cost - margin
        surely_true = es[first] * left_f >= cost + margin
        open_ = np.flatnonzero(~surely_false)
        if open_.size == 0:
            return None
        c = int(open_[0])
        if not surely_true[c]:
            return False  # a close call: decide exactly
        k = int(first[c])
        return ranked[k:], int(left[k])

    def _exact(
        self, groups: npt.NDArray[np.int64], cost: int
    ) -> tuple[npt.NDArray[np.int64], int] | None:
        """Supporters taken poorest first; the poorest is dropped while she cannot pay
        ``cost / (voters left)`` (identical voters are dropped together)."""
        held = self.exact(groups)
        order = sorted(range(len(groups)), key=held.__getitem__)
        left = int(self.weights[groups].sum())
        for i, g in enumerate(order):
            if held[g] * left >= cost:
                kept = np.asarray([groups[j] for j in order[i:]], dtype=np.int64)
                return kept, left
            left -= int(self.weights[groups[g]])
        return None
