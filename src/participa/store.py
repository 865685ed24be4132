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
its log and verifies the hash chain and the replay; given the head hash you
published earlier (``expected_head=``), it also catches events deleted from the
end of the log. Each SQLite row's ``seq``, ``hash``, ``prev``, ``at`` and ``kind``
columns must agree with the hashed event in ``body``. See ``docs/embedding.md``
for what this proves and what it does not.

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

import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from participa.errors import ConcurrencyError, IntegrityError, ParseError, ValidationError
from participa.i18n import _
from participa.phases import GENESIS, Event, Machine, Round
from participa.phases.events import Triggered
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


def _round_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("round id must be a non-empty string, got {value!r}", value=value))
    return value


def _batch(events: object) -> tuple[Event, ...]:
    if isinstance(events, str | bytes) or not isinstance(events, Iterable):
        raise ValidationError(_("expected a sequence of events, got {value!r}", value=events))
    out = tuple(events)
    bad = [e for e in out if not isinstance(e, Event)]
    if bad:
        raise ValidationError(_("not an event: {value!r}", value=bad[0]))
    return out


def _head(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("a head must be a hash (text), got {value!r}", value=value))
    return value


def _check_batch(round_id: str, head: str, count: int, events: Sequence[Event]) -> None:
    prev, seq = head, count
    for e in events:
        if e.seq != seq or e.prev != prev or e.hash != e.expected_hash():
            raise IntegrityError(
                _(
                    "event {seq} does not chain onto round {round_id!r} at event {seq2}",
                    seq=e.seq,
                    round_id=round_id,
                    seq2=seq,
                ),
                hint=_("append the events a Machine produced from the stored round"),
            )
        prev, seq = e.hash, seq + 1
    if events and count == 0:
        first = events[0].payload
        if getattr(first, "round_id", None) != round_id:
            raise IntegrityError(
                _("the first event does not start round {round_id!r}", round_id=round_id)
            )


def _stale(round_id: str, expected: str, actual: str) -> ConcurrencyError:
    return ConcurrencyError(
        _(
            "round {round_id!r} changed since head {expected}… (now {actual}…)",
            round_id=round_id,
            expected=expected[:12],
            actual=actual[:12],
        ),
        hint=_("reload the round and retry"),
    )


@attrs.define
class MemoryStore:
    """A store in a dict, for tests and apps that persist the JSON themselves."""

    _logs: dict[str, tuple[Event, ...]] = attrs.field(factory=dict)

    def head(self, round_id: str) -> str:
        """Hash of the last event."""
        log = self._logs.get(_round_id(round_id), ())
        return log[-1].hash if log else GENESIS

    def events(self, round_id: str) -> tuple[Event, ...]:
        """The round's events."""
        return self._logs.get(_round_id(round_id), ())

    def append(self, round_id: str, events: Sequence[Event], *, expected_head: str) -> str:
        """Append if the head is unchanged."""
        events = _batch(events)
        expected_head = _head(expected_head)
        log = self._logs.get(_round_id(round_id), ())
        head = self.head(round_id)
        if head != expected_head:
            raise _stale(round_id, expected_head, head)
        _check_batch(round_id, head, len(log), events)
        self._logs[round_id] = (*log, *events)
        return self.head(round_id)

    def round_ids(self) -> tuple[str, ...]:
        """Stored round ids."""
        return tuple(sorted(self._logs))


