"""What a rule returns: the money each project receives, the selection and a readable trace."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from participa import serialize
from participa.boundary import checked, typed_fields
from participa.errors import IntegrityError, ValidationError
from participa.i18n import _, pgettext
from participa.money import Currency

if TYPE_CHECKING:
    from participa.model import Election

__all__ = ["EnvelopeResult", "Outcome", "ParamValue", "TraceAction", "TraceStep", "TraceValue"]

TraceValue = int | float | str | bool | None
"""A number or text behind a trace step (JSON-compatible)."""

ParamValue = int | float | str | bool | None
"""An option or result a rule records in :attr:`Outcome.params`: typed, not stringified."""


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


class TraceAction(enum.Enum):
    """What a step of a rule's run did."""

    SELECT = "select"
    """A project was selected (fully funded)."""
    SKIP = "skip"
    """A project was passed over (does not fit, below a threshold, ...)."""
    STOP = "stop"
    """The rule stopped here."""
    FUND = "fund"
    """A project received (possibly partial) funding."""
    COMPLETE = "complete"
    """One iteration of a completion (e.g. an ``add1`` endowment tried)."""
    INFO = "info"
    """A remark with numbers behind it (optimal welfare, comparison step, ...)."""


def _action(value: TraceAction | str) -> TraceAction:
    if isinstance(value, TraceAction):
        return value
    try:
        return TraceAction(value)
    except ValueError:
        choices = ", ".join(a.value for a in TraceAction)
        raise ValidationError(
            _("unknown trace action {value!r}", value=value),
            hint=_("use one of: {choices}", choices=choices),
        ) from None


@serialize.register("participa.TraceStep")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class TraceStep:
    """One step of a rule's run, for people to read.

    Parameters
    ----------
    round
        1-based round number (a completion's iterations count as rounds too).
    action
        A :class:`TraceAction` (its text value, e.g. ``"select"``, is read as one).
    project_id
        The project concerned, if any.
    reason
        A sentence saying why.
    values
        The numbers behind it (score, ratio, price, payers, money left, ...).
    """

    round: int
    action: TraceAction = attrs.field(converter=_action)
    project_id: str | None = None
    reason: str = ""
    values: Mapping[str, TraceValue] = attrs.field(factory=dict, converter=_frozen, hash=False)

    def __str__(self) -> str:
        vals = ", ".join(f"{k}={v}" for k, v in self.values.items())
        pid = f" {self.project_id}" if self.project_id is not None else ""
        head = f"[{self.round}] {self.action.value}{pid}: {self.reason}"
        return head + (f" ({vals})" if vals else "")


_NO_VALUES: Mapping[str, TraceValue] = MappingProxyType({})


def _built_step(
    round: int,
    action: TraceAction,
    project_id: str | None,
    reason: str,
    values: dict[str, TraceValue] | None = None,
) -> TraceStep:
    """A :class:`TraceStep` from what a rule built itself: no conversion and no checks
    (the caller passes an ``int``, a :class:`TraceAction`, strings and a new dict of
    :data:`TraceValue` values, which the step keeps).

    Rules use it for the many steps of a run; the object is the one ``TraceStep(...)``
    builds from the same arguments.

    >>> _built_step(1, TraceAction.SELECT, "a", "why") == TraceStep(1, "select", "a", "why")
    True
    >>> _built_step(1, TraceAction.SELECT, "a", "why", {"j": 2}) == TraceStep(
    ...     1, "select", "a", "why", values={"j": 2})
    True
    """
    step = object.__new__(TraceStep)
    object.__setattr__(step, "round", round)
    object.__setattr__(step, "action", action)
    object.__setattr__(step, "project_id", project_id)
    object.__setattr__(step, "reason", reason)
    object.__setattr__(step, "values", _NO_VALUES if values is None else MappingProxyType(values))
    return step


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _step_tuple(value: Iterable[TraceStep]) -> tuple[TraceStep, ...]:
    return tuple(value)


def _envelope_tuple(value: Iterable[EnvelopeResult]) -> tuple[EnvelopeResult, ...]:
    return tuple(value)  # each one is checked in Outcome._check_envelopes


def _minor(what: Callable[[], str], value: object, project_id: str | None = None) -> int:
    """``value`` as an int of minor units >= 0 (numpy integers accepted), else refused.

    ``what`` names the value in the error; it is translated only then."""
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, bool | float):
        n = None
    else:
        try:
            n = operator.index(value)  # type: ignore[arg-type]  # refused below if not an index
        except TypeError:
            n = None
    if n is None or n < 0:
        raise ValidationError(
            _(
                "{what} must be a non-negative integer of minor units, got {value!r}",
                what=what(),
                value=value,
            ),
            project_id=project_id,
            hint=_("an outcome never takes money from a project"),
        )
    return int(n)


