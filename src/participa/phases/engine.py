"""The phase engine: a round's state, the pure transition function, and the machine.

* :class:`RoundState` — everything decided so far (phase, allocation, proposals,
  review, ballots, outcomes, ledger, approvals, app facts), a frozen value.
* :func:`step` — the pure function ``(state, event) -> new state``; it raises
  :class:`~participa.TransitionNotAllowed` (naming the event, the phase and every
  failed guard) or :class:`~participa.ValidationError` and never half-applies.
* :class:`Round` — the event log plus the state it produces; serialises to JSON
  and :meth:`Round.verify` re-checks the hash chain and replays the log.
* :class:`Machine` — a :class:`~participa.phases.MachineSpec` plus the guard
  functions and the app's :class:`Hooks`; it starts rounds and fires events.

Replaying a log (:func:`replay`) re-checks structure (legal phase moves, decisions
allowed in their phase, money conservation) but not guards: guards were checked
when the event was accepted, and an app's guard code may change later.

Examples
--------
>>> from participa.phases import presets
>>> m = Machine(presets.consul())
>>> r = m.start(round_id="madrid-2024", actor="admin", at="2024-01-10T09:00:00+01:00",
...             envelope=1_000_000, disabled=("informing",))
>>> r = m.fire(r, "next", actor="admin", at="2024-01-20T09:00:00+01:00")
>>> r.phase                      # informing was disabled, so it was skipped
'accepting'
>>> r.verify()
>>> m.fire(r, "next", actor="admin", at="2024-02-01T09:00:00+01:00")
Traceback (most recent call last):
...
participa.errors.TransitionNotAllowed: cannot fire 'next' in phase 'accepting': proposals_reg...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from participa.display import currency_of as _currency_of
from participa.errors import IntegrityError, TransitionNotAllowed, ValidationError
from participa.i18n import _, ngettext, use_language
from participa.ledger import Ledger, timestamp
from participa.model import Project
from participa.money import Currency
from participa.outcome import Outcome
from participa.phases.events import (
    GENESIS,
    Allocated,
    Approved,
    BallotsClosed,
    Committed,
    Event,
    Noted,
    OutcomePublished,
    Payload,
    Pledged,
    Proposed,
    Reallocated,
    Reviewed,
    Spent,
    Started,
    Triggered,
    make_event,
    verify_chain,
)
from participa.phases.guards import Guard, GuardFamily, standard_families, standard_guards
from participa.phases.spec import MachineSpec, Transition

__all__ = [
    "Hooks",
    "Machine",
    "PhaseChange",
    "Round",
    "RoundState",
    "Visit",
    "replay",
    "step",
]


def _frozen(value: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(value or {}))


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _opt_ts(value: str | None) -> str | None:
    return None if value is None else timestamp(value)


@attrs.frozen(slots=True)
class Visit:
    """A stay in a phase: when it was entered and left, and whether it was skipped."""

    phase: str
    entered: str = attrs.field(converter=timestamp)
    left: str | None = attrs.field(default=None, converter=_opt_ts)
    skipped: bool = False


def _visits(value: Iterable[Visit]) -> tuple[Visit, ...]:
    return tuple(value)


def _projects(value: Iterable[Project]) -> tuple[Project, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class RoundState:
    """Everything a round has decided so far; built only by :func:`step`.

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
        The money frame from :class:`~participa.phases.Started`.
    disabled, deadlines
        Optional phases this round skips; per-round deadline overrides.
    approvals
        Subject → approving body.
    facts
        Application facts (:class:`~participa.phases.Noted`).
    allocation
        Territory → money assigned (minor units).
    proposals
        Registered projects (costs as proposed).
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
    proposals: tuple[Project, ...] = attrs.field(default=(), converter=_projects)
    pledges: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)
    reviewed: bool = False
    eligible: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    rejected: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False)
    reviewed_costs: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)
    ballots: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)
    outcomes: Mapping[str, Outcome] = attrs.field(factory=dict, converter=_frozen, hash=False)
    ledger: Ledger = attrs.field(factory=Ledger)

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

    def deadline(self, phase: str) -> str | None:
        """The deadline of ``phase`` for this round (override, else the phase default)."""
        return self.deadlines.get(phase) or self.spec.phase(phase).deadline

    def proposal(self, project_id: str) -> Project:
        """The registered proposal with this id."""
        for p in self.proposals:
            if p.id == project_id:
                return p
        raise ValidationError(f"no proposal {project_id!r} in round {self.round_id!r}")

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


