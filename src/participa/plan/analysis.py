"""Where the money goes, seen through the development plan.

:func:`plan_funding` answers, for one round: how much money the proposals ask for
and how much the outcome gives, by dimension, by strategic objective and by
specific objective; which specific objectives got no funded project; and, per
territory, what share of the money serves the plan at all.
:func:`sectoral_view` lists the projects whose own sector (or dimension) disagrees
with the objectives they claim to serve: the seed paper's neighbourhood-clinic roof,
classified under health, which "is not necessarily a strategic investment in the
health sector".

How a project serving several objectives is counted
---------------------------------------------------
*Split exactly.* Its money is split into equal parts, one per objective it serves,
with :func:`participa.money.largest_remainder` (the odd minor units go to the
objectives first in plan order). So the ``funded`` column over the specific
objectives, plus the ``outside the plan`` row (projects without a link or serving
none), sums to the money funded **to the minor unit**, and so do the dimension and
strategic rows. The column ``funded_gross`` counts instead each project's whole
money once per objective it serves (what "money that touches this objective"
means); it is never less than ``funded`` and does not sum to the total.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> from participa.outcome import Outcome
>>> from participa.plan import Dimension, Plan, SpecificObjective, StrategicObjective, link
>>> plan = Plan("demo", dimensions=(Dimension("D1", "Urban"), Dimension("D2", "Human")),
...     strategic=(StrategicObjective("OE1", "Roads", "D1"),
...                StrategicObjective("OE2", "Health", "D2")),
...     specific=(SpecificObjective("OE1.1", "Paved streets", "OE1"),
...               SpecificObjective("OE2.1", "Clinics", "OE2")))
>>> ps = (link(Project("A", 101, territory="S1"), "OE1.1", "OE2.1"),
...       Project("B", 50, territory="S2"))
>>> e = Election(200, ps, Profile.from_ballots(BallotKind.APPROVAL, ["A", "B"], [["A"]]))
>>> f = plan_funding(plan, e, Outcome.from_selection(e, [0, 1], rule="greedy"))
>>> [(r.id, r.funded, r.funded_gross) for r in f.by("objective")]
[('OE1.1', 51, 101), ('OE2.1', 50, 101)]
>>> f.outside.funded, f.total_funded, f.unfunded
(50, 151, ())
>>> [(t.territory, str(t.share)) for t in f.territories]
[('S1', '1'), ('S2', '0')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Literal

import attrs

from participa import serialize
from participa.display import html_table
from participa.errors import ValidationError
from participa.i18n import N_, _, pgettext
from participa.model import Election, Project
from participa.money import Currency, largest_remainder
from participa.outcome import Outcome
from participa.plan.links import check_links
from participa.plan.model import Plan

__all__ = [
    "PlanFunding",
    "PlanMoney",
    "SectoralMismatch",
    "SectoralView",
    "TerritoryShare",
    "plan_funding",
    "project_sector",
    "sectoral_view",
    "split_by_objective",
]

Level = Literal["dimension", "strategic", "objective", "outside"]

LEVELS: Mapping[str, str] = {
    "dimension": N_("dimension"),
    "strategic": N_("strategic objective"),
    "objective": N_("specific objective"),
    "outside": N_("outside the plan"),
}

OUTSIDE = "-"
"""The id of the row holding the money of projects that serve no objective (or say none)."""


def _pct(x: Fraction | None) -> str:
    return "-" if x is None else f"{float(x) * 100:.1f}%"


def _text_table(
    header: Iterable[str], rows: Iterable[Iterable[str]], *, left: int = 2
) -> list[str]:
    head = list(header)
    body = [list(r) for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in body)]


def split_by_objective(amount: int, objectives: tuple[str, ...]) -> dict[str, int]:
    """Split ``amount`` minor units equally among ``objectives``, exactly (largest remainder).

    >>> split_by_objective(101, ("OE1.1", "OE2.1", "OE3.1"))
    {'OE1.1': 34, 'OE2.1': 34, 'OE3.1': 33}
    """
    if not objectives:
        return {}
    parts = largest_remainder(amount, [1] * len(objectives))
    return dict(zip(objectives, parts, strict=True))


@attrs.frozen(slots=True)
class PlanMoney:
    """Money of one dimension, strategic or specific objective (or outside the plan).

    Parameters
    ----------
    level
        ``"dimension"``, ``"strategic"``, ``"objective"`` or ``"outside"``.
    id, name
        The plan entry (``"-"`` outside the plan).
    proposed
        Its exact share of the cost of the projects proposed (split, see module notes).
    funded
        Its exact share of the money the outcome gives them (split).
    funded_gross
        The whole funding of every project serving it, counted once per objective.
    projects, projects_funded
        How many projects serve it, and how many of them get money.
    parent
        The dimension of a strategic objective, the strategic objective of a specific
        one (``""`` for dimensions and outside the plan).
    """

    level: Level
    id: str
    name: str
    proposed: int
    funded: int
    funded_gross: int
    projects: int
    projects_funded: int
    parent: str = ""


@attrs.frozen(slots=True)
class TerritoryShare:
    """Per territory: the money funded, and how much of it goes to projects serving the plan.

    ``share`` is ``aligned / funded`` exactly (``None`` when nothing was funded).
    """

    territory: str
    funded: int
    aligned: int
    projects: int
    projects_aligned: int

    @property
    def share(self) -> Fraction | None:
        """Share of the territory's funded money that serves the plan."""
        return None if self.funded == 0 else Fraction(self.aligned, self.funded)


