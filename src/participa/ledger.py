"""Accountability ledger: money promised, committed and spent per project.

A PB round *promises* money (the published outcome), the municipality then
*commits* it (contracts, purchase orders) and *spends* it (payments). The paper
behind participa reports that Villa El Salvador spent less than half of what it
promised in 2001; this module makes that visible with exact numbers.

The :class:`Ledger` is an append-only tuple of :class:`LedgerEntry` values. Its
invariant, checked on every entry and again by :meth:`Ledger.check`, is money
conservation per project::

    spent <= committed <= promised

where *promised* only changes through an explicit ``REALLOCATE`` entry that moves
uncommitted promise from one project to another (or back to the fund), so the
total ever promised never grows silently.

Times are ISO-8601 strings with a UTC offset, passed in by the caller and stored
in one canonical form by :func:`timestamp` (``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``, in
UTC), which sorts as text in time order. Nothing here reads the clock.

Examples
--------
>>> led = Ledger().promise("P1", 1000, territory="S1", at="2001-06-30T12:00:00-05:00",
...                        start_by="2001-09-30T00:00:00Z")
>>> led = led.commit("P1", 800, at="2001-08-01T10:00:00Z", reference="OC-17")
>>> led = led.spend("P1", 500, at="2001-10-01T10:00:00Z")
>>> rep = accountability_report(led, as_of="2002-01-01T00:00:00Z")
>>> rep.overall.spent, rep.overall.rate
(500, Fraction(1, 2))
>>> led.spend("P1", 400, at="2001-11-01T10:00:00Z")
Traceback (most recent call last):
...
participa.errors.ValidationError: spending 400 would bring spent to 900, above the 800 committed ...
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import attrs

from participa import serialize
from participa.boundary import checked, typed_fields
from participa.errors import IntegrityError, ValidationError
from participa.i18n import _, ngettext, use_language
from participa.model import Project
from participa.money import Currency, as_currency
from participa.plan.accountability import PlanExecution, plan_execution
from participa.plan.model import Plan

__all__ = [
    "AccountabilityReport",
    "EntryKind",
    "Execution",
    "Ledger",
    "LedgerEntry",
    "ProjectPosition",
    "accountability_report",
    "timestamp",
]


def timestamp(value: str | datetime) -> str:
    """Normalise a time to participa's canonical text: UTC, ``...Z``, sortable as text.

    Accepts an ISO-8601 string or a :class:`~datetime.datetime`, both *with* a UTC
    offset; a naive time is refused because it would mean different instants on
    different machines.

    Examples
    --------
    >>> timestamp("2001-03-01T10:00:00-05:00")
    '2001-03-01T15:00:00Z'
    >>> from datetime import datetime, timezone
    >>> timestamp(datetime(2001, 3, 1, 15, tzinfo=timezone.utc))
    '2001-03-01T15:00:00Z'
    >>> timestamp("2001-03-01")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: time '2001-03-01' has no UTC offset ...
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                _("not an ISO-8601 time: {value!r}", value=value),
                hint=_("write e.g. '2001-03-01T10:00:00-05:00' or '2001-03-01T15:00:00Z'"),
            ) from None
    else:
        raise ValidationError(
            _("a time must be an ISO-8601 string or a datetime, got {value!r}", value=value)
        )
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValidationError(
            _("time {value!r} has no UTC offset", value=str(value)),
            hint=_("add one, e.g. '2001-03-01T10:00:00-05:00' (Lima) or a trailing 'Z'"),
        )
    u = dt.astimezone(UTC)
    text = u.strftime("%Y-%m-%dT%H:%M:%S")
    if u.microsecond:
        text += f".{u.microsecond:06d}"
    return text + "Z"


def _ts(value: str) -> str:
    return timestamp(value)


def _opt_ts(value: str | None) -> str | None:
    return None if value is None else timestamp(value)


class EntryKind(enum.Enum):
    """What a ledger entry records."""

    PROMISE = "promise"
    """The round's outcome gives the project this much money."""
    COMMIT = "commit"
    """Money committed (contract, purchase order) for the project."""
    SPEND = "spend"
    """Money actually paid for the project."""
    REALLOCATE = "reallocate"
    """Uncommitted promise moved to another project (``to_project``) or back to the fund."""