# --------------------------------------------------------------------------- reducer


def _blocked(event: str, phase: str, reasons: Sequence[str], hint: str | None = None) -> None:
    raise TransitionNotAllowed(
        f"cannot fire {event!r} in phase {phase!r}: " + "; ".join(reasons),
        event=event,
        phase=phase,
        failed_guards=reasons,
        hint=hint,
    )


Resolve = Callable[[str], Guard]


def _check_guards(t: Transition, state: RoundState, resolve: Resolve | None) -> list[str]:
    if resolve is None:
        return []
    reasons = []
    for name in t.guards:
        why = resolve(name)(state)
        if why is not None:
            reasons.append(f"{name}: {why}")
    return reasons


def _move(state: RoundState, event: Triggered, at: str, resolve: Resolve | None) -> RoundState:
    spec = state.spec
    here = spec.phase(state.phase)
    out = spec.outgoing(state.phase)
    hit = [t for t in out if t.event == event.event]
    skipping = False
    if not hit and event.event == "skip" and here.optional:
        hit, skipping = list(out), True
    if not hit:
        events = sorted({t.event for t in out} | ({"skip"} if here.optional else set()))
        _blocked(
            event.event,
            state.phase,
            [f"no transition {event.event!r} leaves phase {state.phase!r}"],
            hint=f"events here: {', '.join(events) or 'none (final phase)'}",
        )
    t = hit[0]
    reasons = _check_guards(t, state, resolve)
    if reasons:
        _blocked(event.event, state.phase, reasons)
    visits = list(state.visits)
    visits[-1] = attrs.evolve(visits[-1], left=at, skipped=skipping)
    target = t.target
    seen = {state.phase}
    while target in state.disabled:
        if target in seen:
            _blocked(event.event, state.phase, [f"disabled phases loop through {target!r}"])
        seen.add(target)
        (nxt,) = spec.outgoing(target)
        moved = attrs.evolve(state, phase=target)
        reasons = _check_guards(nxt, moved, resolve)
        if reasons:
            _blocked(
                event.event,
                state.phase,
                [f"while skipping disabled phase {target!r}: {r}" for r in reasons],
            )
        visits.append(Visit(target, at, left=at, skipped=True))
        target = nxt.target
    visits.append(Visit(target, at))
    return attrs.evolve(state, phase=target, visits=tuple(visits))


