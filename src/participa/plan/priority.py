"""Prioritisation by the plan: a criterion for the matrix, and thematic envelopes per dimension.

* :func:`plan_criterion` and :func:`plan_scores` put the plan into a
  :class:`~participa.feasibility.CriteriaMatrix`: a project's raw value is the sum of
  the weights of the distinct specific objectives it serves (``0`` when it declares
  none; no value when its link is missing, so the matrix's ``missing=`` policy
  decides). :func:`rank_with_plan` does the plumbing.
* :func:`thematic_envelope` reserves part of an :class:`~participa.allocation.Envelope`
  for each dimension of the plan (thematic envelopes, so that the thematic tables
  have money of their own: in Villa El Salvador they had none and did not work).

Examples
--------
>>> from fractions import Fraction
>>> from participa.model import Project
>>> from participa.plan import Dimension, Plan, SpecificObjective, StrategicObjective, link
>>> plan = Plan("demo", dimensions=(Dimension("D1", "Urban"), Dimension("D2", "Human")),
...     strategic=(StrategicObjective("OE1", "Roads", "D1"),
...                StrategicObjective("OE2", "Health", "D2")),
...     specific=(SpecificObjective("OE1.1", "Paved streets", "OE1", weight=1),
...               SpecificObjective("OE2.1", "Clinics", "OE2", weight=3)))
>>> ps = [link(Project("A", 10), "OE1.1", "OE2.1"), link(Project("B", 10), "OE1.1"),
...       link(Project("C", 10))]
>>> plan_scores(plan, ps)
{'A': Fraction(4, 1), 'B': Fraction(1, 1), 'C': Fraction(0, 1)}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Literal

import attrs

from participa.allocation import Envelope, Reserve, ReservePurpose
from participa.errors import ValidationError
from participa.feasibility._base import ProposalDetails
from participa.feasibility.prioritisation import (
    CriteriaMatrix,
    Normalisation,
    Number,
    PriorityCriterion,
    Ranking,
)
from participa.i18n import _, pgettext
from participa.model import Election, Project
from participa.money import largest_remainder
from participa.plan.links import served
from participa.plan.model import Plan, number
from participa.tiebreak import TieBreak

__all__ = [
    "RESERVE_PREFIX",
    "plan_criterion",
    "plan_raw",
    "plan_scores",
    "rank_with_plan",
    "thematic_envelope",
]

RESERVE_PREFIX = "plan:"
"""Thematic reserves made from a plan are named ``plan:<dimension id>``."""


def plan_scores(plan: Plan, projects: Election | Iterable[Project]) -> dict[str, Fraction]:
    """Each linked project's score: the sum of the weights of the objectives it serves.

    Projects whose link is missing are left out (they have no value, not a zero).
    """
    ps = projects.projects if isinstance(projects, Election) else tuple(projects)
    out: dict[str, Fraction] = {}
    for p in ps:
        ids = served(plan, p)
        if ids is None:
            continue
        out[p.id] = sum((plan.objective(o).weight for o in ids), Fraction(0))
    return out


def plan_criterion(
    weight: Number,
    *,
    id: str = "plan",
    normalisation: Normalisation = Normalisation.MAX,
    label: str = "",
) -> PriorityCriterion:
    """A matrix criterion whose raw values are :func:`plan_scores` (pass them with ``raw=``).

    The default normalisation divides by the best score among the projects ranked,
    so the project serving the heaviest objectives gets the criterion's full weight.

    >>> str(plan_criterion(Fraction(1, 4)).weight)
    '1/4'
    """
    return PriorityCriterion(
        id,
        weight,
        label or _("serves the development plan"),
        normalisation=normalisation,
        source=f"indicator:{id}",
    )


def plan_raw(
    plan: Plan, projects: Election | Iterable[Project], *, criterion: str = "plan"
) -> dict[str, dict[str, Fraction]]:
    """``raw=`` values for :meth:`CriteriaMatrix.rank`: ``{project: {criterion: score}}``."""
    return {pid: {criterion: s} for pid, s in plan_scores(plan, projects).items()}


def rank_with_plan(
    matrix: CriteriaMatrix,
    projects: Election | Iterable[Project],
    plan: Plan,
    *,
    criterion: str = "plan",
    details: Mapping[str, ProposalDetails] | None = None,
    raw: Mapping[str, Mapping[str, Number]] | None = None,
    missing: Literal["error", "worst"] = "error",
    tie_break: TieBreak | None = None,
) -> Ranking:
    """Rank with a matrix that has a plan criterion, its raw values filled from the plan.

    Other raw values come from ``raw`` and ``details`` as in
    :meth:`~participa.feasibility.CriteriaMatrix.rank`. A project whose link is missing
    has no plan value: with ``missing="error"`` that raises, naming it.
    """
    if criterion not in matrix.weights:
        raise ValidationError(
            _("the matrix has no criterion {id!r}", id=criterion),
            hint=_("add plan_criterion(weight) to the matrix"),
        )
    merged: dict[str, dict[str, Number]] = {k: dict(v) for k, v in (raw or {}).items()}
    for pid, values in plan_raw(plan, projects, criterion=criterion).items():
        merged.setdefault(pid, {}).update(values)
    if tie_break is None:
        return matrix.rank(projects, details=details, raw=merged, missing=missing)
    return matrix.rank(projects, details=details, raw=merged, missing=missing, tie_break=tie_break)


def thematic_envelope(
    envelope: Envelope,
    plan: Plan,
    *,
    amount: int | None = None,
    share: object = None,
    weights: Mapping[str, Number] | None = None,
) -> Envelope:
    """The envelope with one thematic reserve per dimension of the plan.

    Exactly one of ``amount`` (minor units) and ``share`` (of the envelope's total,
    rounded down) says how much goes to the thematic envelopes together; it is split
    among the dimensions by ``weights`` (dimension id → weight; default equal) with
    :func:`participa.money.largest_remainder`, so the reserves sum to it exactly.
    Each reserve is named ``plan:<dimension id>`` with purpose ``THEMATIC``.

    Examples
    --------
    >>> from participa.plan import Dimension, Plan
    >>> plan = Plan("p", dimensions=(Dimension("D1", "Economic"), Dimension("D2", "Human"),
    ...                              Dimension("D3", "Urban")))
    >>> env = thematic_envelope(Envelope(1_000), plan, share="0.3")
    >>> [(r.id, r.amount) for r in env.reserves], env.territorial
    ([('plan:D1', 100), ('plan:D2', 100), ('plan:D3', 100)], 700)
    """
    if (amount is None) == (share is None):
        raise ValidationError(_("give exactly one of amount and share"))
    if amount is None:
        s = number(share, what=pgettext("plan", "share"))
        if not 0 <= s <= 1:
            raise ValidationError(
                _("the thematic share must be between 0 and 1, got {share}", share=s)
            )
        q = envelope.total * s
        total = q.numerator // q.denominator
    else:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ValidationError(
                _(
                    "the thematic amount must be a non-negative whole number of minor units, "
                    "got {amount!r}",
                    amount=amount,
                )
            )
        total = amount
    if not plan.dimensions:
        raise ValidationError(_("the plan has no dimensions to make envelopes from"))
    ids = [d.id for d in plan.dimensions]
    given = dict(weights or dict.fromkeys(ids, 1))
    unknown = sorted(set(given) - set(ids))
    if unknown:
        raise ValidationError(
            _("weights for dimensions the plan does not have: {ids}", ids=", ".join(unknown))
        )
    ws = [number(given.get(i, 0), what=_("weight")) for i in ids]
    if any(w < 0 for w in ws) or sum(ws) == 0:
        raise ValidationError(_("dimension weights must be non-negative and not all zero"))
    parts = largest_remainder(total, ws)
    reserves = tuple(
        Reserve(RESERVE_PREFIX + d.id, a, ReservePurpose.THEMATIC, d.name)
        for d, a in zip(plan.dimensions, parts, strict=True)
    )
    return attrs.evolve(envelope, reserves=(*envelope.reserves, *reserves))
