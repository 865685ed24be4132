"""Tables out: the same rows as text, Markdown, CSV, JSON or a pandas DataFrame.

A :class:`Table` is a one-line summary, typed columns and rows of typed values.
Money cells hold ``int`` minor units; how a cell is written depends on the format:

* ``money``: ``int`` minor units in CSV, JSON and ``to_rows()``; ``S/ 1,234.56`` (the
  table's currency) in text and Markdown;
* ``bool``: ``1``/``0`` in CSV, ``true``/``false`` in JSON; ``yes``/``no`` (translated)
  in text and Markdown;
* ``number`` (exact shares): a ``Fraction`` in ``to_rows()``, ``"13/20"`` in JSON, 6
  significant digits in CSV, 4 decimals in text and Markdown;
* ``int`` and ``text``: as they are (``1,234`` in text).

Headers are the column labels in the current language (:mod:`participa.i18n`) in
text, Markdown and CSV; JSON and ``to_rows()`` / ``to_frame()`` use the stable
English column keys, for programs.

:func:`table` builds the table of an :class:`~participa.model.Election`, an
:class:`~participa.outcome.Outcome` (with its election: names, votes, costs), an
:class:`~participa.allocation.Allocation`, a feasibility report, a ranking or a
ledger; those classes' ``to_rows()``, ``to_csv()`` and ``to_frame()`` call it.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> from participa.rules import greedy
>>> e = Election(100_00, (Project("a", 60_00, "Park"), Project("b", 50_00, "Bench")),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"]]),
...     currency="PEN", minor_per_unit=100)
>>> t = table(greedy(e), election=e)
>>> t.to_rows()[:2]
[('rank', 'id', 'name', 'votes', 'cost', 'funding', 'selected'),
 (1, 'a', 'Park', 2, 6000, 6000, True)]
>>> print(t.to_csv(), end="")
rank,id,name,votes,cost,funding,selected
1,a,Park,2,6000,6000,1
2,b,Bench,1,5000,0,0
>>> print(t.to_text())
greedy: 1 selected, S/ 60.00 of S/ 100.00 spent
rank  id  name   votes  cost      funding   selected
----  --  -----  -----  --------  --------  --------
   1  a   Park       2  S/ 60.00  S/ 60.00  yes
   2  b   Bench      1  S/ 50.00   S/ 0.00  no
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import attrs

from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.i18n import N_, _, ngettext, use_language
from participa.money import Currency

if TYPE_CHECKING:
    from participa.model import Election
    from participa.outcome import Outcome

__all__ = [
    "FORMATS",
    "Cell",
    "Column",
    "ColumnKind",
    "Format",
    "Table",
    "comparison_table",
    "table",
]

Cell = str | int | bool | Fraction | None
"""A typed cell value: money and counts are ``int``, exact shares ``Fraction``."""

ColumnKind = Literal["text", "int", "money", "bool", "number"]
"""What a column holds: it decides how a cell is written in each format."""
Format = Literal["text", "json", "csv", "markdown"]
"""An output format of :meth:`Table.render`."""
FORMATS: Final[tuple[Format, ...]] = ("text", "json", "csv", "markdown")
"""The formats :meth:`Table.render` writes (the CLI's ``--format``)."""


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Column:
    """One column: a stable English ``key``, a ``label`` for people and a ``kind``.

    A label marked ``N_("column|cost")`` is translated with its context (``column|``),
    so a table header never takes the translation of the same word used elsewhere; the
    context is not shown (``cost``). ``translate=False`` shows the label as it is (rule
    ids, criteria names).

    >>> Column("cost", N_("column|cost"), "money").header()
    'cost'
    """

    key: str
    label: str
    kind: ColumnKind = "text"
    translate: bool = True

    def header(self) -> str:
        """The label in the current language, without its context."""
        return _(self.label).rpartition("|")[2] if self.translate else self.label


def _columns(value: Iterable[Column]) -> tuple[Column, ...]:
    return tuple(value)


def _rows(value: Iterable[Sequence[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(r) for r in value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Table:
    """Typed rows with headers, ready for text, Markdown, CSV, JSON or pandas.

    Parameters
    ----------
    columns
        The columns, in order.
    rows
        One tuple of cells per row (money as ``int`` minor units).
    currency
        How the money columns read for people.
    summary
        One line shown above the text and Markdown tables (already translated).
    """

    columns: tuple[Column, ...] = attrs.field(converter=_columns)
    rows: tuple[tuple[Cell, ...], ...] = attrs.field(converter=_rows)
    currency: Currency = attrs.field(default=Currency())
    summary: str = ""

    def __attrs_post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValidationError(
                    _(
                        "table row {i} has {row_count} cells for {columns_count} columns",
                        i=i,
                        row_count=len(row),
                        columns_count=len(self.columns),
                    )
                )

    @property
    def keys(self) -> tuple[str, ...]:
        """The stable column keys (English, for programs)."""
        return tuple(c.key for c in self.columns)

    def header(self) -> tuple[str, ...]:
        """The column labels in the current language."""
        return tuple(c.header() for c in self.columns)

    def to_rows(self) -> list[tuple[Cell, ...]]:
        """The keys, then every row's typed values (money in ``int`` minor units)."""
        return [self.keys, *self.rows]

    def to_dicts(self) -> list[dict[str, Cell]]:
        """One ``{key: value}`` per row (money in minor units, shares as exact text)."""
        return [
            {c.key: _plain(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows
        ]

    def to_json(self) -> str:
        """``{"summary": ..., "columns": [...], "rows": [{...}, ...]}`` as one line."""
        doc = {"summary": self.summary, "columns": list(self.keys), "rows": self.to_dicts()}
        return json.dumps(doc, ensure_ascii=False)

    def to_csv(self) -> str:
        """CSV with translated headers; money in minor units, booleans as ``1``/``0``."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.header())
        for row in self.rows:
            writer.writerow([_csv_cell(v) for v in row])
        return buf.getvalue()

    def _shown(self) -> list[list[str]]:
        return [
            [self._show(c.kind, v) for c, v in zip(self.columns, row, strict=True)]
            for row in self.rows
        ]

    def _show(self, kind: ColumnKind, value: Cell) -> str:
        if value is None:
            return ""
        if kind == "money" and isinstance(value, int) and not isinstance(value, bool):
            return self.currency.format(value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, Fraction):
            return f"{float(value):.4f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    def to_text(self) -> str:
        """An aligned text table under the summary line (numbers right-aligned)."""
        header = self.header()
        body = self._shown()
        widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
        right = [c.kind in ("int", "money", "number") for c in self.columns]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(
                c.rjust(w) if r else c.ljust(w)
                for c, w, r in zip(cells, widths, right, strict=True)
            ).rstrip()

        lines = [self.summary] if self.summary else []
        lines += [line(header), line(["-" * w for w in widths])]
        lines += [line(r) for r in body]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown (GitHub) table under the summary line."""

        def esc(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        align = ["---:" if c.kind in ("int", "money", "number") else "---" for c in self.columns]
        lines = [self.summary, ""] if self.summary else []
        lines.append("| " + " | ".join(esc(h) for h in self.header()) + " |")
        lines.append("| " + " | ".join(align) + " |")
        lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in self._shown()]
        return "\n".join(lines)

    def render(self, fmt: str, *, lang: str | None = None) -> str:
        """The table as ``fmt`` (one of :data:`FORMATS`) in ``lang`` (default: current)."""
        with use_language(lang):
            if fmt == "text":
                return self.to_text()
            if fmt == "markdown":
                return self.to_markdown()
            if fmt == "csv":
                return self.to_csv().rstrip("\n")
            if fmt == "json":
                return self.to_json()
            raise ValidationError(
                _("unknown format {fmt!r}", fmt=fmt)
                + " "
                + _("(use one of: {choices})", choices=", ".join(FORMATS))
            )

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` keyed by the column keys (needs ``participa[pandas]``)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                _(
                    "to_frame() needs pandas: install it with {command}",
                    command="pip install participa[pandas]",
                )
            ) from exc
        return pd.DataFrame([list(r) for r in self.rows], columns=list(self.keys))

    def __str__(self) -> str:
        return self.to_text()


def _plain(value: Cell) -> Cell:
    return str(value) if isinstance(value, Fraction) else value


def _csv_cell(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Fraction):
        return f"{float(value):.6g}" if value.denominator != 1 else str(value.numerator)
    return value


# -- builders --------------------------------------------------------------------------------

# Ballot kinds as people read them (the values of participa.model.BallotKind).
BALLOT_KINDS: Final[tuple[str, ...]] = (
    N_("approval"),
    N_("choose-1"),
    N_("cumulative"),
    N_("scoring"),
    N_("ordinal"),
)

_RANK = Column("rank", N_("column|rank"), "int")
_ID = Column("id", N_("column|id"))
_NAME = Column("name", N_("column|name"))
_VOTES = Column("votes", N_("column|votes"), "int")
_COST = Column("cost", N_("column|cost"), "money")


def _votes(e: Election) -> list[int]:
    return [int(v) for v in (e.total_points() if e.kind.has_points else e.support())]


def election_table(e: Election) -> Table:
    """Per project: id, name, cost, votes (points for cumulative / scoring ballots)."""
    votes = _votes(e)
    has_territory = any(p.territory for p in e.projects)
    columns = [_ID, _NAME, _COST, _VOTES]
    if has_territory:
        columns.append(Column("territory", N_("column|territory")))
    rows = []
    for p, v in zip(e.projects, votes, strict=True):
        row: list[Cell] = [p.id, p.name, p.cost, v]
        if has_territory:
            row.append(p.territory or "")
        rows.append(row)
    summary = _(
        "{name}: budget {budget}, {projects}, {voters} ({kind})",
        name=e.name or _("election"),
        budget=e.money.format(e.budget),
        projects=ngettext("{n} project", "{n} projects", len(e.projects)),
        voters=ngettext("{n} voter", "{n} voters", e.profile.num_voters),
        kind=_(e.kind.value),
    )
    return Table(columns, rows, e.money, summary)


def outcome_table(outcome: Outcome, election: Election | None = None) -> Table:
    """Per project, ranked by votes: rank, id, name, votes, cost, funding, selected.

    Without ``election`` only the outcome's own facts are shown (id, funding,
    selected), projects in the outcome's order.
    """
    cur = outcome.currency if outcome.currency != Currency() or election is None else election.money
    summary = ngettext(
        "{rule}: {n} selected, {spent} of {budget} spent",
        "{rule}: {n} selected, {spent} of {budget} spent",
        len(outcome.selected),
        rule=outcome.rule,
        spent=cur.format(outcome.total_funding),
        budget=cur.format(outcome.budget),
    )
    chosen = outcome.selected_set
    funded = Column("funding", N_("column|funding"), "money")
    sel = Column("selected", N_("column|selected"), "bool")
    if election is None:
        rows = [(pid, f, pid in chosen) for pid, f in outcome.funding.items()]
        return Table((_ID, funded, sel), rows, cur, summary)
    votes = _votes(election)
    order = sorted(range(len(election.projects)), key=lambda j: (-votes[j], j))
    rows2: list[list[Cell]] = []
    for rank, j in enumerate(order, start=1):
        p = election.projects[j]
        rows2.append(
            [
                rank,
                p.id,
                p.name,
                votes[j],
                p.cost,
                int(outcome.funding.get(p.id, 0)),
                p.id in chosen,
            ]
        )
    return Table((_RANK, _ID, _NAME, _VOTES, _COST, funded, sel), rows2, cur, summary)


@checked
def comparison_table(election: Election, outcomes: Sequence[Outcome]) -> Table:
    """Rules side by side, per project: each rule's funding (0 when not funded).

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> from participa.rules import greedy, per_head
    >>> e = Election(10, (Project("a", 6), Project("b", 5)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"]]))
    >>> comparison_table(e, [greedy(e), per_head(e)]).to_rows()
    [('id', 'name', 'votes', 'cost', 'greedy', 'per-head'),
     ('a', '', 2, 6, 6, 6), ('b', '', 1, 5, 0, 3)]
    """
    votes = _votes(election)
    columns = [_ID, _NAME, _VOTES, _COST]
    seen: dict[str, int] = {}
    for o in outcomes:
        key = o.rule if o.rule not in seen else f"{o.rule}-{seen[o.rule] + 1}"
        seen[o.rule] = seen.get(o.rule, 0) + 1
        columns.append(Column(key, key, "money", translate=False))
    rows: list[list[Cell]] = [
        [p.id, p.name, votes[j], p.cost, *(int(o.funding.get(p.id, 0)) for o in outcomes)]
        for j, p in enumerate(election.projects)
    ]
    money = election.money
    spent = ", ".join(f"{o.rule} {money.format(o.total_funding)}" for o in outcomes)
    summary = _(
        "{name}: budget {budget}; spent: {spent}",
        name=election.name or _("election"),
        budget=money.format(election.budget),
        spent=spent,
    )
    return Table(columns, rows, money, summary)


def _allocation_table(a: Any) -> Table:
    cur = a.currency
    columns = (
        Column("territory", N_("column|territory")),
        _NAME,
        Column("quota", N_("column|quota (minor units)"), "number"),
        Column("bound", N_("column|bound")),
        Column("amount", N_("column|amount"), "money"),
    )
    rows = [(r.territory_id, r.name, r.quota, r.bound, r.amount) for r in a.rows]
    summary = _(
        "{name}: {total} among {count} territories",
        name=a.formula.name or _("allocation"),
        total=cur.format(a.total),
        count=len(a.rows),
    )
    return Table(columns, rows, cur, summary)


def _feasibility_table(report: Any) -> Table:
    cur = report.currency
    columns = (
        _ID,
        _NAME,
        _COST,
        Column("verdict", N_("column|verdict")),
        Column("eligible", N_("column|eligible"), "bool"),
        Column("reasons", N_("column|reasons")),
    )
    eligible = set(report.eligible)
    rows = [
        (
            r.project_id,
            r.name,
            r.cost,
            r.status.value,
            r.project_id in eligible,
            "; ".join(r.reasons),
        )
        for r in report.projects
    ]
    summary = _(
        "{name}: {eligible} of {count} projects eligible",
        name=report.name,
        eligible=len(eligible),
        count=len(report.projects),
    )
    return Table(columns, rows, cur, summary)


def _ranking_table(ranking: Any) -> Table:
    columns = [_RANK, _ID, Column("score", N_("column|score"), "number")]
    columns += [Column(c, c, "number", translate=False) for c in ranking.criteria]
    rows = [
        [
            e.rank,
            e.project_id,
            e.score,
            *(e.contributions.get(c, Fraction(0)) for c in ranking.criteria),
        ]
        for e in ranking.entries
    ]
    summary = ngettext(
        "{name}: {n} project ranked",
        "{name}: {n} projects ranked",
        len(ranking.entries),
        name=ranking.name,
    )
    return Table(columns, rows, Currency(), summary)


def _ledger_table(ledger: Any, currency: Currency) -> Table:
    columns = (
        _ID,
        Column("territory", N_("column|territory")),
        Column("promised", N_("column|promised"), "money"),
        Column("committed", N_("column|committed"), "money"),
        Column("spent", N_("column|spent"), "money"),
    )
    positions = ledger.positions().values()
    rows = [(p.project_id, p.territory or "", p.promised, p.committed, p.spent) for p in positions]
    summary = _(
        "ledger: {promised} promised, {committed} committed, {spent} spent",
        promised=currency.format(ledger.total_promised),
        committed=currency.format(ledger.total_committed),
        spent=currency.format(ledger.total_spent),
    )
    return Table(columns, rows, currency, summary)


def _instance(value: object, module: str, name: str) -> bool:
    """``isinstance(value, module.name)`` without importing ``module`` (not loaded: no)."""
    loaded = sys.modules.get(module)
    cls = getattr(loaded, name, None) if loaded is not None else None
    return isinstance(cls, type) and isinstance(value, cls)


@checked
def table(
    value: object, *, election: Election | None = None, currency: Currency | None = None
) -> Table:
    """The table of an election, outcome, allocation, feasibility report, ranking or ledger.

    Parameters
    ----------
    value
        What to tabulate.
    election
        For an outcome: the election it was computed on (adds names, votes and costs).
    currency
        For a ledger (which does not know its currency): how its money reads.

    Examples
    --------
    >>> table(3)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: cannot make a table of a int ...
    """
    from participa.model import Election
    from participa.outcome import Outcome

    if isinstance(value, Outcome):
        return outcome_table(value, election)
    as_table = getattr(value, "as_table", None)
    if callable(as_table):  # a value that lays itself out (analysis tables)
        return cast(Table, as_table())
    if isinstance(value, Election):
        return election_table(value)
    # A value of a class whose module was never imported cannot be an instance of it: the
    # modules are looked up, not imported (a tally process does not load the ledger).
    if _instance(value, "participa.allocation", "Allocation"):
        return _allocation_table(value)
    if _instance(value, "participa.feasibility.review", "FeasibilityReport"):
        return _feasibility_table(value)
    if _instance(value, "participa.feasibility.prioritisation", "Ranking"):
        return _ranking_table(value)
    if _instance(value, "participa.ledger", "Ledger"):
        return _ledger_table(value, currency or Currency())
    raise ValidationError(
        _("cannot make a table of a {kind}", kind=type(value).__name__),
        hint=_("pass an Election, Outcome, Allocation, FeasibilityReport, Ranking or Ledger"),
    )
