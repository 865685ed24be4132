"""Validated integers: counts and amounts of money that are ``int``, never ``bool`` or float.

Every stage takes counts (voters, seats, hours) and amounts of money (integer minor
units). These helpers check them the same way everywhere and say what is wrong in the
reader's language:

* :func:`non_negative_int` — an ``int`` ``>= 0`` (numpy integers accepted and
  converted to ``int``; ``bool``, floats, strings and ``None`` refused);
* :func:`positive_int` — an ``int`` ``>= 1``;
* :func:`amount` — a non-negative amount of money in integer minor units (the same
  check, with a hint on how to convert decimal amounts);
* :func:`optional_amount` — an amount or ``None``;
* the ``attrs`` converters :data:`AMOUNT`, :data:`NON_NEGATIVE_INT` and
  :data:`POSITIVE_INT`, which check a field and name it in the message.

Examples
--------
>>> non_negative_int(np.int64(3), what="count")
3
>>> amount(True, what="budget")
Traceback (most recent call last):
...
participa.errors.ValidationError: budget must be a non-negative integer of minor units, got True ...
>>> positive_int(0, what="seats")
Traceback (most recent call last):
...
participa.errors.ValidationError: seats must be a positive integer, got 0
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _

__all__ = [
    "AMOUNT",
    "NON_NEGATIVE_INT",
    "OPTIONAL_AMOUNT",
    "POSITIVE_INT",
    "amount",
    "int_array",
    "is_int",
    "non_negative_int",
    "optional_amount",
    "positive_int",
]


def _int(value: object) -> int | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, np.integer):
        return int(value)
    return None


@checked
def is_int(value: object) -> bool:
    """``True`` for ``int`` and numpy integers, ``False`` for ``bool`` and everything else.

    >>> is_int(3), is_int(np.uint8(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return _int(value) is not None


@checked
def non_negative_int(value: object, *, what: str, project_id: str | None = None) -> int:
    """``value`` as an ``int`` if it is an integer ``>= 0``, else ``ValidationError``.

    >>> non_negative_int(0, what="voters")
    0
    >>> non_negative_int(-1, what="voters")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: voters must be a non-negative integer, got -1
    """
    n = _int(value)
    if n is None or n < 0:
        raise ValidationError(
            _("{what} must be a non-negative integer, got {value!r}", what=what, value=value),
            project_id=project_id,
        )
    return n


@checked
def positive_int(value: object, *, what: str, project_id: str | None = None) -> int:
    """``value`` as an ``int`` if it is an integer ``>= 1``, else ``ValidationError``.

    >>> positive_int(np.int32(2), what="seats")
    2
    """
    n = _int(value)
    if n is None or n < 1:
        raise ValidationError(
            _("{what} must be a positive integer, got {value!r}", what=what, value=value),
            project_id=project_id,
        )
    return n


@checked
def amount(value: object, *, what: str, project_id: str | None = None) -> int:
    """``value`` as an ``int`` of minor units ``>= 0``, else ``ValidationError``.

    >>> amount(1250, what="cost")
    1250
    >>> amount(12.5, what="cost", project_id="P1")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: cost must be a non-negative integer of minor units, \
got 12.5 [project 'P1'] ...
    """
    n = _int(value)
    if n is None or n < 0:
        raise ValidationError(
            _(
                "{what} must be a non-negative integer of minor units, got {value!r}",
                what=what,
                value=value,
            ),
            project_id=project_id,
            hint=_("convert decimal amounts with participa.money.parse_amount"),
        )
    return n


@checked
def optional_amount(value: object, *, what: str, project_id: str | None = None) -> int | None:
    """``None``, or :func:`amount`.

    >>> optional_amount(None, what="cap") is None
    True
    """
    return None if value is None else amount(value, what=what, project_id=project_id)


@checked
def int_array(values: object, *, what: str) -> np.ndarray:
    """``values`` as a one-dimensional array of integers, else ``ValidationError``.

    Lists of ``int`` and integer numpy arrays pass (numbers beyond ``int64`` stay exact
    Python integers in an object array); floats, booleans, strings, ``None`` and nested
    lists are refused, never truncated. The check is vectorised except for object arrays.

    >>> int_array([3, 1], what="values")
    array([3, 1])
    >>> int_array([0, 2**63], what="values").tolist()
    [0, 9223372036854775808]
    >>> int_array([2.5, 1], what="values")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: values must be a list of integers, got [2.5, 1] ...
    """
    shown = repr(values)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    problem = ValidationError(
        _("{what} must be a list of integers, got {value}", what=what, value=shown),
        hint=_("amounts and counts are integers (minor units, voters)"),
    )
    if isinstance(values, str | bytes | bool | np.bool_) or values is None:
        raise problem
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError, OverflowError):
        raise problem from None
    if arr.ndim != 1:
        raise problem
    # numpy reads [0, 2**63] as floats: Python integers past int64 stay exact instead
    if (
        arr.dtype.kind == "f"
        and isinstance(values, list | tuple)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    ):
        arr = np.empty(len(values), dtype=object)
        arr[:] = list(values)
    if arr.dtype.kind in "iu":
        # a list of True/False and ints becomes an int array: refuse the booleans
        if isinstance(values, list | tuple) and any(isinstance(v, bool | np.bool_) for v in values):
            raise problem
        return arr
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind == "O" and all(_int(v) is not None for v in arr.tolist()):
        return arr
    raise problem


def _field_converter(check: Any) -> attrs.Converter[Any, Any]:
    def convert(value: object, field: attrs.Attribute[Any]) -> Any:
        return check(value, what=field.name)

    return attrs.Converter(convert, takes_field=True)


AMOUNT: Any = _field_converter(amount)
"""``attrs`` converter: a non-negative amount of minor units, named after the field."""

OPTIONAL_AMOUNT: Any = _field_converter(optional_amount)
"""``attrs`` converter: ``None`` or a non-negative amount of minor units."""

NON_NEGATIVE_INT: Any = _field_converter(non_negative_int)
"""``attrs`` converter: an ``int >= 0``, named after the field."""

POSITIVE_INT: Any = _field_converter(positive_int)
"""``attrs`` converter: an ``int >= 1``, named after the field."""
