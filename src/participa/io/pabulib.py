"""Read and write pabulib ``.pb`` files exactly, with line numbers on every error.

A pabulib file has three ``;``-separated sections: ``META`` (``key;value``),
``PROJECTS`` (one project per row) and ``VOTES`` (one voter per row). The reader
turns a file into an :class:`~participa.model.Election`; the writer turns an
election back into a file, and ``read(write(x)) == x`` holds for every election the
reader produces and for every election built in memory.

How the file maps to the model
------------------------------
* Money: the budget and every cost are parsed exactly. ``minor_per_unit`` is the
  smallest power of ten that makes all of them integers
  (:func:`participa.money.scale_for`), so ``400000.0`` gives whole units and
  ``1234.50`` gives cents. The writer writes amounts back as decimals with as many
  digits as ``minor_per_unit`` has zeros; when those digits alone would not bring
  back the same ``minor_per_unit`` (every amount a multiple of 10 cents, say) it
  adds the META line ``participa:minor_per_unit;100``.
* META is kept whole, in order, as raw text in ``Election.meta``. ``description``
  gives ``Election.name`` (the file name when there is none), ``currency`` gives
  ``Election.currency``, ``min_length`` ... ``max_sum_points`` give
  ``Election.constraints``.
* PROJECTS: ``project_id``, ``cost``, ``name``; ``category`` (split on commas) gives
  ``Project.categories``; ``district`` gives ``Project.territory``; ``beneficiaries``
  gives ``Project.beneficiaries`` when every value is a whole number (otherwise it
  stays text); ``dimension`` gives ``Project.dimension``. Every other column is kept
  as text in ``Project.metadata``.
* VOTES: ``voter_id`` gives ``Voters.ids``; ``vote`` (and ``points``, aligned with
  it, for cumulative and scoring ballots) fill the profile matrix; ordinal ballots
  list the most preferred project first (rank 1). Every other column is kept per
  voter in ``Voters.columns``. A ``points`` column on an ordinal ballot (Kraków's
  3/2/1) is such a column. Identical ballots collapse into one profile row; the
  voters keep the file order through ``Voters.group``.

Column order
    The writer's natural column order is ``project_id;cost``, then ``name``,
    ``category``, ``district``, ``beneficiaries``, ``dimension`` (those in use), then
    the metadata columns in order of first appearance; for votes
    ``voter_id;vote``, ``points`` (cumulative, scoring), then the voter columns in
    order. When a file's header is in another order the reader keeps it in
    ``Election.meta`` under :data:`PROJECT_COLUMNS_KEY` / :data:`VOTE_COLUMNS_KEY`
    (the header line itself, ``;``-separated) and the writer follows it. These
    ``participa:`` keys are never written into a file's META.

META that the model overrides
    The writer keeps each META text that still agrees with the model and replaces
    the ones that do not (after ``with_budget`` the ``budget`` line says the new
    budget), so such an election comes back with its META brought up to date.

Things pabulib cannot say
    Elections built in memory may lack what a file needs. The writer then fills in
    the required META keys (``description`` from the name, ``country``, ``unit``,
    ``instance`` and ``rule`` as ``unknown``, empty dates, the counts, the budget, the
    vote type), voter ids ``1..n`` when the profile has no voter detail, and a
    ``participa:weight`` vote column when some voter's weight is not 1. It lists
    what it made up in a META line ``participa:synthesized`` so the reader takes it
    out again.

Projects listed with 0 points
    Some cumulative files (Zurich's) list a project with 0 points. Such a project is
    on the ballot: the reader marks it in the profile's ``listed`` mask (so it counts
    for ``approvals()``, ballot lengths and the ``cost`` / ``count`` utilities, as in
    pabutools), warns ``zero-points``, and the writer lists it again, with ``0`` in
    ``points``, among the voter's other projects in PROJECTS order (the order every
    vote is written in). Ballot constraints treat it as any listed entry:
    ``min_length`` / ``max_length`` count it, ``max_points`` holds for it and so does
    ``min_points``, so a file declaring ``min_points`` of 1 or more that lists a
    project with 0 points is refused (with the line). The Zurich file declares no
    ``min_points`` (only ``min_length;1``, ``max_length;5``, ``max_sum_points;10``),
    so nothing needs to be relaxed for it.

Examples
--------
>>> text = '''META
... key;value
... description;Tiny
... budget;100
... vote_type;approval
... PROJECTS
... project_id;cost;name
... a;60;Park
... b;50;Bench
... VOTES
... voter_id;vote
... 1;a,b
... 2;a
... '''
>>> pb = read_pabulib_text(text, file="tiny.pb")
>>> e = pb.election
>>> e.name, e.budget, e.project_ids, e.support().tolist()
('Tiny', 100, ('a', 'b'), [2, 1])
>>> read_pabulib_text(write_pabulib(e)).election == e
True
>>> read_pabulib_text(text.replace("1;a,b", "1;a,z"), file="tiny.pb")
Traceback (most recent call last):
...
participa.errors.ParseError: tiny.pb:12: the ballot names an unknown project [project 'z'] ...
"""

from __future__ import annotations

import csv
import gzip
import io
import operator
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa.errors import ParseError, ParticipaError, ValidationError
from participa.model import (
    BallotConstraints,
    BallotKind,
    Election,
    Profile,
    Project,
    Voters,
    collapse_rows,
)
from participa.money import parse_amount, scale_for

__all__ = [
    "PROJECT_COLUMNS_KEY",
    "VOTE_COLUMNS_KEY",
    "FileWarning",
    "PabulibFile",
    "load_election",
    "read_pabulib",
    "read_pabulib_text",
    "write_pabulib",
    "write_pabulib_file",
]

PROJECT_COLUMNS_KEY = "participa:project_columns"
"""``Election.meta`` key holding a PROJECTS header whose order differs from the natural one."""

VOTE_COLUMNS_KEY = "participa:vote_columns"
"""``Election.meta`` key holding a VOTES header whose order differs from the natural one."""

_SYNTH_KEY = "participa:synthesized"
_MPU_KEY = "participa:minor_per_unit"
_WEIGHT_COLUMN = "participa:weight"
_RESERVED = "participa:"

_SECTIONS = ("META", "PROJECTS", "VOTES")
_REQUIRED_META = (
    "description",
    "country",
    "unit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
)
_CONSTRAINT_KEYS = (
    "min_length",
    "max_length",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)
_MODELLED_PROJECT_COLUMNS = (
    "project_id",
    "cost",
    "name",
    "category",
    "district",
    "beneficiaries",
    "dimension",
)
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_INT = re.compile(r"[+-]?[0-9]{1,18}")
_DIGITS = re.compile(r"[0-9]{1,18}")
_MAX_AMOUNT = 2**62
_MAX_POINTS = 2**31
_SPECIAL = (";", '"', "\n", "\r")

