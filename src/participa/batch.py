"""Batches of (election, rule) jobs through any ``concurrent.futures.Executor``.

The same code runs a sweep serially (``executor=None``), on local processes
(:class:`concurrent.futures.ProcessPoolExecutor`) or on a Dask cluster
(``distributed.Client(...).get_executor()``): a :class:`Job` names where its election
comes from and which rule to run, :func:`run_job` runs one job, and :func:`run_batch`
hands every job to the executor and returns the results **in job order**, so the
results do not depend on the executor or on which worker finished first.

A job's election can be given three ways; prefer the light ones for remote workers:

* a path to a pabulib file (``.pb`` or ``.pb.gz``), read where the job runs;
* a :class:`~participa.synthetic.SyntheticSpec`, built where the job runs;
* an :class:`~participa.model.Election` value, shipped to the worker.

An error that participa raises on purpose (a malformed file, a rule that cannot run on
this ballot kind, a tie under ``refuse``) does not stop the batch: it is recorded in
that job's :class:`JobResult`. Any other exception is a bug and propagates.

Examples
--------
>>> from participa.synthetic import SyntheticSpec
>>> jobs = [Job(SyntheticSpec(num_voters=50, num_projects=4, seed=s), rule="nope")
...         for s in range(3)]
>>> seen = []
>>> results = run_batch(jobs, progress=lambda done, total, label: seen.append(done))
>>> seen
[0, 1, 2, 3]
>>> results[0].error_type
'RuleError'
"""

from __future__ import annotations

import copyreg
import types
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future, as_completed
from pathlib import Path
from typing import Any

import attrs

from participa import serialize
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.i18n import Language, _, get_language, use_language
from participa.model import Election
from participa.outcome import Outcome
from participa.synthetic import SyntheticSpec

