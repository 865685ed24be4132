"""The VOTES section as byte spans: every field located with numpy, ballots hashed, no row objects.

The VOTES section is nearly all of a large file. When it is plain (no quotes, every
line with the header's number of fields, no blank line, no stray CR), this module
finds each field's byte span with numpy over the section's UTF-8 bytes and reads:

* the ``vote`` (and ``points``) fields without one Python object per voter: the
  items between commas are matched to project ids by their bytes (ids of at most 7
  bytes are their own exact key; longer ones are keyed by a 64-bit hash and then
  compared word by word), each ballot gets an order-free hash of its
  ``(project, value)`` pairs, voters are grouped by that hash, and every voter's
  ballot is then checked entry by entry against its group's row, so a hash
  collision can only send the reader down the column-wise path, never merge two
  ballots;
* the ``voter_id`` column as one string per voter, and every other column as one
  string per *distinct* value shared by all the voters who wrote it.

Whatever needs a closer look (an unknown id, a project twice, 0 points, a padded
number, weights, an approval file with points) makes the reader
(``_votes._votes_spans``) give up; it then takes the column-wise path, which reports
the problem with its line. Nothing here is slower than linear in the section, and the
temporaries are a few bytes per item.

Examples
--------
>>> data = b"1;a,b;x\\n2;b,a;y\\n3;c;x\\n"
>>> s = VoteSpans.find(data, 0, 3, crlf=False)
>>> s.texts(0), s.texts(2)
(['1', '2', '3'], ['x', 'y', 'x'])
>>> t = s.ballots(1, {"a": 0, "b": 1, "c": 2})
>>> t.cols.tolist(), t.counts.tolist()
([0, 1, 1, 0, 2], [2, 2, 1])
>>> VoteSpans.find(b"1;a;x\\n2;b\\n", 0, 3, crlf=False) is None  # a short row
True
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["Tokens", "VoteSpans", "group_ballots"]

_LF, _CR, _SEMI, _COMMA, _QUOTE = 10, 13, 59, 44, 34
_U64 = np.uint64
_ALL = (1 << 64) - 1
IntArray = npt.NDArray[np.int64]
Index = npt.NDArray[np.signedinteger[Any]]
"""Byte offsets and item numbers: ``int32`` below 2 GiB (half the memory), else ``int64``."""
U64Array = npt.NDArray[np.uint64]


def _mix(x: U64Array) -> U64Array:
    """splitmix64's finaliser, elementwise (wrapping ``uint64`` arithmetic)."""
    out: U64Array = x + _U64(0x9E3779B97F4A7C15)  # a new array, then updated in place
    out ^= out >> _U64(30)
    out *= _U64(0xBF58476D1CE4E5B9)
    out ^= out >> _U64(27)
    out *= _U64(0x94D049BB133111EB)
    out ^= out >> _U64(31)
    return out


def _words(data: npt.NDArray[np.uint8]) -> U64Array:
    """``data`` as one little-endian ``uint64`` at every byte offset (8 zero bytes appended)."""
    padded = np.zeros(data.size + 8, np.uint8)
    padded[: data.size] = data
    words: U64Array = np.ndarray((data.size + 1,), dtype="<u8", buffer=padded, strides=(1,))
    return words


def _chunks(words: U64Array, lo: Index, lens: Index, count: int) -> list[U64Array]:
    """The ``count`` 8-byte words of each text ``[lo, lo + lens)``, bytes past its end zeroed."""
    out = []
    for w in range(count):
        left = np.clip(lens - 8 * w, 0, 8).astype(np.uint64)
        mask = np.where(left >= 8, _U64(_ALL), (_U64(1) << (left * _U64(8))) - _U64(1))
        out.append(words[np.minimum(lo + 8 * w, words.size - 1)] & mask)
    return out


_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93)
"""Odd 64-bit constants tried, in order, for a collision-free table of short project ids."""
_TOKENS = 1 << 16
"""Ballot items matched to project ids at a time."""
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)], np.uint64)


def _short_keys(words: U64Array, lo: Index, lens: Index) -> U64Array:
    """Texts of at most 7 bytes as exact keys: their bytes, and their length in the top byte.

    Longer texts get ``2**64 - 1``, which no short text has (its top byte is at most 7).
    """
    short = lens <= 7
    word = words[np.minimum(lo, words.size - 1)] & _MASKS[np.where(short, lens, 0)]
    key: U64Array = np.where(short, word | (lens.astype(np.uint64) << _U64(56)), _U64(_ALL))
    return key