IntArray = npt.NDArray[np.int64]


def _amount_problem(text: str) -> str | None:
    """Why ``text`` is not an amount participa reads exactly, or ``None`` if it is."""
    m = _AMOUNT.fullmatch(text)
    if m is None:
        return "negative" if text.startswith("-") else "not a number"
    if len(m.group(1).lstrip("0")) > 18:
        return "too large"
    if len((m.group(2) or "").rstrip("0")) > 9:
        return "given with more than 9 decimal places"
    return None


# -- values ---------------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class FileWarning:
    """A soft anomaly found while reading a file; never fatal, never printed.

    Parameters
    ----------
    code
        A short stable tag: ``bom``, ``crlf``, ``empty-lines``, ``num-projects``,
        ``num-votes``, ``votes-column``, ``score-column``, ``short-ballot``,
        ``zero-points``, ``cost-over-budget``.
    message
        One sentence for people.
    line
        1-based line it concerns, if one.
    project_id
        The project it concerns, if one.

    Examples
    --------
    >>> FileWarning("num-votes", "META num_votes is 10 but 9 voters voted", line=7).code
    'num-votes'
    """

    code: str
    message: str
    line: int | None = None
    project_id: str | None = None


def _warning_tuple(value: Iterable[FileWarning]) -> tuple[FileWarning, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class PabulibFile:
    """A read pabulib file: the election and the soft anomalies found on the way.

    Examples
    --------
    >>> pb = read_pabulib_text("META\\nbudget;5\\nvote_type;approval\\nPROJECTS\\n"
    ...                        "project_id;cost\\np;5\\nVOTES\\nvoter_id;vote\\n")
    >>> pb.election.budget, [w.code for w in pb.warnings]
    (5, [])
    """

    election: Election
    warnings: tuple[FileWarning, ...] = attrs.field(default=(), converter=_warning_tuple)

    def __repr__(self) -> str:
        from participa.display import pabulib_file_summary

        return pabulib_file_summary(self)

    def to_html(self, *, lang: str | None = None) -> str:
        """The file as HTML: its election, then the anomalies found, in ``lang``."""
        from participa.display import pabulib_file_html

        return pabulib_file_html(self, lang=lang)

    def _repr_html_(self) -> str:
        return self.to_html()


# -- reading --------------------------------------------------------------------------------------


def read_pabulib(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> PabulibFile:
    """Read a pabulib file (plain ``.pb`` or gzipped, told apart by its first bytes).

    Parameters
    ----------
    source
        A path, or the file's bytes.
    name
        Label for the file in error messages and the election's name when META has
        no ``description``. Defaults to the path (messages) and the file name without
        ``.pb``/``.pb.gz`` (election name).

    Returns
    -------
    PabulibFile
        The election and the warnings.

    Raises
    ------
    ParseError
        For malformed content, with ``file`` and the 1-based ``line`` of the
        offending row (a missing META section is reported at line 1, a missing
        PROJECTS or VOTES section at the last line), plus ``project_id`` /
        ``voter_id`` where one is concerned. Errors reading the path itself
        (missing file, permissions) are the usual ``OSError``.

    Examples
    --------
    >>> import gzip
    >>> raw = gzip.compress(b"META\\nbudget;5\\nvote_type;approval\\nPROJECTS\\n"
    ...                     b"project_id;cost\\np;5\\nVOTES\\nvoter_id;vote\\nv;p\\n")
    >>> read_pabulib(raw, name="x.pb.gz").election.support().tolist()
    [1]
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        file = name
        fallback = _stem(name) if name is not None else ""
    else:
        path = Path(os.fspath(source))
        data = path.read_bytes()
        file = str(path) if name is None else name
        fallback = _stem(path.name) if name is None else name
    text, warnings = _decode(data, file)
    return _parse(text, file=file, fallback_name=fallback, warnings=warnings)


def read_pabulib_text(text: str, *, file: str | None = None) -> PabulibFile:
    """Read pabulib content already decoded to text.

    ``file`` labels error messages and names the election when META has no
    ``description``.

    Examples
    --------
    >>> read_pabulib_text("META\\nbudget;5\\nvote_type;choose-2\\nPROJECTS\\n"
    ...                   "project_id;cost\\nVOTES\\nvoter_id;vote\\n", file="f.pb")
    Traceback (most recent call last):
    ...
    participa.errors.ParseError: f.pb:3: unknown vote_type 'choose-2' ...
    """
    warnings: list[FileWarning] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        warnings.append(FileWarning("bom", "the file starts with a byte-order mark", line=1))
    fallback = _stem(Path(file).name) if file is not None else ""
    return _parse(text, file=file, fallback_name=fallback, warnings=warnings)


def load_election(source: str | os.PathLike[str] | bytes) -> Election:
    """Read a pabulib file and return only its election (warnings dropped).

    Examples
    --------
    >>> e = load_election(b"META\\nbudget;5\\nvote_type;approval\\nPROJECTS\\n"
    ...                   b"project_id;cost\\np;5\\nVOTES\\nvoter_id;vote\\n")
    >>> e.profile.num_voters
    0
    """
    return read_pabulib(source).election


def _stem(name: str) -> str:
    base = os.path.basename(name)
    for suffix in (".gz", ".pb"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base


def _decode(data: bytes, file: str | None) -> tuple[str, list[FileWarning]]:
    warnings: list[FileWarning] = []
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ParseError(
                f"the gzip data is damaged: {exc}",
                file=file,
                hint="re-download the file or gunzip it to check",
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        warnings.append(FileWarning("bom", "the file starts with a byte-order mark", line=1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            f"bytes that are not UTF-8 ({data[exc.start : exc.start + 4]!r})",
            file=file,
            line=line,
            hint="pabulib files are UTF-8; re-encode the file",
        ) from None
    return text, warnings


def _markers(text: str, *, crlf: bool = False) -> list[tuple[int, str]]:
    """(0-based line, name) of every line that is a section marker, in file order.

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
    return [(line, name) for _, line, name in out]


class _Section:
    """One section: header, data (as rows, or as columns for VOTES), 1-based line numbers."""

    __slots__ = ("cols", "first_line", "header", "header_line", "lines_of", "rows")

    def __init__(
        self,
        header: list[str],
        header_line: int,
        rows: list[list[str]],
        lines_of: list[int] | None,
        cols: list[list[str]] | None = None,
    ) -> None:
        self.header = header
        self.header_line = header_line
        self.rows = rows
        self.lines_of = lines_of
        self.first_line = header_line + 1
        self.cols = cols

    def line(self, i: int) -> int:
        return self.lines_of[i] if self.lines_of is not None else self.first_line + i


class _Reader:
    """One parse of one file's text (internal; holds the file label and the warnings)."""

    def __init__(self, text: str, file: str | None, warnings: list[FileWarning]) -> None:
        self.file = file
        self.warnings = warnings
        self.crlf_text = False  # ``text`` keeps its CRLF line ends (every line has one)
        lines: list[str] | None = None
        if "\r" in text:
            parts = text.split("\r\n")
            crlf = len(parts) - 1
            if crlf:
                self.warn("crlf", f"{crlf} lines end with CRLF")
                if crlf == text.count("\n"):
                    lines, self.crlf_text = parts, True
                else:
                    text = text.replace("\r\n", "\n")
        if lines is None:
            lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.text = text
        self.quotes = '"' in text
        self.lines = lines
        self.blank_lines = 0
        self.first_blank: int | None = None

    def warn(
        self, code: str, message: str, *, line: int | None = None, project_id: str | None = None
    ) -> None:
        self.warnings.append(FileWarning(code, message, line, project_id))

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
        for i, name in _markers(self.text, crlf=self.crlf_text):
            if name in found:
                raise self.error(
                    f"section {name} appears twice (first on line {found[name] + 1})",
                    line=i + 1,
                    hint="a file has one META, one PROJECTS and one VOTES section",
                )
            found[name] = i
        end = max(len(lines), 1)
        for name in _SECTIONS:
            if name not in found:
                raise self.error(
                    f"missing section {name}",
                    line=1 if name == "META" else end,
                    hint="a pabulib file has the sections META, PROJECTS and VOTES, in order",
                )
        meta, projects, votes = (found[s] for s in _SECTIONS)
        if not meta < projects < votes:
            by_pos = sorted(found, key=found.__getitem__)
            bad = next(name for name, want in zip(by_pos, _SECTIONS, strict=True) if name != want)
            raise self.error(
                f"section {bad} is out of order",
                line=found[bad] + 1,
                hint="write META, then PROJECTS, then VOTES",
            )
        stray = [i for i in range(meta) if lines[i].strip()]
        if stray:
            raise self.error(
                "text before the META section", line=stray[0] + 1, hint="start the file with META"
            )
        if meta:
            self._blank(meta, 0)
        return meta, projects, votes

    def _blank(self, count: int, first: int) -> None:
        self.blank_lines += count
        if self.first_blank is None or first < self.first_blank:
            self.first_blank = first

    def section(self, lo: int, hi: int, name: str) -> _Section:
        """Parse lines ``lo..hi-1`` (0-based; ``lo - 1`` is the marker line)."""
        seg = self.lines[lo:hi]
        lines_of: list[int] | None = None
        blank = []
        if "" in seg or any(map(str.isspace, seg)):
            blank = [i for i, s in enumerate(map(str.strip, seg)) if not s]
        if blank:
            self._blank(len(blank), lo + blank[0] + 1)
            keep = set(blank)
            lines_of = [lo + i + 1 for i in range(len(seg)) if i not in keep]
            seg = [seg[i] for i in range(len(seg)) if i not in keep]
        if not seg:
            raise self.error(
                f"section {name} has no header row",
                line=lo,
                hint="META starts with key;value, PROJECTS with project_id;cost;..., "
                "VOTES with voter_id;vote;...",
            )
        quoted = self.quotes and '"' in "\n".join(seg)
        if name == "VOTES" and not quoted:
            return self._columns(seg, lo, lines_of)
        if quoted:
            rows = []
            for i, ln in enumerate(seg):
                try:
                    rows.append(next(csv.reader((ln,), delimiter=";", strict=True)))
                except (csv.Error, StopIteration) as exc:
                    line = lines_of[i] if lines_of is not None else lo + i + 1
                    raise self.error(
                        f"badly quoted field: {exc}",
                        line=line,
                        hint='quote a whole field ("a;b") and double quotes inside it',
                    ) from None
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
                    f"duplicate column names in the {name} header: {dup}", line=header_line
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
            f"a {name} row has {got} fields but the header has {width}",
            line=line,
            hint="quote fields that contain ';'",
        )

    def _columns(self, seg: list[str], lo: int, lines_of: list[int] | None) -> _Section:
        """An unquoted VOTES section, split straight into columns (no per-row lists)."""
        header = seg[0].split(";")
        header_line = lines_of[0] if lines_of is not None else lo + 1
        data = seg[1:]
        sec = _Section(header, header_line, [], lines_of[1:] if lines_of is not None else None)
        width = len(header)
        if len(set(header)) != width:
            dup = sorted({h for h in header if header.count(h) > 1})
            raise self.error(f"duplicate column names in the VOTES header: {dup}", line=header_line)
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
                    f"a META row has {len(row)} fields, expected 2 (key;value)",
                    line=line,
                    hint="quote values that contain ';'",
                )
            key, value = row
            if key in meta:
                raise self.error(f"META key {key!r} appears twice", line=line)
            if key.startswith(_RESERVED) and key not in (_SYNTH_KEY, _MPU_KEY):
                raise self.error(f"META key {key!r} is reserved by participa", line=line)
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
            raise self.error(f"META {key} is not a whole number: {raw!r}", line=where[key])
        if abs(value) >= _MAX_AMOUNT:
            raise self.error(f"META {key} is too large: {raw!r}", line=where[key])
        return value


