"""The generic phase engine: a state machine over an opaque state, driven by a domain.

The engine knows phases, transitions, guards, time and the hash-chained log; it
does not know what a round decides. A :class:`Domain` (the *reducer interface*)
says that: the payload type of a round's first event, how the first state is
built from it, and one :class:`Decision` per decision kind, each registered
*once* with :meth:`Domain.decision` as a payload class carrying its name
(``kind``), its reducer (``apply``), the guards it provides and the guards it
requires. The PB round is one such domain (:data:`participa.process.ROUND`).

* :class:`MachineState` — what the engine needs from any state (phase, time,
  visits, spec, disabled phases, deadlines) and how it moves it on.
* :func:`step` — the pure function ``(state, event) -> new state``; it raises
  :class:`~participa.TransitionNotAllowed` (naming the event, the phase and every
  failed guard) or :class:`~participa.ValidationError` and never half-applies.
* :class:`Round` — the event log plus the state it produces; building one (as
  ``participa.loads`` does) verifies the hash chain and replays the log.

Replaying a log (:func:`replay`) re-checks structure (legal phase moves, decisions
allowed in their phase, the domain's own rules such as money conservation) but
not guards: guards were checked when the event was accepted, and an app's guard
code may change later.

Examples
--------
>>> from participa.phases import Machine, presets
>>> m = Machine(presets.consul())
>>> r = m.start(round_id="madrid-2024", actor="admin", at="2024-01-10T09:00:00+01:00",
...             envelope=1_000_000, disabled=("informing",))
>>> r = m.fire(r, "next", actor="admin", at="2024-01-20T09:00:00+01:00")
>>> r.phase                      # informing was disabled, so it was skipped
'accepting'
>>> r.verify(expected_head=r.head)
>>> m.fire(r, "next", actor="admin", at="2024-02-01T09:00:00+01:00")
Traceback (most recent call last):
...
participa.errors.TransitionNotAllowed: cannot fire 'next' in phase 'accepting': proposals_reg...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import attrs

from participa import serialize
from participa.errors import IntegrityError, TransitionNotAllowed, ValidationError
from participa.i18n import _, ngettext, use_language
from participa.ledger import timestamp
from participa.phases.events import GENESIS, Event, Triggered, verify_chain
from participa.phases.guards import Guard, GuardFamily, generic_families
from participa.phases.spec import MachineSpec, Transition

__all__ = [
    "Decision",
    "Domain",
    "MachineState",
    "Round",
    "Visit",
    "domain_of",
    "replay",
    "step",
]


def _opt_ts(value: str | None) -> str | None:
    return None if value is None else timestamp(value)


@serialize.register("participa.phases.Visit")
@attrs.frozen(slots=True)
class Visit:
    """A stay in a phase: when it was entered and left, and whether it was skipped."""

    phase: str
    entered: str = attrs.field(converter=timestamp)
    left: str | None = attrs.field(default=None, converter=_opt_ts)
    skipped: bool = False


class MachineState(Protocol):
    """What the engine reads from a state and how it moves it; the rest is the domain's."""

    @property
    def round_id(self) -> str: ...

    @property
    def spec(self) -> MachineSpec: ...

    @property
    def phase(self) -> str: ...

    @property
    def now(self) -> str: ...

    @property
    def visits(self) -> tuple[Visit, ...]: ...

    @property
    def disabled(self) -> tuple[str, ...]: ...

    def deadline(self, phase: str) -> str | None:
        """The deadline of ``phase`` for this round, if any."""
        ...

    def moved(
        self, *, now: str, phase: str | None = None, visits: tuple[Visit, ...] | None = None
    ) -> Self:
        """This state at time ``now``, in ``phase`` with ``visits`` when given."""
        ...


S = TypeVar("S", bound=MachineState)

Reducer = Callable[[Any, Any, str], Any]
"""``(payload, state, at) -> new state``: a decision's effect (``payload.apply``)."""


