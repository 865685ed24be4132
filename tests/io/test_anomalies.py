"""Real files with soft anomalies are read (with records and warnings), strict refuses them.

``tests/data/anomalies/`` holds four small real pabulib files the reader refused
before 0.2 (a project twice on a ballot, ballot totals below ``min_sum_points``, a
stray quote). The snapshot test reads the whole public pabulib snapshot when it is
on this machine.
"""

from __future__ import annotations

import gzip
import io
import os
import warnings
from pathlib import Path

import pytest

from participa.batch import _announced
from participa.cli import main
from participa.errors import ParseError, ParticipaError
from participa.i18n import use_language
from participa.io import (
    ANOMALY_CODES,
    Anomaly,
    AnomalyWarning,
    read_pabulib,
    read_pabulib_text,
    write_pabulib,
)
from participa.io.check import check_files
from participa.model import Election
from participa.rules.declared import declared

DATA = Path(__file__).resolve().parents[1] / "data"
ODD = DATA / "anomalies"
SNAPSHOT = Path("/work/pabulib_snapshot/pb_files")

BRODNO = ODD / "Poland_Warszawa_2026_Brodno.pb.gz"
TURK = ODD / "Worldwide_Mechanical_Turk_Utilities_3.pb.gz"
GRABOWKA = ODD / "Poland_Czestochowa_2020_Grabowka.pb.gz"
SEATTLE = (
    ODD / "US_Stanford_Dataset_Your_Voice_Your_Choice_Parks_and_Streets-_Seattle_2019_"
    "District_3_vote_knapsacks.pb.gz"
)

EXPECTED = {
    # file: (code, line, project, voter) of the anomaly the file was refused for
    BRODNO: ("duplicate-project", 357, "1379", "242928"),
    TURK: ("sum-points-bounds", 44, None, "1992"),
    GRABOWKA: ("stray-quote", 29, None, None),
    SEATTLE: ("duplicate-project", 123, "1229", None),
}


def _read_quietly(path: Path) -> tuple[Election, tuple[Anomaly, ...]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnomalyWarning)
        pb = read_pabulib(path)
    return pb.election, pb.anomalies


@pytest.mark.parametrize("path", list(EXPECTED), ids=lambda p: p.name[:30])
def test_refused_files_are_read_with_their_anomaly(path: Path) -> None:
    code, line, project, voter = EXPECTED[path]
    with pytest.warns(AnomalyWarning) as caught:
        pb = read_pabulib(path)
    found = {a.code: a for a in pb.anomalies}
    assert code in found
    a = found[code]
    assert a.line == line
    assert a.project_id == project
    if voter is not None:
        assert a.voter_id == voter
    assert {w.message.anomaly for w in caught} == set(pb.anomalies)
    assert all(x.code in ANOMALY_CODES for x in pb.anomalies)
    with pytest.raises(ParseError) as info:
        read_pabulib(path, strict=True)
    assert info.value.line is not None
    # the lenient reading round-trips like any election
    assert read_pabulib_text(write_pabulib(pb.election)).election == pb.election


def test_a_duplicate_counts_once_as_in_pabutools() -> None:
    """Brodno: voter 242928 lists project 1379 twice; support counts that voter once."""
    election, _ = _read_quietly(BRODNO)
    text = gzip.decompress(BRODNO.read_bytes()).decode()
    votes = text.split("VOTES", 1)[1].splitlines()[2:]
    by_set: dict[str, int] = {}
    for row in votes:
        ids = row.split(";")[1].split(",")
        for p in set(ids):
            by_set[p] = by_set.get(p, 0) + 1
    support = dict(zip(election.project_ids, election.support().tolist(), strict=True))
    assert support == {p: by_set.get(p, 0) for p in support}


def test_duplicate_readings_per_ballot_kind() -> None:
    head = (
        "META\nkey;value\nbudget;100\nvote_type;{kind}\n"
        "PROJECTS\nproject_id;cost\na;10\nb;10\nc;10\n"
    )
    with pytest.warns(AnomalyWarning):
        e = read_pabulib_text(head.format(kind="ordinal") + "VOTES\nvoter_id;vote\n1;b,a,b,c\n")
    assert e.election.profile.matrix.tolist() == [[2, 1, 3]]  # b keeps its first position
    with pytest.warns(AnomalyWarning):
        e = read_pabulib_text(
            head.format(kind="cumulative") + "VOTES\nvoter_id;vote;points\n1;a,b,a;1,2,5\n"
        )
    assert e.election.profile.matrix.tolist() == [[5, 2, 0]]  # the last mention's points
    with pytest.warns(AnomalyWarning):
        e = read_pabulib_text(head.format(kind="approval") + "VOTES\nvoter_id;vote\n1;c,c\n")
    assert e.election.profile.lengths().tolist() == [1]


