"""Equal shares: fast kernel vs exact reference, pabutools differential, axioms, errors."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import participa
from mes_strategies import COMPLETIONS, approval_groups, kernel_options
from participa.errors import RuleError, TieError, ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import TraceAction
from participa.rules.mes import equal_shares, equal_shares_reference, is_exhaustive
from participa.rules.utility import default_utility, utility_matrix
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

ALL_KINDS = tuple(BallotKind)


def utilities_for(kind: BallotKind) -> list[str]:
    if kind.has_points:
        return ["cost", "count", "points"]
    if kind is BallotKind.ORDINAL:
        return ["cost", "count", "borda"]
    return ["cost", "count"]


def rhos(out: participa.Outcome) -> list[str]:
    return [s.values["rho_exact"] for s in out.trace if "rho_exact" in s.values]


# -- fast kernel == exact reference --------------------------------------------------------


@given(
    e=elections(kinds=ALL_KINDS, weighted=True, max_voters=8),
    data=st.data(),
)
def test_kernel_matches_reference(e: Election, data: st.DataObject) -> None:
    kw = kernel_options(data, data.draw(st.sampled_from(utilities_for(e.kind))))
    completion = kw["completion"]
    note(repr(kw))
    fast = equal_shares(e, **kw)
    ref = equal_shares_reference(e, **kw)
    assert fast.selected == ref.selected
    assert fast.total_cost <= e.budget
    if completion == "none":
        assert rhos(fast) == rhos(ref)


@given(e=elections(kinds=ALL_KINDS, weighted=True, max_voters=6), data=st.data())
def test_kernel_matches_reference_custom_utilities_and_endowments(
    e: Election, data: st.DataObject
) -> None:
    g, m = e.profile.num_groups, len(e.projects)
    util = np.array(
        data.draw(st.lists(st.integers(0, 9), min_size=g * m, max_size=g * m)), dtype=np.int64
    ).reshape(g, m)
    weights = e.profile.weight.tolist()
    raw = data.draw(st.lists(st.integers(0, 50), min_size=g, max_size=g))
    tot = sum(r * int(mm) for r, mm in zip(raw, e.profile.multiplicity.tolist(), strict=True))
    # scale so the endowments fit the budget; keep them exact fractions
    endow = [
        Fraction(r * w * e.budget, max(tot, 1) * max(weights))
        for r, w in zip(raw, weights, strict=True)
    ]
    completion = data.draw(st.sampled_from(COMPLETIONS))
    kw: dict[str, Any] = {"utility": util, "endowments": endow, "completion": completion}
    fast = equal_shares(e, **kw, increment=5)
    ref = equal_shares_reference(e, **kw, increment=5)
    assert fast.selected == ref.selected
    assert rhos(fast)[: len(rhos(ref))] == rhos(ref)[: len(rhos(fast))]


medium_elections = approval_groups(
    costs=(10, 20, 30, 60, 90), max_projects=7, max_groups=12, max_multiplicity=40
)
"""Elections with many voters and few distinct prices: many near ties and poor payers."""


@given(e=medium_elections, utility=st.sampled_from(["cost", "count"]))
def test_kernel_matches_reference_many_voters(e: Election, utility: str) -> None:
    for completion in ("none", "add1"):
        fast = equal_shares(e, utility=utility, completion=completion)
        ref = equal_shares_reference(e, utility=utility, completion=completion)
        assert fast.selected == ref.selected
        assert rhos(fast) == rhos(ref)


# -- pabutools as a differential oracle ----------------------------------------------------


def _load_oracle() -> ModuleType:
    name = "participa_tests_oracle"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).resolve().parents[1] / "oracle.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.oracle
@given(e=elections(kinds=ALL_KINDS, weighted=True, max_voters=7), data=st.data())
def test_matches_pabutools(e: Election, data: st.DataObject) -> None:
    pytest.importorskip("pabutools")
    from pabutools.rules import method_of_equal_shares

    oracle = _load_oracle()
    utility = data.draw(st.sampled_from(utilities_for(e.kind)))
    add1 = utility == "cost" and data.draw(st.booleans())
    instance, profile, _ = oracle.to_pabutools(e)
    kwargs: dict[str, Any] = {"sat_class": oracle.SAT_CLASSES[utility]}
    if add1:
        kwargs["voter_budget_increment"] = 1
    theirs = oracle.selected_ids(method_of_equal_shares(instance, profile, **kwargs))
    ours = equal_shares(e, utility=utility, completion="add1" if add1 else "none")
    assert ours.selected_set == theirs


# -- properties ----------------------------------------------------------------------------


def _rows(e: Election) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """One row per voter (multiplicity expanded), with the voters' weights."""
    p = e.profile
    rows = np.repeat(np.arange(p.num_groups), p.multiplicity)
    return p.matrix[rows], p.weight[rows]


def _with_rows(e: Election, mat: Any, weight: Any, *, collapse: bool) -> Election:
    prof = Profile.from_matrix(e.kind, e.project_ids, mat, weights=weight, collapse=collapse)
    return Election(e.budget, e.projects, prof)


