"""The VOTES section as byte spans: every field located with numpy, no row objects.

The VOTES section is nearly all of a large file. When it is plain (no quotes, every
line with the header's number of fields, no blank line, no stray CR), this module
finds each field's byte span with numpy over the section's UTF-8 bytes and reads:

* the ``vote`` (and ``points``) fields without one Python object per voter: the
  items between commas are matched to project ids by their bytes (ids of at most 7
  bytes are their own exact key; longer ones are keyed by a 64-bit hash and then
  compared word by word); voters are then grouped by ballot (:mod:`._grouping`);
* the ``voter_id`` column and every other column as
  :class:`~participa.model.TextColumn` spans of the section's own bytes: no string per
  voter is made until one is read.

Whatever needs a closer look (an unknown id, a project twice, 0 points, a padded
number, weights, an approval file with points) makes the reader
(``_votes._votes_spans``) give up; it then takes the column-wise path, which reports
the problem with its line. Nothing here is slower than linear in the section, and the
temporaries are a few bytes per item.

Examples
--------
>>> data = b"1;a,b;x\\n2;b,a;y\\n3;c;x\\n"
>>> s = VoteSpans.find(data, 0, 3, crlf=False)
>>> list(s.column(0)), list(s.column(2))
(['1', '2', '3'], ['x', 'y', 'x'])
>>> t = s.ballots(1, {"a": 0, "b": 1, "c": 2})
>>> t.cols.tolist(), t.counts.tolist()
([0, 1, 1, 0, 2], [2, 2, 1])
>>> VoteSpans.find(b"1;a;x\\n2;b\\n", 0, 3, crlf=False) is None  # a short row
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa._bytekeys import (
    _ALL,
    _MASKS,
    _MULTIPLIERS,
    _U64,
    Index,
    IntArray,
    U64Array,
    _chunks,
    _keys,
    _short_keys,
    _words,
)
from participa.model.text import TextColumn

__all__ = ["Tokens", "VoteSpans", "line_ends", "match_ids"]

_LF, _CR, _SEMI, _COMMA = 10, 13, 59, 44


_TOKENS = 1 << 14
"""Ballot items matched to project ids at a time."""


_BYTES = 1 << 20
"""Bytes searched at a time by :func:`_positions`."""


def _positions(buf: npt.NDArray[np.uint8], byte: int, dtype: np.dtype[Any]) -> Index:
    """Offsets of ``byte`` in ``buf`` as ``dtype``, found a slice at a time (no ``int64`` copy).

    >>> _positions(np.frombuffer(b"a,b,,c", np.uint8), 44, np.dtype(np.int32)).tolist()
    [1, 3, 4]
    """
    parts = []
    for a in range(0, buf.size, _BYTES):
        part: Index = np.flatnonzero(buf[a : a + _BYTES] == byte).astype(dtype)
        if a:
            part += a  # in place: the offsets fit ``dtype`` (the caller chose it for the size)
        parts.append(part)
    if len(parts) == 1:  # a section under 1 MiB: no copy to join
        return parts[0]
    out: Index = np.concatenate(parts) if parts else np.zeros(0, dtype)
    return out


def line_ends(data: bytes, size: int) -> Index:
    """Offsets of every ``\\n`` in ``data[:size]``: ``int32`` below 2 GiB, else ``int64``.

    >>> line_ends(b"ab\\nc\\n\\nzz", 6).tolist()
    [2, 4, 5]
    """
    index: type[np.signedinteger[Any]] = np.int32 if size < 2**31 - 64 else np.int64
    return _positions(np.frombuffer(data, np.uint8, count=size), _LF, np.dtype(index))


@attrs.frozen(slots=True)
class Tokens:
    """The comma-separated items of one column: each one's voter, span and place on the ballot.

    ``row`` may be given as ``None``: it is then made from ``counts`` when first read
    (grouping approval ballots by their sets never needs it).

    >>> Tokens(None, np.zeros(0, np.int32), np.zeros(0, np.int32), np.array([2, 0, 1])).row
    array([0, 0, 2])
    """

    _row: Index | None = attrs.field(alias="row")
    start: Index
    length: Index
    counts: Index
    """Items per voter (0 for an empty field)."""
    cols: Index = attrs.field(factory=lambda: np.zeros(0, np.int64))
    """Project column of each item (``ballots`` only)."""

    @property
    def row(self) -> Index:
        """Each item's voter (its data line among the section's)."""
        if self._row is None:
            voters = np.arange(self.counts.size, dtype=self.counts.dtype)
            object.__setattr__(self, "_row", np.repeat(voters, self.counts))
        assert self._row is not None
        return self._row


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
    data: memoryview | None = None
    """The whole text's bytes (``buf`` is ``data[offset:]``), for columns kept as spans."""
    offset: int = 0

    @classmethod
    def find(
        cls,
        data: bytes,
        start: int,
        width: int,
        *,
        crlf: bool,
        pad: int = 0,
        line_ends: Index | None = None,
    ) -> VoteSpans | None:
        """The spans of ``data[start:len(data) - pad]``, whose lines all end with ``\n`` (``\r\n``).

        ``pad`` trailing bytes are no part of the text: with 8 of them the 8-byte words
        at every offset are read in place (else from a padded copy). ``line_ends``, when
        the caller has them, are the offsets of every ``\n`` of that text, counted from
        ``start`` (else they are found here). ``None`` when a closer look is needed:
        quotes, a CR inside a line, a blank line, a line with more or fewer fields than
        ``width``.
        """
        size = len(data) - pad - start
        buf = np.frombuffer(data, np.uint8, count=size, offset=start)
        if not buf.size or buf[-1] != _LF or width < 1:
            return None
        end = start + size
        if data.find(b'"', start, end) != -1:  # (a byte search in C: no temporary)
            return None
        index: type[np.signedinteger[Any]] = np.int32 if size < 2**31 - 64 else np.int64
        if line_ends is None:
            nl = np.flatnonzero(buf == _LF).astype(index)
        else:
            nl = line_ends.astype(index, copy=False)
        n = int(nl.size)
        if crlf:  # every line ends with CR LF, and no other CR: each CR is one before a LF
            ends = nl - 1
            if int(np.count_nonzero(buf == _CR)) != n or (n and int(ends[0]) < 0):
                return None
            if not bool((buf[ends] == _CR).all()):
                return None
        else:
            if data.find(b"\r", start, end) != -1:
                return None
            ends = nl
        starts = np.empty(n, index)
        starts[0] = 0
        starts[1:] = nl[:-1] + 1
        del nl
        if bool((ends <= starts).any()):
            return None  # a blank line
        semi = _positions(buf, _SEMI, np.dtype(index))
        if semi.size != n * (width - 1):
            return None
        cuts = semi.reshape(n, width - 1)
        if width > 1 and not (
            bool((cuts[:, 0] >= starts).all()) and bool((cuts[:, -1] < ends).all())
        ):
            return None  # the count is right and the semicolons sorted: each line has width-1
        spans = cls(buf, n, width, starts, ends, cuts)
        spans.data = memoryview(data)
        spans.offset = start
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

    def column(self, c: int) -> TextColumn:
        """Column ``c`` as a :class:`~participa.model.TextColumn` over the section's bytes.

        No copy and no string: each value is the span of its field, which lies inside
        one line (so holds no line feed) of text that was decoded as UTF-8.
        """
        lo, hi = self.field(c)
        if self.data is None:
            return TextColumn._from_spans(self.buf.tobytes(), lo, hi, line_free=True)
        if self.offset + self.buf.size >= 2**31 - 64:  # offsets of the whole text: int64
            lo, hi = lo.astype(np.int64), hi.astype(np.int64)
        # over the whole text (its 8 spare bytes let duplicate checks read words in place)
        return TextColumn._from_spans(self.data, lo + self.offset, hi + self.offset, line_free=True)

    def items(self, c: int) -> Tokens | None:
        """The comma-separated items of column ``c``; ``None`` if an item is empty."""
        lo, hi = self.field(c)
        commas = _positions(self.buf, _COMMA, lo.dtype)
        # the fields are disjoint and in file order: each one's commas are commas[first_in:past]
        past = np.searchsorted(commas, hi).astype(lo.dtype)  # offsets' width, not int64
        first_in = np.empty_like(past)
        if past.size:  # when no comma lies between fields, each field's first is the past one
            first_in[0] = np.searchsorted(commas, lo[0])
            first_in[1:] = past[:-1]
            # ``first_in`` never decreases: the fields with a comma at or after them come first
            k = int(np.searchsorted(first_in, commas.size))
            if not bool((commas[first_in[:k]] >= lo[:k]).all()):
                first_in = np.searchsorted(commas, lo).astype(lo.dtype)  # commas in between
        per = past - first_in
        if int(per.sum()) != commas.size:  # commas in other columns too: keep this column's
            edge = np.bincount(first_in, minlength=commas.size + 1)
            edge -= np.bincount(past, minlength=commas.size + 1)
            commas = commas[np.cumsum(edge[:-1]) > 0]
            del edge
        del first_in, past
        per += 1
        per[hi <= lo] = 0
        counts = per  # items per voter, as narrow as the offsets
        del per
        last = np.cumsum(counts, dtype=lo.dtype)  # each ballot's last item (+1 for now)
        total = int(last[-1]) if last.size else 0
        last -= 1
        if int(np.count_nonzero(counts)) == self.n:  # no empty field: no index array
            full: slice | Index = slice(None)
            first = last - counts
        else:
            full = np.flatnonzero(counts)
            last = last[full]
            first = last - counts[full]
        first += 1  # each ballot's first item
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
        return Tokens(None, start, length, counts)  # each item's voter: when needed

    def ballots(self, c: int, pidx: Mapping[str, int]) -> Tokens | None:
        """The items of column ``c`` with their projects' columns; ``None`` for an unknown id."""
        tok = self.items(c)
        if tok is None:
            return None
        cols = np.empty(tok.start.size, tok.counts.dtype)
        match = _id_matcher(list(pidx), list(pidx.values()))  # one table for every slice
        for a in range(0, max(cols.size, 1), _TOKENS):  # a slice at a time: small temporaries
            start, length = tok.start[a : a + _TOKENS], tok.length[a : a + _TOKENS]
            if not match(self.words, start, length, cols[a : a + _TOKENS]):
                return None
        empty = np.zeros(0, np.int64)  # the spans are not needed any more
        return Tokens(tok._row, empty, empty, tok.counts, cols)

    def numbers(self, tok: Tokens) -> IntArray | None:
        """Items read as whole numbers of 1 to 9 digits; ``None`` if one is not."""
        if not tok.length.size:
            return np.zeros(0, np.int64)
        longest = int(tok.length.max())
        if longest > 9:
            return None
        value = np.zeros(tok.length.size, np.int64)
        for p in range(longest):
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
        table = _short_table(raw, columns)
        if table is not None:
            return _match_short(words, start, length, table)
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