@attrs.frozen(slots=True)
class Decision:
    """One decision kind of a domain, as registered by :meth:`Domain.decision`.

    Parameters
    ----------
    kind
        Its name, used in :attr:`Phase.allows <participa.phases.Phase.allows>`.
    payload
        The payload class (an attrs class with ``kind`` and ``apply(state, at)``).
    everywhere
        Allowed in every phase (approvals and notes), whatever the phases list.
    requires
        Guard names that must pass before the decision is accepted.
    """

    kind: str
    payload: type[Any]
    everywhere: bool = False
    requires: tuple[str, ...] = ()


class _Applies(Protocol):
    kind: ClassVar[str]

    def apply(self, state: Any, at: str) -> Any: ...


P = TypeVar("P", bound=type[Any])


@attrs.define
class Domain(Generic[S]):
    """The reducer interface: what a kind of round decides and how each decision acts.

    Parameters
    ----------
    name
        The domain's name; also the prefix of its payloads' JSON type names.
    start
        The payload class of a round's first event; it must have ``round_id`` and
        ``spec`` fields.
    state
        The class of the domain's states (a :class:`MachineState`).
    initial
        ``(start payload, at) -> state``: the state after the first event.
    json_prefix
        Prefix of the payloads' JSON type names (default: ``name``); stored logs
        name their payloads with it, so it must stay stable.

    Decisions, guards and guard families are added with :meth:`decision` (once
    per decision, where its payload class is defined) and :meth:`guard`.
    """

    name: str
    start: type[Any]
    state: type[S]
    initial: Callable[[Any, str], S] = attrs.field(repr=False)
    json_prefix: str | None = None
    decisions: dict[str, Decision] = attrs.field(factory=dict, repr=False)
    guards: dict[str, Guard] = attrs.field(factory=dict, repr=False)
    families: dict[str, GuardFamily] = attrs.field(factory=dict, repr=False)

    def __attrs_post_init__(self) -> None:
        _DOMAINS[self.start] = self

    def decision(
        self,
        *,
        everywhere: bool = False,
        requires: Sequence[str] = (),
        guards: Mapping[str, Guard] | None = None,
        families: Mapping[str, GuardFamily] | None = None,
    ) -> Callable[[P], P]:
        """Class decorator registering a payload class as a decision of this domain.

        The class names itself (``kind``) and acts (``apply(self, state, at)``);
        ``guards`` are named guards the decision provides (e.g. ``plan_loaded``,
        usable in any transition), ``families`` guard families (``approved:``),
        ``requires`` names guards checked before it is accepted. The class is
        also registered for JSON as ``"<domain>.<Class>"``.
        """

        def register(cls: P) -> P:
            from participa import serialize

            kind = getattr(cls, "kind", None)
            plain: type[Any] = cls  # attrs.has narrows its argument; keep cls as given
            if (
                not attrs.has(plain)
                or not isinstance(kind, str)
                or not callable(getattr(cls, "apply", None))
            ):
                raise ValidationError(
                    _(
                        "{name} needs to be an attrs class with a 'kind' name and an "
                        "'apply' method",
                        name=getattr(cls, "__name__", repr(cls)),
                    )
                )
            other = self.decisions.get(kind)
            if other is not None and other.payload.__qualname__ != cls.__qualname__:
                raise ValidationError(
                    _(
                        "decision {kind!r} is already registered as {name}",
                        kind=kind,
                        name=other.payload.__name__,
                    ),
                    hint=_("give the new decision another kind"),
                )
            self.decisions[kind] = Decision(kind, cls, everywhere, tuple(requires))
            self.guards.update(guards or {})
            self.families.update(families or {})
            serialize.register(cls, f"{self.json_prefix or self.name}.{cls.__name__}")
            return cls

        return register

    def guard(self, name: str, fn: Guard) -> None:
        """Make ``fn`` available to machines of this domain under ``name``."""
        self.guards[name] = fn

    def family(self, prefix: str, fn: GuardFamily) -> None:
        """Make a guard family available under ``prefix`` (names like ``prefix:arg``)."""
        self.families[prefix] = fn

    def standard_guards(self) -> Mapping[str, Guard]:
        """The domain's named guards (a fresh read-only mapping to extend with ``|``)."""
        return MappingProxyType(dict(self.guards))

    def standard_families(self) -> Mapping[str, GuardFamily]:
        """The domain's guard families plus the engine's (``before_deadline``)."""
        return MappingProxyType({**generic_families(), **self.families})

    def kinds(self) -> tuple[str, ...]:
        """The decision names, in registration order."""
        return tuple(self.decisions)

    def lookup(self, payload: object) -> Decision:
        """The decision a payload records (refusing payloads of other domains)."""
        for d in self.decisions.values():
            if type(payload) is d.payload:
                return d
        raise ValidationError(
            _("{value!r} is not a decision of a {domain} round", value=payload, domain=self.name),
            hint=_("decisions: {names}", names=", ".join(self.decisions)),
        )


