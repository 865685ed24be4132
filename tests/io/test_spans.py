"""The byte-span VOTES reader gives exactly what the column-wise reader gives, or steps aside.

The span reader (``participa.io.pabulib._spans``) is the fast kernel; the column-wise,
line-by-line reader is its reference. Each generated file is read both ways (the size
from which VOTES sections are read as spans is moved with ``monkeypatch``): the two
elections, their voters and the anomalies must be equal, or both must refuse the file
with the same message.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa.io.pabulib._grouping as grouping
import participa.io.pabulib._limits as limits_module
import participa.io.pabulib._sections as sections
import participa.io.pabulib._spans as spans
from participa._bytekeys import _first_order, _first_order_sorted
from participa.errors import ParseError
from participa.io import read_pabulib
from participa.io.pabulib._grouping import group_ballots, group_sets
from participa.io.pabulib._spans import Tokens, VoteSpans, match_ids
from participa.model import TextColumn

IDS = ["1", "2", "10", "p", "ł4", "a-rather-long-project-id", "BO.OM.63/24"]


@st.composite
def pabulib_files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["approval", "choose-1", "ordinal", "cumulative", "scoring"]))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    voters = draw(st.integers(0, 25))
    extra = draw(st.sampled_from([[], ["age"], ["age", "district"]]))
    points = kind in ("cumulative", "scoring") or (kind == "ordinal" and draw(st.booleans()))
    header = ["voter_id", "vote", *(["points"] if points else []), *extra]
    sep = "\r\n" if draw(st.booleans()) else "\n"
    lines = ["META", "key;value", "budget;1000", f"vote_type;{kind}", "PROJECTS"]
    lines += ["project_id;cost", *(f"{p};{draw(st.integers(1, 9)) * 100}" for p in ids)]
    lines += ["VOTES", ";".join(header)]
    vid = draw(st.sampled_from(["unique"] * 8 + ["repeat", "empty"]))
    odd = draw(st.integers(0, 3)) == 0  # some files hold an unknown id, 0 points, ...
    low = 0 if odd and points else 1
    for v in range(voters):
        pool = [*ids, "unknown"] if odd and draw(st.integers(0, 30)) == 0 else ids
        ballot = draw(st.lists(st.sampled_from(pool), max_size=4))
        if not (odd and draw(st.booleans())) and len(set(ballot)) != len(ballot):
            ballot = list(dict.fromkeys(ballot))  # repeats stay rare
        if kind == "choose-1" and not (odd and draw(st.booleans())):
            ballot = ballot[:1]
        name = str(v + 1)
        if vid == "repeat" and v == voters - 1:
            name = "1"
        elif vid == "empty" and v == voters - 1:
            name = ""
        row = [name, ",".join(ballot)]
        if points:
            pts = [str(draw(st.integers(low, 12))) for _ in ballot]
            if odd and draw(st.integers(0, 20)) == 0:
                pts = pts[:-1]  # points not aligned with the vote
            row.append(",".join(pts))
        row += [draw(st.sampled_from(["18", "40", "", "Śródmieście", "a,b"])) for _ in extra]
        lines.append(";".join(row))
    return (sep.join(lines) + sep).encode("utf-8")


def _read(data: bytes, spans_from: int, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr(sections, "_SPANS_FROM", spans_from)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pb = read_pabulib(data, name="f.pb")
    except ParseError as exc:
        return ("refused", str(exc))
    e = pb.election
    voters = e.profile.voters
    columns = None if voters is None else dict(voters.columns)
    return e, e.profile.matrix.dtype, voters, columns, pb.anomalies


@given(pabulib_files())
def test_spans_read_what_the_column_reader_reads(data: bytes) -> None:
    with pytest.MonkeyPatch.context() as mp:
        fast = _read(data, 0, mp)
        reference = _read(data, 1 << 60, mp)
    assert fast == reference


def _spans_taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every VOTES section takes the span path (any size); the list says, for each section
    read, whether the spans took it."""
    taken: list[bool] = []
    real = VoteSpans.find

    def spy(*args: object, **kwargs: object) -> VoteSpans | None:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        taken.append(found is not None)
        return found

    monkeypatch.setattr(VoteSpans, "find", spy)
    monkeypatch.setattr(sections, "_SPANS_FROM", 0)
    return taken


