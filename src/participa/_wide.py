"""Integer arithmetic that never wraps: ``int64`` where a bound proves it safe, else Python ints.

numpy's ``int64`` wraps around silently past ``2**63``. Every helper here proves a
bound on its result from the actual maxima of its inputs and computes in ``int64``
only when that bound is below :data:`INT64_SAFE`; otherwise it computes the same
thing over Python integers (an ``object`` array), so the result is always exact.
Arrays come back as ``int64`` or ``object``; both index, compare and sum the same way.

Examples
--------
>>> big = np.array([2**62, 2**62], dtype=np.int64)
>>> int(big.sum())  # int64 wraps around
-9223372036854775808
>>> exact_sum(big)
9223372036854775808
>>> exact_mul(big, np.array([4, 1])).tolist()
[18446744073709551616, 4611686018427387904]
>>> exact_row_sums(np.array([[2**62, 2**62], [1, 2]])).tolist()
[9223372036854775808, 3]
>>> exact_mul(np.array([3]), np.array([4])).dtype
dtype('int64')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "INT64_SAFE",
    "exact_matmul",
    "exact_mul",
    "exact_row_sums",
    "exact_sum",
    "magnitude",
    "summable_product",
]

INT64_SAFE = 2**62
"""Integer results stay in ``int64`` only when a bound proven from the data is below this."""

Wide = npt.NDArray[Any]
"""An integer array of dtype ``int64`` or ``object`` (Python integers)."""


def magnitude(values: npt.NDArray[Any]) -> int:
    """The largest ``|x|`` of an integer (or boolean) array, as a Python int (0 when empty)."""
    if values.size == 0:
        return 0
    if values.dtype == object:
        return max(abs(int(x)) for x in values.ravel().tolist())
    return max(abs(int(values.max())), abs(int(values.min())))


def _as(values: npt.NDArray[Any], safe: bool) -> Wide:
    return values.astype(np.int64) if safe else values.astype(object)


def exact_mul(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> Wide:
    """Elementwise ``a * b`` (broadcast), exact: ``int64`` when ``max|a| × max|b|`` is safe."""
    a, b = np.asarray(a), np.asarray(b)
    safe = max(magnitude(a), 1) * max(magnitude(b), 1) < INT64_SAFE
    out: Wide = _as(a, safe) * _as(b, safe)
    return out


def exact_sum(values: npt.NDArray[Any]) -> int:
    """The sum of every entry, as an exact Python int."""
    values = np.asarray(values)
    if values.size == 0:
        return 0
    safe = max(magnitude(values), 1) * values.size < INT64_SAFE
    return int(_as(values, safe).sum())


def exact_row_sums(values: npt.NDArray[Any]) -> Wide:
    """Each row's sum of a 2-d array, exact: ``int64`` when ``max|x| × columns`` is safe."""
    values = np.asarray(values)
    safe = max(magnitude(values), 1) * max(values.shape[1], 1) < INT64_SAFE
    out: Wide = _as(values, safe).sum(axis=1)
    if values.shape[1] == 0:
        return np.zeros(values.shape[0], dtype=np.int64)
    return out


def exact_matmul(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> Wide:
    """``a @ b`` exact: ``int64`` when ``max|a| × max|b| × inner size`` is safe.

    >>> exact_matmul(np.array([2**62, 2**62]), np.array([[1], [1]])).tolist()
    [9223372036854775808]
    """
    a, b = np.asarray(a), np.asarray(b)
    inner = a.shape[-1] if a.ndim else 1
    safe = max(magnitude(a), 1) * max(magnitude(b), 1) * max(inner, 1) < INT64_SAFE
    out: Wide = _as(a, safe) @ _as(b, safe)
    return out


def summable_product(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> Wide:
    """Elementwise ``a * b`` of two 1-d arrays, ``int64`` only when every sum of its entries
    is proven below :data:`INT64_SAFE` (``max product × length``), else Python integers.

    >>> summable_product(np.array([2**40, 3]), np.array([2**40, 1])).tolist()
    [1208925819614629174706176, 3]
    >>> summable_product(np.array([2, 3]), np.array([5, 1])).dtype
    dtype('int64')
    """
    a, b = np.asarray(a), np.asarray(b)
    size = max(a.size, 1)
    if magnitude(a) * magnitude(b) * size < INT64_SAFE:
        small: Wide = a.astype(np.int64) * b.astype(np.int64)
        return small
    wide: Wide = a.astype(object) * b.astype(object)
    return wide if magnitude(wide) * size >= INT64_SAFE else wide.astype(np.int64)
