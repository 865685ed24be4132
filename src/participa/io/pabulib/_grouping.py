"""Ballots grouped into a profile's rows: exact set and value words, or a checked hash.

The byte spans (:mod:`._spans`) give each voter's items as project columns (and
values: points, ranks). Here voters with the same ballot become one row of the
profile's matrix, grouped by first appearance:

* approval sets of at most 256 projects, and valued ballots whose values fit one
  64-bit word, are their own exact keys (:func:`group_sets`, :func:`group_values`);
* anything else gets an order-free hash of its ``(project, value)`` pairs, and every
  voter's ballot is then checked entry by entry against its group's row
  (:func:`group_ballots`), so a hash collision can only send the reader down the
  column-wise path, never merge two ballots.

A project named twice on a ballot counts once (:func:`drop_repeats`), as in the
column-wise reading.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa._bytekeys import _U64, Index, IntArray, U64Array, _first_order, _mix
from participa.io.pabulib._spans import _TOKENS, Tokens

__all__ = ["Repeats", "drop_repeats", "group_ballots", "group_sets", "group_values"]


def _cells(inv: IntArray, rows: Index, cols: Index, m: int) -> IntArray:
    """The flattened matrix cell of each item: its voter's group row, its project column."""
    at = inv[rows]
    at *= m
    at += cols
    return at


def _any_repeat(n: int, tok: Tokens, m: int) -> bool:
    """Whether some ballot names a project twice."""
    rows, cols = tok.row, tok.cols
    longest = int(tok.counts.max()) if n else 0
    if longest <= 2:  # each item against the one before it on the same ballot
        return longest == 2 and bool(((cols[1:] == cols[:-1]) & (rows[1:] == rows[:-1])).any())
    if m <= _MARK_CELLS:  # voters a block at a time: a mark per (voter, project) cell
        per = _MARK_CELLS // m
        seen = np.zeros(per * m, np.bool_)
        ends = np.cumsum(tok.counts, dtype=np.int64)
        for g0 in range(0, n, per):
            g1 = min(g0 + per, n)
            lo = int(ends[g0 - 1]) if g0 else 0
            hi = int(ends[g1 - 1])
            cell = rows[lo:hi] - rows.dtype.type(g0)  # below ``per``: the cells fit int32
            cell = cell.astype(np.int32, copy=False) * np.int32(m)
            cell += cols[lo:hi]
            seen[cell] = True
            if int(np.count_nonzero(seen[: (g1 - g0) * m])) != hi - lo:
                return True
            seen[cell] = False
        return False
    wide = n * m >= 2**31  # rows * m + cols in int64 then, never wrapped in int32
    pair: Index = rows.astype(np.int64 if wide else np.int32)  # one temporary, in place
    pair *= m
    pair += cols
    pair.sort()
    return bool((pair[1:] == pair[:-1]).any())


_MARK_CELLS = 1 << 20
"""(voter, project) cells :func:`_any_repeat` marks at a time (a 1 MiB temporary)."""


@attrs.frozen(slots=True)
class Repeats:
    """What :func:`drop_repeats` dropped: for the ``duplicate-project`` anomaly."""

    voters: int
    """Voters whose ballot names a project twice."""
    first: int
    """The first such voter (file order)."""
    column: int
    """The project repeated first on that voter's ballot (its column)."""