def _decide(state: RoundState, p: Payload, at: str) -> RoundState:
    phase = state.spec.phase(state.phase)
    if not phase.permits(p.kind):
        allowed = ", ".join(a for a in phase.allows) or "approve and note only"
        _blocked(
            p.kind,
            state.phase,
            [f"decision {p.kind!r} is not allowed in phase {state.phase!r}"],
            hint=f"allowed here: {allowed}",
        )
    if isinstance(p, Approved):
        return attrs.evolve(state, approvals={**state.approvals, p.subject: p.body})
    if isinstance(p, Noted):
        return attrs.evolve(state, facts={**state.facts, p.key: p.value})
    if isinstance(p, Allocated):
        total = sum(p.amounts.values())
        if total > state.envelope:
            raise ValidationError(
                f"allocation of {total} exceeds the round's envelope of {state.envelope}",
                hint="allocate at most the envelope given when the round started",
            )
        if state.outcomes:
            raise ValidationError(
                "cannot change the allocation after outcomes were published",
                hint="record reallocations in the ledger instead",
            )
        return attrs.evolve(state, allocation=dict(p.amounts))
    if isinstance(p, Proposed):
        have = {q.id for q in state.proposals}
        ids = [q.id for q in p.projects]
        dup = sorted({i for i in ids if i in have or ids.count(i) > 1})
        if dup:
            raise ValidationError(f"proposals registered twice: {dup}", hint="use new ids")
        if state.allocation:
            stray = sorted(
                q.id
                for q in p.projects
                if q.territory is not None and q.territory not in state.allocation
            )
            if stray:
                raise ValidationError(
                    f"proposals {stray} belong to territories with no allocation",
                    hint=f"territories: {', '.join(state.allocation)}",
                )
        return attrs.evolve(state, proposals=(*state.proposals, *p.projects))
    if isinstance(p, Pledged):
        prop = state.proposal(p.project_id)
        total = state.pledges.get(p.project_id, 0) + p.amount
        if total > prop.cost:
            raise ValidationError(
                f"pledges of {total} exceed the project's cost of {prop.cost}",
                project_id=p.project_id,
            )
        return attrs.evolve(state, pledges={**state.pledges, p.project_id: total})
    if isinstance(p, Reviewed):
        known = {q.id for q in state.proposals}
        stray = sorted((set(p.eligible) | set(p.rejected) | set(p.costs)) - known)
        if stray:
            raise ValidationError(
                f"review names projects that were never proposed: {stray}",
                hint="register them with Proposed first",
            )
        return attrs.evolve(
            state,
            reviewed=True,
            eligible=p.eligible,
            rejected=dict(p.rejected),
            reviewed_costs=dict(p.costs),
        )
    if isinstance(p, BallotsClosed):
        if state.allocation and p.territory not in state.allocation:
            raise ValidationError(f"territory {p.territory!r} has no allocation")
        if p.territory in state.ballots:
            raise ValidationError(f"voting in territory {p.territory!r} was already closed")
        if p.voters < 0:
            raise ValidationError(f"voter count must be >= 0, got {p.voters}")
        return attrs.evolve(state, ballots={**state.ballots, p.territory: p.voters})
    if isinstance(p, OutcomePublished):
        return _publish(state, p, at)
    if isinstance(p, Committed):
        return attrs.evolve(
            state, ledger=state.ledger.commit(p.project_id, p.amount, at=at, reference=p.reference)
        )
    if isinstance(p, Spent):
        return attrs.evolve(
            state, ledger=state.ledger.spend(p.project_id, p.amount, at=at, reference=p.reference)
        )
    if isinstance(p, Reallocated):
        return attrs.evolve(
            state,
            ledger=state.ledger.reallocate(
                p.project_id,
                p.amount,
                at=at,
                to_project=p.to_project,
                territory=p.territory,
                reference=p.reason,
            ),
        )
    raise ValidationError(f"unexpected payload {type(p).__name__}")  # pragma: no cover


def _publish(state: RoundState, p: OutcomePublished, at: str) -> RoundState:
    o = p.outcome
    t = p.territory
    if t in state.outcomes:
        raise ValidationError(f"an outcome for territory {t!r} was already published")
    if state.allocation:
        if t not in state.allocation:
            raise ValidationError(f"territory {t!r} has no allocation")
        if o.total_funding > state.allocation[t]:
            raise ValidationError(
                f"outcome for territory {t!r} hands out {o.total_funding}, more than its "
                f"allocation of {state.allocation[t]}"
            )
    elif state.promised + o.total_funding > state.envelope:
        raise ValidationError(
            f"outcomes would promise {state.promised + o.total_funding}, more than the "
            f"envelope of {state.envelope}"
        )
    funded = [pid for pid, f in o.funding.items() if f > 0]
    if state.reviewed:
        bad = sorted(set(funded) - set(state.eligible))
        if bad:
            raise ValidationError(
                f"outcome for territory {t!r} funds projects not found eligible: {bad}",
                hint="run the rule on the eligible projects only",
            )
    already = [pid for pid in funded if any(pid in q.funding for q in state.outcomes.values())]
    if already:
        raise ValidationError(f"projects {already} are already funded by another outcome")
    ledger = state.ledger
    for pid in funded:
        ledger = ledger.promise(
            pid, o.funding[pid], at=at, territory=t, start_by=p.start_by, reference=o.rule
        )
    return attrs.evolve(state, outcomes={**state.outcomes, t: o}, ledger=ledger)


def step(state: RoundState | None, event: Event, *, guards: Resolve | None = None) -> RoundState:
    """The pure transition function: the state after ``event`` (``None`` before the first).

    ``guards`` resolves guard names to functions; without it guards are not checked
    (as when replaying a stored log).

    Raises
    ------
    TransitionNotAllowed
        The event has no transition from the current phase, a guard blocked it, or
        the decision is not allowed in this phase.
    ValidationError
        The event breaks a rule of the round (money, ids, time going backwards).
    """
    p = event.payload
    if state is None:
        if not isinstance(p, Started):
            raise ValidationError(
                f"a round's first event must be Started, got {type(p).__name__}",
                hint="start the round with Machine.start",
            )
        return RoundState(
            round_id=p.round_id,
            spec=p.spec,
            phase=p.spec.initial,
            now=event.at,
            visits=(Visit(p.spec.initial, event.at),),
            envelope=p.envelope,
            currency=p.currency,
            minor_per_unit=p.minor_per_unit,
            disabled=p.disabled,
            deadlines=p.deadlines,
            ledger=Ledger(currency=_currency_of(p.currency, p.minor_per_unit)),
        )
    if isinstance(p, Started):
        raise ValidationError(f"round {state.round_id!r} has already started")
    if event.at < state.now:
        raise ValidationError(
            f"event time {event.at} is earlier than the round's latest event at {state.now}",
            hint="events are recorded in time order; pass the real time of the event",
        )
    now = attrs.evolve(state, now=event.at)
    if isinstance(p, Triggered):
        return _move(now, p, event.at, guards)
    return _decide(now, p, event.at)


