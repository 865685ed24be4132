#!/usr/bin/env python3
"""participa's newer rules against the newest (unreleased) reference source, in one run.

    python benchmarks/bench_head.py                     # every case of CASES
    python benchmarks/bench_head.py --cases cstv_mtc,ees_cost --repeat 7
    python benchmarks/bench_head.py --file X.pb.gz --cases online_greedy_cost
    python benchmarks/bench_head.py --json              # one JSON object on stdout
    python benchmarks/bench_head.py --markdown          # the README's table, ready to paste

The reference is the pabutools source at the commit that made the corpus's
``expected_head.json`` (see ``../shared/corpus/HEAD_RULES.md``). It is GPL-3.0 and lives
in its own virtual environment, so it runs in a **subprocess**:
``PYTHONHASHSEED=0 $PARTICIPA_HEAD_PYTHON`` (default ``/tmp/pbhead/venv/bin/python``)
executes the small script :data:`CHILD` below, which parses the file, prepares the
rule's input exactly as the corpus script did (not timed) and times **only the rule
call**, several times, reporting every sample and the selected project ids as JSON.
participa runs in this process on the same uncompressed ``.pb``, timed the same way
(parse not timed, one untimed warm-up call, median of the samples, garbage collector off
while a sample runs).

For every case it prints both medians, the ratio reference / participa (and the ratio of
the best samples, less sensitive to a loaded machine) and whether the two select the same
projects. Without the reference interpreter it says so and exits 0
(nothing to compare); ``--require-head`` makes that exit 2.

Other branches add their rules by adding a row to :data:`CASES`: a participa
``run_rule`` call, the reference call (a key of the child script's table, with its branch
in :data:`CHILD`) and the file it is measured on (the largest corpus election the rule
applies to on which the reference finishes in reasonable time). Each reference call is
configured as ``expected_head.json`` was made (``../shared/corpus/HEAD_RULES.md``): bounded
overspending and fractional equal shares in floats (``pabutools.fractions.FRACTION =
'float'``, set before parsing), everything else in the reference's default exact fractions.
This script replaces ``bench_mesfam.py`` and ``bench_ordered_relax.py``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import _machine_line, _ms, corpus_dir, machine, machine_sentence, plain_copy

HEAD_PYTHON = Path(os.environ.get("PARTICIPA_HEAD_PYTHON", "/tmp/pbhead/venv/bin/python"))
DEFAULT_SNAPSHOT = Path("/work/pabulib_snapshot/pb_files")
POZNAN_4 = (
    "Poland_Poznan_2023_4_-_Gluszyna_Krzesiny-Pokrzywno-Garaszewo_Staroleka-Minikowo_"
    "Szczepankowo-Splawie-Krzesinki.pb.gz"
)

# key -> (participa run_rule name, options, reference call key, file name)
# The file is looked up in the dev corpus first, then in the pabulib snapshot.
CASES: dict[str, tuple[str, dict[str, Any], str, str]] = {
    **{
        f"cstv_{v}": (
            "cstv",
            {"variant": v},
            f"cstv:{v.upper()}",
            "Poland_Katowice_2025_Osiedle_Paderewskiego_-_Muchowiec.pb.gz",
        )
        for v in ("ewt", "ewtc", "ewts", "mt", "mtc", "mts")
    },
    "cstv_mtc_zurich": ("cstv", {"variant": "mtc"}, "cstv:MTC", "Switzerland_Zurich_S5D10.pb.gz"),
    "maximin_support": ("maximin-support", {}, "maximin", POZNAN_4),
    "maximin_support_poznan11": (
        "maximin-support",
        {},
        "maximin",
        "Poland_Poznan_2023_11_-_Fabianowo-Kotowo_Gorczyn_Junikowo_Kwiatowe_Lawica.pb.gz",
    ),
    "online_greedy_cost": (
        "online-greedy",
        {"utility": "cost"},
        "online:cost",
        "Netherlands_Amsterdam_509.pb.gz",
    ),
    "online_greedy_card": (
        "online-greedy",
        {"utility": "count"},
        "online:card",
        "Netherlands_Amsterdam_509.pb.gz",
    ),
    "online_efficient_greedy": (
        "online-greedy",
        {"variant": "efficient"},
        "online:efficient",
        "Netherlands_Amsterdam_509.pb.gz",
    ),
    "ees_cost": ("ees", {"utility": "cost"}, "ees:cost", "Netherlands_Amsterdam_509.pb.gz"),
    "ees_card": ("ees", {"utility": "count"}, "ees:card", "Netherlands_Amsterdam_509.pb.gz"),
    "pb_ear": ("pb-ear", {}, "pb_ear", "Poland_Krakow_2021_Debniki.pb.gz"),
    "ordered_relax": (
        "ordered-relax",
        {},
        "ordered_relax",
        "Netherlands_Amsterdam_509.pb.gz",
    ),
    "mes_bos": ("mes-bos", {}, "bos", POZNAN_4),
    "fractional_mes": ("fractional-mes", {}, "fractional", POZNAN_4),
    "ees_add_opt": (
        "ees",
        {"utility": "count", "completion": "add-opt"},
        "ees_addopt:card",
        POZNAN_4,
    ),
}

RESULT_KEYS = {"mes_bos": "bos_cost", "ees_add_opt": "ees_addopt_card"}
"""Cases whose key in ``expected_head.json`` differs from the case's own (for ties)."""

