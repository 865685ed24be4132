"""Exact money: integer minor units, exact parsing, and how amounts are shown.

Apportionment lives in :mod:`participa.apportion`; :func:`largest_remainder` is
re-exported here for convenience.

Money is always an ``int`` counting minor units (céntimos, cents, grosze). A
currency unit holds ``minor_per_unit`` minor units (100 for soles, 1 when a
file's amounts are whole units). Nothing here uses floats.

Examples
--------
>>> parse_amount("2000000.50", minor_per_unit=100)
200000050
>>> format_amount(200000050, minor_per_unit=100, currency="PEN")
'PEN 2,000,000.50'
>>> largest_remainder(100, [1, 1, 1])
[34, 33, 33]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final

import attrs

from participa import serialize
from participa.apportion import largest_remainder
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.exact import MAX_EXPONENT, MAX_TEXT
from participa.i18n import _
from participa.validators import is_int, positive_int

__all__ = [
    "SYMBOLS",
    "Amount",
    "Currency",
    "as_currency",
    "check_currency",
    "format_amount",
    "largest_remainder",
    "parse_amount",
    "scale_for",
    "upgrade_loose_currency",
]

Amount = int
"""An amount of money in integer minor units."""


SYMBOLS: Final[dict[str, str]] = {"PEN": "S/", "USD": "US$", "EUR": "€", "GBP": "£"}
"""How a few currencies are written before an amount; every other code is written as is."""


def _check_minor(_inst: object, _attr: object, value: int) -> None:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < 1
        or str(value).rstrip("0") != "1"
    ):
        raise ValidationError(
            _(
                "minor units per unit must be a power of ten (1, 100, ...), got {value!r}",
                value=value,
            )
        )


def _check_code(_inst: object, _attr: object, value: str | None) -> None:
    if value is not None and not (isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value)):
        raise ValidationError(_("unknown currency code {code!r}", code=value))


@serialize.register("participa.Currency")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Currency:
    """A currency as people read it: an ISO 4217 code and how many minor units make a unit.

    Every amount in participa is an ``int`` of minor units; a ``Currency`` says how
    to show it. ``code=None`` shows plain numbers (a file that names no currency).

    Parameters
    ----------
    code
        Three capital letters (``"PEN"``, ``"PLN"``, ``"EUR"``), or ``None``.
    minor_per_unit
        Minor units in one unit: 100 for céntimos, 1 when amounts are whole units.

    Examples
    --------
    >>> Currency("PEN", 100).format(123456)
    'S/ 1,234.56'
    >>> Currency("PLN").format(4_800_000)
    'PLN 4,800,000'
    >>> Currency(None, 100).format(-5)
    '-0.05'
    """

    code: str | None = attrs.field(default=None, validator=_check_code)
    minor_per_unit: int = attrs.field(default=1, validator=_check_minor)

    @property
    def symbol(self) -> str:
        """What is written before an amount: ``S/`` for soles, else the code (or nothing)."""
        if self.code is None:
            return ""
        return SYMBOLS.get(self.code, self.code)

    def format(self, amount: int) -> str:
        """``amount`` minor units as money for people, e.g. ``S/ 1,234.56``."""
        if type(amount) is int:  # the common case: this currency's fields are checked
            return _format(amount, self.minor_per_unit, self.symbol)
        return format_amount(amount, minor_per_unit=self.minor_per_unit, currency=self.symbol)

    @classmethod
    @checked
    def of(cls, text: str | None, minor_per_unit: int = 1) -> Currency:
        """The currency a free text names (``"pen"``, ``" PLN"``), else plain numbers.

        Elections and envelopes keep the currency as their file wrote it (an ISO code or
        a unit name such as ``"soles"``); a text that is not a three-letter code shows
        amounts without a symbol.

        >>> Currency.of("pen", 100).format(150)
        'S/ 1.50'
        >>> Currency.of("soles").format(150)
        '150'
        """
        code = (text or "").strip().upper() if isinstance(text, str) else ""
        return cls(code if re.fullmatch(r"[A-Z]{3}", code) else None, minor_per_unit)


@checked
def as_currency(
    currency: Currency | str | None = None, minor_per_unit: int | None = None
) -> Currency:
    """One :class:`Currency` from either form an argument may take.

    A :class:`Currency` is taken as it is; the older pair of a currency text and
    ``minor_per_unit`` is still accepted (:meth:`Currency.of`). Giving a ``Currency``
    *and* a different ``minor_per_unit`` contradicts itself and is refused.

    >>> as_currency(Currency("PEN", 100)) == as_currency("PEN", 100) == Currency("PEN", 100)
    True
    >>> as_currency(None, 100)
    Currency(code=None, minor_per_unit=100)
    >>> as_currency(Currency("PEN", 100), 1)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: minor_per_unit = 1 contradicts the currency's 100 ...
    """
    if isinstance(currency, Currency):
        if minor_per_unit is not None and minor_per_unit != currency.minor_per_unit:
            raise ValidationError(
                _(
                    "minor_per_unit = {value} contradicts the currency's {minor}",
                    value=minor_per_unit,
                    minor=currency.minor_per_unit,
                ),
                hint=_("pass the Currency alone"),
            )
        return currency
    if currency is not None and not isinstance(currency, str):
        raise ValidationError(
            _("currency must be a Currency or a code, got {value!r}", value=currency),
            hint=_("e.g. Currency('PEN', 100)"),
        )
    return Currency.of(currency, 1 if minor_per_unit is None else minor_per_unit)


@checked
def check_currency(_inst: object, attribute: Any, value: object) -> None:
    """attrs validator: the field holds a :class:`Currency` (not a loose code)."""
    if not isinstance(value, Currency):
        raise ValidationError(
            _(
                "{field} must be a Currency, got {value!r}",
                field=getattr(attribute, "name", "currency"),
                value=value,
            ),
            hint=_("e.g. Currency('PEN', 100), or election.money"),
        )


@checked
def upgrade_loose_currency(data: Mapping[str, Any]) -> dict[str, Any]:
    """A value's JSON written with a loose ``minor_per_unit`` field, as one ``currency``.

    Values that carried ``currency`` (a text, or a :class:`Currency` object) beside
    ``minor_per_unit`` now carry one :class:`Currency`; documents written before still
    load (:func:`participa.serialize.decode` calls this through ``__participa_upgrade__``).

    >>> upgrade_loose_currency({"total": 5, "currency": "PEN", "minor_per_unit": 100})
    {'total': 5, 'currency': {'code': 'PEN', 'minor_per_unit': 100}}
    >>> upgrade_loose_currency({"currency": {"code": None, "minor_per_unit": 1},
    ...                         "minor_per_unit": 100})["currency"]
    {'code': None, 'minor_per_unit': 100}
    """
    out = dict(data)
    if "minor_per_unit" not in out:
        return out
    mpu = out.pop("minor_per_unit")
    cur = out.get("currency")
    if isinstance(cur, Mapping):
        if cur.get("code") is None:  # the loose number said how plain numbers read
            out["currency"] = {**cur, "minor_per_unit": mpu}
        return out
    code = Currency.of(cur if isinstance(cur, str) else None).code
    out["currency"] = {"code": code, "minor_per_unit": mpu}
    return out


def _decimal(text: str) -> Decimal:
    if not isinstance(text, str):
        raise ValidationError(_("not an amount: {value!r}", value=text))
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _(
                "amount text of {length} characters, more than {limit}",
                length=len(text),
                limit=MAX_TEXT,
            )
        )
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValidationError(_("not a number: {text!r}", text=text)) from None
    if not value.is_finite():
        raise ValidationError(_("not a finite number: {text!r}", text=text))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and abs(exponent) > MAX_EXPONENT:
        raise ValidationError(
            _("amount {value!r} has an exponent beyond ±{limit}", value=text, limit=MAX_EXPONENT),
            hint=_("write the number in full, or check the value"),
        )
    return value


@checked
def scale_for(texts: Sequence[str]) -> int:
    """The smallest power of ten that makes every decimal in ``texts`` an integer.

    >>> scale_for(["10", "2.5", "0.25"])
    100
    >>> scale_for(["400000.0", "12"])
    1
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise ValidationError(_("give a list of amount texts, got {value!r}", value=texts))
    scale = 1
    for text in texts:
        value = _decimal(text)
        while value * scale != (value * scale).to_integral_value():
            scale *= 10
            if scale > 10**9:
                raise ValidationError(_("too many decimal places: {text!r}", text=text))
    return scale


