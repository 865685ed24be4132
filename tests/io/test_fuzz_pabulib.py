"""Fuzzing the pabulib reader, and the writer/reader round trip on generated elections.

Mutated files may be rejected, but only with a :class:`~participa.ParticipaError`;
no other exception escapes, nothing hangs, and memory follows the data actually in
the file, never a count the file merely declares.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participa.errors import ParticipaError
from participa.io import PabulibFile, read_pabulib, read_pabulib_text, write_pabulib
from participa.model import BallotConstraints, BallotKind, Election, Profile, Voters
from participa.testing.strategies import elections

DATA = Path(__file__).resolve().parents[1] / "data"


def _seed_texts() -> list[bytes]:
    assen = gzip.decompress((DATA / "Netherlands_Assen_2024.pb.gz").read_bytes())
    zurich = gzip.decompress((DATA / "Switzerland_Zurich_S5D10.pb.gz").read_bytes())
    krakow = gzip.decompress((DATA / "Poland_Krakow_2021_Debniki.pb.gz").read_bytes())
    return [
        assen[:6000],  # a CRLF approval file, cut after a few dozen voters
        b"\n".join(zurich.split(b"\n")[:60]),  # cumulative with zero points
        b"\n".join(krakow.split(b"\n")[:70]),  # ordinal with a points column
        (
            b'META\nkey;value\ndescription;"a;b"\nbudget;10.50\nvote_type;scoring\n'
            b"num_votes;2\nmax_length;2\nPROJECTS\nproject_id;cost;name\na;5.25;A\nb;1;B\n"
            b"VOTES\nvoter_id;vote;points;age\n1;a,b;2,1;30\n2;b;4;\n"
        ),
        b"META\nbudget;5\nvote_type;choose-1\nPROJECTS\nproject_id;cost\np;5\n"
        b"VOTES\nvoter_id;vote\nv;p\nw;\n",
    ]


SEEDS = _seed_texts()
HUGE = [
    b"num_votes;999999999999",
    b"num_projects;999999999999",
    b"max_length;999999999999",
    b"min_length;999999999999",
    b"max_sum_points;99999999999999999999999",
    b"budget;9" + b"9" * 40,
    b"budget;1e400",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(
            st.sampled_from(
                [
                    "truncate",
                    "flip",
                    "insert",
                    "huge",
                    "separator",
                    "delete-line",
                    "duplicate-line",
                    "swap-lines",
                    "non-utf8",
                    "gzip",
                ]
            )
        )
        n = len(data)
        if op == "truncate":
            del data[draw(st.integers(n // 2, n) | st.integers(0, n)) :]
        elif op == "flip" and n:
            data[draw(st.integers(0, n - 1))] = draw(st.integers(0, 255))
        elif op == "insert":
            i = draw(st.integers(0, n))
            data[i:i] = draw(st.sampled_from([b";", b",", b'"', b"\n", b"\r", b"\x00", b" "]))
        elif op == "huge":
            lines = bytes(data).split(b"\n")
            huge = draw(st.sampled_from(HUGE))
            key = huge.split(b";")[0] + b";"
            same = [k for k, ln in enumerate(lines) if ln.startswith(key)]
            if same:
                lines[same[0]] = huge
            else:
                lines.insert(draw(st.integers(min(2, len(lines)), len(lines))), huge)
            data = bytearray(b"\n".join(lines))
        elif op == "separator":
            old = draw(st.sampled_from([b";", b","]))
            new = draw(st.sampled_from([b",", b"\t", b";", b"|"]))
            data = bytearray(bytes(data).replace(old, new, draw(st.integers(1, 40))))
        elif op in ("delete-line", "duplicate-line", "swap-lines"):
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "delete-line":
                del lines[i]
            elif op == "duplicate-line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
        elif op == "non-utf8":
            i = draw(st.integers(0, n))
            data[i:i] = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82"]))
        elif op == "gzip":
            data = bytearray(gzip.compress(bytes(data), mtime=0))
            if draw(st.booleans()):
                del data[draw(st.integers(0, len(data))) :]
    return bytes(data)


def read_or_error(data: bytes) -> PabulibFile | ParticipaError:
    """Read, returning (not raising) a participa error; anything else propagates."""
    try:
        return read_pabulib(data, name="fuzz.pb")
    except ParticipaError as err:
        return err


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_raise_only_participa_errors(data: bytes) -> None:
    start = time.perf_counter()
    got = read_or_error(data)
    assert time.perf_counter() - start < 5
    if isinstance(got, ParticipaError):
        assert got.file == "fuzz.pb"
        assert str(got).startswith("fuzz.pb")
        return
    # whatever was accepted is an election the writer writes and reads back exactly
    try:
        text = write_pabulib(got.election)
    except ParticipaError:
        return
    assert read_pabulib_text(text).election == got.election


@given(st.binary(max_size=300))
def test_random_bytes_raise_only_participa_errors(data: bytes) -> None:
    got = read_or_error(data)
    assert isinstance(got, ParticipaError | PabulibFile)


@pytest.mark.parametrize("huge", HUGE[:4])
def test_declared_counts_allocate_nothing(huge: bytes) -> None:
    text = SEEDS[3].replace(b"vote_type;scoring\n", b"vote_type;scoring\n" + huge + b"\n")
    text = text.replace(b"num_votes;2\n", b"").replace(b"max_length;2\n", b"")
    tracemalloc.start()
    try:
        got = read_or_error(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(got, PabulibFile)  # declared counts are soft: warnings at most
    assert peak < 2_000_000


# -- round trip of generated elections -------------------------------------------------------------

SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")
TEXT = st.text(SAFE, max_size=8)
WORD = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r,"),
    min_size=1,
    max_size=6,
)


@st.composite
def dressed_elections(draw: st.DrawFn) -> Election:
    """Generated elections with names, money units, constraints, columns and voter detail."""
    e = draw(elections(kinds=list(BallotKind), weighted=draw(st.booleans()), zero_points=True))
    prof = e.profile
    m = len(e.projects)
    keys = draw(
        st.lists(
            st.sampled_from(["votes", "selected", "x;y", 'q"t', "latitude"]),
            unique=True,
            max_size=3,
        )
    )
    projects = tuple(
        attrs.evolve(
            p,
            name=draw(TEXT),
            categories=draw(st.lists(WORD, max_size=2)),
            territory=draw(st.none() | WORD),
            beneficiaries=draw(st.none() | st.integers(0, 10**6)),
            metadata={k: draw(TEXT) for k in keys},
        )
        for p in e.projects
    )
    lengths = prof.lengths()
    cons = BallotConstraints()
    if prof.num_groups and draw(st.booleans()):
        sums = prof.matrix.sum(axis=1) if prof.kind.has_points else lengths
        # bounds hold for every listed entry, 0-point entries included
        nonzero = prof.matrix[prof.approvals()]
        cons = BallotConstraints(
            min_length=draw(st.none() | st.integers(0, m)),
            max_length=int(lengths.max()) + draw(st.integers(0, 2)),
            min_points=int(nonzero.min()) if prof.kind.has_points and nonzero.size else None,
            max_points=int(nonzero.max()) if prof.kind.has_points and nonzero.size else None,
            min_sum_points=int(sums.min()) if prof.kind.has_points else None,
            max_sum_points=int(sums.max()) if prof.kind.has_points else None,
        )
    if draw(st.booleans()):
        n = prof.num_voters
        ids = draw(st.lists(WORD, min_size=n, max_size=n, unique=True))
        group = np.repeat(np.arange(prof.num_groups), prof.multiplicity)
        columns = {"age": tuple(draw(TEXT) for _ in range(n))} if draw(st.booleans()) else {}
        prof = Profile(
            prof.kind,
            prof.project_ids,
            prof.matrix,
            prof.multiplicity,
            prof.weight,
            Voters(ids, group, columns),
            listed=prof.listed,
        )
    return attrs.evolve(
        e,
        projects=projects,
        profile=prof,
        name=draw(TEXT),
        currency=draw(st.none() | TEXT),
        minor_per_unit=draw(st.sampled_from([1, 1, 10, 100, 1000])),
        constraints=cons,
    )


@given(elections(kinds=list(BallotKind), weighted=True, zero_points=True))
def test_generated_elections_round_trip(e: Election) -> None:
    back = read_pabulib_text(write_pabulib(e)).election
    assert back == e
    # listed 0-point entries come back as such, not dropped and not invented
    assert np.array_equal(back.profile.approvals(), e.profile.approvals())


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(dressed_elections())
def test_dressed_elections_round_trip(e: Election) -> None:
    text = write_pabulib(e)
    pb = read_pabulib_text(text)
    assert pb.election == e
    assert write_pabulib(pb.election) == text


# -- the standing seeded campaign (tests/fuzz_pabulib.py) -----------------------------------------


def test_seeded_fuzz_campaign_has_no_escapes() -> None:
    """2,000 seeded mutations of seven real files in a subprocess capped at 2 GiB of address
    space, 5 s per input: only ParticipaError may escape, accepted files round-trip."""
    script = Path(__file__).resolve().parents[1] / "fuzz_pabulib.py"
    done = subprocess.run(  # our own script, fixed arguments
        [sys.executable, str(script), "--inputs", "2000", "--seed", "20261128", "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["escape_count"] == 0, summary["escapes"]
    assert summary["inputs"] == 2000
    assert summary["refused"] + summary["read"] == 2000
    assert summary["read"] > 100  # the mutations leave many files readable
    assert done.returncode == 0