def test_a_real_sized_section_takes_the_span_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above means something: the spans really read the generated sections."""
    taken = _spans_taken(monkeypatch)
    data = b"META\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nb;5\n"
    data += b"VOTES\nvoter_id;vote;age\n1;a,b;20\n2;b;20\n3;;30\n"
    e = read_pabulib(data).election
    assert taken == [True]
    assert e.profile.multiplicity.tolist() == [1, 1, 1]
    assert e.profile.voters is not None
    assert e.profile.voters.columns["age"] == ("20", "20", "30")
    # kept as spans of the file's bytes: no string per voter until one is read
    assert isinstance(e.profile.voters.columns["age"], TextColumn)
    assert isinstance(e.profile.voters.ids, TextColumn)


@given(st.lists(st.integers(0, 6), max_size=60))
def test_first_order_matches_sorting(values: list[int]) -> None:
    keys = np.array(values, np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    fast, slow = _first_order(keys), _first_order_sorted(keys)
    assert [a.tolist() for a in fast] == [a.tolist() for a in slow]
    assert fast[0].tolist() == [values.index(v) for v in dict.fromkeys(values)]


@given(st.lists(st.sampled_from([*IDS, "1 ", "", "BO.OM.63/2", "ł", "a-rather-long-project-idx"])))
def test_match_ids_is_exact(items: list[str]) -> None:
    text = ",".join(items).encode()
    lens = np.array([len(t.encode()) for t in items], np.int64)
    starts = np.cumsum(lens + 1) - lens - 1
    words = np.zeros(len(text) + 9, np.uint8)
    words[: len(text)] = np.frombuffer(text, np.uint8)
    view = np.ndarray((len(text) + 1,), dtype="<u8", buffer=words, strides=(1,))
    ids = IDS[::2]
    got = match_ids(view, starts, lens, ids, list(range(len(ids))))
    assert got is not None
    assert got.tolist() == [ids.index(t) if t in ids else -1 for t in items]


@pytest.mark.parametrize(
    ("kind", "votes", "matrix"),
    [
        ("approval", "2;b,a,b\n", [[True, False], [True, True]]),
        ("choose-1", "2;b,b\n", [[True, False], [False, True]]),
        ("ordinal", "2;b,a,b\n", [[1, 0], [2, 1]]),  # first position, ranks renumbered
        ("cumulative", "2;b,a,b;1,2,3\n", [[4, 0], [2, 3]]),  # the last points given
    ],
)
def test_a_project_named_twice_is_read_by_the_spans(
    kind: str, votes: str, matrix: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same interpretation and anomaly as the column-wise reader, without falling back."""
    points = kind == "cumulative"
    data = f"META\nkey;value\nbudget;10\nvote_type;{kind}\nPROJECTS\nproject_id;cost\na;5\nb;5\n"
    data += "VOTES\nvoter_id;vote" + (";points\n1;a;4\n" if points else "\n1;a\n") + votes
    reference = _read(data.encode(), 1 << 60, monkeypatch)

    def never(*args: object) -> None:
        raise AssertionError("the column-wise reading was used")

    import participa.io.pabulib._votes as votes_module

    monkeypatch.setattr(votes_module, "_ballots_slow", never)
    monkeypatch.setattr(votes_module, "_ballots_fast", never)
    fast = _read(data.encode(), 0, monkeypatch)
    assert fast == reference
    assert not isinstance(fast, tuple) or fast[0] != "refused"
    e, _dtype, _voters, _columns, anomalies = fast  # type: ignore[misc]
    assert e.profile.matrix.tolist() == matrix
    [a] = anomalies
    assert (a.code, a.line, a.project_id, a.voter_id) == ("duplicate-project", 12, "b", "2")


SECTION_BYTES = st.lists(
    st.sampled_from(
        [b"META", b"PROJECTS", b"VOTES", b"VO", b"ME", b"P", b"\r\n", b"\n", b"x", b";"]
    ),
    max_size=40,
).map(b"".join)