def _money_rows(value: Iterable[PlanMoney]) -> tuple[PlanMoney, ...]:
    return tuple(value)


def _shares(value: Iterable[TerritoryShare]) -> tuple[TerritoryShare, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class PlanFunding:
    """A round's money seen through the plan (see :func:`plan_funding`).

    Parameters
    ----------
    plan
        The plan's name.
    rows
        Dimensions, then strategic objectives, then specific objectives (plan order),
        then the ``outside`` row.
    territories
        One :class:`TerritoryShare` per territory (``"-"``: projects without one).
    total_proposed, total_funded
        Over all projects.
    currency
        How the amounts read as money.
    """

    plan: str
    rows: tuple[PlanMoney, ...] = attrs.field(converter=_money_rows)
    territories: tuple[TerritoryShare, ...] = attrs.field(converter=_shares)
    total_proposed: int
    total_funded: int
    currency: Currency = attrs.field(factory=Currency)

    def by(self, level: Level) -> tuple[PlanMoney, ...]:
        """The rows of one level (``"dimension"``, ``"strategic"``, ``"objective"``)."""
        return tuple(r for r in self.rows if r.level == level)

    def row(self, id: str) -> PlanMoney:
        """The row of one plan entry (``"-"``: outside the plan)."""
        for r in self.rows:
            if r.id == id:
                return r
        raise ValidationError(_("no row {id!r} in this plan view", id=id))

    @property
    def outside(self) -> PlanMoney:
        """Money of projects without a link or serving no objective."""
        return self.row(OUTSIDE)

    @property
    def unfunded(self) -> tuple[str, ...]:
        """Specific objectives no funded project serves, in plan order."""
        return tuple(r.id for r in self.by("objective") if r.funded_gross == 0)

    @property
    def aligned_share(self) -> Fraction | None:
        """Share of all money funded that goes to projects serving the plan."""
        if self.total_funded == 0:
            return None
        return Fraction(self.total_funded - self.outside.funded, self.total_funded)

    def outline(self) -> tuple[PlanMoney, ...]:
        """The rows as a tree: each dimension, its strategic objectives, their specific ones."""
        out: list[PlanMoney] = []
        for d in self.by("dimension"):
            out.append(d)
            for s in (r for r in self.by("strategic") if r.parent == d.id):
                out.append(s)
                out.extend(r for r in self.by("objective") if r.parent == s.id)
        out.extend(self.by("outside"))
        return tuple(out)

    def _cells(self) -> list[list[str]]:
        m = self.currency.format
        indent = {"dimension": "", "strategic": "  ", "objective": "    ", "outside": ""}
        return [
            [
                indent[r.level] + r.id,
                _(r.name) if r.level == "outside" else r.name,
                m(r.proposed),
                m(r.funded),
                m(r.funded_gross),
                f"{r.projects_funded}/{r.projects}",
            ]
            for r in self.outline()
        ]

    def _header(self) -> list[str]:
        return [
            _("id"),
            _("name"),
            _("proposed"),
            _("funded"),
            _("funded (gross)"),
            _("projects funded"),
        ]

    def caption(self) -> str:
        """One line: the plan, the money funded and the share that serves the plan."""
        return _(
            "{plan}: {funded} funded, {share} of it serves the plan",
            plan=self.plan,
            funded=self.currency.format(self.total_funded),
            share=_pct(self.aligned_share),
        )

    def to_text(self) -> str:
        """The money by dimension and objective, the unfunded objectives and the territories."""
        m = self.currency.format
        lines = [self.caption(), *_text_table(self._header(), self._cells())]
        lines.append(
            _("objectives with no funded project: {ids}", ids=", ".join(self.unfunded) or "-")
        )
        lines.append("")
        lines.extend(
            _text_table(
                [
                    pgettext("plan", "territory"),
                    _("funded"),
                    _("serves the plan"),
                    pgettext("plan", "share"),
                ],
                [[t.territory, m(t.funded), m(t.aligned), _pct(t.share)] for t in self.territories],
            )
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        m = self.currency.format
        main = html_table(self._header(), self._cells(), caption=self.caption())
        terr = html_table(
            [
                pgettext("plan", "territory"),
                _("funded"),
                _("serves the plan"),
                pgettext("plan", "share"),
            ],
            [[t.territory, m(t.funded), m(t.aligned), _pct(t.share)] for t in self.territories],
            caption=_(
                "objectives with no funded project: {ids}", ids=", ".join(self.unfunded) or "-"
            ),
        )
        return main + terr


def _projects(projects: Election | Iterable[Project]) -> tuple[Project, ...]:
    return projects.projects if isinstance(projects, Election) else tuple(projects)


def plan_funding(
    plan: Plan,
    projects: Election | Iterable[Project],
    outcome: Outcome | None = None,
) -> PlanFunding:
    """Money proposed and funded by dimension, strategic and specific objective; territories.

    Parameters
    ----------
    plan
        The development plan.
    projects
        The projects proposed (or an election), with their ``objectives`` links.
    outcome
        The round's outcome; without one only the money proposed is shown (funded 0).

    Raises
    ------
    ValidationError
        A link names an objective the plan does not have, or the outcome funds a
        project that is not among ``projects``.
    """
    ps = _projects(projects)
    links = check_links(plan, ps)
    funding: Mapping[str, int] = outcome.funding if outcome is not None else {}
    stray = sorted(set(funding) - set(links))
    if stray:
        raise ValidationError(
            _(
                "the outcome funds projects that are not among the projects given: {ids}",
                ids=", ".join(stray),
            ),
            project_id=stray[0],
            hint=_("pass the election the outcome comes from"),
        )
    obj = {o: [0, 0, 0, 0, 0] for o in plan.objective_ids}  # proposed, funded, gross, n, n_funded
    out = [0, 0, 0, 0, 0]
    terr: dict[str, list[int]] = {}
    for p in ps:
        got = int(funding.get(p.id, 0))
        ids = links[p.id] or ()
        t = terr.setdefault(p.territory or "-", [0, 0, 0, 0])
        t[0] += got
        t[2] += 1
        if ids:
            t[1] += got
            t[3] += 1
        else:
            out[0] += p.cost
            out[1] += got
            out[2] += got
            out[3] += 1
            out[4] += got > 0
            continue
        cost_parts = split_by_objective(p.cost, ids)
        got_parts = split_by_objective(got, ids)
        for o in ids:
            acc = obj[o]
            acc[0] += cost_parts[o]
            acc[1] += got_parts[o]
            acc[2] += got
            acc[3] += 1
            acc[4] += got > 0
    rows: list[PlanMoney] = []

    def total(level: Level, id_: str, name: str, members: list[str], parent: str) -> PlanMoney:
        served_by = [p for p in ps if set(links[p.id] or ()) & set(members)]
        return PlanMoney(
            level,
            id_,
            name,
            sum(obj[o][0] for o in members),
            sum(obj[o][1] for o in members),
            sum(int(funding.get(p.id, 0)) for p in served_by),
            len(served_by),
            sum(1 for p in served_by if funding.get(p.id, 0) > 0),
            parent,
        )

    for d in plan.dimensions:
        rows.append(total("dimension", d.id, d.name, [o.id for o in plan.under(d.id)], ""))
    for s in plan.strategic:
        members = [o.id for o in plan.specific if o.strategic == s.id]
        rows.append(total("strategic", s.id, s.name, members, s.dimension))
    for spec in plan.specific:
        a = obj[spec.id]
        rows.append(
            PlanMoney("objective", spec.id, spec.name, a[0], a[1], a[2], a[3], a[4], spec.strategic)
        )
    rows.append(
        PlanMoney("outside", OUTSIDE, LEVELS["outside"], out[0], out[1], out[2], out[3], out[4])
    )
    territories = [TerritoryShare(k, v[0], v[1], v[2], v[3]) for k, v in sorted(terr.items())]
    currency = (
        outcome.currency
        if outcome is not None
        else (projects.money if isinstance(projects, Election) else Currency())
    )
    return PlanFunding(
        plan.name,
        rows,
        territories,
        sum(p.cost for p in ps),
        sum(int(funding.get(p.id, 0)) for p in ps),
        currency,
    )


# -- territorial vs sectoral --------------------------------------------------------------------


def project_sector(project: Project) -> str | None:
    """A project's sector: its ``sector`` metadata, else its first category (as the review uses)."""
    s = project.metadata.get("sector", "").strip()
    if s:
        return s
    return project.categories[0] if project.categories else None


@attrs.frozen(slots=True)
class SectoralMismatch:
    """A project whose own sector or dimension disagrees with the objectives it serves.

    Parameters
    ----------
    project_id, territory
        The project and its territory.
    sector, dimension
        The project's own classification (``None`` when not given).
    objectives
        The specific objectives it serves.
    objective_sectors, objective_dimensions
        The sectors and dimensions of those objectives.
    reason
        A sentence for people, in the language current when the view was built.
    """

    project_id: str
    territory: str | None
    sector: str | None
    dimension: str | None
    objectives: tuple[str, ...]
    objective_sectors: tuple[str, ...]
    objective_dimensions: tuple[str, ...]
    reason: str


def _mismatches(value: Iterable[SectoralMismatch]) -> tuple[SectoralMismatch, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class SectoralView:
    """The territorial-vs-sectoral view: projects whose classification and objectives disagree.

    ``checked`` counts the projects that could be compared (linked to at least one
    objective and with a sector or a dimension of their own).
    """

    plan: str
    rows: tuple[SectoralMismatch, ...] = attrs.field(converter=_mismatches)
    checked: int

    @property
    def project_ids(self) -> tuple[str, ...]:
        """The projects that disagree."""
        return tuple(r.project_id for r in self.rows)

    def caption(self) -> str:
        """One line: how many of the projects compared disagree."""
        return _(
            "{plan}: {count} of {checked} projects compared serve objectives of another "
            "sector or dimension",
            plan=self.plan,
            count=len(self.rows),
            checked=self.checked,
        )

    def _cells(self) -> list[list[str]]:
        return [[r.project_id, r.territory or "-", r.reason] for r in self.rows]

    def to_text(self) -> str:
        """A caption and one line per disagreeing project."""
        return "\n".join(
            [
                self.caption(),
                *_text_table(
                    [_("project"), pgettext("plan", "territory"), _("why")], self._cells(), left=3
                ),
            ]
        )

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return html_table(
            [_("project"), pgettext("plan", "territory"), _("why")],
            self._cells(),
            caption=self.caption(),
        )


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def sectoral_view(plan: Plan, projects: Election | Iterable[Project]) -> SectoralView:
    """Projects whose own sector or dimension disagrees with the objectives they serve.

    A project is compared when it serves at least one objective. Its **sector**
    (:func:`project_sector`) disagrees when the objectives it serves declare sectors
    (their own or their strategic objective's) and none of them is the project's.
    Its **dimension** disagrees when it names one and none of its objectives is under
    it. Sectors compare without case; a dimension matches the plan's id or name.

    Examples
    --------
    >>> from participa.plan import Dimension, Plan, SpecificObjective, StrategicObjective, link
    >>> plan = Plan("demo", dimensions=(Dimension("D3", "Urban"),),
    ...     strategic=(StrategicObjective("OE3", "Facilities", "D3", sectors=("infrastructure",)),),
    ...     specific=(SpecificObjective("OE3.2", "Facilities repaired", "OE3"),))
    >>> roof = link(Project("P7", 9000, name="Clinic roof", categories=("health",)), "OE3.2")
    >>> print(sectoral_view(plan, [roof]).rows[0].reason)
    sector health, but the objectives it serves (OE3.2) are of sectors infrastructure
    """
    ps = _projects(projects)
    links = check_links(plan, ps)
    rows: list[SectoralMismatch] = []
    checked = 0
    for p in ps:
        ids = links[p.id]
        if not ids:
            continue
        sector = project_sector(p)
        if sector is None and not p.dimension:
            continue
        checked += 1
        sectors = tuple(dict.fromkeys(s for o in ids for s in plan.sectors_of(o)))
        dims = tuple(dict.fromkeys(plan.dimension_of(o).id for o in ids))
        reasons: list[str] = []
        if sector is not None and sectors and _norm(sector) not in {_norm(s) for s in sectors}:
            reasons.append(
                _(
                    "sector {sector}, but the objectives it serves ({ids}) are of sectors "
                    "{sectors}",
                    sector=sector,
                    ids=", ".join(ids),
                    sectors=", ".join(sectors),
                )
            )
        if p.dimension:
            try:
                own = plan.dimension(p.dimension).id
            except ValidationError:
                own = p.dimension
            if own not in dims:
                reasons.append(
                    _(
                        "classified under dimension {dimension}, but its objectives are under "
                        "{dimensions}",
                        dimension=p.dimension,
                        dimensions=", ".join(dims),
                    )
                )
        if reasons:
            rows.append(
                SectoralMismatch(
                    p.id, p.territory, sector, p.dimension, ids, sectors, dims, "; ".join(reasons)
                )
            )
    return SectoralView(plan.name, rows, checked)


for _cls in (PlanMoney, TerritoryShare, PlanFunding, SectoralMismatch, SectoralView):
    serialize.register(_cls, "participa.plan." + _cls.__name__)