def _parse(
    text: str, *, file: str | None, fallback_name: str, warnings: list[FileWarning]
) -> PabulibFile:
    r = _Reader(text, file, warnings)
    i_meta, i_proj, i_votes = r.sections()
    msec = r.section(i_meta + 1, i_proj, "META")
    psec = r.section(i_proj + 1, i_votes, "PROJECTS")
    vsec = r.section(i_votes + 1, len(r.lines), "VOTES")
    meta, where = r.meta(msec)

    synthesized: set[str] = set()
    if _SYNTH_KEY in meta:
        synthesized = set(filter(None, meta.pop(_SYNTH_KEY).split(",")))
    mpu_text = meta.pop(_MPU_KEY, None)
    name = meta.get("description", fallback_name)
    currency = meta.get("currency")

    raw_kind = meta.get("vote_type")
    if raw_kind is None:
        raise r.error(
            "META has no vote_type",
            line=msec.header_line,
            hint="add vote_type;approval (or choose-1, cumulative, scoring, ordinal)",
        )
    try:
        kind = BallotKind(raw_kind.strip())
    except ValueError:
        raise r.error(
            f"unknown vote_type {raw_kind!r}",
            line=where["vote_type"],
            hint="use approval, choose-1, cumulative, scoring or ordinal",
        ) from None
    if "budget" not in meta:
        raise r.error("META has no budget", line=msec.header_line, hint="add budget;<amount>")

    projects, costs_text, p_lines = _projects(r, psec)
    budget_text = meta["budget"].strip()
    problem = _amount_problem(budget_text)
    if problem is not None:
        raise r.error(
            f"budget is {problem}: {meta['budget']!r}",
            line=where["budget"],
            hint="write the budget as digits with an optional decimal point, e.g. 120000.50",
        )
    try:
        if mpu_text is not None:
            if mpu_text not in {str(10**d) for d in range(10)}:
                raise ValidationError(f"{_MPU_KEY} must be a power of ten, got {mpu_text!r}")
            mpu = int(mpu_text)
        else:
            mpu = scale_for([budget_text, *costs_text])
        budget = parse_amount(budget_text, minor_per_unit=mpu)
    except ValidationError as exc:
        raise r.error(exc.message, line=where.get(_MPU_KEY, where["budget"])) from None
    total = budget
    if total >= _MAX_AMOUNT:
        raise r.error("the budget is too large to add up exactly", line=where["budget"])
    priced: list[Project] = []
    for proj, ctext, line in zip(projects, costs_text, p_lines, strict=True):
        try:
            cost = parse_amount(ctext, minor_per_unit=mpu)
        except ValidationError as exc:
            raise r.error(exc.message, line=line, project_id=proj.id) from None
        total += cost
        if total >= _MAX_AMOUNT:
            raise r.error("amounts too large to add up exactly", line=line, project_id=proj.id)
        priced.append(attrs.evolve(proj, cost=cost))

    constraints = BallotConstraints(**{k: r.meta_int(meta, where, k) for k in _CONSTRAINT_KEYS})
    profile = _votes(r, vsec, kind, priced, constraints, "voter_id" in synthesized)

    for key in synthesized:
        meta.pop(key, None)
    _check_counts(r, meta, where, priced, profile, p_lines)
    for p, line in zip(priced, p_lines, strict=True):
        if p.cost > budget:
            r.warn(
                "cost-over-budget",
                "the project costs more than the whole budget",
                line=line,
                project_id=p.id,
            )
    natural = _natural_project_columns(priced)
    order = _ordered(psec.header, natural, _MODELLED_PROJECT_COLUMNS)
    if order != natural:
        meta[PROJECT_COLUMNS_KEY] = _join(order)
    natural = _natural_vote_columns(kind, profile)
    order = _ordered(vsec.header, natural, (_WEIGHT_COLUMN,))
    if order != natural:
        meta[VOTE_COLUMNS_KEY] = _join(order)
    if r.blank_lines:
        r.warn("empty-lines", f"{r.blank_lines} empty lines were skipped", line=r.first_blank)

    try:
        election = Election(
            budget,
            tuple(priced),
            profile,
            name=name,
            currency=currency,
            minor_per_unit=mpu,
            constraints=constraints,
            meta=meta,
        )
    except ValidationError as exc:
        raise _relocate(r, exc, vsec, profile, priced, p_lines) from None
    return PabulibFile(election, tuple(r.warnings))


