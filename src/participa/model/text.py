"""A compact, immutable column of texts: UTF-8 bytes and offsets, strings made only when read.

A large pabulib file has one voter id per voter and often a few more per-voter
columns (age, sex, voting method, district). Held as one Python ``str`` per value, they
cost about 50 bytes each and most of a reader's time. A :class:`TextColumn` holds the
values as spans of one UTF-8 byte buffer (the file's own bytes when the reader made it,
else the values' encoding laid end to end) with two numpy offset arrays, and makes a
``str`` only for the value asked for.

It is a :class:`~collections.abc.Sequence` of ``str``: indexing, ``len``, iteration,
``in`` and ``index`` behave as on the tuple it replaces, and it compares and hashes like
that tuple (``TextColumn(["a"]) == ("a",)``), so code written for ``Voters.ids`` as a
tuple keeps working. Slicing gives a :class:`TextColumn`. It pickles as its packed bytes
and offsets, and :mod:`participa.serialize` writes it as a JSON array of strings.

Examples
--------
>>> col = TextColumn(["217759", "217760", "Łódź"])
>>> len(col), col[0], col[-1], list(col[1:])
(3, '217759', 'Łódź', ['217760', 'Łódź'])
>>> col == ("217759", "217760", "Łódź"), "217760" in col, col.index("Łódź")
(True, True, 2)
>>> TextColumn(["a", "b", "a"]).first_duplicate()
2
>>> import pickle
>>> pickle.loads(pickle.dumps(col)) == col
True
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from participa._bytekeys import _U64, _chunks, _first_order, _keys, _short_keys, _words
from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _

__all__ = ["TextColumn"]

_LF = 10
_ENC = "utf-8"
_ERRORS = "surrogatepass"  # a str read from text with lone surrogates round-trips
_WORDS_MAX = 8
"""Texts longer than this many 8-byte words are checked for duplicates as strings."""
_BLOCK = 1 << 14
"""Values keyed at a time by :meth:`TextColumn.first_duplicate`."""

Offsets = npt.NDArray[np.signedinteger[Any]]


class TextColumn(Sequence[str]):
    """An immutable sequence of texts stored as UTF-8 bytes with numpy offsets.

    Parameters
    ----------
    values
        The texts, in order (any iterable of ``str``).

    Notes
    -----
    Memory is the texts' UTF-8 bytes plus two offsets per value (no Python object per
    value). Reading one value costs one decode; iterating decodes the whole column in
    one piece. The pabulib reader builds columns over the file's own bytes, without a
    copy.

    Examples
    --------
    >>> TextColumn(["x", "y"])
    TextColumn(['x', 'y'])
    >>> TextColumn("xy")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: a text column is built from a sequence of texts, ...
    """

    __slots__ = ("_buf", "_hash", "_line_free", "_start", "_stop")

    _buf: memoryview
    _start: Offsets
    _stop: Offsets
    _line_free: bool | None
    _hash: int | None

    def __init__(self, values: Iterable[str] = ()) -> None:
        if isinstance(values, str | bytes | bytearray):
            raise ValidationError(
                _(
                    "a text column is built from a sequence of texts, not one text {values!r}",
                    values=values[:40],
                )
            )
        if isinstance(values, TextColumn):
            self._set(values._buf, values._start, values._stop, values._line_free)
            return
        try:
            items = list(values)
        except TypeError:
            raise ValidationError(
                _("a text column needs texts, got {kind}", kind=type(values).__name__)
            ) from None
        bad = [v for v in items if not isinstance(v, str)][:1]
        if bad:
            raise ValidationError(
                _("a text column holds only texts, got {value!r}", value=bad[0]),
                hint=_("convert the values with str() first"),
            )
        joined = "\n".join(items)
        if joined.count("\n") == len(items) - 1:  # no line feed inside: they mark the ends
            data = (joined + "\n").encode(_ENC, _ERRORS) if items else b""
            del joined
            stop = np.flatnonzero(np.frombuffer(data, np.uint8) == _LF)
            start = np.empty_like(stop)
            start[:1] = 0
            start[1:] = stop[:-1] + 1
            self._set(memoryview(data), start, stop, True)
            return
        del joined
        encoded = [v.encode(_ENC, _ERRORS) for v in items]
        lens = np.fromiter(map(len, encoded), np.int64, len(encoded))
        stop = np.cumsum(lens)
        self._set(memoryview(b"".join(encoded)), stop - lens, stop, None)

    def _set(self, buf: memoryview, start: Offsets, stop: Offsets, line_free: bool | None) -> None:
        start.setflags(write=False)
        stop.setflags(write=False)
        self._buf = buf
        self._start = start
        self._stop = stop
        self._line_free = line_free
        self._hash = None

    @classmethod
    @checked
    def of(cls, values: Iterable[str]) -> TextColumn:
        """``values`` itself when it is a :class:`TextColumn`, else a new one holding them.

        >>> col = TextColumn(["a"])
        >>> TextColumn.of(col) is col, TextColumn.of(("a",)) == col
        (True, True)
        """
        return values if isinstance(values, TextColumn) else cls(values)

    @classmethod
    def _from_spans(
        cls,
        data: bytes | memoryview,
        start: Offsets,
        stop: Offsets,
        *,
        line_free: bool,
    ) -> TextColumn:
        """The texts ``data[start[i]:stop[i]]``, over ``data`` itself (no copy).

        The caller vouches that every span is valid UTF-8 and, when ``line_free``, that
        no span holds a line feed (the pabulib reader's fields lie inside one line).
        """
        out = cls.__new__(cls)
        out._set(memoryview(data).cast("B"), start, stop, line_free if line_free else None)
        return out

    # -- the sequence -------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._start.size)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> TextColumn: ...
    def __getitem__(self, index: int | slice) -> str | TextColumn:
        if isinstance(index, slice):
            out = TextColumn.__new__(TextColumn)
            out._set(self._buf, self._start[index], self._stop[index], self._line_free)
            return out
        try:
            i = operator.index(index)
        except TypeError:
            raise ValidationError(
                _("a text column is indexed by a whole number, got {index!r}", index=index)
            ) from None
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return str(self._buf[int(self._start[i]) : int(self._stop[i])], _ENC, _ERRORS)

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    def __reversed__(self) -> Iterator[str]:
        return reversed(self.tolist())

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self.tolist()

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The first position of ``value`` (as :meth:`tuple.index`)."""
        texts = self.tolist()
        return texts.index(value, start, len(texts) if stop is None else stop)

    def count(self, value: Any) -> int:
        """How many values equal ``value`` (as :meth:`tuple.count`)."""
        return self.tolist().count(value)

    def tolist(self) -> list[str]:
        """Every value as a ``str``, decoded in one piece.

        >>> TextColumn(["a", "", "ñ"]).tolist()
        ['a', '', 'ñ']
        """
        n = len(self)
        if not n:
            return []
        packed = self._gather(separator=True)
        text = str(packed, _ENC, _ERRORS)
        if self._line_free or text.count("\n") == n:
            out = text.split("\n")
            out.pop()
            return out
        buf, start, stop = self._buf, self._start.tolist(), self._stop.tolist()
        return [str(buf[a:b], _ENC, _ERRORS) for a, b in zip(start, stop, strict=True)]

    def _lengths(self) -> npt.NDArray[np.int64]:
        out: npt.NDArray[np.int64] = (self._stop - self._start).astype(np.int64)
        return out

    def _gather(self, *, separator: bool = False) -> bytes:
        """The values' bytes end to end (each followed by a line feed when ``separator``)."""
        n = len(self)
        lens = self._lengths()
        if not n:
            return b""
        start = self._start.astype(np.int64)
        if (
            not separator
            and int(lens.sum()) == int(self._stop[-1] - self._start[0])
            and (n == 1 or bool((start[1:] == self._stop[:-1]).all()))
        ):
            return bytes(self._buf[int(start[0]) : int(self._stop[-1])])  # already packed
        size = lens + int(separator)
        ends = np.cumsum(size)
        at = np.repeat(start - (ends - size), size)
        at += np.arange(at.size, dtype=at.dtype)
        data = np.frombuffer(self._buf, np.uint8)
        if not data.size:  # every value is empty
            return b"\n" * n if separator else b""
        picked = data[np.minimum(at, data.size - 1)]
        if separator:
            picked[ends - 1] = _LF
        out: bytes = picked.tobytes()
        return out

    # -- value semantics ----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TextColumn):
            if len(self) != len(other):
                return False
            if (
                self._buf is other._buf
                and np.array_equal(self._start, other._start)
                and np.array_equal(self._stop, other._stop)
            ):
                return True
            return bool(np.array_equal(self._lengths(), other._lengths())) and (
                self._gather() == other._gather()
            )
        if isinstance(other, tuple):
            return len(other) == len(self) and tuple(self.tolist()) == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self.tolist()))  # as the tuple it equals
        return self._hash

    def __repr__(self) -> str:
        n = len(self)
        head = [self[i] for i in range(min(n, 5))]
        if n <= 5:
            return f"TextColumn({head!r})"
        return f"TextColumn({head!r}[:-1] + [... {n:,} texts])"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpack, (self._gather(), self._lengths()))

    @classmethod
    def __participa_decode__(cls, data: Any) -> TextColumn:
        """The column from its JSON form, an array of strings (:mod:`participa.serialize`)."""
        if not isinstance(data, list):
            raise ValidationError(_("expected an array of texts, got {data!r}", data=data))
        return cls(data)

    # -- checks -------------------------------------------------------------------------------

    def has_line_break(self) -> bool:
        """Whether some value holds a line feed (``\\n``).

        >>> TextColumn(["a", "b\\nc"]).has_line_break(), TextColumn(["a"]).has_line_break()
        (True, False)
        """
        if self._line_free is None:
            self._line_free = b"\n" not in self._gather()
        return not self._line_free

    def first_line_break(self) -> str | None:
        """The first value holding a line feed, or ``None``."""
        if not self.has_line_break():
            return None
        return next(v for v in self.tolist() if "\n" in v)

    def first_duplicate(self) -> int | None:
        """The position of the first value equal to an earlier one, or ``None`` (exact).

        Values are keyed with numpy by their bytes (exactly for at most 7 bytes, else by a
        64-bit hash of their 8-byte words); only values whose keys collide are compared
        as strings, so the answer is exact.

        >>> TextColumn(["p1", "p2", "p3"]).first_duplicate() is None
        True
        >>> TextColumn(["a-long-voter-id-1", "x", "a-long-voter-id-1"]).first_duplicate()
        2
        """
        n = len(self)
        if n < 2:
            return None
        lens = self._stop - self._start  # as narrow as the offsets
        longest = int(lens.max())
        if longest > 8 * _WORDS_MAX:
            return _first_repeat(self.tolist(), np.arange(n))
        data = np.frombuffer(self._buf, np.uint8)
        if data.size >= int(self._stop.max()) + 8:  # every text's words lie in the buffer
            words: npt.NDArray[np.uint64] = np.ndarray(
                (data.size - 7,), dtype="<u8", buffer=self._buf, strides=(1,)
            )
        else:
            words = _words(data)
        if _ascending(words, self._start, lens, longest):
            return None  # in (length, bytes) order, each value above the one before it
        del lens
        keys = np.empty(n, np.uint64)
        for a in range(0, n, _BLOCK):  # a block at a time: temporaries of one block only
            start = self._start[a : a + _BLOCK]
            part = self._stop[a : a + _BLOCK] - start
            if longest <= 7:
                keys[a : a + _BLOCK] = _short_keys(words, start, part)  # exact
            else:
                keys[a : a + _BLOCK] = _keys(_chunks(words, start, part, -(-longest // 8)), part)
        del words
        firsts, inv = _first_order(keys)
        del keys
        if firsts.size == n:
            return None  # distinct keys: distinct values
        if longest <= 7:  # exact keys: a value repeats where it is not its key's first
            return int(np.flatnonzero(firsts[inv] != np.arange(n))[0])
        # every position whose key another one shares, checked as strings
        suspects = np.flatnonzero(np.bincount(inv, minlength=firsts.size)[inv] > 1)
        return _first_repeat([self[int(i)] for i in suspects], suspects)


_PROBE = 64
"""Values :func:`_ascending` looks at first, to give up cheaply on unordered columns."""

_PROBE_FROM = 4096
"""Columns longer than this are probed first (shorter ones cost little more in full)."""


def _ascending(words: npt.NDArray[np.uint64], start: Offsets, lens: Offsets, longest: int) -> bool:
    """Whether every text comes after the one before it, in one of two orders.

    Then no two are equal, whatever their bytes: a strictly increasing sequence has no
    repeat. Most published files number their voters ``1, 2, 3, ...`` (by length, then
    bytes) or sort them as texts (``1, 10, 100, 11, ...``: by bytes, then length), which
    this finds with a few passes and no hashing. Each text's 8-byte words are read
    big-endian, with the bytes past its end zeroed, so comparing them in turn compares
    the texts' bytes. ``False`` when neither order holds (the caller then hashes).

    >>> w = _words(np.frombuffer(b"9101112abcdefghij", np.uint8))
    >>> _ascending(w, np.array([0, 1, 3, 5]), np.array([1, 2, 2, 2]), 2)  # 9 10 11 12
    True
    >>> _ascending(w, np.array([1, 3, 5, 0]), np.array([2, 2, 2, 1]), 2)  # 10 11 12 9
    True
    >>> _ascending(w, np.array([1, 0, 3]), np.array([2, 1, 2]), 2)  # 10 9 11
    False
    >>> _ascending(w, np.array([7, 8]), np.array([9, 9]), 9)  # abcdefghi < bcdefghij
    True
    """
    if longest <= 7:
        return _ascending_short(words, start, lens)
    if start.size > _PROBE_FROM and not _ascending(
        words, start[: _PROBE + 1], lens[: _PROBE + 1], int(lens[: _PROBE + 1].max())
    ):
        return False  # a long column out of order from its start: not read in full
    # each text's words, big-endian with the bytes past its end zeroed: read once
    be = [w.byteswap() for w in _chunks(words, start, lens, -(-longest // 8))]
    return _rising([lens, *be]) or _rising([*be, lens])


def _ascending_short(words: npt.NDArray[np.uint64], start: Offsets, lens: Offsets) -> bool:
    """:func:`_ascending` for texts of at most 7 bytes: one 64-bit key per text and order.

    A short key (:func:`~participa._bytekeys._short_keys`: the bytes, the length in the
    top byte) read big-endian holds the bytes first-byte-most-significant and the length
    in the low byte: it compares as (bytes, length); rotated by a byte, as (length, bytes).

    >>> w = _words(np.frombuffer(b"9101112", np.uint8))
    >>> _ascending_short(w, np.array([0, 1, 3, 5]), np.array([1, 2, 2, 2]))  # 9 10 11 12
    True
    >>> _ascending_short(w, np.array([1, 3, 5, 0]), np.array([2, 2, 2, 1]))  # 10 11 12 9
    True
    >>> _ascending_short(w, np.array([1, 0, 1]), np.array([2, 1, 2]))  # 10 9 10
    False
    """
    word = _short_keys(words, start, lens).byteswap()  # (bytes, length)
    key = word >> _U64(8)
    key |= word << _U64(56)  # (length, bytes)
    if bool((key[1:] > key[:-1]).all()):
        return True
    return bool((word[1:] > word[:-1]).all())


def _rising(keys: Sequence[npt.NDArray[Any]]) -> bool:
    """Whether each position's keys are above the previous position's, compared in turn.

    >>> _rising([np.array([1, 2, 2]), np.array([9, 0, 1])])
    True
    >>> _rising([np.array([1, 2, 2]), np.array([9, 1, 1])])
    False
    """
    tied: npt.NDArray[np.bool_] | None = None  # pairs equal on every key so far
    for key in keys:
        before, after = key[:-1], key[1:]
        down = after < before
        if tied is None:
            if bool(down.any()):
                return False
            tied = after == before
        else:
            if bool((tied & down).any()):
                return False
            tied &= after == before
        if not bool(tied.any()):
            return True
    return tied is None or not bool(tied.any())


def _first_repeat(values: Sequence[str], where: npt.NDArray[Any]) -> int | None:
    """The first ``where[k]`` whose value appeared at an earlier ``k`` (``where`` ascending)."""
    seen: set[str] = set()
    for value, at in zip(values, where.tolist(), strict=True):
        if value in seen:
            return int(at)
        seen.add(value)
    return None


def _unpack(packed: bytes, lengths: npt.NDArray[np.int64]) -> TextColumn:
    """A column from its packed bytes and lengths (what pickling a :class:`TextColumn` stores)."""
    lens = np.asarray(lengths, np.int64)
    stop = np.cumsum(lens)
    out = TextColumn.__new__(TextColumn)
    out._set(memoryview(packed), stop - lens, stop, None)
    return out