def replay(events: Iterable[Event]) -> RoundState:
    """The state a log produces, checking structure and money but not guards."""
    state: RoundState | None = None
    for e in events:
        try:
            state = step(state, e)
        except (TransitionNotAllowed, ValidationError) as exc:
            raise IntegrityError(f"event {e.seq} cannot be replayed: {exc}") from exc
    if state is None:
        raise IntegrityError("an empty log has no state", hint="start the round first")
    return state


def _events(value: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Round:
    """A round: its event log and the state the log produces.

    Serialise with ``participa.dumps(round)``; restore with ``participa.loads`` and
    call :meth:`verify` (the stores do it for you).
    """

    events: tuple[Event, ...] = attrs.field(converter=_events)
    state: RoundState

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "Round",
            self.round_id,
            [
                _("phase {phase}", phase=self.phase),
                ngettext("{n} event", "{n} events", len(self.events)),
            ],
        )

    def to_html(self, *, utc_offset: str | None = None, lang: str | None = None) -> str:
        """The state, then the event log with times in ``utc_offset`` (default: the round's).

        A round in soles shows Lima time (−05:00); see :data:`participa.display.UTC_OFFSETS`.
        """
        from participa.display import html_table, local_time, view

        offset = utc_offset or self.state.utc_offset
        with use_language(lang):
            rows = (
                (
                    e.seq,
                    local_time(e.at, offset),
                    e.actor,
                    type(e.payload).__name__,
                    e.hash[:12],
                )
                for e in self.events
            )
            log = html_table(
                ("#", _("time"), _("actor"), _("event"), _("hash")),
                rows,
                caption=_("Event log"),
                wrap=False,
            )
            return view(self.state._table(offset), log)

    def _repr_html_(self) -> str:
        return self.to_html()

    @property
    def head(self) -> str:
        """Hash of the last event: the version an optimistic writer must hold."""
        return self.events[-1].hash if self.events else GENESIS

    @property
    def round_id(self) -> str:
        """The round's id."""
        return self.state.round_id

    @property
    def phase(self) -> str:
        """The current phase."""
        return self.state.phase

    def verify(self) -> None:
        """Check the hash chain, replay the log and compare with the stored state.

        Raises :class:`~participa.IntegrityError` naming the first bad event.
        """
        verify_chain(self.events)
        if replay(self.events) != self.state:
            raise IntegrityError(
                f"the stored state of round {self.round_id!r} differs from its replayed log",
                hint="rebuild the state with participa.phases.Round.from_events",
            )
        self.state.ledger.check()

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Round:
        """Rebuild a round from its log (verifying the chain and replaying it)."""
        evs = tuple(events)
        verify_chain(evs)
        return cls(evs, replay(evs))

    def since(self, head: str) -> tuple[Event, ...]:
        """Events appended after the event whose hash is ``head``."""
        if head == GENESIS:
            return self.events
        for i, e in enumerate(self.events):
            if e.hash == head:
                return self.events[i + 1 :]
        raise ValidationError(f"head {head[:12]}… is not in round {self.round_id!r}")


# --------------------------------------------------------------------------- hooks


@attrs.frozen(slots=True)
class PhaseChange:
    """What a hook is told: a phase entered or left, by which event, and the new state."""

    phase: str
    entering: bool
    skipped: bool
    event: Event
    state: RoundState


Hook = Callable[[PhaseChange], None]
EventHook = Callable[[Event, RoundState], None]


def _hookmap(value: Mapping[str, Sequence[Hook]] | None) -> Mapping[str, tuple[Hook, ...]]:
    return MappingProxyType({k: tuple(v) for k, v in (value or {}).items()})


