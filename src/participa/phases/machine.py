"""The machine: a specification bound to a domain, guard functions and hooks.

:class:`Machine` starts rounds and moves them on with events (phase moves with
:meth:`Machine.fire`, decisions with :meth:`Machine.record`); :class:`Hooks` lets
an embedding app react after an event was accepted.

Examples
--------
>>> from participa.phases import Machine, presets
>>> m = Machine(presets.ves_2001())
>>> sorted(m.blocked(m.start(round_id="r", actor="a", at="2001-01-02T00:00:00Z").state))
['launch']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from participa.boundary import typed_fields
from participa.errors import ValidationError
from participa.i18n import _, ngettext
from participa.ledger import timestamp
from participa.phases.engine import Domain, Round, check_guards, step
from participa.phases.events import Event, Triggered, make_event
from participa.phases.guards import Guard, GuardFamily
from participa.phases.spec import MachineSpec

__all__ = ["Hooks", "Machine", "PhaseChange"]


@attrs.frozen(slots=True, field_transformer=typed_fields)
class PhaseChange:
    """What a hook is told: a phase entered or left, by which event, and the new state."""

    phase: str
    entering: bool
    skipped: bool
    event: Event
    state: Any


Hook = Callable[[PhaseChange], None]
EventHook = Callable[[Event, Any], None]


def _hookmap(value: Mapping[str, Sequence[Hook]] | None) -> Mapping[str, tuple[Hook, ...]]:
    return MappingProxyType({k: tuple(v) for k, v in (value or {}).items()})


def _eventhooks(value: Iterable[EventHook]) -> tuple[EventHook, ...]:
    return tuple(value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
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

    def run(self, before: Any, event: Event, after: Any) -> None:
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


def _default_domain() -> Domain[Any]:
    # The one place the generic engine names a domain: a Machine built without one
    # runs PB rounds (participa.process.ROUND), as every preset expects.
    from participa.process.round import ROUND

    return ROUND


def _spec(value: object) -> MachineSpec:
    if not isinstance(value, MachineSpec):
        raise ValidationError(
            _("a machine needs a MachineSpec, got {value!r}", value=value),
            hint=_("use a preset, e.g. participa.phases.presets.ves_2001()"),
        )
    return value


def _hooks(value: object) -> Hooks:
    if not isinstance(value, Hooks):
        raise ValidationError(_("hooks must be a Hooks value, got {value!r}", value=value))
    return value


def _domain(value: object) -> Domain[Any]:
    if not isinstance(value, Domain):
        raise ValidationError(_("domain must be a Domain, got {value!r}", value=value))
    return value


def _guardmap(value: Mapping[str, Guard] | None) -> Mapping[str, Guard] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and callable(v) for k, v in value.items()
    ):
        raise ValidationError(
            _("guards must map names to functions, got {value!r}", value=value),
            hint=_("pass guards=standard_guards() | {name: function, ...}"),
        )
    return MappingProxyType(dict(value))


def _familymap(value: Mapping[str, GuardFamily] | None) -> Mapping[str, GuardFamily] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and callable(v) for k, v in value.items()
    ):
        raise ValidationError(_("guard families must map prefixes to functions"))
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Machine:
    """A specification bound to a domain, guard functions and hooks; drives rounds.

    Parameters
    ----------
    spec
        The phases and transitions (a preset or your own).
    guards
        Guard name → predicate; defaults to the domain's named guards
        (:func:`participa.process.standard_guards` for a PB round). Extend with
        ``standard_guards() | {"mine": my_guard}``.
    families
        Prefix → guard factory for names like ``approved:council``; defaults to
        the domain's families plus ``before_deadline``.
    hooks
        Callbacks run after each accepted event.
    domain
        What the rounds decide (the reducer interface); defaults to the PB round,
        :data:`participa.process.ROUND`.

    Notes
    -----
    Every guard name used by ``spec`` or required by a decision must resolve, and
    every decision a phase allows must be one of the domain's; all faults are
    listed in one ``ValidationError`` when the machine is built.
    """

    spec: MachineSpec = attrs.field(converter=_spec)
    guards: Mapping[str, Guard] | None = attrs.field(default=None, converter=_guardmap)
    families: Mapping[str, GuardFamily] | None = attrs.field(default=None, converter=_familymap)
    hooks: Hooks = attrs.field(factory=Hooks, converter=_hooks)
    domain: Domain[Any] = attrs.field(factory=_default_domain, converter=_domain)

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "Machine",
            self.spec.name,
            [
                ngettext("{n} phase", "{n} phases", len(self.spec.phases)),
                ngettext("{n} guard", "{n} guards", len(self.guards or {})),
            ],
        )

    def __attrs_post_init__(self) -> None:
        if self.guards is None:
            object.__setattr__(self, "guards", self.domain.standard_guards())
        if self.families is None:
            object.__setattr__(self, "families", self.domain.standard_families())
        problems: list[str] = []
        required = [g for d in self.domain.decisions.values() for g in d.requires]
        missing = [g for g in (*self.spec.guard_names(), *required) if self._lookup(g) is None]
        if missing:
            problems.append(_("uses guards with no function: {names}", names=sorted(set(missing))))
        unknown = [k for k in self.spec.decision_names() if k not in self.domain.decisions]
        if unknown:
            problems.append(
                _(
                    "its phases allow unknown decisions {names} (known: {known})",
                    names=unknown,
                    known=", ".join(self.domain.kinds()),
                )
            )
        if problems:
            hint = (
                _("pass guards=standard_guards() | {name: function, ...}")
                if missing
                else _("register the decision with @domain.decision(...) or fix the phase's allows")
            )
            raise ValidationError(
                _("machine {name!r} ", name=self.spec.name) + "; ".join(problems), hint=hint
            )

    def _lookup(self, name: str) -> Guard | None:
        guards = self.guards or {}
        families = self.families or {}
        if name in guards:
            return guards[name]
        prefix, sep, arg = name.partition(":")
        if sep and prefix in families:
            return families[prefix](arg)
        return None

    def guard(self, name: str) -> Guard:
        """The guard function for ``name``."""
        g = self._lookup(name) if isinstance(name, str) else None
        if g is None:
            raise ValidationError(_("no guard called {name!r}", name=name))
        return g

    def _own(self, rnd: Round[Any]) -> None:
        if not isinstance(rnd, Round):
            raise ValidationError(_("not a round: {value!r}", value=rnd))
        if rnd.state.spec != self.spec:
            raise ValidationError(
                _(
                    "round {round_id!r} follows machine {theirs!r}, not this machine's "
                    "{ours!r} (or a different version of it)",
                    round_id=rnd.round_id,
                    theirs=rnd.state.spec.name,
                    ours=self.spec.name,
                ),
                hint=_("build the Machine from the round's own spec: Machine(rnd.state.spec, ...)"),
            )

    def start(
        self, *, round_id: str, actor: str, at: str, hooks: bool = True, **options: Any
    ) -> Round[Any]:
        """A new round in the initial phase; its first event is the domain's start payload.

        ``options`` are the start payload's other fields (for a PB round:
        ``envelope``, ``currency``, ``minor_per_unit``, ``disabled``, ``deadlines``;
        see :class:`participa.process.Started`).
        """
        try:
            payload = self.domain.start(round_id, self.spec, **options)
        except TypeError as exc:
            raise ValidationError(
                _("cannot start a round with these options: {error}", error=exc)
            ) from None
        event = make_event(None, payload, actor=actor, at=at)
        state = step(None, event, domain=self.domain)
        if hooks:
            self.hooks.run(None, event, state)
        return Round._trusted((event,), state)

    def apply(
        self, rnd: Round[Any], payload: Any, *, actor: str, at: str, hooks: bool = True
    ) -> Round[Any]:
        """The round after one more event (phase move or decision), guards checked."""
        self._own(rnd)
        event = make_event(rnd.events[-1] if rnd.events else None, payload, actor=actor, at=at)
        state = step(rnd.state, event, guards=self.guard, domain=self.domain)
        if hooks:
            self.hooks.run(rnd.state, event, state)
        return Round._trusted((*rnd.events, event), state)

    def fire(
        self,
        rnd: Round[Any],
        event: str,
        *,
        actor: str,
        at: str,
        note: str = "",
        hooks: bool = True,
    ) -> Round[Any]:
        """Fire the machine event ``event`` (a transition name, or ``"skip"``)."""
        return self.apply(rnd, Triggered(event, note), actor=actor, at=at, hooks=hooks)

    def record(
        self, rnd: Round[Any], decision: Any, *, actor: str, at: str, hooks: bool = True
    ) -> Round[Any]:
        """Record a decision (allocation, review, outcome, commitment, ...)."""
        if isinstance(decision, Triggered | self.domain.start):
            raise ValidationError(_("use Machine.fire / Machine.start for phase events"))
        self.domain.lookup(decision)
        return self.apply(rnd, decision, actor=actor, at=at, hooks=hooks)

    def notify(self, before: Round[Any], after: Round[Any]) -> None:
        """Run the hooks for every event ``after`` has beyond ``before``."""
        state = before.state
        for e in after.events[len(before.events) :]:
            nxt = step(state, e, domain=self.domain)
            self.hooks.run(state, e, nxt)
            state = nxt

    def blocked(self, state: Any, *, at: str | None = None) -> Mapping[str, tuple[str, ...]]:
        """Each event leaving the current phase → the reasons it is blocked (empty: allowed).

        ``at`` is the time to check guards at (default: the state's ``now``).
        """
        view = state if at is None else state.moved(now=timestamp(at))
        out: dict[str, tuple[str, ...]] = {}
        for t in self.spec.outgoing(state.phase):
            out[t.event] = tuple(check_guards(t.guards, view, self.guard))
        return MappingProxyType(out)

    def overdue(self, state: Any, *, now: str) -> tuple[tuple[str, str], ...]:
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
