"""Names, patterns and small helpers every part of the pabulib reader and writer shares."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from participa.errors import ValidationError
from participa.i18n import _
from participa.model import _PROJECT_FIELDS

PROJECT_COLUMNS_KEY = "participa:project_columns"
"""``Election.meta`` key holding a PROJECTS header whose order differs from the natural one."""

VOTE_COLUMNS_KEY = "participa:vote_columns"
"""``Election.meta`` key holding a VOTES header whose order differs from the natural one."""

_SYNTH_KEY = "participa:synthesized"
_RELAXED_KEY = "participa:relaxed"
_MPU_KEY = "participa:minor_per_unit"
_WEIGHT_COLUMN = "participa:weight"
_RESERVED = "participa:"

_SECTIONS = ("META", "PROJECTS", "VOTES")
_REQUIRED_META = (
    "description",
    "country",
    "unit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
)
_CONSTRAINT_KEYS = (
    "min_length",
    "max_length",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)
_MODELLED_PROJECT_COLUMNS = _PROJECT_FIELDS  # the model decides which columns it holds
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_INT = re.compile(r"[+-]?[0-9]{1,18}")
_DIGITS = re.compile(r"[0-9]{1,18}")
_MAX_AMOUNT = 2**62
_MAX_POINTS = 2**31
_SPECIAL = (";", '"', "\n", "\r")

IntArray = npt.NDArray[np.int64]


def _amount_problem(text: str, *, max_digits: int = 18) -> str | None:
    """Why ``text`` is not an amount participa reads exactly, or ``None`` if it is."""
    if len(text) > 200:
        return "too large"
    m = _AMOUNT.fullmatch(text)
    if m is None:
        return "negative" if text.startswith("-") else "not a number"
    if len(m.group(1).lstrip("0")) > max_digits:
        return "too large"
    if len((m.group(2) or "").rstrip("0")) > 9:
        return "given with more than 9 decimal places"
    return None


def _stem(name: str) -> str:
    base = os.path.basename(name)
    for suffix in (".gz", ".pb"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base


def _join(fields: Sequence[str]) -> str:
    """One ``;``-separated row, quoting only the fields that need it."""
    if any(c in f for f in fields for c in _SPECIAL):
        for f in fields:
            if "\n" in f:  # a lone CR is quoted (the reader splits lines on LF only)
                raise ValidationError(
                    _("a field holds a line break: {f!r}", f=f[:40]),
                    hint=_("pabulib rows are one per line; remove line breaks from values"),
                )
        buf = io.StringIO()
        # a "\r\n" terminator makes QUOTE_MINIMAL quote fields holding a CR; it is cut off
        csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(
            fields
        )
        return buf.getvalue()[:-2]
    return ";".join(fields)


def _split(text: str) -> list[str]:
    """A ``;``-separated row into its fields, by the CSV quoting rules (strict).

    A field that starts with ``"`` runs to the next lone ``"`` (``""`` is a quote
    inside it), which must end the row or be followed by ``;``; a quote inside an
    unquoted field is text. Unlike :mod:`csv` there is no field size limit (the
    reader's :class:`Limits` bound the line). Raises ``ValueError`` saying what breaks
    the rules.

    Examples
    --------
    >>> _split('a;"b;c";"x""y";d"e')
    ['a', 'b;c', 'x"y', 'd"e']
    >>> _split('"a"b;c')
    Traceback (most recent call last):
    ...
    ValueError: ';' expected after '"'
    """
    if '"' not in text:
        return text.split(";")
    fields: list[str] = []
    i, n = 0, len(text)
    while True:
        if text.startswith('"', i):
            parts: list[str] = []
            j = i + 1
            while True:
                k = text.find('"', j)
                if k == -1:
                    raise ValueError(_("unexpected end of data"))
                parts.append(text[j:k])
                if text.startswith('"', k + 1):
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            if i < n and text[i] != ";":
                raise ValueError(_("';' expected after '\"'"))
            fields.append("".join(parts))
            k = i if i < n else -1
        else:
            k = text.find(";", i)
            fields.append(text[i:] if k == -1 else text[i:k])
        if k == -1:
            return fields
        i = k + 1


def _scale(texts: Sequence[str]) -> int:
    """The smallest power of ten making every checked decimal text whole minor units."""
    digits: int = max((len(t.partition(".")[2].rstrip("0")) for t in texts), default=0)
    return int(10**digits)


def _minor(text: str, mpu: int) -> int:
    """A checked decimal text as exact minor units (``mpu`` a power of ten holding its decimals)."""
    whole, _dot, frac = text.partition(".")
    digits = len(str(mpu)) - 1
    frac = frac.rstrip("0")
    if len(frac) > digits:
        raise ValidationError(
            _(
                "amount {text!r} is not a whole number of minor units (1/{mpu} of a unit)",
                text=text,
                mpu=mpu,
            )
        )
    return int(whole) * mpu + int(frac.ljust(digits, "0") or "0")