__all__ = [
    "PABULIB_SUFFIXES",
    "Job",
    "JobResult",
    "ProgressCallback",
    "pabulib_files",
    "replay_folder",
    "run_batch",
    "run_job",
]

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called with ``done = 0`` before the first job runs and
then once after each job finishes (``label`` names the job that just finished)."""

OptionValue = int | str | bool | None

PABULIB_SUFFIXES = (".pb", ".pb.gz")
"""File names :func:`replay_folder` picks up."""


def _frozen_options(value: Mapping[str, OptionValue] | None) -> Mapping[str, OptionValue]:
    return types.MappingProxyType(dict(value or {}))


@serialize.register("participa.batch.Job")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Job:
    """One rule run on one election.

    Parameters
    ----------
    source
        A path to a pabulib file, a :class:`~participa.synthetic.SyntheticSpec`, or an
        :class:`~participa.model.Election`.
    rule
        A rule name from ``participa.rules.registry`` (``"greedy"``, ``"mes"``,
        ``"phragmen"``, ...), or ``"declared"`` for the rule the file declares.
    options
        Keyword options for ``run_rule`` (``utility``, ``completion``, ``threshold``,
        ...); ``tie_break`` may be given as text such as ``"min-cost,id"``.
    label
        A name for reports and progress (default: the file name, or the election's
        name).

    Examples
    --------
    >>> Job("data/x.pb.gz", rule="mes", options={"utility": "cost"}).name
    'x.pb.gz'
    """

    source: Election | SyntheticSpec | str
    rule: str = "declared"
    options: Mapping[str, OptionValue] = attrs.field(
        factory=dict, converter=_frozen_options, hash=False
    )
    label: str = ""

    @property
    def name(self) -> str:
        """The label, or a name derived from the source."""
        if self.label:
            return self.label
        if isinstance(self.source, str):
            return Path(self.source).name
        if isinstance(self.source, SyntheticSpec):
            s = self.source
            return f"synthetic-{s.ballots.value}-{s.num_voters}x{s.num_projects}-seed{s.seed}"
        return self.source.name or "election"


@serialize.register("participa.batch.JobResult")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class JobResult:
    """What one :class:`Job` gave: an outcome, or the error that stopped it.

    Parameters
    ----------
    label
        The job's name.
    rule
        The rule asked for (``"declared"`` stays ``"declared"``; the outcome's
        ``rule`` says which rule actually ran).
    outcome
        The outcome, or ``None`` after an error.
    error_type, error
        The class name and message of the :class:`~participa.ParticipaError` that
        stopped the job, or ``None``.
    declared_rule
        The rule the election's metadata declares (pabulib META ``rule``), if any.
    announced
        The winners the file marks as selected (pabulib PROJECTS ``selected`` > 0), or
        ``None`` when the file does not say.
    """

    label: str
    rule: str
    outcome: Outcome | None = None
    error_type: str | None = None
    error: str | None = None
    declared_rule: str | None = None
    announced: tuple[str, ...] | None = None

    @property
    def ok(self) -> bool:
        """Whether the job produced an outcome."""
        return self.outcome is not None

    @property
    def nothing_to_replay(self) -> bool:
        """Whether the job replayed a file that declares no rule (or ``unknown``).

        Such a file is not a failure of the replay: there is no announced rule to run.

        >>> JobResult("f.pb", "declared", error_type="RuleError", error="...",
        ...           declared_rule="unknown").nothing_to_replay
        True
        """
        return (
            self.rule == "declared"
            and self.error_type == "RuleError"
            and (self.declared_rule or "").strip() in ("", "unknown")
        )

    @property
    def failed(self) -> bool:
        """Whether the job could not run (excluding :attr:`nothing_to_replay`)."""
        return self.outcome is None and not self.nothing_to_replay

    @property
    def matches(self) -> bool | None:
        """Whether the outcome selects exactly the announced winners (``None``: unknown)."""
        if self.outcome is None or self.announced is None:
            return None
        return self.outcome.selected_set == frozenset(self.announced)

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready summary (for the CLI and reports).

        >>> JobResult("f.pb", "declared", error_type="ParseError", error="bad").to_dict()["ok"]
        False
        """
        out: dict[str, Any] = {
            "label": self.label,
            "rule": self.rule,
            "ok": self.ok,
            "declared_rule": self.declared_rule,
        }
        if self.outcome is not None:
            o = self.outcome
            out.update(
                ran=o.rule,
                selected=list(o.selected),
                total_cost=o.total_cost,
                total_funding=o.total_funding,
                budget=o.budget,
            )
        else:
            out.update(error_type=self.error_type, error=self.error)
        if self.announced is not None:
            out["announced"] = list(self.announced)
            out["matches"] = self.matches
        return out


def _load(source: Election | SyntheticSpec | str) -> Election:
    if isinstance(source, Election):
        return source
    if isinstance(source, SyntheticSpec):
        return source.build()
    from participa.io import load_election

    return load_election(source)


def _announced(election: Election) -> tuple[str, ...] | None:
    marks = [p.metadata.get("selected") for p in election.projects]
    if all(m is None or not str(m).strip() for m in marks):
        return None
    out = []
    for p, mark in zip(election.projects, marks, strict=True):
        try:
            if mark is not None and int(str(mark).strip()) > 0:
                out.append(p.id)
        except ValueError:
            return None
    return tuple(out)


def _rule_kwargs(options: Mapping[str, OptionValue]) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(options)
    tb = kwargs.get("tie_break")
    if isinstance(tb, str):
        from participa.tiebreak import TieBreak

        kwargs["tie_break"] = TieBreak.parse(tb)
    return kwargs


