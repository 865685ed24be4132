"""Persistence: SQLite round trip, optimistic concurrency across processes, and SIGKILL safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from participa.errors import ConcurrencyError, IntegrityError, ValidationError
from participa.phases import GENESIS, Machine, Noted, presets
from participa.store import MemoryStore, RoundStore, Session, SQLiteStore, load, save

T0 = "2024-01-01T00:00:00Z"


def new_round(store: RoundStore, round_id: str = "r") -> Session:
    s = Session(Machine(presets.consul()), store)
    s.start(round_id=round_id, actor="admin", at=T0, envelope=100)
    return s


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_store_round_trip_and_stale_writer(kind: str, tmp_path: Path) -> None:
    store: RoundStore = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "db.sqlite")
    assert isinstance(store, RoundStore)
    session = new_round(store)
    r = session.load("r")
    r2 = session.fire(r, "next", actor="admin", at="2024-01-02T00:00:00Z")
    assert load(store, "r") == r2
    assert store.head("r") == r2.head
    with pytest.raises(ConcurrencyError, match="changed since head"):
        session.record(r, Noted("x", "stale"), actor="b", at="2024-01-03T00:00:00Z")
    assert load(store, "r") == r2  # nothing written by the loser
    with pytest.raises(ConcurrencyError):  # the round already exists
        session.start(round_id="r", actor="admin", at=T0)
    with pytest.raises(ValidationError, match="no round 'nope'"):
        load(store, "nope")
    # save() appends what a machine produced beyond the expected head
    m = session.machine
    r3 = m.record(r2, Noted("a", "1"), actor="x", at="2024-01-04T00:00:00Z")
    r3 = m.record(r3, Noted("b", "2"), actor="x", at="2024-01-04T00:00:00Z")
    assert save(store, r3, expected_head=r2.head) == r3.head
    assert load(store, "r") == r3
    assert store.round_ids() == ("r",)


def test_store_refuses_events_that_do_not_chain(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite")
    session = new_round(store)
    r = session.load("r")
    other = Machine(presets.consul()).start(round_id="other", actor="a", at=T0)
    with pytest.raises(IntegrityError, match="does not chain"):
        store.append("r", other.events, expected_head=r.head)
    with pytest.raises(IntegrityError, match="does not start round"):
        store.append("zzz", other.events, expected_head=GENESIS)
    assert load(store, "r") == r


def test_sqlite_detects_edits_made_behind_its_back(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    session = new_round(SQLiteStore(path))
    r = session.load("r")
    session.record(r, Noted("budget", "100"), actor="a", at="2024-01-02T00:00:00Z")
    con = sqlite3.connect(path)
    body = con.execute("SELECT body FROM participa_events WHERE seq = 1").fetchone()[0]
    con.execute(
        "UPDATE participa_events SET body = ? WHERE seq = 1", (body.replace('"100"', '"900"'),)
    )
    con.commit()
    con.close()
    with pytest.raises(IntegrityError, match="event 1 was changed"):
        load(SQLiteStore(path), "r")


CHILD = textwrap.dedent(
    """
    import sys
    from participa.phases import Machine, Noted, presets
    from participa.store import Session, SQLiteStore

    path, mode = sys.argv[1], sys.argv[2]
    session = Session(Machine(presets.consul()), SQLiteStore(path))
    rnd = session.load("r")
    if mode == "loop":
        i = 0
        while True:
            i += 1
            at = f"2024-02-01T00:{(i // 60) % 60:02d}:{i % 60:02d}Z"
            rnd = session.record(rnd, Noted(f"k{i}", "x" * 2000), actor="child", at=at)
            print(rnd.events[-1].seq, rnd.head, flush=True)
    else:
        print("loaded", flush=True)
        sys.stdin.readline()
        try:
            session.record(rnd, Noted("writer", mode), actor=mode, at="2024-03-01T00:00:00Z")
            print("ok", flush=True)
        except Exception as exc:
            print(type(exc).__name__, flush=True)
    """
)


def spawn(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def close(p: subprocess.Popen[str]) -> None:
    for stream in (p.stdin, p.stdout):
        if stream is not None:
            stream.close()


def test_sigkill_mid_write_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    new_round(SQLiteStore(path))
    child = spawn(tmp_path, str(path), "loop")
    assert child.stdout is not None
    acked: dict[int, str] = {}
    deadline = time.monotonic() + 20
    try:
        while len(acked) < 40 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            seq, head = line.split()
            acked[int(seq)] = head
    finally:
        child.send_signal(signal.SIGKILL)  # mid-run: the child is busy appending
        child.wait(timeout=10)
        close(child)
    assert child.returncode == -signal.SIGKILL
    assert len(acked) >= 10
    store = SQLiteStore(path)
    rnd = load(store, "r")  # opens, verifies the chain and replays the log
    rnd.verify()
    by_seq = {e.seq: e.hash for e in rnd.events}
    for seq, head in acked.items():
        assert by_seq[seq] == head
    assert len(rnd.events) >= max(acked) + 1
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_two_processes_race_on_the_same_head(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    new_round(SQLiteStore(path))
    kids = [spawn(tmp_path, str(path), name) for name in ("alice", "bob")]
    try:
        for k in kids:
            assert k.stdout is not None
            assert k.stdout.readline().strip() == "loaded"  # both hold the same head
        for k in kids:
            assert k.stdin is not None
            k.stdin.write("go\n")
            k.stdin.flush()
        results = sorted(k.stdout.readline().strip() for k in kids if k.stdout is not None)
    finally:
        for k in kids:
            k.wait(timeout=20)
            close(k)
    assert results == ["ConcurrencyError", "ok"]
    rnd = load(SQLiteStore(path), "r")
    assert len(rnd.events) == 2
    assert "writer" in rnd.state.facts
