"""Guards: named predicates over a round's state that return ``None`` or a reason.

A guard is any ``Callable[[state], str | None]``: ``None`` lets the transition
(or decision) through, a string blocks it and is shown to people as the reason.
Specifications name guards; a :class:`~participa.phases.Machine` maps the names
to functions. Names with a colon are *families*: ``approved:council`` is the
``approved`` family applied to ``"council"``.

The engine itself provides one family, ``before_deadline:<phase>`` (the event's
time is not after the phase's deadline). A domain provides the rest where it
registers its decisions: for a PB round see :mod:`participa.process.round`
(``allocation_made``, ``proposals_registered``, ``review_complete``,
``ballots_closed``, ``outcomes_published``, ``approved:<subject>``,
``fact:<key>``).

The state a guard sees has ``now`` set to the time of the event being checked.

Examples
--------
>>> from participa.phases import Machine, presets
>>> m = Machine(presets.ves_2001().with_phase("assignment", deadline="2001-01-31T00:00:00Z"))
>>> r = m.start(round_id="r", actor="a", at="2001-01-02T00:00:00Z")
>>> before_deadline("assignment")(r.state) is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from participa.i18n import _

__all__ = ["Guard", "GuardFamily", "before_deadline", "generic_families"]

Guard = Callable[[Any], str | None]
"""A predicate over the round's state: ``None`` to allow, a reason to block."""

GuardFamily = Callable[[str], Guard]
"""Builds a guard from the text after the colon of its name."""


def before_deadline(phase: str) -> Guard:
    """A guard that blocks once the event's time is past ``phase``'s deadline."""

    def guard(state: Any) -> str | None:
        deadline = state.deadline(phase)
        if deadline is not None and state.now > deadline:
            return _(
                "the deadline of phase {phase!r} ({deadline}) has passed",
                phase=phase,
                deadline=deadline,
            )
        return None

    return guard


def generic_families() -> Mapping[str, GuardFamily]:
    """The engine's guard families (``before_deadline``)."""
    return MappingProxyType({"before_deadline": before_deadline})


_MOVED = (
    "allocation_made",
    "approved",
    "ballots_closed",
    "fact",
    "outcomes_published",
    "proposals_registered",
    "review_complete",
    "standard_families",
    "standard_guards",
)


def __getattr__(name: str) -> Any:
    # Names of the PB round that lived here in 0.1.0 (see CHANGELOG).
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module("participa.process"), name)
    raise AttributeError(_("module {name!r} has no attribute {name2!r}", name=__name__, name2=name))
