"""The one exact-number reader: what it reads, how exactly, and what it refuses at once."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa.cofinancing import Pledge, RequiredShare
from participa.errors import ValidationError
from participa.exact import MAX_EXPONENT, to_fraction
from participa.validators import amount, non_negative_int, positive_int


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6))
def test_decimal_text_is_read_exactly(d: Decimal) -> None:
    assert to_fraction(str(d)) == Fraction(d) == to_fraction(d)


@given(st.fractions(max_denominator=10**6))
def test_fraction_text_round_trips(f: Fraction) -> None:
    assert to_fraction(f"{f.numerator}/{f.denominator}") == f == to_fraction(f)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_finite_floats_are_read_as_their_shortest_decimal(x: float) -> None:
    assert to_fraction(x) == Fraction(repr(x))


def test_numpy_numbers_are_converted() -> None:
    assert to_fraction(np.int64(7)) == 7
    assert to_fraction(np.float32(0.5)) == Fraction(1, 2)
    assert non_negative_int(np.uint16(3), what="x") == 3
    assert type(non_negative_int(np.uint16(3), what="x")) is int


@pytest.mark.parametrize(
    "text", ["1e999999999", "-1e999999999", "1e-999999999", f"1e{MAX_EXPONENT + 1}"]
)
def test_huge_exponents_are_refused_at_once(text: str) -> None:
    with pytest.raises(ValidationError, match="exponent"):
        to_fraction(text, what="weight")
    with pytest.raises(ValidationError, match="exponent"):
        to_fraction(Decimal(text), what="weight")


def test_the_exponent_bound_is_inclusive() -> None:
    assert to_fraction(f"1e{MAX_EXPONENT}") == 10**MAX_EXPONENT


@pytest.mark.parametrize(
    "value", [True, False, None, float("nan"), float("inf"), "1/0", "", "abc", "20%", [1]]
)
def test_refusals_name_what_and_where(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_fraction(value, what="indicator 'population'", where="territory 'S1'", project_id="P")
    assert "indicator 'population' of territory 'S1'" in str(info.value)
    assert info.value.project_id == "P"


def test_issue_reproductions() -> None:
    with pytest.raises(ValidationError):
        RequiredShare("1/0")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        RequiredShare(float("nan"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="PledgeKind"):
        Pledge("m", "P", "cash", amount=10)  # type: ignore[arg-type]
    assert RequiredShare("1/5").share == Fraction(1, 5)  # type: ignore[arg-type]


def test_validated_integers() -> None:
    assert amount(np.int32(5), what="cost") == 5
    for bad in (True, 1.0, -1, "1", None):
        with pytest.raises(ValidationError):
            amount(bad, what="cost")
    with pytest.raises(ValidationError, match="seats must be a positive integer"):
        positive_int(0, what="seats")


def test_json_fractions_go_through_the_bounded_reader() -> None:
    """Issue #12: a document with a weight "1e999999999" must not hang ``loads``."""
    import json

    import participa
    from participa.allocation import WeightedCriterion
    from participa.errors import ParseError

    doc = json.loads(participa.dumps(WeightedCriterion("p", 1)))
    doc["value"]["weight"] = "1e999999999"
    with pytest.raises(ParseError, match="exponent"):
        participa.loads(json.dumps(doc))
    doc["value"]["weight"] = "1/0"
    with pytest.raises(ParseError, match="finite number"):
        participa.loads(json.dumps(doc))
