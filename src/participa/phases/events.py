"""The append-only, hash-chained event log of a round.

Every change to a round is an :class:`Event`: a sequence number, a time (passed
in), an actor and a *payload* saying what happened, either a phase move
(:class:`Triggered`) or a decision (:class:`Allocated`, :class:`Reviewed`,
:class:`OutcomePublished`, :class:`Committed`, ...).

Each event's ``hash`` is the SHA-256 of its canonical JSON (the event without
its hash, keys sorted, no whitespace, UTF-8) followed by the previous event's
hash; the first event's previous hash is :data:`GENESIS`. Editing any stored
event, removing or reordering events breaks the chain, which :func:`verify_chain`
reports with the sequence number of the first bad event.

Examples
--------
>>> e0 = make_event(None, Noted("venue", "Casa Comunal"), actor="ana", at="2001-01-01T00:00:00Z")
>>> e1 = make_event(e0, Noted("chair", "Rosa"), actor="ana", at="2001-01-02T00:00:00Z")
>>> verify_chain((e0, e1))
>>> import attrs
>>> verify_chain((e0, attrs.evolve(e1, actor="mallory")))
Traceback (most recent call last):
...
participa.errors.IntegrityError: event 1 was changed after it was written: ...
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs

from participa import serialize
from participa.errors import IntegrityError, ValidationError
from participa.ledger import timestamp
from participa.model import Project
from participa.outcome import Outcome
from participa.phases.spec import MachineSpec

__all__ = [
    "GENESIS",
    "Allocated",
    "Approved",
    "BallotsClosed",
    "Committed",
    "Event",
    "Noted",
    "OutcomePublished",
    "Payload",
    "Pledged",
    "Proposed",
    "Reallocated",
    "Reviewed",
    "Spent",
    "Started",
    "Triggered",
    "canonical_json",
    "make_event",
    "verify_chain",
]

GENESIS = "0" * 64
"""The "previous hash" of a round's first event."""


def _frozen(value: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(value or {}))


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _projects(value: Iterable[Project]) -> tuple[Project, ...]:
    return tuple(value)


def _opt_ts(value: str | None) -> str | None:
    return None if value is None else timestamp(value)


