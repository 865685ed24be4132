"""add1 step skipping: the same result as trying every step, on many small elections.

:func:`participa.rules._mes_kernel.stable_steps` claims that the outcome of equal
shares does not change over a range of endowments. These tests run the add1 loop
with and without skipping (and the exact reference, which never skips) and ask for
the same selection, the same final step and the same prices; they also check the
claim itself, step by step, on ranges it certifies.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given, note
from hypothesis import strategies as st

from participa.model import BallotKind, Election, Profile, Project
from participa.rules._common import DEFAULT_TIE_BREAK
from participa.rules._mes_kernel import Kernel, stable_steps
from participa.rules._mes_setup import prepare
from participa.rules.mes import _add1, equal_shares, equal_shares_reference
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

TIE_BREAKS = [TieBreak(), TieBreak.parse("max-cost,id"), TieBreak.parse("min-votes,refuse")]


@st.composite
def tie_prone(draw: st.DrawFn) -> Election:
    """Few distinct costs and many identical ballots: exact price ties and capped payers."""
    m = draw(st.integers(1, 6))
    costs = draw(st.lists(st.sampled_from([5, 10, 20, 30, 60]), min_size=m, max_size=m))
    g = draw(st.integers(1, 8))
    rows = draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=g, max_size=g))
    mult = draw(st.lists(st.integers(1, 6), min_size=g, max_size=g))
    weight = draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=g, max_size=g))
    prof = Profile.from_matrix(
        BallotKind.APPROVAL,
        [f"p{j}" for j in range(m)],
        np.array(rows, dtype=np.int64),
        multiplicity=mult,
        weight=weight,
    )
    budget = draw(st.integers(0, sum(costs) + 20))
    return Election(budget, tuple(Project(f"p{j}", c) for j, c in enumerate(costs)), prof)


def _inp(e: Election, **kw: Any) -> Any:
    opts: dict[str, Any] = {
        "utility": None,
        "utilities": None,
        "completion": "add1",
        "exhaustive_stop": True,
        "integral_start": False,
        "increment": None,
        "endowments": None,
        "tie_break": DEFAULT_TIE_BREAK,
    }
    opts.update(kw)
    return prepare(e, **opts)


def _same_loop(e: Election, **kw: Any) -> None:
    inp = _inp(e, **kw)
    kernel = Kernel(inp)
    try:
        slow, _ = _add1(inp, kernel, skip=False)
    except Exception as err:  # a refused tie: skipping must hit it too
        note(f"stepping raised {err!r}")
        try:
            _add1(inp, Kernel(inp), skip=True)
        except type(err):
            return
        raise AssertionError("skipping missed an error stepping raises") from err
    fast, _ = _add1(inp, Kernel(inp), skip=True)
    assert fast.step == slow.step
    assert fast.selected == slow.selected
    assert [fast.exact_rho(t) for t in range(len(fast.rounds))] == [
        slow.exact_rho(t) for t in range(len(slow.rounds))
    ]


@given(e=tie_prone(), data=st.data())
def test_skipping_equals_stepping(e: Election, data: st.DataObject) -> None:
    kw = {
        "utility": data.draw(st.sampled_from(["cost", "count"])),
        "exhaustive_stop": data.draw(st.booleans()),
        "integral_start": data.draw(st.booleans()),
        "increment": data.draw(st.sampled_from([1, 2, 7])),
        "tie_break": data.draw(st.sampled_from(TIE_BREAKS)),
    }
    note(repr(kw))
    _same_loop(e, **kw)


@given(e=elections(kinds=tuple(BallotKind), weighted=True, max_voters=8), data=st.data())
def test_skipping_equals_reference(e: Election, data: st.DataObject) -> None:
    kind = e.kind
    names = ["cost", "count"] + (
        ["points"] if kind.has_points else ["borda"] if kind is BallotKind.ORDINAL else []
    )
    kw: dict[str, Any] = {
        "utility": data.draw(st.sampled_from(names)),
        "completion": data.draw(st.sampled_from(["add1", "add1u"])),
        "exhaustive_stop": data.draw(st.booleans()),
        "increment": data.draw(st.sampled_from([1, 3])),
    }
    note(repr(kw))
    fast = equal_shares(e, **kw)
    ref = equal_shares_reference(e, **kw)
    assert fast.selected == ref.selected
    assert fast.params["add1_steps"] == ref.params["step"]


@given(e=tie_prone(), step=st.integers(0, 40), util=st.sampled_from(["cost", "count"]))
def test_certified_range_is_really_constant(e: Election, step: int, util: str) -> None:
    """Every step stable_steps vouches for buys the same projects in the same order."""
    inp = _inp(e, utility=util, increment=1)
    kernel = Kernel(inp)
    run = kernel.run(step)
    span = stable_steps(kernel, run)
    last = step + (30 if span == math.inf else min(30, math.ceil(span) - 1))
    note(f"span {span}")
    for s in range(step + 1, last + 1):
        assert kernel.run(s).selected == run.selected, s


@given(e=tie_prone(), data=st.data())
def test_custom_utilities_and_endowments(e: Election, data: st.DataObject) -> None:
    g, m = e.profile.num_groups, len(e.projects)
    util = np.array(
        data.draw(st.lists(st.integers(0, 4), min_size=g * m, max_size=g * m)), dtype=np.int64
    ).reshape(g, m)
    endow = data.draw(st.lists(st.integers(0, 3), min_size=g, max_size=g))
    if sum(a * int(w) for a, w in zip(endow, e.profile.group_weight.tolist(), strict=True)) > (
        e.budget
    ):
        endow = [0] * g
    _same_loop(e, utilities=util, endowments=endow, increment=data.draw(st.sampled_from([1, 5])))
