"""Sections and META: finding META, PROJECTS and VOTES, splitting rows, reading META.

Rows are split on ``;``; a section with a ``"`` anywhere goes through the CSV
rules (a quoted field may hold ``;``), and a row whose quotes break those rules is
an anomaly (``stray-quote``) read as written when its plain split fits the header.
The VOTES section without quotes is split straight into columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from itertools import compress, repeat
from typing import overload

import numpy as np
import numpy.typing as npt

from participa._bytekeys import Index
from participa.errors import ParseError
from participa.i18n import _, ngettext
from participa.io.pabulib._anomalies import Anomalies, Anomaly
from participa.io.pabulib._common import (
    _INT,
    _MAX_AMOUNT,
    _MPU_KEY,
    _RELAXED_KEY,
    _RESERVED,
    _SECTIONS,
    _SYNTH_KEY,
    _amount_problem,
    _split,
)
from participa.io.pabulib._spans import VoteSpans, line_ends
from participa.io.pabulib._tokenize import vote_columns


def _markers(text: str, *, crlf: bool = False) -> list[tuple[int, str, int]]:
    """(0-based line, name, offset) of every line that is a section marker, in file order.

    ``crlf``: every ``\\n`` of ``text`` follows a ``\\r``, which is not part of the line.
    """
    out: list[tuple[int, int, str]] = []
    for name in _SECTIONS:
        pos = text.find(name)
        while pos != -1:
            start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end - crlf
            if text[start:end].strip(" \t") == name:
                out.append((start, text.count("\n", 0, start), name))
            pos = text.find(name, pos + len(name))
    out.sort()
    return [(line, name, start) for start, line, name in out]


_FIND_FROM = 1 << 16
"""Texts from this many bytes on have their line ends found once, with numpy (:func:`line_ends`):
the CRLF count, the section markers and the VOTES spans use them."""


def _occurrences(raw: bytes, size: int, keys: Sequence[bytes]) -> list[tuple[int, bytes]]:
    """Every ``(offset, key)`` of the ``keys`` in ``raw[:size]``, in file order.

    No key may overlap itself (the section names qualify). For small texts: a large one's
    markers are found from its line ends (:func:`_byte_markers`).

    >>> _occurrences(b"VOTES;VOTESx METAVOTES", 22, [b"META", b"VOTES"])
    [(0, b'VOTES'), (6, b'VOTES'), (13, b'META'), (17, b'VOTES')]
    """
    found: list[tuple[int, bytes]] = []
    for key in keys:
        pos = raw.find(key, 0, size)
        while pos != -1:
            found.append((pos, key))
            pos = raw.find(key, pos + len(key), size)
    return sorted(found)


_HEADS = np.array([int.from_bytes(name.encode()[:4], "little") for name in _SECTIONS], np.uint32)
"""The first four bytes of each section name, as little-endian words."""
_MARKER_FIRST = np.zeros(256, np.bool_)
_MARKER_FIRST[[ord(name[0]) for name in _SECTIONS] + [32, 9]] = True
"""The bytes a marker line can start with: a section name's first, a space or a tab."""


def _byte_markers(
    raw: bytes, size: int, *, crlf: bool = False, ends: Index | None = None
) -> list[tuple[int, str, int]]:
    """:func:`_markers` found in ``raw[:size]``, the text's UTF-8 bytes (offsets are the text's).

    Searching bytes is several times faster than searching a large non-ASCII ``str``.
    With ``ends``, the offsets of every line end of ``raw[:size]`` (which ends with one),
    only the lines that start with a section name's first four bytes, a space or a tab
    are looked at: one comparison a line, no pass over the bytes. ``raw`` then holds at
    least 3 bytes past ``size``.

    >>> text = b"META\\nx;1\\n VOTES\\t\\nVOTESx\\nPROJECTS\\n"
    >>> raw = text + bytes(8)
    >>> ends = line_ends(raw, len(text))
    >>> _byte_markers(raw, len(text), ends=ends) == _byte_markers(raw, len(text))
    True
    >>> _byte_markers(raw, len(text), ends=ends)
    [(0, 'META', 0), (2, 'VOTES', 9), (4, 'PROJECTS', 24)]
    """
    if ends is not None:
        return _line_markers(raw, size, crlf=crlf, ends=ends)
    out: list[tuple[int, str, int]] = []
    for pos, key in _occurrences(raw, size, [name.encode() for name in _SECTIONS]):
        start = raw.rfind(b"\n", 0, pos) + 1
        end = raw.find(b"\n", pos, size)
        end = size if end == -1 else end - crlf
        if raw[start:end].strip(b" \t") == key:
            out.append((start, key.decode(), raw.count(b"\n", 0, start)))
    out.sort()
    return [(line, name, len(raw[:start].decode("utf-8"))) for start, name, line in out]


