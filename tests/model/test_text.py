"""TextColumn: a compact sequence of texts that behaves like the tuple it replaces."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa
from participa import ValidationError
from participa.model import BallotKind, Profile, TextColumn, Voters
from participa.model import text as text_module

TEXTS = st.lists(st.text(alphabet="ab\u00f1\u0142\n\r;", max_size=12), max_size=30)
"""Short texts over a tiny alphabet (many repeats), with non-ASCII and line breaks."""
IDS = st.lists(st.text(alphabet="0123456789x-", min_size=1, max_size=20), min_size=0, max_size=40)


def _reference_first_duplicate(values: list[str]) -> int | None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            return i
        seen.add(v)
    return None


@given(TEXTS)
def test_a_column_is_the_tuple_of_its_texts(values: list[str]) -> None:
    col = TextColumn(values)
    assert len(col) == len(values)
    assert list(col) == values
    assert col.tolist() == values
    assert [col[i] for i in range(len(values))] == values
    assert [col[-i - 1] for i in range(len(values))] == values[::-1]
    assert col == tuple(values)
    assert hash(col) == hash(tuple(values))
    assert col[1:4] == tuple(values[1:4])
    assert col[::-2].tolist() == values[::-2]
    assert col.has_line_break() == any("\n" in v for v in values)


@given(TEXTS, TEXTS)
def test_columns_compare_as_their_texts(a: list[str], b: list[str]) -> None:
    assert (TextColumn(a) == TextColumn(b)) == (a == b)
    assert (TextColumn(a) != TextColumn(b)) == (a != b)


@given(IDS)
def test_first_duplicate_is_exact(values: list[str]) -> None:
    assert TextColumn(values).first_duplicate() == _reference_first_duplicate(values)


def _in_file_order(values: list[str]) -> list[str]:
    """``values`` sorted by (length in bytes, bytes): the order voters are numbered in."""
    return sorted(values, key=lambda v: (len(v.encode()), v.encode()))


@given(st.lists(st.text(alphabet="09\u00f1x", min_size=1, max_size=20), max_size=40))
def test_first_duplicate_is_exact_on_ordered_columns(values: list[str]) -> None:
    """Ids in (length, bytes) order, as most files number voters: with and without repeats."""
    ordered = _in_file_order(values)
    assert TextColumn(ordered).first_duplicate() == _reference_first_duplicate(ordered)
    as_texts = sorted(values, key=str.encode)  # 1, 10, 100, 11, ...
    assert TextColumn(as_texts).first_duplicate() == _reference_first_duplicate(as_texts)
    distinct = _in_file_order(list(set(values)))
    assert TextColumn(distinct).first_duplicate() is None
    numbered = [str(i) for i in range(1, 3 * len(values) + 2)]  # 1, 2, ..., 10, 11, ...
    assert TextColumn(numbered).first_duplicate() is None
    assert TextColumn([*numbered, numbered[-1]]).first_duplicate() == len(numbered)


@given(st.lists(st.text(alphabet="01\u0142", max_size=19), min_size=2, max_size=30))
def test_ascending_is_one_of_the_two_orders(values: list[str]) -> None:
    col = TextColumn(values)
    raw = [v.encode() for v in values]
    pairs = list(itertools.pairwise(raw))
    want = all((len(a), a) < (len(b), b) for a, b in pairs) or all(
        (a, len(a)) < (b, len(b)) for a, b in pairs
    )
    lens = col._stop - col._start
    words = text_module._words(np.frombuffer(col._buf, np.uint8))
    longest = int(lens.max())
    assert text_module._ascending(words, col._start, lens, longest) == want


@given(st.lists(st.text(alphabet="01\u0142", max_size=7), min_size=2, max_size=30), st.booleans())
def test_ascending_short_texts_in_either_order(values: list[str], by_length: bool) -> None:
    """Texts of at most 7 bytes (one key each), sorted as files number voters, or not."""
    raw = sorted(
        {v.encode()[:7] for v in values}, key=(lambda b: (len(b), b)) if by_length else None
    )
    if len(raw) < 2:
        return
    for texts in (raw, [*raw, raw[-1]], raw[::-1]):
        col = TextColumn([t.decode("utf-8", "ignore") for t in texts])
        enc = [col[i].encode() for i in range(len(col))]
        pairs = list(itertools.pairwise(enc))
        want = all((len(a), a) < (len(b), b) for a, b in pairs) or all(
            (a, len(a)) < (b, len(b)) for a, b in pairs
        )
        lens = col._stop - col._start
        words = text_module._words(np.frombuffer(col._buf, np.uint8))
        assert text_module._ascending(words, col._start, lens, int(lens.max())) == want


@given(IDS)
def test_first_duplicate_is_exact_when_every_long_key_collides(values: list[str]) -> None:
    """Hash keys are only a filter: with every long text on one key, strings decide."""
    real = text_module._keys

    def constant(chunks: object, lens: np.ndarray) -> np.ndarray:
        real(chunks, lens)  # type: ignore[arg-type]
        return np.zeros(lens.size, np.uint64)

    text_module._keys = constant  # type: ignore[assignment]
    try:
        got = TextColumn([v + "-padding-past-7" for v in values]).first_duplicate()
    finally:
        text_module._keys = real
    assert got == _reference_first_duplicate(values)


def test_index_errors_and_bad_values() -> None:
    col = TextColumn(["a", "b"])
    with pytest.raises(IndexError):
        col[2]
    with pytest.raises(ValidationError, match="whole number"):
        col["0"]  # type: ignore[call-overload]
    with pytest.raises(ValidationError, match="not one text"):
        TextColumn("ab")
    with pytest.raises(ValidationError, match="only texts"):
        TextColumn(["a", 3])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="needs texts"):
        TextColumn(5)  # type: ignore[arg-type]
    assert col.index("b") == 1
    assert "a" in col
    assert 1 not in col
    assert col.count("a") == 1


def test_lone_surrogates_round_trip() -> None:
    """read_pabulib_text can hand over text with lone surrogates: it is kept as it came."""
    values = ["a\udcff", "\ud800"]
    col = TextColumn(values)
    assert list(col) == values
    assert pickle.loads(pickle.dumps(col)) == col


@given(TEXTS)
def test_pickle_keeps_the_column_compact(values: list[str]) -> None:
    col = TextColumn(values)
    back = pickle.loads(pickle.dumps(col))
    assert isinstance(back, TextColumn)
    assert back == col
    assert list(back) == values


def test_a_column_over_file_bytes_equals_one_built_from_strings() -> None:
    data = b"head\n17;a\n2;b\n17;c\n" + bytes(8)
    start = np.array([5, 10, 14])
    stop = np.array([7, 11, 16])
    col = TextColumn._from_spans(data, start, stop, line_free=True)
    assert col == TextColumn(["17", "2", "17"]) == ("17", "2", "17")
    assert col.first_duplicate() == 2
    assert pickle.loads(pickle.dumps(col)) == col
    # pickling stores the texts alone, not the buffer they were read from
    assert (
        len(pickle.dumps(col))
        < len(pickle.dumps(TextColumn._from_spans(data * 100, start, stop, line_free=True))) + 16
    )


def test_voters_hold_text_columns_and_refuse_duplicates_and_line_breaks() -> None:
    v = Voters(("v1", "v2"), [0, 1], {"age": ("20", "30")})
    assert isinstance(v.ids, TextColumn)
    assert isinstance(v.columns["age"], TextColumn)
    assert v == Voters(["v1", "v2"], [0, 1], {"age": ["20", "30"]})
    assert hash(v) == hash(Voters(["v1", "v2"], [0, 1]))
    assert v != Voters(("v1", "v3"), [0, 1], {"age": ("20", "30")})
    assert v != Voters(("v1", "v2"), [0, 1], {"age": ("20", "31")})
    with pytest.raises(ValidationError, match="duplicate voter id") as err:
        Voters(["a-very-long-voter-id", "b", "a-very-long-voter-id"], [0, 0, 0])
    assert err.value.voter_id == "a-very-long-voter-id"
    with pytest.raises(ValidationError, match="line break"):
        Voters(["a", "b"], [0, 0], {"note": ["x", "y\nz"]})
    with pytest.raises(ValidationError, match="line break"):
        Voters(["a\nb"], [0])


def test_voters_round_trip_through_json() -> None:
    prof = Profile.from_ballots(
        BallotKind.APPROVAL, ["p", "q"], [["p"], ["q"], ["p"]], voter_ids=["x", "y", "\u0142"]
    )
    assert prof.voters is not None
    back = participa.loads(participa.dumps(prof))
    assert back == prof
    assert isinstance(back.voters.ids, TextColumn)
    with pytest.raises(participa.ParseError, match="only texts"):
        participa.loads(participa.dumps(prof).replace('["x", "y"', '[1, "y"'))
