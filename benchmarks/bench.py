#!/usr/bin/env python3
"""participa against pabutools 1.2.3, side by side, in one process, on the same files.

    python benchmarks/bench.py                  # the 3 largest dev-corpus elections
    python benchmarks/bench.py FILE.pb[.gz] ... # any pabulib files
    python benchmarks/bench.py --quick          # CI: outcomes still agree on small files
    python benchmarks/bench.py --scale          # 1,000,000 voters x 200 projects + memory curve
    python benchmarks/bench.py --replay DIR     # declared-rule replay rate of a folder
    python benchmarks/bench.py --big            # Warsaw 2026 and Łódź 2022 from the snapshot
    python benchmarks/bench.py --startup        # import time; whole `participa tally` runs
    python benchmarks/bench.py --json ...       # everything as one JSON object on stdout
    python benchmarks/bench.py --markdown ...   # the README's tables, ready to paste

``--big`` and ``--startup`` read the largest public pabulib elections from the snapshot
folder given by ``--snapshot DIR`` or ``$PARTICIPA_PABULIB_SNAPSHOT`` (default
``/work/pabulib_snapshot/pb_files`` when it exists) and are skipped when it is absent.

For each file and rule it prints the median time of several runs of each library, the
ratio (pabutools / participa), whether the two select the same projects, and each
library's memory peak. Both libraries parse the same uncompressed ``.pb`` file (a
``.pb.gz`` is decompressed once into a temporary folder first); memory peaks are
measured the same way for both, with ``tracemalloc`` (which also sees numpy's
buffers), in runs separate from the timed ones.

``--quick`` checks outcomes only, never timings (it prints no time and no ratio): it
exits 1 if participa and pabutools disagree on any rule of a few small corpus files,
and takes a few seconds. Every run first prints the machine (CPU model, cores, load)
and the versions of Python, numpy, attrs, participa and pabutools.
Without pabutools it checks against the corpus's recorded ``expected.json`` instead.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS_CANDIDATES = (ROOT.parent / "shared" / "corpus" / "dev", ROOT / "tests" / "data")
QUICK_FILES = (
    "France_Toulouse_2022_20_-_Arenes_Romaines_Ancely_Saint-Martin_du_Touch_Purpan.pb.gz",
    "Worldwide_Mechanical_Turk_k_approval_6.pb.gz",
    "Poland_Warszawa_2019_Miedzeszyn.pb.gz",
)

# rule key -> (participa run_rule name, options, pabutools call name, sat class name)
RULES: dict[str, tuple[str, dict[str, Any], str, str | None]] = {
    "greedy_cost": ("greedy", {"utility": "cost"}, "greedy", "Cost_Sat"),
    "greedy_card": ("greedy", {"utility": "count"}, "greedy", "Cardinality_Sat"),
    "mes_cost": ("mes", {"utility": "cost", "completion": "none"}, "mes", "Cost_Sat"),
    "mes_card": ("mes", {"utility": "count", "completion": "none"}, "mes", "Cardinality_Sat"),
    "mes_cost_add1": ("mes", {"utility": "cost", "completion": "add1"}, "mes_add1", "Cost_Sat"),
    "phragmen": ("phragmen", {}, "phragmen", None),
}
APPROVAL_ONLY = {"phragmen"}
BIG_FILES = ("Poland_Warszawa_2026.pb", "Poland_Lodz_2022.pb")
"""The largest public pabulib elections (city-wide Warsaw 2026, Łódź 2022)."""
BIG_RULES = ("greedy_cost", "mes_cost", "phragmen")
DEFAULT_SNAPSHOT = Path("/work/pabulib_snapshot/pb_files")
# rule key -> `participa tally` options giving the same call as RULES
TALLY_OPTIONS: dict[str, list[str]] = {
    "greedy_cost": ["--rule", "greedy", "--utility", "cost"],
    "mes_cost": ["--rule", "mes", "--utility", "cost", "--completion", "none"],
    "phragmen": ["--rule", "phragmen"],
}
SCALE_MODEL: dict[str, Any] = {"ballots": "length", "mean_length": 5.0, "popularity_skew": 1.0}
"""The scale run's ballots: about 5 approvals each, some projects far more popular."""


def corpus_dir() -> Path:
    for c in CORPUS_CANDIDATES:
        if c.is_dir() and any(c.glob("*.pb.gz")):
            return c
    raise SystemExit("no pabulib corpus found in " + ", ".join(map(str, CORPUS_CANDIDATES)))