def _line_markers(raw: bytes, size: int, *, crlf: bool, ends: Index) -> list[tuple[int, str, int]]:
    """:func:`_byte_markers` from the offsets of the line ends (see there)."""
    keys = {name.encode(): name for name in _SECTIONS}
    starts = np.empty(ends.size, ends.dtype)
    if ends.size:
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        if int(starts[-1]) >= size:  # (only the last line can start at the end)
            starts = starts[:-1]
    # lines whose first byte may start a marker, then those whose first 4 bytes may
    lines = np.flatnonzero(_MARKER_FIRST[np.frombuffer(raw, np.uint8, count=size)[starts]])
    head = np.ndarray((size,), "<u4", raw, 0, (1,))[starts[lines]]  # their first 4 bytes
    first = head & np.uint32(0xFF)
    cand = (first == 32) | (first == 9)
    for name_head in _HEADS.tolist():  # three names: compared in turn (``isin`` costs more)
        cand |= head == name_head
    out: list[tuple[int, str, int]] = []
    for i in lines[cand].tolist():
        start = int(starts[i])
        end = int(ends[i]) - crlf if i < ends.size else size
        name = keys.get(raw[start:end].strip(b" \t"))
        if name is not None:
            out.append((i, name, len(raw[:start].decode("utf-8"))))
    return out


def _crlf_from_ends(data: bytes, ends: Index) -> tuple[int, int, int]:
    """:func:`_crlf_counts` from the offsets of the line ends of ``data``."""
    buf = np.frombuffer(data, np.uint8)
    after_cr = np.zeros(ends.size, np.bool_)
    inside = ends > 0
    after_cr[inside] = buf[ends[inside] - 1] == 13
    n = int(np.count_nonzero(after_cr))
    if not n:
        return 0, 0, 0
    return n, int(np.argmax(after_cr)) + 1, int(ends.size)


def _crlf_counts(text: str, data: bytes | None) -> tuple[int, int, int]:
    """CRLF line ends, the 1-based line of the first one, and all line ends (0, 0, 0: none).

    Counted in ``data``, the text's UTF-8 bytes, when given: the same counts (CR and LF
    are never part of a multi-byte character), several times faster than in a non-ASCII str.

    >>> _crlf_counts("a\\r\\nb\\nc\\r\\n", None), _crlf_counts("", b"a\\nb\\r\\n")
    ((2, 1, 3), (1, 2, 2))
    """
    if data is not None:  # (a large text's are counted from its line ends: _crlf_from_ends)
        if b"\r" not in data or not (n := data.count(b"\r\n")):
            return 0, 0, 0
        return n, data.count(b"\n", 0, data.find(b"\r\n")) + 1, data.count(b"\n")
    if "\r" not in text or not (n := text.count("\r\n")):
        return 0, 0, 0
    return n, text.count("\n", 0, text.find("\r\n")) + 1, text.count("\n")


_SPANS_FROM = 8192
"""VOTES sections from this many bytes on are read as byte spans (:mod:`._spans`): faster
from about this size on, and without a Python string per field (memory)."""


class LineNumbers(Sequence[int]):
    """1-based line numbers held in one numpy array (indexing gives Python ints)."""

    __slots__ = ("_at",)

    def __init__(self, at: npt.NDArray[np.int64]) -> None:
        self._at = at

    def __len__(self) -> int:
        return int(self._at.size)

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> LineNumbers: ...
    def __getitem__(self, i: int | slice) -> int | LineNumbers:
        if isinstance(i, slice):
            return LineNumbers(self._at[i])
        return int(self._at[i])