@checked
def run_job(job: Job) -> JobResult:
    """Load the job's election, run its rule, and record the outcome or the error.

    Runs where it is called: this is the function :func:`run_batch` hands to executors.
    Whatever stops the job (a :class:`~participa.ParticipaError`, a file that cannot
    be opened, or any other failure) becomes the result's ``error``, so a batch
    always goes on to the next job.

    >>> r = run_job(Job("no/such/file.pb"))
    >>> r.ok, r.error_type
    (False, 'FileNotFoundError')
    """
    label = job.name
    try:
        election = _load(job.source)
    except Exception as exc:
        return JobResult(label, job.rule, error_type=type(exc).__name__, error=_describe(exc))
    declared = election.meta.get("rule")
    announced = _announced(election)
    try:
        from participa.rules.registry import run_rule

        outcome = run_rule(job.rule, election, **_rule_kwargs(job.options))
    except Exception as exc:
        return JobResult(
            label,
            job.rule,
            error_type=type(exc).__name__,
            error=_describe(exc),
            declared_rule=declared,
            announced=announced,
        )
    return JobResult(label, job.rule, outcome, declared_rule=declared, announced=announced)


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc) or type(exc).__name__


def run_job_json(job: str) -> str:
    """:func:`run_job` on a job given as participa JSON; the result as participa JSON.

    >>> from participa.synthetic import approval_election
    >>> text = run_job_json(serialize.dumps(Job(approval_election(20, 4, seed=1), rule="nope")))
    >>> serialize.loads(text).error_type
    'RuleError'
    """
    return serialize.dumps(run_job(serialize.loads(job, expect=Job)))


def _run_chunk(jobs: list[str], lang: Language) -> list[JobResult]:
    """:func:`run_job` on each job of a chunk (participa JSON), messages in ``lang``.

    What :func:`run_batch` sends to an executor's workers: one task per chunk of jobs, in
    the caller's language (a worker process does not inherit :func:`use_language`). The
    results come back pickled: decoding each outcome and its trace from JSON cost the
    parent more than a worker spends replaying a small file.

    >>> from participa.synthetic import approval_election
    >>> job = serialize.dumps(Job(approval_election(20, 4, seed=1), rule="nope"))
    >>> [r.error_type for r in _run_chunk([job, job], "en")]
    ['RuleError', 'RuleError']
    """
    with use_language(lang):
        return [run_job(serialize.loads(job, expect=Job)) for job in jobs]


