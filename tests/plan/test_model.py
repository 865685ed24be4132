"""The plan as a value: validation, JSON, text and HTML views."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given

from participa import ValidationError, dumps, loads
from participa.i18n import use_language
from participa.plan import Dimension, Indicator, Plan, SpecificObjective, StrategicObjective
from participa.testing.plans import plans


def small_plan() -> Plan:
    return Plan(
        "PDI 2004-2015 (invented)",
        vision="A green district",
        dimensions=(Dimension("D2", "Human"), Dimension("D4", "Ecological")),
        strategic=(
            StrategicObjective("OE2", "Healthy people", "D2", sectors=("health",)),
            StrategicObjective("OE4", "Green areas", "D4", sectors=("parks",)),
        ),
        specific=(
            SpecificObjective(
                "OE2.1",
                "Less anaemia",
                "OE2",
                weight=2,
                indicators=(Indicator("I2.1", "child anaemia", 38, 20, unit="%", year=2010),),
            ),
            SpecificObjective("OE4.1", "More parks", "OE4", weight="0.5"),
        ),
        period="2004-2015",
    )


def test_lookups() -> None:
    plan = small_plan()
    assert plan.objective_ids == ("OE2.1", "OE4.1")
    assert plan.dimension_of("OE4.1").id == "D4"
    assert plan.dimension_of("OE2").id == "D2"
    assert plan.dimension("ecological").id == "D4"  # by name, without case
    assert plan.sectors_of("OE2.1") == ("health",)
    assert [o.id for o in plan.under("D2")] == ["OE2.1"]
    assert plan.objective("OE4.1").weight == Fraction(1, 2)
    assert plan.objective("OE2.1").indicators[0].change == -18


def test_every_fault_is_listed_at_once() -> None:
    with pytest.raises(ValidationError) as err:
        Plan(
            "bad",
            dimensions=(Dimension("D1"), Dimension("D1")),
            strategic=(StrategicObjective("OE1", "x", "D9"),),
            specific=(
                SpecificObjective("OE1.1", "y", "OE7"),
                SpecificObjective("OE1.2", "z", "OE1", weight=-1),
                SpecificObjective("a;b", "w", "OE1"),
            ),
        )
    text = str(err.value)
    assert "'D1' is used twice" in text
    assert "under dimension 'D9'" in text
    assert "under strategic objective 'OE7'" in text
    assert "negative weight" in text
    assert "'a;b'" in text


def test_ids_are_one_namespace() -> None:
    with pytest.raises(ValidationError, match="'X' is used twice"):
        Plan("p", dimensions=(Dimension("X"),), strategic=(StrategicObjective("X", "s", "X"),))


def test_indicator_needs_numbers() -> None:
    with pytest.raises(ValidationError, match=r"baseline|value"):
        Indicator("I1", "x", baseline="lots", target=3)
    with pytest.raises(ValidationError, match="year"):
        Indicator("I1", "x", 1, 2, year="2010")  # type: ignore[arg-type]


def test_unknown_lookups_raise() -> None:
    plan = small_plan()
    with pytest.raises(ValidationError, match=r"no specific objective 'OE9\.9'"):
        plan.objective("OE9.9")
    with pytest.raises(ValidationError, match="no dimension 'D7'"):
        plan.dimension("D7")


@given(plans())
def test_json_round_trip(plan: Plan) -> None:
    assert loads(dumps(plan)) == plan
    assert loads(dumps(plan)).digest() == plan.digest()


def test_json_runs_the_validation_again() -> None:
    text = dumps(small_plan()).replace('"strategic": "OE2"', '"strategic": "OE8"')
    with pytest.raises(Exception, match="OE8"):
        loads(text)


def test_text_and_html_views() -> None:
    plan = small_plan()
    text = plan.to_text()
    assert text.splitlines()[0] == (
        "PDI 2004-2015 (invented) (2004-2015): 2 dimensions, 2 strategic and 2 specific objectives"
    )
    assert "Vision: A green district" in text
    assert "      OE2.1  Less anaemia" in text
    assert "I2.1  child anaemia: 38 → 20 % (2010)" in text
    html = plan._repr_html_()
    assert html.startswith('<div class="participa-view">')
    assert "<td>OE4.1</td><td>specific objective</td><td>More parks</td>" in html
    with use_language("es"):
        es = plan.to_text()
        assert "Visión: A green district" in es
        assert "2 dimensiones, 2 objetivos estratégicos y 2 específicos" in es
        assert "<td>objetivo específico</td>" in plan._repr_html_()


def test_digest_depends_on_content() -> None:
    a = small_plan()
    b = Plan(a.name, a.vision, a.dimensions, a.strategic, a.specific[:1], a.period)
    assert a.digest() == small_plan().digest()
    assert a.digest() != b.digest()