def _deadlines(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType({k: timestamp(v) for k, v in (value or {}).items()})


def _positive(what: str, amount: object, project_id: str | None = None) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError(
            f"{what} must be a positive integer of minor units, got {amount!r}",
            project_id=project_id,
        )


@serialize.register("participa.phases.Started")
@attrs.frozen(slots=True)
class Started:
    """The first event of every round: its id, machine and money frame.

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
            raise ValidationError(f"round id must be a non-empty string, got {self.round_id!r}")
        if isinstance(self.envelope, bool) or not isinstance(self.envelope, int):
            raise ValidationError(f"envelope must be integer minor units, got {self.envelope!r}")
        if self.envelope < 0:
            raise ValidationError(f"envelope must be >= 0, got {self.envelope}")
        if self.minor_per_unit < 1:
            raise ValidationError(f"minor_per_unit must be >= 1, got {self.minor_per_unit}")
        problems: list[str] = []
        names = set(self.spec.phase_names)
        for d in self.disabled:
            if d not in names:
                problems.append(f"{d!r} is not a phase")
            elif not self.spec.phase(d).optional:
                problems.append(f"{d!r} is not optional")
        if self.spec.initial in self.disabled:
            problems.append(f"the initial phase {self.spec.initial!r} cannot be disabled")
        problems.extend(
            f"deadline for unknown phase {k!r}" for k in self.deadlines if k not in names
        )
        if problems:
            raise ValidationError(
                f"cannot start round {self.round_id!r}: " + "; ".join(problems),
                hint="only optional phases of the machine may be disabled",
            )


@serialize.register("participa.phases.Triggered")
@attrs.frozen(slots=True)
class Triggered:
    """A phase-machine event was fired (``event`` names the transition)."""

    kind: ClassVar[str] = "trigger"
    event: str
    note: str = ""


@serialize.register("participa.phases.Approved")
@attrs.frozen(slots=True)
class Approved:
    """A body approved something (``subject``), e.g. the council approving the formalisation."""

    kind: ClassVar[str] = "approve"
    subject: str
    body: str = ""
    reference: str = ""


@serialize.register("participa.phases.Noted")
@attrs.frozen(slots=True)
class Noted:
    """An application fact (``key`` → ``value``) that app-defined guards may look at."""

    kind: ClassVar[str] = "note"
    key: str
    value: str = ""


@serialize.register("participa.phases.Allocated")
@attrs.frozen(slots=True)
class Allocated:
    """The envelope was split among territories (territory id → minor units)."""

    kind: ClassVar[str] = "allocate"
    amounts: Mapping[str, int] = attrs.field(converter=_frozen, hash=False)
    method: str = ""

    def __attrs_post_init__(self) -> None:
        for t, a in self.amounts.items():
            if isinstance(a, bool) or not isinstance(a, int) or a < 0:
                raise ValidationError(
                    f"allocation to territory {t!r} must be a non-negative integer, got {a!r}"
                )


@serialize.register("participa.phases.Proposed")
@attrs.frozen(slots=True)
class Proposed:
    """Proposals were registered."""

    kind: ClassVar[str] = "propose"
    projects: tuple[Project, ...] = attrs.field(converter=_projects)


@serialize.register("participa.phases.Pledged")
@attrs.frozen(slots=True)
class Pledged:
    """A co-financing pledge (valued in minor units) was made for a project."""

    kind: ClassVar[str] = "pledge"
    project_id: str
    amount: int
    pledger: str = ""
    form: str = "money"

    def __attrs_post_init__(self) -> None:
        _positive("pledge", self.amount, self.project_id)


@serialize.register("participa.phases.Reviewed")
@attrs.frozen(slots=True)
class Reviewed:
    """The feasibility review is done: eligible ids, rejected ids with reasons, revised costs."""

    kind: ClassVar[str] = "review"
    eligible: tuple[str, ...] = attrs.field(converter=_strs)
    rejected: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False)
    costs: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen, hash=False)

    def __attrs_post_init__(self) -> None:
        both = sorted(set(self.eligible) & set(self.rejected))
        if both:
            raise ValidationError(f"projects both eligible and rejected: {both}")
        empty = sorted(p for p, r in self.rejected.items() if not r.strip())
        if empty:
            raise ValidationError(
                f"rejected projects without a reason: {empty}",
                hint="say why each project is unfeasible",
            )


@serialize.register("participa.phases.BallotsClosed")
@attrs.frozen(slots=True)
class BallotsClosed:
    """Voting closed in a territory: how many voters, and a digest of the ballots."""

    kind: ClassVar[str] = "close_ballots"
    territory: str
    voters: int = 0
    digest: str = ""


@serialize.register("participa.phases.OutcomePublished")
@attrs.frozen(slots=True)
class OutcomePublished:
    """A territory's outcome was published; its funding becomes the promise in the ledger.

    ``start_by`` is when funded projects should start (first commitment).
    """

    kind: ClassVar[str] = "publish"
    territory: str
    outcome: Outcome
    start_by: str | None = attrs.field(default=None, converter=_opt_ts)


@serialize.register("participa.phases.Committed")
@attrs.frozen(slots=True)
class Committed:
    """Money committed to a project."""

    kind: ClassVar[str] = "commit"
    project_id: str
    amount: int
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        _positive("commitment", self.amount, self.project_id)


@serialize.register("participa.phases.Spent")
@attrs.frozen(slots=True)
class Spent:
    """Money paid for a project."""

    kind: ClassVar[str] = "spend"
    project_id: str
    amount: int
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        _positive("spending", self.amount, self.project_id)


@serialize.register("participa.phases.Reallocated")
@attrs.frozen(slots=True)
class Reallocated:
    """Uncommitted promise moved to another project, or back to the fund (``to_project=None``)."""

    kind: ClassVar[str] = "reallocate"
    project_id: str
    amount: int
    to_project: str | None = None
    territory: str | None = None
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        _positive("reallocation", self.amount, self.project_id)
        if not self.reason.strip():
            raise ValidationError(
                "a reallocation needs a reason",
                project_id=self.project_id,
                hint="say who decided it and why (it is part of the accounts)",
            )


Payload = (
    Started
    | Triggered
    | Approved
    | Noted
    | Allocated
    | Proposed
    | Pledged
    | Reviewed
    | BallotsClosed
    | OutcomePublished
    | Committed
    | Spent
    | Reallocated
)
"""What an event says happened."""

PAYLOAD_TYPES: tuple[type[Payload], ...] = (
    Started,
    Triggered,
    Approved,
    Noted,
    Allocated,
    Proposed,
    Pledged,
    Reviewed,
    BallotsClosed,
    OutcomePublished,
    Committed,
    Spent,
    Reallocated,
)


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
        What happened.
    prev
        Hash of the previous event (:data:`GENESIS` for the first).
    hash
        SHA-256 of :func:`canonical_json` of this event followed by ``prev``.
    """

    seq: int
    at: str = attrs.field(converter=timestamp)
    actor: str
    payload: Payload
    prev: str
    hash: str = ""

    @property
    def kind(self) -> str:
        """The payload's kind (``"trigger"``, ``"commit"``, ...)."""
        return self.payload.kind

    def expected_hash(self) -> str:
        """The hash this event must carry."""
        return hashlib.sha256((canonical_json(self) + self.prev).encode("utf-8")).hexdigest()


def canonical_json(event: Event) -> str:
    """The event (without its ``hash``) as JSON with sorted keys and no whitespace."""
    from participa.serialize import encode

    data = encode(event, legacy_names=True)  # type tags as 0.1.0 hashed them
    data.pop("hash", None)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def make_event(previous: Event | None, payload: Payload, *, actor: str, at: str) -> Event:
    """The event that follows ``previous`` (``None`` for the first), with its hash."""
    if not isinstance(actor, str) or not actor.strip():
        raise ValidationError(f"an event needs an actor, got {actor!r}", hint="say who did it")
    seq = 0 if previous is None else previous.seq + 1
    prev = GENESIS if previous is None else previous.hash
    draft = Event(seq, at, actor, payload, prev)
    return attrs.evolve(draft, hash=draft.expected_hash())


def verify_chain(events: Iterable[Event]) -> None:
    """Check sequence numbers, links and hashes; raise :class:`~participa.IntegrityError`.

    The message names the first bad event by its sequence number.
    """
    prev = GENESIS
    for i, e in enumerate(events):
        if e.seq != i:
            raise IntegrityError(
                f"event at position {i} has sequence number {e.seq}",
                hint="events were removed, duplicated or reordered",
            )
        if e.prev != prev:
            raise IntegrityError(
                f"event {i} does not link to the previous event's hash",
                hint="events were removed, inserted or reordered",
            )
        if e.hash != e.expected_hash():
            raise IntegrityError(
                f"event {i} was changed after it was written: its hash does not match",
                hint="restore the original from a backup; the log is append-only",
            )
        prev = e.hash