DOCUMENTED = {"cstv_mtc_zurich": "the reference's minimal transfer (docs/more-rules.md)"}
"""Cases where participa knowingly differs from the reference (not counted as failures)."""

CHILD = r"""
import csv, json, statistics, sys, time, gc

path, call, repeat, budget_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
kind, _, arg = call.partition(":")
import pabutools.fractions as F
if kind in ("bos", "fractional"):
    F.FRACTION = "float"  # as expected_head.json was made: both fail with gmpy2 fractions
from pabutools.election import parse_pabulib, Cost_Sat, Cardinality_Sat
from pabutools.election import CumulativeBallot, CumulativeProfile
from pabutools.fractions import frac

instance, profile = parse_pabulib(path)


def file_order():
    section, header, out = None, None, []
    with open(path, encoding="utf-8-sig") as fh:
        for row in csv.reader(fh, delimiter=";"):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            head = row[0].strip().lower()
            if head in ("meta", "projects", "votes"):
                section, header = head, None
                continue
            if section == "projects":
                if header is None:
                    header = row
                    continue
                out.append(row[0].strip())
    by_name = {p.name: p for p in instance}
    return [by_name[n] for n in out]


def donations():
    ballots = [b for b in profile if sum(b.values()) > 0]
    share = frac(instance.budget_limit, len(ballots))
    out = []
    for b in ballots:
        tot = sum(b.values())
        out.append(CumulativeBallot({p: frac(b.get(p, 0), tot) * share for p in instance}))
    return CumulativeProfile(out)


selected = lambda result: sorted(p.name for p in result)
if kind == "cstv":
    from pabutools.rules.cstv import cstv, CSTV_Combination
    prof, comb = donations(), CSTV_Combination[arg]
    run = lambda: cstv(instance, prof, comb)
elif kind == "maximin":
    from pabutools.rules.maximin_support import maximin_support
    run = lambda: maximin_support(instance, profile)
elif kind == "online":
    from pabutools.rules.online_pb import greedy_budgeting, efficient_greedy_budgeting
    order = file_order()
    if arg == "efficient":
        run = lambda: efficient_greedy_budgeting(instance, profile, order)
    else:
        sat = Cost_Sat if arg == "cost" else Cardinality_Sat
        run = lambda: greedy_budgeting(instance, profile, order, sat)
elif kind == "ees":
    from pabutools.rules import ees_addopt
    util = {p: p.cost for p in instance} if arg == "cost" else None
    run = lambda: ees_addopt.exact_equal_shares(instance, profile, util)
elif kind == "ees_addopt":
    from pabutools.rules import ees_addopt
    util = {p: p.cost for p in instance} if arg == "cost" else None
    run = lambda: ees_addopt.ees_add_opt_completion(instance, profile, utilities=util)
elif kind == "pb_ear":
    from pabutools.rules.pb_ear import pb_ear
    mprof = profile.as_multiprofile()
    run = lambda: pb_ear(instance, mprof, rounding_precision=6)
elif kind == "ordered_relax":
    from pabutools.rules.ordered_relax import ordered_relax
    run = lambda: ordered_relax(instance, profile)
elif kind == "bos":
    from pabutools.rules.mes.bos_equal_shares import bos_equal_shares
    run = lambda: bos_equal_shares(instance, profile)
elif kind == "fractional":
    from pabutools.rules.mes.bos_equal_shares import fractional_equal_shares
    run = lambda: fractional_equal_shares(instance, profile)
    # the projects it funds in full (the others get a fraction of their cost)
    selected = lambda result: sorted(p.name for p, f in result.details.fractions.items() if f >= 1)
else:
    raise SystemExit("unknown call " + call)

samples, cpu = [], []
while len(samples) < repeat:
    gc.collect(); gc.disable()
    t0, c0 = time.perf_counter(), time.process_time()
    result = run()
    samples.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
    gc.enable()
    if sum(samples) > budget_s:
        break
print(json.dumps({"samples": samples, "cpu": cpu, "selected": selected(result)}))
"""
"""The reference side: parse (not timed), prepare (not timed), time the rule call."""


