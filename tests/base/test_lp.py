"""The exact simplex against brute-force vertex enumeration, duality, and warm starts."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participa import _lp
from participa._lp import Row, Simplex, maximize

coef = st.integers(-4, 4)
sense = st.sampled_from(["<=", ">=", "=="])
row2 = st.tuples(st.tuples(coef, coef), sense, st.integers(-6, 10))


def brute(objective: tuple[int, int], rows: list[Row]) -> Fraction | None:
    """Best objective over the vertices of a bounded 2-D region (None: infeasible)."""
    lines = [(list(a), b) for a, _, b in rows] + [([1, 0], 0), ([0, 1], 0)]

    def feasible(x: Fraction, y: Fraction) -> bool:
        if x < 0 or y < 0:
            return False
        for (a1, a2), s, b in rows:
            v = a1 * x + a2 * y
            if (s == "<=" and v > b) or (s == ">=" and v < b) or (s == "==" and v != b):
                return False
        return True

    best: Fraction | None = None
    for (a, b), (c, d) in itertools.combinations(lines, 2):
        det = a[0] * c[1] - a[1] * c[0]
        if det == 0:
            continue
        x = Fraction(b * c[1] - a[1] * d, det)
        y = Fraction(a[0] * d - b * c[0], det)
        if feasible(x, y):
            value = objective[0] * x + objective[1] * y
            best = value if best is None else max(best, value)
    return best


@settings(max_examples=300, deadline=None)
@given(objective=st.tuples(coef, coef), rows=st.lists(row2, max_size=4))
def test_matches_vertex_enumeration(objective: tuple[int, int], rows: list[Row]) -> None:
    box: list[Row] = [((1, 0), "<=", 10), ((0, 1), "<=", 10)]
    allrows = [*rows, *box]
    res = maximize(objective, allrows)
    expected = brute(objective, allrows)
    if expected is None:
        assert res.status == "infeasible"
        return
    assert res.status == "optimal"
    assert res.value == expected
    assert res.x is not None
    assert res.duals is not None
    # the vertex is feasible, and the duals certify optimality (strong duality)
    x, y = res.x
    assert objective[0] * x + objective[1] * y == expected
    assert sum(d * Fraction(b) for d, (_, _, b) in zip(res.duals, allrows, strict=True)) == expected
    for d, (_, s, _) in zip(res.duals, allrows, strict=True):
        assert s != "<=" or d >= 0
        assert s != ">=" or d <= 0


@settings(max_examples=150, deadline=None)
@given(
    objective=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    rows=st.lists(
        st.tuples(
            st.tuples(st.integers(0, 4), st.integers(0, 4)), st.just("<="), st.integers(0, 10)
        ),
        min_size=1,
        max_size=4,
    ),
    extra=st.lists(
        st.tuples(st.lists(st.integers(0, 4), min_size=4, max_size=4), st.integers(0, 4)),
        max_size=3,
    ),
)
def test_added_columns_equal_a_fresh_solve(
    objective: tuple[int, int],
    rows: list[Row],
    extra: list[tuple[list[int], int]],
) -> None:
    box: list[Row] = [((1, 0), "<=", 10), ((0, 1), "<=", 10)]
    allrows = [*rows, *box]
    m = len(allrows)
    lp = Simplex(objective, allrows)
    assert lp.solve().status == "optimal"
    cols = [(c[:m] + [0] * (m - len(c[:m])), cost) for c, cost in extra]
    for c, cost in cols:
        lp.add_column(c, cost)
    warm = lp.solve()
    fresh_rows: list[Row] = [
        ([*a, *(c[i] for c, _ in cols)], s, b) for i, (a, s, b) in enumerate(allrows)
    ]
    fresh = maximize([*objective, *(cost for _, cost in cols)], fresh_rows)
    assert warm.status == fresh.status
    assert warm.value == fresh.value


@settings(max_examples=150, deadline=None)
@given(
    objective=st.lists(st.integers(-5, 9), min_size=3, max_size=3),
    rows=st.lists(
        st.tuples(st.lists(st.integers(-3, 6), min_size=3, max_size=3), sense, st.integers(0, 30)),
        min_size=1,
        max_size=5,
    ),
    extra=st.lists(st.integers(0, 5), max_size=6),
)
def test_python_integers_take_the_same_pivots_as_int64(
    objective: list[int], rows: list[Row], extra: list[int]
) -> None:
    """Forcing the Python-integer tableau from the start changes nothing: same vertex,
    same duals, same warm start after an added column."""
    box: list[Row] = [((1, 0, 0), "<=", 9), ((0, 1, 0), "<=", 9), ((0, 0, 1), "<=", 9)]
    allrows = [*rows, *box]

    def run() -> list[object]:
        lp = Simplex(objective, allrows)
        first = lp.solve()
        out: list[object] = [first]
        if first.status == "optimal" and extra:
            column = [extra[i % len(extra)] for i in range(len(allrows))]
            try:
                lp.add_column(column, extra[0])
            except ValueError as err:  # through a redundant row: refused either way
                out.append(str(err))
            else:
                out.append(lp.solve())
        return out

    fast = run()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_lp, "_INT64_ENTRY", 0)
        slow = run()
    assert slow == fast


def test_entries_past_int64_switch_to_python_integers() -> None:
    # a coefficient of 2**40: products of two entries would overflow int64
    big = 2**40
    res = maximize([big, 1], [([big, 1], "<=", big * 3), ([1, big], "<=", big * 2)])
    assert res.status == "optimal"
    assert res.x is not None
    x, y = res.x
    assert big * x + y <= big * 3
    assert x + big * y <= big * 2
    assert res.value == big * x + y
    assert res.duals is not None
    assert sum(d * b for d, b in zip(res.duals, (big * 3, big * 2), strict=True)) == res.value


def test_a_pivot_past_the_int64_bound_widens_the_tableau() -> None:
    # entries below 2**31 at the start; the first pivot multiplies them past it
    a = 50_001
    rows: list[Row] = [([a, 1, 1], "<=", 9_999), ([1, a, 1], "<=", 8_887), ([1, 1, a], "<=", 5_003)]
    lp = Simplex([1, 1, 1], rows)
    assert lp._t.rows.dtype != object
    res = lp.solve()
    assert lp._t.rows.dtype == object
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_lp, "_INT64_ENTRY", 0)
        assert Simplex([1, 1, 1], rows).solve() == res
    assert res.status == "optimal"
    assert res.duals is not None
    assert res.value is not None
    rhs = [r[2] for r in rows]
    assert sum(d * v for d, v in zip(res.duals, rhs, strict=True)) == res.value
