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
``phragmen``
    Plain equal shares, then sequential Phragmén from the loads equal shares left, as
    abcvoting defines it: each voter starts with the load ``-(money she has left)``
    and Phragmén goes on with the other projects and the money left (approval and
    choose-1 ballots).
any rule
    A callable ``rule(election) -> Outcome`` (or, in the registry and the CLI, a rule's
    name): plain equal shares, then that rule on the projects not funded, with the
    money left; the projects it funds in full are added.

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

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, ParamValue, TraceAction, TraceStep
from participa.rules._common import exact_support, require_kind
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
from participa.rules.phragmen import initial_indices, sequential
from participa.rules.utility import Utility, UtilityMatrix, default_utility, utility_matrix
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["equal_shares"]


@checked
def equal_shares(
    election: Election,
    *,
    utility: Utility | UtilityMatrix | None = None,
    completion: Completion | Callable[[Election], Outcome] = "none",
    exhaustive_stop: bool = True,
    integral_start: bool = False,
    increment: int | None = None,
    comparison: bool = False,
    endowments: Endowments | None = None,
    initial: Sequence[str] = (),
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """The Method of Equal Shares, with an optional completion.

    Parameters
    ----------
    election
        The election.
    utility
        ``"cost"``, ``"count"``, ``"points"``, ``"borda"`` or ``"effort"`` (see
        :mod:`participa.rules.utility`; effort's price per unit of utility is the cap
        ``t`` each supporter pays times ``supporters / cost``, exact), or any additive
        utilities as a ``groups × projects`` array of non-negative integers (one row
        per profile group); default by ballot kind. The non-additive satisfactions
        (``cost-sqrt``, ``cost-log``, ``cc``) are refused.
    completion
        ``"none"``, ``"add1"``, ``"add1u"``, ``"utilitarian"``, ``"phragmen"``, or a
        rule to run on what equal shares leaves (see the module).
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
    initial
        Ids of projects funded before the rule runs: they come first in the outcome,
        their cost comes out of the budget (so every voter's share is of the money
        left), and equal shares runs on the other projects. (pabutools'
        ``initial_budget_allocation`` keeps every voter's full share instead, so its
        total can exceed the budget.) Not with ``endowments``.
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
        A utility that does not fit the ballot kind, or a non-additive satisfaction.
    TieError
        Exactly equal prices under a ``refuse`` tie-break.

    Notes
    -----
    Complexity: one run takes at most ``m`` rounds for ``m`` projects, each
    ``O(Σ supporters of the projects evaluated)`` numpy work over distinct ballots
    (projects are evaluated lazily), plus exact fractions only for near ties:
    ``O(m · nnz)`` time in the worst case for ``nnz`` approvals (non-zero utilities),
    ``O(nnz + g + m)`` memory for ``g`` distinct ballots. ``add1`` and ``add1u`` make
    ``O(c · log S)`` runs (``S`` endowment steps, ``c`` changes of the purchase order
    along the way): logarithmic, not linear, in the budget's magnitude;
    ``utilitarian`` adds one greedy pass, ``O(g · m)``. When the total weight passes
    ``2^62`` the exact path runs instead, ``O(m² · n)`` Python operations for ``n``
    voters.

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
    >>> equal_shares(e, completion="phragmen").selected
    ('y', 'x')
    >>> from participa.rules.greedy import greedy
    >>> equal_shares(e, completion=greedy).selected
    ('y', 'x')
    >>> equal_shares(e, initial=["x"]).selected  # 40 left: 10 a voter, y's 2 voters have 20
    ('x',)
    >>> out = equal_shares(e, utility="effort")  # y: t = 15 each, ρ = 15 × 2 / 30 = 1
    >>> out.selected, out.trace[0].values["rho_exact"]
    (('y',), '1')
    """
    if len(initial):
        return _from_initial(
            election,
            initial,
            utility=utility,
            completion=completion,
            exhaustive_stop=exhaustive_stop,
            integral_start=integral_start,
            increment=increment,
            comparison=comparison,
            endowments=endowments,
            tie_break=tie_break,
        )
    if completion == "phragmen" or callable(completion):
        if comparison:
            raise ValidationError(
                _("the comparison step applies to equal shares' own completions only"),
                hint=_("run the comparison without completion={name}", name="phragmen/rule"),
            )
        base = equal_shares(
            election,
            utility=utility,
            endowments=endowments,
            tie_break=tie_break,
        )
        return _then(election, base, completion, utility, endowments, tie_break)
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
        added, _left = utilitarian_fill(inp, sel, left)
        for j in added:
            left -= inp.costs[j]
            rnd += 1
            trace.append(
                TraceStep(
                    rnd,
                    TraceAction.SELECT,
                    election.project_ids[j],
                    _("utilitarian completion: best total utility per cost that fits"),
                    {"utility": _number(inp.welfare(j)), "cost": inp.costs[j], "left": left},
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
                _(
                    "comparison step: {prefers_mes} voters prefer equal shares, "
                    "{prefers_greedy} prefer greedy; keeping {keep}",
                    prefers_mes=prefers_mes,
                    prefers_greedy=prefers_greedy,
                    keep=keep,
                ),
                {"prefers_mes": prefers_mes, "prefers_greedy": prefers_greedy, "kept": keep},
            )
        )
        params["comparison_kept"] = keep
        if keep == "greedy":
            sel = greedy
    return Outcome.from_selection(election, sel, rule="mes", trace=trace, params=params)


def _from_initial(
    election: Election,
    initial: Sequence[str],
    *,
    utility: Utility | UtilityMatrix | None,
    completion: Completion | Callable[[Election], Outcome],
    exhaustive_stop: bool,
    integral_start: bool,
    increment: int | None,
    comparison: bool,
    endowments: Endowments | None,
    tie_break: TieBreak,
) -> Outcome:
    """Equal shares on the projects not in ``initial``, with the money they leave."""
    if endowments is not None:
        raise ValidationError(
            _("initial projects and endowments cannot be combined"),
            hint=_("take the initial projects' cost out of the endowments yourself"),
        )
    first = initial_indices(election, initial)
    ids = election.project_ids
    rest = [j for j in range(len(ids)) if j not in first]
    left = election.budget - sum(int(election.costs[j]) for j in first)
    sub = election.restrict([ids[j] for j in rest]).with_budget(left)
    sub_utility = utility
    if utility is not None and not isinstance(utility, str):
        sub_utility = np.asarray(utility, dtype=np.int64)[:, rest]
    out = equal_shares(
        sub,
        utility=sub_utility,
        completion=completion,
        exhaustive_stop=exhaustive_stop,
        integral_start=integral_start,
        increment=increment,
        comparison=comparison,
        tie_break=tie_break,
    )
    index = {pid: j for j, pid in enumerate(ids)}
    steps = [
        TraceStep(
            k + 1,
            "select",
            ids[j],
            _("funded before the rule ran"),
            {"cost": int(election.costs[j])},
        )
        for k, j in enumerate(first)
    ]
    steps += [attrs.evolve(s, round=len(first) + s.round) for s in out.trace]
    params = dict(out.params)
    params["initial"] = " ".join(ids[j] for j in first)
    sel = first + [index[p] for p in out.selected]
    return Outcome.from_selection(election, sel, rule="mes", trace=steps, params=params)


def _then(
    election: Election,
    base: Outcome,
    completion: Completion | Callable[[Election], Outcome],
    utility: Utility | UtilityMatrix | None,
    endowments: Endowments | None,
    tie_break: TieBreak,
) -> Outcome:
    """Plain equal shares ``base`` completed by Phragmén from its loads, or by a rule."""
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    first = [index[p] for p in base.selected]
    trace = list(base.trace)
    params = dict(base.params)
    if completion == "phragmen":
        require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "mes/phragmen")
        start = -remaining_money(election, base, utility, endowments)
        sel, steps = sequential(election, first, list(start), tie_break)
        added = steps[len(first) :]
        params["completion"] = "phragmen"
    else:
        assert callable(completion)
        left = election.budget - base.total_cost
        rest = [p for p in election.project_ids if p not in base.selected_set]
        sub = completion(election.restrict(rest).with_budget(left)) if rest else None
        more = [index[p] for p in sub.selected] if sub is not None else []
        sel = first + more
        name = sub.rule if sub is not None else getattr(completion, "__name__", "rule")
        added = [
            TraceStep(0, "select", election.project_ids[j], _("completion by {rule}", rule=name))
            for j in more
        ]
        params["completion"] = name
    trace += [attrs.evolve(s, round=len(trace) + i + 1) for i, s in enumerate(added)]
    return Outcome.from_selection(election, sel, rule="mes", trace=trace, params=params)


