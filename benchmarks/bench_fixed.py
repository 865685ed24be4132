#!/usr/bin/env python3
"""Per-run fixed costs: many short runs of CSTV on Katowice 2025 and greedy / MES on a
small election, timed one by one (``perf_counter_ns``, garbage collector off).

    python benchmarks/bench_fixed.py              # 200 runs per case
    python benchmarks/bench_fixed.py --runs 50

To compare with another checkout, run the same script with ``PYTHONPATH`` pointing at
that checkout's ``src`` (e.g. one made by ``git archive main src | tar -x -C /tmp/base``)
alternately with this one: the machine's load changes between runs.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import _machine_line, corpus_dir, machine

KATOWICE = "Poland_Katowice_2025_Osiedle_Paderewskiego_-_Muchowiec.pb.gz"
SMALL = "Worldwide_Mechanical_Turk_k_approval_6.pb.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)

    from participa.io import load_election
    from participa.rules.registry import run_rule

    folder = corpus_dir()
    if folder is None or not (folder / KATOWICE).is_file():
        print("the dev corpus is not here: nothing to time")
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kat = load_election(folder / KATOWICE)
        small = load_election(folder / SMALL)
    cases = [
        (f"cstv_{v}", "cstv", {"variant": v}, kat)
        for v in ("ewt", "ewtc", "ewts", "mt", "mtc", "mts")
    ]
    cases += [("greedy_small", "greedy", {}, small), ("mes_small", "mes", {}, small)]
    print(_machine_line(machine()))
    for key, rule, options, election in cases:
        run_rule(rule, election, **options)  # warm-up
        samples = []
        for _ in range(args.runs):
            gc.disable()
            try:
                t0 = time.perf_counter_ns()
                run_rule(rule, election, **options)
                samples.append(time.perf_counter_ns() - t0)
            finally:
                gc.enable()
        med, best = statistics.median(samples) / 1e6, min(samples) / 1e6
        print(f"{key:14s} median {med:7.3f} ms   best {best:7.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
