"""add1 does not hang: the number of kernel runs grows with the logarithm of the number
of endowment steps, not with the budget's magnitude (issue #12.4), for every utility.

No timing here: each ``complete`` step of the trace is one run of the kernel, so the
trace counts the work. Before the affine certificate, the count-utility election
below needed 18,376 runs at a budget of 5.4 × 10^6 minor units and ten times more
for every extra digit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import Outcome, TraceAction
from participa.rules.mes import equal_shares
from participa.rules.mes.completion import add1
from participa.rules.mes.kernel import Kernel
from participa.rules.mes.setup import prepare
from participa.tiebreak import DEFAULT_TIE_BREAK

# Projects p0..p2 are twins for the count utility (same cost, nearly the same supporters):
# their prices fall together as endowments rise, which defeated the old certificate.
ROWS = [
    [1, 1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1, 1, 0],
    [0, 0, 0, 1, 1, 1, 0],
    [0, 1, 1, 1, 1, 0, 1],
    [1, 1, 0, 0, 0, 1, 1],
]
MULT = [1, 4, 4, 2, 2]
COSTS = [1, 1, 1, 1, 3, 1, 1]


def twins(scale: int, kind: BallotKind = BallotKind.APPROVAL) -> Election:
    ids = [f"p{j}" for j in range(len(COSTS))]
    prof = Profile.from_matrix(kind, ids, np.array(ROWS, dtype=np.int64), multiplicity=MULT)
    projects = tuple(Project(i, c * scale) for i, c in zip(ids, COSTS, strict=True))
    return Election(54267 * scale // 10**4, projects, prof)


def runs(out: Outcome) -> int:
    return sum(1 for s in out.trace if s.action is TraceAction.COMPLETE)


def log_bound(out: Outcome, per_doubling: int) -> float:
    return per_doubling * (1 + math.log2(1 + int(out.params["add1_steps"])))


@pytest.mark.parametrize("utility", ["count", "cost"])
@pytest.mark.parametrize("scale", [10**4, 10**6, 10**10, 10**14])
def test_add1_runs_grow_with_the_log_of_the_steps(utility: str, scale: int) -> None:
    out = equal_shares(twins(scale), utility=utility, completion="add1")  # type: ignore[arg-type]
    assert out.selected == (
        ("p3", "p5", "p1", "p0", "p2") if utility == "count" else ("p3", "p4", "p5")
    )
    assert runs(out) <= log_bound(out, 4)


def test_add1_result_is_scale_free() -> None:
    """Scaling costs, budget and increment by one factor changes nothing."""
    small = equal_shares(twins(10**4), utility="count", completion="add1")
    for factor in (10**3, 10**9):
        big = equal_shares(
            twins(10**4 * factor), utility="count", completion="add1", increment=factor
        )
        assert big.selected == small.selected
        assert big.params["add1_steps"] == small.params["add1_steps"]


@pytest.mark.parametrize("scale", [10, 100])
def test_add1_skipping_equals_stepping_on_twins(scale: int) -> None:
    """The skipping loop stops where stepping by one stops, with the same run."""
    e = twins(scale)
    for utility in ("count", "cost"):
        inp = prepare(
            e,
            utility=utility,  # type: ignore[arg-type]
            completion="add1",
            exhaustive_stop=True,
            integral_start=False,
            increment=None,
            endowments=None,
            tie_break=DEFAULT_TIE_BREAK,
        )
        slow, _ = add1(inp, Kernel(inp), skip=False)
        fast, _ = add1(inp, Kernel(inp), skip=True)
        assert (fast.step, fast.selected) == (slow.step, slow.selected)


@st.composite
def twin_rich(draw: st.DrawFn) -> Election:
    """Few distinct costs, many shared supporters: falling, near-equal prices."""
    m = draw(st.integers(2, 7))
    costs = draw(st.lists(st.sampled_from([1, 2, 3, 5]), min_size=m, max_size=m))
    g = draw(st.integers(1, 6))
    rows = draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=g, max_size=g))
    mult = draw(st.lists(st.integers(1, 4), min_size=g, max_size=g))
    weight = draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=g, max_size=g))
    kind = draw(st.sampled_from([BallotKind.APPROVAL, BallotKind.CUMULATIVE]))
    mat = np.array(rows, dtype=np.int64)
    if kind is BallotKind.CUMULATIVE:
        mat = mat * np.array(draw(st.lists(st.integers(1, 3), min_size=m, max_size=m)))
    prof = Profile.from_matrix(
        kind, [f"p{j}" for j in range(m)], mat, multiplicity=mult, weights=weight
    )
    scale = 10 ** draw(st.integers(6, 12))
    budget = draw(st.integers(1, sum(costs))) * scale
    return Election(budget, tuple(Project(f"p{j}", c * scale) for j, c in enumerate(costs)), prof)


@settings(max_examples=25)
@given(e=twin_rich(), data=st.data())
def test_add1_runs_do_not_follow_the_budget(e: Election, data: st.DataObject) -> None:
    """Budgets of 10^6 to 10^13 minor units: at most a few dozen runs per doubling of
    the number of steps, for every utility the ballots allow."""
    utility = data.draw(
        st.sampled_from(["cost", "count"] + (["points"] if e.kind.has_points else []))
    )
    stop = data.draw(st.booleans())
    note(f"{utility=} {stop=}")
    out = equal_shares(e, utility=utility, completion="add1", exhaustive_stop=stop)  # type: ignore[arg-type]
    note(f"runs {runs(out)}, steps {out.params['add1_steps']}")
    assert runs(out) <= log_bound(out, 40)