@given(SECTION_BYTES, st.integers(0, 3))
def test_section_names_are_every_occurrence(text: bytes, cut: int) -> None:
    """The search of small texts finds every occurrence of every section name."""
    size = max(len(text) - cut, 0)
    keys = [b"META", b"PROJECTS", b"VOTES"]
    want = sorted((i, k) for k in keys for i in range(size - len(k) + 1) if text.startswith(k, i))
    assert sections._occurrences(text, size, keys) == want


MARKER_LINES = st.lists(
    st.sampled_from(
        [
            "META",
            "PROJECTS",
            "VOTES",
            " VOTES",
            "VOTES \t",
            "\tMETA",
            "VOTESx",
            "PROJ",
            "MET",
            "",
            "x;1",
            "  ",
            "VOTE",
            "ŁÓDŹ",
            "META;x",
        ]
    ),
    max_size=30,
)


@given(MARKER_LINES, st.sampled_from(["\n", "\r\n"]))
def test_section_markers_from_line_ends_as_from_the_bytes(lines: list[str], sep: str) -> None:
    """Markers found from the line ends (large texts) are those found searching the bytes."""
    text = (sep.join(lines) + sep).encode()
    raw = text + bytes(8)
    crlf = sep == "\r\n"
    ends = sections.line_ends(raw, len(text))
    want = sections._byte_markers(raw, len(text), crlf=crlf)
    assert sections._byte_markers(raw, len(text), crlf=crlf, ends=ends) == want
    assert sections._crlf_from_ends(text, ends) == sections._crlf_counts("", text)


@given(
    st.lists(st.tuples(st.sampled_from(["", "a", "\r", "ł;x"]), st.sampled_from(["\n", "\r\n"])))
)
def test_crlf_counts_from_line_ends_on_mixed_files(parts: list[tuple[str, str]]) -> None:
    text = "".join(a + b for a, b in parts).encode()
    ends = sections.line_ends(text, len(text))
    assert sections._crlf_from_ends(text, ends) == sections._crlf_counts("", text)


@st.composite
def odd_large_files(draw: st.DrawFn) -> bytes:
    """Generated files, some with mixed line ends, a quote, or a VOTES line among projects."""
    data: bytes = draw(pabulib_files())
    twist = draw(st.sampled_from(["", "mixed", "quote", "marker", "tail"]))
    if twist == "mixed":
        data = (
            data.replace(b"\n", b"\r\n", 1)
            if b"\r\n" not in data
            else data.replace(b"\r\n", b"\n", 1)
        )
    elif twist == "quote":
        data = data.rstrip(b"\r\n") + b'"\n'
    elif twist == "marker":
        data = data.replace(b"PROJECTS\n", b"PROJECTS\nVOTES\n", 1)
    elif twist == "tail":
        data = data.rstrip(b"\r\n")  # no line end after the last line
    return data


