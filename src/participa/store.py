"""Persistence for rounds: a small store protocol, an in-memory store and SQLite.

A store keeps each round's event log, append-only. Writers use *optimistic
concurrency on the log head*: :meth:`RoundStore.append` takes the head hash the
writer based its new events on, and fails with
:class:`~participa.ConcurrencyError` if someone else appended first — so two
writers racing on a stale state never both succeed. The loser reloads and
retries.

:class:`SQLiteStore` uses only the standard library (``sqlite3``): each append is
one ``BEGIN IMMEDIATE`` transaction (head check and inserts together), in WAL mode
with ``synchronous=FULL``, so a process killed mid-write loses nothing already
committed and leaves nothing half-written. :func:`load` rebuilds a round from
its log and verifies the hash chain and the replay.

Examples
--------
>>> from participa.phases import Machine, presets
>>> store = SQLiteStore(":memory:")
>>> session = Session(Machine(presets.consul()), store)
>>> r = session.start(round_id="r1", actor="admin", at="2024-01-01T00:00:00Z")
>>> r = session.fire(r, "next", actor="admin", at="2024-01-02T00:00:00Z")
>>> load(store, "r1").phase
'informing'
>>> session.fire(load(store, "r1"), "next", actor="x", at="2024-01-03T00:00:00Z").phase
'accepting'
>>> session.fire(r, "next", actor="y", at="2024-01-03T00:00:00Z")   # r is stale now
Traceback (most recent call last):
...
participa.errors.ConcurrencyError: round 'r1' changed since head ... (reload the round and retry)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

import attrs

from participa.errors import ConcurrencyError, IntegrityError, ParseError, ValidationError
from participa.phases import GENESIS, Event, Machine, Round, verify_chain
from participa.phases.events import Payload, Triggered
from participa.serialize import dumps, loads

__all__ = ["MemoryStore", "RoundStore", "SQLiteStore", "Session", "load", "save"]


@runtime_checkable
class RoundStore(Protocol):
    """What participa needs from a store: an append-only log per round."""

    def head(self, round_id: str) -> str:
        """Hash of the round's last event (:data:`~participa.phases.GENESIS` if none)."""
        ...

    def events(self, round_id: str) -> tuple[Event, ...]:
        """The round's events in order (empty if the round is unknown)."""
        ...

    def append(self, round_id: str, events: Sequence[Event], *, expected_head: str) -> str:
        """Append ``events`` atomically if the head is still ``expected_head``; the new head.

        Raises :class:`~participa.ConcurrencyError` if the head moved, and
        :class:`~participa.IntegrityError` if ``events`` do not chain onto it.
        """
        ...

    def round_ids(self) -> tuple[str, ...]:
        """Ids of the stored rounds, sorted."""
        ...


def _check_batch(round_id: str, head: str, count: int, events: Sequence[Event]) -> None:
    prev, seq = head, count
    for e in events:
        if e.seq != seq or e.prev != prev or e.hash != e.expected_hash():
            raise IntegrityError(
                f"event {e.seq} does not chain onto round {round_id!r} at event {seq}",
                hint="append the events a Machine produced from the stored round",
            )
        prev, seq = e.hash, seq + 1
    if events and count == 0:
        first = events[0].payload
        if getattr(first, "round_id", None) != round_id:
            raise IntegrityError(f"the first event does not start round {round_id!r}")


def _stale(round_id: str, expected: str, actual: str) -> ConcurrencyError:
    return ConcurrencyError(
        f"round {round_id!r} changed since head {expected[:12]}… (now {actual[:12]}…)",
        hint="reload the round and retry",
    )


@attrs.define
class MemoryStore:
    """A store in a dict, for tests and apps that persist the JSON themselves."""

    _logs: dict[str, tuple[Event, ...]] = attrs.field(factory=dict)

    def head(self, round_id: str) -> str:
        """Hash of the last event."""
        log = self._logs.get(round_id, ())
        return log[-1].hash if log else GENESIS

    def events(self, round_id: str) -> tuple[Event, ...]:
        """The round's events."""
        return self._logs.get(round_id, ())

    def append(self, round_id: str, events: Sequence[Event], *, expected_head: str) -> str:
        """Append if the head is unchanged."""
        log = self._logs.get(round_id, ())
        head = self.head(round_id)
        if head != expected_head:
            raise _stale(round_id, expected_head, head)
        _check_batch(round_id, head, len(log), events)
        self._logs[round_id] = (*log, *events)
        return self.head(round_id)

    def round_ids(self) -> tuple[str, ...]:
        """Stored round ids."""
        return tuple(sorted(self._logs))


_SCHEMA = """
CREATE TABLE IF NOT EXISTS participa_events (
    round_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    prev TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (round_id, seq)
)
"""