def _relocate(
    r: _Reader,
    exc: ValidationError,
    vsec: _Section,
    profile: Profile,
    projects: Sequence[Project],
    p_lines: Sequence[int],
) -> ParseError:
    line = None
    voters = profile.voters
    if exc.voter_id is not None and voters is not None and exc.voter_id in voters.ids:
        line = vsec.line(voters.ids.index(exc.voter_id))
    elif exc.project_id is not None:
        ids = [p.id for p in projects]
        if exc.project_id in ids:
            line = p_lines[ids.index(exc.project_id)]
    return r.error(exc.message, line=line, project_id=exc.project_id, voter_id=exc.voter_id)


def _projects(r: _Reader, sec: _Section) -> tuple[list[Project], list[str], list[int]]:
    header = sec.header
    for col in ("project_id", "cost"):
        if col not in header:
            raise r.error(
                f"the PROJECTS header has no {col!r} column",
                line=sec.header_line,
                hint="the PROJECTS header starts with project_id;cost",
            )
    pos = {h: j for j, h in enumerate(header)}
    ip, ic = pos["project_id"], pos["cost"]
    iname, icat, idist = pos.get("name"), pos.get("category"), pos.get("district")
    iben, idim = pos.get("beneficiaries"), pos.get("dimension")
    ben_int = iben is not None and all(
        not row[iben] or (_DIGITS.fullmatch(row[iben]) and row[iben] == str(int(row[iben])))
        for row in sec.rows
    )
    other = [
        (h, j)
        for j, h in enumerate(header)
        if h not in _MODELLED_PROJECT_COLUMNS or (h == "beneficiaries" and not ben_int)
    ]
    projects: list[Project] = []
    costs: list[str] = []
    lines: list[int] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(sec.rows):
        line = sec.line(i)
        pid = row[ip]
        if not pid.strip():
            raise r.error("empty project_id", line=line, hint="give every project an id")
        if "," in pid:
            raise r.error(
                "project_id contains a comma, which separates projects in votes",
                line=line,
                project_id=pid,
            )
        if pid in seen:
            raise r.error(
                f"duplicate project id (first on line {seen[pid]})", line=line, project_id=pid
            )
        seen[pid] = line
        ctext = row[ic].strip()
        problem = _amount_problem(ctext)
        if problem is not None:
            raise r.error(
                f"cost is {problem}: {row[ic]!r}",
                line=line,
                project_id=pid,
                hint="write costs as non-negative digits with an optional decimal point",
            )
        ben = None
        if ben_int and iben is not None and row[iben]:
            ben = int(row[iben])
        projects.append(
            Project(
                pid,
                0,
                name=row[iname] if iname is not None else "",
                territory=(row[idist] or None) if idist is not None else None,
                categories=tuple(row[icat].split(",")) if icat is not None and row[icat] else (),
                dimension=(row[idim] or None) if idim is not None else None,
                beneficiaries=ben,
                metadata={h: row[j] for h, j in other},
            )
        )
        costs.append(ctext)
        lines.append(line)
    return projects, costs, lines