_Matcher = Callable[[U64Array, Index, Index, Index], bool]
"""Items ``(words, start, length)`` matched to project columns written into ``out``;
``False`` (``out`` partly written) when some item is no project id."""


def _id_matcher(ids: Sequence[str], columns: Sequence[int]) -> _Matcher:
    """How :meth:`VoteSpans.ballots` matches items to ``ids``, the ids' table built once.

    Ids of at most 7 bytes are their own keys (:func:`_match_short_into`), ids of at
    most 16 bytes their two words and length (:func:`_match_pair_into`); longer ones go
    through :func:`match_ids`. Every path is exact.
    """
    raw = [p.encode("utf-8") for p in ids]
    longest = max(map(len, raw), default=0)
    short = _short_table(raw, columns) if raw and longest <= 7 else None
    if short is not None:
        return lambda words, start, length, out: _match_short_into(words, start, length, short, out)
    pairs = _pair_table(raw, columns) if 7 < longest <= 16 else None
    if pairs is not None:
        return lambda words, start, length, out: _match_pair_into(words, start, length, pairs, out)

    def hashed(words: U64Array, start: Index, length: Index, out: Index) -> bool:
        got = match_ids(words, start, length, ids, columns)
        if got is None or (got.size and int(got.min()) < 0):
            return False
        out[:] = got
        return True

    return hashed