@given(odd_large_files(), st.sampled_from([0, 1 << 60]))
def test_large_text_paths_read_what_the_small_text_paths_read(data: bytes, spans_from: int) -> None:
    """A large text's undecoded ASCII end and its shared line ends change nothing read."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits_module, "_LAZY_FROM", 0)
        mp.setattr(sections, "_FIND_FROM", 0)
        large = _read(data, spans_from, mp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits_module, "_LAZY_FROM", 1 << 60)
        mp.setattr(sections, "_FIND_FROM", 1 << 60)
        small = _read(data, spans_from, mp)
    assert large == small


@given(
    st.integers(1, 300).flatmap(
        lambda m: st.tuples(
            st.just(m),
            st.lists(st.lists(st.integers(0, m - 1), max_size=5, unique=True), max_size=30),
        )
    )
)
def test_set_words_group_ballots_as_the_hash_does(case: tuple[int, list[list[int]]]) -> None:
    """group_sets (exact set keys) groups approval ballots as group_ballots does, or steps aside."""
    m, ballots = case
    ballots = ballots + ballots[:3]  # some ballots twice
    counts = np.array([len(b) for b in ballots], np.int64)
    rows = np.repeat(np.arange(len(ballots)), counts)
    cols = np.array([c for b in ballots for c in b], np.int64)
    empty = np.zeros(0, np.int64)
    tok = Tokens(rows, empty, empty, counts, cols)
    got = group_sets(len(ballots), tok, m)
    want = group_ballots(len(ballots), tok, None, m, np.bool_)
    if m > 256 and not (counts.size and int(counts.max()) <= 1):
        assert got is None  # sets of more than 256 projects: the hash groups them
        return
    assert got is not None
    assert want is not None
    assert np.array_equal(got[0], want[0])
    assert got[0].dtype == want[0].dtype
    assert got[1].tolist() == want[1].tolist()
    assert got[2].tolist() == want[2].tolist()
    if cols.size and m <= 256:  # a project named twice: the sets step aside
        twice = Tokens(
            np.append(rows, rows[0]),
            empty,
            empty,
            counts + (np.arange(counts.size) == rows[0]),
            np.append(cols, cols[0]),
        )
        order = np.argsort(twice.row, kind="stable")
        twice = Tokens(twice.row[order], empty, empty, twice.counts, twice.cols[order])
        assert group_sets(len(ballots), twice, m) is None


@given(st.binary(max_size=64), st.integers(1, 9))
def test_positions_a_slice_at_a_time_are_every_offset(data: bytes, size: int) -> None:
    """Offsets found slice by slice (here ``size`` bytes a slice) are those of the whole."""
    buf = np.frombuffer(data, np.uint8)
    want = np.flatnonzero(buf == 44).tolist()
    real = spans._BYTES
    try:
        spans._BYTES = size
        got = spans._positions(buf, 44, np.dtype(np.int32))
    finally:
        spans._BYTES = real
    assert got.dtype == np.int32
    assert got.tolist() == want


def _first_free_table(raw: list[bytes]) -> tuple[int, int] | None:
    """The (bits, multiplier) a plain search of every size and multiplier in turn finds."""
    keys = [int.from_bytes(b, "little") | (len(b) << 56) for b in raw]
    for bits in range(max(4, len(raw).bit_length() + 1), 21):
        for mul in spans._MULTIPLIERS:
            if len({((k * mul) % 2**64) >> (64 - bits) for k in keys}) == len(keys):
                return bits, mul
    return None


@given(st.sets(st.binary(min_size=1, max_size=7), min_size=1, max_size=300))
def test_short_table_is_the_first_free_one(ids: set[bytes]) -> None:
    """Skipping the sizes a multiplier cannot fill finds the table the plain search finds."""
    raw = sorted(ids)
    table = spans._short_table(raw, list(range(len(raw))))
    want = _first_free_table(raw)
    assert (table is None) == (want is None)
    if table is not None:
        bits, mul, slots, id_keys, id_col = table
        assert id_col[:-1].tolist() == list(range(len(raw)))
        assert (bits, mul) == want
        rows = slots[(id_keys[:-1] * np.uint64(mul)) >> np.uint64(64 - bits)]
        assert rows.tolist() == list(range(len(raw)))  # every id in its own slot


@pytest.mark.parametrize("item", [b"c", b"abcdefgh", b"a" * 300])
def test_an_item_no_short_id_matches_is_refused_by_the_spans(
    monkeypatch: pytest.MonkeyPatch, item: bytes
) -> None:
    """Short ids, an item that is none of them (short, 8 bytes, very long): unknown project.

    Every text longer than 7 bytes shares one key; the table's empty slot must not take it.
    """
    taken = _spans_taken(monkeypatch)
    data = b"META\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nb;5\n"
    data += b"VOTES\nvoter_id;vote\n1;a,b\n2;b," + item + b"\n3;a\n"
    with pytest.raises(ParseError, match="unknown project") as caught:
        read_pabulib(data)
    assert taken == [True]
    assert caught.value.line == 11  # the column-wise reading says where


def test_short_ids_are_matched_in_place() -> None:
    words = spans._words(np.frombuffer(b"a,bb,abcdefgh,zz", np.uint8))
    table = spans._short_table([b"a", b"bb"], [4, 7])
    assert table is not None
    start, length = np.array([0, 2]), np.array([1, 2])
    out = np.full(2, -5, np.int32)
    assert spans._match_short_into(words, start, length, table, out)
    assert out.tolist() == [4, 7]
    for s, n in ((5, 8), (14, 2)):  # a long text, an unknown short one
        assert not spans._match_short_into(words, np.array([0, s]), np.array([1, n]), table, out)


@given(
    st.lists(st.lists(st.integers(0, 5), max_size=7), min_size=1, max_size=12),
    st.integers(6, 40),
)
def test_any_repeat_a_block_of_voters_at_a_time(ballots: list[list[int]], cells: int) -> None:
    """Whether some ballot names a project twice, blocks of a few voters or all at once."""
    counts = np.array([len(b) for b in ballots], np.int32)
    cols = np.array([c for b in ballots for c in b], np.int32)
    tok = Tokens(None, cols[:0], cols[:0], counts, cols)
    want = any(len(set(b)) < len(b) for b in ballots)
    real = grouping._MARK_CELLS
    try:
        grouping._MARK_CELLS = cells  # 1 to 6 voters a block
        assert grouping._any_repeat(len(ballots), tok, 6) == want
    finally:
        grouping._MARK_CELLS = real
    assert grouping._any_repeat(len(ballots), tok, 6) == want


@given(
    st.integers(1, 9).flatmap(
        lambda m: st.tuples(
            st.just(m),
            st.lists(
                st.lists(st.tuples(st.integers(0, m - 1), st.integers(1, 40)), max_size=m),
                min_size=1,
                max_size=40,
            ),
        )
    )
)
def test_value_words_group_ballots_as_the_hash_does(
    case: tuple[int, list[list[tuple[int, int]]]],
) -> None:
    """Points or ranks in one word per ballot (when they fit) group as the hash does."""
    m, raw = case
    ballots = [list(dict(b).items()) for b in raw]  # no project twice
    counts = np.array([len(b) for b in ballots], np.int32)
    cols = np.array([c for b in ballots for c, _ in b], np.int32)
    values = np.array([v for b in ballots for _, v in b], np.int64)
    tok = Tokens(None, cols[:0], cols[:0], counts, cols)
    want = group_ballots(len(ballots), tok, values, m, np.int16)
    got = grouping.group_values(len(ballots), tok, values, m, np.int16)
    fits = not values.size or m * int(values.max()).bit_length() <= 64
    assert (got is not None) == (fits and bool(values.size))
    if got is not None and want is not None:
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype
            assert a.tolist() == b.tolist()


@given(
    st.lists(st.binary(min_size=1, max_size=16), min_size=1, max_size=40, unique=True),
    st.lists(st.one_of(st.integers(0, 39), st.binary(min_size=1, max_size=20)), max_size=60),
)
def test_ids_of_up_to_16_bytes_match_by_their_two_words(
    ids: list[bytes], picks: list[int | bytes]
) -> None:
    """Items (ids, other texts, texts longer than any id) matched by their two words and
    length are matched as match_ids matches them: exactly."""
    raw = [i.replace(b",", b";") for i in ids]
    raw = list(dict.fromkeys(raw))
    items = [raw[p % len(raw)] if isinstance(p, int) else p.replace(b",", b";") for p in picks]
    text = b",".join(items)
    lens = np.array([len(t) for t in items], np.int64)
    starts = np.cumsum(lens + 1) - lens - 1
    words = spans._words(np.frombuffer(text, np.uint8))
    columns = list(range(len(raw)))
    want = match_ids(words, starts, lens, [r.decode("latin-1") for r in raw], columns)
    table = spans._pair_table(raw, columns)
    assert table is not None
    out = np.full(len(items), -5, np.int32)
    ok = spans._match_pair_into(words, starts, lens, table, out)
    expected = [raw.index(t) if t in raw else -1 for t in items]
    assert ok == all(e >= 0 for e in expected)
    if ok:
        assert out.tolist() == expected
    if want is not None and all(r.isascii() for r in raw):  # (match_ids reads UTF-8 ids)
        assert want.tolist() == expected
