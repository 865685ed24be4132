"""The one apportionment: exact sums, floors and caps respected, impossible constraints refused."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from participa.apportion import (
    Rounding,
    apportion,
    bounded_quotas,
    largest_remainder,
)
from participa.errors import ValidationError
from participa.money import largest_remainder as money_largest_remainder

weights = st.lists(
    st.one_of(
        st.integers(0, 1000),
        st.fractions(min_value=0, max_value=50, max_denominator=20),
    ),
    min_size=1,
    max_size=8,
)


@st.composite
def problems(
    draw: st.DrawFn,
) -> tuple[int, list[int | Fraction], list[int], list[int | None]]:
    ws = draw(weights)
    assume(any(w > 0 for w in ws))
    n = len(ws)
    floors = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    caps = [
        None if c is None else f + c
        for f, c in zip(
            floors,
            draw(st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=n, max_size=n)),
            strict=True,
        )
    ]
    total = draw(st.integers(0, 400))
    return total, ws, floors, caps


def _feasible(
    total: int, ws: list[int | Fraction], floors: list[int], caps: list[int | None]
) -> bool:
    if sum(floors) > total:
        return False
    # the most the positions can take: their caps, or unbounded when a positive weight is uncapped
    if any(c is None and w > 0 for w, c in zip(ws, caps, strict=True)):
        return True
    # every weighted position is capped: what they cannot take is shared by the
    # zero-weight positions, up to their caps (apportion's rule since b9e6349)
    room = sum(math.inf if c is None else c for c in caps)
    return total <= room


@given(problems(), st.sampled_from(list(Rounding)))
def test_parts_sum_to_the_total_within_floors_and_caps(
    problem: tuple[int, list[int | Fraction], list[int], list[int | None]], rounding: Rounding
) -> None:
    total, ws, floors, caps = problem
    if not _feasible(total, ws, floors, caps):
        with pytest.raises(ValidationError):
            apportion(total, ws, method=rounding, floors=floors, caps=caps)
        return
    parts = apportion(total, ws, method=rounding, floors=floors, caps=caps)
    assert sum(parts) == total
    assert all(isinstance(p, int) for p in parts)
    for p, f, c in zip(parts, floors, caps, strict=True):
        assert p >= f
        assert c is None or p <= c


@given(problems())
def test_hamilton_is_within_one_unit_of_the_bounded_quota(
    problem: tuple[int, list[int | Fraction], list[int], list[int | None]],
) -> None:
    total, ws, floors, caps = problem
    assume(_feasible(total, ws, floors, caps))
    quotas, _lam = bounded_quotas(total, ws, floors=floors, caps=caps)
    assert sum(quotas) == total
    parts = apportion(total, ws, floors=floors, caps=caps)
    assert all(abs(p - q) < 1 for p, q in zip(parts, quotas, strict=True))


@given(st.integers(0, 10**6), weights)
def test_largest_remainder_is_the_unbounded_apportion(total: int, ws: list[int | Fraction]) -> None:
    assume(any(w > 0 for w in ws))
    assert largest_remainder(total, ws) == apportion(total, ws)
    assert money_largest_remainder.__module__ == "participa.apportion"  # one home, re-exported


def test_reported_cases_of_the_issue() -> None:
    with pytest.raises(ValidationError, match="cap at position 0"):
        apportion(5, [1, 1], caps=[2.5, None])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="floor at position 0"):
        apportion(5, [1, 1], floors=[2.7, 0])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="unknown rounding 'bogus'"):
        apportion(5, [1, 1], method="bogus")  # type: ignore[arg-type]
    assert apportion(5, [1, 1], caps=[2, None]) == [2, 3]


def test_impossible_constraints_name_the_positions() -> None:
    with pytest.raises(ValidationError, match="the floors of S1, S2 sum to 110"):
        apportion(100, [1, 1], floors=[60, 50], labels=["S1", "S2"])
    with pytest.raises(ValidationError, match=r"capped \(a, b\)"):
        apportion(100, [1, 1], caps=[10, 10], labels=["a", "b"])
    with pytest.raises(ValidationError, match="all zero"):
        largest_remainder(1, [0, 0])