def _keys(chunks: Sequence[U64Array], lens: Index) -> U64Array:
    """One 64-bit key per text from its words and its length."""
    key = _mix(lens.astype(np.uint64))
    for c in chunks:
        key = _mix(key ^ c)
    return key


def _first_order(keys: U64Array) -> tuple[IntArray, IntArray]:
    """Distinct ``keys`` in order of first appearance: (first index of each, index of each key).

    Each key's first appearance is found through a table indexed by a multiply-shift
    hash of the key (no sort); keys whose slot another key took try the next
    multiplier. The result is checked (every key points at an equal key at or before
    it, so at its first appearance); should anything be off, :func:`numpy.unique`
    decides.

    Examples
    --------
    >>> [a.tolist() for a in _first_order(np.array([7, 3, 7, 5, 3], np.uint64))]
    [[0, 1, 3], [0, 1, 0, 2, 1]]
    """
    n = keys.size
    index: type[np.signedinteger[Any]] = np.int32 if n < 2**31 else np.int64
    every = np.arange(n, dtype=index)
    rep = np.empty(n, index)
    todo = every
    bits = max(8, min(24, (2 * n).bit_length()))
    table = np.empty(1 << bits, index)  # only slots written in a round are read in it
    for mul in _MULTIPLIERS:
        k = keys[todo]
        slot = ((k * _U64(mul)) >> _U64(64 - bits)).astype(np.intp)
        table[slot[::-1]] = todo[::-1]  # the earliest key of each slot, if written in order
        got = table[slot]
        ok = keys[got] == k
        rep[todo[ok]] = got[ok]
        todo = todo[~ok]
        if not todo.size:
            break
    if todo.size or not bool((rep <= every).all()):
        return _first_order_sorted(keys)
    del table, todo
    firsts = np.flatnonzero(rep == every)
    code = np.empty(n, np.int64)
    code[firsts] = np.arange(firsts.size)
    inv: IntArray = code[rep]
    return firsts, inv


def _first_order_sorted(keys: U64Array) -> tuple[IntArray, IntArray]:
    """:func:`_first_order` by sorting."""
    n = keys.size
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    _u, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.ravel()
    first = np.empty(_u.size, np.int64)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    inv: IntArray = rank[inverse].astype(np.int64)
    return first[order], inv


@attrs.frozen(slots=True)
class Tokens:
    """The comma-separated items of one column: each one's voter, span and place on the ballot."""

    row: Index
    start: Index
    length: Index
    counts: IntArray
    """Items per voter (0 for an empty field)."""
    cols: Index = attrs.field(factory=lambda: np.zeros(0, np.int64))
    """Project column of each item (``ballots`` only)."""