@serialize.register("participa.ledger.LedgerEntry")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class LedgerEntry:
    """One line of the ledger.

    Parameters
    ----------
    kind
        What happened (:class:`EntryKind`).
    project_id
        The project the money belongs to (for a reallocation: the one it leaves).
    amount
        Positive integer minor units.
    at
        When, as a canonical :func:`timestamp`.
    territory
        Territory of the project (for promises and reallocation targets).
    to_project
        For a reallocation, the project receiving the promise, or ``None`` when
        the money goes back to the fund.
    start_by
        For a promise, the date by which work should start (first commitment).
    reference
        Free text: contract number, invoice, council resolution, reason.
    """

    kind: EntryKind
    project_id: str
    amount: int
    at: str = attrs.field(converter=_ts)
    territory: str | None = None
    to_project: str | None = None
    start_by: str | None = attrs.field(default=None, converter=_opt_ts)
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.kind, EntryKind):
            raise ValidationError(
                _("a ledger entry's kind must be an EntryKind, got {value!r}", value=self.kind)
            )
        for what, v, optional in (
            ("project_id", self.project_id, False),
            ("territory", self.territory, True),
            ("to_project", self.to_project, True),
        ):
            if (v is None and not optional) or (
                v is not None and (not isinstance(v, str) or not v.strip())
            ):
                raise ValidationError(
                    _(
                        "a ledger entry's {field} must be a non-empty string, got {value!r}",
                        field=what,
                        value=v,
                    )
                )
        if not isinstance(self.reference, str):
            raise ValidationError(
                _(
                    "a ledger entry's reference must be a string, got {value!r}",
                    value=self.reference,
                )
            )
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValidationError(
                _(
                    "ledger amount must be a positive integer of minor units, got {amount!r}",
                    amount=self.amount,
                ),
                project_id=self.project_id,
            )
        if self.to_project is not None and self.kind is not EntryKind.REALLOCATE:
            raise ValidationError(
                _("only a reallocation has a target project"), project_id=self.project_id
            )


@serialize.register("participa.ledger.ProjectPosition")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class ProjectPosition:
    """Where one project's money stands.

    ``late`` means its first commitment came after ``start_by``; ``never_started``
    that nothing was committed and ``start_by`` (or the report date) has passed.
    """

    project_id: str
    territory: str | None
    promised: int
    committed: int
    spent: int
    start_by: str | None = None
    first_commit: str | None = None
    last_spend: str | None = None
    late: bool = False
    never_started: bool = False


@serialize.register("participa.ledger.Execution")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Execution:
    """Totals of a territory (or of the whole round): promised, committed, spent, rate.

    ``rate`` is ``spent / promised`` exactly (``None`` when nothing was promised).
    """

    territory: str
    promised: int
    committed: int
    spent: int

    @property
    def rate(self) -> Fraction | None:
        """Execution rate spent/promised as an exact fraction."""
        return None if self.promised == 0 else Fraction(self.spent, self.promised)

    @property
    def commit_rate(self) -> Fraction | None:
        """Committed/promised as an exact fraction."""
        return None if self.promised == 0 else Fraction(self.committed, self.promised)