def largest(folder: Path, k: int) -> list[Path]:
    """The ``k`` files with the most votes (read from META, no full parse)."""

    def votes(p: Path) -> int:
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rt", encoding="utf-8-sig") as fh:
            for line in fh:
                key, _, value = line.strip().partition(";")
                if key == "num_votes":
                    return int(value)
                if key in ("PROJECTS", "VOTES"):
                    break
        return 0

    files = sorted(folder.glob("*.pb*"), key=lambda p: (-votes(p), p.name))
    return files[:k]


def plain_copy(path: Path, tmp: Path) -> Path:
    """An uncompressed copy of a ``.pb.gz`` (both libraries then parse the same bytes)."""
    if not path.name.endswith(".gz"):
        return path
    out = tmp / path.name[: -len(".gz")]
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def snapshot_dir(option: Path | None) -> Path | None:
    """The pabulib snapshot folder: the option, else the environment, else the default."""
    env = os.environ.get("PARTICIPA_PABULIB_SNAPSHOT")
    for c in (option, Path(env) if env else None, DEFAULT_SNAPSHOT):
        if c is not None and c.is_dir():
            return c
    return None


def machine() -> dict[str, Any]:
    """CPU model, cores, load and library versions, for the report's header."""
    from importlib import metadata

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("numpy", "attrs", "participa", "pabutools"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_1_5_15": [round(x, 2) for x in load] if load else None,
        "platform": platform.platform(),
        "versions": versions,
    }


def _machine_line(m: dict[str, Any]) -> str:
    v = m["versions"]
    return (
        f"machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"load {m['load_1_5_15']}; python {v['python']}, numpy {v['numpy']}, "
        f"attrs {v['attrs']}, participa {v['participa']}, pabutools {v['pabutools']}"
    )


# -- measuring --------------------------------------------------------------------------------


def timed(
    fn: Callable[[], Any],
    repeat: int,
    *,
    budget_s: float = 60.0,
    min_sample_s: float = 0.05,
    cpu: list[float] | None = None,
) -> tuple[float, int, Any]:
    """Median seconds per call over up to ``repeat`` samples (fewer if calls are long).

    The same method for both libraries, after :mod:`timeit`'s ``autorange``: the first call
    is timed too; when it took less than ``min_sample_s``, one untimed warm-up call runs and
    each sample then times a loop of as many calls as fill ``min_sample_s``, divided by the
    number of calls. A sub-millisecond call is thus not measured alone against the clock's
    resolution and cold caches, and a multi-second call is never repeated needlessly.
    As in :mod:`timeit`, the cyclic garbage collector is off while a sample runs, so
    neither library pays for scanning objects the other left on the heap. ``cpu``, when
    given, receives the median CPU time of the same samples (the process's own time: on a
    machine shared with other jobs it moves less than the wall clock).
    """
    times: list[float] = []
    cpus: list[float] = []
    gc.collect()
    gc.disable()
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        result: Any = fn()
        first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        gc.enable()
    loops = 1
    if first < min_sample_s:
        fn()  # warm-up
        loops = max(1, int(min_sample_s / max(first, 1e-7)))
    else:
        times.append(first)
        cpus.append(first_cpu)
    while len(times) < repeat:
        gc.collect()
        gc.disable()
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(loops):
                result = fn()
            times.append((time.perf_counter() - t0) / loops)
            cpus.append((time.process_time() - c0) / loops)
        finally:
            gc.enable()
        if sum(times) * loops > budget_s:
            break
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(times), len(times), result


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak traced memory of one run, in MiB (tracemalloc, numpy buffers included)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


# -- the two libraries ----------------------------------------------------------------------


def participa_parse(path: Path) -> Any:
    from participa.io import load_election

    return load_election(str(path))


def participa_rule(key: str, election: Any) -> list[str]:
    from participa.rules.registry import run_rule

    name, options, _, _ = RULES[key]
    return sorted(run_rule(name, election, **options).selected)


def have_pabutools() -> bool:
    try:
        import pabutools  # noqa: F401
    except ImportError:
        return False
    return True


def pabutools_parse(path: Path) -> Any:
    from pabutools.election import parse_pabulib

    return parse_pabulib(str(path))


def pabutools_applies(key: str, parsed: Any) -> bool:
    from pabutools.election import AbstractApprovalProfile

    return key not in APPROVAL_ONLY or isinstance(parsed[1], AbstractApprovalProfile)


