"""The ``plan-alignment`` feasibility check: does a project serve the development plan?

In Villa El Salvador "there was no relation between the plan and the projects
developed under participatory budgeting" (seed paper). :class:`PlanAlignment`
makes the relation a check of the technical team's review, next to cost, study
level and the rest (:class:`participa.feasibility.Review`):

=========  ================================================================
status     when
=========  ================================================================
pass       the project serves at least ``min_objectives`` specific objectives
           of the plan (of its own dimension, with ``same_dimension=True``)
fail       it serves fewer (or declares it serves none); the reason says which
unknown    its ``objectives`` link is missing (or, with ``same_dimension``,
           its ``dimension`` is)
=========  ================================================================

A project with no link is never *pass*: the check cannot assume what nobody wrote.
A link naming an objective the plan does not have raises
:class:`~participa.ValidationError` with the project id, as everywhere else.

Examples
--------
>>> from participa.model import Project
>>> from participa.feasibility import ReviewContext
>>> from participa.plan import Dimension, Plan, SpecificObjective, StrategicObjective, link
>>> plan = Plan("demo", dimensions=(Dimension("D1", "Urban"), Dimension("D2", "Human")),
...             strategic=(StrategicObjective("OE1", "Roads", "D1"),),
...             specific=(SpecificObjective("OE1.1", "Paved streets", "OE1"),))
>>> check = PlanAlignment(plan)
>>> print(check(link(Project("P1", 10), "OE1.1"), ReviewContext()))
plan-alignment: pass: serves 1 objective of the plan: OE1.1
>>> print(check(Project("P2", 10), ReviewContext()))
plan-alignment: unknown: cannot assess: the project does not say which objectives it serves (...)
>>> print(PlanAlignment(plan, same_dimension=True)(
...     link(Project("P3", 10, dimension="D2"), "OE1.1"), ReviewContext()))
plan-alignment: fail: serves no objective of its own dimension D2 (it serves OE1.1 of D1)
"""

from __future__ import annotations

import attrs

from participa.boundary import typed_fields
from participa.errors import ValidationError
from participa.feasibility._base import CheckResult, CheckValue, ReviewContext, Status
from participa.i18n import _, ngettext
from participa.model import Project
from participa.plan.links import OBJECTIVES_KEY, served
from participa.plan.model import Plan

__all__ = ["PlanAlignment"]


@attrs.frozen(slots=True, field_transformer=typed_fields)
class PlanAlignment:
    """Pass when a project serves enough specific objectives of the plan.

    Parameters
    ----------
    plan
        The development plan.
    same_dimension
        Count only objectives under the project's own ``dimension`` (matched by the
        plan's dimension id or name); a project without a dimension is *unknown*.
    min_objectives
        How many distinct specific objectives it must serve (default 1).
    name
        The check's name in reports.
    """

    plan: Plan
    same_dimension: bool = False
    min_objectives: int = 1
    name: str = "plan-alignment"

    def __attrs_post_init__(self) -> None:
        m = self.min_objectives
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValidationError(
                _("min_objectives must be a whole number of at least 1, got {value!r}", value=m)
            )

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project (the context is not used: the plan is the check's own)."""
        ids = served(self.plan, project)
        if ids is None:
            return CheckResult(
                self.name,
                Status.UNKNOWN,
                _("cannot assess: the project does not say which objectives it serves")
                + " "
                + _("(fill its {key!r} metadata, e.g. 'OE1.2;OE3.1')", key=OBJECTIVES_KEY),
                {"missing": OBJECTIVES_KEY},
            )
        vals: dict[str, CheckValue] = {"required": self.min_objectives}
        counted = ids
        if self.same_dimension:
            if not project.dimension:
                return CheckResult(
                    self.name,
                    Status.UNKNOWN,
                    _("cannot assess: the project has no dimension"),
                    {"missing": "dimension"},
                )
            try:
                own = self.plan.dimension(project.dimension).id
            except ValidationError as exc:
                raise ValidationError(exc.message, project_id=project.id, hint=exc.hint) from None
            counted = tuple(i for i in ids if self.plan.dimension_of(i).id == own)
            vals["dimension"] = own
            if not counted and ids:
                others = ", ".join(
                    _("{id} of {dimension}", id=i, dimension=self.plan.dimension_of(i).id)
                    for i in ids
                )
                vals["objectives"] = 0
                return CheckResult(
                    self.name,
                    Status.FAIL,
                    _(
                        "serves no objective of its own dimension {dimension} (it serves {others})",
                        dimension=own,
                        others=others,
                    ),
                    vals,
                )
        vals["objectives"] = len(counted)
        if not counted:
            return CheckResult(
                self.name,
                Status.FAIL,
                _("serves no objective of the plan {plan!r}", plan=self.plan.name),
                vals,
            )
        listed = ", ".join(counted)
        if len(counted) < self.min_objectives:
            return CheckResult(
                self.name,
                Status.FAIL,
                ngettext(
                    "serves {n} objective ({ids}), {required} required",
                    "serves {n} objectives ({ids}), {required} required",
                    len(counted),
                    ids=listed,
                    required=self.min_objectives,
                ),
                vals,
            )
        return CheckResult(
            self.name,
            Status.PASS,
            ngettext(
                "serves {n} objective of the plan: {ids}",
                "serves {n} objectives of the plan: {ids}",
                len(counted),
                ids=listed,
            ),
            vals,
        )