def _entries(value: Iterable[LedgerEntry]) -> tuple[LedgerEntry, ...]:
    raw: object = value
    if isinstance(raw, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(
            _("a ledger's entries must be a sequence, got {value!r}", value=value)
        )
    out = tuple(value)
    bad = [e for e in out if not isinstance(e, LedgerEntry)]
    if bad:
        raise ValidationError(_("not a ledger entry: {value!r}", value=bad[0]))
    return out


@attrs.frozen(slots=True)
class _Pos:
    territory: str | None
    promised: int = 0
    committed: int = 0
    spent: int = 0
    start_by: str | None = None
    first_commit: str | None = None
    last_spend: str | None = None


def _fold(
    entries: Iterable[LedgerEntry], *, integrity: bool, currency: Currency | None = None
) -> dict[str, _Pos]:
    """Replay entries into positions, raising on the first entry that breaks conservation."""
    err = IntegrityError if integrity else ValidationError
    m = (currency or Currency()).format
    pos: dict[str, _Pos] = {}
    last_at = ""
    for e in entries:
        if e.at < last_at:
            raise err(
                _(
                    "ledger entry at {at} is earlier than the previous one at {last_at}",
                    at=e.at,
                    last_at=last_at,
                ),
                project_id=e.project_id,
                hint=_("entries are appended in time order"),
            )
        last_at = e.at
        p = pos.get(e.project_id)
        if e.kind is EntryKind.PROMISE:
            base = p or _Pos(territory=e.territory)
            if p is not None and e.territory is not None and p.territory != e.territory:
                raise err(
                    _(
                        "promise for territory {territory!r} but the project belongs "
                        "to {territory2!r}",
                        territory=e.territory,
                        territory2=p.territory,
                    ),
                    project_id=e.project_id,
                )
            pos[e.project_id] = attrs.evolve(
                base, promised=base.promised + e.amount, start_by=e.start_by or base.start_by
            )
            continue
        if p is None:
            raise err(
                _("{value} for a project with no promise", value=e.kind.value),
                project_id=e.project_id,
                hint=_("record the promise (the published outcome) first, or reallocate to it"),
            )
        if e.kind is EntryKind.COMMIT:
            if p.committed + e.amount > p.promised:
                raise err(
                    _(
                        "committing {amount} would bring committed to {total}, "
                        "above the {promised} promised",
                        amount=m(e.amount),
                        total=m(p.committed + e.amount),
                        promised=m(p.promised),
                    ),
                    project_id=e.project_id,
                    hint=_("record an explicit reallocation to this project first"),
                )
            pos[e.project_id] = attrs.evolve(
                p, committed=p.committed + e.amount, first_commit=p.first_commit or e.at
            )
        elif e.kind is EntryKind.SPEND:
            if p.spent + e.amount > p.committed:
                raise err(
                    _(
                        "spending {amount} would bring spent to {total}, "
                        "above the {committed} committed",
                        amount=m(e.amount),
                        total=m(p.spent + e.amount),
                        committed=m(p.committed),
                    ),
                    project_id=e.project_id,
                    hint=_("commit the money first"),
                )
            pos[e.project_id] = attrs.evolve(p, spent=p.spent + e.amount, last_spend=e.at)
        else:
            free = p.promised - p.committed
            if e.amount > free:
                raise err(
                    _(
                        "reallocating {amount} but only {free} of the promise is uncommitted",
                        amount=m(e.amount),
                        free=m(free),
                    ),
                    project_id=e.project_id,
                )
            if e.to_project == e.project_id:
                raise err(_("a reallocation must go to another project"), project_id=e.project_id)
            pos[e.project_id] = attrs.evolve(p, promised=p.promised - e.amount)
            if e.to_project is not None:
                q = pos.get(e.to_project) or _Pos(territory=e.territory)
                pos[e.to_project] = attrs.evolve(q, promised=q.promised + e.amount)
    return pos


@serialize.register("participa.ledger.Ledger")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Ledger:
    """An append-only ledger of promises, commitments, spending and reallocations.

    Each method returns a new ledger with one more entry, or raises
    :class:`~participa.ValidationError` (naming the project and what to do) if the
    entry would break ``spent <= committed <= promised``; the ledger it was called
    on is unchanged.
    """

    entries: tuple[LedgerEntry, ...] = attrs.field(default=(), converter=_entries)
    currency: Currency = attrs.field(factory=Currency, eq=False, init=False)
    """How amounts read as money in reports and messages; set with :meth:`with_currency`.

    Not part of the ledger's identity nor of its JSON (a round's ledger takes the round's
    currency when the round is built or read).
    """

    def to_rows(self, currency: Currency | None = None) -> list[tuple[Any, ...]]:
        """Column keys, then typed rows (money in minor units) (:mod:`participa.tables`)."""
        from participa.tables import table

        return table(self, currency=currency).to_rows()

    def to_csv(self, currency: Currency | None = None) -> str:
        """The position table as CSV (money in minor units) (:mod:`participa.tables`)."""
        from participa.tables import table

        return table(self, currency=currency).to_csv()

    def to_frame(self, currency: Currency | None = None) -> Any:
        """The position table as a pandas ``DataFrame`` (extra ``pandas``)."""
        from participa.tables import table

        return table(self, currency=currency).to_frame()

    def with_currency(self, currency: Currency) -> Ledger:
        """This ledger, its amounts shown as ``currency`` in messages and reports.

        >>> from participa.money import Currency
        >>> led = Ledger().with_currency(Currency("PEN", 100))
        >>> led = led.promise("P1", 150, at="2001-01-01T00:00:00Z")
        >>> repr(led)
        '<Ledger: 1 entry, promised S/ 1.50, committed S/ 0.00, spent S/ 0.00>'
        """
        new = attrs.evolve(self)
        object.__setattr__(new, "currency", currency)
        return new

    def __attrs_post_init__(self) -> None:
        # Stored or hand-built entries are re-checked (participa.loads builds ledgers here).
        _fold(self.entries, integrity=True, currency=self.currency)

    def __repr__(self) -> str:
        from participa.display import summary

        m = self.currency.format
        pos = self.positions().values()
        return summary(
            "Ledger",
            None,
            [
                ngettext("{n} entry", "{n} entries", len(self.entries)),
                _("promised {amount}", amount=m(sum(p.promised for p in pos))),
                _("committed {amount}", amount=m(sum(p.committed for p in pos))),
                _("spent {amount}", amount=m(sum(p.spent for p in pos))),
            ],
        )

    def to_html(self, *, lang: str | None = None) -> str:
        """Each project's promised, committed and spent money, as an HTML table."""
        from participa.display import html_table

        m = self.currency.format
        with use_language(lang):
            rows = (
                (p.project_id, p.territory or "", m(p.promised), m(p.committed), m(p.spent))
                for p in self.positions().values()
            )
            return html_table(
                (_("project"), _("territory"), _("promised"), _("committed"), _("spent")),
                rows,
                caption=_(
                    "Ledger: {entries}",
                    entries=ngettext("{n} entry", "{n} entries", len(self.entries)),
                ),
            )

    def _repr_html_(self) -> str:
        return self.to_html()

    def add(self, entry: LedgerEntry) -> Ledger:
        """The ledger with ``entry`` appended, after checking conservation."""
        if not isinstance(entry, LedgerEntry):
            raise ValidationError(_("not a ledger entry: {value!r}", value=entry))
        entries = (*self.entries, entry)
        _fold(entries, integrity=False, currency=self.currency)
        return Ledger(entries).with_currency(self.currency)

    def promise(
        self,
        project_id: str,
        amount: int,
        *,
        at: str,
        territory: str | None = None,
        start_by: str | None = None,
        reference: str = "",
    ) -> Ledger:
        """Record money promised to a project (normally from a published outcome)."""
        return self.add(
            LedgerEntry(
                EntryKind.PROMISE,
                project_id,
                amount,
                at,
                territory=territory,
                start_by=start_by,
                reference=reference,
            )
        )

    def commit(self, project_id: str, amount: int, *, at: str, reference: str = "") -> Ledger:
        """Record money committed to a project (at most its uncommitted promise)."""
        return self.add(LedgerEntry(EntryKind.COMMIT, project_id, amount, at, reference=reference))

    def spend(self, project_id: str, amount: int, *, at: str, reference: str = "") -> Ledger:
        """Record money paid for a project (at most its unspent commitment)."""
        return self.add(LedgerEntry(EntryKind.SPEND, project_id, amount, at, reference=reference))

    def reallocate(
        self,
        project_id: str,
        amount: int,
        *,
        at: str,
        to_project: str | None,
        territory: str | None = None,
        reference: str = "",
    ) -> Ledger:
        """Move uncommitted promise to ``to_project`` (or back to the fund if ``None``).

        ``territory`` names the receiving project's territory when it is new.
        """
        return self.add(
            LedgerEntry(
                EntryKind.REALLOCATE,
                project_id,
                amount,
                at,
                territory=territory,
                to_project=to_project,
                reference=reference,
            )
        )

    def check(self) -> None:
        """Raise :class:`~participa.IntegrityError` if stored entries break conservation."""
        _fold(self.entries, integrity=True, currency=self.currency)

    def positions(self) -> Mapping[str, ProjectPosition]:
        """Each project's promised, committed and spent, in order of first appearance."""
        return MappingProxyType(
            {
                pid: ProjectPosition(
                    pid,
                    p.territory,
                    p.promised,
                    p.committed,
                    p.spent,
                    start_by=p.start_by,
                    first_commit=p.first_commit,
                    last_spend=p.last_spend,
                )
                for pid, p in _fold(self.entries, integrity=True).items()
            }
        )

    @property
    def total_promised(self) -> int:
        """Promise still standing, over all projects (reallocations to the fund removed)."""
        return sum(p.promised for p in self.positions().values())

    @property
    def total_committed(self) -> int:
        """Money committed over all projects."""
        return sum(p.committed for p in self.positions().values())

    @property
    def total_spent(self) -> int:
        """Money spent over all projects."""
        return sum(p.spent for p in self.positions().values())


def _positions(value: Iterable[ProjectPosition]) -> tuple[ProjectPosition, ...]:
    return tuple(value)


def _executions(value: Iterable[Execution]) -> tuple[Execution, ...]:
    return tuple(value)


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _pct(rate: Fraction | None) -> str:
    return "-" if rate is None else f"{float(rate) * 100:.1f}%"


@serialize.register("participa.ledger.AccountabilityReport")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class AccountabilityReport:
    """Execution of a round's promises at a given date (rendición de cuentas).

    Parameters
    ----------
    as_of
        The report date (canonical timestamp), passed in.
    projects
        One :class:`ProjectPosition` per project, by territory then project id.
    territories
        One :class:`Execution` per territory, by territory id (``"-"`` for none).
    overall
        The totals of the whole round (territory ``"*"``).
    late, never_started
        Ids of projects whose first commitment came after their ``start_by``, and of
        projects with nothing committed whose ``start_by`` (or, without one, the
        report date) has passed.
    currency
        How amounts read as money (the ledger's currency).
    plan_view
        Promised, committed and spent by dimension and objective of the development
        plan, when the report was made with ``plan=`` (see :mod:`participa.plan`).
    """

    as_of: str = attrs.field(converter=_ts)
    projects: tuple[ProjectPosition, ...] = attrs.field(converter=_positions)
    territories: tuple[Execution, ...] = attrs.field(converter=_executions)
    overall: Execution
    late: tuple[str, ...] = attrs.field(converter=_strs)
    never_started: tuple[str, ...] = attrs.field(converter=_strs)
    currency: Currency = attrs.field(factory=Currency, eq=False)
    plan_view: PlanExecution | None = None

    def _money(self, minor_per_unit: int | None, currency: Currency | str | None) -> Currency:
        if minor_per_unit is None and currency is None:
            return self.currency
        return as_currency(currency, minor_per_unit)

    def _date(self) -> str:
        from participa.display import UTC_OFFSETS, local_date

        return local_date(self.as_of, UTC_OFFSETS.get(self.currency.code or ""))

    def _header(self) -> tuple[str, ...]:
        return (_("territory"), _("promised"), _("committed"), _("spent"), _("rate"))

    def _rows(self, money: Currency) -> list[tuple[str, ...]]:
        m = money.format
        return [
            (t.territory, m(t.promised), m(t.committed), m(t.spent), _pct(t.rate))
            for t in (*self.territories, self.overall)
        ]

    def to_text(
        self,
        *,
        currency: Currency | str | None = None,
        minor_per_unit: int | None = None,
        lang: str | None = None,
    ) -> str:
        """A plain-text table: per territory, overall, then late and never-started projects.

        Amounts read in the report's :attr:`currency`, unless ``currency`` (a
        :class:`~participa.money.Currency`; an ISO code with ``minor_per_unit`` is still
        accepted) says otherwise; ``lang`` picks the language.
        """
        with use_language(lang):
            rows = [self._header(), *self._rows(self._money(minor_per_unit, currency))]
            widths = [max(len(r[k]) for r in rows) for k in range(5)]
            lines = [_("Accountability as of {date}", date=self._date())]
            for r in rows:
                lines.append(
                    "  ".join(
                        c.ljust(w) if k == 0 else c.rjust(w)
                        for k, (c, w) in enumerate(zip(r, widths, strict=True))
                    ).rstrip()
                )
            none = _("none")
            lines.append(_("started late: {ids}", ids=", ".join(self.late) or none))
            lines.append(_("never started: {ids}", ids=", ".join(self.never_started) or none))
            if self.plan_view is not None:
                lines.append(self.plan_view.to_text(currency=self._money(minor_per_unit, currency)))
            return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        from participa.display import summary

        o = self.overall
        return summary(
            "AccountabilityReport",
            self._date(),
            [
                _("spent {amount}", amount=self.currency.format(o.spent)),
                _("of {amount} promised", amount=self.currency.format(o.promised)),
                _pct(o.rate),
            ],
        )

    def to_html(self, *, lang: str | None = None) -> str:
        """Execution per territory and overall, as an HTML table."""
        from participa.display import html_table, paragraph, view

        with use_language(lang):
            table = html_table(
                self._header(),
                self._rows(self.currency),
                caption=_("Accountability as of {date}", date=self._date()),
                wrap=False,
            )
            none = _("none")
            out = view(
                table,
                paragraph(_("started late: {ids}", ids=", ".join(self.late) or none)),
                paragraph(_("never started: {ids}", ids=", ".join(self.never_started) or none)),
            )
            return out + (self.plan_view._repr_html_() if self.plan_view is not None else "")

    def _repr_html_(self) -> str:
        return self.to_html()


@checked
def accountability_report(
    ledger: Ledger,
    *,
    as_of: str,
    plan: Plan | None = None,
    projects: Iterable[Project] = (),
) -> AccountabilityReport:
    """Execution rates per territory and overall, and projects started late or never.

    Checks conservation first (:meth:`Ledger.check`). Only entries dated on or
    before ``as_of`` count, so a report can be rebuilt for any past date. With a
    development ``plan`` and the round's ``projects`` (carrying their ``objectives``
    links) the report adds the plan view (:func:`participa.plan.plan_execution`).

    Examples
    --------
    >>> led = (Ledger()
    ...        .promise("A", 600, territory="S1", at="2001-07-01T00:00:00Z",
    ...                 start_by="2001-08-01T00:00:00Z")
    ...        .promise("B", 400, territory="S2", at="2001-07-01T00:00:00Z",
    ...                 start_by="2001-08-01T00:00:00Z")
    ...        .commit("A", 600, at="2001-09-01T00:00:00Z")
    ...        .spend("A", 300, at="2001-10-01T00:00:00Z"))
    >>> rep = accountability_report(led, as_of="2001-12-31T00:00:00Z")
    >>> [(t.territory, str(t.rate)) for t in rep.territories]
    [('S1', '1/2'), ('S2', '0')]
    >>> rep.late, rep.never_started
    (('A',), ('B',))
    """
    ledger.check()
    cut = timestamp(as_of)
    pos = _fold((e for e in ledger.entries if e.at <= cut), integrity=True)
    rows: list[ProjectPosition] = []
    for pid, p in pos.items():
        late = p.first_commit is not None and p.start_by is not None and p.first_commit > p.start_by
        deadline = p.start_by or cut
        never = p.promised > 0 and p.committed == 0 and deadline <= cut
        rows.append(
            ProjectPosition(
                pid,
                p.territory,
                p.promised,
                p.committed,
                p.spent,
                start_by=p.start_by,
                first_commit=p.first_commit,
                last_spend=p.last_spend,
                late=late,
                never_started=never,
            )
        )
    rows.sort(key=lambda r: (r.territory or "-", r.project_id))
    by_t: dict[str, list[ProjectPosition]] = {}
    for r in rows:
        by_t.setdefault(r.territory or "-", []).append(r)
    terr = tuple(
        Execution(
            t,
            sum(r.promised for r in rs),
            sum(r.committed for r in rs),
            sum(r.spent for r in rs),
        )
        for t, rs in sorted(by_t.items())
    )
    overall = Execution(
        "*",
        sum(r.promised for r in rows),
        sum(r.committed for r in rows),
        sum(r.spent for r in rows),
    )
    return AccountabilityReport(
        as_of=cut,
        projects=rows,
        territories=terr,
        overall=overall,
        late=tuple(r.project_id for r in rows if r.late),
        never_started=tuple(r.project_id for r in rows if r.never_started),
        currency=ledger.currency,
        plan_view=None
        if plan is None
        else plan_execution(plan, projects, rows, currency=ledger.currency),
    )