@given(
    e=elections(kinds=ALL_KINDS, weighted=True),
    completion=st.sampled_from(COMPLETIONS),
    seed=st.integers(0, 2**32 - 1),
)
def test_invariant_under_relabelling_and_collapsing(
    e: Election, completion: str, seed: int
) -> None:
    base = equal_shares(e, completion=completion)
    assert base.total_cost <= e.budget
    mat, weight = _rows(e)
    perm = np.random.default_rng(seed).permutation(mat.shape[0])
    shuffled = _with_rows(e, mat[perm], weight[perm], collapse=False)
    assert equal_shares(shuffled, completion=completion).selected == base.selected
    # multiplicity 2 is the same as two identical rows
    assert (
        equal_shares(_with_rows(e, mat, weight, collapse=True), completion=completion).selected
        == base.selected
    )


@given(e=elections(kinds=ALL_KINDS, weighted=True), completion=st.sampled_from(COMPLETIONS))
def test_weight_w_counts_as_w_voters(e: Election, completion: str) -> None:
    """Documented: a voter of weight w is w voters of weight 1 (endowment and utility)."""
    mat, weight = _rows(e)
    rows = np.repeat(np.arange(mat.shape[0]), weight)
    unweighted = _with_rows(e, mat[rows], np.ones(rows.size, np.int64), collapse=True)
    assert (
        equal_shares(unweighted, completion=completion).selected
        == equal_shares(e, completion=completion).selected
    )


def ejr_up_to_one_violation(e: Election, selected: frozenset[str]) -> tuple[str, ...] | None:
    """Brute force, approval ballots, cost utilities: a T whose cohesive group is let down.

    A set of voters S that all approve T and own enough money for it
    (``mass(S) × budget / total mass >= cost(T)``) must contain a voter ``i`` with
    ``u_i(W) >= cost(T)`` or, for some ``a`` in ``T \\ W``, ``u_i(W) + cost(a) > cost(T)``.
    Such an S exists with only failing voters iff the failing voters approving all of T
    own enough money on their own.
    """
    prof = e.profile
    costs = dict(zip(e.project_ids, (int(c) for c in e.costs), strict=True))
    on = prof.approvals()
    mass = prof.group_weight
    won = np.array([p in selected for p in e.project_ids])
    u_w = (on & won) @ e.costs
    total = int(mass.sum())
    ids = e.project_ids
    for r in range(1, len(ids) + 1):
        for t in itertools.combinations(range(len(ids)), r):
            cost_t = sum(costs[ids[j]] for j in t)
            group = on[:, list(t)].all(axis=1)
            missing = [costs[ids[j]] for j in t if not won[j]]
            fails = (u_w < cost_t) & np.array(
                [all(int(u) + c <= cost_t for c in missing) for u in u_w]
            )
            bad = group & fails
            if int(mass[bad].sum()) * e.budget >= cost_t * total and bad.any():
                return tuple(ids[j] for j in t)
    return None


@given(e=elections(kinds=(BallotKind.APPROVAL,), weighted=True, max_projects=5))
def test_ejr_up_to_one_with_cost_utilities(e: Election) -> None:
    out = equal_shares(e, utility="cost")
    assert ejr_up_to_one_violation(e, out.selected_set) is None


