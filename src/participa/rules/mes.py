"""The Method of Equal Shares (MES) and its completions.

Equal shares (Peters, Pierczyński and Skowron, *Proportional participatory
budgeting with additive utilities*, NeurIPS 2021; equalshares.net) splits the
budget among the voters. Each round it buys the project whose supporters can pay
for it at the lowest price per unit of utility ``ρ``: a supporter ``g`` with
utility ``u_g`` pays ``min(b_g, ρ·u_g)`` from its remaining budget ``b_g``, and ``ρ``
is the smallest value for which these payments cover the cost. It stops when no
project's supporters can pay for it.

Equal shares often leaves money unspent, so cities complete it:

``none``
    Plain equal shares.
``add1``
    Raise every voter's endowment by ``increment`` (one currency unit by default)
    and rerun from scratch, starting from ``budget / n`` (or its floor in whole
    currency units with ``integral_start=True``). With ``exhaustive_stop=True``
    stop at the first *exhaustive* outcome (no unselected project that somebody
    values fits in the money left); in any case stop before the outcome costs more
    than the budget, and return the last outcome within budget. This is pabutools'
    ``voter_budget_increment=1``; with ``exhaustive_stop=False`` it is pabulib's
    declared rule ``equalshares/add1``. The loop does not run every step: a run
    can certify that a whole range of steps buys the same projects in the same
    order (prices only fall and budgets only rise along a fixed purchase order),
    and those steps are skipped. The result is exactly that of stepping by one,
    also when budgets of 10^5 currency units per voter rise by one unit a step.
``add1u``
    ``add1``, then the utilitarian completion on the money left.
``utilitarian``
    Plain equal shares, then greedy by total utility per unit of cost over the
    remaining projects (ties by ``tie_break``), skipping projects that do not fit.

``comparison=True`` is pabulib's ``-comparison`` step as its checker defines it:
compute the plain greedy outcome (projects by number of supporters, ties by
``tie_break``, skipping what does not fit), count the voters who have more
selected projects on their ballot under greedy and those who have more under
equal shares (a voter of weight ``w`` counts ``w`` times), and keep greedy only
if strictly more voters prefer it.

Weights: a voter of weight ``w`` counts as ``w`` voters, with ``w`` times the
endowment; ``add1`` adds ``increment`` per unit of weight.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(300, (Project("a", 200), Project("b", 100), Project("c", 100)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a"], ["b", "c"]]))
>>> out = equal_shares(e)
>>> out.selected, out.total_cost
(('a', 'b'), 300)
>>> print(out.trace[0])
[1] select a: cheapest price ... (rho=0.5, rho_exact=1/2, payers=2, paid=200, left=100.0, ...)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa.errors import TieError
from participa.model import Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK
from participa.rules._mes_kernel import Kernel, Run
from participa.rules._mes_reference import equal_shares_reference
from participa.rules._mes_setup import MesInput, greedy_fill, prepare
from participa.rules.utility import Utility
from participa.tiebreak import TieBreak

__all__ = ["equal_shares", "equal_shares_reference", "greedy_by_support", "is_exhaustive"]


def equal_shares(
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
    """The Method of Equal Shares, with an optional completion.

    Parameters
    ----------
    election
        The election.
    utility
        ``"cost"``, ``"count"``, ``"points"`` or ``"borda"`` (see
        :mod:`participa.rules.utility`); default by ballot kind.
    utilities
        Instead of ``utility``: any additive utilities, a ``groups × projects``
        matrix of non-negative integers (one row per profile group).
    completion
        ``"none"``, ``"add1"``, ``"add1u"`` or ``"utilitarian"`` (see the module).
    exhaustive_stop
        ``add1``/``add1u``: stop at the first exhaustive outcome (pabutools) rather
        than going on while within budget (pabulib's ``equalshares/add1``).
    integral_start
        ``add1``/``add1u``: start from each endowment rounded down to whole
        currency units (``election.minor_per_unit``).
    increment
        ``add1`` step per unit of weight, in minor units (default: one currency unit).
    comparison
        Apply pabulib's ``-comparison`` step against greedy.
    endowments
        Money of each voter of each profile group (integers in minor units or
        Fractions); default ``budget × weight / total weight``. Must not add up to
        more than the budget.
    tie_break
        Settles exactly equal prices (default: project id, as pabutools).

    Returns
    -------
    Outcome
        ``rule="mes"``; projects fully funded in selection order; the trace holds
        one ``select`` step per round (price as float and exact fraction, payers,
        money paid and left), one ``complete`` step per endowment the add1 loop
        settled on (``same_until``: the last step certified to buy the same) and
        the completion's selections; ``params`` records the options and the
        endowment.

    Raises
    ------
    ValidationError
        Unknown utility or completion, malformed utilities or endowments.
    RuleError
        A utility that does not fit the ballot kind.
    TieError
        Exactly equal prices under a ``refuse`` tie-break.

    Examples
    --------
    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(100, (Project("x", 60), Project("y", 30), Project("z", 30)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["x", "y", "z"],
    ...                          [["x"], ["x"], ["y"], ["z", "y"]]))
    >>> equal_shares(e).selected
    ('y',)
    >>> equal_shares(e, completion="add1").selected
    ('x', 'y')
    >>> equal_shares(e, completion="utilitarian").selected
    ('y', 'x')
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
    kernel = Kernel(inp)
    trace: list[TraceStep] = []
    if completion in ("add1", "add1u"):
        run, steps = _add1(inp, kernel)
    else:
        run, steps = kernel.run(0), []
    trace += _round_steps(inp, run)
    trace += [attrs.evolve(s, round=len(trace) + i + 1) for i, s in enumerate(steps)]
    sel = run.selected
    rnd = len(trace)
    if completion in ("add1u", "utilitarian"):
        left = election.budget - sum(inp.costs[j] for j in sel)
        added, _ = greedy_fill(inp, sel, left)
        for j in added:
            left -= inp.costs[j]
            rnd += 1
            trace.append(
                TraceStep(
                    rnd,
                    "select",
                    election.project_ids[j],
                    "utilitarian completion: best total utility per cost that fits",
                    {"utility": inp.totals[j], "cost": inp.costs[j], "left": left},
                )
            )
        sel = sel + added
    params = {
        "utility": inp.utility_name,
        "completion": completion,
        "exhaustive_stop": str(exhaustive_stop),
        "integral_start": str(integral_start),
        "increment": str(inp.increment),
        "comparison": str(comparison),
        "tie_break": str(tie_break),
        "endowment": _endowment_text(inp, run.step),
        "add1_steps": str(run.step),
    }
    if comparison:
        greedy, prefers_mes, prefers_greedy = _comparison(inp, sel)
        keep = "greedy" if prefers_greedy > prefers_mes else "mes"
        trace.append(
            TraceStep(
                len(trace) + 1,
                "info",
                None,
                f"comparison step: {prefers_mes} voters prefer equal shares, "
                f"{prefers_greedy} prefer greedy; keeping {keep}",
                {"prefers_mes": prefers_mes, "prefers_greedy": prefers_greedy, "kept": keep},
            )
        )
        params["comparison_kept"] = keep
        if keep == "greedy":
            sel = greedy
    return Outcome.from_selection(election, sel, rule="mes", trace=trace, params=params)


def _add1(inp: MesInput, kernel: Kernel, *, skip: bool = True) -> tuple[Run, list[TraceStep]]:
    """The add1 loop: steps 0, 1, 2, ... in turn, or with ``skip`` only where it can change.

    With ``skip``, from a run at step ``s`` the loop tries step ``s + L`` with ``s``'s
    run as the reference of :meth:`~participa.rules._mes_kernel.Kernel.run`. If the
    run certifies that every step in ``[s, s + L]`` buys the same projects in the same
    order (so the same cost, within budget and not exhaustive, like ``s``), stepping
    by one would have gone through them all without stopping: the loop moves to
    ``s + L`` and doubles ``L``. Otherwise it shrinks ``L`` and tries again from ``s``,
    keeping the run of ``s + L`` in case it steps onto it; with ``L = 1`` the step is
    the next one anyway (after failures, a plain run without a certificate, probing
    again every few steps). So every step before the one the loop stops at was
    either run or certified, and the loop stops where stepping by one stops, with
    the same run. A refused tie (``TieError``) in a step tried ahead only cancels
    that try; stepping onto it raises, as stepping by one would.
    """
    budget = inp.election.budget
    tried: list[_Tried] = []
    prev: Run | None = None
    cands = set(kernel.cands)

    def note(run: Run) -> tuple[bool, bool]:
        sel = run.selected
        within = sum(inp.costs[j] for j in sel) <= budget
        exhaustive = within and is_exhaustive(inp.election, sel, among=kernel.cands)
        tried.append(_Tried(run.step, within, exhaustive, sum(inp.costs[j] for j in sel)))
        return within, exhaustive

    run = kernel.run(0)
    span = 1
    ahead: dict[int, Run] = {}  # runs of steps tried too far ahead, kept for stepping onto
    misses = quiet = 0  # failed one-step certificates in a row; plain steps since
    while True:
        within, exhaustive = note(run)
        if not within:
            break
        prev = run
        if inp.exhaustive_stop and exhaustive:
            break
        if cands <= set(run.selected):
            break
        if not skip:
            run = kernel.run(run.step + 1)
            continue
        while True:
            if span == 1:
                # the next step needs no certificate; a failed longer try may have run it
                probe = quiet >= (1 << min(misses, 3)) - 1
                nxt = ahead.pop(run.step + 1, None) or kernel.run(
                    run.step + 1, ref=run if probe else None
                )
                if not probe:
                    quiet += 1
                elif nxt.certified:
                    misses = quiet = 0
                else:
                    misses, quiet = misses + 1, 0
                break
            try:
                nxt = kernel.run(run.step + span, ref=run)
            except TieError:
                # a refused tie beyond where stepping by one may stop: not certified
                span = 1
                continue
            if not nxt.certified:
                ahead[nxt.step] = nxt
            if nxt.certified:
                tried[-1].until = nxt.step - 1
                span *= 2
                break
            span = 1 if span <= 4 else span // 4
        if span == 1 and nxt.certified:
            span = 2
        run = nxt
        ahead = {s: r for s, r in ahead.items() if s > run.step}
    if prev is None:
        prev = Run(kernel, 0, list(kernel.free), [])
    return prev, [_tried_step(inp, t) for t in tried]


class _Tried:
    __slots__ = ("cost", "exhaustive", "step", "until", "within")

    def __init__(self, step: int, within: bool, exhaustive: bool, cost: int) -> None:
        self.step = step
        self.within = within
        self.exhaustive = exhaustive
        self.cost = cost
        self.until = step


def _tried_step(inp: MesInput, t: _Tried) -> TraceStep:
    same = f"; same outcome up to step {t.until}" if t.until > t.step else ""
    return TraceStep(
        0,
        "complete",
        None,
        f"endowment {_endowment_text(inp, t.step)} per voter: "
        + ("within budget" if t.within else "over budget")
        + (", exhaustive" if t.exhaustive else "")
        + same,
        {
            "step": t.step,
            "endowment": float(inp.total_endowment(t.step)),
            "cost": t.cost,
            "within_budget": t.within,
            "exhaustive": t.exhaustive,
            "same_until": t.until,
        },
    )


def is_exhaustive(
    election: Election, selected: Sequence[int], *, among: Sequence[int] | None = None
) -> bool:
    """Whether no unselected project (of ``among``, default all) fits in the money left.

    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(10, (Project("a", 6), Project("b", 5)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"]]))
    >>> is_exhaustive(e, [0]), is_exhaustive(e, [])
    (True, False)
    """
    costs = [int(c) for c in election.costs]
    chosen = set(selected)
    left = election.budget - sum(costs[j] for j in chosen)
    pool = range(len(costs)) if among is None else among
    return all(costs[j] > left for j in pool if j not in chosen)


def greedy_by_support(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> list[int]:
    """The greedy outcome pabulib's ``-comparison`` step compares against.

    Projects by (weighted) number of supporters, ties by ``tie_break``, skipping
    projects that do not fit. Returns project indices in selection order.

    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(10, (Project("a", 6), Project("b", 5), Project("c", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "c"], ["b"], ["a"]]))
    >>> greedy_by_support(e)
    [0, 2]
    """
    support = election.support()
    order = tie_break.resolver(election).rank_by(support)
    left = election.budget
    out: list[int] = []
    for j in order:
        c = int(election.costs[j])
        if c <= left:
            out.append(j)
            left -= c
    return out


def _comparison(inp: MesInput, sel: list[int]) -> tuple[list[int], int, int]:
    e = inp.election
    greedy = greedy_by_support(e, tie_break=inp.resolver.tie_break)
    on = e.profile.approvals()
    mes_sat = on[:, sel].sum(axis=1) if sel else np.zeros(e.profile.num_groups, np.int64)
    gr_sat = on[:, greedy].sum(axis=1) if greedy else np.zeros(e.profile.num_groups, np.int64)
    prefers_mes = int(inp.mass[mes_sat > gr_sat].sum())
    prefers_greedy = int(inp.mass[gr_sat > mes_sat].sum())
    return greedy, prefers_mes, prefers_greedy


def _endowment_text(inp: MesInput, step: int) -> str:
    if inp.election.profile.num_groups == 0:
        return "0"
    common = inp.equal_endowments(step)
    return "unequal" if common is None else str(common)


def _round_steps(inp: MesInput, run: Run) -> list[TraceStep]:
    e = inp.election
    ids = e.project_ids
    out: list[TraceStep] = []
    total = inp.total_endowment(run.step)
    spent = 0
    for j in run.free:
        out.append(
            TraceStep(len(out) + 1, "select", ids[j], "free project somebody values", {"cost": 0})
        )
    for t, r in enumerate(run.rounds):
        rho: Fraction = run.exact_rho(t)
        spent += inp.costs[r.j]
        left = total - spent
        out.append(
            TraceStep(
                len(out) + 1,
                "select",
                ids[r.j],
                "cheapest price per unit of utility its supporters can pay",
                {
                    "rho": float(rho),
                    "rho_exact": str(rho),
                    "payers": r.payers,
                    "paid": inp.costs[r.j],
                    "left": float(left),
                    "left_exact": str(left),
                },
            )
        )
    return out
