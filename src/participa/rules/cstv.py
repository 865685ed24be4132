"""CSTV: cumulative support transfer voting (Skowron, Slinko, Szufa and Talmon).

"Participatory Budgeting with Cumulative Votes" (arXiv 2009.02690; Social Choice and
Welfare, 2025). Each voter who scored some project donates an equal share of the budget,
``budget / n``, split over the projects in proportion to her points. A project whose
donations reach its cost is *eligible*; the rule funds eligible projects one at a time
and moves money between projects when none is eligible. A *variant* fixes the three
choices the paper studies:

=========  ========================  =========================  ==========================
variant    which project to fund     when none is eligible      at the end
=========  ========================  =========================  ==========================
``ewt``    largest excess support    eliminate the weakest,     reverse the eliminations
           (donations − cost)        transfer its donations     while money is left
``ewtc``   largest support / cost    same                       same
``ewts``   largest support           same                       same
``mt``     largest excess support    minimal transfer to the    accept under-supported
                                     best project               projects while money is left
``mtc``    largest support / cost    same                       same
``mts``    largest support           same                       same
=========  ========================  =========================  ==========================

* **Funding** a project charges its donors: if the donations exceed the cost, every
  donor pays the same fraction ``cost / donations`` of her donation and the rest flows
  back to her other projects, in proportion to what she gives them (the rest of a donor
  who gives nothing else is lost, as in the paper). A project funded at exactly its cost
  takes all its donations.
* **Elimination with transfer**: the project with the weakest support (by the same
  measure as funding) is dropped and each donor's donation to it is spread over her
  other projects in proportion.
* **Minimal transfer**: projects whose donors together hold less than their cost are
  set aside; then the donors of the best remaining project scale their donations to it
  up, all by the same factor, taking the money from their other projects in proportion,
  until it reaches its cost (a donor who cannot keep up gives it everything she has).
* **Reverse elimination** funds the eliminated projects that still fit, last eliminated
  first; **acceptance of under-supported projects** funds the set-aside projects that
  still fit, best first, and each one funded takes all the money of its donors.

Every amount is an exact fraction; ties are broken by ``tie_break``. Cumulative and
scoring ballots. Complexity: ``O(m²)`` rounds of ``O(g · m)`` fraction operations for
``m`` projects and ``g`` distinct ballots.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 50), Project("b", 40), Project("c", 30)),
...     Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b", "c"],
...                          [{"a": 3, "b": 1}, {"a": 2, "c": 2}, {"b": 4}, {"c": 1, "b": 3}]))
>>> cstv(e, variant="ewt").selected
('b', 'c')
>>> print(cstv(e, variant="mt").trace[0].reason)
its donations 50 reach its cost 40
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import N_, _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak, TieResolver

__all__ = ["CSTV_VARIANTS", "CstvVariant", "cstv"]

CstvVariant = Literal["ewt", "ewtc", "ewts", "mt", "mtc", "mts"]
CSTV_VARIANTS: tuple[CstvVariant, ...] = ("ewt", "ewtc", "ewts", "mt", "mtc", "mts")

_KEY = {"ewt": "excess", "mt": "excess", "ewtc": "ratio", "mtc": "ratio", "ewts": "support",
        "mts": "support"}  # fmt: skip

_REASONS = {
    "fund": N_("its donations {support} reach its cost {cost}"),
    "eliminate": N_(
        "weakest support ({support} for a cost of {cost}): eliminated, "
        "its donations go to its donors' other projects"
    ),
    "set aside": N_("its donors hold {support} in all, less than its cost {cost}: set aside"),
    "transfer": N_("its donors move money to it from their other projects to reach {cost}"),
    "reverse": N_("eliminated earlier; it still fits in the {left} left"),
    "accept": N_("under-supported, but it fits in the {left} left"),
}


class _State:
    """Donations (groups × projects, exact) and the bookkeeping of one CSTV run."""

    def __init__(self, election: Election, variant: CstvVariant, resolver: TieResolver) -> None:
        self.e = election
        self.variant = variant
        self.resolver = resolver
        self.costs = [int(c) for c in election.costs]
        prof = election.profile
        points = prof.matrix.astype(object)
        totals = points.sum(axis=1)
        donors = np.asarray(totals > 0, dtype=bool)
        n = int(prof.group_weight[donors].sum())
        share = Fraction(election.budget, n) if n else Fraction(0)
        self.d: npt.NDArray[Any] = np.zeros(points.shape, dtype=object)
        weights = prof.group_weight
        for g in np.flatnonzero(donors):
            self.d[g] = [
                Fraction(int(x) * int(weights[g]), int(totals[g])) * share for x in points[g]
            ]
        self.d[self.d == 0] = Fraction(0)
        self.live = np.ones(len(self.costs), dtype=bool)  # columns that still hold donations
        self.current = list(range(len(self.costs)))
        self.eliminated: list[int] = []
        self.selected: list[int] = []
        self.left = election.budget
        self.trace: list[TraceStep] = []
        self._supports: list[Fraction] | None = None

    # -- measures ----------------------------------------------------------------------
    def support(self, p: int) -> Fraction:
        if self._supports is None:
            self._supports = [sum(col, Fraction(0)) for col in self.d.T]
        return self._supports[p]

    def changed(self) -> None:
        self._supports = None

    def key(self, p: int) -> tuple[int, Fraction]:
        s, c = self.support(p), self.costs[p]
        kind = _KEY[self.variant]
        if kind == "excess":
            return (0, s - c)
        if kind == "support":
            return (0, s)
        return (1, Fraction(0)) if c == 0 else (0, s / c)

    def pick(self, candidates: list[int], *, best: bool) -> int:
        keys = {p: self.key(p) for p in candidates}
        target = max(keys.values()) if best else min(keys.values())
        return self.resolver.pick([p for p in candidates if keys[p] == target])

    def note(self, action: str, p: int, reason: str, **values: object) -> None:
        text = _(
            _REASONS[reason],
            support=self.money(self.support(p)),
            cost=self.e.money.format(self.costs[p]),
            left=self.e.money.format(self.left),
        )
        self.trace.append(TraceStep(len(self.trace) + 1, action, self.e.project_ids[p], text))
        del values

    def money(self, amount: Fraction) -> str:
        whole = self.e.money.format(int(amount))
        return whole if amount.denominator == 1 else f"≈{whole}"

    # -- moves ---------------------------------------------------------------------------
    def spread(self, p: int, amounts: npt.NDArray[Any]) -> None:
        """Drop column ``p``; give each donor ``amounts[g]`` back over her other live projects."""
        self.d[:, p] = Fraction(0)
        self.live[p] = False
        self.changed()
        rest = self.d[:, self.live].sum(axis=1) if self.live.any() else None
        if rest is None:
            return
        for g in np.flatnonzero(amounts != 0):
            if rest[g] != 0:
                cols = np.flatnonzero(self.live)
                self.d[g, cols] = self.d[g, cols] + self.d[g, cols] * (amounts[g] / rest[g])

    def fund(self, p: int) -> None:
        support = self.support(p)
        cost = self.costs[p]
        self.selected.append(p)
        self.current.remove(p)
        self.left -= cost
        self.note("select", p, "fund")
        column = self.d[:, p].copy()
        if support <= cost:
            self.d[:, p] = Fraction(0)
            self.live[p] = False
            self.changed()
            return
        gamma = Fraction(cost) / support
        refund = column * (1 - gamma)
        self.spread(p, refund)

    def eliminate_with_transfer(self) -> bool:
        if len(self.current) < 2:
            if self.current:
                p = self.current.pop()
                self.eliminated.append(p)
                self.note("skip", p, "eliminate")
            return False
        p = self.pick(self.current, best=False)
        self.note("skip", p, "eliminate")
        self.current.remove(p)
        self.eliminated.append(p)
        self.spread(p, self.d[:, p].copy())
        return True

    def minimal_transfer(self) -> bool:
        totals = self.d[:, self.live].sum(axis=1)
        for p in list(self.current):
            holders = np.flatnonzero(self.d[:, p] != 0)
            if sum(totals[holders], Fraction(0)) < self.costs[p]:
                self.note("skip", p, "set aside")
                self.current.remove(p)
                self.eliminated.append(p)
        if not self.current:
            return False
        p = self.pick(self.current, best=True)
        donors: list[int] = [int(g) for g in np.flatnonzero(self.d[:, p] != 0)]
        cost = Fraction(self.costs[p])
        full: list[int] = []
        while True:
            rest = [g for g in donors if g not in full]
            need = cost - sum((totals[g] for g in full), Fraction(0))
            given = sum((self.d[g, p] for g in rest), Fraction(0))
            if not rest or given == 0:
                for q in list(self.current):
                    self.current.remove(q)
                    self.eliminated.append(q)
                return False
            scale = need / given
            newly = [g for g in rest if self.d[g, p] * scale > totals[g]]
            if not newly:
                break
            full += newly
        self.note("info", p, "transfer")
        cols = np.flatnonzero(self.live)
        for g in full:
            self.d[g, cols] = Fraction(0)
            self.d[g, p] = totals[g]
        for g in rest:
            old = self.d[g, p]
            new = old * scale
            others = totals[g] - old
            factor = (totals[g] - new) / others if others else Fraction(0)
            self.d[g, cols] = self.d[g, cols] * factor
            self.d[g, p] = new
        self.changed()
        return True

    def finish(self) -> None:
        if self.variant.startswith("ewt"):
            for p in reversed(self.eliminated):
                if self.costs[p] <= self.left:
                    self.note("select", p, "reverse")
                    self.left -= self.costs[p]
                    self.selected.append(p)
            return
        pending = list(self.eliminated)
        while pending:
            p = self.pick(pending, best=True)
            pending.remove(p)
            if self.costs[p] <= self.left:
                self.note("select", p, "accept")
                self.left -= self.costs[p]
                self.selected.append(p)
                for g in np.flatnonzero(self.d[:, p] != 0):
                    self.d[g, :] = Fraction(0)
                self.changed()


@checked
def cstv(
    election: Election,
    *,
    variant: CstvVariant = "mtc",
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Cumulative support transfer voting in one of the paper's six variants.

    Parameters
    ----------
    election
        An election with cumulative (or scoring) ballots.
    variant
        ``"ewt"``, ``"ewtc"``, ``"ewts"``, ``"mt"``, ``"mtc"`` or ``"mts"`` (see the
        module); the default, minimal transfers over costs, is the one the paper
        recommends.
    tie_break
        Breaks ties between projects with the same measure (default: project id).

    Returns
    -------
    Outcome
        Funded projects in the order CSTV funded them; the trace records every
        funding, elimination, set-aside and transfer.

    Raises
    ------
    RuleError
        If the ballots carry no points (approval, ordinal).
    ValidationError
        For an unknown ``variant``.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("x", 6), Project("y", 6)),
    ...     Profile.from_ballots(BallotKind.CUMULATIVE, ["x", "y"], [{"x": 1}, {"y": 1}]))
    >>> cstv(e, variant="ewt").selected  # neither reaches 6: x goes first, y is reinstated
    ('y',)
    """
    require_kind(election, (BallotKind.CUMULATIVE, BallotKind.SCORING), "cstv")
    if variant not in CSTV_VARIANTS:
        raise ValidationError(
            _("unknown CSTV variant {variant!r}", variant=variant),
            hint=_("use one of: {choices}", choices=", ".join(CSTV_VARIANTS)),
        )
    state = _State(election, variant, tie_break.resolver(election))
    transfer = (
        state.eliminate_with_transfer if variant.startswith("ewt") else state.minimal_transfer
    )
    while state.current:
        eligible = [p for p in state.current if state.support(p) >= state.costs[p]]
        stop = False
        while not eligible:
            if not transfer():
                stop = True
                break
            eligible = [p for p in state.current if state.support(p) >= state.costs[p]]
        if stop:
            break
        state.fund(state.pick(eligible, best=True))
    state.finish()
    params = {"variant": variant, "tie_break": str(tie_break)}
    return Outcome.from_selection(
        election, state.selected, rule="cstv", trace=state.trace, params=params
    )
