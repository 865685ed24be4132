"""Deciding priceability exactly: a price system as a rational linear programme.

A set ``W`` of funded projects is *priceable* (Peters and Skowron 2020; Peters,
Pierczyński and Skowron 2021, "Proportional participatory budgeting with additive
utilities") when there is an allowance ``π`` per voter and payments ``p_i(c) >= 0``
such that

C1. voters pay only for projects they value; C2. nobody pays for an unfunded project;
C3. nobody pays more than ``π``; C4. the payments for a funded project add up to its
cost; C5. for every unfunded project, the money its supporters have left is at most
its cost. The literature and the reference library add two conditions, on by default
here: C0c. the allowances cover the budget (``n × π >= budget``), and C0b. ``W`` is
exhaustive (no unfunded project fits in the money ``W`` leaves). *Stable* priceability
replaces C5 by S5: for every unfunded project ``c``, ``Σ_{i values c} max(largest
payment of i, money i has left) <= cost(c)``.

Every condition is linear in ``π`` and the payments (S5's maxima with one auxiliary
``z_i >= p_i(c')``, ``z_i >= π - Σ p_i`` per voter, which is exact for feasibility),
so :func:`solve_price_system` decides it with participa's exact simplex
(:mod:`participa._lp`): it returns a price system whenever one exists and ``None``
exactly when none does. Identical voters (one profile group) can be given identical
payments without loss (the feasible set is convex and symmetric under swapping them),
so the programme has one payment per group and funded project it values.

Complexity: one exact linear programme with ``1 + Σ_g |funded projects g values|``
variables (plus ``g`` for stable) and ``O(g + m)`` rows (plus ``g × |W|`` for stable);
Bland's rule is exponential in the worst case. Meant for small and medium elections;
:func:`~participa.analysis.find_price_system` first tries a fast search that certifies
the outcome of the Method of Equal Shares and calls this only when it fails.

Examples
--------
The issue's example: voters {0, 1}, {0, 1, 2}, {2}; unit costs; budget 2; W = {0, 1}.
The only allowance is exactly 1 (the third voter, alone on project 2, must keep at
most 1; the first two must pay 2):

>>> import numpy as np
>>> on = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 1]], dtype=bool)
>>> allowance, pay = solve_price_system(on, [1, 1, 1], [1, 1, 1], [True, True, False], 2)
>>> allowance, [sum(r) for r in pay]
(Fraction(1, 1), [Fraction(1, 1), Fraction(1, 1), Fraction(0, 1)])
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from participa._lp import Row, maximize

__all__ = ["is_exhaustive", "solve_price_system"]


def is_exhaustive(costs: Sequence[int], in_w: Sequence[bool], budget: int) -> bool:
    """Whether no unfunded project fits in the money the funded ones leave (C0b).

    >>> is_exhaustive([10, 10], [False, False], 100)
    False
    >>> is_exhaustive([60, 50], [True, False], 100)
    True
    """
    left = budget - sum(int(c) for c, w in zip(costs, in_w, strict=True) if w)
    return all(int(c) > left for c, w in zip(costs, in_w, strict=True) if not w)


def solve_price_system(
    on: npt.NDArray[np.bool_],
    weights: Sequence[int],
    costs: Sequence[int],
    in_w: Sequence[bool],
    budget: int,
    *,
    stable: bool = False,
    whole_budget: bool = True,
) -> tuple[Fraction, list[list[Fraction]]] | None:
    """An allowance and payments (per unit of weight, ``groups × projects``), or ``None``.

    ``on[g, j]``: the voters of group ``g`` value project ``j``; ``weights[g]``: the
    group's total weight. Exhaustiveness (C0b) is not part of the programme (it is a
    property of ``W`` alone: see :func:`is_exhaustive`). ``None`` means no price system
    satisfies the conditions: the programme is infeasible.
    """
    g_count, m = on.shape
    w = [int(x) for x in weights]
    cost = [int(c) for c in costs]
    funded = [j for j in range(m) if in_w[j]]
    if sum(cost[j] for j in funded) > budget:
        return None
    n = sum(w)
    # variables: 0 = allowance; then one payment per (group, funded project it values);
    # then, for stable, one z per group
    var: dict[tuple[int, int], int] = {}
    for g in range(g_count):
        for j in funded:
            if on[g, j] and w[g] > 0:
                var[g, j] = len(var) + 1
    nz = len(var) + 1
    size = nz + (g_count if stable else 0)
    rows: list[Row] = []

    def vec(entries: dict[int, int]) -> list[int]:
        out = [0] * size
        for k, v in entries.items():
            out[k] += v
        return out

    own = [[var[g, j] for j in funded if (g, j) in var] for g in range(g_count)]
    for g in range(g_count):  # C3
        rows.append((vec({0: -1} | dict.fromkeys(own[g], 1)), "<=", 0))
    for j in funded:  # C4
        rows.append(
            (vec({var[g, j]: w[g] for g in range(g_count) if (g, j) in var}), "==", cost[j])
        )
    if whole_budget:  # C0c
        rows.append((vec({0: n}), ">=", budget))
    for j in range(m):
        if in_w[j]:
            continue
        backers = [g for g in range(g_count) if on[g, j] and w[g] > 0]
        if not backers:
            continue
        if stable:  # S5 with z_g >= every payment and >= the money left
            rows.append((vec({nz + g: w[g] for g in backers}), "<=", cost[j]))
        else:  # C5: Σ w_g (π - Σ p_g) <= cost
            coeffs: dict[int, int] = {0: sum(w[g] for g in backers)}
            for g in backers:
                for k in own[g]:
                    coeffs[k] = coeffs.get(k, 0) - w[g]
            rows.append((vec(coeffs), "<=", cost[j]))
    if stable:
        for g in range(g_count):
            z = nz + g
            for k in own[g]:
                rows.append((vec({z: 1, k: -1}), ">=", 0))
            left = {z: 1, 0: -1}
            for k in own[g]:
                left[k] = 1
            rows.append((vec(left), ">=", 0))
    res = maximize([0] * size, rows)
    if res.status != "optimal" or res.x is None:
        return None
    x = res.x
    pay = [[Fraction(0)] * m for _ in range(g_count)]
    for (g, j), k in var.items():
        pay[g][j] = x[k]
    return x[0], pay