@checked
def parse_amount(text: str | int, *, minor_per_unit: int = 1) -> int:
    """Parse a decimal amount of currency units into exact integer minor units.

    Raises :class:`~participa.ValidationError` if the amount is not a number or
    has more decimal places than ``minor_per_unit`` can hold.

    >>> parse_amount("12.5", minor_per_unit=100)
    1250
    >>> parse_amount("12.345", minor_per_unit=100)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: amount '12.345' is not a whole number of minor units ...
    """
    minor_per_unit = positive_int(minor_per_unit, what="minor_per_unit")
    if isinstance(text, bool):
        raise ValidationError(_("not an amount: {value!r}", value=text))
    if is_int(text):
        return int(text) * minor_per_unit
    value = _decimal(text) * minor_per_unit  # type: ignore[arg-type]  # checked there
    if value != value.to_integral_value():
        raise ValidationError(
            _(
                "amount {text!r} is not a whole number of minor units "
                "(1/{minor_per_unit} of a unit)",
                text=text,
                minor_per_unit=minor_per_unit,
            )
        )
    return int(value)


@checked
def format_amount(amount: int, *, minor_per_unit: int = 1, currency: str | None = None) -> str:
    """Format integer minor units for people: thousands separators, exact decimals.

    >>> format_amount(-1050, minor_per_unit=100)
    '-10.50'
    >>> format_amount(300000, currency="PEN")
    'PEN 300,000'
    """
    return _format(amount, minor_per_unit, currency)


def _format(amount: int, minor_per_unit: int, currency: str | None) -> str:
    """:func:`format_amount` on arguments already checked."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), minor_per_unit)
    text = f"{whole:,}"
    if minor_per_unit > 1:
        digits = len(str(minor_per_unit)) - 1
        text += "." + str(frac).rjust(digits, "0")
    prefix = f"{currency} " if currency else ""
    return f"{prefix}{sign}{text}"


def _fraction_money(currency: Currency, amount: Fraction | int) -> str:
    """An exact amount of minor units as money for people.

    A whole number of minor units is shown exactly; a fraction of one (a price system's
    payments are rational) to two more decimals, marked ``≈``.

    >>> _fraction_money(Currency("PEN", 100), Fraction(400))
    'S/ 4.00'
    >>> _fraction_money(Currency("PEN", 100), Fraction(1001, 3))
    '≈ S/ 3.3367'
    """
    value = Fraction(amount)
    if value.denominator == 1:
        return currency.format(int(value))
    finer = Currency(currency.code, currency.minor_per_unit * 100)
    return "≈ " + finer.format(round(value * 100))
