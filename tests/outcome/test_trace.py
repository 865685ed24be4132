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


def test_trace_reasons_follow_the_language() -> None:
    from participa.i18n import use_language
    from participa.rules import per_head, phragmen

    tight = Election(
        1000,
        (Project("a", 600), Project("b", 500), Project("c", 2000)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a"], ["b"], ["a", "c"]]),
        currency="PEN",
        minor_per_unit=100,
    )
    with use_language("es"):
        es = {
            name: [step.reason for step in rule(tight).trace]
            for name, rule in (("greedy", greedy), ("phragmen", phragmen))
        }
        es["mes"] = [s.reason for s in equal_shares(tight).trace]
        es["per-head"] = [s.reason for s in per_head(tight).trace]
        es["welfare"] = [s.reason for s in max_welfare(tight).trace]
    with use_language("en"):
        en_greedy = [step.reason for step in greedy(tight).trace]
    assert "mejor razón" in es["greedy"][0]
    assert es["greedy"][0].endswith("y cabe")
    # amounts in reasons read as money, in the election's currency
    assert "el costo S/ 20.00 supera el dinero restante S/ 4.00" in es["greedy"]
    assert en_greedy[0].startswith("best ratio")
    assert en_greedy[0].endswith("and it fits")
    assert all(r.startswith("menor carga") for r in es["phragmen"])
    assert any("sus partidarios pueden pagar" in r for r in es["mes"])
    assert "2 de 4 votos: una parte de S/ 5.00" in es["per-head"]
    assert es["welfare"][0].startswith("bienestar máximo")
    assert "en el conjunto óptimo" in es["welfare"]
