"""Tamper evidence: the hash binds ``at`` and ``kind``; a published head catches tail deletion."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import attrs
import pytest

import participa
from participa.errors import IntegrityError, ParseError
from participa.phases import Machine, Round, presets, verify_chain
from participa.process import Approved, Noted
from participa.store import MemoryStore, Session, SQLiteStore, load

T = "2024-01-{:02d}T10:00:00Z".format


def sample(store: participa.store.RoundStore | None = None) -> tuple[Round, Session]:
    session = Session(Machine(presets.consul()), store or MemoryStore())
    r = session.start(round_id="r", actor="admin", at=T(1))
    r = session.record(r, Noted("venue", "Casa Comunal"), actor="admin", at=T(2))
    r = session.record(r, Approved("council"), actor="admin", at=T(3))
    r = session.fire(r, "next", actor="admin", at=T(4))
    return r, session


def test_altering_at_is_detected() -> None:
    r, _ = sample()
    events = list(r.events)
    events[2] = attrs.evolve(events[2], at=T(2))
    with pytest.raises(IntegrityError, match="event 2 was changed"):
        verify_chain(events)


def test_altering_kind_is_detected() -> None:
    r, _ = sample()
    events = list(r.events)
    # same fields, another decision type: the kind is part of the hashed document
    events[1] = attrs.evolve(events[1], payload=Approved("venue", "Casa Comunal"))
    with pytest.raises(IntegrityError, match="event 1 was changed"):
        verify_chain(events)


def test_reordering_is_detected() -> None:
    r, _ = sample()
    events = list(r.events)
    events[1], events[2] = events[2], events[1]
    with pytest.raises(IntegrityError, match="sequence number"):
        verify_chain(events)


def test_deleting_the_last_event_is_caught_only_with_the_published_head() -> None:
    r, _ = sample()
    head = r.head
    short = r.events[:-1]
    verify_chain(short)  # a shorter chain is still a valid chain ...
    with pytest.raises(IntegrityError, match="not at the expected head"):
        verify_chain(short, expected_head=head)  # ... but not the published one
    with pytest.raises(IntegrityError, match="not at the expected head"):
        Round.from_events(short, expected_head=head)
    r.verify(expected_head=head)
    with pytest.raises(IntegrityError, match="not at the expected head"):
        Round.from_events(short).verify(expected_head=head)


def test_json_edit_of_at_is_refused_on_load() -> None:
    r, _ = sample()
    doc = json.loads(participa.dumps(r))
    doc["value"]["events"][2]["at"] = T(2)
    with pytest.raises(ParseError, match="event 2 was changed"):
        participa.loads(json.dumps(doc), expect=Round)


def _db(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "r.sqlite"
    with SQLiteStore(db) as store:
        r, _ = sample(store)
    return db, r.head


@pytest.mark.parametrize(
    ("column", "value"),
    [("at", "2030-01-01T00:00:00Z"), ("kind", "approve"), ("prev", "0" * 64), ("hash", "f" * 64)],
)
def test_sqlite_columns_must_agree_with_the_hashed_event(
    tmp_path: Path, column: str, value: str
) -> None:
    db, _ = _db(tmp_path)
    con = sqlite3.connect(db)
    con.execute(f"UPDATE participa_events SET {column} = ? WHERE seq = 1", (value,))
    con.commit()
    con.close()
    with SQLiteStore(db) as store, pytest.raises(IntegrityError, match="row 1 does not match"):
        load(store, "r")


def test_sqlite_tail_deletion_caught_with_the_published_head(tmp_path: Path) -> None:
    db, head = _db(tmp_path)
    con = sqlite3.connect(db)
    con.execute("DELETE FROM participa_events WHERE seq = (SELECT MAX(seq) FROM participa_events)")
    con.commit()
    con.close()
    with SQLiteStore(db) as store:
        assert load(store, "r").head != head  # unnoticed without an anchor
        with pytest.raises(IntegrityError, match="not at the expected head"):
            load(store, "r", expected_head=head)
        with pytest.raises(IntegrityError, match="not at the expected head"):
            Session(Machine(presets.consul()), store).load("r", expected_head=head)


LEGACY = Path(__file__).resolve().parents[1] / "data" / "round-0.1.0.json"


def test_a_round_written_by_0_1_0_still_loads_verifies_and_goes_on() -> None:
    from participa.process import Spent

    text = LEGACY.read_text(encoding="utf-8")
    old = participa.loads(text, expect=Round)
    assert (old.phase, len(old.events)) == ("implementation", 13)
    old.verify(expected_head=old.head)
    assert json.loads(participa.dumps(old)) == json.loads(text)  # the same document
    m = Machine(old.state.spec)
    new = m.record(old, Spent("A", 100), actor="tesorería", at="2001-09-01T10:00:00-05:00")
    assert new.events[-1].hash == new.events[-1].expected_hash()  # new events: new format
    again = participa.loads(participa.dumps(new), expect=Round)
    assert again == new
    again.verify(expected_head=new.head)
    # the old events are still tamper-evident
    doc = json.loads(text)
    doc["value"]["events"][1]["at"] = "2001-02-02T15:00:00Z"
    with pytest.raises(ParseError, match="event 1 was changed"):
        participa.loads(json.dumps(doc), expect=Round)