@serialize.register("participa.EnvelopeResult")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class EnvelopeResult:
    """What one envelope of a territorial rule had and spent (:func:`participa.equal_split`).

    Parameters
    ----------
    name
        The envelope: a territory (or dimension), or a pool named after it.
    money
        The money the envelope had, in minor units.
    spent
        What its selected projects cost (never more than ``money``).
    members
        The territories whose money a pool put together (empty for a territory's own).

    Examples
    --------
    >>> EnvelopeResult("pool", 100, 90, members=("n1", "n2")).leftover
    10
    >>> EnvelopeResult("n1", 100, 120)
    Traceback (most recent call last):
    ...
    participa.errors.IntegrityError: envelope 'n1' spends 120 of its 100
    """

    name: str
    money: int
    spent: int
    members: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValidationError(
                _("an envelope name must be a non-empty string, got {value!r}", value=self.name)
            )
        object.__setattr__(self, "money", _minor(lambda: _("the envelope's money"), self.money))
        object.__setattr__(self, "spent", _minor(lambda: _("the envelope's spending"), self.spent))
        if self.spent > self.money:
            raise IntegrityError(
                _(
                    "envelope {name!r} spends {spent} of its {money}",
                    name=self.name,
                    spent=self.spent,
                    money=self.money,
                )
            )

    @property
    def leftover(self) -> int:
        """Money the envelope could not use (it is not moved to other envelopes)."""
        return self.money - self.spent


def _funding(value: Mapping[str, int] | None) -> Mapping[str, int]:
    if value is not None and not isinstance(value, Mapping):
        raise ValidationError(
            _(
                "an outcome's funding must map project ids to minor units, got {value!r}",
                value=value,
            )
        )
    out: dict[str, int] = {}
    for k, v in (value or {}).items():
        if not isinstance(k, str):
            raise ValidationError(_("project ids must be strings, got {value!r}", value=k))
        out[k] = _minor(lambda: pgettext("sentence subject", "funding"), v, k)
    return MappingProxyType(out)


