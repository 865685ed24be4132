"""Texts as 64-bit keys with numpy: exact keys for short texts, hashed keys checked word by word.

Shared by the pabulib reader's byte spans (:mod:`participa.io.pabulib._spans`) and the
model's compact text columns (:class:`participa.model.TextColumn`). A text is a span
``[lo, lo + len)`` of one UTF-8 byte buffer, read as one little-endian ``uint64`` word
at every byte offset (:func:`_words`). Texts of at most 7 bytes are their own exact key
(:func:`_short_keys`); longer ones get a 64-bit hash of their words and length
(:func:`_keys`), and callers that need exactness compare the words themselves. Nothing
here allocates more than a few words per text.

Examples
--------
>>> buf = np.frombuffer(b"ab,c,ab", np.uint8)
>>> keys = _short_keys(_words(buf), np.array([0, 3, 5]), np.array([2, 1, 2]))
>>> bool(keys[0] == keys[2]), bool(keys[0] == keys[1])
(True, False)
>>> [a.tolist() for a in _first_order(keys)]
[[0, 1], [0, 1, 0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

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
        left = lens - 8 * w  # bytes of the text from this word on (0 to 8 of them count)
        np.maximum(left, 0, out=left)
        np.minimum(left, 8, out=left)
        word = words[np.minimum(lo + 8 * w, words.size - 1)]
        word &= _MASKS[left]
        out.append(word)
    return out


_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93)
"""Odd 64-bit constants tried, in order, for a collision-free table of short project ids."""
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], np.uint64)
"""The first ``k`` bytes of a word, for ``k`` from 0 to 8."""
_LENGTHS = np.array([k << 56 for k in range(9)], np.uint64)
"""A length ``k`` in a short key's top byte."""


def _short_keys(words: U64Array, lo: Index, lens: Index) -> U64Array:
    """Texts of at most 7 bytes as exact keys: their bytes, and their length in the top byte.

    Longer texts get ``2**64 - 1``, which no short text has (its top byte is at most 7).
    """
    if lens.size and int(lens.max()) <= 7:  # all short (every item of a ballot, usually)
        fast: U64Array = words[lo]  # each text starts inside the buffer
        at = lens.astype(np.intp)  # (converted once for both tables, not once each)
        fast &= _MASKS[at]
        fast |= _LENGTHS[at]
        return fast
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


_BLOCK = 1 << 14
"""Keys hashed at a time by :func:`_first_order`."""


def _slots(k: U64Array, mul: int, bits: int) -> npt.NDArray[np.int64]:
    """The multiply-shift slot of each key (``bits`` < 63), computed in place."""
    slot = k * _U64(mul)
    slot >>= _U64(64 - bits)
    out: npt.NDArray[np.int64] = slot.view(np.int64)  # below 2**bits: the same values
    return out


def _first_order(keys: U64Array) -> tuple[IntArray, Index]:
    """Distinct ``keys`` in order of first appearance: (first index of each, index of each key).

    Each key's first appearance is found through a table indexed by a multiply-shift
    hash of the key (no sort); keys whose slot another key took try the next
    multiplier. The result is checked (every key points at an equal key at or before
    it, so at its first appearance); should anything be off, :func:`numpy.unique`
    decides. The index of each key is ``int32`` below 2**31 keys (half the memory).

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
    for mul in _MULTIPLIERS:  # keys a block at a time: temporaries of one block only
        blocks = range(0, todo.size, _BLOCK)
        for a in reversed(blocks):  # the earliest key of each slot is written last
            part = todo[a : a + _BLOCK]
            table[_slots(keys[part], mul, bits)[::-1]] = part[::-1]
        keep = np.empty(todo.size, np.bool_)
        for a in blocks:
            part = todo[a : a + _BLOCK]
            k = keys[part]
            got = table[_slots(k, mul, bits)]
            ok = keys[got] == k
            rep[part[ok]] = got[ok]
            np.logical_not(ok, out=keep[a : a + _BLOCK])
        todo = todo[keep]
        if not todo.size:
            break
    if todo.size or not bool((rep <= every).all()):
        return _first_order_sorted(keys)
    del table, todo
    firsts = np.flatnonzero(rep == every)
    del every
    code = np.empty(n, index)
    code[firsts] = np.arange(firsts.size, dtype=index)
    inv: Index = code[rep]
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