def _votes(
    r: _Reader,
    sec: _Section,
    kind: BallotKind,
    projects: Sequence[Project],
    constraints: BallotConstraints,
    synthetic_ids: bool,
) -> Profile:
    header = sec.header
    for col in ("voter_id", "vote"):
        if col not in header:
            raise r.error(
                f"the VOTES header has no {col!r} column",
                line=sec.header_line,
                hint="the VOTES header starts with voter_id;vote",
            )
    pos = {h: j for j, h in enumerate(header)}
    assert sec.cols is not None
    cols = sec.cols
    n = len(cols[0]) if cols else 0
    m = len(projects)
    ids = cols[pos["voter_id"]]
    votes = cols[pos["vote"]]
    points: list[str] | None = None
    if kind.has_points:
        if "points" not in pos:
            raise r.error(
                f"a {kind.value} file needs a 'points' column in VOTES",
                line=sec.header_line,
                hint="add points aligned with vote, e.g. vote 3,7 and points 2,1",
            )
        points = cols[pos["points"]]
    elif kind.is_approval and "points" in pos:
        pts = cols[pos["points"]]
        bad = next((i for i, p in enumerate(pts) if p.strip()), None)
        if bad is not None:
            raise r.error(
                f"points on a {kind.value} ballot",
                line=sec.line(bad),
                voter_id=ids[bad],
                hint="approval and choose-1 ballots carry no points; use vote_type cumulative",
            )
    weights: list[str] | None = cols[pos[_WEIGHT_COLUMN]] if _WEIGHT_COLUMN in pos else None
    skip = {"voter_id", "vote", _WEIGHT_COLUMN} | ({"points"} if kind.has_points else set())
    extra = [h for h in header if h not in skip]

    if not synthetic_ids:
        if "" in ids:
            i = ids.index("")
            raise r.error("empty voter_id", line=sec.line(i), hint="give every voter an id")
        if len(set(ids)) != n:
            first: dict[str, int] = {}
            for i, v in enumerate(ids):
                if v in first:
                    raise r.error(
                        f"duplicate voter id (first on line {sec.line(first[v])})",
                        line=sec.line(i),
                        voter_id=v,
                    )
                first[v] = i

    # identical (vote, points, weight) strings are parsed once
    keys: Iterable[Any]
    if points is None and weights is None:
        keys = votes
    else:
        keys = zip(votes, points or votes, weights or votes, strict=True)
    index: dict[Any, int] = {}
    inv_list = [index.setdefault(k, len(index)) for k in keys]
    inv = np.asarray(inv_list, dtype=np.int64).reshape(n)
    uniq = list(index)
    k = len(uniq)
    vtexts: list[str] = uniq if points is None and weights is None else [u[0] for u in uniq]
    ptexts = None if points is None else [u[1] for u in uniq]
    wtexts = None if weights is None else [u[2] for u in uniq]

    def where(u: int) -> tuple[int, str]:
        i = inv_list.index(u)
        return sec.line(i), ids[i]

    pidx = {p.id: j for j, p in enumerate(projects)}
    ballots = None
    if wtexts is None:
        ballots = _ballots_fast(kind, vtexts, ptexts, pidx, m, constraints.max_length)
    if ballots is None:
        ballots = _ballots_slow(
            r, where, kind, vtexts, ptexts, wtexts, pidx, m, constraints.max_length
        )
    mat, lengths, listed_u, wt_u = ballots
    mult_u = np.bincount(inv, minlength=k).astype(np.int64)
    zero_u: npt.NDArray[np.bool_] | None = None
    if listed_u is not None:
        zero_u = (listed_u & (mat == 0)).any(axis=1)
        if not zero_u.any():
            listed_u, zero_u = None, None
    cm, mult, cw, inv2 = collapse_rows(mat, mult_u, wt_u, listed=listed_u)
    listed: npt.NDArray[np.bool_] | None = None
    if listed_u is not None:
        listed = np.zeros(cm.shape, np.bool_)
        listed[inv2] = listed_u
    group = inv2[inv] if n else np.zeros(0, np.int64)

    min_len = constraints.min_length
    if min_len is not None and k:
        short = lengths < min_len
        if short.any():
            count = int(mult_u[short].sum())
            line, _ = where(int(np.flatnonzero(short)[0]))
            r.warn(
                "short-ballot",
                f"{count} ballots name fewer projects than min_length = {min_len}",
                line=line,
            )
    if zero_u is not None:
        count = int(mult_u[zero_u].sum())
        line, _ = where(int(np.flatnonzero(zero_u)[0]))
        r.warn(
            "zero-points",
            f"{count} ballots list projects with 0 points (kept on the ballot: they count "
            "as approved for the cost and count utilities)",
            line=line,
        )

    voters: Voters | None = None
    try:
        if not synthetic_ids:
            columns = {h: tuple(cols[pos[h]]) for h in extra}
            voters = Voters(ids, group, columns)
        profile = Profile(kind, tuple(p.id for p in projects), cm, mult, cw, voters, listed=listed)
    except ValidationError as exc:
        raise r.error(exc.message, line=sec.header_line, voter_id=exc.voter_id) from None
    return profile


_Ballots = tuple[npt.NDArray[Any], IntArray, npt.NDArray[np.bool_] | None, IntArray]
"""Distinct ballots: matrix, lengths, listed mask (points kinds) and weights."""
_POINTS_LIST = re.compile(r"[0-9]{1,9}(?:,[0-9]{1,9})*")
_MASK64 = (1 << 64) - 1
_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93)
"""Odd 64-bit constants tried, in order, for the collision-free hash of project ids."""


def _counts(texts: Sequence[str]) -> IntArray:
    """Number of comma-separated items in each text (0 for an empty text)."""
    commas = np.fromiter(map(str.count, texts, repeat(",")), np.int64, len(texts))
    empty = np.fromiter(map(operator.not_, texts), np.bool_, len(texts))
    out: IntArray = np.where(empty, 0, commas + 1)
    return out


