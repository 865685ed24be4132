"""Which objectives a project serves: the ``objectives`` metadata key.

A project names the specific objectives of the plan it serves in its
``Project.metadata["objectives"]``: ids separated by ``;`` or ``,``
(``"OE1.2;OE3.1"``). Because it is plain metadata, a pabulib file carries it as
an ``objectives`` column of the PROJECTS section and a CSV of projects as a column
of that name; nothing else in the model changes.

===================================  ==============================================
``objectives`` value                 meaning
===================================  ==============================================
key absent, or blank                 the link is missing (a check answers *unknown*)
``-``, ``none`` or ``ninguno``       the project declares it serves no objective
``OE1.2;OE3.1``                      it serves these specific objectives
===================================  ==============================================

Ids are compared exactly; repeated ids count once. An id the plan does not have
is an error naming the project (:func:`served`), never silently ignored.

Examples
--------
>>> from participa.model import Project
>>> from participa.plan.model import Dimension, Plan, SpecificObjective, StrategicObjective
>>> plan = Plan("demo", dimensions=(Dimension("D1", "Urban"),),
...             strategic=(StrategicObjective("OE1", "Roads", "D1"),),
...             specific=(SpecificObjective("OE1.1", "Paved streets", "OE1"),))
>>> served(plan, link(Project("P1", 100), "OE1.1"))
('OE1.1',)
>>> served(plan, Project("P2", 100)) is None
True
>>> served(plan, link(Project("P3", 100), "OE9.9"))
Traceback (most recent call last):
...
participa.errors.ValidationError: objectives not in the plan: OE9.9 [project 'P3'] (...)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import Project
from participa.plan.model import Plan

__all__ = ["NONE_VALUES", "OBJECTIVES_KEY", "check_links", "link", "linked_ids", "served"]

OBJECTIVES_KEY = "objectives"
"""The ``Project.metadata`` key (pabulib / CSV column) naming the objectives a project serves."""

NONE_VALUES = ("-", "none", "ninguno", "ninguna")
"""Values of ``objectives`` that declare a project serves no objective (compared without case)."""

_SPLIT = re.compile(r"[;,]")


@checked
def linked_ids(project: Project) -> tuple[str, ...] | None:
    """The ids a project's ``objectives`` names, without checking them against a plan.

    ``None`` when the link is missing (no key, or a blank value); ``()`` when the
    project declares it serves none.

    >>> linked_ids(Project("P", 1, metadata={"objectives": " OE1.2 ; OE3.1,OE1.2"}))
    ('OE1.2', 'OE3.1')
    >>> linked_ids(Project("P", 1, metadata={"objectives": "-"}))
    ()
    """
    raw = project.metadata.get(OBJECTIVES_KEY)
    if raw is None or not raw.strip():
        return None
    if raw.strip().casefold() in NONE_VALUES:
        return ()
    ids = [part.strip() for part in _SPLIT.split(raw)]
    return tuple(dict.fromkeys(i for i in ids if i))


@checked
def served(plan: Plan, project: Project) -> tuple[str, ...] | None:
    """The specific objectives of ``plan`` the project serves, in plan order.

    ``None`` when the link is missing. Raises :class:`~participa.ValidationError` naming
    the project when it names an id the plan has no specific objective for.
    """
    ids = linked_ids(project)
    if ids is None:
        return None
    known = set(plan.objective_ids)
    unknown = [i for i in ids if i not in known]
    if unknown:
        strategic = {s.id for s in plan.strategic} | {d.id for d in plan.dimensions}
        coarse = [i for i in unknown if i in strategic]
        hint = (
            _(
                "{ids} are strategic objectives or dimensions: name the specific objectives "
                "under them",
                ids=", ".join(coarse),
            )
            if coarse
            else _("the plan's specific objectives are {ids}", ids=_brief(plan.objective_ids))
        )
        raise ValidationError(
            _("objectives not in the plan: {ids}", ids=", ".join(unknown)),
            project_id=project.id,
            hint=hint,
        )
    wanted = set(ids)
    return tuple(o for o in plan.objective_ids if o in wanted)


def _brief(ids: Iterable[str], limit: int = 8) -> str:
    items = list(ids)
    text = ", ".join(items[:limit])
    return text + (", …" if len(items) > limit else "")


@checked
def link(project: Project, *objective_ids: str) -> Project:
    """The project with its ``objectives`` metadata set to these ids (none: serves none).

    >>> link(Project("P", 1), "OE1.2", "OE3.1").metadata["objectives"]
    'OE1.2;OE3.1'
    >>> link(Project("P", 1)).metadata["objectives"]
    '-'
    """
    for i in objective_ids:
        if not isinstance(i, str) or not i.strip() or _SPLIT.search(i):
            raise ValidationError(
                _("not an objective id: {id!r}", id=i),
                project_id=project.id,
                hint=_("pass each id separately: link(project, 'OE1.2', 'OE3.1')"),
            )
    value = ";".join(i.strip() for i in objective_ids) if objective_ids else "-"
    return attrs.evolve(project, metadata={**project.metadata, OBJECTIVES_KEY: value})


@checked
def check_links(plan: Plan, projects: Iterable[Project]) -> dict[str, tuple[str, ...] | None]:
    """Every project's served objectives (``None``: link missing), checked against the plan.

    Raises :class:`~participa.ValidationError` for the first project naming an unknown
    objective (the message lists every such project), or for a project given twice.
    """
    out: dict[str, tuple[str, ...] | None] = {}
    bad: list[tuple[str, ValidationError]] = []
    for p in projects:
        if p.id in out:
            raise ValidationError(_("the project is given twice"), project_id=p.id)
        try:
            out[p.id] = served(plan, p)
        except ValidationError as exc:
            bad.append((p.id, exc))
    if bad:
        first = bad[0][1]
        if len(bad) == 1:
            raise first
        others = ", ".join(pid for pid, _exc in bad[1:])
        raise ValidationError(
            first.message + " " + _("(also projects {ids})", ids=others),
            project_id=first.project_id,
            hint=first.hint,
        )
    return out
