"""Reading: a pabulib file or text to a :class:`PabulibFile` (election + anomalies).

The steps, each in its own module: bytes and limits (``_limits``), sections and
META (``_sections``), projects (``_projects``), ballots (``_votes``); this module
puts them together, checks the declared ballot bounds and the META counts
against what was read, and builds the :class:`~participa.model.Election`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa._wide import INT64_SAFE, magnitude
from participa.boundary import checked, trusted, typed_fields
from participa.errors import ParseError, ValidationError
from participa.i18n import _, ngettext
from participa.io.pabulib._anomalies import Anomalies, Anomaly
from participa.io.pabulib._common import (
    _CONSTRAINT_KEYS,
    _MAX_AMOUNT,
    _MODELLED_PROJECT_COLUMNS,
    _MPU_KEY,
    _RELAXED_KEY,
    _SYNTH_KEY,
    _WEIGHT_COLUMN,
    PROJECT_COLUMNS_KEY,
    VOTE_COLUMNS_KEY,
    _amount_problem,
    _join,
    _minor,
    _scale,
    _stem,
)
from participa.io.pabulib._limits import Limits, decode_head, read_source
from participa.io.pabulib._projects import _projects
from participa.io.pabulib._sections import _Reader, _Section
from participa.io.pabulib._votes import _votes
from participa.io.pabulib._write import _natural_project_columns, _natural_vote_columns, _ordered
from participa.model import BallotConstraints, BallotKind, Election, Profile, Project
from participa.model.project import _built_project

__all__ = ["PabulibFile", "load_election", "read_pabulib", "read_pabulib_text"]


def _anomaly_tuple(value: Iterable[Anomaly]) -> tuple[Anomaly, ...]:
    return tuple(value)


@serialize.register("participa.io.PabulibFile")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class PabulibFile:
    """A read pabulib file: the election and the soft anomalies found on the way.

    ``warnings`` is the former name of ``anomalies``.

    Examples
    --------
    >>> pb = read_pabulib_text("META\\nbudget;5\\nvote_type;approval\\nPROJECTS\\n"
    ...                        "project_id;cost\\np;5\\nVOTES\\nvoter_id;vote\\n")
    >>> pb.election.budget, [a.code for a in pb.anomalies]
    (5, [])
    """

    election: Election
    anomalies: tuple[Anomaly, ...] = attrs.field(default=(), converter=_anomaly_tuple)

    def __repr__(self) -> str:
        from participa.display import pabulib_file_summary

        return pabulib_file_summary(self)

    def to_html(self, *, lang: str | None = None) -> str:
        """The file as HTML: its election, then the anomalies found, in ``lang``."""
        from participa.display import pabulib_file_html

        return pabulib_file_html(self, lang=lang)

    def _repr_html_(self) -> str:
        return self.to_html()

    @property
    def warnings(self) -> tuple[Anomaly, ...]:
        """The anomalies (former name)."""
        return self.anomalies


@checked
def read_pabulib(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    strict: bool = False,
    limits: Limits | None = None,
) -> PabulibFile:
    """Read a pabulib file (plain ``.pb`` or gzipped, told apart by its first bytes).

    Parameters
    ----------
    source
        A path, or the file's bytes.
    name
        Label for the file in error messages and the election's name when META has
        no ``description``. Defaults to the path (messages) and the file name without
        ``.pb``/``.pb.gz`` (election name).
    strict
        Raise a :class:`~participa.ParseError` at the first soft anomaly instead of
        recording it (see :mod:`participa.io.pabulib._anomalies` for each reading).
    limits
        Bounds on size, lines and line length (default :class:`Limits`).

    Returns
    -------
    PabulibFile
        The election and the anomalies; an :class:`AnomalyWarning` is issued for each.

    Raises
    ------
    ParseError
        For malformed content, with ``file`` and the 1-based ``line`` of the
        offending row (a missing META section is reported at line 1, a missing
        PROJECTS or VOTES section at the last line), plus ``project_id`` /
        ``voter_id`` where one is concerned; for content past ``limits``; for a
        path that is a folder, a device, a FIFO or a socket. Errors opening the
        path itself (missing file, permissions) are the usual ``OSError``.

    Examples
    --------
    >>> import gzip
    >>> raw = gzip.compress(b"META\\nbudget;5\\nvote_type;approval\\nPROJECTS\\n"
    ...                     b"project_id;cost\\np;5\\nVOTES\\nvoter_id;vote\\nv;p,p\\n")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     pb = read_pabulib(raw, name="x.pb.gz")
    >>> pb.election.support().tolist(), [a.code for a in pb.anomalies], len(caught)
    ([1], ['duplicate-project'], 1)
    >>> read_pabulib(raw, name="x.pb.gz", strict=True)
    Traceback (most recent call last):
    ...
    participa.errors.ParseError: x.pb.gz:9: 1 ballot names a project twice ...
    """
    lim = Limits() if limits is None else limits
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        file = name
        fallback = _stem(name) if name is not None else ""
    else:
        path = Path(os.fspath(source))
        file = str(path) if name is None else name
        data = read_source(path, file, lim)
        fallback = _stem(path.name) if name is None else name
    text, found, data, rest = decode_head(data, file, lim)  # the VOTES left as bytes
    anomalies = Anomalies(file, strict=strict, initial=found)
    held = [data]  # the reader takes the bytes (no re-encoding) and lets them go
    del data
    texts = [text]  # and the text, of which it keeps only what it still needs (memory)
    del text
    with trusted():  # values built from the text just split: their kinds are known
        result = _parse(
            texts, file=file, fallback_name=fallback, anomalies=anomalies, raw=held, rest=rest
        )
    anomalies.warn(stacklevel=3)  # the caller, past the @checked wrapper
    return result


@checked
def read_pabulib_text(
    text: str, *, file: str | None = None, strict: bool = False, limits: Limits | None = None
) -> PabulibFile:
    """Read pabulib content already decoded to text.

    ``file`` labels error messages and names the election when META has no
    ``description``; ``strict`` and ``limits`` are as for :func:`read_pabulib`.

    Examples
    --------
    >>> read_pabulib_text("META\\nbudget;5\\nvote_type;choose-2\\nPROJECTS\\n"
    ...                   "project_id;cost\\nVOTES\\nvoter_id;vote\\n", file="f.pb")
    Traceback (most recent call last):
    ...
    participa.errors.ParseError: f.pb:3: unknown vote_type 'choose-2' ...
    """
    lim = Limits() if limits is None else limits
    if len(text) > lim.max_bytes:
        raise ParseError(
            _("the file holds more than {limit} bytes", limit=lim.max_bytes),
            file=file,
            hint=_("raise the limit with limits=Limits(max_bytes=...) if the file is genuine"),
        )
    found: list[Anomaly] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        found.append(Anomaly("bom", _("the file starts with a byte-order mark"), line=1))
    _check_text_lines(text, file, lim)
    anomalies = Anomalies(file, strict=strict, initial=found)
    fallback = _stem(Path(file).name) if file is not None else ""
    with trusted():
        result = _parse([text], file=file, fallback_name=fallback, anomalies=anomalies)
    anomalies.warn(stacklevel=3)  # the caller, past the @checked wrapper
    return result


def _check_text_lines(text: str, file: str | None, limits: Limits) -> None:
    from participa.io.pabulib._limits import check_lines

    if text.count("\n") + 1 > limits.max_lines or len(text) > limits.max_line_length:
        check_lines(text.encode("utf-8", "surrogatepass"), file, limits)


@checked
def load_election(
    source: str | os.PathLike[str] | bytes, *, strict: bool = False, limits: Limits | None = None
) -> Election:
    """Read a pabulib file and return only its election (anomalies still warn).

    Examples
    --------
    >>> e = load_election(b"META\\nbudget;5\\nvote_type;approval\\nPROJECTS\\n"
    ...                   b"project_id;cost\\np;5\\nVOTES\\nvoter_id;vote\\n")
    >>> e.profile.num_voters
    0
    """
    return read_pabulib(source, strict=strict, limits=limits).election


def _parse(
    texts: list[str],
    *,
    file: str | None,
    fallback_name: str,
    anomalies: Anomalies,
    raw: list[bytes] | None = None,
    rest: int | None = None,
) -> PabulibFile:
    # the reader holds the only reference to the text (and to its bytes ``raw``, of which
    # ``text`` may be only the start: ``raw[rest:]``, ASCII, is decoded if needed)
    r = _Reader(texts.pop(), file, anomalies, raw=raw, rest=rest)
    i_meta, i_proj, i_votes = r.sections()
    msec = r.section(i_meta + 1, i_proj, "META")
    psec = r.section(i_proj + 1, i_votes, "PROJECTS")
    vsec = r.votes_section(i_votes)
    meta, where = r.meta(msec)

    synthesized: set[str] = set()
    if _SYNTH_KEY in meta:
        synthesized = set(filter(None, meta.pop(_SYNTH_KEY).split(",")))
    mpu_text = meta.pop(_MPU_KEY, None)
    marked = set(meta.pop(_RELAXED_KEY, "").split(",")) & set(_CONSTRAINT_KEYS)
    name = meta.get("description", fallback_name)
    currency = meta.get("currency")

    raw_kind = meta.get("vote_type")
    if raw_kind is None:
        raise r.error(
            _("META has no vote_type"),
            line=msec.header_line,
            hint=_("add vote_type;approval (or choose-1, cumulative, scoring, ordinal)"),
        )
    try:
        kind = BallotKind(raw_kind.strip())
    except ValueError:
        raise r.error(
            _("unknown vote_type {raw_kind!r}", raw_kind=raw_kind),
            line=where["vote_type"],
            hint=_("use approval, choose-1, cumulative, scoring or ordinal"),
        ) from None
    if "budget" not in meta:
        raise r.error(_("META has no budget"), line=msec.header_line, hint=_("add budget;<amount>"))

    projects, costs_text, p_lines = _projects(r, psec)
    budget_text = meta["budget"].strip()
    problem = _amount_problem(budget_text, max_digits=_BUDGET_DIGITS)
    if problem is not None:
        raise r.error(
            _("budget is {problem}: {meta!r}", problem=problem, meta=meta["budget"]),
            line=where["budget"],
            hint=_("write the budget as digits with an optional decimal point, e.g. 120000.50"),
        )
    try:
        if mpu_text is not None:
            if mpu_text not in {str(10**d) for d in range(10)}:
                raise ValidationError(
                    _(
                        "{MPU_KEY} must be a power of ten, got {mpu_text!r}",
                        MPU_KEY=_MPU_KEY,
                        mpu_text=mpu_text,
                    )
                )
            mpu = int(mpu_text)
        else:
            mpu = _scale([budget_text, *costs_text])
        budget = _minor(budget_text, mpu)
    except ValidationError as exc:
        raise r.error(exc.message, line=where.get(_MPU_KEY, where["budget"])) from None
    total = 0
    priced: list[Project] = []
    for fields, ctext, line in zip(projects, costs_text, p_lines, strict=True):
        pid = fields["id"]
        try:
            cost = _minor(ctext, mpu)
        except ValidationError as exc:
            raise r.error(exc.message, line=line, project_id=pid) from None
        total += cost
        if total >= _MAX_AMOUNT:
            raise r.error(_("amounts too large to add up exactly"), line=line, project_id=pid)
        priced.append(_built_project(cost=cost, **fields))  # (checked above and in _projects)

    declared: dict[str, int | None] = {}
    for key in _CONSTRAINT_KEYS:
        try:
            declared[key] = r.meta_int(meta, where, key)
        except ParseError:
            if key not in marked:  # a relaxed bound is kept as text, whatever it says
                raise
            declared[key] = None
    profile = _votes(r, vsec, kind, priced, "voter_id" in synthesized)
    broken = _check_bounds(r, vsec, profile, declared) | marked
    constraints = BallotConstraints(**{k: None if k in broken else v for k, v in declared.items()})

    for key in synthesized:
        meta.pop(key, None)
    _check_counts(r, meta, where, priced, profile, p_lines)
    for p, line in zip(priced, p_lines, strict=True):
        if p.cost > budget:
            r.warn(
                "cost-over-budget",
                _("the project costs more than the whole budget"),
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
        r.warn(
            "empty-lines",
            ngettext("{n} empty line was skipped", "{n} empty lines were skipped", r.blank_lines),
            line=r.first_blank,
        )

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
    return PabulibFile(election, tuple(anomalies.records))


_F32_EXACT = 2**24
"""Whole numbers up to this are exact in float32 (sums of them too, while below it)."""

_ROWS = 4096
"""Ballot groups summed at a time when checking META's counts (bounds the temporary)."""

