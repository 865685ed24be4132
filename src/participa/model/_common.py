"""Helpers the model's value classes share (converters, array comparison, text checks)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.errors import ValidationError
from participa.i18n import _

IntArray = npt.NDArray[np.int64]


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _check_id(kind: str, value: object) -> None:
    """Refuse an empty or non-text id; ``kind`` is an ``N_``-marked label, translated only
    when refusing (a file of many projects pays no translation per project)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            _("{kind} id must be a non-empty string, got {value!r}", kind=_(kind), value=value)
        )


def _array_eq(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b))


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    if isinstance(a, np.ndarray) and not a.flags.writeable and a.flags.owndata:
        return a  # already frozen by its maker (the readers): no second copy of a large matrix
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


def _readonly_mask(a: npt.ArrayLike | None) -> npt.NDArray[np.bool_] | None:
    if a is None:
        return None
    arr = np.asarray(a)
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValidationError(_("a profile's listed mask holds only True/False entries"))
    out: npt.NDArray[np.bool_] = _readonly(arr.astype(np.bool_))
    return out


def _optional_array_eq(a: npt.NDArray[Any] | None, b: npt.NDArray[Any] | None) -> bool:
    if a is None or b is None:
        return a is b
    return _array_eq(a, b)


def _no_line_break(values: Iterable[object], what: str, project_id: str | None = None) -> None:
    """Refuse a line feed in text that a pabulib file holds on one line (a lone CR is fine).

    ``what`` is an ``N_``-marked label, translated only when refusing.

    >>> _no_line_break(("a", None, "b\\rc"), "a field")
    >>> _no_line_break(["a", "b\\nc"], "a field")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: a field holds a line break: 'b\\nc' ...
    """
    values = values if isinstance(values, tuple | list) else tuple(values)
    try:
        if "\n" not in "".join(values):  # type: ignore[arg-type]  # texts only: one pass in C
            return
    except TypeError:  # something else than text among them: each one in turn
        pass
    for bad in values:
        if not isinstance(bad, str) or "\n" not in bad:
            continue
        raise ValidationError(
            _("{what} holds a line break: {text!r}", what=_(what), text=bad[:40]),
            project_id=project_id,
            hint=_("pabulib rows are one per line; remove line breaks from values"),
        )
