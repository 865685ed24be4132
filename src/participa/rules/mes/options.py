"""The options of the Method of Equal Shares, as types.

:data:`Completion` names the completion; :func:`parse_completion` turns CLI text into
one (the only place a completion is read from a string).

Examples
--------
>>> parse_completion("add1")
'add1'
>>> parse_completion("add-one")
Traceback (most recent call last):
...
participa.errors.RuleError: unknown completion 'add-one' (use one of: none, add1, ...)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from participa.errors import RuleError
from participa.i18n import _

__all__ = ["COMPLETIONS", "Completion", "Endowments", "parse_completion"]

Completion = Literal["none", "add1", "add1u", "utilitarian", "phragmen"]
"""``none``, ``add1``, ``add1u``, ``utilitarian`` or ``phragmen`` (see
:mod:`participa.rules.mes`)."""

COMPLETIONS: tuple[Completion, ...] = ("none", "add1", "add1u", "utilitarian", "phragmen")

Endowments: TypeAlias = Sequence[int | Fraction] | npt.NDArray[np.integer[Any]]
"""Money of each voter of each profile group: integer minor units or exact fractions."""


def parse_completion(text: str) -> Completion:
    """The :data:`Completion` named by ``text``; :class:`~participa.RuleError` otherwise."""
    for name in COMPLETIONS:
        if text == name:
            return name
    raise RuleError(
        _("unknown completion {name!r}", name=text),
        hint=_("use one of: {choices}", choices=", ".join(COMPLETIONS)),
    )
