"""Bounded reading: size, lines and line length limits; devices refused; memory linear.

Reproductions of issue #12.2: a small gzip bomb, a flood of blank lines, a huge
line, ``/dev/zero``, a FIFO, a folder; and the reader's memory on a synthetic
file of the size of the largest real ones.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from participa.cli import main
from participa.errors import ParseError, ValidationError
from participa.io import Limits, read_pabulib, read_pabulib_text

TINY = (
    "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\n"
    "VOTES\nvoter_id;vote\n1;a\n"
)


def _bomb(megabytes: int) -> bytes:
    """A gzip member of ``megabytes`` MiB of a pabulib file padded with blank lines."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [z.compress(TINY.encode())]
    chunk = b"\n" * (1 << 20)
    out += [z.compress(chunk) for _ in range(megabytes)]
    out.append(z.flush())
    return b"".join(out)


def _peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        with contextlib.suppress(ParseError):
            fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_stops_at_the_size_limit() -> None:
    bomb = _bomb(40)
    assert len(bomb) < 100_000  # 40 MiB from under 100 KB
    limits = Limits(max_bytes=4 << 20)
    with pytest.raises(ParseError, match="more than 4194304 bytes") as info:
        read_pabulib(bomb, name="bomb.pb.gz", limits=limits)
    assert "Limits(max_bytes" in str(info.value)
    assert _peak(lambda: read_pabulib(bomb, limits=limits)) < 3 * (4 << 20)


def test_the_default_size_limit_is_well_above_real_files() -> None:
    assert Limits().max_bytes >= 16 * 4_011_355  # the largest file of the snapshot
    assert Limits().max_lines >= 50 * 90_676
    with pytest.raises(ValidationError):
        Limits(max_lines=-1)


def test_a_flood_of_blank_lines_is_refused_cheaply() -> None:
    flood = TINY.encode() + b"\n" * 6_000_000  # 6 MB of blank lines: over 5 million lines
    with pytest.raises(ParseError, match="more than 5000000 lines"):
        read_pabulib(flood)
    assert _peak(lambda: read_pabulib(flood)) < 2_000_000


def test_blank_lines_under_the_limit_cost_memory_linear_in_the_input() -> None:
    """A blank line is one byte but one list slot (8 bytes) or more: linear, not ~100x."""
    small = TINY.encode() + b"\n" * 100_000
    large = TINY.encode() + b"\n" * 1_000_000
    pb = read_pabulib(large)
    assert [a.code for a in pb.anomalies] == ["empty-lines"]
    peaks = [_peak(lambda d=d: read_pabulib(d)) for d in (small, large)]
    assert peaks[1] < 40 * len(large)  # was ~100x (a Python int and set entry per line)
    assert peaks[1] < 12 * peaks[0]


def test_a_long_line_is_refused_with_its_line() -> None:
    text = TINY.replace("1;a\n", "1;a\n2;" + "a," * 300 + "a\n")
    with pytest.raises(ParseError, match="longer than 100 bytes") as info:
        read_pabulib(text.encode(), name="x.pb", limits=Limits(max_line_length=100))
    assert info.value.line == 11
    with pytest.raises(ParseError, match="longer than 100 bytes"):
        read_pabulib_text(text, limits=Limits(max_line_length=100))


