"""Exact arithmetic for the non-additive satisfactions (``cost-sqrt``, ``cost-log``).

Greedy with a concave satisfaction compares marginal gains per unit of cost, and each
gain is a sum of square roots or logarithms of integers. Floating point cannot be
trusted to order such sums (two gains can be equal, or differ in the 17th digit), so
participa decides every comparison exactly:

1. **Equality is decided algebraically.** ``Σ a_i √n_i`` is zero exactly when, after
   grouping the ``n_i`` whose products are perfect squares (``√n = (√(n r) / r) √r``),
   every group's rational coefficient is zero: square roots of distinct square-free
   integers are linearly independent over the rationals. ``Σ a_i log n_i`` is zero
   exactly when every element of a *coprime base* of the ``n_i`` (pairwise coprime
   integers, found with gcds only, into which every ``n_i`` factors) gets a zero total
   exponent: logarithms of pairwise coprime integers greater than 1 are linearly
   independent over the rationals (``Π b_i^{k_i} = 1`` forces every ``k_i = 0``).
2. **A non-zero sum's sign is found numerically, with a proven error bound.** Each
   ``√n`` or ``log n`` is computed with :mod:`decimal` at ``P`` digits (correctly
   rounded, so relative error at most ``10^(1-P)``), summed exactly as fractions, and
   accepted only when the sum exceeds ``Σ |a_i| |v_i| 10^(1-P)``; otherwise ``P`` is
   doubled. As the sum is not zero, this ends.

Greedy first computes every gain in floating point with a rigorous error bound and
resolves exactly only the candidates whose intervals overlap the best one.

Examples
--------
>>> sign_of_sum({8: 1, 2: -2}, "sqrt")        # √8 = 2√2
0
>>> sign_of_sum({2: 1, 3: 1, 6: -1}, "log")     # log 2 + log 3 = log 6
0
>>> sign_of_sum({10: 1, 2: -3}, "log")          # 10 > 8
1
>>> sign_of_sum({1000001: 1, 1000000: -1, 4: -1, 3: 1}, "sqrt")
-1
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Literal

__all__ = ["Kind", "sign_of_sum"]

Kind = Literal["sqrt", "log"]


def sign_of_sum(terms: Mapping[int, int], kind: Kind) -> int:
    """The sign (-1, 0, 1) of ``Σ coef · f(n)`` over ``terms = {n: coef}``, exactly.

    ``f`` is ``√n`` (``n >= 0``) or ``log n`` (``n >= 1``).
    """
    clean = {n: a for n, a in terms.items() if a and (n > 1 if kind == "log" else n > 0)}
    if not clean:
        return 0
    if _is_zero(clean, kind):
        return 0
    digits = 40
    while True:
        s, err = _approx(clean, kind, digits)
        if abs(s) > err:
            return 1 if s > 0 else -1
        digits *= 2


def _is_zero(terms: Mapping[int, int], kind: Kind) -> bool:
    if kind == "sqrt":
        classes: list[tuple[int, Fraction]] = []  # (representative r, coefficient of √r)
        for n, a in terms.items():
            for k, (r, coef) in enumerate(classes):
                root = math.isqrt(n * r)
                if root * root == n * r:
                    classes[k] = (r, coef + Fraction(a * root, r))
                    break
            else:
                classes.append((n, Fraction(a)))
        return all(coef == 0 for _, coef in classes)
    base = _coprime_base(list(terms))
    totals = dict.fromkeys(base, 0)
    for n, a in terms.items():
        for b in base:
            while n % b == 0:
                n //= b
                totals[b] += a
    return all(v == 0 for v in totals.values())


def _coprime_base(numbers: list[int]) -> list[int]:
    """Pairwise coprime integers > 1 into which every number factors (gcds only).

    Each split replaces ``x, b`` sharing ``g > 1`` by ``g, x/g, b/g``: every number
    stays a product of powers of the pieces, and the sum of their logarithms falls by
    ``log g``, so the loop ends.
    """
    base: list[int] = []
    work = [n for n in numbers if n > 1]
    while work:
        x = work.pop()
        if x == 1:
            continue
        for i, b in enumerate(base):
            g = math.gcd(x, b)
            if g > 1:
                base.pop(i)
                work.extend((g, b // g, x // g))
                break
        else:
            base.append(x)
    return sorted(base)


def _approx(terms: Mapping[int, int], kind: Kind, digits: int) -> tuple[Fraction, Fraction]:
    """The sum, each term correctly rounded at ``digits``, and a bound on its error."""
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_EVEN)
    total = Fraction(0)
    size = Fraction(0)
    for n, a in terms.items():
        d = decimal.Decimal(n)
        v = Fraction(ctx.sqrt(d) if kind == "sqrt" else ctx.ln(d))
        total += a * v
        size += abs(a) * abs(v)
    return total, size * Fraction(1, 10 ** (digits - 1))