_COLUMNS = ("round_id", "seq", "hash", "prev", "at", "kind", "body")

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
        if not isinstance(path, str | Path) or not str(path).strip():
            raise ValidationError(
                _("a store needs a database path, got {value!r}", value=path),
                hint=_("pass a file name, a pathlib.Path or ':memory:'"),
            )
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout < 0
        ):
            raise ValidationError(
                _("timeout must be a number of seconds >= 0, got {value!r}", value=timeout)
            )
        self.path = str(path)
        if Path(self.path).is_dir():
            raise ValidationError(_("{path}: is a directory, not a database file", path=self.path))
        try:
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise ValidationError(
                _("{path}: cannot open the database: {error}", path=self.path, error=exc)
            ) from None
        try:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute(_SCHEMA)
            cols = [str(r[1]) for r in self._conn.execute("PRAGMA table_info(participa_events)")]
        except sqlite3.Error as exc:
            self._conn.close()
            raise ValidationError(
                _("{path}: not a participa store: {error}", path=self.path, error=exc),
                hint=_("open an SQLite file made by SQLiteStore, or a new file"),
            ) from None
        if cols != list(_COLUMNS):
            self._conn.close()
            raise ValidationError(
                _(
                    "{path}: table participa_events has columns {columns}, not a participa store",
                    path=self.path,
                    columns=cols,
                ),
                hint=_("open an SQLite file made by SQLiteStore, or a new file"),
            )

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise IntegrityError(
                _("{path}: the store cannot be read: {error}", path=self.path, error=exc)
            ) from None

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
        rows = self._query(
            "SELECT hash, seq FROM participa_events WHERE round_id = ? ORDER BY seq DESC LIMIT 1",
            (_round_id(round_id),),
        )
        return (GENESIS, 0) if not rows else (str(rows[0][0]), int(rows[0][1]) + 1)

    def head(self, round_id: str) -> str:
        """Hash of the last committed event."""
        return self._tip(round_id)[0]

    def events(self, round_id: str) -> tuple[Event, ...]:
        """The committed events, decoded.

        A row whose JSON is unreadable, or whose ``seq``, ``hash``, ``prev``, ``at``
        or ``kind`` column disagrees with its hashed event, raises
        :class:`~participa.IntegrityError`.
        """
        out = []
        rows = self._query(
            "SELECT seq, hash, prev, at, kind, body FROM participa_events "
            "WHERE round_id = ? ORDER BY seq",
            (_round_id(round_id),),
        )
        for seq, digest, prev, at, kind, body in rows:
            try:
                if not isinstance(body, str | bytes):
                    raise ParseError(_("the body is not text"))
                e = loads(body, expect=Event)
            except ParseError as exc:
                raise IntegrityError(
                    _(
                        "{path}: round {round_id!r} event {seq} is not readable: {error}",
                        path=self.path,
                        round_id=round_id,
                        seq=seq,
                        error=exc,
                    )
                ) from exc
            if (e.seq, e.hash, e.prev, e.at, e.kind) != (seq, digest, prev, at, kind):
                raise IntegrityError(
                    _(
                        "{path}: round {round_id!r} row {seq} does not match its event",
                        path=self.path,
                        round_id=round_id,
                        seq=seq,
                    ),
                    hint=_("the table was edited by hand"),
                )
            out.append(e)
        return tuple(out)

    def append(self, round_id: str, events: Sequence[Event], *, expected_head: str) -> str:
        """Append in one transaction if the head is unchanged (else ConcurrencyError)."""
        round_id = _round_id(round_id)
        events = _batch(events)
        expected_head = _head(expected_head)
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
                _(
                    "round {round_id!r}: another writer appended first ({exc})",
                    round_id=round_id,
                    exc=exc,
                ),
                hint=_("reload the round and retry"),
            ) from exc
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ConcurrencyError(
                    _(
                        "round {round_id!r}: the database stayed locked by another writer",
                        round_id=round_id,
                    ),
                    hint=_("retry later or raise the store's timeout"),
                ) from exc
            raise IntegrityError(
                _("{path}: the store cannot be written: {error}", path=self.path, error=exc)
            ) from None
        except sqlite3.Error as exc:
            raise IntegrityError(
                _("{path}: the store cannot be written: {error}", path=self.path, error=exc)
            ) from None
        return events[-1].hash if events else expected_head

    def round_ids(self) -> tuple[str, ...]:
        """Stored round ids."""
        rows = self._query("SELECT DISTINCT round_id FROM participa_events ORDER BY 1")
        return tuple(str(r[0]) for r in rows)