def _token_columns(joined: str, total: int, pidx: Mapping[str, int]) -> IntArray | None:
    """Column of each of the ``total`` comma-separated tokens of ``joined``, matched with numpy.

    Each token and each project id of at most 8 UTF-8 bytes is read as one
    little-endian ``uint64`` (bytes zero-padded); a multiplicative hash without
    collisions among the ids points each token at one candidate id, and the token
    matches when its key *and* byte length are the candidate's, so the match is
    exact. A token that is no project id gets ``-1``. Returns ``None`` when the
    trick does not apply (an id longer than 8 bytes, text that does not encode);
    the caller then maps the tokens through ``pidx`` one by one.

    Examples
    --------
    >>> ids = {"ab": 0, "c": 1, "x\\x00": 2}
    >>> _token_columns("ab,c,ab", 3, ids).tolist()
    [0, 1, 0]
    >>> _token_columns("ab,x,,abc,x\\x00", 5, ids).tolist()
    [0, -1, -1, -1, 2]
    >>> _token_columns("ab", 1, {"a-very-long-id": 0}) is None
    True
    """
    if not total or not pidx:
        return None
    try:
        raw = joined.encode("utf-8")
        id_bytes = [p.encode("utf-8") for p in pidx]
    except UnicodeEncodeError:
        return None
    if max(map(len, id_bytes)) > 8:
        return None
    size = len(raw) + 1
    buf = np.frombuffer(raw + b"," + bytes(8), np.uint8)  # 8 spare bytes: every word is inside
    comma = buf[:size] == 44  # ord(",")
    width = raw.find(b",") + 1 if total > 1 else size
    fixed: int | None = None
    lengths: IntArray | None = None
    if (
        1 < width <= 9
        and size == total * width
        and int(np.count_nonzero(comma)) == total
        and bool((buf[width - 1 : size : width] == 44).all())
    ):
        # every token has width - 1 bytes: token i is the word at byte i * width
        fixed = width - 1
        words: npt.NDArray[np.uint64] = np.ndarray(
            (total,), dtype="<u8", buffer=buf, strides=(width,)
        )
        keys = words & np.uint64((1 << (8 * fixed)) - 1)
    else:
        ends = np.flatnonzero(comma)
        if ends.size != total:
            return None
        starts = np.empty(total, np.int64)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        lengths = ends - starts
        packed = np.zeros((total, 8), np.uint8)
        for p in range(min(int(lengths.max()), 8)):
            packed[:, p] = np.where(lengths > p, buf[starts + p], 0)
        keys = packed.view("<u8").reshape(total)
    m = len(id_bytes)
    id_key = [int.from_bytes(b, "little") for b in id_bytes]
    rows = [j for j, b in enumerate(id_bytes) if fixed is None or len(b) == fixed]
    found: tuple[int, int, list[int]] | None = None
    for bits in range(max(4, len(rows).bit_length() + 1), 21):
        for mul in _MULTIPLIERS:
            slots = [((id_key[j] * mul) & _MASK64) >> (64 - bits) for j in rows]
            if len(set(slots)) == len(rows):
                found = bits, mul, slots
                break
        if found is not None:
            break
    if found is None:
        return None
    bits, mul, slots = found
    lookup = np.full(1 << bits, m, np.int32)  # row m: no id
    lookup[slots] = rows
    id_keys = np.array([*id_key, _MASK64], np.uint64)  # 0xFF bytes never occur in UTF-8
    id_col = np.array([*pidx.values(), -1], np.int64)
    at = lookup[(keys * np.uint64(mul)) >> np.uint64(64 - bits)]
    ok = id_keys[at] == keys
    if lengths is not None:
        ok &= np.array([*map(len, id_bytes), -1], np.int64)[at] == lengths
    out: IntArray = np.where(ok, id_col[at], -1)
    return out


def _ballots_fast(
    kind: BallotKind,
    vtexts: Sequence[str],
    ptexts: Sequence[str] | None,
    pidx: Mapping[str, int],
    m: int,
    max_len: int | None,
) -> _Ballots | None:
    """Parse distinct ballot texts with numpy; ``None`` when anything needs a closer look.

    The slow path (:func:`_ballots_slow`) then finds and reports the first problem,
    or handles what this one leaves to it (padded numbers, weights).
    """
    k = len(vtexts)
    counts = _counts(vtexts)
    total = int(counts.sum())
    if k and (
        (max_len is not None and int(counts.max()) > max_len)
        or (kind is BallotKind.CHOOSE_1 and int(counts.max()) > 1)
    ):
        return None
    joined = ",".join(filter(None, vtexts)) if total else ""
    cols = _token_columns(joined, total, pidx)
    if cols is None:
        tokens = joined.split(",") if total else []
        try:
            cols = np.fromiter(map(pidx.__getitem__, tokens), np.int64, total)
        except KeyError:
            return None
    elif cols.size and int(cols.min()) < 0:
        return None  # a token that is no project id
    rows = np.repeat(np.arange(k, dtype=np.int64), counts)
    seen = np.zeros((k, m), np.bool_)
    seen[rows, cols] = True
    if k and not np.array_equal(np.count_nonzero(seen, axis=1), counts):
        return None  # a project twice on one ballot
    if kind.is_approval:
        return seen, counts, None, np.ones(k, np.int64)
    mat = np.zeros((k, m), np.int64)
    if ptexts is None:  # ordinal: rank = position on the ballot
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        mat[rows, cols] = np.arange(total, dtype=np.int64) - starts + 1
        return mat, counts, None, np.ones(k, np.int64)
    if not np.array_equal(_counts(ptexts), counts):
        return None
    joined = ",".join(filter(None, ptexts))
    if total and _POINTS_LIST.fullmatch(joined) is None:
        return None
    vals = np.fromiter(map(int, joined.split(",")), np.int64, total) if total else cols
    mat[rows, cols] = vals
    return mat, counts, seen, np.ones(k, np.int64)


def _ballots_slow(
    r: _Reader,
    where: Callable[[int], tuple[int, str]],
    kind: BallotKind,
    vtexts: Sequence[str],
    ptexts: Sequence[str] | None,
    wtexts: Sequence[str] | None,
    pidx: Mapping[str, int],
    m: int,
    max_len: int | None,
) -> _Ballots:
    """Parse distinct ballot texts one by one, raising the first problem with its line."""
    k = len(vtexts)
    rr: list[int] = []
    cc: list[int] = []
    vv: list[int] = []
    wt_u = np.ones(k, np.int64)
    lengths = np.zeros(k, np.int64)
    for u, vtext in enumerate(vtexts):
        ptext = None if ptexts is None else ptexts[u]
        wtext = None if wtexts is None else wtexts[u]
        pids = vtext.split(",") if vtext else []
        try:
            js = [pidx[p] for p in pids]
        except KeyError:
            bad = next(p for p in pids if p not in pidx)
            line, vid = where(u)
            raise r.error(
                "the ballot names an unknown project",
                line=line,
                project_id=bad,
                voter_id=vid,
                hint="every project in a vote must be listed in PROJECTS (check for spaces)",
            ) from None
        if len(set(js)) != len(js):
            dup = next(p for p in pids if pids.count(p) > 1)
            line, vid = where(u)
            raise r.error(
                "the ballot names a project twice", line=line, project_id=dup, voter_id=vid
            )
        if max_len is not None and len(js) > max_len:
            line, vid = where(u)
            raise r.error(
                f"the ballot names {len(js)} projects, more than max_length = {max_len}",
                line=line,
                voter_id=vid,
            )
        if kind is BallotKind.CHOOSE_1 and len(js) > 1:
            line, vid = where(u)
            raise r.error(f"a choose-1 ballot names {len(js)} projects", line=line, voter_id=vid)
        if wtext is not None:
            if not _DIGITS.fullmatch(wtext) or not 1 <= int(wtext) < _MAX_POINTS:
                line, vid = where(u)
                raise r.error(f"bad voter weight {wtext!r}", line=line, voter_id=vid)
            wt_u[u] = int(wtext)
        if ptext is not None:
            items = ptext.split(",") if ptext else []
            if len(items) != len(js):
                line, vid = where(u)
                raise r.error(
                    f"{len(items)} points for {len(js)} projects",
                    line=line,
                    voter_id=vid,
                    hint="points must be aligned with vote: one number per project",
                )
            vals: list[int] = []
            for t in items:
                s = t.strip()
                if not _INT.fullmatch(s) or abs(int(s)) >= _MAX_POINTS:
                    line, vid = where(u)
                    raise r.error(
                        f"points are not whole numbers: {ptext!r}", line=line, voter_id=vid
                    )
                vals.append(int(s))
            if min(vals, default=0) < 0:
                line, vid = where(u)
                raise r.error(f"negative points: {ptext!r}", line=line, voter_id=vid)
        elif kind is BallotKind.ORDINAL:
            vals = list(range(1, len(js) + 1))
        else:
            vals = [1] * len(js)
        lengths[u] = len(pids)
        rr.extend([u] * len(js))
        cc.extend(js)
        vv.extend(vals)

    mat = np.zeros((k, m), np.int64)
    listed = np.zeros((k, m), np.bool_) if kind.has_points else None
    if rr:
        rows, cols = np.asarray(rr, np.int64), np.asarray(cc, np.int64)
        mat[rows, cols] = np.asarray(vv, np.int64)
        if listed is not None:
            listed[rows, cols] = True
    if kind.is_approval:
        mat = mat.astype(np.bool_)
    return mat, lengths, listed, wt_u