def _eventhooks(value: Iterable[EventHook]) -> tuple[EventHook, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Hooks:
    """Callbacks for embedding apps, run *after* an event was accepted.

    ``on_enter`` / ``on_leave`` map a phase name (or ``"*"`` for every phase) to
    callbacks taking a :class:`PhaseChange`; ``on_event`` callbacks get every
    accepted event and the state after it. Build them with the chaining helpers.

    Examples
    --------
    >>> seen = []
    >>> hooks = Hooks().entering("*", lambda c: seen.append(c.phase))
    >>> len(hooks.on_enter["*"])
    1
    """

    on_enter: Mapping[str, tuple[Hook, ...]] = attrs.field(factory=dict, converter=_hookmap)
    on_leave: Mapping[str, tuple[Hook, ...]] = attrs.field(factory=dict, converter=_hookmap)
    on_event: tuple[EventHook, ...] = attrs.field(default=(), converter=_eventhooks)

    def entering(self, phase: str, fn: Hook) -> Hooks:
        """These hooks plus ``fn`` called on entering ``phase`` (``"*"``: any)."""
        return attrs.evolve(
            self, on_enter={**self.on_enter, phase: (*self.on_enter.get(phase, ()), fn)}
        )

    def leaving(self, phase: str, fn: Hook) -> Hooks:
        """These hooks plus ``fn`` called on leaving ``phase`` (``"*"``: any)."""
        return attrs.evolve(
            self, on_leave={**self.on_leave, phase: (*self.on_leave.get(phase, ()), fn)}
        )

    def after_event(self, fn: EventHook) -> Hooks:
        """These hooks plus ``fn`` called after every accepted event."""
        return attrs.evolve(self, on_event=(*self.on_event, fn))

    def _call(self, table: Mapping[str, tuple[Hook, ...]], change: PhaseChange) -> None:
        for fn in (*table.get(change.phase, ()), *table.get("*", ())):
            fn(change)

    def run(self, before: RoundState | None, event: Event, after: RoundState) -> None:
        """Call the hooks for one accepted event (``before`` is ``None`` for the first)."""
        start = 0
        if before is not None and (
            len(after.visits) != len(before.visits) or after.phase != before.phase
        ):
            start = len(before.visits)
            self._call(
                self.on_leave,
                PhaseChange(before.phase, False, after.visits[start - 1].skipped, event, after),
            )
        elif before is not None:
            start = len(after.visits)
        for v in after.visits[start:]:
            self._call(self.on_enter, PhaseChange(v.phase, True, v.skipped, event, after))
            if v.left is not None:
                self._call(self.on_leave, PhaseChange(v.phase, False, v.skipped, event, after))
        for fn in self.on_event:
            fn(event, after)


# --------------------------------------------------------------------------- machine


def _guardmap(value: Mapping[str, Guard]) -> Mapping[str, Guard]:
    return MappingProxyType(dict(value))


def _familymap(value: Mapping[str, GuardFamily]) -> Mapping[str, GuardFamily]:
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True)
class Machine:
    """A specification bound to guard functions and hooks; drives rounds.

    Parameters
    ----------
    spec
        The phases and transitions (a preset or your own).
    guards
        Guard name → predicate; defaults to :func:`~participa.phases.standard_guards`.
        Extend with ``standard_guards() | {"mine": my_guard}``.
    families
        Prefix → guard factory for names like ``approved:council``.
    hooks
        Callbacks run after each accepted event.

    Notes
    -----
    Every guard name used by ``spec`` must resolve; missing ones are listed in one
    ``ValidationError`` when the machine is built.
    """

    spec: MachineSpec
    guards: Mapping[str, Guard] = attrs.field(factory=standard_guards, converter=_guardmap)
    families: Mapping[str, GuardFamily] = attrs.field(
        factory=standard_families, converter=_familymap
    )
    hooks: Hooks = Hooks()

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "Machine",
            self.spec.name,
            [
                ngettext("{n} phase", "{n} phases", len(self.spec.phases)),
                ngettext("{n} guard", "{n} guards", len(self.guards)),
            ],
        )

    def __attrs_post_init__(self) -> None:
        missing = [g for g in self.spec.guard_names() if self._lookup(g) is None]
        if missing:
            raise ValidationError(
                f"machine {self.spec.name!r} uses guards with no function: {missing}",
                hint="pass guards=standard_guards() | {name: function, ...}",
            )

    def _lookup(self, name: str) -> Guard | None:
        if name in self.guards:
            return self.guards[name]
        prefix, sep, arg = name.partition(":")
        if sep and prefix in self.families:
            return self.families[prefix](arg)
        return None

    def guard(self, name: str) -> Guard:
        """The guard function for ``name``."""
        g = self._lookup(name)
        if g is None:
            raise ValidationError(f"no guard called {name!r}")
        return g

    def _own(self, rnd: Round) -> None:
        if rnd.state.spec != self.spec:
            raise ValidationError(
                f"round {rnd.round_id!r} follows machine {rnd.state.spec.name!r}, "
                f"not this machine's {self.spec.name!r} (or a different version of it)",
                hint="build the Machine from the round's own spec: Machine(rnd.state.spec, ...)",
            )

    def start(
        self,
        *,
        round_id: str,
        actor: str,
        at: str,
        envelope: int = 0,
        currency: str | None = None,
        minor_per_unit: int = 1,
        disabled: Iterable[str] = (),
        deadlines: Mapping[str, str] | None = None,
        hooks: bool = True,
    ) -> Round:
        """A new round in the initial phase; its first event is :class:`Started`."""
        payload = Started(
            round_id,
            self.spec,
            envelope=envelope,
            currency=currency,
            minor_per_unit=minor_per_unit,
            disabled=tuple(disabled),
            deadlines=dict(deadlines or {}),
        )
        event = make_event(None, payload, actor=actor, at=at)
        state = step(None, event)
        if hooks:
            self.hooks.run(None, event, state)
        return Round((event,), state)

    def apply(
        self, rnd: Round, payload: Payload, *, actor: str, at: str, hooks: bool = True
    ) -> Round:
        """The round after one more event (phase move or decision), guards checked."""
        self._own(rnd)
        event = make_event(rnd.events[-1] if rnd.events else None, payload, actor=actor, at=at)
        state = step(rnd.state, event, guards=self.guard)
        if hooks:
            self.hooks.run(rnd.state, event, state)
        return Round((*rnd.events, event), state)

    def fire(
        self, rnd: Round, event: str, *, actor: str, at: str, note: str = "", hooks: bool = True
    ) -> Round:
        """Fire the machine event ``event`` (a transition name, or ``"skip"``)."""
        return self.apply(rnd, Triggered(event, note), actor=actor, at=at, hooks=hooks)

    def record(
        self, rnd: Round, decision: Payload, *, actor: str, at: str, hooks: bool = True
    ) -> Round:
        """Record a decision (allocation, review, outcome, commitment, ...)."""
        if isinstance(decision, Triggered | Started):
            raise ValidationError("use Machine.fire / Machine.start for phase events")
        return self.apply(rnd, decision, actor=actor, at=at, hooks=hooks)

    def notify(self, before: Round, after: Round) -> None:
        """Run the hooks for every event ``after`` has beyond ``before``."""
        state = before.state
        for e in after.events[len(before.events) :]:
            nxt = step(state, e)
            self.hooks.run(state, e, nxt)
            state = nxt

    def blocked(self, state: RoundState, *, at: str | None = None) -> Mapping[str, tuple[str, ...]]:
        """Each event leaving the current phase → the reasons it is blocked (empty: allowed).

        ``at`` is the time to check guards at (default: the state's ``now``).
        """
        view = state if at is None else attrs.evolve(state, now=at)
        out: dict[str, tuple[str, ...]] = {}
        for t in self.spec.outgoing(state.phase):
            out[t.event] = tuple(_check_guards(t, view, self.guard))
        return MappingProxyType(out)

    def overdue(self, state: RoundState, *, now: str) -> tuple[tuple[str, str], ...]:
        """Phases whose deadline passed while in them: ``(phase, deadline)`` pairs.

        The current phase counts if ``now`` is past its deadline; a past phase counts
        if it was left after its deadline.
        """
        now_ts = timestamp(now)
        out = []
        for v in state.visits:
            d = state.deadline(v.phase)
            if d is None or v.skipped:
                continue
            end = v.left if v.left is not None else now_ts
            if end > d:
                out.append((v.phase, d))
        return tuple(out)


def _register() -> None:
    from participa import serialize

    for cls in (Visit, RoundState, Round):
        serialize.register(cls, "phases." + cls.__name__)


_register()
