"""The append-only, hash-chained event log of a round (generic: any payload type).

Every change to a round is an :class:`Event`: a sequence number, a time (passed
in), an actor and a *payload* saying what happened, either a phase move
(:class:`Triggered`) or a decision of the round's domain (for a PB round:
:mod:`participa.process.decisions`).

What the hash covers
--------------------
Each event's ``hash`` is the SHA-256 of :func:`canonical_json`: the event's
sequence number, time (``at``), kind (``kind``), actor, payload (tagged with its
type) and the previous event's hash, as JSON with sorted keys and no whitespace,
UTF-8. The first event's previous hash is :data:`GENESIS`. Editing any field of a
stored event (its time and kind included), removing, inserting or reordering
events breaks the chain, which :func:`verify_chain` reports with the sequence
number of the first bad event.

Deleting events *at the end* leaves a shorter chain that is still valid: only a
head hash kept elsewhere (published, signed, sent to a notary) catches that.
:func:`verify_chain` takes it as ``expected_head``.

Examples
--------
>>> from participa.process import Noted
>>> e0 = make_event(None, Noted("venue", "Casa Comunal"), actor="ana", at="2001-01-01T00:00:00Z")
>>> e1 = make_event(e0, Noted("chair", "Rosa"), actor="ana", at="2001-01-02T00:00:00Z")
>>> verify_chain((e0, e1), expected_head=e1.hash)
>>> import attrs
>>> verify_chain((e0, attrs.evolve(e1, at="2001-01-03T00:00:00Z")))
Traceback (most recent call last):
...
participa.errors.IntegrityError: event 1 was changed after it was written: ...
>>> verify_chain((e0,), expected_head=e1.hash)
Traceback (most recent call last):
...
participa.errors.IntegrityError: the log ends at event 0 (head ...), not at the expected head ...
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, ClassVar, Protocol

import attrs

from participa import serialize
from participa.errors import IntegrityError, ValidationError
from participa.i18n import _
from participa.ledger import timestamp

__all__ = [
    "GENESIS",
    "Event",
    "Payload",
    "Triggered",
    "canonical_json",
    "make_event",
    "verify_chain",
]

GENESIS = "0" * 64
"""The "previous hash" of a round's first event."""


class Payload(Protocol):
    """What an event says happened: any registered attrs value with a ``kind`` name."""

    kind: ClassVar[str]


@serialize.register("participa.phases.Triggered")
@attrs.frozen(slots=True)
class Triggered:
    """A phase-machine event was fired (``event`` names the transition)."""

    kind: ClassVar[str] = "trigger"
    event: str
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.event, str) or not self.event.strip():
            raise ValidationError(
                _("a machine event must be a non-empty string, got {value!r}", value=self.event)
            )
        if not isinstance(self.note, str):
            raise ValidationError(_("a note must be a string, got {value!r}", value=self.note))


def _actor(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            _("an event needs an actor, got {actor!r}", actor=value), hint=_("say who did it")
        )
    return value