@pytest.mark.oracle
def test_pabutools_reads_the_anomalous_files_the_same_way() -> None:
    pytest.importorskip("pabutools")
    from pabutools.election.pabulib import parse_pabulib_from_string

    for path in (BRODNO, SEATTLE, TURK):
        election, _ = _read_quietly(path)
        instance, profile = parse_pabulib_from_string(gzip.decompress(path.read_bytes()).decode())
        pb_support = {p.name: 0 for p in instance}
        pb_points = {p.name: 0 for p in instance}
        for ballot in profile:
            for p in ballot:
                pb_support[p.name] += 1
                if hasattr(ballot, "values"):
                    pb_points[p.name] += int(ballot[p])
        ours = dict(zip(election.project_ids, election.support().tolist(), strict=True))
        assert ours == pb_support
        if election.kind.has_points:
            got = dict(zip(election.project_ids, election.total_points().tolist(), strict=True))
            assert got == pb_points


def test_declared_replay_reproduces_the_announced_outcome() -> None:
    election, _ = _read_quietly(BRODNO)
    announced = _announced(election)
    assert announced
    assert set(declared(election).selected) == set(announced)


def test_relaxed_bound_stays_in_meta_and_round_trips() -> None:
    election, _ = _read_quietly(TURK)
    assert election.constraints.min_sum_points is None
    assert election.constraints.max_sum_points == 100
    assert election.meta["min_sum_points"] == "100"
    text = write_pabulib(election)
    assert "participa:relaxed;min_sum_points" in text
    assert read_pabulib_text(text).election == election


def test_stray_quote_keeps_the_name_as_written() -> None:
    election, _ = _read_quietly(GRABOWKA)
    assert election.project("47").name.startswith('"Odkupmy" i my')
    unpaired = (  # one quote: no pairing, so no reading as written
        'META\nbudget;5\nvote_type;approval\nPROJECTS\nproject_id;cost;name\nq;1;a\np;5;"x\n'
        "VOTES\nvoter_id;vote\n"
    )
    with pytest.raises(ParseError, match="badly quoted"):
        read_pabulib_text(unpaired)


def test_anomaly_messages_speak_spanish() -> None:
    with use_language("es"), warnings.catch_warnings():
        warnings.simplefilter("ignore", AnomalyWarning)
        pb = read_pabulib(BRODNO)
    assert any("cédula" in a.message for a in pb.anomalies)


# -- participa check ---------------------------------------------------------------------------


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as info:
        main(["check", *argv], out=out)
    return int(info.value.code or 0), out.getvalue()


def test_check_exit_codes(tmp_path: Path) -> None:
    clean = DATA / "Poland_Czestochowa_2025_Wyczerpy_-_Aniolow.pb.gz"
    rc, text = _run(str(clean))
    assert rc == 0, text
    assert "clean" in text
    rc, text = _run(str(clean), str(BRODNO))
    assert rc == 1
    assert "[duplicate-project]" in text
    assert "line 357" in text
    rc, text = _run(str(BRODNO), str(tmp_path), str(clean))
    assert rc == 2
    assert "unreadable" in text
    assert text.count("\n") >= 4  # every file is still reported


def test_check_refuses_devices_fifos_and_folders(tmp_path: Path) -> None:
    targets = [str(tmp_path)]
    if os.path.exists("/dev/zero"):
        targets.append("/dev/zero")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.pb"
        os.mkfifo(fifo)
        targets.append(str(fifo))
    out = io.StringIO()
    assert check_files(targets, out) == 2
    assert out.getvalue().count("unreadable") == len(targets)


# -- the whole public snapshot -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not SNAPSHOT.is_dir(), reason="the pabulib snapshot is not on this machine")
def test_every_file_of_the_snapshot_is_read() -> None:
    files = sorted(SNAPSHOT.iterdir())
    assert len(files) >= 1_700
    failed: list[str] = []
    odd = 0
    for path in files:
        try:
            _election, anomalies = _read_quietly(path)
        except ParticipaError as exc:
            failed.append(f"{path.name}: {exc}")
            continue
        odd += bool(anomalies)
    assert failed == []
    assert odd >= 27  # at least the files refused before