def test_devices_fifos_and_folders_are_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="folder"):
        read_pabulib(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(ParseError, match="not a regular file"):
            read_pabulib("/dev/zero")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "votes.pb"
        os.mkfifo(fifo)
        with pytest.raises(ParseError, match="not a regular file"):
            read_pabulib(fifo)  # returns at once: nothing waits for a writer


def test_info_on_dev_zero_exits_2_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    with pytest.raises(SystemExit) as info:
        main(["info", "/dev/zero"], out=io.StringIO())
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "not a regular file" in err
    assert "Traceback" not in err


def test_memory_error_never_reaches_a_cli_user_as_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import participa.io

    def exhausted(*_args: object, **_kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(participa.io, "read_pabulib", exhausted)
    f = tmp_path / "x.pb"
    f.write_text(TINY, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["info", str(f)], out=io.StringIO())
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "out of memory" in err
    assert "Traceback" not in err


def _synthetic(voters: int, projects: int, seed: int) -> bytes:
    rng = random.Random(seed)
    ids = [str(100 + j) for j in range(projects)]
    lines = [
        "META",
        "key;value",
        "description;synthetic",
        "budget;1000000",
        "vote_type;approval",
        "PROJECTS",
        "project_id;cost;name",
        *(f"{p};{rng.randint(1, 9) * 10_000};Project {p}" for p in ids),
        "VOTES",
        "voter_id;vote;age;sex;voting_method",
    ]
    for v in range(voters):
        ballot = ",".join(rng.sample(ids, rng.randint(1, 5)))
        lines.append(
            f"{v + 1};{ballot};{rng.randint(18, 90)};{rng.choice('MF')};"
            f"{rng.choice(['internet', 'paper'])}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def test_reader_memory_is_linear_in_the_file() -> None:
    """At most ~10x the file (issue #12.2): 9.8x measured on this file (was 12x; 20-57x
    before the column-wise reader); the ballots are read from byte spans, no per-row object."""
    small = _synthetic(5_000, 60, seed=1)
    large = _synthetic(50_000, 60, seed=1)  # about 1.6 MB, CRLF like most real files
    peaks = [_peak(lambda d=d: read_pabulib(d)) for d in (small, large)]
    assert peaks[1] < 10.5 * len(large)
    # linear: ten times the voters cost at most about ten times the memory
    assert peaks[1] / len(large) < 1.5 * peaks[0] / len(small) + 1


SNAPSHOT = Path(os.environ.get("PARTICIPA_PABULIB_SNAPSHOT", "/work/pabulib_snapshot/pb_files"))
WORST_REAL = (
    # the largest peak / size among the snapshot's files of 1 MB or more (benchmarks/README.md)
    "Hungary_Budapest_2024.pb",  # 29k approval ballots of ~15 projects: the most items per byte
    "Poland_Krakow_2018.pb",  # ordinal, the ranks once an int64 matrix (28x)
    "Poland_Krakow_2019.pb",
    "Poland_Krakow_2022.pb",  # ordinal, and an emoji in PROJECTS: a 4-bytes-a-character str
    "Poland_Wroclaw_2024.pb",
    "Poland_Lodz_2022.pb",  # the largest files
    "Poland_Warszawa_2026.pb",
    # the worst of 256 KiB or more: choose-1 files of ~8 bytes a voter (10.6-16x before
    # int32 per-voter arrays and blocked hashing) ...
    *(
        f"Poland_Poznan_{year}{part}.pb"
        for year, parts in (
            (2023, ("", "_Green_Budget")),
            (2024, ("_small", "_large", "_Green_Budget")),
            (2025, ("_small", "_large", "_Green_Budget")),
            (2026, ("_small", "_large", "_Green_Budget")),
        )
        for part in parts
    ),
    # ... and files with a ballot naming a project twice, once read column-wise (12.4-12.7x)
    "Poland_Warszawa_2022_Wola.pb",
    "Poland_Czestochowa_2020.pb",
)


@pytest.mark.slow
@pytest.mark.skipif(not SNAPSHOT.is_dir(), reason="the pabulib snapshot is not on this machine")
@pytest.mark.parametrize("name", WORST_REAL)
def test_reader_memory_on_the_worst_real_files_is_at_most_10x(name: str) -> None:
    """Issue #12.2 on real data: the tracemalloc peak of a read is at most 10x the file."""
    path = SNAPSHOT / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this snapshot")
    read_pabulib(path)  # a first read: whatever is imported lazily is not this file's
    peak = _peak(lambda: read_pabulib(path))
    assert peak <= 10 * path.stat().st_size, f"{name}: {peak / path.stat().st_size:.1f}x"