@serialize.register("participa.phases.Event")
@attrs.frozen(slots=True)
class Event:
    """One entry of the log.

    Parameters
    ----------
    seq
        0-based position in the round's log.
    at
        When it happened (canonical UTC timestamp, passed in by the caller).
    actor
        Who did it (a user id, "council", "equipo técnico").
    payload
        What happened (a registered payload: :class:`Triggered` or a decision).
    prev
        Hash of the previous event (:data:`GENESIS` for the first).
    hash
        SHA-256 of :func:`canonical_json` of this event (``prev`` included).
    """

    seq: int
    at: str = attrs.field(converter=timestamp)
    actor: str
    payload: Any
    prev: str
    hash: str = ""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or self.seq < 0:
            raise ValidationError(
                _("an event's sequence number must be an integer >= 0, got {seq!r}", seq=self.seq)
            )
        _actor(self.actor)
        kind = getattr(type(self.payload), "kind", None)
        if not isinstance(kind, str) or not attrs.has(type(self.payload)):
            raise ValidationError(
                _(
                    "an event's payload must be a decision or a trigger, got {value!r}",
                    value=self.payload,
                ),
            )
        for name, value in (("prev", self.prev), ("hash", self.hash)):
            if not isinstance(value, str):
                raise ValidationError(
                    _(
                        "an event's {field} must be a hex string, got {value!r}",
                        field=name,
                        value=value,
                    )
                )

    @property
    def kind(self) -> str:
        """The payload's kind (``"trigger"``, ``"commit"``, ...)."""
        return str(type(self.payload).kind)

    def expected_hash(self) -> str:
        """The hash this event must carry."""
        return hashlib.sha256(canonical_json(self).encode("utf-8")).hexdigest()

    def legacy_hash(self) -> str:
        """The hash participa 0.1.0 gave this event (its fields, then ``prev`` appended).

        It covers the same fields (the payload's kind through its JSON type name);
        :func:`verify_chain` accepts it so that logs written by 0.1.0 still verify.
        New events always carry :meth:`expected_hash`.
        """
        from participa.serialize import encode

        data = encode(self, legacy_names=True)  # type tags as 0.1.0 wrote them
        data.pop("hash", None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256((text + self.prev).encode("utf-8")).hexdigest()


def canonical_json(event: Event) -> str:
    """The hashed form of an event: every field but ``hash``, plus ``kind``, sorted, compact.

    Examples
    --------
    >>> from participa.process import Noted
    >>> e = make_event(None, Noted("k", "v"), actor="ana", at="2001-01-01T00:00:00Z")
    >>> sorted(json.loads(canonical_json(e)))
    ['actor', 'at', 'kind', 'payload', 'prev', 'seq']
    """
    from participa.serialize import encode

    data = encode(event, legacy_names=True)  # stable across type renames
    data.pop("hash", None)
    data["kind"] = event.kind
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def make_event(previous: Event | None, payload: Any, *, actor: str, at: str) -> Event:
    """The event that follows ``previous`` (``None`` for the first), with its hash."""
    _actor(actor)
    if previous is not None and not isinstance(previous, Event):
        raise ValidationError(
            _("the previous event must be an Event or None, got {value!r}", value=previous)
        )
    seq = 0 if previous is None else previous.seq + 1
    prev = GENESIS if previous is None else previous.hash
    draft = Event(seq, at, actor, payload, prev)
    return attrs.evolve(draft, hash=draft.expected_hash())


def verify_chain(events: Iterable[Event], *, expected_head: str | None = None) -> None:
    """Check sequence numbers, links and hashes; raise :class:`~participa.IntegrityError`.

    The message names the first bad event by its sequence number. With
    ``expected_head`` (a head hash published earlier), a log that does not end
    exactly there (events deleted from, or added to, its end) is refused too.
    """
    prev = GENESIS
    last = -1
    for i, e in enumerate(events):
        if not isinstance(e, Event):
            raise IntegrityError(_("log entry {i} is not an event: {value!r}", i=i, value=e))
        if e.seq != i:
            raise IntegrityError(
                _("event at position {i} has sequence number {seq}", i=i, seq=e.seq),
                hint=_("events were removed, duplicated or reordered"),
            )
        if e.prev != prev:
            raise IntegrityError(
                _("event {i} does not link to the previous event's hash", i=i),
                hint=_("events were removed, inserted or reordered"),
            )
        if e.hash != e.expected_hash() and e.hash != e.legacy_hash():
            raise IntegrityError(
                _("event {i} was changed after it was written: its hash does not match", i=i),
                hint=_("restore the original from a backup; the log is append-only"),
            )
        prev, last = e.hash, i
    if expected_head is not None and prev != expected_head:
        raise IntegrityError(
            _(
                "the log ends at event {seq} (head {head}), not at the expected head {expected}",
                seq=last,
                head=prev[:12] + "…",
                expected=str(expected_head)[:12] + "…",
            ),
            hint=_("events were deleted from the end, or appended after the head was published"),
        )


_MOVED = (
    "Allocated",
    "Approved",
    "BallotsClosed",
    "Committed",
    "Noted",
    "OutcomePublished",
    "Pledged",
    "Proposed",
    "Reallocated",
    "Reviewed",
    "Spent",
    "Started",
    "PAYLOAD_TYPES",
)


def __getattr__(name: str) -> Any:
    # Names of the PB round that lived here in 0.1.0 (see CHANGELOG).
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module("participa.process"), name)
    raise AttributeError(_("module {name!r} has no attribute {name2!r}", name=__name__, name2=name))