_ShortTable = tuple[int, int, Index, U64Array, IntArray]
"""A collision-free multiply-shift table of short ids: bits, multiplier, slot → id row,
each row's key (the last: no id) and column."""


def _short_table(raw: Sequence[bytes], columns: Sequence[int]) -> _ShortTable | None:
    """The table :func:`_match_short` looks items up in (ids of at most 7 bytes)."""
    id_key = [int.from_bytes(b, "little") | (len(b) << 56) for b in raw]
    found = _key_table(id_key)
    if found is None:  # pragma: no cover - no table without collisions
        return None
    bits, mul, table = found
    # row m's key is no item's: a short text's top byte is at most 7, a longer one's key
    # 2**64 - 1 (an item that lands there never matches, whatever its length)
    id_keys = np.array([*id_key, _ALL - 1], np.uint64)
    id_col = np.array([*columns, -1], np.int64)
    return bits, mul, table, id_keys, id_col


def _key_table(id_key: Sequence[int]) -> tuple[int, int, Index] | None:
    """The smallest collision-free multiply-shift table of distinct 64-bit keys: bits,
    multiplier, and slot → key's row (row ``len(id_key)``: no key); ``None`` when there
    is none up to 2**20 slots."""
    m = len(id_key)
    found: tuple[int, int, list[int]] | None = None
    low = max(4, m.bit_length() + 1)
    need = _fewest_bits(id_key)
    for bits in range(max(low, min(need)), 21):
        for mul, fewest in zip(_MULTIPLIERS, need, strict=True):
            if fewest > bits:
                continue  # this multiplier puts two ids in one slot of ``bits`` bits
            slots = [((k * mul) & _ALL) >> (64 - bits) for k in id_key]
            if len(set(slots)) == m:
                found = bits, mul, slots
                break
        if found is not None:
            break
    if found is None:  # pragma: no cover - no table without collisions
        return None
    bits, mul, slots = found
    table = np.full(1 << bits, m, np.int32)  # row m: no key (keys number below 2**31)
    table[slots] = np.arange(m)
    return bits, mul, table