def _mappingproxy(value: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(value)


def _reduce_mappingproxy(
    value: types.MappingProxyType[Any, Any],
) -> tuple[Callable[[dict[Any, Any]], types.MappingProxyType[Any, Any]], tuple[dict[Any, Any]]]:
    return _mappingproxy, (dict(value),)


# Values keep their mappings read-only in ``MappingProxyType``, which pickle refuses; a
# result from a worker is pickled, so teach pickle (and Dask's cloudpickle, which consults
# the same table) to rebuild one from a dict copy. Nothing that pickled before changes.
copyreg.pickle(types.MappingProxyType, _reduce_mappingproxy)


_CHUNKS_PER_BATCH = 64
"""How many tasks :func:`run_batch` cuts a batch into for an executor (at most)."""

_MAX_CHUNK = 32
"""Most jobs in one executor task (progress is reported once per task)."""


def _chunks(total: int, chunksize: int | None) -> list[range]:
    """Job positions cut into consecutive chunks: few tasks, several per worker.

    >>> [len(c) for c in _chunks(10, None)], [len(c) for c in _chunks(5, 2)]
    ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 1])
    """
    size = chunksize or max(1, min(_MAX_CHUNK, total // _CHUNKS_PER_BATCH))
    return [range(a, min(a + size, total)) for a in range(0, total, size)]


@checked
def run_batch(
    jobs: Iterable[Job],
    *,
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
    chunksize: int | None = None,
) -> tuple[JobResult, ...]:
    """Run every job, through ``executor`` if given, and return the results in job order.

    Parameters
    ----------
    jobs
        The jobs.
    executor
        Any :class:`concurrent.futures.Executor`: ``None`` runs the jobs one after the
        other in this process; a ``ProcessPoolExecutor`` spreads them over local
        processes; ``distributed.Client(...).get_executor()`` over a Dask cluster. The
        caller owns the executor (this function does not shut it down).
    progress
        Called as ``progress(done, total, label)``: once with ``done = 0`` before the
        first job, then after each job finishes, in the order they finish (with an
        executor, a chunk's jobs are reported together when the chunk finishes).
    chunksize
        With an executor: how many consecutive jobs make one task (default: the batch cut
        into about 64 tasks of at most 32 jobs; 1 sends every job on its own).

    Returns
    -------
    tuple of JobResult
        One result per job, in the order of ``jobs``, whatever the executor.
    """
    todo = list(jobs)
    total = len(todo)
    if chunksize is not None and chunksize < 1:
        raise ValidationError(
            _("run_batch(): chunksize must be 1 or more, got {chunksize}", chunksize=chunksize)
        )
    if progress is not None:
        progress(0, total, "")
    lang = get_language()  # resolved once for the batch, and handed to the workers
    if executor is None:
        results: list[JobResult] = []
        with use_language(lang):
            for job in todo:
                r = run_job(job)
                results.append(r)
                if progress is not None:
                    progress(len(results), total, r.label)
        return tuple(results)
    # Jobs go to the workers as participa JSON text (the versioned schema of
    # participa.serialize), consecutive jobs in chunks, so a process pool is not paid one
    # round trip per job; the results come back pickled (see _run_chunk).
    futures: dict[Future[list[JobResult]], range] = {
        executor.submit(_run_chunk, [serialize.dumps(todo[i]) for i in chunk], lang): chunk
        for chunk in _chunks(total, chunksize)
    }
    slots: list[JobResult | None] = [None] * total
    done = 0
    try:
        for fut in as_completed(futures):
            for i, r in zip(futures[fut], fut.result(), strict=True):
                slots[i] = r
                done += 1
                if progress is not None:
                    progress(done, total, r.label)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return tuple(r for r in slots if r is not None)


@checked
def pabulib_files(folder: str | Path) -> tuple[Path, ...]:
    """The pabulib files (``*.pb``, ``*.pb.gz``) directly in ``folder``, sorted by name.

    Raises :class:`~participa.ValidationError` if ``folder`` is not a directory.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ValidationError(
            _("{path!r} is not a folder", path=str(path)),
            hint=_("pass a folder holding .pb or .pb.gz files"),
        )
    files = [p for p in path.iterdir() if p.is_file() and p.name.endswith(PABULIB_SUFFIXES)]
    return tuple(sorted(files, key=lambda p: p.name))


@checked
def replay_folder(
    folder: str | Path,
    *,
    rule: str = "declared",
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
    options: Mapping[str, OptionValue] | None = None,
    chunksize: int | None = None,
) -> tuple[JobResult, ...]:
    """Run ``rule`` (by default each file's declared rule) on every pabulib file in a folder.

    Files are taken in name order and results come back in that order; a file that
    cannot be read or replayed gives a result carrying the error instead of stopping
    the run. Each result says whether the outcome matches the winners the file
    announces (:attr:`JobResult.matches`).

    Parameters
    ----------
    folder
        A folder of ``.pb`` / ``.pb.gz`` files (not searched recursively).
    rule
        ``"declared"`` or any rule name ``run_rule`` knows; an unknown name raises
        :class:`~participa.RuleError` before any file is read.
    executor, progress, chunksize
        As for :func:`run_batch`.
    options
        Rule options passed to every job.

    Examples
    --------
    >>> replay_folder("no/such/folder")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: 'no/such/folder' is not a folder (pass a folder ...)
    """
    from participa.rules.registry import get_rule

    get_rule(rule)  # refuse an unknown rule once, not once per file
    jobs = [Job(str(p), rule=rule, options=options or {}) for p in pabulib_files(folder)]
    return run_batch(jobs, executor=executor, progress=progress, chunksize=chunksize)