_DOMAINS: dict[type[Any], Domain[Any]] = {}


def domain_of(first: Event) -> Domain[Any]:
    """The domain whose rounds start with this event's payload type."""
    d = _DOMAINS.get(type(first.payload))
    if d is None:
        raise ValidationError(
            _(
                "a round's first event must start it, got {kind}",
                kind=type(first.payload).__name__,
            ),
            hint=_("start the round with Machine.start"),
        )
    return d


# --------------------------------------------------------------------------- step


def blocked(event: str, phase: str, reasons: Sequence[str], hint: str | None = None) -> None:
    """Raise :class:`~participa.TransitionNotAllowed` for ``event`` in ``phase``."""
    raise TransitionNotAllowed(
        _("cannot fire {event!r} in phase {phase!r}: ", event=event, phase=phase)
        + "; ".join(reasons),
        event=event,
        phase=phase,
        failed_guards=reasons,
        hint=hint,
    )


Resolve = Callable[[str], Guard]


def check_guards(names: Iterable[str], state: object, resolve: Resolve | None) -> list[str]:
    """``"name: reason"`` for every guard in ``names`` that blocks ``state``."""
    if resolve is None:
        return []
    reasons = []
    for name in names:
        why = resolve(name)(state)
        if why is not None:
            reasons.append(f"{name}: {why}")
    return reasons


def _move(state: S, event: Triggered, at: str, resolve: Resolve | None) -> S:
    spec = state.spec
    here = spec.phase(state.phase)
    out = spec.outgoing(state.phase)
    hit = [t for t in out if t.event == event.event]
    skipping = False
    if not hit and event.event == "skip" and here.optional:
        hit, skipping = list(out), True
    if not hit:
        events = sorted({t.event for t in out} | ({"skip"} if here.optional else set()))
        blocked(
            event.event,
            state.phase,
            [
                _(
                    "no transition {event!r} leaves phase {phase!r}",
                    event=event.event,
                    phase=state.phase,
                )
            ],
            hint=_("events here: {events}", events=", ".join(events) or _("none (final phase)")),
        )
    t: Transition = hit[0]
    reasons = check_guards(t.guards, state, resolve)
    if reasons:
        blocked(event.event, state.phase, reasons)
    visits = list(state.visits)
    visits[-1] = attrs.evolve(visits[-1], left=at, skipped=skipping)
    target = t.target
    seen = {state.phase}
    while target in state.disabled:
        if target in seen:
            blocked(
                event.event,
                state.phase,
                [_("disabled phases loop through {phase!r}", phase=target)],
            )
        seen.add(target)
        (nxt,) = spec.outgoing(target)
        reasons = check_guards(nxt.guards, state.moved(now=at, phase=target), resolve)
        if reasons:
            blocked(
                event.event,
                state.phase,
                [
                    _("while skipping disabled phase {phase!r}: {reason}", phase=target, reason=r)
                    for r in reasons
                ],
            )
        visits.append(Visit(target, at, left=at, skipped=True))
        target = nxt.target
    visits.append(Visit(target, at))
    return state.moved(now=at, phase=target, visits=tuple(visits))


