"""Tests of the batch API: same results serially, on threads, processes and Dask."""

from __future__ import annotations

import shutil
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

import participa
from participa.batch import Job, JobResult, pabulib_files, replay_folder, run_batch, run_job
from participa.synthetic import SyntheticSpec, approval_election

RULES = [
    ("greedy", {"utility": "cost"}),
    ("greedy", {"utility": "count", "tie_break": "min-cost,id"}),
    ("mes", {"utility": "cost", "completion": "none"}),
    ("phragmen", {}),
]


def sweep() -> list[Job]:
    jobs = []
    for seed in range(3):
        spec = SyntheticSpec(
            num_voters=200 + 100 * seed, num_projects=8, seed=seed, ballots="length"
        )
        for rule, options in RULES:
            jobs.append(Job(spec, rule=rule, options=options))
    # an in-memory election and a job that fails on purpose
    jobs.append(Job(approval_election(50, 5, seed=9), rule="greedy", label="in-memory"))
    jobs.append(Job(approval_election(50, 5, seed=9), rule="no-such-rule", label="bad-rule"))
    return jobs


@pytest.fixture(scope="module")
def serial() -> tuple[JobResult, ...]:
    return run_batch(sweep())


def test_serial_results_follow_job_order_and_record_errors(
    serial: tuple[JobResult, ...],
) -> None:
    jobs = sweep()
    assert [r.label for r in serial] == [j.name for j in jobs]
    assert all(r.ok for r in serial[:-1])
    bad = serial[-1]
    assert not bad.ok
    assert bad.error_type == "RuleError"
    assert bad.error is not None
    assert "no-such-rule" in bad.error
    # each result is the rule run directly on the same election
    from participa.rules.registry import run_rule

    for job, res in zip(jobs[:4], serial[:4], strict=True):
        assert isinstance(job.source, SyntheticSpec)
        direct = run_job(job)
        assert direct == res
        opts = dict(job.options)
        if "tie_break" in opts:
            opts["tie_break"] = participa.TieBreak.parse(str(opts["tie_break"]))
        assert res.outcome == run_rule(job.rule, job.source.build(), **opts)


def test_threads_give_the_same_results(serial: tuple[JobResult, ...]) -> None:
    with ThreadPoolExecutor(max_workers=3) as ex:
        assert run_batch(sweep(), executor=ex) == serial


def test_processes_give_the_same_results(serial: tuple[JobResult, ...]) -> None:
    seen: list[tuple[int, int, str]] = []
    with ProcessPoolExecutor(max_workers=2) as ex:
        got = run_batch(sweep(), executor=ex, progress=lambda *a: seen.append(a))
    assert got == serial
    total = len(serial)
    assert [s[0] for s in seen] == list(range(total + 1))
    assert {s[1] for s in seen} == {total}
    assert sorted(s[2] for s in seen[1:]) == sorted(r.label for r in serial)


def test_dask_local_cluster_gives_the_same_results(serial: tuple[JobResult, ...]) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = run_batch(sweep(), executor=client.get_executor())
    assert got == serial


def test_progress_is_called_before_and_after_each_job() -> None:
    calls: list[tuple[int, int, str]] = []
    jobs = sweep()[:3]
    run_batch(jobs, progress=lambda d, t, label: calls.append((d, t, label)))
    assert calls == [(0, 3, "")] + [(i + 1, 3, jobs[i].name) for i in range(3)]


def test_empty_batch() -> None:
    calls: list[tuple[int, int, str]] = []
    assert run_batch([], progress=lambda *a: calls.append(a)) == ()
    assert calls == [(0, 0, "")]


def test_values_survive_json(serial: tuple[JobResult, ...]) -> None:
    # jobs and results cross executor boundaries as participa JSON
    for res in serial:
        assert participa.loads(participa.dumps(res)) == res
    for job in sweep():
        assert participa.loads(participa.dumps(job)) == job


def test_to_dict_is_json_ready(serial: tuple[JobResult, ...]) -> None:
    import json

    good = serial[0].to_dict()
    assert good["ok"] is True
    assert serial[0].outcome is not None
    assert good["selected"] == list(serial[0].outcome.selected)
    bad = serial[-1].to_dict()
    assert bad["ok"] is False
    assert bad["error_type"] == "RuleError"
    json.dumps([r.to_dict() for r in serial])


# -- replay ---------------------------------------------------------------------------------

