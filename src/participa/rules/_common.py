"""Helpers shared by the rules: exact ranking keys, tie groups, money formatting for traces."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.errors import RuleError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome
from participa.tiebreak import DEFAULT_TIE_BREAK, TieResolver

__all__ = [
    "DEFAULT_TIE_BREAK",
    "INF",
    "INT64_SAFE",
    "DensityKey",
    "dense_rank",
    "density_key",
    "exact_support",
    "exact_weighted_sums",
    "load_equal_shares",
    "masses",
    "require_kind",
    "tie_groups",
    "totals",
]

IntArray = npt.NDArray[np.int64]


INF = 2
"""Class of a density key that is infinite (a free project somebody values)."""

DensityKey = tuple[int, Fraction]
"""``(class, value)``: class 2 = infinite, 1 = positive ratio, 0 = nobody values it."""


INT64_SAFE = 2**62
"""Integer sums stay in ``int64`` only when a bound proven from the data is below this."""


@checked
def masses(election: Election) -> list[int]:
    """Each profile group's ``multiplicity × weight``, exact (Python ints)."""
    prof = election.profile
    return [
        int(a) * int(b)
        for a, b in zip(prof.multiplicity.tolist(), prof.weight.tolist(), strict=True)
    ]


@checked
def exact_weighted_sums(election: Election, matrix: npt.NDArray[Any]) -> list[int]:
    """Exact ``Σ_g mass_g × matrix[g, j]`` per column ``j``, as Python ints.

    One ``int64`` matrix product when ``max mass × max |entry| × groups`` is proven
    below :data:`INT64_SAFE`; otherwise the same product over Python integers (an
    ``object`` array), so no sum ever wraps around.

    >>> from participa.model import Profile, Project
    >>> e = Election(2 * 10**18, (Project("a", 10**18),),
    ...     Profile.from_matrix(BallotKind.APPROVAL, ["a"], np.ones((1, 1)), multiplicity=[10]))
    >>> exact_weighted_sums(e, np.array([[10**18]]))
    [10000000000000000000]
    """
    m = matrix.shape[1] if matrix.ndim == 2 else len(election.projects)
    prof = election.profile
    if prof.multiplicity.size == 0 or matrix.size == 0:
        return [0] * m
    umax = max(int(np.abs(matrix).max()), 1)
    if matrix.ndim == 2 and matrix.dtype.kind in "bi":
        # masses bounded by max multiplicity × max weight: one int64 pass, no Python list
        bound = int(prof.multiplicity.max()) * int(prof.weight.max())
        if bound * umax * prof.multiplicity.size < INT64_SAFE:
            mass_arr = prof.multiplicity * prof.weight
            fast = np.einsum("g,gj->j", mass_arr, matrix, dtype=np.int64)
            return [int(x) for x in fast.tolist()]
    mass = masses(election)
    if max(mass) * umax * len(mass) < INT64_SAFE:
        prod = np.asarray(mass, dtype=np.int64) @ matrix.astype(np.int64)
        return [int(x) for x in prod.tolist()]
    prod_obj = np.asarray(mass, dtype=object) @ matrix.astype(object)
    return [int(x) for x in prod_obj.tolist()]


@checked
def exact_support(election: Election) -> list[int]:
    """Weighted number of voters naming each project, exact (Python ints)."""
    return exact_weighted_sums(election, election.profile.approvals())


@checked
def totals(election: Election, matrix: npt.NDArray[np.int64]) -> list[int]:
    """Weighted column sums of a ``groups × projects`` matrix, exact (Python ints)."""
    return exact_weighted_sums(election, matrix)


@checked
def density_key(score: int, cost: int) -> DensityKey:
    """The exact key greedy ranks by: ``score / cost``, infinite for free valued projects."""
    if score <= 0:
        return (0, Fraction(0))
    if cost == 0:
        return (INF, Fraction(0))
    return (1, Fraction(score, cost))


@checked
def dense_rank(keys: Sequence[object]) -> IntArray:
    """Integer ranks preserving the order of exact keys (equal keys, equal rank; larger, larger).

    >>> dense_rank([Fraction(1, 3), Fraction(1, 2), Fraction(2, 6)]).tolist()
    [0, 1, 0]
    """
    distinct = sorted(set(keys))  # type: ignore[type-var]
    pos = {k: i for i, k in enumerate(distinct)}
    return np.array([pos[k] for k in keys], dtype=np.int64)


@checked
def tie_groups(rank: IntArray, resolver: TieResolver) -> Iterator[list[int]]:
    """Projects grouped by equal ``rank``, best rank first; each group in tie-priority order."""
    order = np.lexsort((resolver.priority, -rank))
    start = 0
    n = order.size
    while start < n:
        stop = start + 1
        while stop < n and rank[order[stop]] == rank[order[start]]:
            stop += 1
        yield [int(j) for j in order[start:stop]]
        start = stop


@checked
def require_kind(election: Election, kinds: Sequence[BallotKind], rule: str) -> None:
    """Raise :class:`RuleError` unless the election's ballots are of one of ``kinds``."""
    if election.kind not in kinds:
        names = ", ".join(k.value for k in kinds)
        raise RuleError(
            _(
                "rule {rule!r} needs {names} ballots, not {value}",
                rule=rule,
                names=names,
                value=election.kind.value,
            ),
            hint=_("use greedy or mes, which take every ballot kind"),
        )


def ratio_text(value: DensityKey) -> str:
    """A density key as text for traces (exact fraction)."""
    cls, frac = value
    if cls == INF:
        return "inf"
    return str(frac)


@checked
def load_equal_shares() -> Callable[..., Outcome]:
    """``participa.rules.mes.equal_shares`` (kept for older callers).

    Import it plainly instead: ``from participa.rules.mes import equal_shares`` is
    precisely typed.
    """
    from participa.rules.mes import equal_shares

    return equal_shares