def tie_sensitive(key: str, file_name: str) -> bool | None:
    """Whether the corpus's ``expected_head.json`` marks this outcome tie-sensitive."""
    path = corpus_dir() / "expected_head.json"
    if not path.is_file():
        return None
    entry = json.loads(path.read_text(encoding="utf-8")).get(file_name.split(".pb")[0], {})
    key = RESULT_KEYS.get(key, key.split("_zurich")[0].split("_poznan")[0])
    result = entry.get("results", {}).get(key, {})
    flag = result.get("tie_sensitive")
    return None if flag is None else bool(flag)


def locate(name: str, snapshot: Path | None) -> Path | None:
    for folder in (corpus_dir(), snapshot):
        if folder is not None and (folder / name).is_file():
            return folder / name
    return None


def time_participa(
    fn: Callable[[], Any], repeat: int, budget_s: float, min_sample_s: float = 0.05
) -> tuple[list[float], list[float], Any]:
    """Seconds per call (wall clock, and CPU time of this process) for each sample.

    As ``bench.py``'s ``timed`` (after :mod:`timeit`'s ``autorange``): one untimed warm-up
    call (participa imports some modules lazily); when a call takes less than
    ``min_sample_s``, each sample times a loop of as many calls as fill it, divided by
    their number, so a millisecond call is not measured alone against a busy machine's
    scheduler. The garbage collector is off while a sample runs.
    """
    t0 = time.perf_counter()
    result: Any = fn()
    first = time.perf_counter() - t0
    loops = max(1, int(min_sample_s / max(first, 1e-7))) if first < min_sample_s else 1
    samples: list[float] = []
    cpus: list[float] = []
    while len(samples) < repeat:
        gc.collect()
        gc.disable()
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(loops):
                result = fn()
            samples.append((time.perf_counter() - t0) / loops)
            cpus.append((time.process_time() - c0) / loops)
        finally:
            gc.enable()
        if sum(samples) * loops > budget_s:
            break
    return samples, cpus, result