def _decide(domain: Domain[S], state: S, payload: object, at: str, resolve: Resolve | None) -> S:
    d = domain.lookup(payload)
    phase = state.spec.phase(state.phase)
    if not d.everywhere and not phase.permits(d.kind):
        allowed = ", ".join(phase.allows) or _("approve and note only")
        blocked(
            d.kind,
            state.phase,
            [
                _(
                    "decision {kind!r} is not allowed in phase {phase!r}",
                    kind=d.kind,
                    phase=state.phase,
                )
            ],
            hint=_("allowed here: {allowed}", allowed=allowed),
        )
    reasons = check_guards(d.requires, state, resolve)
    if reasons:
        blocked(d.kind, state.phase, reasons)
    applies: _Applies = payload  # type: ignore[assignment]  # checked by lookup
    new: S = applies.apply(state, at)
    return new


def step(
    state: S | None,
    event: Event,
    *,
    guards: Resolve | None = None,
    domain: Domain[S] | None = None,
) -> S:
    """The pure transition function: the state after ``event`` (``None`` before the first).

    ``guards`` resolves guard names to functions; without it guards are not checked
    (as when replaying a stored log). ``domain`` defaults to the one whose start
    payload began the round (or that ``event`` starts).

    Raises
    ------
    TransitionNotAllowed
        The event has no transition from the current phase, a guard blocked it, or
        the decision is not allowed in this phase.
    ValidationError
        The event breaks a rule of the round (money, ids, time going backwards).
    """
    if not isinstance(event, Event):
        raise ValidationError(_("not an event: {value!r}", value=event))
    p = event.payload
    if state is None:
        dom = domain or domain_of(event)
        if not isinstance(p, dom.start):
            raise ValidationError(
                _(
                    "a round's first event must be {start}, got {kind}",
                    start=dom.start.__name__,
                    kind=type(p).__name__,
                ),
                hint=_("start the round with Machine.start"),
            )
        return dom.initial(p, event.at)
    if type(p) in _DOMAINS:
        raise ValidationError(_("this round has already started"))
    if event.at < state.now:
        raise ValidationError(
            _(
                "event time {at} is earlier than the round's latest event at {now}",
                at=event.at,
                now=state.now,
            ),
            hint=_("events are recorded in time order; pass the real time of the event"),
        )
    now = state.moved(now=event.at)
    if isinstance(p, Triggered):
        return _move(now, p, event.at, guards)
    reducer: Domain[S] = domain if domain is not None else _domain_of_state(state)
    return _decide(reducer, now, p, event.at, guards)


def _domain_of_state(state: object) -> Domain[Any]:
    for d in _DOMAINS.values():
        if d.state is type(state):
            return d
    raise ValidationError(_("no domain knows states of type {kind}", kind=type(state).__name__))


def replay(events: Iterable[Event]) -> Any:
    """The state a log produces, checking structure and money but not guards."""
    state: Any = None
    for e in events:
        try:
            state = step(state, e)
        except (TransitionNotAllowed, ValidationError) as exc:
            seq = e.seq if isinstance(e, Event) else "?"
            raise IntegrityError(
                _("event {seq} cannot be replayed: {error}", seq=seq, error=exc)
            ) from exc
    if state is None:
        raise IntegrityError(_("an empty log has no state"), hint=_("start the round first"))
    return state