_PairTable = tuple[int, int, Index, U64Array, U64Array, IntArray, IntArray]
"""Ids of at most 16 bytes in a multiply-shift table: bits, multiplier, slot → id row,
each row's two words and length (the last row: no id, length -1) and column."""

_PAIR_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)
"""Odd constants mixing an id's two words into the key its slot comes from."""


def _pair_key(w0: Any, w1: Any, n: Any) -> Any:
    """``w0 × a + w1 × b + n`` (mod 2**64): ints or ``uint64`` arrays alike."""
    return w0 * _PAIR_MIX[0] + w1 * _PAIR_MIX[1] + n


def _pair_table(raw: Sequence[bytes], columns: Sequence[int]) -> _PairTable | None:
    """The table :func:`_match_pair_into` looks items up in (ids of at most 16 bytes).

    ``None`` when two ids share a key (the caller then matches with :func:`match_ids`).
    """
    m = len(raw)
    w0 = [int.from_bytes(b[:8], "little") for b in raw]
    w1 = [int.from_bytes(b[8:16], "little") for b in raw]
    id_key = [_pair_key(a, b, len(r)) & _ALL for a, b, r in zip(w0, w1, raw, strict=True)]
    if len(set(id_key)) < m:  # pragma: no cover - two ids on one 64-bit key
        return None
    found = _key_table(id_key)
    if found is None:  # pragma: no cover - no table without collisions
        return None
    bits, mul, table = found
    id_w0 = np.array([*w0, 0], np.uint64)
    id_w1 = np.array([*w1, 0], np.uint64)
    id_len = np.array([*map(len, raw), -1], np.int64)  # no item has length -1
    id_col = np.array([*columns, -1], np.int64)
    return bits, mul, table, id_w0, id_w1, id_len, id_col


