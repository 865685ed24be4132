"""Ranks on ordinal ballots: each row holds 1..L once each (checked), renumbered after a cut."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from participa.errors import ValidationError
from participa.i18n import _

__all__: list[str] = []


def _check_ranks(matrix: npt.NDArray[Any]) -> None:
    m = matrix.shape[1]
    # compact ranks are checked in their own dtype (lengths and ranks fit): small temporaries
    fits = np.issubdtype(matrix.dtype, np.signedinteger) and np.iinfo(matrix.dtype).max >= m
    dt = matrix.dtype if fits else np.dtype(np.int64)
    span = np.arange(m, dtype=dt)
    step = max(1, (1 << 16) // max(m, 1))  # rows at a time
    # up to 32 columns and ranks: Σ 2**rank (and 1 for each 0) is exact in a float
    powers = m <= 32 and bool(matrix.size) and int(matrix.min()) >= 0 and int(matrix.max()) <= 32
    ones = np.ones(m)
    for a in range(0, matrix.shape[0], step):
        part = matrix[a : a + step]
        lengths = np.einsum("gj->g", (part != 0).view(np.uint8), dtype=np.int64)
        if powers:
            # L powers of two add up to 2 + 4 + ... + 2**L (L one bits) only if no two are
            # equal (each carry would lose a bit): then they are 2**1 .. 2**L, ranks 1..L once
            total = np.ldexp(1.0, part) @ ones - (m - lengths)
            ok = total == np.ldexp(1.0, lengths + 1) - 2.0
            if bool(ok.all()):
                continue
            bad = a + int(np.flatnonzero(~ok)[0])
        else:
            srt = np.sort(part, axis=1)[:, ::-1]
            want = lengths.astype(dt)[:, None] - span[None, :]
            np.maximum(want, 0, out=want)
            if np.array_equal(srt, want):
                continue
            bad = a + int(np.flatnonzero((srt != want).any(axis=1))[0])
        raise ValidationError(
            _("ordinal ballot row {bad} does not hold ranks 1..L exactly once", bad=bad)
        )


def _rerank(mat: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Renumber ranks 1..L per row after columns were dropped."""
    big = np.where(mat > 0, mat.astype(np.int64), np.iinfo(np.int64).max)  # int8 would wrap
    order = np.argsort(np.argsort(big, axis=1, kind="stable"), axis=1, kind="stable") + 1
    return np.where(mat > 0, order, 0).astype(np.int64)
