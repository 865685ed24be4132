"""The slow, exact reference of the Method of Equal Shares (pure Python, Fractions).

Written to be obviously correct rather than fast: every round recomputes every
project's price from scratch with exact rationals. Use it on small elections
only; the tests compare the fast kernel of :mod:`participa.rules.mes` to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.model import Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK
from participa.rules._mes_setup import MesInput, greedy_fill, prepare
from participa.rules.utility import Utility
from participa.tiebreak import TieBreak

__all__ = ["equal_shares_reference", "reference_run"]


def reference_run(inp: MesInput, step: int) -> list[tuple[int, Fraction | None]]:
    """One run of equal shares after ``step`` add1 increments: ``(project, ρ)`` in order.

    Free projects somebody values come first with ``ρ = None``.
    """
    g = inp.election.profile.num_groups
    mass = [int(x) for x in inp.mass]
    util = inp.rows(np.arange(g, dtype=np.int64)).tolist() if g else []
    budget = inp.unit_endowment(step)
    out: list[tuple[int, Fraction | None]] = [(j, None) for j in inp.free()]
    remaining = set(inp.candidates())
    while remaining:
        prices: dict[int, Fraction] = {}
        for j in sorted(remaining):
            c = inp.costs[j]
            sup = [k for k in range(g) if util[k][j] > 0]
            if sum((mass[k] * budget[k] for k in sup), Fraction(0)) < c:
                continue
            sup.sort(key=lambda k: budget[k] / util[k][j])
            paid = Fraction(0)
            rest = sum(mass[k] * util[k][j] for k in sup)
            for k in sup:
                rho = (c - paid) / rest
                if rho * util[k][j] <= budget[k]:
                    prices[j] = rho
                    break
                paid += mass[k] * budget[k]
                rest -= mass[k] * util[k][j]
        if not prices:
            break
        low = min(prices.values())
        win = inp.resolver.pick([j for j in sorted(prices) if prices[j] == low])
        for k in range(g):
            if util[k][win] > 0:
                budget[k] -= min(budget[k], low * util[k][win])
        remaining.discard(win)
        out.append((win, low))
    return out


def _cost(inp: MesInput, sel: Sequence[int]) -> int:
    return sum(inp.costs[j] for j in sel)


def _exhaustive(inp: MesInput, sel: Sequence[int]) -> bool:
    left = inp.election.budget - _cost(inp, sel)
    chosen = set(sel)
    return all(inp.costs[j] > left for j in inp.candidates() if j not in chosen)


def equal_shares_reference(
    election: Election,
    *,
    utility: Utility | str | None = None,
    utilities: npt.ArrayLike | None = None,
    completion: str = "none",
    exhaustive_stop: bool = True,
    integral_start: bool = False,
    increment: int | None = None,
    comparison: bool = False,
    endowments: npt.ArrayLike | Sequence[Any] | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Exact, slow equal shares with the same options as :func:`~participa.rules.mes.equal_shares`.

    The ``add1`` completion tries every step ``0, 1, 2, ...`` in turn (no skipping).
    The outcome's trace holds one ``select`` step per round with the exact price.

    Examples
    --------
    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(30, (Project("a", 20), Project("b", 10), Project("c", 10)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
    ...                          [["a"], ["a"], ["b", "c"]]))
    >>> equal_shares_reference(e).selected
    ('a', 'b')
    """
    inp = prepare(
        election,
        utility=utility,
        utilities=utilities,
        completion=completion,
        exhaustive_stop=exhaustive_stop,
        integral_start=integral_start,
        increment=increment,
        endowments=endowments,
        tie_break=tie_break,
    )
    budget = election.budget
    step = 0
    run = reference_run(inp, 0)
    if completion in ("add1", "add1u"):
        prev: list[tuple[int, Fraction | None]] | None = None
        last_step = -1
        while True:
            sel = [j for j, _ in run]
            if _cost(inp, sel) > budget:
                break
            prev, last_step = run, step
            if exhaustive_stop and _exhaustive(inp, sel):
                break
            if set(inp.candidates()) <= set(sel):
                break
            step += 1
            run = reference_run(inp, step)
        run = prev if prev is not None else [(j, None) for j in inp.free()]
        step = max(last_step, 0)
    sel = [j for j, _ in run]
    trace = [
        TraceStep(r + 1, "select", election.project_ids[j], "", {"rho_exact": str(rho)})
        for r, (j, rho) in enumerate(run)
    ]
    if completion in ("add1u", "utilitarian"):
        added, _ = greedy_fill(inp, sel, budget - _cost(inp, sel))
        sel += added
    if comparison:
        sel = _compare(inp, sel)
    return Outcome.from_selection(
        election, sel, rule="mes", trace=trace, params={"step": str(step)}
    )


def _compare(inp: MesInput, sel: list[int]) -> list[int]:
    """pabulib's ``-comparison`` step, written plainly."""
    e = inp.election
    approvals = e.profile.approvals().astype(np.int64)
    support = [int(x) for x in e.support()]
    order = sorted(
        range(len(inp.costs)), key=lambda j: (-support[j], int(inp.resolver.priority[j]))
    )
    left = e.budget
    greedy: list[int] = []
    for j in order:
        if inp.costs[j] <= left:
            greedy.append(j)
            left -= inp.costs[j]
    mes_sat = approvals[:, sel].sum(axis=1) if sel else np.zeros(e.profile.num_groups, np.int64)
    gr_sat = (
        approvals[:, greedy].sum(axis=1) if greedy else np.zeros(e.profile.num_groups, np.int64)
    )
    mass = inp.mass
    prefers_mes = int(mass[mes_sat > gr_sat].sum())
    prefers_greedy = int(mass[gr_sat > mes_sat].sum())
    return greedy if prefers_greedy > prefers_mes else sel
