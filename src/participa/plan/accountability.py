"""The plan view of the accountability report: promised, committed, spent by the plan.

:func:`participa.ledger.accountability_report` takes ``plan=`` and ``projects=`` and
then adds a :class:`PlanExecution`: for every dimension and specific objective, the
money promised to the projects serving it, committed and spent, with the same
exact split as :mod:`participa.plan.analysis` (a project serving several objectives
has each amount split into equal parts by largest remainder). Splitting each
amount with equal weights keeps ``spent <= committed <= promised`` on every row.

Examples
--------
>>> from participa.ledger import Ledger, accountability_report
>>> from participa.model import Project
>>> from participa.plan import Dimension, Plan, SpecificObjective, StrategicObjective, link
>>> plan = Plan("demo", dimensions=(Dimension("D1", "Urban"),),
...     strategic=(StrategicObjective("OE1", "Roads", "D1"),),
...     specific=(SpecificObjective("OE1.1", "Paved streets", "OE1"),
...               SpecificObjective("OE1.2", "Lit streets", "OE1")))
>>> led = (Ledger().promise("A", 600, at="2005-01-10T00:00:00Z")
...        .commit("A", 600, at="2005-03-01T00:00:00Z").spend("A", 301, at="2005-06-01T00:00:00Z"))
>>> rep = accountability_report(led, as_of="2005-12-31T00:00:00Z", plan=plan,
...                             projects=[link(Project("A", 600), "OE1.1")])
>>> [(r.id, r.promised, r.spent) for r in rep.plan_view.outline()]
[('D1', 600, 301), ('OE1', 600, 301), ('OE1.1', 600, 301), ('OE1.2', 0, 0), ('-', 0, 0)]
>>> rep.plan_view.unfunded
('OE1.2',)
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Literal, Protocol

import attrs

from participa import serialize
from participa.display import html_table
from participa.errors import ValidationError
from participa.i18n import _, pgettext
from participa.model import Project
from participa.money import Currency
from participa.plan.analysis import LEVELS, OUTSIDE, _pct, _text_table, split_by_objective
from participa.plan.links import check_links
from participa.plan.model import Plan

__all__ = ["PlanExecution", "PlanExecutionRow", "Position", "plan_execution"]


class Position(Protocol):
    """What the plan view reads from a ledger position (``participa.ledger.ProjectPosition``)."""

    @property
    def project_id(self) -> str:
        """The project."""
        ...

    @property
    def promised(self) -> int:
        """Money promised."""
        ...

    @property
    def committed(self) -> int:
        """Money committed."""
        ...

    @property
    def spent(self) -> int:
        """Money spent."""
        ...


@attrs.frozen(slots=True)
class PlanExecutionRow:
    """Promised, committed and spent for one plan entry (split exactly, see module notes).

    ``parent`` is the dimension of a strategic objective and the strategic objective of
    a specific one (``""`` for dimensions and for the money outside the plan).
    """

    level: Literal["dimension", "strategic", "objective", "outside"]
    id: str
    name: str
    promised: int
    committed: int
    spent: int
    parent: str = ""

    @property
    def rate(self) -> Fraction | None:
        """Spent / promised, exactly (``None`` when nothing was promised)."""
        return None if self.promised == 0 else Fraction(self.spent, self.promised)


def _rows(value: Iterable[PlanExecutionRow]) -> tuple[PlanExecutionRow, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class PlanExecution:
    """The plan view of an accountability report.

    ``rows`` holds the dimensions, the strategic objectives, the specific objectives
    (each in plan order), then the money of projects outside the plan (id ``"-"``).
    The rows of each level sum with the outside row to the report's totals.
    ``currency`` says how the amounts read as money.
    """

    plan: str
    rows: tuple[PlanExecutionRow, ...] = attrs.field(converter=_rows)
    currency: Currency = attrs.field(factory=Currency)

    def by(
        self, level: Literal["dimension", "strategic", "objective"]
    ) -> tuple[PlanExecutionRow, ...]:
        """The rows of one level."""
        return tuple(r for r in self.rows if r.level == level)

    @property
    def outside(self) -> PlanExecutionRow:
        """The money of projects without a link or serving no objective."""
        return self.rows[-1]

    @property
    def unfunded(self) -> tuple[str, ...]:
        """Specific objectives no money was promised to."""
        return tuple(r.id for r in self.by("objective") if r.promised == 0)

    def outline(self) -> tuple[PlanExecutionRow, ...]:
        """The rows as a tree: each dimension, its strategic objectives, their specific ones."""
        out: list[PlanExecutionRow] = []
        for d in self.by("dimension"):
            out.append(d)
            for s in (r for r in self.by("strategic") if r.parent == d.id):
                out.append(s)
                out.extend(r for r in self.by("objective") if r.parent == s.id)
        out.append(self.outside)
        return tuple(out)

    def _cells(self, money: Currency) -> list[list[str]]:
        indent = {"dimension": "", "strategic": "  ", "objective": "    ", "outside": ""}
        return [
            [
                indent[r.level] + r.id,
                _(r.name) if r.level == "outside" else r.name,
                money.format(r.promised),
                money.format(r.committed),
                money.format(r.spent),
                _pct(r.rate),
            ]
            for r in self.outline()
        ]

    def _header(self) -> list[str]:
        return [
            _("id"),
            _("name"),
            pgettext("plan", "promised"),
            _("committed"),
            pgettext("plan", "spent"),
            _("rate"),
        ]

    def to_text(self, *, currency: Currency | None = None) -> str:
        """A plain-text table, in the current language (``currency`` overrides the view's)."""
        lines = [_("Plan view: {plan}", plan=self.plan)]
        lines.extend(_text_table(self._header(), self._cells(currency or self.currency)))
        lines.append(
            _("objectives with nothing promised: {ids}", ids=", ".join(self.unfunded) or "-")
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return html_table(
            self._header(),
            self._cells(self.currency),
            caption=_("Plan view: {plan}", plan=self.plan),
        )


def plan_execution(
    plan: Plan,
    projects: Iterable[Project],
    positions: Iterable[Position],
    *,
    currency: Currency | None = None,
) -> PlanExecution:
    """The plan view of ledger positions; every position's project must be in ``projects``."""
    by_id = {p.id: p for p in projects}
    links = check_links(plan, by_id.values())
    pos = list(positions)
    missing = [x.project_id for x in pos if x.project_id not in by_id]
    if missing:
        raise ValidationError(
            _(
                "the ledger has projects that are not among the projects given: {ids}",
                ids=", ".join(missing),
            ),
            project_id=missing[0],
            hint=_("pass projects=election.projects (with their objectives)"),
        )
    acc = {o: [0, 0, 0] for o in plan.objective_ids}
    out = [0, 0, 0]
    for x in pos:
        ids = links[x.project_id] or ()
        amounts = (x.promised, x.committed, x.spent)
        if not ids:
            for k in range(3):
                out[k] += amounts[k]
            continue
        for k in range(3):
            for o, part in split_by_objective(amounts[k], ids).items():
                acc[o][k] += part

    def total(members: list[str], k: int) -> int:
        return sum(acc[o][k] for o in members)

    rows: list[PlanExecutionRow] = []
    for d in plan.dimensions:
        m = [o.id for o in plan.under(d.id)]
        rows.append(
            PlanExecutionRow("dimension", d.id, d.name, total(m, 0), total(m, 1), total(m, 2))
        )
    for s in plan.strategic:
        m = [o.id for o in plan.specific if o.strategic == s.id]
        rows.append(
            PlanExecutionRow(
                "strategic", s.id, s.name, total(m, 0), total(m, 1), total(m, 2), s.dimension
            )
        )
    for spec in plan.specific:
        a = acc[spec.id]
        rows.append(
            PlanExecutionRow("objective", spec.id, spec.name, a[0], a[1], a[2], spec.strategic)
        )
    rows.append(PlanExecutionRow("outside", OUTSIDE, LEVELS["outside"], out[0], out[1], out[2]))
    return PlanExecution(plan.name, rows, currency or Currency())


for _cls in (PlanExecutionRow, PlanExecution):
    serialize.register(_cls, "participa.plan." + _cls.__name__)
