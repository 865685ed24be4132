"""participa._wide: int64 only under a proven bound, else exact Python integers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from participa._wide import exact_matmul, exact_mul, exact_row_sums, exact_sum, magnitude

ints = st.one_of(
    st.integers(-50, 50), st.integers(2**61, 2**63 - 1), st.integers(-(2**63), -(2**61))
)
rows = st.integers(1, 4).flatmap(
    lambda m: st.lists(st.lists(ints, min_size=m, max_size=m), min_size=1, max_size=5)
)


@given(rows)
def test_sums_and_products_equal_python_integers(matrix: list[list[int]]) -> None:
    arr = np.array(matrix, dtype=np.int64)
    flat = [x for row in matrix for x in row]
    assert exact_sum(arr) == sum(flat)
    assert magnitude(arr) == max(abs(x) for x in flat)
    assert [int(x) for x in exact_row_sums(arr).tolist()] == [sum(r) for r in matrix]
    col = arr[:, 0]
    assert [int(x) for x in exact_mul(col, col).tolist()] == [r[0] * r[0] for r in matrix]
    vec = arr[0]
    assert [int(x) for x in exact_matmul(col, arr).tolist()] == [
        sum(matrix[g][0] * matrix[g][j] for g in range(len(matrix))) for j in range(len(vec))
    ]


def test_small_values_stay_int64() -> None:
    arr = np.array([[1, 2], [3, 4]], dtype=np.int64)
    assert exact_row_sums(arr).dtype == np.int64
    assert exact_mul(arr, arr).dtype == np.int64
    assert exact_matmul(arr[0], arr).dtype == np.int64
    assert exact_row_sums(np.zeros((2, 0), np.int64)).tolist() == [0, 0]
    assert exact_sum(np.zeros(0, np.int64)) == 0


def test_a_zero_factor_does_not_hide_a_huge_one() -> None:
    """``0 × 2**70`` is 0, but 2**70 itself does not fit in int64."""
    huge = np.array([2**70, 1], dtype=object)
    none = np.zeros((2, 1), dtype=bool)
    assert exact_matmul(huge, none).tolist() == [0]
    assert exact_mul(huge, np.zeros(2, dtype=bool)).tolist() == [0, 0]
