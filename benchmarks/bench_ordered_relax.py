"""Ordered relax against the reference library's newest source, same run, same file.

The reference source (unreleased pabutools HEAD, the one that made
``expected_head.json``; it needs pulp and HiGHS) runs in its own interpreter, given by
``--head-python`` or ``$PABUTOOLS_HEAD_PYTHON`` (default ``/tmp/pbhead/venv/bin/python``),
in a child process that times only the rule (the file is parsed before the clock
starts), alternately with participa's ``ordered_relax`` on the same election. Both
medians are printed with their ratio and whether the two select the same projects.

    python benchmarks/bench_ordered_relax.py                  # largest approval dev election
    python benchmarks/bench_ordered_relax.py FILE.pb.gz --repeat 5
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
DEFAULT = DATA / "Netherlands_Amsterdam_509.pb.gz"  # 12,283 approval ballots, 24 projects

CHILD = """
import json, sys, time
from pabutools.election import parse_pabulib
from pabutools.rules.ordered_relax import ordered_relax
instance, profile = parse_pabulib(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    out = ordered_relax(instance, profile)
    times.append(time.perf_counter() - start)
print(json.dumps({"times": times, "selected": sorted(p.name for p in out)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--head-python",
        default=os.environ.get("PABUTOOLS_HEAD_PYTHON", "/tmp/pbhead/venv/bin/python"),
    )
    args = parser.parse_args()

    from participa.io import load_election
    from participa.rules.ordered_relax import ordered_relax

    path = Path(args.file)
    election = load_election(path)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / path.name.removesuffix(".gz")
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            plain.write_bytes(fh.read())
        ours: list[float] = []
        outcome = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            outcome = ordered_relax(election)
            ours.append(time.perf_counter() - start)
        head: dict[str, object] | None = None
        if Path(args.head_python).exists():
            proc = subprocess.run(
                [args.head_python, "-c", CHILD, str(plain), str(args.repeat)],
                capture_output=True,
                text=True,
                check=False,
                env=dict(os.environ, PYTHONHASHSEED="0"),
            )
            if proc.returncode == 0:
                head = json.loads(proc.stdout.strip().splitlines()[-1])
            else:
                print(f"reference source failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        else:
            print(f"no reference interpreter at {args.head_python}", file=sys.stderr)
    assert outcome is not None
    mine = statistics.median(ours)
    size = f"{election.profile.num_voters} voters, {len(election.projects)} projects"
    print(f"file: {path.name} ({size})")
    print(f"participa ordered_relax: median {mine * 1000:.1f} ms over {args.repeat} runs")
    if head is not None:
        times = head["times"]
        assert isinstance(times, list)
        theirs = statistics.median(times)
        same = sorted(outcome.selected) == head["selected"]
        print(f"reference ordered_relax: median {theirs * 1000:.1f} ms over {args.repeat} runs")
        print(f"ratio reference / participa: {theirs / mine:.2f}x; same projects: {same}")


if __name__ == "__main__":
    main()
