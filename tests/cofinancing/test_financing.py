"""Shortfalls read as money, and refuse what is not a currency."""

from __future__ import annotations

from fractions import Fraction

import pytest

from participa.cofinancing.financing import Shortfall
from participa.errors import ValidationError
from participa.money import Currency


def test_shortfall_text_refuses_a_currency_that_is_not_one() -> None:
    s = Shortfall("A", 600_000, Fraction(1, 5), 120_000, 100_000, 20_000)
    assert s.to_text(Currency("PEN", 100)).endswith("S/ 200.00 missing")
    with pytest.raises(ValidationError, match="currency must be Currency or None"):
        s.to_text("PEN")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="unknown language"):
        s.to_text(lang="zz")
