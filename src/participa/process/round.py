"""The PB round as a domain of the phase engine: its state, its start, its guards.

:class:`RoundState` holds what a participatory-budget round has decided so far;
:class:`Started` is its first event; :data:`ROUND` is the
:class:`~participa.phases.Domain` that the generic engine drives. The decisions
(allocation, proposals, pledges, review, ballots, outcomes, money) each register
themselves once, with their reducer, in :mod:`participa.process.decisions`.

Adding a decision (e.g. "a development plan is loaded") is one change in one
place: a payload class in :mod:`participa.process.decisions` with ``kind``, the
fields it records and ``apply(state, at)``, decorated with
``@ROUND.decision(guards={"plan_loaded": plan_loaded})`` next to its guard
function; a preset then names the decision in a phase's ``allows`` and the
guard in a transition (``spec.with_guard("preparacion", "concertar",
"plan_loaded")``). What it records goes into :attr:`RoundState.facts` (text) or
a new field here.

Examples
--------
>>> from participa.phases import Machine, presets
>>> r = Machine(presets.ves_2001()).start(round_id="r", actor="a",
...                                      at="2001-01-02T00:00:00Z", envelope=100)
>>> r.state.phase, r.state.envelope, r.state.allocation
('assignment', 100, mappingproxy({}))
>>> sorted(standard_guards())[:2]
['allocation_made', 'ballots_closed']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Self

import attrs

from participa import serialize
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.i18n import _, use_language
from participa.ledger import Ledger, timestamp
from participa.model import Project
from participa.money import Currency
from participa.outcome import Outcome
from participa.phases.engine import Domain, Visit
from participa.phases.guards import Guard, GuardFamily
from participa.phases.spec import MachineSpec

__all__ = ["ROUND", "RoundState", "Started", "standard_families", "standard_guards"]


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is not None and not isinstance(value, Mapping):
        raise ValidationError(_("expected a mapping, got {value!r}", value=value))
    return MappingProxyType(dict(value or {}))


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise ValidationError(_("expected a sequence of names, got {value!r}", value=value))
    out = tuple(value)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise ValidationError(_("expected names (strings), got {bad!r}", bad=bad))
    return out


def _deadlines(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType({k: timestamp(v) for k, v in _frozen(value).items()})


def _visits(value: Iterable[Visit]) -> tuple[Visit, ...]:
    return tuple(value)


def _projects(value: Iterable[Project]) -> tuple[Project, ...]:
    out = tuple(value)
    bad = [p for p in out if not isinstance(p, Project)]
    if bad:
        raise ValidationError(_("expected projects, got {bad!r}", bad=bad[:3]))
    return out


def amount(what: str, value: object, project_id: str | None = None, *, zero: bool = False) -> int:
    """``value`` if it is an integer amount of minor units (> 0, or >= 0 with ``zero``)."""
    ok = (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (value >= 0 if zero else value > 0)
    )
    if not ok:
        raise ValidationError(
            _(
                "{what} must be a positive integer of minor units, got {value!r}",
                what=what,
                value=value,
            )
            if not zero
            else _(
                "{what} must be a non-negative integer of minor units, got {value!r}",
                what=what,
                value=value,
            ),
            project_id=project_id,
        )
    assert isinstance(value, int)
    return value


@serialize.register("participa.process.Started")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Started:
    """The first event of every PB round: its id, machine and money frame.

    ``envelope`` is the money the round may allocate (minor units); ``disabled``
    names optional phases this round skips; ``deadlines`` overrides phase
    deadlines (phase name → ISO-8601 time).
    """

    kind: ClassVar[str] = "start"
    round_id: str
    spec: MachineSpec
    envelope: int = 0
    currency: str | None = None
    minor_per_unit: int = 1
    disabled: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    deadlines: Mapping[str, str] = attrs.field(factory=dict, converter=_deadlines, hash=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.round_id, str) or not self.round_id.strip():
            raise ValidationError(
                _("round id must be a non-empty string, got {value!r}", value=self.round_id)
            )
        if not isinstance(self.spec, MachineSpec):
            raise ValidationError(
                _("a machine needs a MachineSpec, got {value!r}", value=self.spec)
            )
        amount(_("the envelope"), self.envelope, zero=True)
        if self.currency is not None and not isinstance(self.currency, str):
            raise ValidationError(
                _("currency must be a code such as 'PEN', got {value!r}", value=self.currency)
            )
        mpu = self.minor_per_unit
        if isinstance(mpu, bool) or not isinstance(mpu, int) or mpu < 1:
            raise ValidationError(
                _("minor_per_unit must be an integer >= 1, got {value!r}", value=mpu)
            )
        problems: list[str] = []
        names = set(self.spec.phase_names)
        for d in self.disabled:
            if d not in names:
                problems.append(_("{phase!r} is not a phase", phase=d))
            elif not self.spec.phase(d).optional:
                problems.append(_("{phase!r} is not optional", phase=d))
        if self.spec.initial in self.disabled:
            problems.append(
                _("the initial phase {phase!r} cannot be disabled", phase=self.spec.initial)
            )
        problems.extend(
            _("deadline for unknown phase {phase!r}", phase=k)
            for k in self.deadlines
            if k not in names
        )
        if problems:
            raise ValidationError(
                _("cannot start round {round_id!r}: ", round_id=self.round_id)
                + "; ".join(problems),
                hint=_("only optional phases of the machine may be disabled"),
            )


@serialize.register("participa.process.RoundState")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class RoundState:
    """Everything a PB round has decided so far; built only by the engine's ``step``.

    Parameters
    ----------
    round_id, spec
        The round and the machine it follows.
    phase
        The current phase.
    now
        Time of the latest event (guards see the time of the event being checked).
    visits
        Phases entered so far, in order.
    envelope, currency, minor_per_unit
        The money frame from :class:`Started`.
    disabled, deadlines
        Optional phases this round skips; per-round deadline overrides.
    approvals
        Subject → approving body.
    facts
        Application facts (:class:`~participa.process.Noted`).
    allocation
        Territory → money assigned (minor units).
    pools
        Pool name → member territories whose money is one joint envelope (see
        :class:`~participa.process.Allocated`).
    proposals
        Registered projects (costs as proposed, every field kept).
    pledges
        Project id → co-financing pledged (minor units, valued).
    reviewed, eligible, rejected, reviewed_costs
        The feasibility review: done?, eligible ids, rejected id → reason, revised costs.
    ballots
        Territory → number of voters, for territories where voting closed.
    outcomes
        Territory → published :class:`~participa.Outcome`.
    ledger
        The accountability :class:`~participa.ledger.Ledger` (promises come from outcomes).
    """

    round_id: str
    spec: MachineSpec
    phase: str
    now: str = attrs.field(converter=timestamp)
    visits: tuple[Visit, ...] = attrs.field(converter=_visits)
    envelope: int = 0
    currency: str | None = None
    minor_per_unit: int = 1
    disabled: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    deadlines: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False)
    approvals: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False)
    facts: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False)
    allocation: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)
    pools: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, converter=_frozen, hash=False, metadata={serialize.OMIT_DEFAULT: True}
    )
    proposals: tuple[Project, ...] = attrs.field(default=(), converter=_projects)
    pledges: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)
    reviewed: bool = False
    eligible: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    rejected: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False)
    reviewed_costs: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)
    ballots: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)
    outcomes: Mapping[str, Outcome] = attrs.field(factory=dict, converter=_frozen, hash=False)
    ledger: Ledger = attrs.field(factory=Ledger)

    def __attrs_post_init__(self) -> None:
        money = self.money
        if self.ledger.currency != money:  # the ledger's messages read in the round's money
            object.__setattr__(self, "ledger", self.ledger.with_currency(money))

    @property
    def money(self) -> Currency:
        """How the round's amounts read as money (``S/ 1,234.56``)."""
        from participa.display import currency_of

        return currency_of(self.currency, self.minor_per_unit)

    @property
    def utc_offset(self) -> str | None:
        """The offset the round's times are shown in (Lima −05:00 for a round in soles)."""
        from participa.display import UTC_OFFSETS

        return UTC_OFFSETS.get(self.money.code or "")

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "RoundState",
            self.round_id,
            [
                _("phase {phase}", phase=self.phase),
                _("envelope {amount}", amount=self.money.format(self.envelope)),
            ],
        )

    def _table(self, offset: str | None) -> str:
        from participa.display import html_table, local_time

        money = self.money.format
        rows = [
            (_("phase"), self.phase),
            (_("as of"), local_time(self.now, offset)),
            (_("path"), " → ".join(v.phase for v in self.visits)),
            (_("envelope"), money(self.envelope)),
            (_("allocated"), money(sum(self.allocation.values()))),
            (_("territories allocated"), len(self.allocation)),
            (_("proposals"), len(self.proposals)),
            (
                _("review"),
                _(
                    "{eligible} eligible, {rejected} rejected",
                    eligible=len(self.eligible),
                    rejected=len(self.rejected),
                )
                if self.reviewed
                else _("not done"),
            ),
            (_("outcomes published"), ", ".join(sorted(self.outcomes)) or _("none")),
            (_("promised"), money(sum(o.total_funding for o in self.outcomes.values()))),
            (_("ledger entries"), len(self.ledger.entries)),
        ]
        return html_table(("", ""), rows, caption=_("Round {id}", id=self.round_id), wrap=False)

    def to_html(self, *, utc_offset: str | None = None, lang: str | None = None) -> str:
        """The state as an HTML table, times in ``utc_offset`` (default: the round's own)."""
        from participa.display import view

        with use_language(lang):
            return view(self._table(utc_offset or self.utc_offset))

    def _repr_html_(self) -> str:
        return self.to_html()

    def moved(
        self, *, now: str, phase: str | None = None, visits: tuple[Visit, ...] | None = None
    ) -> Self:
        """This state at time ``now``, in ``phase`` with ``visits`` when given (engine use)."""
        return attrs.evolve(
            self,
            now=now,
            phase=self.phase if phase is None else phase,
            visits=self.visits if visits is None else visits,
        )

    def check(self) -> None:
        """Re-check what must hold whatever the log says (money conservation in the ledger)."""
        self.ledger.check()

    def deadline(self, phase: str) -> str | None:
        """The deadline of ``phase`` for this round (override, else the phase default)."""
        return self.deadlines.get(phase) or self.spec.phase(phase).deadline

    def proposal(self, project_id: str) -> Project:
        """The registered proposal with this id."""
        for p in self.proposals:
            if p.id == project_id:
                return p
        raise ValidationError(
            _(
                "no proposal {project_id!r} in round {round_id!r}",
                project_id=project_id,
                round_id=self.round_id,
            ),
            project_id=project_id if isinstance(project_id, str) else None,
            hint=_("register it with Proposed first"),
        )

    @property
    def proposal_ids(self) -> frozenset[str]:
        """Ids of every registered proposal."""
        return frozenset(p.id for p in self.proposals)

    @property
    def is_final(self) -> bool:
        """Whether the round is in a final phase."""
        return self.phase in self.spec.final

    @property
    def allocated(self) -> int:
        """Money allocated to territories in total."""
        return sum(self.allocation.values())

    @property
    def promised(self) -> int:
        """Money promised by published outcomes in total."""
        return sum(o.total_funding for o in self.outcomes.values())


def _initial(p: Started, at: str) -> RoundState:
    return RoundState(
        round_id=p.round_id,
        spec=p.spec,
        phase=p.spec.initial,
        now=at,
        visits=(Visit(p.spec.initial, at),),
        envelope=p.envelope,
        currency=p.currency,
        minor_per_unit=p.minor_per_unit,
        disabled=p.disabled,
        deadlines=p.deadlines,
    )


ROUND: Domain[RoundState] = Domain(
    "process", Started, RoundState, _initial, json_prefix="participa.process"
)
"""The PB round: the domain every preset's machine drives by default."""


@checked
def standard_guards() -> Mapping[str, Guard]:
    """The PB round's named guards (a fresh read-only mapping to extend with ``|``)."""
    return ROUND.standard_guards()


@checked
def standard_families() -> Mapping[str, GuardFamily]:
    """The PB round's guard families (``approved``, ``fact``, ``before_deadline``)."""
    return ROUND.standard_families()
