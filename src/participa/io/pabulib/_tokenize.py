"""The fast VOTES tokenizer: the data lines of an unquoted VOTES section split with numpy.

The VOTES section is nearly all of a large file. Splitting it into one Python
string per line and then per field costs several times the file's size in memory
and most of the reading time, so the common case (no quotes, every line with the
header's number of fields, no blank line) is cut with numpy over the section's
UTF-8 bytes instead: the positions of line feeds and semicolons give every
field's span, and each column is decoded in one piece and split once. Repeated
values in a column (a voting method, an age) share one string object.

Anything else returns ``None`` and the line-by-line reader takes over, reporting
errors and anomalies with their lines.

Examples
--------
>>> vote_columns(b"1;a,b;x\\n2;c;y\\n", 0, 3, crlf=False, small=0)
[['1', '2'], ['a,b', 'c'], ['x', 'y']]
>>> vote_columns(b"h\\r\\n1;a\\r\\n2;b\\r\\n", 3, 2, crlf=True, small=0)
[['1', '2'], ['a', 'b']]
>>> vote_columns(b"1;a;x\\n2;b\\n", 0, 3, crlf=False, small=0) is None  # a short row
True
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import numpy.typing as npt

from participa.boundary import checked

__all__ = ["vote_columns"]

_LF, _CR, _SEMI = 10, 13, 59


def _shared(values: list[str]) -> list[str]:
    """``values`` with equal strings made one object (memory of repeated column values)."""
    canon = dict(zip(values, values, strict=True))
    if len(canon) == len(values):
        return values
    return list(map(canon.__getitem__, values))


_CELLS = 1 << 16
_SMALL = 1 << 16


def _distinct(
    buf: npt.NDArray[np.uint8], lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]
) -> tuple[list[str], npt.NDArray[np.int64]] | None:
    """The distinct texts ``buf[lo[i]:hi[i]]`` (first appearance order) and each line's index.

    The fields are copied into a zero-padded ``lines x (longest + 4)`` byte matrix (the
    last four bytes hold the length, so padding never makes two texts equal) and its
    rows deduplicated with :func:`numpy.unique`; ``None`` when that matrix would be
    much larger than the section (one very long ballot).
    """
    n = lo.size
    lens = hi - lo
    text_width = int(lens.max()) + 1  # room for the line feed that ends each text
    width = text_width + 4
    if n * width > 2 * buf.size + 4096:
        return None
    rows = np.zeros((n, width), np.uint8)
    span = np.arange(text_width)
    step = max(1, _CELLS // text_width)  # lines at a time: int64 offsets of 64K bytes at most
    for a in range(0, n, step):
        b = min(a + step, n)
        at = np.minimum(lo[a:b, None] + span, buf.size - 1)
        block = buf[at]
        tail = span >= lens[a:b, None]
        block[tail] = 0
        block[np.arange(b - a), lens[a:b]] = _LF
        rows[a:b, :text_width] = block
    rows[:, text_width:] = lens.astype("<u4").view(np.uint8).reshape(n, 4)
    keys = rows.view(np.dtype((np.void, width))).ravel()
    _u, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    del keys, _u
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    inv: npt.NDArray[np.int64] = rank[inverse.ravel()].astype(np.int64)
    picked = rows[first[order], :text_width]
    del rows
    keep = span <= lens[first[order], None]  # each text and its line feed
    texts = picked[keep].tobytes().decode("utf-8").split("\n")
    texts.pop()
    return texts, inv


@checked
def vote_columns(
    data: bytes | memoryview,
    start: int,
    width: int,
    *,
    crlf: bool,
    share: Collection[int] = (),
    distinct: int = -1,
    distinct_out: list[tuple[list[str], npt.NDArray[np.int64]]] | None = None,
    small: int = _SMALL,
) -> list[list[str]] | None:
    """The columns of the VOTES data lines ``data[start:]``; ``None`` if a closer look is needed.

    ``data`` is UTF-8; from ``start`` every line ends with ``\\n`` (``\\r\\n`` when
    ``crlf``), the last one included. Equal values of the columns in ``share`` become
    one string object. Sections under ``small`` bytes are left to the line-by-line
    reader (as fast there, without numpy's fixed costs). Column ``distinct`` (the
    ballots) is, when it can be, not decoded voter by voter: its distinct texts (in
    order of first appearance) and each line's index among them go to
    ``distinct_out`` and its list stays empty.
    """
    if distinct_out is None:
        distinct_out = []
    if len(data) <= start:
        return [[] for _ in range(width)]
    if len(data) - start < small:
        return None  # a few hundred lines: the line-by-line reader is as fast
    buf = np.frombuffer(data, np.uint8, offset=start)
    if buf[-1] != _LF or bool((buf == 34).any()) or (not crlf and bool((buf == _CR).any())):
        return None  # quotes, or a CR that is not a line end: the line-by-line reader
    nl = np.flatnonzero(buf == _LF)
    n = nl.size
    starts = np.empty(n, np.int64)
    starts[0] = 0
    starts[1:] = nl[:-1] + 1
    if crlf:
        cr = np.flatnonzero(buf == _CR)
        if cr.size != n or not bool((cr == nl - 1).all()):
            return None  # a CR that does not end a line
        del cr
    if bool((nl - starts <= int(crlf)).any()) or width - 1 > 127:
        return None  # a blank line, or more columns than the int8 column index holds
    semi = np.flatnonzero(buf == _SEMI)
    if semi.size != n * (width - 1):
        return None
    if width > 1:
        per_line = np.diff(np.searchsorted(semi, nl), prepend=0)
        if not bool((per_line == width - 1).all()):
            return None  # some line has more semicolons, another fewer
        del per_line
    cuts = semi.reshape(n, width - 1)
    if 0 <= distinct < width:  # the ballot fields' bounds, kept before the cuts go
        lo = starts.copy() if distinct == 0 else cuts[:, distinct - 1] + 1
        hi = cuts[:, distinct].copy() if distinct < width - 1 else nl - int(crlf)
    # the column of every byte: +1 after each ';', back to 0 at each line start
    col = np.zeros(buf.size, np.int8)
    col[semi + 1] = 1
    col[starts[1:]] = -(width - 1)
    del semi, cuts, starts, nl
    np.cumsum(col, out=col)
    out: list[list[str]] = []
    for c in range(width):
        if c == distinct:
            found = _distinct(buf, lo, hi)
            del lo, hi
            if found is not None:
                out.append([])
                distinct_out.append(found)
                continue
        picked = buf[col == c]  # the column's fields, each with the separator after it
        if c < width - 1:
            picked[picked == _SEMI] = _LF
        elif crlf:
            picked = picked[picked != _CR]
        chunk = picked.tobytes()
        del picked
        try:
            values = chunk.decode("utf-8").split("\n")
        except UnicodeDecodeError:  # pragma: no cover - the body was valid UTF-8 text
            return None
        del chunk
        values.pop()
        out.append(_shared(values) if c in share else values)
    return out