def drop_repeats(
    n: int, tok: Tokens, values: IntArray | None, m: int, *, ranks: bool
) -> tuple[Tokens, IntArray | None, Repeats | None]:
    """A project named twice on one ballot counts once: the items without the repeats.

    The first item stays where it is; points (``values``) are the last ones given,
    ranks (``ranks``: values are positions) are renumbered from 1 along the ballot
    that remains, approval is a set: the column-wise reading's interpretation. The
    tokens come back unchanged (and ``None``) when no ballot repeats a project.

    Examples
    --------
    >>> t = Tokens(np.array([0, 0, 0, 1]), np.zeros(0, np.int64), np.zeros(0, np.int64),
    ...            np.array([3, 1]), np.array([2, 1, 2, 0]))
    >>> u, v, r = drop_repeats(2, t, np.array([5, 6, 7, 8]), 3, ranks=False)
    >>> u.row.tolist(), u.cols.tolist(), u.counts.tolist(), v.tolist(), r
    ([0, 0, 1], [2, 1, 0], [2, 1], [7, 6, 8], Repeats(voters=1, first=0, column=2))
    >>> drop_repeats(2, t, np.array([1, 2, 3, 1]), 3, ranks=True)[1].tolist()
    [1, 2, 1]
    """
    if not _any_repeat(n, tok, m):
        return tok, values, None
    rows, cols = tok.row, tok.cols
    pair = rows.astype(np.int64) * m + cols  # rare: a stable sort of (voter, project) pairs
    order = np.argsort(pair, kind="stable")
    pair = pair[order]
    same = pair[1:] == pair[:-1]  # an item and the one after it in its (voter, project) run
    del pair
    later = np.zeros(rows.size, np.bool_)
    later[order[1:][same]] = True  # every item but the first of its run
    if values is not None and not ranks:  # the run's first item takes its last's points
        head = np.ones(rows.size, np.bool_)
        head[1:] = ~same
        tail = np.ones(rows.size, np.bool_)
        tail[:-1] = ~same
        values = values.copy()
        values[order[head]] = values[order[tail]]
    del order, same
    dropped = rows[later]
    ballot = np.flatnonzero(rows == dropped[0]) if dropped.size else np.zeros(0, np.int64)
    items = cols[ballot].tolist()
    info = Repeats(
        int(np.unique(dropped).size),
        int(dropped[0]),
        next(c for c in items if items.count(c) > 1),
    )
    keep = ~later
    counts = tok.counts - np.bincount(dropped, minlength=n).astype(tok.counts.dtype)
    kept = Tokens(rows[keep], tok.start[:0], tok.length[:0], counts, cols[keep])
    if values is not None:
        if ranks:  # positions along the ballot that remains
            offsets = np.cumsum(counts) - counts
            values = np.arange(kept.row.size, dtype=np.int64) - np.repeat(offsets, counts) + 1
        else:
            values = values[keep]
    return kept, values, info


_SET_BITS = 64
"""Most projects for which :func:`group_sets` keys a ballot by its set of projects."""

_SET_WORDS = 4
"""Most words of a set :func:`group_sets` keys ballots by (up to 256 projects)."""

_BYTE_BITS = np.array([bin(b).count("1") for b in range(256)], np.int64)


def _popcount(x: U64Array) -> IntArray:
    """The number of 1 bits of each word (``numpy.bitwise_count`` where numpy has it)."""
    count = getattr(np, "bitwise_count", None)
    if count is not None:
        out: IntArray = count(x).astype(np.int64)
        return out
    per_byte = _BYTE_BITS[x.view(np.uint8).reshape(x.size, 8)]  # pragma: no cover - numpy 1.x
    return per_byte.sum(axis=1)  # type: ignore[no-any-return]  # pragma: no cover


