"""Exact numbers: the one reader that turns a number people give into a ``Fraction``.

Weights, shares, ratios, indicators and endowments enter participa in many forms
(``0.3``, ``"3/10"``, ``Decimal("0.30")``, ``Fraction(3, 10)``, numpy integers).
:func:`to_fraction` reads them all the same way, exactly, and refuses what is not a
finite number with a :class:`~participa.ValidationError` that names what was read
and where.

What it accepts
---------------
* ``int`` (numpy integers too) and ``Fraction``: as they are.
* ``Decimal``: exactly, when finite.
* ``str``: a decimal (``"0.2"``, ``"-1.5e3"``) or a fraction of integers (``"1/5"``);
  surrounding spaces are ignored. No percent signs, no thousands separators.
* ``float`` (numpy floats too), when finite: read as the *shortest decimal that prints
  as the float* (``Fraction(str(x))``), so ``0.1`` is ``1/10``, not the binary
  ``3602879701896397/36028797018963968``. ``floats=False`` refuses them instead.

What it refuses
---------------
``bool`` (``True`` is not the number 1 here), ``None``, NaN, infinities, ``"1/0"``,
anything else; and, so that reading can never hang or eat memory, a text longer than
:data:`MAX_TEXT` characters or a decimal exponent beyond :data:`MAX_EXPONENT` (the
text ``"1e999999999"`` would otherwise ask for a billion-digit integer).

Examples
--------
>>> to_fraction(0.1), to_fraction(3), to_fraction("2/3"), to_fraction(" 1.25 ")
(Fraction(1, 10), Fraction(3, 1), Fraction(2, 3), Fraction(5, 4))
>>> to_fraction("1e999999999", what="weight")
Traceback (most recent call last):
...
participa.errors.ValidationError: weight has an exponent beyond ±1000: '1e999999999' ...
>>> to_fraction(float("nan"), what="indicator 'population'", where="territory 'S1'")
Traceback (most recent call last):
...
participa.errors.ValidationError: indicator 'population' of territory 'S1' must be a finite ...
>>> to_fraction(-1, what="share", minimum=0)
Traceback (most recent call last):
...
participa.errors.ValidationError: share must be at least 0, got -1
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Final

import numpy as np

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _

__all__ = ["MAX_EXPONENT", "MAX_TEXT", "to_fraction"]

MAX_TEXT: Final[int] = 400
"""Longest number text (in characters) :func:`to_fraction` reads."""

MAX_EXPONENT: Final[int] = 1000
"""Largest decimal exponent (in absolute value) :func:`to_fraction` reads."""

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?")
_RATIO = re.compile(r"[+-]?\d+/\d+")


@checked
def to_fraction(
    value: object,
    *,
    what: str = "value",
    where: str = "",
    project_id: str | None = None,
    minimum: int | Fraction | None = None,
    maximum: int | Fraction | None = None,
    floats: bool = True,
    text: bool = True,
) -> Fraction:
    """Read ``value`` exactly as a :class:`~fractions.Fraction`, or raise ``ValidationError``.

    Parameters
    ----------
    value
        An ``int``, ``Fraction``, ``Decimal``, finite ``float`` or number text (see the
        module docstring for exactly what is read and how).
    what
        What the value is, for the error message (``"weight of theme 'health'"``).
    where
        Where it is (``"territory 'S1'"``), appended as ``"{what} of {where}"``.
    project_id
        The project the value belongs to, if any (carried by the error).
    minimum, maximum
        Inclusive bounds, checked exactly.
    floats
        ``False`` refuses floats (for values that must be given exactly).
    text
        ``False`` refuses strings.

    Returns
    -------
    Fraction
        The exact value.

    Raises
    ------
    ValidationError
        For anything that is not a finite number of the accepted kinds, text too long or
        with too large an exponent, or a value outside the bounds.

    Examples
    --------
    >>> to_fraction(Decimal("0.30")), to_fraction(np.int64(7))
    (Fraction(3, 10), Fraction(7, 1))
    >>> to_fraction("1/0", what="required share")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: required share must be a finite number, got '1/0' ...
    >>> to_fraction(0.5, what="endowment", floats=False)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: endowment must be given exactly (an int, a Fraction or a \
Decimal), got the float 0.5
    """
    name = _("{what} of {where}", what=what, where=where) if where else what
    out = _read(value, name, project_id, floats=floats, text=text)
    if minimum is not None and out < minimum:
        raise ValidationError(
            _(
                "{what} must be at least {minimum}, got {value}",
                what=name,
                minimum=minimum,
                value=out,
            ),
            project_id=project_id,
        )
    if maximum is not None and out > maximum:
        raise ValidationError(
            _(
                "{what} must be at most {maximum}, got {value}",
                what=name,
                maximum=maximum,
                value=out,
            ),
            project_id=project_id,
        )
    return out


def _not_finite(value: object, name: str, project_id: str | None) -> ValidationError:
    return ValidationError(
        _("{what} must be a finite number, got {value!r}", what=name, value=value),
        project_id=project_id,
        hint=_("give an int, a Fraction, a Decimal or a decimal text such as '0.2' or '1/5'"),
    )


def _read(
    value: object, name: str, project_id: str | None, *, floats: bool, text: bool
) -> Fraction:
    if isinstance(value, bool | np.bool_):
        raise _not_finite(value, name, project_id)
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float | np.floating):
        if not floats:
            raise ValidationError(
                _(
                    "{what} must be given exactly (an int, a Fraction or a Decimal), "
                    "got the float {value!r}",
                    what=name,
                    value=value,
                ),
                project_id=project_id,
            )
        if not math.isfinite(float(value)):
            raise _not_finite(value, name, project_id)
        return Fraction(str(float(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _not_finite(value, name, project_id)
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int) or len(value.as_tuple().digits) > MAX_TEXT:
            raise _not_finite(value, name, project_id)  # pragma: no cover - finite checked
        if abs(exponent) > MAX_EXPONENT:
            raise _too_large(value, name, project_id)
        return Fraction(value)
    if isinstance(value, str) and text:
        return _parse(value, name, project_id)
    raise _not_finite(value, name, project_id)


def _too_large(value: object, name: str, project_id: str | None) -> ValidationError:
    return ValidationError(
        _(
            "{what} has an exponent beyond ±{limit}: {value!r}",
            what=name,
            limit=MAX_EXPONENT,
            value=value,
        ),
        project_id=project_id,
        hint=_("write the number in full, or check the value"),
    )


def _parse(value: str, name: str, project_id: str | None) -> Fraction:
    if len(value) > MAX_TEXT:
        raise ValidationError(
            _(
                "{what} is a number text of {length} characters, more than {limit}",
                what=name,
                length=len(value),
                limit=MAX_TEXT,
            ),
            project_id=project_id,
        )
    s = value.strip()
    if _RATIO.fullmatch(s):
        num, den = s.split("/")
        if int(den) == 0:
            raise _not_finite(value, name, project_id)
        return Fraction(int(num), int(den))
    match = _DECIMAL.fullmatch(s)
    if match is None:
        raise _not_finite(value, name, project_id)
    if match.group(1) is not None and abs(int(match.group(1))) > MAX_EXPONENT:
        raise _too_large(value, name, project_id)
    return Fraction(s)
