"""The incremental Phragmén kernel against plain per-voter arithmetic and the slow reference."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa.io import read_pabulib
from participa.model import BallotKind, Election
from participa.rules import reference as ref
from participa.rules._phragmen_kernel import Loads
from participa.rules.phragmen import phragmen
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak


@st.composite
def kernel_cases(
    draw: st.DrawFn, *, min_weight: int = 1, max_weight: int = 10**6, min_groups: int = 0
) -> tuple[np.ndarray, list[int], list[int], list[int]]:
    groups = draw(st.integers(min_groups, 12))
    m = draw(st.integers(1, 7))
    cells = draw(st.lists(st.booleans(), min_size=groups * m, max_size=groups * m))
    approvals = np.array(cells, dtype=bool).reshape(groups, m)
    weights = draw(st.lists(st.integers(min_weight, max_weight), min_size=groups, max_size=groups))
    costs = draw(st.lists(st.integers(0, 10**9), min_size=m, max_size=m))
    order = draw(st.permutations(range(m)))
    return approvals, weights, costs, list(order)


def _brute_time(
    approvals: np.ndarray, weights: list[int], loads: list[Fraction], cost: int, j: int
) -> Fraction | None:
    rows = [g for g in range(len(weights)) if approvals[g, j]]
    support = sum(weights[g] for g in rows)
    if not support:
        return None
    return (cost + sum((weights[g] * loads[g] for g in rows), Fraction(0))) / support


@given(
    st.one_of(
        kernel_cases(),
        # total weight beyond 2**53: the kernel moves weights with exact integer ufunc.at
        kernel_cases(min_weight=2**51, max_weight=2**58, min_groups=4),
    )
)
def test_loads_match_per_voter_arithmetic(
    case: tuple[np.ndarray, list[int], list[int], list[int]],
) -> None:
    """After any sequence of purchases, every new load and the best set are exact."""
    approvals, weights, costs, order = case
    loads = Loads(approvals, np.array(weights, dtype=np.int64), costs)
    group_loads = [Fraction(0)] * len(weights)
    remaining = list(range(len(costs)))
    for j in order:
        times = {p: _brute_time(approvals, weights, group_loads, costs[p], p) for p in remaining}
        finite = [t for t in times.values() if t is not None]
        best, tied = loads.best(remaining)
        if finite:
            assert best == min(finite)
            assert tied == [p for p in remaining if times[p] == best]
        else:
            assert best is None
            assert tied == remaining
        for p in remaining:
            if times[p] is not None:
                assert loads.exact_time(p) == times[p]
        t = times[j]
        if t is not None:
            loads.buy(j, t)
            for g in range(len(weights)):
                if approvals[g, j]:
                    group_loads[g] = t
        remaining.remove(j)


tie_breaks = st.sampled_from(
    [TieBreak(), TieBreak.parse("max-cost"), TieBreak.parse("lottery", seed=3)]
)


@given(
    elections(
        kinds=(BallotKind.APPROVAL, BallotKind.CHOOSE_1),
        max_projects=8,
        max_voters=25,
        max_cost=12,  # small costs: many exactly tied loads
        weighted=True,
    ),
    tie_breaks,
)
def test_phragmen_equals_reference_with_ties(e: Election, tb: TieBreak) -> None:
    assert list(phragmen(e, tie_break=tb).selected) == ref.phragmen_reference(e, tie_break=tb)


@given(
    elections(
        kinds=(BallotKind.APPROVAL,),
        max_projects=8,
        max_voters=25,
        max_cost=10**12,
        weighted=True,
    )
)
def test_phragmen_equals_reference_large_costs(e: Election) -> None:
    assert list(phragmen(e).selected) == ref.phragmen_reference(e)


@pytest.mark.slow
def test_phragmen_equals_reference_on_real_file(data_dir: Path) -> None:
    e = read_pabulib(data_dir / "Poland_Warszawa_2018_Goclaw.pb.gz").election
    assert list(phragmen(e).selected) == ref.phragmen_reference(e)
