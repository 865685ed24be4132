"""A CONSUL-style manual review: a technical team marks each proposal by hand.

CONSUL Democracy records, per proposal, *undecided*, *feasible* (a price is
required) or *unfeasible* (an explanation is required); its published reasons for
unfeasibility are legality, concreteness, the city's competence and the budget
limit (DOMAIN.md §4). :class:`ManualReview` turns those verdicts into a check.

Examples
--------
>>> from participa.model import Project
>>> from participa.feasibility import ReviewContext
>>> chk = ManualReview.of(
...     ManualVerdict.feasible("P1", price=120000),
...     ManualVerdict.unfeasible("P2", "the land is private", reason=UnfeasibleReason.LEGALITY))
>>> print(chk(Project("P2", 5000), ReviewContext()))
manual-review: fail: unfeasible (legality): the land is private
>>> print(chk(Project("P3", 5000), ReviewContext()))
manual-review: unknown: cannot assess: field manual verdict missing (not reviewed yet)
>>> chk.prices()
{'P1': 120000}
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from participa import serialize
from participa.errors import ValidationError
from participa.feasibility._base import CheckResult, CheckValue, ReviewContext, Status
from participa.i18n import _
from participa.model import Project
from participa.money import format_amount

__all__ = ["Feasibility", "ManualReview", "ManualVerdict", "UnfeasibleReason"]


class Feasibility(enum.Enum):
    """A reviewer's verdict (CONSUL's ``feasibility`` field)."""

    UNDECIDED = "undecided"
    FEASIBLE = "feasible"
    UNFEASIBLE = "unfeasible"


class UnfeasibleReason(enum.Enum):
    """CONSUL's published reasons for unfeasibility."""

    LEGALITY = "legality"
    CONCRETENESS = "concreteness"
    COMPETENCE = "competence"
    BUDGET_LIMIT = "budget limit"
    OTHER = "other"


@serialize.register("participa.feasibility.ManualVerdict")
@attrs.frozen(slots=True)
class ManualVerdict:
    """One proposal's manual verdict.

    Parameters
    ----------
    project_id
        The proposal.
    feasibility
        Undecided, feasible or unfeasible.
    explanation
        Required when unfeasible.
    price
        Required when feasible: the price the technical team set, in minor units.
    reason
        The published category of an unfeasibility.

    Examples
    --------
    >>> ManualVerdict("P1", Feasibility.FEASIBLE)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: a feasible verdict needs a price ... [project 'P1'] (...)
    """

    project_id: str
    feasibility: Feasibility
    explanation: str = ""
    price: int | None = None
    reason: UnfeasibleReason | None = None

    def __attrs_post_init__(self) -> None:
        if self.feasibility is Feasibility.FEASIBLE:
            p = self.price
            if p is None or isinstance(p, bool) or not isinstance(p, int) or p <= 0:
                raise ValidationError(
                    _("a feasible verdict needs a price > 0 in minor units, got {p!r}", p=p),
                    project_id=self.project_id,
                    hint=_("ManualVerdict.feasible(id, price=...)"),
                )
        elif self.price is not None:
            raise ValidationError(
                _("only a feasible verdict carries a price"), project_id=self.project_id
            )
        if self.feasibility is Feasibility.UNFEASIBLE and not self.explanation.strip():
            raise ValidationError(
                _("an unfeasible verdict needs an explanation"),
                project_id=self.project_id,
                hint=_("say why, e.g. 'outside the municipality's competence'"),
            )
        if self.reason is not None and self.feasibility is not Feasibility.UNFEASIBLE:
            raise ValidationError(
                _("only an unfeasible verdict carries a reason"), project_id=self.project_id
            )

    @classmethod
    def feasible(cls, project_id: str, *, price: int, explanation: str = "") -> ManualVerdict:
        """A feasible verdict with its price."""
        return cls(project_id, Feasibility.FEASIBLE, explanation, price)

    @classmethod
    def unfeasible(
        cls, project_id: str, explanation: str, *, reason: UnfeasibleReason | None = None
    ) -> ManualVerdict:
        """An unfeasible verdict with its explanation."""
        return cls(project_id, Feasibility.UNFEASIBLE, explanation, None, reason)

    @classmethod
    def undecided(cls, project_id: str, explanation: str = "") -> ManualVerdict:
        """Not decided yet."""
        return cls(project_id, Feasibility.UNDECIDED, explanation)


def _verdicts(
    value: Mapping[str, ManualVerdict] | Iterable[ManualVerdict],
) -> Mapping[str, ManualVerdict]:
    items = value.values() if isinstance(value, Mapping) else value
    out: dict[str, ManualVerdict] = {}
    for v in items:
        if v.project_id in out:
            raise ValidationError(_("two manual verdicts for one project"), project_id=v.project_id)
        out[v.project_id] = v
    return MappingProxyType(out)


@attrs.frozen(slots=True)
class ManualReview:
    """The check that reads manual verdicts: feasible passes, unfeasible fails.

    A project with no verdict, or an undecided one, cannot be assessed yet
    (``UNKNOWN``). ``price_differs`` is the status when the price set by the team
    differs from the project's cost (default: a warning, since the rule will use the
    cost; apply the prices with :meth:`participa.Election.with_costs`).
    """

    verdicts: Mapping[str, ManualVerdict] = attrs.field(converter=_verdicts, hash=False)
    price_differs: Status = Status.WARN
    name: str = "manual-review"

    @classmethod
    def of(cls, *verdicts: ManualVerdict, price_differs: Status = Status.WARN) -> ManualReview:
        """A manual review from verdicts given as arguments."""
        return cls(verdicts, price_differs)

    def prices(self) -> dict[str, int]:
        """The prices of feasible proposals, keyed by id (sorted), for ``with_costs``."""
        return {pid: v.price for pid, v in sorted(self.verdicts.items()) if v.price is not None}

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        v = self.verdicts.get(project.id)
        if v is None or v.feasibility is Feasibility.UNDECIDED:
            note = v.explanation if v is not None and v.explanation else "not reviewed yet"
            return CheckResult.unknown(self.name, "manual verdict", detail=note)
        if v.feasibility is Feasibility.UNFEASIBLE:
            why = f" ({v.reason.value})" if v.reason is not None else ""
            return CheckResult(
                self.name,
                Status.FAIL,
                _("unfeasible{why}: {explanation}", why=why, explanation=v.explanation),
            )
        assert v.price is not None
        vals: dict[str, CheckValue] = {"price": v.price, "cost": project.cost}
        price = format_amount(v.price, minor_per_unit=context.minor_per_unit)
        extra = f": {v.explanation}" if v.explanation else ""
        if v.price != project.cost:
            return CheckResult(
                self.name,
                self.price_differs,
                _(
                    "feasible at price {price}, which differs from the cost {cost}{extra}",
                    price=price,
                    cost=format_amount(project.cost, minor_per_unit=context.minor_per_unit),
                    extra=extra,
                ),
                vals,
            )
        return CheckResult(
            self.name,
            Status.PASS,
            _("feasible at price {price}{extra}", price=price, extra=extra),
            vals,
        )
