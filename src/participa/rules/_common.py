"""Helpers shared by the rules: exact ranking keys, tie groups, money formatting for traces."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import cast

import numpy as np
import numpy.typing as npt

from participa.errors import RuleError
from participa.model import BallotKind, Election
from participa.outcome import Outcome
from participa.tiebreak import TieBreak, TieResolver

__all__ = [
    "DEFAULT_TIE_BREAK",
    "INF",
    "DensityKey",
    "dense_rank",
    "density_key",
    "load_equal_shares",
    "require_kind",
    "tie_groups",
    "totals",
]

IntArray = npt.NDArray[np.int64]

DEFAULT_TIE_BREAK = TieBreak()
"""The default tie-breaking (project id), shared as every rule's default argument."""

INF = 2
"""Class of a density key that is infinite (a free project somebody values)."""

DensityKey = tuple[int, Fraction]
"""``(class, value)``: class 2 = infinite, 1 = positive ratio, 0 = nobody values it."""


def totals(election: Election, matrix: npt.NDArray[np.int64]) -> IntArray:
    """Weighted column sums of a ``groups × projects`` matrix: one matrix product."""
    prof = election.profile
    if prof.num_groups == 0:
        return np.zeros(len(election.projects), np.int64)
    out: IntArray = (prof.group_weight @ matrix).astype(np.int64)
    return out


def density_key(score: int, cost: int) -> DensityKey:
    """The exact key greedy ranks by: ``score / cost``, infinite for free valued projects."""
    if score <= 0:
        return (0, Fraction(0))
    if cost == 0:
        return (INF, Fraction(0))
    return (1, Fraction(score, cost))


def dense_rank(keys: Sequence[object]) -> IntArray:
    """Integer ranks preserving the order of exact keys (equal keys, equal rank; larger, larger).

    >>> dense_rank([Fraction(1, 3), Fraction(1, 2), Fraction(2, 6)]).tolist()
    [0, 1, 0]
    """
    distinct = sorted(set(keys))  # type: ignore[type-var]
    pos = {k: i for i, k in enumerate(distinct)}
    return np.array([pos[k] for k in keys], dtype=np.int64)


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


def require_kind(election: Election, kinds: Sequence[BallotKind], rule: str) -> None:
    """Raise :class:`RuleError` unless the election's ballots are of one of ``kinds``."""
    if election.kind not in kinds:
        names = ", ".join(k.value for k in kinds)
        raise RuleError(
            f"rule {rule!r} needs {names} ballots, not {election.kind.value}",
            hint="use greedy or mes, which take every ballot kind",
        )


def ratio_text(value: DensityKey) -> str:
    """A density key as text for traces (exact fraction)."""
    cls, frac = value
    if cls == INF:
        return "inf"
    return str(frac)


def load_equal_shares() -> Callable[..., Outcome]:
    """``participa.rules.mes.equal_shares``, imported lazily (it lives in its own module).

    Raises :class:`RuleError` if the module is not available.
    """
    try:
        module = importlib.import_module("participa.rules.mes")
    except ModuleNotFoundError:  # pragma: no cover - only before mes.py exists
        raise RuleError(
            "the method of equal shares is not available in this build",
            hint="participa.rules.mes could not be imported",
        ) from None
    return cast("Callable[..., Outcome]", module.equal_shares)