def _check_counts(
    r: _Reader,
    meta: Mapping[str, str],
    where: Mapping[str, int],
    projects: Sequence[Project],
    profile: Profile,
    p_lines: Sequence[int],
) -> None:
    for key, actual, what in (
        ("num_projects", len(projects), "projects are listed"),
        ("num_votes", profile.num_voters, "voters voted"),
    ):
        raw = meta.get(key)
        if raw is not None and raw.strip() != str(actual):
            r.warn(
                key.replace("_", "-"),
                f"META {key} is {raw!r} but {actual} {what}",
                line=where.get(key),
            )
    support = (
        (profile.group_weight @ profile.approvals()).astype(np.int64)
        if profile.num_groups
        else np.zeros(len(projects), np.int64)
    )
    points = (
        (profile.group_weight @ profile.matrix).astype(np.int64)
        if profile.num_groups and profile.kind.has_points
        else None
    )
    for j, p in enumerate(projects):
        raw = p.metadata.get("votes")
        if raw is not None and raw.strip() and raw.strip() != str(int(support[j])):
            r.warn(
                "votes-column",
                f"the votes column says {raw!r} but {int(support[j])} ballots name the project",
                line=p_lines[j],
                project_id=p.id,
            )
        raw = p.metadata.get("score")
        if points is not None and raw is not None and raw.strip() != str(int(points[j])):
            r.warn(
                "score-column",
                f"the score column says {raw!r} but the ballots give {int(points[j])} points",
                line=p_lines[j],
                project_id=p.id,
            )


# -- writing --------------------------------------------------------------------------------------


def _join(fields: Sequence[str]) -> str:
    """One ``;``-separated row, quoting only the fields that need it."""
    if any(c in f for f in fields for c in _SPECIAL):
        for f in fields:
            if "\n" in f or "\r" in f:
                raise ValidationError(
                    f"a field holds a line break: {f[:40]!r}",
                    hint="pabulib rows are one per line; remove line breaks from values",
                )
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="", quoting=csv.QUOTE_MINIMAL).writerow(
            fields
        )
        return buf.getvalue()
    return ";".join(fields)


def _split(text: str) -> list[str]:
    return next(csv.reader((text,), delimiter=";"), [])


def _natural_project_columns(projects: Sequence[Project]) -> list[str]:
    cols = ["project_id", "cost"]
    if any(p.name for p in projects):
        cols.append("name")
    if any(p.categories for p in projects):
        cols.append("category")
    if any(p.territory is not None for p in projects):
        cols.append("district")
    if any(p.beneficiaries is not None for p in projects):
        cols.append("beneficiaries")
    if any(p.dimension is not None for p in projects):
        cols.append("dimension")
    seen = dict.fromkeys(k for p in projects for k in p.metadata)
    return cols + list(seen)


def _natural_vote_columns(kind: BallotKind, profile: Profile) -> list[str]:
    cols = ["voter_id", "vote"]
    if kind.has_points:
        cols.append("points")
    if profile.num_groups and int(profile.weight.max()) != 1:
        cols.append(_WEIGHT_COLUMN)
    if profile.voters is not None:
        cols.extend(profile.voters.columns)
    return cols


def _ordered(
    stored: Sequence[str] | None, natural: list[str], writable: Iterable[str]
) -> list[str]:
    """``stored`` order, kept to the columns the writer can fill, then the missing natural ones."""
    if stored is None:
        return natural
    can = set(natural) | set(writable)
    order = list(dict.fromkeys(c for c in stored if c in can))
    return order + [c for c in natural if c not in order]


def _stored(meta: Mapping[str, str], key: str) -> list[str] | None:
    text = meta.get(key)
    return None if text is None else _split(text)


def _amount_writer(mpu: int) -> Callable[[int], str]:
    digits = len(str(mpu)) - 1
    if mpu != 10**digits:
        raise ValidationError(
            f"minor_per_unit = {mpu} is not a power of ten, so amounts cannot be written as "
            "decimals of a unit",
            hint="convert the election to a power-of-ten minor unit first",
        )

    def fmt(amount: int) -> str:
        if digits == 0:
            return str(amount)
        whole, frac = divmod(amount, mpu)
        return f"{whole}.{frac:0{digits}d}"

    return fmt


