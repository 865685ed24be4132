"""Efficiency: exhaustiveness (what the money left could still fund) and Pareto swaps."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import numpy as np

from participa import serialize
from participa._wide import exact_sum
from participa.analysis.axioms.report import (
    _setup,
)
from participa.analysis.fairshare import selected_mask
from participa.boundary import checked, typed_fields
from participa.i18n import ngettext
from participa.model import Election
from participa.outcome import Outcome
from participa.rules.utility import Utility

__all__ = ["ParetoSwap", "is_exhaustive", "pareto_swaps", "still_affordable"]


# -- exhaustiveness and Pareto swaps -----------------------------------------------------------


@checked
def still_affordable(election: Election, selection: Outcome | Iterable[str]) -> tuple[str, ...]:
    """Unselected projects that the money left could complete.

    For an :class:`~participa.Outcome` the money left is the budget minus everything handed
    out (partial funding included) and a partly funded project needs only its gap;
    for a set of ids it is the budget minus the selected projects' costs.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, [Project("a", 6), Project("b", 4), Project("c", 5)],
    ...     Profile.from_ballots(BallotKind.APPROVAL, list("abc"), [["a"]]))
    >>> still_affordable(e, ["a"])
    ('b',)
    >>> still_affordable(e, Outcome("per-head", 10, {"a": 5, "b": 3, "c": 2}, (), 0))
    ()
    """
    mask = selected_mask(election, selection)
    if isinstance(selection, Outcome):
        got = np.array([selection.funding.get(p, 0) for p in election.project_ids], np.int64)
        left = election.budget - selection.total_funding
    else:
        got = np.zeros(len(election.projects), np.int64)
        left = election.budget - exact_sum(election.costs[mask])
    fits = ~mask & (election.costs - got <= left)
    return tuple(election.project_ids[int(j)] for j in np.flatnonzero(fits))


@checked
def is_exhaustive(election: Election, selection: Outcome | Iterable[str]) -> bool:
    """Whether no unfunded project fits in the money left (see :func:`still_affordable`)."""
    return not still_affordable(election, selection)


@serialize.register("participa.analysis.ParetoSwap")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class ParetoSwap:
    """A feasible change that makes nobody worse off and someone better off.

    ``remove`` is ``None`` when ``add`` simply fits in the money left.
    """

    remove: str | None
    add: str
    better_off: int

    def __str__(self) -> str:
        if self.remove is None:
            return ngettext(
                "fund {add}: {n} voter better off, nobody worse off",
                "fund {add}: {n} voters better off, nobody worse off",
                self.better_off,
                add=self.add,
            )
        return ngettext(
            "swap {remove} for {add}: {n} voter better off, nobody worse off",
            "swap {remove} for {add}: {n} voters better off, nobody worse off",
            self.better_off,
            remove=self.remove,
            add=self.add,
        )


@checked
def pareto_swaps(
    election: Election,
    selection: Outcome | Iterable[str],
    *,
    utility: Utility | str | None = None,
) -> tuple[ParetoSwap, ...]:
    """Single changes (add one project, or swap one funded project for an unfunded one)
    that Pareto-dominate the selection; empty means no such swap exists.

    ``O(projects² × groups)`` with numpy. ``better_off`` is the weight of the voters
    strictly better off.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(5, [Project("a", 5), Project("b", 5)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["b"], ["a", "b"]]))
    >>> [str(x) for x in pareto_swaps(e, ["a"])]
    ['swap a for b: 1 voter better off, nobody worse off']
    """
    s = _setup(election, selection, utility)
    if s.u.shape[0] == 0:
        return ()
    ids = election.project_ids
    spent = exact_sum(s.costs[s.in_w])
    left = s.budget - spent
    out: list[ParetoSwap] = []
    outside = np.flatnonzero(~s.in_w)
    for j in outside:
        if int(s.costs[j]) <= left and s.u[:, j].any():
            out.append(ParetoSwap(None, ids[int(j)], s.weight(s.u[:, j] > 0)))
    for c in np.flatnonzero(s.in_w):
        fits = outside[s.costs[outside] <= left + int(s.costs[c])]
        if fits.size == 0:
            continue
        diff = s.u[:, fits] - s.u[:, [int(c)]]
        ok = (diff >= 0).all(axis=0) & (diff > 0).any(axis=0)
        for k in np.flatnonzero(ok):
            d = int(fits[k])
            out.append(ParetoSwap(ids[int(c)], ids[d], s.weight(diff[:, k] > 0)))
    return tuple(out)