class _Section:
    """One section: header, data (as rows, or as columns for VOTES), 1-based line numbers."""

    __slots__ = (
        "cols",
        "distinct",
        "fill",
        "first_line",
        "header",
        "header_line",
        "lines_of",
        "rows",
        "spans",
    )

    def __init__(
        self,
        header: list[str],
        header_line: int,
        rows: list[list[str]],
        lines_of: Sequence[int] | None,
        cols: list[list[str]] | None = None,
    ) -> None:
        self.header = header
        self.header_line = header_line
        self.rows = rows
        self.lines_of = lines_of
        self.first_line = header_line + 1
        self.cols = cols
        # the ballots' distinct texts and each voter's index, when the tokenizer found them
        self.distinct: tuple[list[str], npt.NDArray[np.int64]] | None = None
        # a plain VOTES section's byte spans (``cols`` is then filled only on demand, by ``fill``)
        self.spans: VoteSpans | None = None
        self.fill: Callable[[], None] | None = None

    def line(self, i: int) -> int:
        return self.lines_of[i] if self.lines_of is not None else self.first_line + i


class _Reader:
    """One parse of one file's text (internal; holds the file label and the warnings)."""

    def __init__(
        self,
        text: str,
        file: str | None,
        anomalies: Anomalies,
        *,
        raw: list[bytes] | None = None,
        rest: int | None = None,
    ) -> None:
        """``raw``, when given, holds the UTF-8 bytes of the text (taken out, not copied twice).

        ``text`` is then the text of ``raw[0][:rest]`` when ``rest`` is given: the bytes
        from there on are ASCII, decoded only if a reading needs them as text (the VOTES
        spans read the bytes).
        """
        data = raw.pop() if raw else None
        if data is None or rest is None or rest >= len(data):
            rest = None
        self.file = file
        self.anomalies = anomalies
        self.crlf_text = False  # ``text`` keeps its CRLF line ends (every line has one)
        # a large text's line ends, found once: CRLF counts, section markers, VOTES spans
        ends: Index | None = None
        if data is not None and len(data) >= _FIND_FROM:
            ends = line_ends(data, len(data))
            crlf, first_crlf, total_ends = _crlf_from_ends(data, ends)
        else:
            crlf, first_crlf, total_ends = _crlf_counts(text, data)
        if crlf:
            self.warn(
                "crlf",
                ngettext("{n} line ends with CRLF", "{n} lines end with CRLF", crlf),
                line=first_crlf,
            )
            if crlf == total_ends:
                self.crlf_text = True
            else:
                if rest is not None:
                    assert data is not None
                    text += str(memoryview(data)[rest:], "ascii")
                    rest = None
                text = text.replace("\r\n", "\n")
                data = None  # no longer the text's bytes
                ends = None
        self.sep = "\r\n" if self.crlf_text else "\n"
        self.text = text
        self.quotes = '"' in text or (data is not None and rest is not None and b'"' in data)
        # the text's UTF-8 bytes, ending with a line end, then 8 spare zero bytes (VoteSpans)
        self.raw: bytes | None = None
        self.ends: Index | None = None  # the line ends of ``raw`` (without its 8 spare bytes)
        self._rest: memoryview | None = None  # the end of the text not decoded yet (ASCII)
        try:
            ends_line = data.endswith(b"\n") if data is not None else text.endswith("\n")
            tail = b"" if ends_line else self.sep.encode()
            body = text.encode("utf-8") if data is None else data
            del data
            self.raw = b"".join((body, tail, bytes(8)))
            if rest is not None:
                self._rest = memoryview(self.raw)[rest : len(body)]
            if ends is not None and tail:
                ends = np.append(ends, len(body) + len(tail) - 1).astype(ends.dtype)
            del body
        except UnicodeEncodeError:  # lone surrogates (read_pabulib_text): the str path
            self.markers = _markers(text, crlf=self.crlf_text)
        else:
            size = len(self.raw) - 8
            if ends is None and size >= _FIND_FROM:  # given as str, or its CRLF replaced
                ends = line_ends(self.raw, size)
            self.markers = _byte_markers(self.raw, size, crlf=self.crlf_text, ends=ends)
            self.ends = ends
        # VOTES data lines are split only when the fast tokenizer cannot take them
        cut = self._votes_cut()  # VOTES data from here on, not split into lines yet
        if cut < 0:
            self._whole()
        text = self.text
        head = text if cut < 0 else text[:cut]
        lines = head.split(self.sep)
        if lines and lines[-1] == "":
            lines.pop()
        self.cut = cut
        self.lines = lines
        self.blank_lines = 0
        self.first_blank: int | None = None

    def _whole(self) -> None:
        """Decode the end of the text left as bytes, if any: ``text`` is then all of it."""
        if self._rest is not None:
            self.text += str(self._rest, "ascii")
            self._rest = None

    def _votes_cut(self) -> int:
        """Offset just after the VOTES header line, when the sections are in order (else -1)."""
        names = [name for _, name, _ in self.markers]
        if names != list(_SECTIONS):
            return -1
        start = self.markers[-1][2]
        sep = self.sep
        marker_end = self.text.find(sep, start)
        header_end = -1 if marker_end < 0 else self.text.find(sep, marker_end + len(sep))
        if header_end < 0 and self._rest is not None:  # (the lines lie past the decoded start)
            self._whole()
            return self._votes_cut()
        if header_end < 0 or not self.text[marker_end + len(sep) : header_end].strip():
            return -1
        return header_end + len(sep)

    def votes_section(self, i_votes: int) -> _Section:
        """The VOTES section: split by the fast tokenizer when it can, line by line otherwise."""
        if self.cut < 0:
            self.ends = None  # (only the spans use them)
        if self.cut >= 0:
            text = self.text
            header_text = self.lines[i_votes + 1] if i_votes + 1 < len(self.lines) else ""
            if len(self.lines) == i_votes + 2 and '"' not in header_text and self.raw is not None:
                header = header_text.split(";")
                start = len(text[: self.cut].encode("utf-8"))
                padded, self.raw = self.raw, None
                raw = memoryview(padded)[:-8]  # the text's bytes, without a copy
                plain = {"voter_id"}  # unique: nothing to share
                share = [c for c, h in enumerate(header) if h not in plain]
                found: list[tuple[list[str], npt.NDArray[np.int64]]] = []
                dedup = header.index("vote") if "vote" in header else -1
                if "points" in header or "participa:weight" in header:
                    dedup = -1  # ballots keyed by several columns: deduplicated later
                unique = len(set(header)) == len(header)
                spans = None
                if unique and len(raw) - start >= _SPANS_FROM and len(header) <= 128:
                    # the words at every offset are read in place, in the 8 spare bytes
                    ends, self.ends = self.ends, None
                    if ends is not None:  # those of the VOTES data, counted from its start
                        ends = ends[int(np.searchsorted(ends, start)) :]
                        ends -= start  # in place: the reader's own array, no second copy
                    spans = VoteSpans.find(
                        padded, start, len(header), crlf=self.crlf_text, pad=8, line_ends=ends
                    )
                    del ends
                del padded
                if spans is not None:
                    # the VOTES text is read from the bytes from now on: when this reader
                    # holds the only reference (read_pabulib), the large str goes now
                    self.text = self.text[: self.cut]
                    self._rest = None
                    self.cut = -1
                    sec = _Section(header, i_votes + 2, [], None, None)
                    sec.spans = spans
                    crlf = self.crlf_text

                    def fill() -> None:  # the column-wise reading, when the spans cannot do
                        got = vote_columns(
                            raw,
                            start,
                            len(header),
                            crlf=crlf,
                            share=share,
                            distinct=dedup,
                            distinct_out=found,
                            small=0,
                        )
                        assert got is not None  # the spans were found: the section is plain
                        sec.cols, sec.distinct = got, found[0] if found else None
                        sec.spans = sec.fill = None

                    sec.fill = fill
                    return sec
                cols = vote_columns(
                    raw,
                    start,
                    len(header),
                    crlf=self.crlf_text,
                    share=share,
                    distinct=dedup,
                    distinct_out=found,
                )
                del raw
                if cols is not None and unique:
                    self.cut = -1
                    self._rest = None
                    sec = _Section(header, i_votes + 2, [], None, cols)
                    sec.distinct = found[0] if found else None
                    return sec
            self._whole()
            rest = self.text[self.cut :].split(self.sep)
            if rest and rest[-1] == "":
                rest.pop()
            self.lines.extend(rest)
            self.cut = -1
        return self.section(i_votes + 1, len(self.lines), "VOTES")

    def warn(
        self,
        code: str,
        message: str,
        *,
        line: int | None = None,
        project_id: str | None = None,
        voter_id: str | None = None,
    ) -> None:
        self.anomalies.add(Anomaly(code, message, line, project_id, voter_id))

    def error(
        self,
        message: str,
        *,
        line: int | None,
        project_id: str | None = None,
        voter_id: str | None = None,
        hint: str | None = None,
    ) -> ParseError:
        return ParseError(
            message,
            file=self.file,
            line=line,
            project_id=project_id,
            voter_id=voter_id,
            hint=hint,
        )

    # -- sections -------------------------------------------------------------------------------

    def sections(self) -> tuple[int, int, int]:
        """0-based indices of the META, PROJECTS and VOTES marker lines."""
        lines = self.lines
        found: dict[str, int] = {}
        for i, name, _start in self.markers:
            if name in found:
                raise self.error(
                    _(
                        "section {name} appears twice (first on line {found})",
                        name=name,
                        found=found[name] + 1,
                    ),
                    line=i + 1,
                    hint=_("a file has one META, one PROJECTS and one VOTES section"),
                )
            found[name] = i
        for name in _SECTIONS:
            if name not in found:
                end = max(len(lines) + self._body_lines(), 1)  # counted only for the message
                raise self.error(
                    _("missing section {name}", name=name),
                    line=1 if name == "META" else end,
                    hint=_("a pabulib file has the sections META, PROJECTS and VOTES, in order"),
                )
        meta, projects, votes = (found[s] for s in _SECTIONS)
        if not meta < projects < votes:
            by_pos = sorted(found, key=found.__getitem__)
            bad = next(name for name, want in zip(by_pos, _SECTIONS, strict=True) if name != want)
            raise self.error(
                _("section {bad} is out of order", bad=bad),
                line=found[bad] + 1,
                hint=_("write META, then PROJECTS, then VOTES"),
            )
        stray = [i for i in range(meta) if lines[i].strip()]
        if stray:
            raise self.error(
                _("text before the META section"),
                line=stray[0] + 1,
                hint=_("start the file with META"),
            )
        if meta:
            self._blank(meta, 0)
        return meta, projects, votes

    def _body_lines(self) -> int:
        self._whole()
        if self.cut < 0 or self.cut >= len(self.text):
            return 0
        return self.text.count("\n", self.cut) + (not self.text.endswith("\n"))

    def _blank(self, count: int, first: int) -> None:
        self.blank_lines += count
        if self.first_blank is None or first < self.first_blank:
            self.first_blank = first

    def section(self, lo: int, hi: int, name: str) -> _Section:
        """Parse lines ``lo..hi-1`` (0-based; ``lo - 1`` is the marker line)."""
        seg = self.lines[lo:hi]
        lines_of: Sequence[int] | None = None
        if "" in seg or any(map(str.isspace, seg)):
            keep = np.fromiter(map(bool, map(str.strip, seg)), np.bool_, len(seg))
            first = int(np.argmin(keep))
            self._blank(len(seg) - int(np.count_nonzero(keep)), lo + first + 1)
            # line numbers as one int64 array: no Python int per line (blank-line floods)
            lines_of = LineNumbers(np.flatnonzero(keep) + (lo + 1))
            seg = list(compress(seg, keep))
        if not seg:
            raise self.error(
                _("section {name} has no header row", name=name),
                line=lo,
                hint=_(
                    "META starts with key;value, PROJECTS with "
                    "project_id;cost;..., VOTES with voter_id;vote;..."
                ),
            )
        quoted = self.quotes and '"' in "\n".join(seg)
        if name == "VOTES" and not quoted:
            return self._columns(seg, lo, lines_of)
        if quoted:
            rows = []
            stray: int | None = None
            for i, ln in enumerate(seg):
                try:
                    rows.append(_split(ln))
                except ValueError as exc:
                    line = lines_of[i] if lines_of is not None else lo + i + 1
                    plain = ln.split(";")
                    unpaired = any(f.count('"') % 2 for f in plain)
                    if i == 0 or unpaired or len(plain) != len(rows[0]):
                        raise self.error(
                            _("badly quoted field: {exc}", exc=exc),
                            line=line,
                            hint=_('quote a whole field ("a;b") and double quotes inside it'),
                        ) from None
                    rows.append(plain)
                    stray = line if stray is None else stray
                    if self.anomalies.strict:
                        break
            if stray is not None:
                self.warn(
                    "stray-quote",
                    _("a row's quotes break the CSV rules; its fields are kept as written"),
                    line=stray,
                )
        else:
            rows = [ln.split(";") for ln in seg]
        header = rows[0]
        header_line = lines_of[0] if lines_of is not None else lo + 1
        data = rows[1:]
        sec = _Section(header, header_line, data, lines_of[1:] if lines_of is not None else None)
        width = len(header)
        if name != "META":
            if len(set(header)) != width:
                dup = sorted({h for h in header if header.count(h) > 1})
                raise self.error(
                    _("duplicate column names in the {name} header: {dup}", name=name, dup=dup),
                    line=header_line,
                )
            lens = list(map(len, data))
            if lens.count(width) != len(lens):
                i = next(k for k, n in enumerate(lens) if n != width)
                raise self._width_error(name, lens[i], width, sec.line(i))
        if name == "VOTES":
            n = len(data)
            sec.cols = [list(c) for c in zip(*data, strict=True)] if n else [[] for _ in header]
        return sec

    def _width_error(self, name: str, got: int, width: int, line: int) -> ParseError:
        return self.error(
            _(
                "a {name} row has {got} fields but the header has {width}",
                name=name,
                got=got,
                width=width,
            ),
            line=line,
            hint=_("quote fields that contain ';'"),
        )

    def _columns(self, seg: list[str], lo: int, lines_of: Sequence[int] | None) -> _Section:
        """An unquoted VOTES section, split straight into columns (no per-row lists)."""
        header = seg[0].split(";")
        header_line = lines_of[0] if lines_of is not None else lo + 1
        data = seg[1:]
        sec = _Section(header, header_line, [], lines_of[1:] if lines_of is not None else None)
        width = len(header)
        if len(set(header)) != width:
            dup = sorted({h for h in header if header.count(h) > 1})
            raise self.error(
                _("duplicate column names in the VOTES header: {dup}", dup=dup), line=header_line
            )
        semis = list(map(str.count, data, repeat(";")))
        if semis.count(width - 1) != len(data):
            i = next(k for k, c in enumerate(semis) if c != width - 1)
            raise self._width_error("VOTES", semis[i] + 1, width, sec.line(i))
        if data:
            flat = ";".join(data).split(";")
            sec.cols = [flat[c::width] for c in range(width)]
        else:
            sec.cols = [[] for _ in header]
        return sec

    # -- META -----------------------------------------------------------------------------------

    def meta(self, sec: _Section) -> tuple[dict[str, str], dict[str, int]]:
        rows = [sec.header, *sec.rows]
        lines = [sec.header_line] + [sec.line(i) for i in range(len(sec.rows))]
        if rows[0] == ["key", "value"]:
            rows, lines = rows[1:], lines[1:]
        meta: dict[str, str] = {}
        where: dict[str, int] = {}
        for row, line in zip(rows, lines, strict=True):
            if len(row) != 2:
                raise self.error(
                    _(
                        "a META row has {row_count} fields, expected 2 (key;value)",
                        row_count=len(row),
                    ),
                    line=line,
                    hint=_("quote values that contain ';'"),
                )
            key, value = row
            if key in meta:
                raise self.error(_("META key {key!r} appears twice", key=key), line=line)
            if key.startswith(_RESERVED) and key not in (_SYNTH_KEY, _MPU_KEY, _RELAXED_KEY):
                raise self.error(_("META key {key!r} is reserved by participa", key=key), line=line)
            meta[key] = value
            where[key] = line
        return meta, where

    def meta_int(self, meta: Mapping[str, str], where: Mapping[str, int], key: str) -> int | None:
        raw = meta.get(key)
        if raw is None or not raw.strip():
            return None
        text = raw.strip()
        if _INT.fullmatch(text):
            value = int(text)
        elif _amount_problem(text) is None and Decimal(text) == Decimal(text).to_integral_value():
            value = int(Decimal(text))
        else:
            raise self.error(
                _("META {key} is not a whole number: {raw!r}", key=key, raw=raw), line=where[key]
            )
        if abs(value) >= _MAX_AMOUNT:
            raise self.error(
                _("META {key} is too large: {raw!r}", key=key, raw=raw), line=where[key]
            )
        return value