def _events(value: Iterable[Event]) -> tuple[Event, ...]:
    raw: object = value
    if isinstance(raw, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(_("a round's events must be a sequence of events"))
    return tuple(value)


@serialize.register("participa.phases.Round")
@attrs.frozen(slots=True)
class Round(Generic[S]):
    """A round: its event log and the state the log produces.

    Building a ``Round`` (directly, with ``attrs.evolve`` or through
    ``participa.loads``) verifies the hash chain, replays the log and compares
    the result with ``state``: a stored round whose events or state were edited
    is refused with :class:`~participa.IntegrityError`. Machines build rounds
    from states they computed themselves without replaying.
    """

    events: tuple[Event, ...] = attrs.field(converter=_events)
    state: S

    def __attrs_post_init__(self) -> None:
        raw: object = self.state
        if isinstance(raw, dict) and self.events:
            # JSON keeps the state as a plain object: read it as the domain's state.
            from participa.serialize import decode

            state = decode(raw, domain_of(self.events[0]).state)
            object.__setattr__(self, "state", state)
        self.verify()

    @classmethod
    def _trusted(cls, events: tuple[Event, ...], state: S) -> Round[S]:
        """A round whose state was just computed by :func:`step` (no replay)."""
        rnd = object.__new__(cls)
        object.__setattr__(rnd, "events", events)
        object.__setattr__(rnd, "state", state)
        return rnd

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
        """The state, then the event log with times in ``utc_offset``.

        The default offset is the state's own (``state.utc_offset``: a PB round in soles
        shows Lima time, −05:00; see :data:`participa.display.UTC_OFFSETS`), else UTC.
        """
        from participa.display import html_table, local_time, view

        offset = utc_offset or getattr(self.state, "utc_offset", None)
        with use_language(lang):
            rows = (
                (e.seq, local_time(e.at, offset), e.actor, type(e.payload).__name__, e.hash[:12])
                for e in self.events
            )
            log = html_table(
                ("#", _("time"), _("actor"), _("event"), _("hash")),
                rows,
                caption=_("Event log"),
                wrap=False,
            )
            table = getattr(self.state, "_table", None)
            render = getattr(self.state, "_repr_html_", None)
            if callable(table):
                head = str(table(offset))
            elif callable(render):
                head = str(render())
            else:
                head = ""
            return view(head, log)

    def _repr_html_(self) -> str:
        return self.to_html()

    @property
    def head(self) -> str:
        """Hash of the last event: publish it to anchor the log (see ``docs/embedding.md``).

        It is also the version an optimistic writer must hold.
        """
        return self.events[-1].hash if self.events else GENESIS

    @property
    def round_id(self) -> str:
        """The round's id."""
        return self.state.round_id

    @property
    def phase(self) -> str:
        """The current phase."""
        return self.state.phase

    def verify(self, *, expected_head: str | None = None) -> None:
        """Check the hash chain, replay the log and compare with the stored state.

        With ``expected_head`` (a head published earlier) the log must end there,
        so events deleted from its end are caught too. Raises
        :class:`~participa.IntegrityError` naming the first bad event.
        """
        verify_chain(self.events, expected_head=expected_head)
        if replay(self.events) != self.state:
            raise IntegrityError(
                _("the stored state of the round differs from its replayed log"),
                hint=_("rebuild the state with participa.phases.Round.from_events"),
            )
        check = getattr(self.state, "check", None)
        if callable(check):
            check()

    @classmethod
    def from_events(
        cls, events: Iterable[Event], *, expected_head: str | None = None
    ) -> Round[Any]:
        """Rebuild a round from its log (verifying the chain and replaying it)."""
        evs = _events(events)
        verify_chain(evs, expected_head=expected_head)
        return cls._trusted(evs, replay(evs))

    def since(self, head: str) -> tuple[Event, ...]:
        """Events appended after the event whose hash is ``head``."""
        if head == GENESIS:
            return self.events
        for i, e in enumerate(self.events):
            if e.hash == head:
                return self.events[i + 1 :]
        raise ValidationError(
            _(
                "head {head} is not in round {round_id!r}",
                head=str(head)[:12] + "…",
                round_id=self.round_id,
            )
        )


_MOVED = ("RoundState",)


def __getattr__(name: str) -> Any:
    # Names of the PB round that lived here in 0.1.0 (see CHANGELOG).
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module("participa.process"), name)
    raise AttributeError(_("module {name!r} has no attribute {name2!r}", name=__name__, name2=name))