def _match_pair_into(
    words: U64Array, start: Index, length: Index, table: _PairTable, out: Index
) -> bool:
    """Each item's column among ids of at most 16 bytes, written into ``out``; ``False``
    (``out`` partly written) when some item is no project id.

    An item and an id match when their lengths and both 8-byte words (the bytes past
    each one's end zeroed) are equal: the same bytes.

    >>> w = _words(np.frombuffer(b"a-long-id,b,a-long-id-2,a-long-id-3x", np.uint8))
    >>> table = _pair_table([b"a-long-id", b"b", b"a-long-id-2"], [5, 6, 7])
    >>> out = np.zeros(3, np.int32)
    >>> _match_pair_into(w, np.array([0, 10, 12]), np.array([9, 1, 11]), table, out)
    True
    >>> out.tolist()
    [5, 6, 7]
    >>> _match_pair_into(w, np.array([24]), np.array([13]), table, out[:1])  # no id
    False
    """
    bits, mul, slots, id_w0, id_w1, id_len, id_col = table
    n = length.astype(np.intp)
    w0 = words[start]
    w0 &= _MASKS[np.minimum(n, 8)]
    w1 = words[np.minimum(start + 8, words.size - 1)]  # (past the end: masked to nothing)
    w1 &= _MASKS[np.clip(n - 8, 0, 8)]
    at = _pair_key(w0, w1, n.astype(np.uint64))
    at *= _U64(mul)
    at >>= _U64(64 - bits)
    row = slots[at]
    del at
    ok = id_len[row] == n
    ok &= id_w0[row] == w0
    ok &= id_w1[row] == w1
    if not bool(ok.all()):
        return False
    np.take(id_col.astype(out.dtype, copy=False), row, out=out, mode="clip")
    return True


_FEW_IDS = 24
"""Fewer ids than this: :func:`_short_table` tries table sizes from the smallest."""


def _fewest_bits(id_key: Sequence[int]) -> list[int]:
    """For each of :data:`_MULTIPLIERS`, a lower bound on the bits of a table it can fill.

    With ``bits`` bits, a multiplier gives distinct slots exactly when every two keys'
    products (mod 2**64) differ in their top ``bits`` bits: over the sorted products,
    each neighbour pair's highest differing bit must lie among them, so ``bits`` is at
    least 64 minus the highest bit of the smallest neighbour difference (``xor``). One
    sort a multiplier reads it off; the float logarithm can only round that highest bit
    up, so the bound never exceeds the true one (the caller's trial decides).

    Below :data:`_FEW_IDS` ids, trying the sizes in turn is cheaper: ``1`` each.

    >>> keys = [int.from_bytes(str(i).encode(), "little") for i in range(1, 41)]
    >>> need = _fewest_bits(keys)
    >>> [len({((k * mul) & _ALL) >> (65 - b) for k in keys}) for mul, b in zip(_MULTIPLIERS, need)]
    [39, 39, 39, 39]
    """
    if len(id_key) < _FEW_IDS:
        return [1] * len(_MULTIPLIERS)
    prods = np.array(id_key, np.uint64)[None, :] * np.array(_MULTIPLIERS, np.uint64)[:, None]
    prods.sort(axis=1)
    gaps = prods[:, 1:] ^ prods[:, :-1]  # never 0: distinct keys times an odd number
    top = np.floor(np.log2(gaps.min(axis=1).astype(np.float64)))  # highest bit, or above
    return [64 - int(t) for t in top.tolist()]


def _short_rows(
    words: U64Array, start: Index, length: Index, table: _ShortTable
) -> tuple[Index, npt.NDArray[np.bool_]]:
    """Each item's table row, and whether the row's id is the item (exact keys)."""
    bits, mul, slots, id_keys, _ = table
    keys = _short_keys(words, start, length)
    at = keys * _U64(mul)
    at >>= _U64(64 - bits)
    row: Index = slots[at]
    return row, id_keys[row] == keys


def _match_short(words: U64Array, start: Index, length: Index, table: _ShortTable) -> IntArray:
    """:func:`match_ids` for ids of at most 7 bytes: exact keys in a multiply-shift table."""
    row, ok = _short_rows(words, start, length, table)
    out: IntArray = np.where(ok, table[4][row], -1)
    return out


def _match_short_into(
    words: U64Array, start: Index, length: Index, table: _ShortTable, out: Index
) -> bool:
    """:func:`_match_short` written into ``out``; ``False`` (``out`` partly written) when
    some item is no project id."""
    row, ok = _short_rows(words, start, length, table)
    if not bool(ok.all()):
        return False
    id_col = table[4]
    # every row is one of the table's (``clip`` never clips): written in place, unbuffered
    np.take(id_col.astype(out.dtype, copy=False), row, out=out, mode="clip")
    return True
