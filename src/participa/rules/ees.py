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

Everything is exact: budgets are integers over one common denominator (Python
integers), compared by cross-multiplication. Identical ballots move together, so the
work is over distinct ballots. Complexity: ``O(m² · g log g)`` for ``m`` projects
and ``g`` distinct ballots (at most ``m`` rounds, each sorting every project's
payers by budget).

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
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak

__all__ = ["EesUtility", "exact_equal_shares"]

EesUtility = Literal["cost", "count"]
"""``cost``: rank by number of payers; ``count``: by payers per unit of cost."""


@checked
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
    # each voter of group g holds money[g] / denom
    money: npt.NDArray[Any] = np.full(prof.num_groups, election.budget, dtype=object)
    denom = n
    funded = np.zeros(len(costs), dtype=bool)
    while True:
        best: tuple[int, Fraction] | None = None  # (class, value): class 1 = infinite score
        candidates: list[tuple[int, npt.NDArray[np.int64], int]] = []
        for p in range(len(costs)):
            if funded[p]:
                continue
            found = _payers(money, weights, approvals[:, p], costs[p] * denom)
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
        share = Fraction(costs[p] * denom, count)  # in units of 1/denom
        if share.denominator != 1:
            money = money * share.denominator
            denom *= share.denominator
            share *= share.denominator
        money[payers] = money[payers] - int(share)
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


def _payers(
    money: npt.NDArray[Any],
    weights: npt.NDArray[np.int64],
    supports: npt.NDArray[np.bool_],
    need: int,
) -> tuple[npt.NDArray[np.int64], int] | None:
    """The groups that pay for a project needing ``need`` (in ``1/denom`` units), and their size.

    Supporters are taken poorest first; the poorest is dropped while she cannot pay
    ``need / (voters left)``. Identical voters are dropped together: if one cannot
    pay, none of her group can once she is gone (the share only grows).
    """
    groups = np.flatnonzero(supports & (weights > 0))
    if groups.size == 0:
        return None
    held = money[groups]
    order = np.argsort(held, kind="stable")
    held, groups = held[order], groups[order]
    w = weights[groups].astype(object)
    left = np.cumsum(w[::-1])[::-1]  # voters from position k on
    ok = np.asarray(held * left >= need, dtype=bool)
    if not ok.any():
        return None
    k = int(np.argmax(ok))
    return groups[k:], int(left[k])