REPLAY = (
    "Netherlands_Assen_2024.pb.gz",
    "Poland_Gdynia_2024_Redlowo__large.pb.gz",
    "Poland_Lodz_2020_Nr_33.pb.gz",
    "Poland_Warszawa_2019_Miedzeszyn.pb.gz",
)


@pytest.fixture
def replay_dir(tmp_path: Path, data_dir: Path) -> Path:
    for name in REPLAY:
        shutil.copy(data_dir / name, tmp_path / name)
    (tmp_path / "broken.pb").write_text("META\nkey;value\nbudget;abc\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a pabulib file", encoding="utf-8")
    return tmp_path


def test_replay_folder_reproduces_declared_outcomes(replay_dir: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    results = replay_folder(replay_dir, progress=lambda *a: calls.append(a))
    names = sorted([*REPLAY, "broken.pb"])
    assert [r.label for r in results] == names
    assert calls[-1][:2] == (5, 5)
    by = {r.label: r for r in results}
    broken = by["broken.pb"]
    assert not broken.ok
    assert broken.error_type == "ParseError"
    for name in REPLAY:
        r = by[name]
        assert r.ok, r.error
        assert r.declared_rule is not None
        assert r.announced is not None
        assert r.matches, (name, r.outcome, r.announced)


def test_replay_folder_same_with_processes(replay_dir: Path) -> None:
    with ProcessPoolExecutor(max_workers=2) as ex:
        assert replay_folder(replay_dir, executor=ex) == replay_folder(replay_dir)


def test_replay_folder_with_a_named_rule(replay_dir: Path) -> None:
    results = replay_folder(replay_dir, rule="greedy", options={"utility": "cost"})
    assert all(r.rule == "greedy" for r in results)
    assert sum(r.ok for r in results) == len(REPLAY)


def test_pabulib_files_and_bad_folder(replay_dir: Path) -> None:
    assert [p.name for p in pabulib_files(replay_dir)] == sorted([*REPLAY, "broken.pb"])
    with pytest.raises(participa.ValidationError, match="not a folder"):
        replay_folder(replay_dir / "missing")


@pytest.mark.parametrize("chunksize", [1, 3, None])
def test_chunked_process_pool_gives_the_serial_results(
    serial: tuple[JobResult, ...], chunksize: int | None
) -> None:
    # results come back pickled in chunks; they must equal the serial ones, in job order
    seen: list[tuple[int, int, str]] = []
    with ProcessPoolExecutor(max_workers=2) as ex:
        got = run_batch(
            sweep(), executor=ex, chunksize=chunksize, progress=lambda *a: seen.append(a)
        )
    assert got == serial
    assert [s[0] for s in seen] == list(range(len(serial) + 1))


def test_chunks_cover_every_job_once_in_order() -> None:
    from participa.batch import _chunks

    for total in (0, 1, 63, 64, 65, 1746, 5000):
        chunks = _chunks(total, None)
        assert [i for c in chunks for i in c] == list(range(total))
        assert all(1 <= len(c) <= 32 for c in chunks)
        assert len(chunks) <= max(128, -(-total // 32))  # few tasks, whatever the size
    assert [list(c) for c in _chunks(5, 2)] == [[0, 1], [2, 3], [4]]


def test_workers_write_messages_in_the_callers_language() -> None:
    from participa.i18n import use_language

    jobs = [Job(approval_election(20, 4, seed=1), rule="greedy", options={"completion": "x"})]
    with use_language("es"):
        here = run_batch(jobs)
        with ProcessPoolExecutor(max_workers=1) as ex:
            there = run_batch(jobs, executor=ex)
    with use_language("en"):
        english = run_batch(jobs)
    assert here == there
    assert here[0].error is not None
    assert english[0].error is not None
    assert here[0].error != english[0].error  # the Spanish message, not the English one


def test_chunksize_below_one_is_refused() -> None:
    with pytest.raises(participa.ValidationError, match="chunksize must be 1 or more"):
        run_batch(sweep()[:1], executor=ThreadPoolExecutor(1), chunksize=0)


def test_results_with_read_only_mappings_survive_pickle(serial: tuple[JobResult, ...]) -> None:
    import pickle
    from types import MappingProxyType

    outcome = serial[0].outcome
    assert outcome is not None
    assert isinstance(outcome.funding, MappingProxyType)
    back = pickle.loads(pickle.dumps(serial))
    assert back == serial
    assert back[0].outcome is not None
    assert isinstance(back[0].outcome.funding, MappingProxyType)
