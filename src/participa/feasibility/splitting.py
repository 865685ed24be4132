"""The splitting check: small projects that together form one integrated works.

Atomisation, in the seed paper's words, splits a district's money into many small
projects; when several of them are the same works in neighbouring territories (the
same water pre-project in seven settlements), one integrated plan would cost less.
:class:`Splitting` finds such groups and estimates the saving.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

import attrs

from participa.errors import ValidationError
from participa.feasibility._base import CheckResult, ReviewContext, Status
from participa.feasibility.checks import _money, _norm
from participa.i18n import _
from participa.model import Project

__all__ = ["Splitting"]


@attrs.frozen(slots=True)
class Splitting:
    """Flags small projects that together form one integrated works, with the saving.

    Projects with the same ``works`` key (from :class:`ProposalDetails`) in at least
    ``min_group`` different territories of the same parent (sub-district, section;
    projects without a known parent share the district) form a group; each member
    gets ``status`` with the group and the estimated saving of one integrated plan:

    ``saving = fixed_cost_per_project × (n − 1) + shared_share × (total − largest)``

    i.e. the fixed part each separate project repeats (study, expediente técnico,
    mobilisation). Both parameters are estimates to state in the report, not law.

    Parameters
    ----------
    min_group
        Smallest number of territories that makes a group.
    max_cost
        Only projects costing at most this are considered small (``None``: all).
    fixed_cost_per_project
        Fixed cost each separate project bears, in minor units.
    shared_share
        Share of each extra project's cost an integrated plan would save.
    scope
        ``"parent"`` (territories sharing a parent) or ``"district"`` (all).
    """

    min_group: int = 2
    max_cost: int | None = None
    fixed_cost_per_project: int = 0
    shared_share: Fraction = attrs.field(default=Fraction(1, 10), converter=Fraction)
    scope: str = "parent"
    status: Status = Status.WARN
    name: str = "splitting"

    def __attrs_post_init__(self) -> None:
        if self.min_group < 2:
            raise ValidationError(_("min_group must be at least 2"))
        if self.scope not in ("parent", "district"):
            raise ValidationError(
                _("scope must be 'parent' or 'district', got {scope!r}", scope=self.scope)
            )
        if not 0 <= self.shared_share <= 1 or self.fixed_cost_per_project < 0:
            raise ValidationError(_("shared_share must be in [0, 1], fixed cost non-negative"))

    def _key(self, project: Project, context: ReviewContext) -> tuple[str, str] | None:
        d = context.details_for(project.id)
        if d is None or not d.works or project.territory is None:
            return None
        if self.max_cost is not None and project.cost > self.max_cost:
            return None
        parent = ""
        if self.scope == "parent":
            t = context.territories.get(project.territory)
            parent = (t.parent or "") if t is not None else ""
        return (_norm(d.works), parent)

    def group(self, project: Project, context: ReviewContext) -> tuple[Project, ...]:
        """The projects (in review order) forming one works with this one, or ``()``."""
        key = self._key(project, context)
        if key is None:
            return ()
        members = tuple(p for p in context.projects if self._key(p, context) == key)
        if project.id not in {p.id for p in members}:
            members = (*members, project)
        territories = {p.territory for p in members}
        return members if len(territories) >= self.min_group else ()

    def saving(self, members: Iterable[Project]) -> int:
        """Estimated saving (minor units, rounded down) of one integrated plan for a group."""
        costs = [p.cost for p in members]
        if len(costs) < 2:
            return 0
        extra = self.shared_share * (sum(costs) - max(costs))
        return self.fixed_cost_per_project * (len(costs) - 1) + math.floor(extra)

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        d = context.details_for(project.id)
        if d is None or not d.works:
            return CheckResult(self.name, Status.NOT_APPLICABLE, _("no works key to compare"))
        members = self.group(project, context)
        if not members:
            return CheckResult(
                self.name, Status.PASS, _("no split {works!r} works found", works=d.works)
            )
        total = sum(p.cost for p in members)
        saving = self.saving(members)
        others = ", ".join(p.id for p in members if p.id != project.id)
        return CheckResult(
            self.name,
            self.status,
            _(
                "one of {members_count} {works!r} projects in neighbouring "
                "territories (with {others}); an integrated plan costing "
                "{money} could save about {money2}",
                members_count=len(members),
                works=d.works,
                others=others,
                money=_money(context, total),
                money2=_money(context, saving),
            ),
            {"group_size": len(members), "group_cost": total, "saving": saving},
        )


# -- custom -----------------------------------------------------------------------------------
