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
    also when budgets of 10^5 currency units per voter rise by one unit a step,
    and the number of runs does not follow the budget's magnitude.
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

Complexity: one run costs ``O(rounds × Σ supporters of the projects evaluated)``
numpy work per round (projects are evaluated lazily, by a lower bound on their
price), plus exact Fraction arithmetic only for near ties. ``add1`` makes
``O(c · log S)`` runs, where ``S`` is the number of endowment steps it goes through
and ``c`` the number of times the purchase order or a round's set of voters paying
all they have changes along the way: logarithmic, not linear, in the budget's
magnitude. Exact at any magnitude: ``int64`` only where a bound is proven, Python
integers otherwise; when the voters' total weight passes ``2^62`` the pure-Python
exact path of :mod:`participa.rules.mes.reference` runs instead (``params["path"]``
is ``"exact"``).

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

from fractions import Fraction

import attrs
import numpy as np

from participa.boundary import checked
from participa.model import Election
from participa.outcome import Outcome, ParamValue, TraceAction, TraceStep
from participa.rules.mes import completion as _completion
from participa.rules.mes.completion import (
    add1,
    endowment_text,
    utilitarian_fill,
)
from participa.rules.mes.kernel import Kernel, Run
from participa.rules.mes.options import Completion, Endowments
from participa.rules.mes.reference import equal_shares_reference
from participa.rules.mes.setup import MesInput, prepare
from participa.rules.utility import Utility, UtilityMatrix
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["equal_shares"]


@checked
def equal_shares(
    election: Election,
    *,
    utility: Utility | UtilityMatrix | None = None,
    completion: Completion = "none",
    exhaustive_stop: bool = True,
    integral_start: bool = False,
    increment: int | None = None,
    comparison: bool = False,
    endowments: Endowments | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """The Method of Equal Shares, with an optional completion.

    Parameters
    ----------
    election
        The election.
    utility
        ``"cost"``, ``"count"``, ``"points"`` or ``"borda"`` (see
        :mod:`participa.rules.utility`), or any additive utilities as a
        ``groups × projects`` array of non-negative integers (one row per profile
        group); default by ballot kind.
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
        completion=completion,
        exhaustive_stop=exhaustive_stop,
        integral_start=integral_start,
        increment=increment,
        endowments=endowments,
        tie_break=tie_break,
    )
    if inp.exact_only:
        return _exact_path(
            election,
            inp,
            utility=utility,
            comparison=comparison,
            endowments=endowments,
            tie_break=tie_break,
        )
    kernel = Kernel(inp)
    trace: list[TraceStep] = []
    if completion in ("add1", "add1u"):
        run, steps = add1(inp, kernel)
    else:
        run, steps = kernel.run(0), []
    trace += _round_steps(inp, run)
    trace += [attrs.evolve(s, round=len(trace) + i + 1) for i, s in enumerate(steps)]
    sel = run.selected
    rnd = len(trace)
    if completion in ("add1u", "utilitarian"):
        left = election.budget - sum(inp.costs[j] for j in sel)
        added, _ = utilitarian_fill(inp, sel, left)
        for j in added:
            left -= inp.costs[j]
            rnd += 1
            trace.append(
                TraceStep(
                    rnd,
                    TraceAction.SELECT,
                    election.project_ids[j],
                    "utilitarian completion: best total utility per cost that fits",
                    {"utility": inp.totals[j], "cost": inp.costs[j], "left": left},
                )
            )
        sel = sel + added
    params: dict[str, ParamValue] = {
        "utility": inp.utility_name,
        "completion": completion,
        "exhaustive_stop": exhaustive_stop,
        "integral_start": integral_start,
        "increment": inp.increment,
        "comparison": comparison,
        "tie_break": str(tie_break),
        "endowment": endowment_text(inp, run.step),
        "add1_steps": run.step,
    }
    if comparison:
        greedy, prefers_mes, prefers_greedy = _completion.comparison(inp, sel)
        keep = "greedy" if prefers_greedy > prefers_mes else "mes"
        trace.append(
            TraceStep(
                len(trace) + 1,
                TraceAction.INFO,
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


def _round_steps(inp: MesInput, run: Run) -> list[TraceStep]:
    e = inp.election
    ids = e.project_ids
    out: list[TraceStep] = []
    total = inp.total_endowment(run.step)
    spent = 0
    for j in run.free:
        out.append(
            TraceStep(
                len(out) + 1,
                TraceAction.SELECT,
                ids[j],
                "free project somebody values",
                {"cost": 0},
            )
        )
    for t, r in enumerate(run.rounds):
        rho: Fraction = run.exact_rho(t)
        spent += inp.costs[r.j]
        left = total - spent
        out.append(
            TraceStep(
                len(out) + 1,
                TraceAction.SELECT,
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


def _exact_path(
    election: Election,
    inp: MesInput,
    *,
    utility: Utility | UtilityMatrix | None,
    comparison: bool,
    endowments: Endowments | None,
    tie_break: TieBreak,
) -> Outcome:
    """Equal shares in exact Python integers, for voter weights beyond ``int64``.

    When the voters' total weight is not proven below ``2^62`` the fast kernel's
    ``int64`` arithmetic could overflow, so the options (already checked) go to the
    pure-Python reference instead: the same outcome, slower.
    """
    ref = equal_shares_reference(
        election,
        utility=utility,
        completion=inp.completion,
        exhaustive_stop=inp.exhaustive_stop,
        integral_start=inp.integral_start,
        increment=inp.increment,
        comparison=comparison,
        endowments=None if endowments is None else list(np.asarray(endowments, dtype=object)),
        tie_break=tie_break,
    )
    params: dict[str, ParamValue] = {
        "utility": inp.utility_name,
        "completion": inp.completion,
        "exhaustive_stop": inp.exhaustive_stop,
        "integral_start": inp.integral_start,
        "increment": inp.increment,
        "comparison": comparison,
        "tie_break": str(tie_break),
        "add1_steps": ref.params["step"],
        "path": "exact",
    }
    sel = [election.project_ids.index(p) for p in ref.selected]
    return Outcome.from_selection(election, sel, rule="mes", trace=ref.trace, params=params)