def load(store: RoundStore, round_id: str, *, expected_head: str | None = None) -> Round[Any]:
    """Load a round from ``store``, verifying its hash chain and replaying its log.

    ``expected_head`` is a head hash published earlier (``Round.head``); with it,
    a log whose end was deleted (or extended since) is refused.

    Raises :class:`~participa.ValidationError` for an unknown round and
    :class:`~participa.IntegrityError` for a log that fails verification.

    Examples
    --------
    >>> from participa.phases import Machine, presets
    >>> from participa.process import Noted
    >>> store = MemoryStore()
    >>> s = Session(Machine(presets.consul()), store)
    >>> r = s.start(round_id="r", actor="a", at="2024-01-01T00:00:00Z")
    >>> published = s.record(r, Noted("k", "v"), actor="a", at="2024-01-02T00:00:00Z").head
    >>> store._logs["r"] = store._logs["r"][:-1]        # someone deletes the last event
    >>> load(store, "r").head == r.head                   # the shorter chain still verifies
    True
    >>> load(store, "r", expected_head=published)
    Traceback (most recent call last):
    ...
    participa.errors.IntegrityError: the log ends at event 0 (head ...), not at the expected ...
    """
    if not isinstance(store, RoundStore):
        raise ValidationError(_("not a round store: {value!r}", value=store))
    events = store.events(_round_id(round_id))
    if not events:
        raise ValidationError(
            _("no round {round_id!r} in the store", round_id=round_id),
            hint=_("stored rounds: {names}", names=", ".join(store.round_ids()) or "-"),
        )
    if expected_head is not None:
        _head(expected_head)
    return Round.from_events(events, expected_head=expected_head)


def save(store: RoundStore, rnd: Round[Any], *, expected_head: str) -> str:
    """Append the events of ``rnd`` that follow ``expected_head``; the new head."""
    if not isinstance(store, RoundStore):
        raise ValidationError(_("not a round store: {value!r}", value=store))
    if not isinstance(rnd, Round):
        raise ValidationError(_("not a round: {value!r}", value=rnd))
    return store.append(rnd.round_id, rnd.since(_head(expected_head)), expected_head=expected_head)


@attrs.frozen
class Session:
    """A machine bound to a store: every accepted event is committed, then hooks run.

    Each method takes the round the caller holds, applies the event with the
    machine's guards, appends it with optimistic concurrency on ``rnd.head``
    and returns the new round. If the append fails nothing was written and the
    hooks did not run.
    """

    machine: Machine = attrs.field()
    store: RoundStore = attrs.field()

    @machine.validator
    def _check_machine(self, _attr: object, value: object) -> None:
        if not isinstance(value, Machine):
            raise ValidationError(_("a session needs a Machine, got {value!r}", value=value))

    @store.validator
    def _check_store(self, _attr: object, value: object) -> None:
        if not isinstance(value, RoundStore):
            raise ValidationError(_("a session needs a round store, got {value!r}", value=value))

    def start(self, *, round_id: str, actor: str, at: str, **options: Any) -> Round[Any]:
        """Start and store a round (the arguments of :meth:`Machine.start`)."""
        rnd = self.machine.start(round_id=round_id, actor=actor, at=at, hooks=False, **options)
        self.store.append(rnd.round_id, rnd.events, expected_head=GENESIS)
        self.machine.hooks.run(None, rnd.events[0], rnd.state)
        return rnd

    def load(self, round_id: str, *, expected_head: str | None = None) -> Round[Any]:
        """Load and verify a stored round (against a published head, if given)."""
        return load(self.store, round_id, expected_head=expected_head)

    def apply(self, rnd: Round[Any], payload: Any, *, actor: str, at: str) -> Round[Any]:
        """Apply, commit, then run hooks."""
        new = self.machine.apply(rnd, payload, actor=actor, at=at, hooks=False)
        self.store.append(rnd.round_id, new.events[len(rnd.events) :], expected_head=rnd.head)
        self.machine.notify(rnd, new)
        return new

    def fire(
        self, rnd: Round[Any], event: str, *, actor: str, at: str, note: str = ""
    ) -> Round[Any]:
        """Fire a machine event and commit it."""
        return self.apply(rnd, Triggered(event, note), actor=actor, at=at)

    def record(self, rnd: Round[Any], decision: Any, *, actor: str, at: str) -> Round[Any]:
        """Record a decision and commit it."""
        new = self.machine.record(rnd, decision, actor=actor, at=at, hooks=False)
        self.store.append(rnd.round_id, new.events[len(rnd.events) :], expected_head=rnd.head)
        self.machine.notify(rnd, new)
        return new