def pabutools_rule(key: str, parsed: Any) -> list[str]:
    from pabutools import election as pe
    from pabutools.rules import (
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    instance, profile = parsed
    _, _, call, sat_name = RULES[key]
    sat = getattr(pe, sat_name) if sat_name else None
    if call == "greedy":
        alloc = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
    elif call == "mes":
        alloc = method_of_equal_shares(instance, profile, sat_class=sat)
    elif call == "mes_add1":
        alloc = method_of_equal_shares(instance, profile, sat_class=sat, voter_budget_increment=1)
    else:
        alloc = sequential_phragmen(instance, profile)
    return sorted(str(p.name) for p in alloc)


# -- one file ---------------------------------------------------------------------------------


def bench_file(
    path: Path,
    tmp: Path,
    *,
    rules: list[str],
    repeat: int,
    memory: bool,
    pabu: bool,
    expected: dict[str, Any] | None,
    log: Callable[[str], None],
    timings: bool = True,
) -> dict[str, Any]:
    pb = plain_copy(path, tmp)
    name = path.name.removesuffix(".gz").removesuffix(".pb")
    rows: list[dict[str, Any]] = []

    mb = pb.stat().st_size / 1e6
    cpu: list[float] = []
    p_t, p_n, election = timed(lambda: participa_parse(pb), repeat, cpu=cpu)
    row: dict[str, Any] = {"task": "parse", "participa_s": p_t, "participa_runs": p_n}
    row.update(mb=mb, participa_mb_s=mb / p_t, participa_cpu_s=cpu[0])
    if pabu:
        b_t, b_n, parsed = timed(lambda: pabutools_parse(pb), repeat, cpu=cpu)
        row.update(pabutools_s=b_t, pabutools_runs=b_n, ratio=b_t / p_t, pabutools_mb_s=mb / b_t)
        row.update(pabutools_cpu_s=cpu[1], cpu_ratio=cpu[1] / cpu[0])
    if memory:
        row["participa_mib"] = peak_mib(lambda: participa_parse(pb))
        if pabu:
            row["pabutools_mib"] = peak_mib(lambda: pabutools_parse(pb))
    rows.append(row)
    log(_fmt(name, row, timings=timings))

    for key in rules:
        row = {"task": key}
        if key in APPROVAL_ONLY and not election.kind.is_approval:
            continue
        p_t, p_n, ours = timed(lambda k=key: participa_rule(k, election), repeat)  # type: ignore[misc]
        row.update(participa_s=p_t, participa_runs=p_n, selected=ours)
        if pabu and pabutools_applies(key, parsed):
            # pabutools takes seconds per call on large files: fewer runs when a run is long
            b_t, b_n, theirs = timed(
                lambda k=key: pabutools_rule(k, parsed),  # type: ignore[misc]
                repeat,
                budget_s=30.0,
            )
            row.update(pabutools_s=b_t, pabutools_runs=b_n, ratio=b_t / p_t)
            row["agree"] = ours == theirs
            if not row["agree"]:
                row["pabutools_selected"] = theirs
        elif expected is not None:
            want = expected.get(name, {}).get("results", {}).get(key)
            if isinstance(want, dict) and "selected" in want:
                row["agree"] = ours == sorted(want["selected"])
                row["checked_against"] = "expected.json"
        if memory:
            row["participa_mib"] = peak_mib(lambda k=key: participa_rule(k, election))  # type: ignore[misc]
            if pabu and "pabutools_s" in row and row["pabutools_s"] < 20:
                row["pabutools_mib"] = peak_mib(lambda k=key: pabutools_rule(k, parsed))  # type: ignore[misc]
        if not timings:
            row.pop("ratio", None)
        rows.append(row)
        log(_fmt(name, row, timings=timings))
    if not timings:
        rows[0].pop("ratio", None)
    prof = election.profile
    return {
        "file": path.name,
        "voters": prof.num_voters,
        "distinct_ballots": prof.num_groups,
        "projects": len(election.projects),
        "vote_type": election.kind.value,
        "rows": rows,
    }


def _fmt(name: str, row: dict[str, Any], *, timings: bool = True) -> str:
    agree = row.get("agree")
    if not timings:  # --quick: agreement only
        return f"{name[:38]:<38} {row['task']:<14} agree {'-' if agree is None else agree}"

    def ms(x: float | None) -> str:
        return "-" if x is None else f"{1000 * x:10.2f}"

    ratio = row.get("ratio")
    mem = ""
    if "participa_mib" in row:
        mem = f"  mem {row['participa_mib']:7.1f} MiB"
        if "pabutools_mib" in row:
            mem += f" vs {row['pabutools_mib']:7.1f} MiB"
    if "participa_mb_s" in row:
        mem += f"  {row['participa_mb_s']:6.1f} MB/s"
        if "pabutools_mb_s" in row:
            mem += f" vs {row['pabutools_mb_s']:5.1f} MB/s"
    if "cpu_ratio" in row:
        mem += (
            f"  CPU {1000 * row['participa_cpu_s']:.1f} vs {1000 * row['pabutools_cpu_s']:.0f} ms"
            f" = {row['cpu_ratio']:.1f}x"
        )
    return (
        f"{name[:38]:<38} {row['task']:<14} participa {ms(row.get('participa_s'))} ms  "
        f"pabutools {ms(row.get('pabutools_s'))} ms  "
        f"ratio {'-' if ratio is None else f'{ratio:8.1f}x'}  "
        f"agree {'-' if agree is None else agree}{mem}"
    )


# -- scale ------------------------------------------------------------------------------------


def _scale_headline(
    voters: int, projects: int, repeat: int, log: Callable[[str], None]
) -> dict[str, Any]:
    import resource

    from participa.rules.registry import run_rule
    from participa.synthetic import SyntheticSpec

    spec = SyntheticSpec(voters, projects, seed=0, **SCALE_MODEL)
    b_t, _, election = timed(spec.build, 1)
    prof = election.profile

    def run() -> Any:
        return run_rule("mes", election, utility="cost", completion="none")

    t, n, outcome = timed(run, repeat)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mib = peak_mib(run)
    log(
        f"scale: {voters}x{projects} ({prof.num_groups} distinct ballots): build {b_t:.2f} s, "
        f"equal shares median {t:.2f} s over {n} runs, peak {mib:.0f} MiB traced, "
        f"process max RSS {rss:.0f} MiB"
    )
    return {
        "spec": f"{voters} voters x {projects} projects, seed 0, {SCALE_MODEL}",
        "distinct_ballots": prof.num_groups,
        "build_s": b_t,
        "mes_s": t,
        "mes_runs": n,
        "mes_peak_mib": mib,
        "process_max_rss_mib": rss,
        "selected": len(outcome.selected),
    }


def bench_scale(
    *, voters: int, projects: int, repeat: int, curve: list[int], log: Callable[[str], None]
) -> dict[str, Any]:
    from participa.rules.registry import run_rule
    from participa.synthetic import SyntheticSpec

    out: dict[str, Any] = {"headline": _scale_headline(voters, projects, repeat, log)}
    points = []
    for k in curve:
        s = SyntheticSpec(
            voters, projects, seed=1, ballots="types", num_types=k, mean_length=10
        ).build()

        def run_k(s: Any = s) -> Any:
            return run_rule("mes", s, utility="cost", completion="none")

        t_k, _, _ = timed(run_k, 1)
        m_k = peak_mib(run_k)
        g = s.profile.num_groups
        points.append({"distinct_ballots": g, "mes_s": t_k, "mes_peak_mib": m_k})
        log(f"  curve: {g:>9} distinct ballots: equal shares {t_k:7.3f} s, peak {m_k:8.1f} MiB")
    if len(points) >= 2:
        g0, g1 = points[0]["distinct_ballots"], points[-1]["distinct_ballots"]
        m0, m1 = points[0]["mes_peak_mib"], points[-1]["mes_peak_mib"]
        out["mib_per_100k_distinct"] = 1e5 * (m1 - m0) / (g1 - g0)
    out["curve"] = points
    return out


# -- start-up ---------------------------------------------------------------------------------

IMPORT_CHILD = (
    "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)


def _child_seconds(module: str) -> float:
    code = IMPORT_CHILD.format(module=module)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(proc.stdout)


def _importtime_seconds() -> float:
    """``python -X importtime -c 'import participa'``: the package's cumulative time."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import participa"],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == "participa":
            return int(parts[1]) / 1e6
    raise RuntimeError("no 'participa' line in -X importtime output")


def _spread(xs: list[float]) -> dict[str, float]:
    return {"best_s": min(xs), "median_s": statistics.median(xs), "runs": len(xs)}


def bench_startup(
    *,
    warsaw: Path | None,
    repeat: int,
    pabutools_s: dict[str, float],
    pabutools_selected: dict[str, list[str]],
    pabu: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """``import participa`` in fresh processes, and whole ``participa tally`` processes.

    A tally process (interpreter start, import, parse, rule, JSON out) is compared with
    pabutools' parse + rule *in process* (no interpreter start counted for pabutools).
    """
    n = max(repeat, 5)
    out: dict[str, Any] = {}
    imports = [_child_seconds("participa") for _ in range(n)]
    numpy_only = [_child_seconds("numpy") for _ in range(n)]
    importtime = [_importtime_seconds() for _ in range(n)]
    out["import_participa"] = _spread(imports)
    out["import_numpy"] = _spread(numpy_only)
    out["importtime_participa"] = _spread(importtime)
    log(
        f"start-up: import participa best {1000 * min(imports):.0f} ms, median "
        f"{1000 * statistics.median(imports):.0f} ms (fresh processes, {n} runs); "
        f"-X importtime cumulative best {1000 * min(importtime):.0f} ms; "
        f"import numpy alone best {1000 * min(numpy_only):.0f} ms"
    )
    if warsaw is None:
        log("start-up: no pabulib snapshot, whole-process tally skipped")
        return out
    tallies: dict[str, Any] = {}
    for key, options in TALLY_OPTIONS.items():
        walls: list[float] = []
        selected: list[str] = []
        for _ in range(n):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "participa", "tally", str(warsaw), *options, "--json"],
                capture_output=True,
                text=True,
                check=True,
            )
            walls.append(time.perf_counter() - t0)
            selected = sorted(json.loads(proc.stdout)["selected"])
        row: dict[str, Any] = _spread(walls)
        if pabu and key not in pabutools_s:
            tmp = Path(tempfile.mkdtemp())
            try:
                pb = plain_copy(warsaw, tmp)
                p_t, _, parsed = timed(lambda pb=pb: pabutools_parse(pb), repeat)  # type: ignore[misc]
                r_t, _, theirs = timed(
                    lambda k=key, x=parsed: pabutools_rule(k, x),  # type: ignore[misc]
                    repeat,
                    budget_s=30.0,
                )
            finally:
                shutil.rmtree(tmp)
            pabutools_s[key] = p_t + r_t
            pabutools_selected[key] = theirs
        if key in pabutools_s:
            row.update(
                pabutools_parse_rule_s=pabutools_s[key],
                ratio=pabutools_s[key] / row["median_s"],
                agree=selected == pabutools_selected[key],
            )
        tallies[key] = row
        ratio = f"{row['ratio']:.0f}x" if "ratio" in row else "-"
        log(
            f"start-up: `participa tally {warsaw.name} {' '.join(options)}` whole process "
            f"median {1000 * row['median_s']:.0f} ms (best {1000 * row['best_s']:.0f}); "
            f"pabutools parse + {key} in process "
            f"{1000 * pabutools_s.get(key, float('nan')):.0f} ms; ratio {ratio}; "
            f"agree {row.get('agree', '-')}"
        )
    out["tally"] = {"file": warsaw.name, "rules": tallies}
    return out


# -- replay -----------------------------------------------------------------------------------


def bench_replay(folder: Path, *, runs: int = 3, log: Callable[[str], None]) -> dict[str, Any]:
    """``replay_folder`` in this process (serial, 2 processes), then whole CLI processes.

    Anomaly warnings are ignored, as ``participa replay`` ignores them: printing thousands
    of them to stderr is not replaying.
    """
    import warnings

    from participa.batch import replay_folder
    from participa.io import AnomalyWarning

    out: dict[str, Any] = {"folder": str(folder)}
    import resource

    for label, workers in (("serial", 0), ("2 processes", 2)):
        t0 = time.perf_counter()
        c0 = time.process_time()
        k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AnomalyWarning)  # workers inherit it (fork)
            if workers:
                with ProcessPoolExecutor(max_workers=workers) as ex:
                    results = replay_folder(folder, executor=ex)
            else:
                results = replay_folder(folder)
        dt = time.perf_counter() - t0
        k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time() - c0
        cpu += (k1.ru_utime - k0.ru_utime) + (k1.ru_stime - k0.ru_stime)
        ok = sum(r.ok for r in results)
        matched = sum(r.matches is True for r in results)
        known = sum(r.matches is not None for r in results)
        rate = 60 * len(results) / dt
        out[label] = {
            "files": len(results),
            "seconds": dt,
            "cpu_seconds": cpu,
            "per_minute": rate,
            "ok": ok,
            "matches": matched,
            "comparable": known,
        }
        log(
            f"replay ({label}): {len(results)} files in {dt:.2f} s wall, {cpu:.2f} s CPU "
            f"= {rate:.0f} elections/min; "
            f"{ok} ran, {matched}/{known} reproduce the announced winners"
        )
    out["cli"] = _replay_processes(folder, runs=runs, log=log)
    return out


def _replay_processes(folder: Path, *, runs: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Whole ``participa replay FOLDER --jobs N --format json`` processes, N = 1 and 2.

    CPU is the process's and its workers' user + system time (``RUSAGE_CHILDREN``, as
    ``/usr/bin/time`` reports it); the load average is read just before each run. Each
    ``--jobs`` value runs ``runs`` times, in turn (1, 2, 1, 2, ...): a shared machine's
    speed drifts by 10% and more from one minute to the next, so the median is the
    figure and every run is kept. The JSON reports of all runs must be byte-identical.
    """
    import resource

    samples: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    reports: set[bytes] = set()
    for _ in range(max(runs, 1)):
        for jobs in (1, 2):
            load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
            k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            command = [
                *(sys.executable, "-m", "participa", "replay", str(folder)),
                *("--jobs", str(jobs), "--no-progress", "--format", "json"),
            ]
            proc = subprocess.run(command, capture_output=True, check=False)
            wall = time.perf_counter() - t0
            k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (k1.ru_utime - k0.ru_utime) + (k1.ru_stime - k0.ru_stime)
            if proc.returncode not in (0, 1):  # 1: some file differs or cannot be replayed
                raise RuntimeError(proc.stderr.decode(errors="replace"))
            reports.add(proc.stdout)
            samples[jobs].append({"seconds": wall, "cpu_seconds": cpu, "load_1": load})
            log(
                f"replay (`participa replay --jobs {jobs}` process): {wall:.2f} s wall, "
                f"{cpu:.2f} s CPU, 1-minute load {load} at the start"
            )
    out: dict[str, Any] = {}
    for jobs, runs_of in samples.items():
        walls = sorted(r["seconds"] for r in runs_of)
        cpus = sorted(r["cpu_seconds"] for r in runs_of)
        out[f"jobs {jobs}"] = {
            "seconds": statistics.median(walls),
            "cpu_seconds": statistics.median(cpus),
            "cpu_range": [cpus[0], cpus[-1]],
            "load_1": runs_of[0]["load_1"],
            "runs": runs_of,
        }
    out["identical_reports"] = len(reports) == 1
    log(f"replay: the reports of every run identical: {out['identical_reports']}")
    return out


# -- markdown ---------------------------------------------------------------------------------


def _ms(x: float | None) -> str:
    return "–" if x is None else f"{1000 * x:,.0f} ms" if x >= 0.1 else f"{1000 * x:.1f} ms"


def machine_sentence(report: dict[str, Any], reference: str) -> str:
    """The ``Machine: ...`` sentence above a README table; ``reference`` names the oracle."""
    m = report["machine"]
    v = m["versions"]
    return (
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"1/5/15-minute load average at the start {m['load_1_5_15']}; Python {v['python']}, "
        f"numpy {v['numpy']}, attrs {v['attrs']}, participa {v['participa']}{reference}; "
        f"{report.get('started', '')}–{report.get('ended', '')} UTC."
    )


def markdown(report: dict[str, Any]) -> str:
    """The report as the Markdown tables of ``benchmarks/README.md`` (one run, regenerated)."""
    pabutools = report["machine"]["versions"]["pabutools"]
    lines = [machine_sentence(report, f", pabutools {pabutools}"), ""]
    if report["files"] and report.get("quick"):  # outcomes only: no time is printed
        lines += ["| election | task | agree |", "| --- | --- | --- |"]
        for f in report["files"]:
            for row in f["rows"]:
                lines.append(f"| {f['file']} | {row['task']} | {row.get('agree', '–')} |")
        lines.append("")
    elif report["files"]:
        lines += [
            "| election | task | participa | pabutools | ratio | agree |",
            "| --- | --- | ---: | ---: | ---: | --- |",
        ]
        for f in report["files"]:
            first = True
            for row in f["rows"]:
                label = ""
                if first:
                    mb = f["rows"][0].get("mb", 0.0)
                    label = (
                        f"{f['file']} ({f['voters']:,} voters, {f['distinct_ballots']:,} distinct "
                        f"ballots, {f['projects']} projects, {mb:.2f} MB)"
                    )
                first = False
                ours, theirs = _ms(row.get("participa_s")), _ms(row.get("pabutools_s"))
                if "participa_mb_s" in row:
                    ours += f" ({row['participa_mb_s']:.1f} MB/s)"
                if "pabutools_mb_s" in row:
                    theirs += f" ({row['pabutools_mb_s']:.2f} MB/s)"
                ratio = f"{row['ratio']:.0f}×" if "ratio" in row else "–"
                if "cpu_ratio" in row:  # the processes' own time, beside the wall clock
                    ours += f"; CPU {_ms(row['participa_cpu_s'])}"
                    theirs += f"; CPU {_ms(row['pabutools_cpu_s'])}"
                    ratio += f" (CPU {row['cpu_ratio']:.0f}×)"
                agree = row.get("agree", "–")
                lines.append(f"| {label} | {row['task']} | {ours} | {theirs} | {ratio} | {agree} |")
        lines.append("")
    start = report.get("startup")
    if start:
        lines += ["| start-up measure | best | median |", "| --- | ---: | ---: |"]
        for key, label in (
            ("import_participa", "`import participa` (fresh interpreter)"),
            ("importtime_participa", "`python -X importtime`, cumulative for `participa`"),
            ("import_numpy", "`import numpy` alone, for scale"),
        ):
            if key in start:
                lines.append(
                    f"| {label} | {_ms(start[key]['best_s'])} | {_ms(start[key]['median_s'])} |"
                )
        lines.append("")
        tally = start.get("tally")
        if tally:
            lines += [
                f"| `participa tally {tally['file']}` process | median | "
                "pabutools parse + rule | ratio | agree |",
                "| --- | ---: | ---: | ---: | --- |",
            ]
            for key, row in tally["rules"].items():
                ratio = f"{row['ratio']:.0f}×" if "ratio" in row else "–"
                lines.append(
                    f"| {key} | {_ms(row['median_s'])} | {_ms(row.get('pabutools_parse_rule_s'))} "
                    f"| {ratio} | {row.get('agree', '–')} |"
                )
            lines.append("")
    replay = report.get("replay")
    if replay:
        lines += [
            f"| replay of `{replay['folder']}` | wall | CPU | files | ran | reproduce |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label in ("serial", "2 processes"):
            if label in replay:
                r = replay[label]
                lines.append(
                    f"| {label} | {r['seconds']:.1f} s | {r['cpu_seconds']:.1f} s | "
                    f"{r['files']:,} | {r['ok']:,} | {r['matches']:,} / {r['comparable']:,} |"
                )
        lines.append("")
        cli = replay.get("cli")
        if cli:
            runs = len(cli["jobs 1"].get("runs", [None]))
            lines += [
                f"| `participa replay` process (median of {runs}) | wall | CPU (user + sys) "
                "| CPU, every run | 1-min load at first start |",
                "| --- | ---: | ---: | --- | ---: |",
            ]
            for jobs in (1, 2):
                r = cli[f"jobs {jobs}"]
                each = ", ".join(f"{x['cpu_seconds']:.2f}" for x in r.get("runs", [r]))
                lines.append(
                    f"| `--jobs {jobs}` | {r['seconds']:.2f} s | {r['cpu_seconds']:.2f} s "
                    f"| {each} | {r['load_1']} |"
                )
            same = "yes" if cli["identical_reports"] else "**no**"
            lines += ["", f"JSON reports of every run byte-identical: {same}.", ""]
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help=".pb or .pb.gz files")
    ap.add_argument("--largest", type=int, default=3, help="how many of the corpus's largest")
    ap.add_argument("--repeat", type=int, default=7, help="runs per measurement (median)")
    ap.add_argument(
        "--rules",
        default=None,
        help=f"comma-separated rule keys (default: all; with --big only: {','.join(BIG_RULES)})",
    )
    ap.add_argument("--quick", action="store_true", help="outcome agreement only, small files")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory peaks")
    ap.add_argument("--scale", action="store_true", help="the 1,000,000 x 200 run and curve")
    ap.add_argument("--scale-voters", type=int, default=1_000_000)
    ap.add_argument("--scale-projects", type=int, default=200)
    ap.add_argument(
        "--scale-model",
        default=json.dumps(SCALE_MODEL),
        help="SyntheticSpec options of the scale run, as JSON",
    )
    ap.add_argument(
        "--curve",
        default="10000,50000,100000,200000,400000",
        help="distinct-ballot counts for the memory curve",
    )
    ap.add_argument("--replay", type=Path, nargs="?", const=Path(), help="replay a folder")
    ap.add_argument(
        "--replay-runs",
        type=int,
        default=5,
        help="whole `participa replay` processes per --jobs value (median; every run kept)",
    )
    ap.add_argument("--big", action="store_true", help="Warsaw 2026 and Łódź 2022 (snapshot)")
    ap.add_argument("--startup", action="store_true", help="import and whole-process tally")
    ap.add_argument("--snapshot", type=Path, help="the pabulib snapshot folder (for --big)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument(
        "--markdown", action="store_true", help="print the README's tables (log on stderr)"
    )
    args = ap.parse_args(argv)

    quiet = args.json or args.markdown
    log: Callable[[str], None] = (lambda s: print(s, file=sys.stderr)) if quiet else print
    only_big = (args.big or args.startup) and not args.files
    rules_text = args.rules or (",".join(BIG_RULES) if only_big else ",".join(RULES))
    rules = [r.strip() for r in rules_text.split(",") if r.strip()]
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        ap.error(f"unknown rule keys {unknown}; use {', '.join(RULES)}")
    corpus = corpus_dir()
    pabu = have_pabutools()
    expected = None
    if (corpus / "expected.json").exists():
        expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))

    host = machine()
    log(_machine_line(host))
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "quick": args.quick,
        "machine": host,
        "python": sys.version.split()[0],
        "pabutools": pabu,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
    }
    if args.quick:
        files = [corpus / f for f in QUICK_FILES if (corpus / f).exists()]
        repeat, memory = 1, False
    else:
        files = list(args.files) or (
            []
            if (args.scale or args.replay or args.big or args.startup)
            else largest(corpus, args.largest)
        )
        repeat, memory = args.repeat, not args.no_memory
    snapshot = snapshot_dir(args.snapshot) if (args.big or args.startup) else None
    if (args.big or args.startup) and snapshot is None:
        log("no pabulib snapshot (--snapshot / $PARTICIPA_PABULIB_SNAPSHOT): --big skipped")
    if args.big and snapshot is not None:
        files += [snapshot / f for f in BIG_FILES if (snapshot / f).exists()]
    if not pabu:
        log("pabutools is not installed: comparing with expected.json only")

    results = []
    with tempfile.TemporaryDirectory() as td:
        for f in files:
            results.append(
                bench_file(
                    f,
                    Path(td),
                    rules=rules,
                    repeat=repeat,
                    memory=memory,
                    pabu=pabu,
                    expected=expected,
                    log=log,
                    timings=not args.quick,
                )
            )
    report["files"] = results
    if args.startup:
        warsaw = snapshot / BIG_FILES[0] if snapshot is not None else None
        pabu_s: dict[str, float] = {}
        pabu_sel: dict[str, list[str]] = {}
        for r in results:
            if warsaw is not None and r["file"] == warsaw.name:
                parse_s = r["rows"][0].get("pabutools_s")
                for row in r["rows"][1:]:
                    if parse_s is not None and "pabutools_s" in row:
                        pabu_s[row["task"]] = parse_s + row["pabutools_s"]
                        pabu_sel[row["task"]] = row.get("pabutools_selected", row["selected"])
        report["startup"] = bench_startup(
            warsaw=warsaw if warsaw is not None and warsaw.exists() else None,
            repeat=repeat,
            pabutools_s=pabu_s,
            pabutools_selected=pabu_sel,
            pabu=pabu,
            log=log,
        )
    if args.scale:
        curve = [int(x) for x in args.curve.split(",") if x.strip()]
        SCALE_MODEL.clear()
        SCALE_MODEL.update(json.loads(args.scale_model))
        report["scale"] = bench_scale(
            voters=args.scale_voters,
            projects=args.scale_projects,
            repeat=3,
            curve=curve,
            log=log,
        )
    if args.replay is not None:
        folder = corpus if args.replay == Path() else args.replay
        report["replay"] = bench_replay(folder, runs=args.replay_runs, log=log)

    disagreements = [
        f"{r['file']}: {row['task']}"
        for r in results
        for row in r["rows"]
        if row.get("agree") is False
    ]
    report["disagreements"] = disagreements
    report["ended"] = time.strftime("%H:%M", time.gmtime())
    if args.json:
        print(json.dumps(report, indent=None, sort_keys=True))
    elif args.markdown:
        print(markdown(report))
    if disagreements:
        log("DISAGREEMENT: " + "; ".join(disagreements))
        return 1
    if args.quick:
        checked = sum(1 for r in results for row in r["rows"] if "agree" in row)
        if checked == 0:
            log("quick check compared nothing")
            return 1
        log(f"quick check: {checked} rule outcomes agree on {len(results)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