def write_pabulib(election: Election) -> str:
    """The election as pabulib text (LF line ends, UTF-8 when encoded).

    The writer keeps the election's META text where it still agrees with the
    model (a budget of ``400000.0`` stays so), replaces it where the model changed
    (``with_budget``), and fills in what pabulib requires (see the module notes).

    Raises
    ------
    ValidationError
        If a value cannot be written (a line break in a field, a comma in a project
        id, a ``minor_per_unit`` that is not a power of ten).

    Examples
    --------
    >>> from participa.model import Profile
    >>> e = Election(10, (Project("a", 4), Project("b", 6)),
    ...              Profile.from_ballots(BallotKind.ORDINAL, ["a", "b"], [["b", "a"]]))
    >>> print(write_pabulib(e))  # doctest: +ELLIPSIS
    META
    key;value
    description;
    ...
    vote_type;ordinal
    ...
    PROJECTS
    project_id;cost
    a;4
    b;6
    VOTES
    voter_id;vote
    1;b,a
    <BLANKLINE>
    """
    e = election
    kind = e.kind
    prof = e.profile
    mpu = e.minor_per_unit
    fmt = _amount_writer(mpu)
    for p in e.projects:
        if "," in p.id:
            raise ValidationError(
                "a project id contains a comma, which separates projects in votes",
                project_id=p.id,
            )
        clash = [
            k
            for k in p.metadata
            if k in _MODELLED_PROJECT_COLUMNS
            and not (k == "beneficiaries" and p.beneficiaries is None)
        ]
        if clash:
            raise ValidationError(
                f"metadata column {clash[0]!r} clashes with a modelled project field",
                project_id=p.id,
            )
    cons = e.constraints
    model_values: dict[str, str | None] = {
        "description": e.name,
        "budget": fmt(e.budget),
        "vote_type": kind.value,
        "currency": e.currency,
    }
    for key in _CONSTRAINT_KEYS:
        v = getattr(cons, key)
        model_values[key] = None if v is None else str(v)

    out: list[str] = ["META", "key;value"]
    written: dict[str, str] = {}
    for key, raw in e.meta.items():
        if key.startswith(_RESERVED):
            continue
        value: str | None = raw
        if key == "budget":
            value = raw if _amount_equals(raw, e.budget, mpu) else model_values["budget"]
        elif key in _CONSTRAINT_KEYS:
            want = getattr(cons, key)
            value = raw if want is not None and _int_equals(raw, want) else model_values[key]
        elif key in model_values and raw != model_values[key]:
            value = model_values[key]
        if value is not None:
            written[key] = value
    synth: list[str] = []
    defaults = {
        "num_projects": str(len(e.projects)),
        "num_votes": str(prof.num_voters),
        "country": "unknown",
        "unit": "unknown",
        "instance": "unknown",
        "rule": "unknown",
        "date_begin": "",
        "date_end": "",
    }
    for key in (*_REQUIRED_META, "currency", *_CONSTRAINT_KEYS):
        if key in written:
            continue
        value = model_values[key] if key in model_values else defaults[key]
        if value is not None:
            written[key] = value
            synth.append(key)
    if prof.voters is None:
        synth.append("voter_id")
    amounts = [written.get("budget", fmt(e.budget)).strip()] + [fmt(p.cost) for p in e.projects]
    for key, value in written.items():
        out.append(_join([key, value]))
    if synth:
        out.append(_join([_SYNTH_KEY, ",".join(synth)]))
    if scale_for(amounts) != mpu:
        out.append(_join([_MPU_KEY, str(mpu)]))

    # PROJECTS
    pcols = _ordered(
        _stored(e.meta, PROJECT_COLUMNS_KEY),
        _natural_project_columns(e.projects),
        _MODELLED_PROJECT_COLUMNS,
    )
    out.append("PROJECTS")
    out.append(_join(pcols))
    for p in e.projects:
        cells = {
            "project_id": p.id,
            "cost": fmt(p.cost),
            "name": p.name,
            "category": ",".join(p.categories),
            "district": p.territory or "",
            "beneficiaries": p.metadata.get("beneficiaries", "")
            if p.beneficiaries is None
            else str(p.beneficiaries),
            "dimension": p.dimension or "",
        }
        out.append(_join([cells[c] if c in cells else p.metadata.get(c, "") for c in pcols]))

    # VOTES
    vcols = _ordered(
        _stored(e.meta, VOTE_COLUMNS_KEY), _natural_vote_columns(kind, prof), (_WEIGHT_COLUMN,)
    )
    out.append("VOTES")
    out.append(_join(vcols))
    out.extend(_vote_rows(e, vcols))
    return "\n".join(out) + "\n"


def _amount_equals(raw: str, amount: int, mpu: int) -> bool:
    text = raw.strip()
    if _amount_problem(text) is not None:
        return False
    try:
        return parse_amount(text, minor_per_unit=mpu) == amount
    except ParticipaError:
        return False


def _int_equals(raw: str, value: int) -> bool:
    text = raw.strip()
    if _INT.fullmatch(text):
        return int(text) == value
    if _amount_problem(text) is None:
        return Decimal(text) == value
    return False


def _vote_rows(e: Election, vcols: Sequence[str]) -> list[str]:
    prof = e.profile
    ids = prof.project_ids
    g = prof.num_groups
    mat = prof.matrix
    on = prof.approvals()
    vote_text: list[str] = []
    point_text: list[str] = []
    for row in range(g):
        r = mat[row]
        nz = np.flatnonzero(on[row])
        if prof.kind is BallotKind.ORDINAL:
            nz = nz[np.argsort(r[nz], kind="stable")]
        vote_text.append(",".join(ids[j] for j in nz))
        if prof.kind.has_points:
            point_text.append(",".join(str(int(r[j])) for j in nz))
    voters = prof.voters
    if voters is not None:
        group = voters.group.tolist()
        vids: Sequence[str] = voters.ids
        columns = voters.columns
    else:
        group = np.repeat(np.arange(g), prof.multiplicity).tolist()
        vids = [str(i + 1) for i in range(len(group))]
        columns = {}
    votes = [vote_text[x] for x in group]
    data: dict[str, Sequence[str]] = {"voter_id": vids, "vote": votes}
    if prof.kind.has_points:
        data["points"] = [point_text[x] for x in group]
    if _WEIGHT_COLUMN in vcols:
        wt = [str(int(w)) for w in prof.weight]
        data[_WEIGHT_COLUMN] = [wt[x] for x in group]
    for c in vcols:
        if c not in data:
            data[c] = columns.get(c) or [""] * len(group)
    table = [data[c] for c in vcols]
    special = any(ch in "\x1f".join(col) for col in table for ch in _SPECIAL)
    if not special:
        return [";".join(row) for row in zip(*table, strict=True)]
    return [_join(row) for row in zip(*table, strict=True)]


def write_pabulib_file(election: Election, path: str | os.PathLike[str]) -> Path:
    """Write the election to ``path`` atomically; gzip it when the name ends in ``.gz``.

    The whole text is built first, written to a temporary file in the same folder,
    flushed to disk and then moved over ``path`` with :func:`os.replace`, so a
    failure leaves either the old file or the new one, never half of one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from participa.model import Profile
    >>> e = Election(5, (Project("a", 5),),
    ...              Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]]))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_pabulib_file(e, pathlib.Path(d) / "x.pb.gz")
    ...     load_election(p) == e
    True
    """
    target = Path(os.fspath(path))
    text = write_pabulib(election)
    data = text.encode("utf-8")
    if target.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


serialize.register(FileWarning)
serialize.register(PabulibFile)
