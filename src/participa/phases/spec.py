"""Phases and transitions as data: :class:`Phase`, :class:`Transition`, :class:`MachineSpec`.

A machine specification is a plain, serialisable value. It is validated when
built: unknown phases, duplicate names, duplicate ``(phase, event)`` pairs,
phases that cannot be reached from the initial one and dead ends (a non-final
phase with no way out) are all listed in one :class:`~participa.ValidationError`.

Guards are referred to by *name* (``"review_complete"``, ``"approved:council"``);
the functions behind the names are given to :class:`~participa.phases.Machine`,
so a specification stays data that can be copied, changed, stored and compared.

Examples
--------
>>> spec = MachineSpec(
...     "mini",
...     phases=(Phase("draft"), Phase("vote", allows=("close_ballots",)), Phase("done")),
...     transitions=(Transition("open", "draft", "vote"), Transition("close", "vote", "done")),
...     initial="draft", final=("done",))
>>> spec.successors("draft")
('vote',)
>>> MachineSpec("bad", phases=(Phase("a"), Phase("a"), Phase("b"), Phase("c")),
...             transitions=(Transition("go", "a", "b"),), initial="a", final=())
Traceback (most recent call last):
...
participa.errors.ValidationError: invalid phase machine 'bad': duplicate phase names ['a']; ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from participa import serialize
from participa.errors import ValidationError
from participa.i18n import _
from participa.ledger import timestamp

__all__ = ["MachineSpec", "Phase", "Transition"]


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _opt_ts(value: str | None) -> str | None:
    return None if value is None else timestamp(value)


@serialize.register("participa.phases.Phase")
@attrs.frozen(slots=True)
class Phase:
    """One phase of a round.

    Parameters
    ----------
    name
        Unique identifier used in transitions and events (``"concertacion"``).
    title
        Name for people, in the source's language (``"Concertación"``).
    steps
        The named steps inside the phase (documentation and checklists).
    allows
        Decision kinds that may be recorded in this phase, or ``("*",)`` for all.
        The names are checked against the machine's domain (for a PB round,
        :data:`participa.process.DECISIONS`) when the
        :class:`~participa.phases.Machine` is built; decisions the domain allows
        everywhere (``approve``, ``note``) need not be listed.
    optional
        Whether a round may disable (skip) this phase. An optional phase must have
        exactly one way out, which a skip follows.
    deadline
        Default deadline (ISO-8601 with offset); a round may override it.
    description
        A sentence on what happens, with its source.
    """

    name: str
    title: str = ""
    steps: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    allows: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    optional: bool = False
    deadline: str | None = attrs.field(default=None, converter=_opt_ts)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(
                _("phase name must be a non-empty string, got {name!r}", name=self.name)
            )
        bad = [a for a in self.allows if not isinstance(a, str) or not a.strip()]
        if bad:
            raise ValidationError(
                _(
                    "phase {phase!r} allows decisions that are not names: {bad}",
                    phase=self.name,
                    bad=bad,
                ),
                hint=_("name each decision, e.g. 'allocate', or '*' for all"),
            )

    def permits(self, decision: str) -> bool:
        """Whether this phase lists ``decision`` (or ``"*"``).

        Decisions the machine's domain allows everywhere (``approve``, ``note``)
        are accepted in every phase whatever this says.
        """
        return "*" in self.allows or decision in self.allows


@serialize.register("participa.phases.Transition")
@attrs.frozen(slots=True)
class Transition:
    """An edge: on ``event`` in phase ``source``, move to ``target`` if every guard passes.

    ``guards`` are guard *names*, resolved by the :class:`~participa.phases.Machine`.
    """

    event: str
    source: str
    target: str
    guards: tuple[str, ...] = attrs.field(default=(), converter=_strs)

    def __attrs_post_init__(self) -> None:
        for what, v in (("event", self.event), ("source", self.source), ("target", self.target)):
            if not isinstance(v, str) or not v.strip():
                raise ValidationError(
                    _("transition {what} must be a non-empty string, got {v!r}", what=what, v=v)
                )


def _phases(value: Iterable[Phase]) -> tuple[Phase, ...]:
    return tuple(value)


def _transitions(value: Iterable[Transition]) -> tuple[Transition, ...]:
    return tuple(value)


@serialize.register("participa.phases.MachineSpec")
@attrs.frozen(slots=True)
class MachineSpec:
    """A phase machine as data: phases, transitions, the initial and final phases.

    Parameters
    ----------
    name
        Identifier of the specification (``"ley-28056"``).
    phases
        The phases, in their usual order.
    transitions
        The allowed moves; at most one per ``(source, event)``.
    initial
        The phase a round starts in.
    final
        Phases where a round may stay for good (no way out needed).
    source
        Where the phases come from (law, decree, platform), for people.
    """

    name: str
    phases: tuple[Phase, ...] = attrs.field(converter=_phases)
    transitions: tuple[Transition, ...] = attrs.field(converter=_transitions)
    initial: str
    final: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    source: str = ""

    def __repr__(self) -> str:
        from participa.display import summary
        from participa.i18n import ngettext

        return summary(
            "MachineSpec",
            self.name,
            [
                ngettext("{n} phase", "{n} phases", len(self.phases)),
                ngettext("{n} transition", "{n} transitions", len(self.transitions)),
            ],
        )

    def __attrs_post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(
                _("invalid phase machine {name!r}: ", name=self.name) + "; ".join(problems),
                hint=_("fix every problem listed; phases and transitions are plain data"),
            )

    def problems(self) -> list[str]:
        """Everything wrong with the specification, as sentences (empty when valid)."""
        out: list[str] = []
        names = [p.name for p in self.phases]
        dups = sorted({n for n in names if names.count(n) > 1})
        if dups:
            out.append(_("duplicate phase names {dups}", dups=dups))
        known = set(names)
        if self.initial not in known:
            out.append(_("initial phase {initial!r} is not a phase", initial=self.initial))
        unknown_final = [f for f in self.final if f not in known]
        if unknown_final:
            out.append(
                _("final phases {unknown_final} are not phases", unknown_final=unknown_final)
            )
        bad_refs = sorted(
            {
                f"{t.source}--{t.event}->{t.target}"
                for t in self.transitions
                if t.source not in known or t.target not in known
            }
        )
        if bad_refs:
            out.append(_("transitions naming unknown phases {bad_refs}", bad_refs=bad_refs))
        pairs: set[tuple[str, str]] = set()
        dup_pairs: set[str] = set()
        for t in self.transitions:
            if (t.source, t.event) in pairs:
                dup_pairs.add(f"{t.source}/{t.event}")
            pairs.add((t.source, t.event))
        if dup_pairs:
            out.append(
                _("duplicate (phase, event) transitions {dup_pairs}", dup_pairs=sorted(dup_pairs))
            )
        if self.initial in known:
            reach = {self.initial}
            frontier = [self.initial]
            while frontier:
                p = frontier.pop()
                for t in self.transitions:
                    if t.source == p and t.target in known and t.target not in reach:
                        reach.add(t.target)
                        frontier.append(t.target)
            unreachable = [n for n in dict.fromkeys(names) if n not in reach]
            if unreachable:
                out.append(_("unreachable phases {unreachable}", unreachable=unreachable))
        dead = [
            n
            for n in dict.fromkeys(names)
            if n not in self.final and not any(t.source == n for t in self.transitions)
        ]
        if dead:
            out.append(_("dead ends (not final, no way out) {dead}", dead=dead))
        one_way = [
            p.name
            for p in self.phases
            if p.optional and sum(1 for t in self.transitions if t.source == p.name) != 1
        ]
        if one_way:
            out.append(_("optional phases without exactly one way out {one_way}", one_way=one_way))
        return out

    def phase(self, name: str) -> Phase:
        """The phase called ``name``."""
        for p in self.phases:
            if p.name == name:
                return p
        raise ValidationError(
            _("machine {name!r} has no phase {name2!r}", name=self.name, name2=name),
            hint=_("phases: {items}", items=", ".join(p.name for p in self.phases)),
        )

    @property
    def phase_names(self) -> tuple[str, ...]:
        """Names of the phases, in order."""
        return tuple(p.name for p in self.phases)

    def outgoing(self, phase: str) -> tuple[Transition, ...]:
        """Transitions leaving ``phase``, in declaration order."""
        return tuple(t for t in self.transitions if t.source == phase)

    def successors(self, phase: str) -> tuple[str, ...]:
        """Phases reachable in one step from ``phase``."""
        return tuple(dict.fromkeys(t.target for t in self.outgoing(phase)))

    def decision_names(self) -> tuple[str, ...]:
        """Every decision name the phases allow (``"*"`` excluded), sorted."""
        return tuple(sorted({a for p in self.phases for a in p.allows if a != "*"}))

    def guard_names(self) -> tuple[str, ...]:
        """Every guard name used, sorted."""
        return tuple(sorted({g for t in self.transitions for g in t.guards}))

    # -- editing helpers: each returns a new, re-validated specification ------------------

    def insert_after(
        self, after: str, phase: Phase, *, event: str = "next", guards: Iterable[str] = ()
    ) -> MachineSpec:
        """Put ``phase`` between ``after`` and its single successor.

        ``after --e--> X`` becomes ``after --e--> phase --event--> X``; the old
        transition's guards stay on the first edge, ``guards`` go on the second.

        Examples
        --------
        >>> from participa.phases import presets
        >>> spec = presets.consul().insert_after(
        ...     "balloting", Phase("audit", title="Public audit"), event="audited",
        ...     guards=("fact:audit_signed",))
        >>> spec.successors("balloting"), spec.successors("audit")
        (('audit',), ('reviewing_ballots',))
        """
        out = self.outgoing(after)
        if len(out) != 1:
            raise ValidationError(
                _(
                    "phase {after!r} of {name!r} has {out_count} ways out, not one",
                    after=after,
                    name=self.name,
                    out_count=len(out),
                ),
                hint=_("add the phase and its transitions with attrs.evolve instead"),
            )
        (old,) = out
        idx = self.phase_names.index(after) + 1
        phases = (*self.phases[:idx], phase, *self.phases[idx:])
        moved = [attrs.evolve(t, target=phase.name) if t is old else t for t in self.transitions]
        transitions = (*moved, Transition(event, phase.name, old.target, _strs(guards)))
        return attrs.evolve(self, phases=phases, transitions=transitions)

    def with_guard(self, source: str, event: str, guard: str) -> MachineSpec:
        """Add guard name ``guard`` to the transition ``source --event-->``."""
        hit = [t for t in self.transitions if t.source == source and t.event == event]
        if not hit:
            raise ValidationError(
                _(
                    "machine {name!r} has no transition {event!r} from phase {source!r}",
                    name=self.name,
                    event=event,
                    source=source,
                )
            )
        transitions = tuple(
            attrs.evolve(t, guards=(*t.guards, guard)) if t is hit[0] else t
            for t in self.transitions
        )
        return attrs.evolve(self, transitions=transitions)

    def with_phase(self, name: str, **changes: object) -> MachineSpec:
        """Change fields of one phase (``title``, ``deadline``, ``optional``, ...)."""
        p = self.phase(name)
        return attrs.evolve(
            self,
            phases=tuple(attrs.evolve(q, **changes) if q is p else q for q in self.phases),  # type: ignore[arg-type]
        )

    def to_mermaid(self) -> str:
        """The machine as a Mermaid ``stateDiagram`` (for docs and dashboards)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for t in self.transitions:
            g = f" [{', '.join(t.guards)}]" if t.guards else ""
            lines.append(f"    {t.source} --> {t.target}: {t.event}{g}")
        lines.extend(f"    {f} --> [*]" for f in self.final)
        return "\n".join(lines)


def phase_titles(spec: MachineSpec) -> Mapping[str, str]:
    """Phase name → title (or the name when untitled)."""
    return MappingProxyType({p.name: p.title or p.name for p in spec.phases})


_MOVED = ("DECISIONS",)


def __getattr__(name: str) -> Any:
    # Names of the PB round that lived here in 0.1.0 (see CHANGELOG).
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module("participa.process"), name)
    raise AttributeError(_("module {name!r} has no attribute {name2!r}", name=__name__, name2=name))
