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
  voters keep the file order through ``Voters.group``. The ids and the other columns
  are :class:`~participa.model.TextColumn` spans of the file's own bytes (no string
  per voter until one is read).

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

Real files with soft anomalies
    Published files are read, not refused: a project twice on one ballot, a ballot
    outside the declared bounds, META counts that do not match, a stray quote, CRLF
    line ends... each becomes an :class:`Anomaly` on the result and an
    :class:`AnomalyWarning`; ``strict=True`` raises at the first one instead. How
    each is read is documented in :mod:`participa.io.pabulib._anomalies`.

Bounded
    Size, number of lines and line length are checked against a :class:`Limits`
    (``limits=``) before parsing; devices, FIFOs and folders are refused up front.

Projects listed with 0 points
    Some cumulative files (Zurich's) list a project with 0 points. Such a project is
    on the ballot: the reader marks it in the profile's ``listed`` mask (so it counts
    for ``approvals()``, ballot lengths and the ``cost`` / ``count`` utilities, as in
    pabutools), warns ``zero-points``, and the writer lists it again, with ``0`` in
    ``points``, among the voter's other projects in PROJECTS order (the order every
    vote is written in). Ballot constraints treat it as any listed entry:
    ``min_length`` / ``max_length`` count it, ``max_points`` holds for it and so does
    ``min_points``, so a file declaring ``min_points`` of 1 or more that lists a
    project with 0 points is read with a ``points-bounds`` anomaly and that bound
    relaxed. The Zurich file declares no
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

from participa.io.pabulib._anomalies import (
    ANOMALY_CODES,
    Anomalies,
    Anomaly,
    AnomalyWarning,
    FileWarning,
)
from participa.io.pabulib._common import PROJECT_COLUMNS_KEY, VOTE_COLUMNS_KEY
from participa.io.pabulib._limits import Limits
from participa.io.pabulib._read import PabulibFile, load_election, read_pabulib, read_pabulib_text
from participa.io.pabulib._sections import _Reader
from participa.io.pabulib._votes import _ballots_fast, _ballots_slow, _token_columns
from participa.io.pabulib._write import write_pabulib, write_pabulib_file

__all__ = [
    "ANOMALY_CODES",
    "PROJECT_COLUMNS_KEY",
    "VOTE_COLUMNS_KEY",
    "Anomaly",
    "AnomalyWarning",
    "FileWarning",
    "Limits",
    "PabulibFile",
    "load_election",
    "read_pabulib",
    "read_pabulib_text",
    "write_pabulib",
    "write_pabulib_file",
]

_INTERNAL = (Anomalies, _Reader, _ballots_fast, _ballots_slow, _token_columns)  # for the tests