def time_head(
    path: Path, call: str, repeat: int, budget_s: float, timeout_s: float
) -> dict[str, Any]:
    env = dict(os.environ, PYTHONHASHSEED="0")
    try:
        proc = subprocess.run(
            [str(HEAD_PYTHON), "-c", CHILD, str(path), call, str(repeat), str(budget_s)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout_s}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["exit " + str(proc.returncode)]}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", help="comma-separated keys of CASES (default: all)")
    ap.add_argument("--file", type=Path, help="run the cases on this file instead")
    ap.add_argument("--repeat", type=int, default=5, help="samples per side (default 5)")
    ap.add_argument("--budget", type=float, default=30.0, help="stop sampling after this many s")
    ap.add_argument("--timeout", type=float, default=600.0, help="reference subprocess timeout")
    ap.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    ap.add_argument(
        "--markdown", action="store_true", help="print the README's table (log on stderr)"
    )
    ap.add_argument("--require-head", action="store_true", help="exit 2 without the reference")
    args = ap.parse_args(argv)

    def log(text: str) -> None:
        quiet = args.json or args.markdown
        print(text, file=sys.stderr if quiet else sys.stdout, flush=True)

    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    host = machine()
    log(_machine_line(host))
    if not HEAD_PYTHON.exists():
        log(f"reference HEAD interpreter {HEAD_PYTHON} not found: nothing to compare, skipped")
        return 2 if args.require_head else 0
    head_version = subprocess.run(
        [str(HEAD_PYTHON), "-c", "import pabutools, sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    log(f"reference: pabutools HEAD source under python {head_version} ({HEAD_PYTHON})")
    keys = args.cases.split(",") if args.cases else list(CASES)
    unknown = [k for k in keys if k not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")

    import warnings

    from participa.io import load_election
    from participa.rules.registry import run_rule

    warnings.simplefilter("ignore")  # anomaly warnings of real files (CRLF, ...)

    rows: list[dict[str, Any]] = []
    disagreements = 0
    with tempfile.TemporaryDirectory() as tmp:
        for key in keys:
            name, options, call, file_name = CASES[key]
            source = args.file or locate(file_name, args.snapshot)
            if source is None:
                log(f"{key:26s} file {file_name} not found: skipped")
                continue
            path = plain_copy(source, Path(tmp))
            election = load_election(str(path))
            samples, cpus, outcome = time_participa(
                lambda n=name, o=options, e=election: run_rule(n, e, **o),
                args.repeat,
                args.budget,
            )
            ours = statistics.median(samples)
            head = time_head(path, call, args.repeat, args.budget, args.timeout)
            row: dict[str, Any] = {
                "case": key,
                "file": source.name,
                "distinct_ballots": election.profile.num_groups,
                "voters": int(election.profile.group_weight.sum()),
                "projects": len(election.projects),
                "participa_s": ours,
                "participa_cpu_s": statistics.median(cpus),
                "participa_samples": len(samples),
            }
            if "samples" in head:
                theirs = statistics.median(head["samples"])
                agree = sorted(outcome.selected) == head["selected"]
                ties = tie_sensitive(key, source.name)
                # a tie-sensitive reference outcome (set order) is not a disagreement,
                # nor is a documented one
                disagreements += not agree and not ties and key not in DOCUMENTED
                row |= {
                    "verdict": verdict(agree, ties, key),
                    "head_s": theirs,
                    "head_best_s": min(head["samples"]),
                    "participa_best_s": min(samples),
                    "head_samples": len(head["samples"]),
                    "ratio": theirs / ours,
                    "head_cpu_s": statistics.median(head["cpu"]),
                    "cpu_ratio": statistics.median(head["cpu"]) / statistics.median(cpus),
                    "agree": agree,
                    "head_tie_sensitive": ties,
                }
                log(
                    f"{key:26s} participa {ours * 1e3:10.2f} ms   reference "
                    f"{theirs * 1e3:10.1f} ms   ratio {theirs / ours:8.1f}x "
                    f"(best {min(head['samples']) / min(samples):7.1f}x, "
                    f"CPU {row['cpu_ratio']:7.1f}x)   "
                    f"{row['verdict']}   ({source.name})"
                )
            else:
                row |= head
                log(f"{key:26s} participa {ours * 1e3:10.2f} ms   reference: {head}")
            rows.append(row)
    ended = datetime.datetime.now(datetime.UTC).strftime("%H:%M")
    report = {
        "machine": host,
        "head_python": head_version,
        "started": started,
        "ended": ended,
        "rows": rows,
    }
    if args.json:
        print(json.dumps(report, indent=1))
    elif args.markdown:
        print(markdown(report))
    return 1 if disagreements else 0


def verdict(agree: bool, ties: bool | None, key: str) -> str:
    """How the two outcomes compare: a difference is a failure unless explained."""
    if agree:
        return "agree"
    if ties:
        return "tie-sensitive there"
    if key in DOCUMENTED:
        return "documented difference"
    return "DISAGREE"


def markdown(report: dict[str, Any]) -> str:
    """The machine line and the table of ``benchmarks/README.md``, ready to paste."""
    reference = f"; reference: pabutools HEAD source under Python {report['head_python']}"
    lines = [
        machine_sentence(report, reference),
        "",
        "| case | election (voters × projects, distinct ballots) | participa | reference "
        "| ratio (median / best) | CPU ratio | outcome |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in report["rows"]:
        name = row["file"].split(".pb")[0]
        election = f"{name} ({row['voters']:,} × {row['projects']}, {row['distinct_ballots']:,})"
        ours = f"{_ms(row['participa_s'])} ({row['participa_samples']})"
        if "head_s" in row:
            theirs = f"{_ms(row['head_s'])} ({row['head_samples']})"
            best = row["head_best_s"] / row["participa_best_s"]
            ratio = f"{row['ratio']:,.0f}× / {best:,.0f}×"
            cpu = f"{row['cpu_ratio']:,.0f}×"
            outcome = row["verdict"]
        elif "timeout" in row:
            theirs, ratio, cpu, outcome = f"timed out ({row['timeout']:.0f} s)", "–", "–", "–"
        else:
            theirs, ratio, cpu, outcome = "failed", "–", "–", str(row.get("error", "–"))
        lines.append(
            f"| `{row['case']}` | {election} | {ours} | {theirs} | {ratio} | {cpu} | {outcome} |"
        )
    lines.append("")
    lines.append(
        "Times are wall-clock medians (number of samples in brackets); the CPU ratio compares "
        "the medians of each process's own CPU time over the same samples."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