_BUDGET_DIGITS = 60
"""Most digits of a budget's whole units (costs, which numpy adds up, have at most 18)."""

_POINT_BOUNDS = ("min_points", "max_points", "min_sum_points", "max_sum_points")
"""Bounds the model enforces: a file breaking one is read with the bound relaxed."""


def _first_voter(
    vsec: _Section, profile: Profile, bad: npt.NDArray[np.bool_]
) -> tuple[int, int | None, str | None, int | None]:
    """Voters on the ``bad`` ballot groups: count, and the first one's line, id and group."""
    count = int(profile.multiplicity[bad].sum())
    voters = profile.voters
    if voters is None:
        return count, None, None, int(np.flatnonzero(bad)[0])
    i = int(np.flatnonzero(bad[voters.group])[0])
    return count, vsec.line(i), voters.ids[i], int(voters.group[i])


def _check_bounds(
    r: _Reader, vsec: _Section, profile: Profile, declared: Mapping[str, int | None]
) -> set[str]:
    """Record ballots outside the declared bounds; return the point bounds they break.

    Lengths count each listed project once (0 points included). The model enforces
    the point bounds, so a broken one is relaxed (left out of ``constraints``); the
    length bounds stay as declared.
    """
    broken: set[str] = set()
    if not profile.num_groups:
        return broken
    lengths = profile.lengths()
    for key, code in (("min_length", "short-ballot"), ("max_length", "long-ballot")):
        bound = declared[key]
        if bound is None:
            continue
        bad = lengths < bound if key == "min_length" else lengths > bound
        if not bad.any():
            continue
        n, line, vid, _g = _first_voter(vsec, profile, bad)
        if key == "min_length":
            msg = ngettext(
                "{n} ballot names fewer projects than min_length = {bound}",
                "{n} ballots name fewer projects than min_length = {bound}",
                n,
                bound=bound,
            )
        else:
            msg = ngettext(
                "{n} ballot names more projects than max_length = {bound}",
                "{n} ballots name more projects than max_length = {bound}",
                n,
                bound=bound,
            )
        r.warn(code, msg, line=line, voter_id=vid)
    if not profile.kind.has_points:
        return broken
    mat = profile.matrix
    on = profile.approvals()
    sums = mat.sum(axis=1)
    for key in _POINT_BOUNDS:
        bound = declared[key]
        if bound is None:
            continue
        cells: npt.NDArray[np.bool_] | None = None
        if key == "min_points":
            cells = on & (mat < bound)
        elif key == "max_points":
            cells = on & (mat > bound)
        if cells is not None:
            bad = np.asarray(cells.any(axis=1))
        else:
            bad = np.asarray(sums < bound if key == "min_sum_points" else sums > bound)
        if not bad.any():
            continue
        broken.add(key)
        n, line, vid, g = _first_voter(vsec, profile, bad)
        pid = None
        if cells is not None and g is not None:
            pid = profile.project_ids[int(np.flatnonzero(cells[g])[0])]
        if cells is not None:
            msg = ngettext(
                "{n} ballot gives points outside the declared {key} = {bound}",
                "{n} ballots give points outside the declared {key} = {bound}",
                n,
                key=key,
                bound=bound,
            )
        else:
            msg = ngettext(
                "{n} ballot's total points is outside the declared {key} = {bound}",
                "{n} ballots' total points are outside the declared {key} = {bound}",
                n,
                key=key,
                bound=bound,
            )
        code = "points-bounds" if cells is not None else "sum-points-bounds"
        r.warn(code, msg, line=line, project_id=pid, voter_id=vid)
    return broken


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


