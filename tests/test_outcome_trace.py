"""TraceStep.action is a TraceAction; Outcome.params keep their types through JSON."""

from __future__ import annotations

import pytest

import participa
from participa.errors import ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import TraceAction, TraceStep
from participa.rules import equal_shares, greedy, max_welfare

E = Election(
    10,
    (Project("a", 6), Project("b", 5)),
    Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"], ["a"]]),
)


def test_action_is_an_enum_and_text_is_read_into_one() -> None:
    step = TraceStep(1, "select", "a")
    assert step.action is TraceAction.SELECT
    assert step == TraceStep(1, TraceAction.SELECT, "a")
    assert str(step) == "[1] select a: "
    with pytest.raises(ValidationError, match="unknown trace action 'buy'"):
        TraceStep(1, "buy")


def test_rules_record_typed_params() -> None:
    g = greedy(E)
    assert g.params["skip"] is True
    assert max_welfare(E, utility="count").params["welfare"] == 2
    m = equal_shares(E, completion="add1")
    assert isinstance(m.params["add1_steps"], int)
    assert m.params["exhaustive_stop"] is True
    assert all(isinstance(s.action, TraceAction) for s in m.trace)


def test_typed_params_and_actions_survive_json() -> None:
    for out in (greedy(E), equal_shares(E, completion="add1u"), max_welfare(E)):
        back = participa.loads(participa.dumps(out))
        assert back == out
        assert dict(back.params) == dict(out.params)
        assert [type(v) for v in back.params.values()] == [type(v) for v in out.params.values()]
        assert [s.action for s in back.trace] == [s.action for s in out.trace]