def test_ejr_checker_can_fail() -> None:
    e = Election(
        10,
        (Project("a", 5), Project("b", 5)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    assert ejr_up_to_one_violation(e, frozenset({"a"})) == ("b",)
    assert ejr_up_to_one_violation(e, frozenset({"a", "b"})) is None


@given(
    e=elections(kinds=ALL_KINDS, weighted=True),
    completion=st.sampled_from(["add1", "add1u", "utilitarian"]),
)
def test_exhaustive_completions(e: Election, completion: str) -> None:
    out = equal_shares(e, completion=completion)
    idx = [e.index(p) for p in out.selected]
    if completion in ("add1u", "utilitarian"):
        assert is_exhaustive(e, idx)
    else:
        claims = [
            s for s in out.trace if s.action is TraceAction.COMPLETE and s.values["exhaustive"]
        ]
        if claims:
            worth = e.profile.group_weight @ utility_matrix(e, default_utility(e.kind))
            valued = [j for j in range(len(e.projects)) if worth[j] > 0 and e.costs[j] > 0]
            assert is_exhaustive(e, idx, among=valued)


# -- examples, trace, errors ---------------------------------------------------------------


def small() -> Election:
    return Election(
        100,
        (Project("x", 60), Project("y", 30), Project("z", 30)),
        Profile.from_ballots(
            BallotKind.APPROVAL, ["x", "y", "z"], [["x"], ["x"], ["y"], ["z", "y"]]
        ),
    )


def test_hand_computed_round() -> None:
    out = equal_shares(small())
    # 4 voters with 25 each; y: two supporters pay 15 each (rho = 15/30 per unit of cost)
    step = out.trace[0]
    assert step.project_id == "y"
    assert Fraction(str(step.values["rho_exact"])) == Fraction(1, 2)
    assert step.values["payers"] == 2
    assert step.values["left_exact"] == "70"
    assert out.params["completion"] == "none"
    assert out.params["endowment"] == "25"


def test_add1_trace_and_params() -> None:
    out = equal_shares(small(), completion="add1")
    tried = [s for s in out.trace if s.action is TraceAction.COMPLETE]
    # steps 1-4 buy what step 0 buys (y only); the loop may skip some of them, and
    # says so: every step up to the last one tried was run or covered by "same_until"
    steps = [s.values["step"] for s in tried]
    assert steps[0] == 0
    assert steps[-1] == 5
    for a, b in itertools.pairwise(tried):
        assert b.values["step"] == a.values["same_until"] + 1
        if a.values["same_until"] > a.values["step"]:
            assert f"same outcome up to step {a.values['same_until']}" in a.reason
    assert [s.values["cost"] for s in tried] == [30] * (len(tried) - 1) + [90]
    assert tried[-1].values["exhaustive"] is True
    assert out.params["endowment"] == "30"
    stop = equal_shares(small(), completion="add1", exhaustive_stop=False)
    assert stop.selected_set == {"x", "y"}
    over = [
        s for s in stop.trace if s.action is TraceAction.COMPLETE and not s.values["within_budget"]
    ]
    assert len(over) <= 1


def test_outcome_round_trips_through_json() -> None:
    out = equal_shares(small(), completion="add1u")
    assert participa.loads(participa.dumps(out)) == out


def test_refuse_raises_on_exact_tie() -> None:
    e = Election(
        20,
        (Project("a", 10), Project("b", 10)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    with pytest.raises(TieError) as err:
        equal_shares(e, tie_break=TieBreak.parse("refuse"))
    assert err.value.tied == ("a", "b")
    assert equal_shares(e, tie_break=TieBreak.parse("max-cost,id")).selected == ("a", "b")


def test_comparison_step_keeps_greedy_when_more_voters_prefer_it() -> None:
    # MES funds the minority's project; greedy funds the majority's two cheap ones
    e = Election(
        100,
        (Project("big", 60), Project("m1", 50), Project("m2", 50)),
        Profile.from_ballots(
            BallotKind.APPROVAL,
            ["big", "m1", "m2"],
            [["big"]] * 2 + [["m1", "m2"]] * 3,
        ),
    )
    plain = equal_shares(e)
    assert plain.selected == ("m1",)  # the minority cannot afford "big"; m2 is unaffordable
    comp = equal_shares(e, comparison=True)
    # greedy by support funds m1 and m2: the 3 majority voters get 2 projects instead of 1,
    # the 2 others get nothing either way
    assert comp.selected == ("m1", "m2")
    assert comp.params["comparison_kept"] == "greedy"
    assert comp.trace[-1].values["prefers_greedy"] == 3
    assert comp.trace[-1].values["prefers_mes"] == 0
    # with a bigger minority, equal shares' outcome is kept
    e2 = Election(
        100,
        e.projects,
        Profile.from_ballots(
            BallotKind.APPROVAL, ["big", "m1", "m2"], [["big"]] * 5 + [["m1", "m2"]] * 3
        ),
    )
    kept = equal_shares(e2, comparison=True)
    assert kept.params["comparison_kept"] == "mes"
    assert kept.selected == equal_shares(e2).selected == ("big",)


def test_free_projects_come_first_and_unvalued_ones_are_skipped() -> None:
    e = Election(
        10,
        (Project("a", 10), Project("free", 0), Project("nobody", 0)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "free", "nobody"], [["a", "free"]]),
    )
    assert equal_shares(e, utility="count").selected == ("free", "a")
    # under cost utilities a free project is worth nothing to anybody (as in pabutools)
    assert equal_shares(e, utility="cost").selected == ("a",)


def test_no_voters() -> None:
    e = Election(
        10, (Project("a", 5),), Profile.from_matrix(BallotKind.APPROVAL, ["a"], np.zeros((0, 1)))
    )
    assert equal_shares(e, completion="add1u").selected == ("a",)
    assert equal_shares(e).selected == ()


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        (
            {"completion": "add2"},
            ValidationError,
            "completion must be one of 'none', 'add1'.*'add2'",
        ),
        ({"utility": "votes"}, ValidationError, "utility must be one of 'cost'.*got 'votes'"),
        ({"utility": "borda"}, RuleError, "ordinal"),
        ({"increment": 0}, ValidationError, "increment"),
        ({"utility": [[1, 2, 3]]}, ValidationError, "groups × projects"),
        ({"utility": -np.ones((3, 3))}, ValidationError, "negative"),
        ({"utility": np.full((3, 3), 0.5)}, ValidationError, "integers"),
        ({"utility": 3.5}, ValidationError, "utility must be one of 'cost'.* or a numpy array"),
        ({"endowments": [1, 2]}, ValidationError, "one amount per profile group"),
        ({"endowments": [50, 50, 50]}, ValidationError, "more than the budget"),
        ({"endowments": [1, -1, 1]}, ValidationError, "negative"),
        ({"endowments": [1, 0.5, 1]}, ValidationError, "minor units"),
    ],
)
def test_bad_options(kwargs: dict[str, Any], error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        equal_shares(small(), **kwargs)