def group_sets(n: int, tok: Tokens, m: int) -> tuple[npt.NDArray[np.bool_], Index, IntArray] | None:
    """Approval ballots grouped by their sets, exactly and at once, when that is cheap.

    A ballot over at most 64 projects is one 64-bit word (bit ``j``: project column
    ``j``), and one that names at most one project is that project: exact keys, no
    hashing, nothing to check afterwards. Over 65 to 256 projects a set is a few words:
    voters are grouped by a hash of them, then every voter's words are compared with its
    group's (a hash collision sends the reading to :func:`group_ballots`, never merges two
    ballots). ``(rows, inverse, multiplicity)`` as :func:`group_ballots` gives them
    (groups by first appearance), or ``None`` when some ballot names a project twice (its
    words have fewer bits than the ballot has items) or ballots name several of more than
    256 projects: :func:`drop_repeats` and :func:`group_ballots` then take it.

    Examples
    --------
    >>> t = Tokens(np.array([0, 0, 1, 1, 3]), np.zeros(0, np.int64), np.zeros(0, np.int64),
    ...            np.array([2, 2, 0, 1]), np.array([2, 0, 0, 2, 1]))
    >>> mat, inv, mult = group_sets(4, t, 3)
    >>> mat.astype(int).tolist(), inv.tolist(), mult.tolist()
    ([[1, 0, 1], [0, 0, 0], [0, 1, 0]], [0, 0, 1, 2], [2, 1, 1])
    >>> group_sets(1, Tokens(t.row[:2], t.start, t.length, np.array([2]), np.array([1, 1])), 3)
    >>> one = Tokens(np.array([0, 2]), t.start, t.length, np.array([1, 0, 1]), np.array([99, 99]))
    >>> mat, inv, mult = group_sets(3, one, 100)
    >>> [np.flatnonzero(r).tolist() for r in mat], inv.tolist(), mult.tolist()
    ([[99], []], [0, 1, 0], [2, 1])
    >>> cols = np.array([70, 1, 1, 70, 3], np.int32)
    >>> wide = Tokens(None, cols[:0], cols[:0], np.array([2, 2, 0, 1], np.int32), cols)
    >>> mat, inv, mult = group_sets(4, wide, 80)  # two words a ballot
    >>> [np.flatnonzero(r).tolist() for r in mat], inv.tolist(), mult.tolist()
    ([[1, 70], [], [3]], [0, 0, 1, 2], [2, 1, 1])
    """
    counts = tok.counts
    if n and int(counts.max()) <= 1:  # at most one project a ballot: its column is the key
        return _group_singles(n, tok, m)
    if m > _SET_WORDS * _SET_BITS:
        return None
    words = -(-m // _SET_BITS)
    keys = np.zeros((words, n), np.uint64)
    nonempty = np.flatnonzero(counts)
    if nonempty.size:
        offsets = np.cumsum(counts, dtype=np.int64)
        offsets -= counts
        starts = offsets[nonempty]
        del offsets
        cols = tok.cols
        if words == 1:
            bit = cols.astype(np.uint64)
            np.left_shift(_U64(1), bit, out=bit)
            keys[0, nonempty] = np.bitwise_or.reduceat(bit, starts)
        else:
            bit = np.left_shift(_U64(1), (cols & (_SET_BITS - 1)).astype(np.uint64))
            word = cols >> 6  # (64 bits a word)
            for w in range(words):  # (each word's bits a temporary of its own, freed at once)
                keys[w, nonempty] = np.bitwise_or.reduceat(np.where(word == w, bit, 0), starts)
            del word
        del bit, starts
    bits = _popcount(keys[0])
    for w in range(1, words):
        bits += _popcount(keys[w])
    if not np.array_equal(bits, counts):
        return None  # a project twice on some ballot
    del bits
    h = keys[0]  # one word: the set itself, an exact key
    for w in range(1, words):
        h = _mix(h)
        h ^= keys[w]
    first, inv = _first_order(h)
    del h
    for w in range(words if words > 1 else 0):  # every voter's words are its group's: exact
        if not np.array_equal(keys[w][first][inv], keys[w]):
            return None  # pragma: no cover - a 64-bit collision
    rows = np.ascontiguousarray(keys[:, first].T).astype("<u8", copy=False)
    del keys  # little-endian: a row's byte 0 holds its bits 0-7
    mat = np.empty((first.size, m), np.bool_)
    for a in range(0, first.size, _TOKENS):  # a block of rows at a time: small temporaries
        part8 = rows[a : a + _TOKENS].view(np.uint8).reshape(-1, 8 * words)
        mat[a : a + _TOKENS] = np.unpackbits(part8, axis=1, count=m, bitorder="little")
    mult = np.bincount(inv, minlength=first.size).astype(np.int64)
    return mat, inv, mult


def _group_singles(n: int, tok: Tokens, m: int) -> tuple[npt.NDArray[np.bool_], Index, IntArray]:
    """:func:`group_sets` when no ballot names more than one project (choose-1, mostly)."""
    key = np.zeros(n, np.intp)  # 0: an empty ballot, else 1 + the project's column
    named = np.flatnonzero(tok.counts)  # (one item at most: the ballots with one)
    key[named] = tok.cols
    key[named] += 1
    # each key's first voter, from a table of the m + 1 keys: written from the last voter
    # to the first, each key's earliest voter is written last (and checked below)
    every = np.arange(n, dtype=np.intp)
    seen = np.full(m + 1, n, np.intp)
    seen[key[::-1]] = every[::-1]
    claimed = seen[key]
    if bool((claimed <= every).all()):
        first = np.sort(seen[seen < n])
        code = np.empty(m + 1, np.intp)
        code[key[first]] = np.arange(first.size, dtype=np.intp)
        inv: Index = code[key]
    else:  # pragma: no cover - numpy kept another than the last of repeated writes
        first, inv = _first_order(key.view(np.uint64))
    del every, claimed, seen
    rows = key[first]
    mat = np.zeros((first.size, m), np.bool_)
    named = np.flatnonzero(rows)
    mat[named, rows[named] - 1] = True
    mult = np.bincount(inv, minlength=first.size).astype(np.int64)
    return mat, inv, mult


def group_values(
    n: int, tok: Tokens, values: IntArray, m: int, dtype: type[np.generic]
) -> tuple[npt.NDArray[Any], Index, IntArray] | None:
    """:func:`group_ballots` with exact keys, when every ballot fits one 64-bit word.

    With values (points, ranks) from 1 to ``2**b - 1`` and ``m × b <= 64``, project
    ``j``'s value takes bits ``b j`` to ``b j + b - 1`` of its ballot's word: the word
    is the ballot (no project is named twice: :func:`drop_repeats` first), so voters
    are grouped by it exactly, with nothing to check afterwards, and each group's row
    is read back from its word. ``None`` when the ballots do not fit (or a value is
    below 1): :func:`group_ballots` then hashes.

    >>> t = Tokens(None, np.zeros(0, np.int32), np.zeros(0, np.int32), np.array([2, 2, 0, 2]),
    ...            np.array([2, 0, 0, 2, 2, 0]))
    >>> mat, inv, mult = group_values(4, t, np.array([1, 3, 3, 1, 1, 3]), 3, np.int8)
    >>> mat.tolist(), inv.tolist(), mult.tolist()
    ([[3, 0, 1], [0, 0, 0]], [0, 0, 1, 0], [3, 1])
    """
    if not values.size:
        return None
    low, top = int(values.min()), int(values.max())
    bits = top.bit_length()
    if low < 1 or m * bits > 64:
        return None
    key = np.zeros(n, np.uint64)
    nonempty = np.flatnonzero(tok.counts)
    if nonempty.size:
        offsets = np.cumsum(tok.counts, dtype=np.int64)
        offsets -= tok.counts
        shift = tok.cols.astype(np.uint64)
        shift *= _U64(bits)
        word = np.left_shift(values.astype(np.uint64), shift)
        del shift
        key[nonempty] = np.bitwise_or.reduceat(word, offsets[nonempty])
        del word, offsets
    first, inv = _first_order(key)
    rows = key[first]
    del key
    shifts = np.arange(m, dtype=np.uint64) * _U64(bits)
    mask = _U64((1 << bits) - 1)
    mat = np.empty((first.size, m), dtype)
    for a in range(0, first.size, _TOKENS):  # a block of rows at a time: small temporaries
        part = (rows[a : a + _TOKENS, None] >> shifts[None, :]) & mask
        mat[a : a + _TOKENS] = part
    mult = np.bincount(inv, minlength=first.size).astype(np.int64)
    return mat, inv, mult


def group_ballots(
    n: int, tok: Tokens, values: IntArray | None, m: int, dtype: type[np.generic]
) -> tuple[npt.NDArray[Any], Index, IntArray] | None:
    """Voters grouped by ballot: ``(rows, inverse, multiplicity)``, groups by first appearance.

    ``values`` is each item's value in the matrix (``None``: approval, ``True``). No
    ballot may name a project twice (:func:`drop_repeats` first). ``None`` (never seen)
    when a hash collision would merge different ballots: every voter's ballot is
    checked against its group's row.
    """
    rows, cols = tok.row, tok.cols
    # each ballot's order-free hash: the sum of its items' mixed (project, value) pairs,
    # ballots a block at a time (temporaries of a few bytes per item of one block)
    h = np.zeros(n, np.uint64)
    offsets = np.cumsum(tok.counts, dtype=rows.dtype)
    offsets -= tok.counts
    total = rows.size
    # blocks of whole ballots of about _TOKENS items each
    cuts = np.unique(np.searchsorted(offsets, np.arange(0, total, _TOKENS), side="right") - 1)
    for g0, g1 in zip(cuts.tolist(), [*cuts[1:].tolist(), n][: cuts.size], strict=True):
        if g0 < 0 or g1 <= g0:
            continue
        lo = int(offsets[g0])
        hi = int(offsets[g1]) if g1 < n else total
        if hi == lo:
            continue
        contrib = cols[lo:hi].astype(np.uint64)
        if values is not None:
            contrib <<= _U64(32)
            contrib |= values[lo:hi].astype(np.uint64)
        contrib = _mix(contrib)
        nonempty = np.flatnonzero(tok.counts[g0:g1])
        h[g0 + nonempty] = np.add.reduceat(contrib, offsets[g0 + nonempty] - lo)
    del offsets
    first, inv = _first_order(h)
    del h
    k = first.size
    mat = np.zeros((k, m), dtype)
    is_rep = np.zeros(n, np.bool_)
    is_rep[first] = True
    flat = mat.reshape(-1)
    for a in range(0, total, _TOKENS):  # the representatives' items fill the rows
        at = _cells(inv, rows[a : a + _TOKENS], cols[a : a + _TOKENS], m)
        rep = is_rep[rows[a : a + _TOKENS]]
        flat[at[rep]] = True if values is None else values[a : a + _TOKENS][rep]
    for a in range(0, total, _TOKENS):  # every voter's items are its group's row
        got = flat[_cells(inv, rows[a : a + _TOKENS], cols[a : a + _TOKENS], m)]
        want = True if values is None else values[a : a + _TOKENS]
        if not bool(got.all() if values is None else (got == want).all()):
            return None  # pragma: no cover - a 64-bit collision
    if not np.array_equal(tok.counts[first][inv], tok.counts):
        return None  # pragma: no cover - a 64-bit collision
    mult = np.bincount(inv, minlength=k).astype(np.int64)
    return mat, inv, mult
