"""Soft anomalies: what is odd in a real file, and exactly how the reader reads it anyway.

Published pabulib files are read, not refused: each oddity that still has one
sensible reading becomes an :class:`Anomaly` on the result
(:attr:`PabulibFile.anomalies <participa.io.PabulibFile.anomalies>`) and an
:class:`AnomalyWarning`; ``strict=True`` raises a :class:`~participa.ParseError`
at the first one instead. What cannot be interpreted (a project id no project
has, a row with the wrong number of fields, a missing section) stays an error.

Ballot-level anomalies are reported once per kind, at the first ballot concerned
(its line, voter and project), with the number of ballots in the message.

How each anomaly is read
------------------------
The pabulib checker (github.com/pabulib/checker) reports most of these as errors
without reading the ballots; the reference library pabutools reads them as
noted. participa follows pabutools where it defines a reading.

``bom``, ``crlf``, ``empty-lines``
    A byte-order mark is dropped, a CR before a line feed is not part of the line,
    empty (or blank) lines are skipped, as pabutools does.
``stray-quote``
    A row whose quotes break the CSV rules (``"Odkupmy" i my - ...``) is split on
    ``;`` and its fields are kept *as written*, quotes included, when that gives the
    header's number of fields and the quotes in each field pair up (pabutools'
    lenient CSV would drop the quotes and so change the name); otherwise the row is
    an error.
``duplicate-project``
    A project named twice or more on one ballot counts once. Approval and choose-1
    ballots are sets; on an ordinal ballot the project keeps its first (best)
    position and the later projects move up; on a cumulative or scoring ballot the
    points of its *last* mention count. This is pabutools' reading (a set, an
    ordered dict that keeps the first position, a dict assignment). Ballot lengths
    and the bounds below count the project once.
``long-ballot``, ``short-ballot``
    A ballot naming more than ``max_length`` (or fewer than ``min_length``)
    projects is kept as cast.
``points-bounds``, ``sum-points-bounds``
    Points below ``min_points`` or above ``max_points``, and ballot totals outside
    ``min_sum_points`` / ``max_sum_points``, are kept as cast.

    For these four, the declared bound the ballots break stays in ``Election.meta``
    as written but is left out of ``Election.constraints`` (which the model
    enforces), and the writer marks it in META ``participa:relaxed`` so the round
    trip gives the same election back.
``zero-points``
    A project listed with 0 points is on the ballot (see the reader's notes).
``num-projects``, ``num-votes``, ``votes-column``, ``score-column``
    META counts and the PROJECTS ``votes`` / ``score`` columns that do not match the
    ballots are kept as text; the ballots are what is read.
``cost-over-budget``
    A project costing more than the whole budget is kept.

Examples
--------
>>> a = Anomaly("num-votes", "META num_votes is 10 but 9 voters voted", line=7)
>>> a.code, a.line, a.voter_id
('num-votes', 7, None)
>>> sorted(ANOMALY_CODES)[:3]
['bom', 'cost-over-budget', 'crlf']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import attrs

from participa import serialize
from participa.boundary import typed_fields
from participa.errors import ParseError
from participa.i18n import N_, _

__all__ = ["ANOMALY_CODES", "Anomaly", "AnomalyWarning", "FileWarning"]

ANOMALY_CODES: dict[str, str] = {
    "bom": N_("a byte-order mark starts the file; it is dropped"),
    "crlf": N_("lines end with CR LF; the CR is dropped"),
    "empty-lines": N_("empty lines; they are skipped"),
    "stray-quote": N_("a row's quotes break the CSV rules; its fields are kept as written"),
    "duplicate-project": N_("a ballot names a project twice; it counts once"),
    "long-ballot": N_("a ballot names more projects than max_length; it is kept as cast"),
    "short-ballot": N_("a ballot names fewer projects than min_length; it is kept as cast"),
    "points-bounds": N_("points outside min_points / max_points; they are kept as cast"),
    "sum-points-bounds": N_(
        "a ballot's total points outside min_sum_points / max_sum_points; kept as cast"
    ),
    "zero-points": N_("a project listed with 0 points; it stays on the ballot"),
    "num-projects": N_("META num_projects differs from the projects listed"),
    "num-votes": N_("META num_votes differs from the voters listed"),
    "votes-column": N_("the PROJECTS votes column differs from the ballots"),
    "score-column": N_("the PROJECTS score column differs from the ballots"),
    "cost-over-budget": N_("a project costs more than the whole budget; it is kept"),
}
"""Every anomaly code, with one line saying how the reader reads it (translate with ``_``)."""


@serialize.register("participa.io.Anomaly")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Anomaly:
    """A soft anomaly found while reading a file: read anyway, and recorded here.

    Parameters
    ----------
    code
        A short stable tag, one of :data:`ANOMALY_CODES`.
    message
        One sentence for people, in the language current when the file was read.
    line
        1-based line it concerns (the first such line), if one.
    project_id
        The project it concerns, if one.
    voter_id
        The voter it concerns (the first such voter), if one.

    Examples
    --------
    >>> Anomaly("duplicate-project", "2 ballots name a project twice", line=9,
    ...         project_id="p1", voter_id="v7").voter_id
    'v7'
    """

    code: str
    message: str
    line: int | None = None
    project_id: str | None = None
    voter_id: str | None = None


FileWarning = Anomaly
"""The former name of :class:`Anomaly` (kept as an alias)."""


class AnomalyWarning(UserWarning):
    """The Python warning issued for each :class:`Anomaly` when a file is read leniently.

    ``anomaly`` holds the record and ``file`` the file label.
    """

    def __init__(self, text: str, anomaly: Anomaly, file: str | None) -> None:
        super().__init__(text)
        self.anomaly = anomaly
        self.file = file


class Anomalies:
    """Collects a read's anomalies; under ``strict`` the first one is raised instead."""

    __slots__ = ("file", "records", "strict")

    def __init__(self, file: str | None, *, strict: bool, initial: Iterable[Anomaly] = ()) -> None:
        self.file = file
        self.strict = strict
        self.records: list[Anomaly] = []
        for a in initial:
            self.add(a)

    def add(self, anomaly: Anomaly) -> None:
        if self.strict:
            raise ParseError(
                anomaly.message,
                file=self.file,
                line=anomaly.line,
                project_id=anomaly.project_id,
                voter_id=anomaly.voter_id,
                hint=_(
                    "a soft anomaly ({code}): read without strict=True to accept it",
                    code=anomaly.code,
                ),
            )
        self.records.append(anomaly)

    def warn(self, stacklevel: int) -> None:
        """Issue one :class:`AnomalyWarning` per record."""
        for a in self.records:
            where = (self.file or "") + (f":{a.line}" if a.line is not None else "")
            text = f"{where}: {a.message}" if where else a.message
            warnings.warn(AnomalyWarning(text, a, self.file), stacklevel=stacklevel + 1)