def _selected(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(
            _("selected must be a sequence of project ids, got {value!r}", value=value)
        )
    out = tuple(value)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise ValidationError(_("project ids must be strings, got {value!r}", value=bad[0]))
    return out


@serialize.register("participa.Outcome")
@attrs.frozen(slots=True, field_transformer=typed_fields)
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
        The options the rule ran with and results it reports (``welfare``,
        ``add1_steps``, ...), each with its type: integers, booleans, text
        (:data:`ParamValue`; JSON-compatible).
    currency
        How the amounts read as money (the election's currency and minor units).
    envelopes
        For a rule that selects inside envelopes (:func:`participa.equal_split`), each
        envelope's money and spending (:class:`EnvelopeResult`), in the order the rule
        used them; empty for every other rule.

    Notes
    -----
    Money is conserved: funding, budget and total cost are integers >= 0; every
    selected project appears once in ``funding``; with nothing selected
    ``total_cost`` is 0. (Costs are not known here: a per-head split may fund a
    project below its cost, or above it with ``cap_at_cost=False``; rounds and
    :func:`participa.process.tally`, which know the costs, refuse funding above
    a project's cost.) A negative or non-integer amount
    raises :class:`~participa.ValidationError`; a total funding above the budget
    or an inconsistent selection raises :class:`~participa.IntegrityError`. The
    same checks run when an outcome is read back with ``participa.loads``.

    Examples
    --------
    >>> Outcome("per-head", 100, {"a": 40, "b": 60}, ("b",), 60).leftover
    0
    >>> Outcome("bad", 100, {"a": -60, "b": 160}, ("b",), 160)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: funding must be a non-negative integer of minor units, ...
    """

    rule: str
    budget: int
    funding: Mapping[str, int] = attrs.field(converter=_funding, hash=False)
    selected: tuple[str, ...] = attrs.field(converter=_selected)
    total_cost: int
    trace: tuple[TraceStep, ...] = attrs.field(
        default=(), converter=_step_tuple, eq=False, repr=False
    )
    params: Mapping[str, ParamValue] = attrs.field(
        factory=dict, converter=_frozen, hash=False, repr=False
    )
    currency: Currency = attrs.field(default=Currency(), repr=False)
    envelopes: tuple[EnvelopeResult, ...] = attrs.field(
        default=(),
        converter=_envelope_tuple,
        repr=False,
        metadata={serialize.OMIT_DEFAULT: True},
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.rule, str):
            raise ValidationError(_("a rule name must be a string, got {value!r}", value=self.rule))
        object.__setattr__(self, "budget", _minor(lambda: _("the budget"), self.budget))
        object.__setattr__(self, "total_cost", _minor(lambda: _("the total cost"), self.total_cost))
        if not isinstance(self.currency, Currency):
            raise ValidationError(
                _("currency must be a Currency, got {value!r}", value=self.currency)
            )
        spent = self.total_funding
        if spent > self.budget:
            raise IntegrityError(
                _(
                    "rule {rule!r} would spend {spent} of a budget of {budget}",
                    rule=self.rule,
                    spent=spent,
                    budget=self.budget,
                ),
                hint=_("this is a bug in the rule; please report it with the input"),
            )
        unknown = [p for p in self.selected if p not in self.funding]
        if unknown:
            raise IntegrityError(_("selected projects missing from funding: {ids}", ids=unknown))
        twice = sorted({p for p in self.selected if self.selected.count(p) > 1})
        if twice:
            raise IntegrityError(_("projects selected twice: {ids}", ids=twice))
        self._check_envelopes(spent)
        if not self.selected and self.total_cost:
            raise IntegrityError(
                _(
                    "nothing is selected but the total cost is {total_cost}",
                    total_cost=self.total_cost,
                )
            )

    def _check_envelopes(self, spent: int) -> None:
        if not self.envelopes:
            return
        bad = next((e for e in self.envelopes if not isinstance(e, EnvelopeResult)), None)
        if bad is not None:
            raise ValidationError(
                _("an outcome's envelopes must be EnvelopeResult values, got {value!r}", value=bad)
            )
        names = [e.name for e in self.envelopes]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise IntegrityError(_("envelopes listed twice: {names}", names=twice))
        money = sum(e.money for e in self.envelopes)
        if money > self.budget:
            raise IntegrityError(
                _(
                    "the envelopes hold {money}, more than the budget {budget}",
                    money=money,
                    budget=self.budget,
                )
            )
        in_envelopes = sum(e.spent for e in self.envelopes)
        if in_envelopes != spent:
            raise IntegrityError(
                _(
                    "the envelopes spend {envelopes} but the outcome hands out {spent}",
                    envelopes=in_envelopes,
                    spent=spent,
                )
            )

    @classmethod
    @checked
    def from_selection(
        cls,
        election: Election,
        selected: Iterable[int],
        *,
        rule: str,
        trace: Sequence[TraceStep] = (),
        params: Mapping[str, ParamValue] | None = None,
        envelopes: Iterable[EnvelopeResult] = (),
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
            envelopes=tuple(envelopes),
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
    def unallocated(self) -> int:
        """Budget that no envelope received (0 for a rule without :attr:`envelopes`)."""
        if not self.envelopes:
            return 0
        return self.budget - sum(e.money for e in self.envelopes)

    @property
    def selected_set(self) -> frozenset[str]:
        """The selected ids as a set (for comparisons that ignore order)."""
        return frozenset(self.selected)

    def explain(self) -> str:
        """The trace as text, one step per line."""
        return "\n".join(str(s) for s in self.trace)

    def to_rows(self, election: Election | None = None) -> list[tuple[Any, ...]]:
        """Column keys, then typed rows (money in minor units) (:mod:`participa.tables`)."""
        from participa.tables import table

        return table(self, election=election).to_rows()

    def to_csv(self, election: Election | None = None) -> str:
        """The per-project table as CSV (money in minor units) (:mod:`participa.tables`)."""
        from participa.tables import table

        return table(self, election=election).to_csv()

    def to_frame(self, election: Election | None = None) -> Any:
        """The per-project table as a pandas ``DataFrame`` (extra ``pandas``)."""
        from participa.tables import table

        return table(self, election=election).to_frame()

    def __repr__(self) -> str:
        from participa.display import outcome_summary

        return outcome_summary(self)

    def to_html(self, *, lang: str | None = None) -> str:
        """The outcome as HTML (money spent, then each funded project), in ``lang``."""
        from participa.display import outcome_html

        return outcome_html(self, lang=lang)

    def _repr_html_(self) -> str:
        return self.to_html()
