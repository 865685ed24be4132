"""Model sums never wrap around past int64 (#12.3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa.model import BallotKind, Election, Profile, Project


def _election(weights: list[int], ballots: list[list[str]], kind: BallotKind) -> Election:
    ids = ["a", "b", "c"]
    if kind is BallotKind.APPROVAL:
        prof = Profile.from_ballots(kind, ids, ballots, weights=weights)
    else:
        mat = np.array([[3 if p in b else 0 for p in ids] for b in ballots], dtype=np.int64)
        prof = Profile.from_matrix(kind, ids, mat, weights=weights)
    return Election(10, tuple(Project(p, 1) for p in ids), prof)


@given(
    data=st.lists(
        st.tuples(
            st.integers(1, 2**62),
            st.lists(st.sampled_from(["a", "b", "c"]), unique=True),
        ),
        min_size=1,
        max_size=12,
    ),
    kind=st.sampled_from([BallotKind.APPROVAL, BallotKind.CUMULATIVE]),
)
def test_support_points_and_total_weight_are_exact(
    data: list[tuple[int, list[str]]], kind: BallotKind
) -> None:
    weights = [w for w, _ in data]
    ballots = [b for _, b in data]
    e = _election(weights, ballots, kind)
    support = {p: sum(w for w, b in data if p in b) for p in ("a", "b", "c")}
    assert [int(s) for s in e.support()] == [support[p] for p in e.project_ids]
    points = [3 * support[p] if kind is BallotKind.CUMULATIVE else support[p] for p in "abc"]
    assert [int(s) for s in e.total_points()] == [points[e.index(p)] for p in "abc"]
    assert e.profile.total_weight == sum(weights)


def test_four_heavy_voters_past_int64() -> None:
    """4 × 2^62 supporters of ``a`` is 2^64: int64 would read 0."""
    e = _election([2**62] * 4 + [1], [["a"]] * 4 + [["b"]], BallotKind.APPROVAL)
    assert e.support().tolist() == [2**64, 1, 0]
    assert e.profile.total_weight == 2**64 + 1


# -- group weights: multiplicity × weight past int64 -----------------------------------------

big_counts = st.one_of(st.integers(1, 5), st.integers(2**30, 2**62), st.integers(2**61, 2**63 - 1))


@given(rows=st.lists(st.tuples(big_counts, big_counts), min_size=1, max_size=6))
def test_group_weight_and_num_voters_are_exact(rows: list[tuple[int, int]]) -> None:
    """``multiplicity * weight`` in int64 wraps past 2**63; the profile's never does, and
    any sum of its entries (a cumulative sum, a subset) is exact too."""
    mult = [m for m, _ in rows]
    weight = [w for _, w in rows]
    prof = Profile.from_matrix(
        BallotKind.APPROVAL,
        ["a"],
        np.ones((len(rows), 1), dtype=np.int64),
        multiplicity=mult,
        weights=weight,
        collapse=False,
    )
    gw = prof.group_weight
    assert [int(x) for x in gw.tolist()] == [m * w for m, w in rows]
    assert int(gw.sum()) == sum(m * w for m, w in rows) == prof.total_weight
    assert [int(x) for x in np.cumsum(gw).tolist()] == [
        sum(m * w for m, w in rows[: k + 1]) for k in range(len(rows))
    ]
    assert prof.num_voters == sum(mult)


def test_group_weight_stays_int64_when_proven_small() -> None:
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"], []], weights=[3, 2])
    assert prof.group_weight.dtype == np.int64
    assert prof.group_weight.tolist() == [3, 2]


def test_sum_of_points_past_int64_is_checked_against_the_bound() -> None:
    """Two entries of 2^62 on one ballot sum to 2^63: int64 reads a negative number, which
    would pass ``max_sum_points`` silently."""
    from participa.errors import ValidationError
    from participa.model import BallotConstraints

    prof = Profile.from_matrix(
        BallotKind.CUMULATIVE, ["a", "b"], np.array([[2**62, 2**62]], dtype=np.int64)
    )
    projects = (Project("a", 1), Project("b", 1))
    with pytest.raises(ValidationError, match="max_sum_points"):
        Election(10, projects, prof, constraints=BallotConstraints(max_sum_points=10))
    ok = Election(10, projects, prof, constraints=BallotConstraints(max_sum_points=2**63))
    assert ok.constraints.max_sum_points == 2**63
