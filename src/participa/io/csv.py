"""Projects and ballots from spreadsheets: CSV in, CSV out.

Municipal teams keep projects and votes in spreadsheets. A CSV election is three
small tables, usually in one folder:

``projects.csv``
    One row per project. ``project_id`` (or ``id``) and ``cost`` are required;
    ``name``, ``district`` (or ``territory``), ``category`` (comma-separated),
    ``beneficiaries`` and ``dimension`` are read into the model; any other column is
    kept as text in ``Project.metadata``. Costs are decimal currency units
    (``95000.50``), never with thousands separators.
``votes.csv``
    Either *long*, one row per (voter, project): ``voter_id,project_id`` plus
    ``points`` for cumulative / scoring ballots and optionally ``rank`` for ordinal
    ones (else the row order is the preference order); a row with an empty
    ``project_id`` records a voter with an empty ballot; any other column (age,
    district, ...) is a voter column and must hold the same value on each of the
    voter's rows. Or *wide*, one row per voter: ``voter_id`` then one column per
    project id holding ``1`` (approval), the points, or the rank (ordinal); empty or
    ``0`` means "not on the ballot".
``meta.csv``
    ``key,value`` rows, as pabulib's META: ``budget`` (required), ``vote_type``
    (default ``approval``), ``currency``, ``description`` (the election's name), the
    ballot limits (``min_length`` ...) and anything else, kept in ``Election.meta``.

A semicolon-separated file (as spreadsheets in many locales export) is read too.
Errors are :class:`~participa.ParseError` naming the file and line, with a hint.
:func:`write_csv_folder` writes an election as these three files, and
``read_csv_folder(write_csv_folder(e, folder)) == e`` for elections read from
pabulib files.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "projects.csv").write_text("id,name,cost\\nP1,Pistas,1200.50\\nP2,Losa,800\\n")
>>> _ = (folder / "votes.csv").write_text("voter,project\\nv1,P1\\nv1,P2\\nv2,P1\\n")
>>> e = read_csv_election(folder / "projects.csv", folder / "votes.csv", budget="1500",
...                       currency="PEN")
>>> e.money.format(e.budget), e.support().tolist()
('S/ 1,500.00', [2, 1])
>>> _ = (folder / "votes.csv").write_text("voter,project\\nv1,P1\\nv2,p1\\n")
>>> read_csv_election(folder / "projects.csv", folder / "votes.csv", budget="1500")
Traceback (most recent call last):
...
participa.errors.ParseError: .../votes.csv:3: unknown project 'p1' [voter 'v2'] (did you mean P1?)
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from participa.boundary import checked
from participa.errors import ParseError, ValidationError
from participa.i18n import _
from participa.model import BallotConstraints, BallotKind, Election, Profile, Project
from participa.money import format_amount, parse_amount, scale_for

__all__ = [
    "PROJECT_ALIASES",
    "VOTE_ALIASES",
    "read_csv_election",
    "read_csv_folder",
    "write_csv_folder",
]

PROJECT_ALIASES: Final[Mapping[str, str]] = {
    "id": "project_id",
    "project": "project_id",
    "territory": "district",
    "categories": "category",
}
"""Other names accepted for the project columns (``id`` for ``project_id``, ...)."""

VOTE_ALIASES: Final[Mapping[str, str]] = {
    "voter": "voter_id",
    "id": "voter_id",
    "project": "project_id",
    "vote": "project_id",
    "score": "points",
}
"""Other names accepted for the vote columns (``voter`` for ``voter_id``, ...)."""

_MODELLED = ("project_id", "cost", "name", "category", "district", "beneficiaries", "dimension")
_CONSTRAINTS = (
    "min_length",
    "max_length",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)
_VOTE_COLUMNS = ("voter_id", "project_id", "points", "rank", "weight")
_AMOUNT = re.compile(r"\d+(\.\d+)?")
_MPU_KEY = "participa:minor_per_unit"
_WEIGHT = "weight"
_FILES = ("meta.csv", "projects.csv", "votes.csv")

Source = str | os.PathLike[str]


@attrs.frozen(slots=True)
class _Table:
    file: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line, cells)


def _column(name: str, aliases: Mapping[str, str], known: Collection[str]) -> str:
    """A header cell: known column names in any case (and their aliases) made canonical."""
    low = name.lower()
    if low in aliases:
        return aliases[low]
    return low if low in known else name


def _read_table(source: Source, aliases: Mapping[str, str], known: Collection[str] = ()) -> _Table:
    path = Path(os.fspath(source))
    file = str(path)
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: tuple[str, ...] | None = None
    header_line = 1
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            stripped = tuple(c.strip() for c in cells)
            if header is None:
                header = tuple(_column(h, aliases, known) for h in stripped)
                header_line = line
                dup = sorted({h for h in header if header.count(h) > 1})
                if dup:
                    raise ParseError(
                        _("the header names a column twice: {columns}", columns=", ".join(dup)),
                        file=file,
                        line=line,
                        hint=_("give every column its own name"),
                    )
                continue
            if len(stripped) != len(header):
                raise ParseError(
                    _(
                        "{got} cells where the header has {expected} columns",
                        got=len(stripped),
                        expected=len(header),
                    ),
                    file=file,
                    line=line,
                    hint=_("quote cells that contain the separator {sep!r}", sep=delimiter),
                )
            rows.append((line, stripped))
    except csv.Error as exc:
        raise ParseError(
            _("not a readable CSV table: {problem}", problem=str(exc)),
            file=file,
            line=reader.line_num,
        ) from None
    if header is None:
        raise ParseError(
            _("the file is empty"), file=file, line=1, hint=_("the first row names the columns")
        )
    return _Table(file, header, header_line, tuple(rows))


def _need(t: _Table, *columns: str, hint: str) -> None:
    for col in columns:
        if col not in t.header:
            raise ParseError(
                _("the header has no {column!r} column", column=col),
                file=t.file,
                line=t.header_line,
                hint=hint,
            )


def _read_meta(source: Source) -> tuple[dict[str, str], dict[str, int], str]:
    t = _read_table(source, {}, ("key", "value"))
    _need(t, "key", "value", hint=_("meta.csv has two columns: key,value"))
    ik, iv = t.header.index("key"), t.header.index("value")
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in t.rows:
        key = row[ik]
        if key in meta:
            raise ParseError(
                _(
                    "the key {key!r} is given twice (first on line {first})",
                    key=key,
                    first=lines[key],
                ),
                file=t.file,
                line=line,
            )
        meta[key] = row[iv]
        lines[key] = line
    return meta, lines, t.file


def _read_projects(t: _Table) -> tuple[list[Project], list[str], list[int]]:
    _need(t, "project_id", "cost", hint=_("projects need at least the columns id,cost"))
    pos = {h: j for j, h in enumerate(t.header)}
    ben_col = pos.get("beneficiaries")
    ben_int = ben_col is not None and all(
        not r[ben_col] or (r[ben_col].isdigit() and r[ben_col] == str(int(r[ben_col])))
        for _l, r in t.rows
    )
    other = [
        (h, j)
        for j, h in enumerate(t.header)
        if h not in _MODELLED or (h == "beneficiaries" and not ben_int)
    ]
    projects: list[Project] = []
    costs: list[str] = []
    lines: list[int] = []
    seen: dict[str, int] = {}
    for line, row in t.rows:
        pid = row[pos["project_id"]]
        if not pid:
            raise ParseError(
                _("empty project id"), file=t.file, line=line, hint=_("give every project an id")
            )
        if pid in seen:
            raise ParseError(
                _("duplicate project id (first on line {first})", first=seen[pid]),
                file=t.file,
                line=line,
                project_id=pid,
            )
        seen[pid] = line

        def cell(col: str, row: tuple[str, ...] = row) -> str:
            j = pos.get(col)
            return row[j] if j is not None else ""

        try:
            project = Project(
                pid,
                0,
                name=cell("name"),
                territory=cell("district") or None,
                categories=tuple(cell("category").split(",")) if cell("category") else (),
                dimension=cell("dimension") or None,
                beneficiaries=int(cell("beneficiaries"))
                if ben_int and cell("beneficiaries")
                else None,
                metadata={h: row[j] for h, j in other},
            )
        except ValidationError as exc:
            raise ParseError(exc.message, file=t.file, line=line, project_id=pid) from None
        projects.append(project)
        costs.append(row[pos["cost"]])
        lines.append(line)
    return projects, costs, lines


def _money(text: str, mpu: int, *, file: str, line: int, what: str, pid: str | None = None) -> int:
    try:
        value = parse_amount(text, minor_per_unit=mpu)
    except ValidationError:
        raise ParseError(
            _("{what} is not an amount: {text!r}", what=what, text=text),
            file=file,
            line=line,
            project_id=pid,
            hint=_("write amounts as digits with an optional decimal point, e.g. 120000.50"),
        ) from None
    if value < 0:
        raise ParseError(
            _("{what} is negative: {text!r}", what=what, text=text),
            file=file,
            line=line,
            project_id=pid,
        )
    return value


def _check_amount(
    text: str, *, file: str | None, line: int | None, what: str, pid: str | None = None
) -> None:
    if not _AMOUNT.fullmatch(text.strip()):
        problem = _("{what} is negative: {text!r}", what=what, text=text)
        if not text.strip().startswith("-"):
            problem = _("{what} is not an amount: {text!r}", what=what, text=text)
        raise ParseError(
            problem,
            file=file,
            line=line,
            project_id=pid,
            hint=_("write amounts as digits with an optional decimal point, e.g. 120000.50"),
        )


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return _("did you mean {name}?", name=close[0]) if close else None


def _int_cell(t: _Table, line: int, text: str, what: str, voter: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ParseError(
            _("{what} is not a whole number: {text!r}", what=what, text=text),
            file=t.file,
            line=line,
            voter_id=voter,
        ) from None


def _read_votes(t: _Table, kind: BallotKind, ids: Sequence[str]) -> tuple[Profile, dict[str, int]]:
    if "voter_id" not in t.header:
        _need(t, "voter_id", hint=_("the first column names the voter: voter_id"))
    if "project_id" in t.header:
        return _read_long(t, kind, ids)
    return _read_wide(t, kind, ids)


def _read_long(t: _Table, kind: BallotKind, ids: Sequence[str]) -> tuple[Profile, dict[str, int]]:
    pos = {h: j for j, h in enumerate(t.header)}
    if kind.has_points:
        _need(
            t, "points", hint=_("{kind} ballots give points: add a points column", kind=kind.value)
        )
    known = set(ids)
    value_col = "points" if kind.has_points else "rank" if kind is BallotKind.ORDINAL else ""
    extra = [h for h in t.header if h not in {"voter_id", "project_id", value_col, _WEIGHT}]
    ballots: dict[str, list[tuple[int, str, int]]] = {}
    first_line: dict[str, int] = {}
    columns: dict[str, dict[str, str]] = {}
    weights: dict[str, int] = {}
    for line, row in t.rows:
        voter = row[pos["voter_id"]]
        if not voter:
            raise ParseError(_("empty voter id"), file=t.file, line=line)
        pid = row[pos["project_id"]]
        entries = ballots.setdefault(voter, [])
        first_line.setdefault(voter, line)
        values = {h: row[pos[h]] for h in extra}
        if _WEIGHT in pos:
            w = _int_cell(t, line, row[pos[_WEIGHT]] or "1", _("weight"), voter)
            if weights.setdefault(voter, w) != w:
                raise ParseError(
                    _("the voter's weight differs from line {first}", first=first_line[voter]),
                    file=t.file,
                    line=line,
                    voter_id=voter,
                )
        before = columns.setdefault(voter, values)
        if before != values:
            col = next(h for h in extra if before[h] != values[h])
            raise ParseError(
                _(
                    "the voter's {column!r} differs from line {first}",
                    column=col,
                    first=first_line[voter],
                ),
                file=t.file,
                line=line,
                voter_id=voter,
                hint=_("a voter column holds one value per voter"),
            )
        if not pid:
            continue
        if pid not in known:
            raise ParseError(
                _("unknown project {pid!r}", pid=pid),
                file=t.file,
                line=line,
                voter_id=voter,
                hint=_suggest(pid, ids),
            )
        if any(p == pid for _l, p, _v in entries):
            raise ParseError(
                _("the voter names project {pid!r} twice", pid=pid),
                file=t.file,
                line=line,
                voter_id=voter,
            )
        value = 1
        if kind.has_points:
            value = _int_cell(t, line, row[pos["points"]], _("points"), voter)
        elif kind is BallotKind.ORDINAL and "rank" in pos:
            value = _int_cell(t, line, row[pos["rank"]], _("rank"), voter)
        else:
            value = len(entries) + 1
        entries.append((line, pid, value))
    voters = list(ballots)
    built: list[Any] = []
    for v in voters:
        if kind.has_points:
            built.append({p: val for _l, p, val in ballots[v]})
        elif kind is BallotKind.ORDINAL:
            built.append([p for _l, p, _val in sorted(ballots[v], key=lambda e: e[2])])
        else:
            built.append([p for _l, p, _val in ballots[v]])
    profile = _profile(t, kind, ids, built, voters, first_line, weights)
    if extra:
        cols = {h: tuple(columns[v][h] for v in voters) for h in extra}
        assert profile.voters is not None
        profile = attrs.evolve(profile, voters=attrs.evolve(profile.voters, columns=cols))
    return profile, first_line


def _read_wide(t: _Table, kind: BallotKind, ids: Sequence[str]) -> tuple[Profile, dict[str, int]]:
    known = set(ids)
    iv = t.header.index("voter_id")
    project_cols = [(j, h) for j, h in enumerate(t.header) if j != iv]
    for _j, h in project_cols:
        if h not in known and h != _WEIGHT:
            raise ParseError(
                _("column {column!r} is not a project id", column=h),
                file=t.file,
                line=t.header_line,
                hint=_suggest(h, ids)
                or _("a wide table has voter_id, then one column per project id"),
            )
    voters: list[str] = []
    built: list[Any] = []
    first_line: dict[str, int] = {}
    weights: dict[str, int] = {}
    for line, row in t.rows:
        voter = row[iv]
        if not voter:
            raise ParseError(_("empty voter id"), file=t.file, line=line)
        if voter in first_line:
            raise ParseError(
                _("duplicate voter id (first on line {first})", first=first_line[voter]),
                file=t.file,
                line=line,
                voter_id=voter,
            )
        first_line[voter] = line
        marks: dict[str, int] = {}
        for j, h in project_cols:
            text = row[j]
            if h == _WEIGHT:
                weights[voter] = _int_cell(t, line, text or "1", _("weight"), voter)
                continue
            if not text:
                continue
            if kind.is_approval and text.lower() in {"x", "yes", "sí", "si", "true"}:
                text = "1"
            value = _int_cell(t, line, text, h, voter)
            if value:
                marks[h] = value
        voters.append(voter)
        if kind.has_points:
            built.append(marks)
        elif kind is BallotKind.ORDINAL:
            built.append([p for p, _r in sorted(marks.items(), key=lambda e: e[1])])
        else:
            bad = [p for p, val in marks.items() if val != 1]
            if bad:
                raise ParseError(
                    _("approval cells hold 1 or nothing, got {value!r}", value=marks[bad[0]]),
                    file=t.file,
                    line=line,
                    voter_id=voter,
                    project_id=bad[0],
                )
            built.append(list(marks))
    return _profile(t, kind, ids, built, voters, first_line, weights), first_line


def _profile(
    t: _Table,
    kind: BallotKind,
    ids: Sequence[str],
    built: list[Any],
    voters: list[str],
    first_line: Mapping[str, int],
    weights: Mapping[str, int],
) -> Profile:
    ws = [weights.get(v, 1) for v in voters] if weights else None
    try:
        return Profile.from_ballots(kind, ids, built, voter_ids=voters, weights=ws)
    except ValidationError as exc:
        voter = exc.voter_id
        raise ParseError(
            exc.message,
            file=t.file,
            line=first_line.get(voter, t.header_line) if voter else t.header_line,
            voter_id=voter,
            project_id=exc.project_id,
            hint=exc.hint,
        ) from None


@checked
def read_csv_election(
    projects: Source,
    votes: Source,
    *,
    meta: Source | None = None,
    budget: str | None = None,
    vote_type: str | None = None,
    currency: str | None = None,
    name: str | None = None,
) -> Election:
    """Read an election from a projects CSV, a votes CSV and (optionally) a meta CSV.

    Parameters
    ----------
    projects, votes
        Paths of the two tables (see the module's description).
    meta
        Path of a ``key,value`` table; ``budget``, ``vote_type``, ``currency`` and
        ``name`` given here win over it.
    budget
        The budget in decimal currency units (``"1500000.00"``).
    vote_type
        ``approval`` (default), ``choose-1``, ``cumulative``, ``scoring`` or ``ordinal``.
    currency
        ISO code, e.g. ``PEN``.
    name
        The election's name (meta ``description``).

    Raises
    ------
    ParseError
        With the file and line of what cannot be read, and a hint.
    """
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    meta_file = "--"
    if meta is not None:
        values, lines, meta_file = _read_meta(meta)
    for key, given in (
        ("budget", budget),
        ("vote_type", vote_type),
        ("currency", currency),
        ("description", name),
    ):
        if given is not None:
            values[key] = str(given)
            lines.pop(key, None)
    if "budget" not in values:
        raise ParseError(
            _("no budget given"),
            file=meta_file if meta is not None else None,
            hint=_("add a row budget,<amount> to meta.csv (or pass --budget)"),
        )
    raw_kind = values.setdefault("vote_type", "approval")
    try:
        kind = BallotKind(raw_kind.strip())
    except ValueError:
        raise ParseError(
            _("unknown vote_type {kind!r}", kind=raw_kind),
            file=meta_file,
            line=lines.get("vote_type"),
            hint=_("use approval, choose-1, cumulative, scoring or ordinal"),
        ) from None
    ptable = _read_table(projects, PROJECT_ALIASES, _MODELLED)
    plist, ctexts, plines = _read_projects(ptable)
    for p, text, line in zip(plist, ctexts, plines, strict=True):
        _check_amount(text, file=ptable.file, line=line, what=_("cost"), pid=p.id)
    _check_amount(values["budget"], file=meta_file, line=lines.get("budget"), what=_("budget"))
    mpu_text = values.pop(_MPU_KEY, None)
    try:
        mpu = int(mpu_text) if mpu_text else _scale([values["budget"], *ctexts])
    except (ValidationError, ValueError):
        raise ParseError(
            _("amounts with too many decimals"),
            file=ptable.file,
            hint=_("write amounts as digits with an optional decimal point, e.g. 120000.50"),
        ) from None
    amount = _money(
        values["budget"], mpu, file=meta_file, line=lines.get("budget", 0), what=_("budget")
    )
    priced = [
        attrs.evolve(p, cost=_money(c, mpu, file=ptable.file, line=line, what=_("cost"), pid=p.id))
        for p, c, line in zip(plist, ctexts, plines, strict=True)
    ]
    ids = [p.id for p in priced]
    vtable = _read_table(votes, VOTE_ALIASES, _VOTE_COLUMNS)
    profile, vlines = _read_votes(vtable, kind, ids)
    limits: dict[str, int | None] = {}
    for key in _CONSTRAINTS:
        text = values.get(key, "").strip()
        if not text:
            limits[key] = None
            continue
        try:
            limits[key] = int(text)
        except ValueError:
            raise ParseError(
                _("{key} is not a whole number: {text!r}", key=key, text=text),
                file=meta_file,
                line=lines.get(key),
            ) from None
    try:
        return Election(
            amount,
            tuple(priced),
            profile,
            name=values.get("description", ""),
            currency=values.get("currency") or None,
            minor_per_unit=mpu,
            constraints=BallotConstraints(**limits),
            meta=values if meta is not None else {},
        )
    except ValidationError as exc:
        voter = exc.voter_id
        raise ParseError(
            exc.message,
            file=vtable.file if voter else ptable.file,
            line=vlines.get(voter) if voter else None,
            voter_id=voter,
            project_id=exc.project_id,
            hint=exc.hint,
        ) from None


@checked
def read_csv_folder(folder: Source, **overrides: str | None) -> Election:
    """Read ``meta.csv`` (optional), ``projects.csv`` and ``votes.csv`` from ``folder``.

    ``overrides`` are :func:`read_csv_election`'s ``budget``, ``vote_type``,
    ``currency`` and ``name``.
    """
    path = Path(os.fspath(folder))
    meta = path / "meta.csv"
    for needed in ("projects.csv", "votes.csv"):
        if not (path / needed).is_file():
            raise ParseError(
                _("the folder has no {file}", file=needed),
                file=str(path),
                hint=_("a CSV election is a folder with meta.csv, projects.csv and votes.csv"),
            )
    return read_csv_election(
        path / "projects.csv",
        path / "votes.csv",
        meta=meta if meta.is_file() else None,
        **overrides,
    )


def _scale(texts: Sequence[str]) -> int:
    """Minor units per unit for amounts written in ``texts``: cents as soon as one has decimals."""
    scale = scale_for(texts)
    return 100 if 1 < scale < 100 else scale


def _same_amount(text: str | None, value: int, mpu: int) -> bool:
    if text is None:
        return False
    try:
        return parse_amount(text, minor_per_unit=mpu) == value
    except ValidationError:
        return False


def _rows_out(path: Path, header: Sequence[str], rows: Iterator[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


@checked
def write_csv_folder(election: Election, folder: Source) -> Path:
    """Write ``meta.csv``, ``projects.csv`` and ``votes.csv`` (long form) into ``folder``.

    The folder is created if needed; the three files are written to temporary names
    first and then renamed, so a failure leaves no half-written election.

    Examples
    --------
    >>> import tempfile
    >>> from participa import datasets
    >>> e = datasets.load("lodz-2020-33")
    >>> read_csv_folder(write_csv_folder(e, tempfile.mkdtemp())) == e
    True
    """
    out = Path(os.fspath(folder))
    out.mkdir(parents=True, exist_ok=True)
    mpu = election.minor_per_unit

    def amount(a: int) -> str:
        return format_amount(a, minor_per_unit=mpu).replace(",", "")

    meta = {k: v for k, v in election.meta.items() if k != _MPU_KEY}
    if not _same_amount(meta.get("budget"), election.budget, mpu):
        meta["budget"] = amount(election.budget)
    meta["vote_type"] = election.kind.value
    if election.currency:
        meta["currency"] = election.currency
    else:
        meta.pop("currency", None)
    if election.name and (not meta or "description" in meta):
        meta["description"] = election.name
    for key in _CONSTRAINTS:
        value = getattr(election.constraints, key)
        if value is None:
            meta.pop(key, None)
        elif meta.get(key, "").strip() != str(value):
            meta[key] = str(value)
    texts = [meta["budget"], *(amount(p.cost) for p in election.projects)]
    if _scale(texts) != mpu:
        meta[_MPU_KEY] = str(mpu)

    extra: list[str] = []
    for p in election.projects:
        extra += [k for k in p.metadata if k not in extra]
    used = [
        c
        for c, present in (
            ("name", any(p.name for p in election.projects)),
            ("category", any(p.categories for p in election.projects)),
            ("district", any(p.territory for p in election.projects)),
            ("beneficiaries", any(p.beneficiaries is not None for p in election.projects)),
            ("dimension", any(p.dimension for p in election.projects)),
        )
        if present
    ]
    pheader = ["project_id", "cost", *used, *extra]

    def project_row(p: Project) -> list[str]:
        cells = {
            "project_id": p.id,
            "cost": amount(p.cost),
            "name": p.name,
            "category": ",".join(p.categories),
            "district": p.territory or "",
            "beneficiaries": "" if p.beneficiaries is None else str(p.beneficiaries),
            "dimension": p.dimension or "",
        }
        return [
            cells[c] if c in cells and c not in extra else p.metadata.get(c, "") for c in pheader
        ]

    prof = election.profile
    voters = prof.voters
    n = prof.num_voters
    if voters is not None:
        vids: Sequence[str] = voters.ids
        group = [int(g) for g in voters.group]
        vcols = dict(voters.columns)
    else:
        group = [g for g, m in enumerate(prof.multiplicity) for _k in range(int(m))]
        vids = [str(i + 1) for i in range(n)]
        vcols = {}
    kind = prof.kind
    value_col = ["points"] if kind.has_points else ["rank"] if kind is BallotKind.ORDINAL else []
    weighted = bool((prof.weight != 1).any())
    vheader = ["voter_id", "project_id", *value_col, *([_WEIGHT] if weighted else []), *vcols]
    ids = prof.project_ids
    listed = prof.approvals()

    def vote_rows() -> Iterator[list[str]]:
        for i, vid in enumerate(vids):
            g = group[i]
            row = prof.matrix[g]
            tail = [str(int(prof.weight[g]))] if weighted else []
            tail += [vcols[c][i] for c in vcols]
            if kind is BallotKind.ORDINAL:
                entries = sorted((int(r), ids[j]) for j, r in enumerate(row) if r)
                cells = [[pid, str(r)] for r, pid in entries]
            elif kind.has_points:
                cells = [[ids[j], str(int(row[j]))] for j in range(len(ids)) if listed[g, j]]
            else:
                cells = [[ids[j]] for j in range(len(ids)) if row[j]]
            if not cells:
                yield [vid, "", *([""] * len(value_col)), *tail]
            for c in cells:
                yield [vid, *c, *tail]

    tmp = {name: out / f".{name}.tmp" for name in _FILES}
    try:
        _rows_out(tmp["meta.csv"], ["key", "value"], iter(meta.items()))
        _rows_out(tmp["projects.csv"], pheader, (project_row(p) for p in election.projects))
        _rows_out(tmp["votes.csv"], vheader, vote_rows())
        for name, path in tmp.items():
            path.replace(out / name)
    finally:
        for path in tmp.values():
            path.unlink(missing_ok=True)
    return out