def remaining_money(
    election: Election,
    outcome: Outcome,
    utility: Utility | UtilityMatrix | None,
    endowments: Endowments | None,
) -> npt.NDArray[Any]:
    """Each group's money per unit of weight after a plain equal-shares ``outcome``, exact.

    Replays the rounds of the trace at their exact prices (``rho_exact``): a voter
    pays ``min(money, ρ · utility)`` for each project she values.
    """
    prof = election.profile
    u: npt.NDArray[Any]
    if isinstance(utility, str) and utility == "effort":
        # cost / supporters for each supporter, exact
        support = exact_support(election)
        per = np.array(
            [
                Fraction(int(c), s) if s else Fraction(0)
                for c, s in zip(election.costs, support, strict=True)
            ],
            dtype=object,
        )
        u = prof.approvals().astype(object) * per[None, :]
    elif utility is None or isinstance(utility, str):
        name = default_utility(prof.kind) if utility is None else utility
        u = utility_matrix(election, name)
    else:
        u = np.asarray(utility, dtype=np.int64)
    if endowments is None:
        n = prof.total_weight
        beta = np.full(prof.num_groups, Fraction(election.budget, n) if n else 0, dtype=object)
    else:
        given = np.asarray(endowments, dtype=object)
        beta = np.asarray([Fraction(x) for x in given.tolist()], dtype=object) / prof.weight.astype(
            object
        )
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    for step in outcome.trace:
        rho = step.values.get("rho_exact")
        if step.action is not TraceAction.SELECT or step.project_id is None or rho is None:
            continue
        j = index[step.project_id]
        rows = np.flatnonzero(u[:, j] > 0)
        pay = np.minimum(beta[rows], Fraction(str(rho)) * u[rows, j].astype(object))
        beta[rows] = beta[rows] - pay
    return beta


def _number(x: Fraction) -> int | str:
    """An exact number for a trace value: an int when whole, else its text."""
    return int(x) if x.denominator == 1 else str(x)


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
                _("free project somebody values"),
                {"cost": 0},
            )
        )
    scale = inp.scale
    for t, r in enumerate(run.rounds):
        rho: Fraction = run.exact_rho(t) * (scale[r.j] if scale is not None else 1)
        spent += inp.costs[r.j]
        left = total - spent
        out.append(
            TraceStep(
                len(out) + 1,
                TraceAction.SELECT,
                ids[r.j],
                _("cheapest price per unit of utility its supporters can pay"),
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