def _check_counts(
    r: _Reader,
    meta: Mapping[str, str],
    where: Mapping[str, int],
    projects: Sequence[Project],
    profile: Profile,
    p_lines: Sequence[int],
) -> None:
    for key, actual in (("num_projects", len(projects)), ("num_votes", profile.num_voters)):
        raw = meta.get(key)
        if raw is not None and raw.strip() != str(actual):
            if key == "num_projects":
                msg = ngettext(
                    "META num_projects is {raw!r} but {n} project is listed",
                    "META num_projects is {raw!r} but {n} projects are listed",
                    actual,
                    raw=raw,
                )
            else:
                msg = ngettext(
                    "META num_votes is {raw!r} but {n} voter voted",
                    "META num_votes is {raw!r} but {n} voters voted",
                    actual,
                    raw=raw,
                )
            r.warn(key.replace("_", "-"), msg, line=where.get(key))
    want_points = profile.kind.has_points and any("score" in p.metadata for p in projects)
    if not want_points and not any("votes" in p.metadata for p in projects):
        return
    # every sum is at most total weight x largest entry: int64 when that is below 2**62
    most = magnitude(profile.matrix) if want_points else 1
    wide: Any = np.int64 if profile.total_weight * max(most, 1) < INT64_SAFE else object
    support = np.zeros(len(projects), wide)
    points: npt.NDArray[Any] | None = np.zeros(len(projects), wide) if want_points else None
    m = profile.matrix
    # approval matrices are boolean already: read in place rather than copied
    on = (m if profile.listed is None and m.dtype == np.bool_ else profile.approvals()).view(
        np.uint8
    )
    # every product and partial sum a whole number below 2**24: float32 holds each exactly
    small = profile.total_weight * max(most, 1) < _F32_EXACT
    gw = profile.group_weight.astype(np.float32 if small else wide)
    inner: Any = np.float32 if small else np.int64
    for a in range(0, profile.num_groups, _ROWS):  # rows at a time: no groups x projects copy
        rows = slice(a, a + _ROWS)
        if wide is object:
            support += gw[rows] @ on[rows].astype(object)
            if points is not None:
                points += gw[rows] @ profile.matrix[rows].astype(object)
            continue
        support += np.einsum("g,gj->j", gw[rows], on[rows], dtype=inner).astype(np.int64)
        if points is not None:
            mat = profile.matrix[rows]
            points += np.einsum("g,gj->j", gw[rows], mat, dtype=inner).astype(np.int64)
    for j, p in enumerate(projects):
        raw = p.metadata.get("votes")
        if raw is not None and raw.strip() and raw.strip() != str(int(support[j])):
            r.warn(
                "votes-column",
                _(
                    "the votes column says {raw!r} but {count} ballots name the project",
                    raw=raw,
                    count=int(support[j]),
                ),
                line=p_lines[j],
                project_id=p.id,
            )
        raw = p.metadata.get("score")
        if points is not None and raw is not None and raw.strip() != str(int(points[j])):
            r.warn(
                "score-column",
                _(
                    "the score column says {raw!r} but the ballots give {count} points",
                    raw=raw,
                    count=int(points[j]),
                ),
                line=p_lines[j],
                project_id=p.id,
            )
