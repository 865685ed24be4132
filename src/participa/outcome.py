"""What a rule returns: the money each project receives, the selection and a readable trace."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from participa.errors import IntegrityError
from participa.money import Currency

if TYPE_CHECKING:
    from participa.model import Election

__all__ = ["Outcome", "TraceStep"]

TraceValue = int | float | str | bool | None


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen(slots=True)
class TraceStep:
    """One step of a rule's run, for people to read.

    Parameters
    ----------
    round
        1-based round number (a completion's iterations count as rounds too).
    action
        ``"select"``, ``"skip"``, ``"stop"``, ``"fund"``, ``"complete"`` or ``"info"``.
    project_id
        The project concerned, if any.
    reason
        A sentence saying why.
    values
        The numbers behind it (score, ratio, price, payers, money left, ...).
    """

    round: int
    action: str
    project_id: str | None = None
    reason: str = ""
    values: Mapping[str, TraceValue] = attrs.field(factory=dict, converter=_frozen, hash=False)

    def __str__(self) -> str:
        vals = ", ".join(f"{k}={v}" for k, v in self.values.items())
        pid = f" {self.project_id}" if self.project_id is not None else ""
        return f"[{self.round}] {self.action}{pid}: {self.reason}" + (f" ({vals})" if vals else "")


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _step_tuple(value: Iterable[TraceStep]) -> tuple[TraceStep, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Outcome:
    """The result of a rule on an election.

    Parameters
    ----------
    rule
        The rule's registry name (``"mes"``, ``"greedy"``, ...).
    budget
        The budget the rule was given, in minor units.
    funding
        Money each project receives, for every project of the election, in
        election order (0 when nothing). Partial-funding rules (per-head split)
        may give less than the cost.
    selected
        Ids of selected projects, in the order the rule selected them.
    total_cost
        Sum of the costs of the selected projects.
    trace
        The steps of the run.
    params
        The options the rule ran with, as text (for reports and JSON).
    currency
        How the amounts read as money (the election's currency and minor units).

    Notes
    -----
    The total funding never exceeds the budget: building an ``Outcome`` that
    would spend more raises :class:`~participa.IntegrityError`.
    """

    rule: str
    budget: int
    funding: Mapping[str, int] = attrs.field(converter=_frozen, hash=False)
    selected: tuple[str, ...] = attrs.field(converter=_str_tuple)
    total_cost: int
    trace: tuple[TraceStep, ...] = attrs.field(
        default=(), converter=_step_tuple, eq=False, repr=False
    )
    params: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False, repr=False)
    currency: Currency = attrs.field(default=Currency(), repr=False)

    def __attrs_post_init__(self) -> None:
        spent = self.total_funding
        if spent > self.budget:
            raise IntegrityError(
                f"rule {self.rule!r} would spend {spent} of a budget of {self.budget}",
                hint="this is a bug in the rule; please report it with the input",
            )
        unknown = [p for p in self.selected if p not in self.funding]
        if unknown:
            raise IntegrityError(f"selected projects missing from funding: {unknown}")

    @classmethod
    def from_selection(
        cls,
        election: Election,
        selected: Iterable[int],
        *,
        rule: str,
        trace: Sequence[TraceStep] = (),
        params: Mapping[str, str] | None = None,
    ) -> Outcome:
        """An outcome that fully funds the projects at these indices (in selection order)."""
        sel = [int(j) for j in selected]
        ids = election.project_ids
        costs = election.costs
        funding = dict.fromkeys(ids, 0)
        for j in sel:
            funding[ids[j]] = int(costs[j])
        return cls(
            rule=rule,
            budget=election.budget,
            funding=funding,
            selected=tuple(ids[j] for j in sel),
            total_cost=int(sum(int(costs[j]) for j in sel)),
            trace=tuple(trace),
            params=dict(params or {}),
            currency=election.money,
        )

    @property
    def total_funding(self) -> int:
        """Money handed out in total."""
        return int(sum(self.funding.values()))

    @property
    def leftover(self) -> int:
        """Budget not handed out."""
        return self.budget - self.total_funding

    @property
    def selected_set(self) -> frozenset[str]:
        """The selected ids as a set (for comparisons that ignore order)."""
        return frozenset(self.selected)

    def explain(self) -> str:
        """The trace as text, one step per line."""
        return "\n".join(str(s) for s in self.trace)

    def __repr__(self) -> str:
        from participa.display import outcome_summary

        return outcome_summary(self)

    def to_html(self, *, lang: str | None = None) -> str:
        """The outcome as HTML (money spent, then each funded project), in ``lang``."""
        from participa.display import outcome_html

        return outcome_html(self, lang=lang)

    def _repr_html_(self) -> str:
        return self.to_html()