@attrs.define(slots=True)
class VoteSpans:
    """Every field of the data lines of an unquoted VOTES section, as byte offsets."""

    buf: npt.NDArray[np.uint8]
    n: int
    width: int
    starts: Index
    ends: Index
    """Each line's end (its ``\\n``, or its ``\\r`` for CRLF files)."""
    cuts: Index
    """``n x (width - 1)`` offsets of the semicolons."""
    _words: U64Array | None = None

    @classmethod
    def find(
        cls, data: bytes, start: int, width: int, *, crlf: bool, pad: int = 0
    ) -> VoteSpans | None:
        """The spans of ``data[start:len(data) - pad]``, whose lines all end with ``\n`` (``\r\n``).

        ``pad`` trailing bytes are no part of the text: with 8 of them the 8-byte words
        at every offset are read in place (else from a padded copy). ``None`` when a
        closer look is needed: quotes, a CR inside a line, a blank line, a line with
        more or fewer fields than ``width``.
        """
        size = len(data) - pad - start
        buf = np.frombuffer(data, np.uint8, count=size, offset=start)
        if not buf.size or buf[-1] != _LF or width < 1:
            return None
        if bool((buf == _QUOTE).any()):
            return None
        index: type[np.signedinteger[Any]] = np.int32 if size < 2**31 - 64 else np.int64
        nl = np.flatnonzero(buf == _LF).astype(index)
        n = int(nl.size)
        if crlf:
            cr = np.flatnonzero(buf == _CR).astype(index)
            if cr.size != n or not bool((cr == nl - 1).all()):
                return None
            ends = cr
        else:
            if bool((buf == _CR).any()):
                return None
            ends = nl
        starts = np.empty(n, index)
        starts[0] = 0
        starts[1:] = nl[:-1] + 1
        del nl
        if bool((ends <= starts).any()):
            return None  # a blank line
        semi = np.flatnonzero(buf == _SEMI).astype(index)
        if semi.size != n * (width - 1):
            return None
        cuts = semi.reshape(n, width - 1)
        if width > 1 and not (
            bool((cuts[:, 0] >= starts).all()) and bool((cuts[:, -1] < ends).all())
        ):
            return None  # the count is right and the semicolons sorted: each line has width-1
        spans = cls(buf, n, width, starts, ends, cuts)
        if pad >= 8:
            spans._words = np.ndarray(
                (size + 1,), dtype="<u8", buffer=data, offset=start, strides=(1,)
            )
        return spans

    def field(self, c: int) -> tuple[Index, Index]:
        """Start and end offsets of column ``c`` in every line."""
        lo = self.starts if c == 0 else self.cuts[:, c - 1] + 1
        hi = self.cuts[:, c] if c < self.width - 1 else self.ends
        return lo, hi

    @property
    def words(self) -> U64Array:
        if self._words is None:
            self._words = _words(self.buf)
        return self._words

    def _gather(self, lo: Index, hi: Index) -> list[str]:
        """The texts ``buf[lo[i]:hi[i]]``, decoded in one piece and split."""
        size = hi - lo + 1  # each text and a line feed after it
        ends = np.cumsum(size, dtype=lo.dtype)
        at = np.repeat(lo - (ends - size), size)
        at += np.arange(at.size, dtype=at.dtype)
        picked = self.buf[np.minimum(at, self.buf.size - 1, out=at)]
        del at
        picked[ends - 1] = _LF
        chunk = picked.tobytes()
        del picked
        out = chunk.decode("utf-8").split("\n")
        out.pop()
        return out

    def texts(self, c: int) -> list[str]:
        """Column ``c`` as one string per line."""
        if not self.n:
            return []
        return self._gather(*self.field(c))

    def shared(self, c: int) -> tuple[str, ...]:
        """Column ``c``, one string object per distinct value (shared by every line holding it)."""
        if not self.n:
            return ()
        lo, hi = self.field(c)
        lens = hi - lo
        count = -(-int(lens.max()) // 8)
        same = count <= 8
        if int(lens.max()) <= 7:  # short values: their bytes are the key
            first, inv = _first_order(_short_keys(self.words, lo, lens))
        elif same:  # longer: grouped by a key of their bytes, checked word by word
            chunks = _chunks(self.words, lo, lens, count)
            first, inv = _first_order(_keys(chunks, lens))
            same = np.array_equal(lens[first][inv], lens)
            same = same and all(np.array_equal(ch[first][inv], ch) for ch in chunks)
        if not same:  # long free text (or a 64-bit collision): the strings themselves
            values = self.texts(c)
            canon = dict(zip(values, values, strict=True))
            return tuple(map(canon.__getitem__, values))
        if first.size * 8 < self.n:
            raw = self.buf.data
            distinct = [
                str(raw[a:b], "utf-8")
                for a, b in zip(lo[first].tolist(), hi[first].tolist(), strict=True)
            ]
        else:
            distinct = self._gather(lo[first], hi[first])
        got = operator.itemgetter(*inv.tolist())(distinct)
        return got if isinstance(got, tuple) else (got,)

    def shared_tail(self, c: int) -> list[tuple[str, ...]] | None:
        """Columns ``c`` to the last, as :meth:`shared` gives them, grouped by the line's tail.

        Voters often share the whole tail of their line (age, sex, district, ...): each
        distinct tail is split once. ``None`` when tails are long or mostly distinct
        (then column by column is cheaper).
        """
        lo, hi = self.field(c)
        hi = self.ends
        lens = hi - lo
        if not self.n or int(lens.max()) > 64:
            return None
        chunks = _chunks(self.words, lo, lens, -(-int(lens.max()) // 8))
        first, inv = _first_order(_keys(chunks, lens))
        if first.size * 4 > self.n:
            return None
        same = np.array_equal(lens[first][inv], lens)
        if not (same and all(np.array_equal(ch[first][inv], ch) for ch in chunks)):
            return None  # pragma: no cover - a 64-bit collision
        raw = self.buf.data
        tails = [
            str(raw[a:b], "utf-8").split(";")
            for a, b in zip(lo[first].tolist(), hi[first].tolist(), strict=True)
        ]
        codes = operator.itemgetter(*inv.tolist())
        out: list[tuple[str, ...]] = []
        for k in range(self.width - c):
            canon: dict[str, str] = {}
            values = [canon.setdefault(t[k], t[k]) for t in tails]
            got = codes(values)
            out.append(got if isinstance(got, tuple) else (got,))
        return out

    def items(self, c: int) -> Tokens | None:
        """The comma-separated items of column ``c``; ``None`` if an item is empty."""
        lo, hi = self.field(c)
        commas = np.flatnonzero(self.buf == _COMMA).astype(lo.dtype)
        first_in = np.searchsorted(commas, lo)  # the fields are disjoint and in file order:
        past = np.searchsorted(commas, hi)  # each one's commas are commas[first_in:past]
        per = past - first_in
        if int(per.sum()) != commas.size:  # commas in other columns too: keep this column's
            edge = np.bincount(first_in, minlength=commas.size + 1)
            edge -= np.bincount(past, minlength=commas.size + 1)
            commas = commas[np.cumsum(edge[:-1]) > 0]
            del edge
        del first_in, past
        counts = np.where(hi > lo, per + 1, 0).astype(np.int64)
        del per
        total = int(counts.sum())
        full = np.flatnonzero(counts)
        first = (np.cumsum(counts) - counts)[full]  # each ballot's first item
        last = first + counts[full] - 1
        start = np.empty(total, lo.dtype)
        other = np.ones(total, np.bool_)
        other[first] = False
        start[first] = lo[full]
        start[other] = commas + 1  # commas and items are both in file order
        end = np.empty(total, lo.dtype)
        other[:] = True
        other[last] = False
        end[last] = hi[full]
        end[other] = commas
        del other, commas
        length = end - start
        del end
        if total and int(length.min()) <= 0:
            return None
        rows = np.repeat(np.arange(self.n, dtype=lo.dtype), counts)
        return Tokens(rows, start, length, counts)

    def ballots(self, c: int, pidx: Mapping[str, int]) -> Tokens | None:
        """The items of column ``c`` with their projects' columns; ``None`` for an unknown id."""
        tok = self.items(c)
        if tok is None:
            return None
        cols = np.empty(tok.row.size, tok.row.dtype)
        ids, at = list(pidx), list(pidx.values())
        for a in range(0, max(cols.size, 1), _TOKENS):  # a slice at a time: small temporaries
            got = match_ids(
                self.words, tok.start[a : a + _TOKENS], tok.length[a : a + _TOKENS], ids, at
            )
            if got is None or (got.size and int(got.min()) < 0):
                return None
            cols[a : a + _TOKENS] = got
        empty = np.zeros(0, np.int64)  # the spans are not needed any more
        return Tokens(tok.row, empty, empty, tok.counts, cols)

    def numbers(self, tok: Tokens) -> IntArray | None:
        """Items read as whole numbers of 1 to 9 digits; ``None`` if one is not."""
        if not tok.length.size:
            return np.zeros(0, np.int64)
        if int(tok.length.max()) > 9:
            return None
        value = np.zeros(tok.length.size, np.int64)
        for p in range(9):
            on = tok.length > p
            digit = self.buf[np.minimum(tok.start + p, self.buf.size - 1)].astype(np.int64) - 48
            if bool((on & ((digit < 0) | (digit > 9))).any()):
                return None
            value = np.where(on, value * 10 + digit, value)
        return value


def match_ids(
    words: U64Array,
    start: Index,
    length: Index,
    ids: Sequence[str],
    columns: Sequence[int],
) -> IntArray | None:
    """The column of each item ``[start, start + length)`` among ``ids`` (``-1``: none).

    ``words`` is the text as one ``uint64`` at every byte offset (:func:`_words`). Items
    and ids are keyed by 64 bits of their bytes, then their words compared, so a match is
    exact. ``None`` when two ids share a key (never seen; the caller then matches text
    by text).

    Examples
    --------
    >>> w = _words(np.frombuffer(b"ab,c,abc,a-long-project-id", np.uint8))
    >>> match_ids(w, np.array([0, 3, 5, 9]), np.array([2, 1, 3, 17]),
    ...           ["ab", "c", "a-long-project-id"], [0, 1, 2]).tolist()
    [0, 1, -1, 2]
    """
    if not ids:
        return np.full(start.size, -1, np.int64)
    raw = [p.encode("utf-8") for p in ids]
    longest = max(map(len, raw))
    if longest <= 7:
        found = _match_short(words, start, length, raw, columns)
        if found is not None:
            return found
    count = -(-longest // 8)
    id_lens = np.array([len(b) for b in raw], np.int64)
    id_text = np.frombuffer(b"".join(raw), np.uint8)
    id_chunks = _chunks(_words(id_text), np.cumsum(id_lens) - id_lens, id_lens, count)
    id_keys = _keys(id_chunks, id_lens)
    order = np.argsort(id_keys, kind="stable")
    sorted_keys = id_keys[order]
    if np.unique(sorted_keys).size != len(raw):  # pragma: no cover - a 64-bit collision
        return None
    fits = length <= longest
    chunks = _chunks(words, start, np.where(fits, length, 0), count)
    keys = _keys(chunks, length)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(raw) - 1)
    cand = order[at]
    ok = (sorted_keys[at] == keys) & fits & (id_lens[cand] == length)
    for ch, idc in zip(chunks, id_chunks, strict=True):
        ok &= idc[cand] == ch
    out: IntArray = np.where(ok, np.asarray(columns, np.int64)[cand], -1)
    return out


def _match_short(
    words: U64Array, start: Index, length: Index, raw: Sequence[bytes], columns: Sequence[int]
) -> IntArray | None:
    """:func:`match_ids` for ids of at most 7 bytes: exact keys in a multiply-shift table."""
    m = len(raw)
    id_key = [int.from_bytes(b, "little") | (len(b) << 56) for b in raw]
    found: tuple[int, int, list[int]] | None = None
    for bits in range(max(4, m.bit_length() + 1), 21):
        for mul in _MULTIPLIERS:
            slots = [((k * mul) & _ALL) >> (64 - bits) for k in id_key]
            if len(set(slots)) == m:
                found = bits, mul, slots
                break
        if found is not None:
            break
    if found is None:  # pragma: no cover - no table without collisions
        return None
    bits, mul, slots = found
    table = np.full(1 << bits, m, np.int64)  # row m: no id
    table[slots] = np.arange(m)
    id_keys = np.array([*id_key, _ALL], np.uint64)  # 2**64 - 1 is no short text's key
    id_col = np.array([*columns, -1], np.int64)
    keys = _short_keys(words, start, length)
    at = table[(keys * _U64(mul)) >> _U64(64 - bits)]
    out: IntArray = np.where(id_keys[at] == keys, id_col[at], -1)
    return out


def group_ballots(
    n: int, tok: Tokens, values: IntArray | None, m: int, dtype: type[np.generic]
) -> tuple[npt.NDArray[Any], IntArray, IntArray] | None:
    """Voters grouped by ballot: ``(rows, inverse, multiplicity)``, groups by first appearance.

    ``values`` is each item's value in the matrix (``None``: approval, ``True``).
    ``None`` when a ballot names a project twice, or (never seen) when a hash
    collision would merge different ballots: every voter's ballot is checked
    against its group's row.
    """
    rows, cols = tok.row, tok.cols
    longest = int(tok.counts.max()) if n else 0
    if longest <= 8:  # each item against the few before it on the same ballot
        for d in range(1, longest):
            if bool(((cols[d:] == cols[:-d]) & (rows[d:] == rows[:-d])).any()):
                return None  # a project twice on one ballot
    else:
        pair = rows * m + cols
        pair = np.sort(pair.astype(np.int32) if n * m < 2**31 else pair)
        if bool((pair[1:] == pair[:-1]).any()):
            return None
    contrib = cols.astype(np.uint64)
    if values is not None:
        contrib <<= _U64(32)
        contrib |= values.astype(np.uint64)
    contrib = _mix(contrib)
    h = np.zeros(n, np.uint64)
    nonempty = np.flatnonzero(tok.counts)
    if nonempty.size:
        offsets = np.cumsum(tok.counts) - tok.counts
        h[nonempty] = np.add.reduceat(contrib, offsets[nonempty])
        del offsets
    del contrib, nonempty
    first, inv = _first_order(h)
    del h
    k = first.size
    mat = np.zeros((k, m), dtype)
    is_rep = np.zeros(n, np.bool_)
    is_rep[first] = True
    at = inv[rows]  # each item's cell in the flattened rows
    at *= m
    at += cols
    flat = mat.reshape(-1)
    rep = is_rep[rows]
    flat[at[rep]] = True if values is None else values[rep]
    del rep
    if rows.size:
        got = flat[at]
        if not bool(got.all() if values is None else (got == values).all()):
            return None  # pragma: no cover - a 64-bit collision
    if not np.array_equal(tok.counts[first][inv], tok.counts):
        return None  # pragma: no cover - a 64-bit collision
    mult = np.bincount(inv, minlength=k).astype(np.int64)
    return mat, inv, mult