class SQLiteStore:
    """Rounds in an SQLite database (one row per event, the event as participa JSON).

    Parameters
    ----------
    path
        Database file (created if missing), or ``":memory:"``.
    timeout
        Seconds to wait for another writer's lock before failing.

    Table ``participa_events(round_id, seq, hash, prev, at, kind, body)``, primary
    key ``(round_id, seq)``; ``body`` is ``participa.dumps(event)``. Apps may add
    their own tables to the same file.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _tip(self, round_id: str) -> tuple[str, int]:
        row = self._conn.execute(
            "SELECT hash, seq FROM participa_events WHERE round_id = ? ORDER BY seq DESC LIMIT 1",
            (round_id,),
        ).fetchone()
        return (GENESIS, 0) if row is None else (str(row[0]), int(row[1]) + 1)

    def head(self, round_id: str) -> str:
        """Hash of the last committed event."""
        return self._tip(round_id)[0]

    def events(self, round_id: str) -> tuple[Event, ...]:
        """The committed events, decoded; a row whose JSON or hash is wrong raises."""
        out = []
        rows = self._conn.execute(
            "SELECT seq, hash, body FROM participa_events WHERE round_id = ? ORDER BY seq",
            (round_id,),
        )
        for seq, digest, body in rows:
            try:
                e = loads(body, expect=Event)
            except ParseError as exc:
                raise IntegrityError(
                    f"{self.path}: round {round_id!r} event {seq} is not readable: {exc}"
                ) from exc
            if e.seq != seq or e.hash != digest:
                raise IntegrityError(
                    f"{self.path}: round {round_id!r} row {seq} does not match its event",
                    hint="the table was edited by hand",
                )
            out.append(e)
        return tuple(out)

    def append(self, round_id: str, events: Sequence[Event], *, expected_head: str) -> str:
        """Append in one transaction if the head is unchanged (else ConcurrencyError)."""
        rows = [
            (round_id, e.seq, e.hash, e.prev, e.at, e.kind, dumps(e)) for e in events
        ]  # encode before taking the lock: nothing half-written if encoding fails
        try:
            with self._write() as conn:
                head, count = self._tip(round_id)
                if head != expected_head:
                    raise _stale(round_id, expected_head, head)
                _check_batch(round_id, head, count, events)
                conn.executemany(
                    "INSERT INTO participa_events (round_id, seq, hash, prev, at, kind, body) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.IntegrityError as exc:  # a racing writer took the same seq first
            raise ConcurrencyError(
                f"round {round_id!r}: another writer appended first ({exc})",
                hint="reload the round and retry",
            ) from exc
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ConcurrencyError(
                    f"round {round_id!r}: the database stayed locked by another writer",
                    hint="retry later or raise the store's timeout",
                ) from exc
            raise
        return events[-1].hash if events else expected_head

    def round_ids(self) -> tuple[str, ...]:
        """Stored round ids."""
        rows = self._conn.execute("SELECT DISTINCT round_id FROM participa_events ORDER BY 1")
        return tuple(str(r[0]) for r in rows)


def load(store: RoundStore, round_id: str) -> Round:
    """Load a round from ``store``, verifying its hash chain and replaying its log.

    Raises :class:`~participa.ValidationError` for an unknown round and
    :class:`~participa.IntegrityError` for a log that fails verification.
    """
    events = store.events(round_id)
    if not events:
        raise ValidationError(
            f"no round {round_id!r} in the store",
            hint=f"stored rounds: {', '.join(store.round_ids()) or 'none'}",
        )
    verify_chain(events)
    return Round.from_events(events)


def save(store: RoundStore, rnd: Round, *, expected_head: str) -> str:
    """Append the events of ``rnd`` that follow ``expected_head``; the new head."""
    return store.append(rnd.round_id, rnd.since(expected_head), expected_head=expected_head)


@attrs.frozen
class Session:
    """A machine bound to a store: every accepted event is committed, then hooks run.

    Each method takes the round the caller holds, applies the event with the
    machine's guards, appends it with optimistic concurrency on ``rnd.head``
    and returns the new round. If the append fails nothing was written and the
    hooks did not run.
    """

    machine: Machine
    store: RoundStore

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
    ) -> Round:
        """Start and store a round (the arguments of :meth:`Machine.start`)."""
        rnd = self.machine.start(
            round_id=round_id,
            actor=actor,
            at=at,
            envelope=envelope,
            currency=currency,
            minor_per_unit=minor_per_unit,
            disabled=disabled,
            deadlines=deadlines,
            hooks=False,
        )
        self.store.append(rnd.round_id, rnd.events, expected_head=GENESIS)
        self.machine.hooks.run(None, rnd.events[0], rnd.state)
        return rnd

    def load(self, round_id: str) -> Round:
        """Load and verify a stored round."""
        return load(self.store, round_id)

    def apply(self, rnd: Round, payload: Payload, *, actor: str, at: str) -> Round:
        """Apply, commit, then run hooks."""
        new = self.machine.apply(rnd, payload, actor=actor, at=at, hooks=False)
        self.store.append(rnd.round_id, new.events[len(rnd.events) :], expected_head=rnd.head)
        self.machine.notify(rnd, new)
        return new

    def fire(self, rnd: Round, event: str, *, actor: str, at: str, note: str = "") -> Round:
        """Fire a machine event and commit it."""
        return self.apply(rnd, Triggered(event, note), actor=actor, at=at)

    def record(self, rnd: Round, decision: Payload, *, actor: str, at: str) -> Round:
        """Record a decision and commit it."""
        new = self.machine.record(rnd, decision, actor=actor, at=at, hooks=False)
        self.store.append(rnd.round_id, new.events[len(rnd.events) :], expected_head=rnd.head)
        self.machine.notify(rnd, new)
        return new
