#!/usr/bin/env python3
"""participa's equal-shares family against the reference library's newest source, same run.

    python benchmarks/bench_mesfam.py            # the largest dev-corpus approval election
    python benchmarks/bench_mesfam.py FILE ...   # any pabulib approval files

For ``mes-bos`` (``bos_equal_shares``), ``fractional-mes`` (``fractional_equal_shares``)
and ``ees --utility count --completion add-opt`` (``ees_add_opt_completion``) it prints
participa's median time, the reference source's time (one run, in a child process of
the reference's own interpreter, timing only the rule call, with
``PYTHONHASHSEED=0`` as the corpus was made) and the ratio, and whether the selections
agree. The reference source is the unreleased pabutools at ``$PBHEAD_PYTHON`` (default
``/tmp/pbhead/venv/bin/python``, with ``/tmp/pbhead/src`` on its path); without it only
participa's times are printed. The reference computes BOS and fractional equal shares in
floats (``pabutools.fractions.FRACTION = 'float'``) and add-opt in exact fractions, as
``expected_head.json`` was made. ``--rules a,b`` picks rules.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from participa.io import load_election
from participa.model import Election
from participa.outcome import Outcome
from participa.rules.bos import bos_equal_shares, fractional_equal_shares
from participa.rules.ees import exact_equal_shares

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
HEAD_PY = Path(os.environ.get("PBHEAD_PYTHON", "/tmp/pbhead/venv/bin/python"))
HEAD_SRC = Path(os.environ.get("PBHEAD_SRC", "/tmp/pbhead/src"))


def _ees_add_opt(e: Election) -> Outcome:
    return exact_equal_shares(e, utility="count", completion="add-opt")


RULES = {
    "mes-bos": bos_equal_shares,
    "fractional-mes": fractional_equal_shares,
    "ees-add-opt": _ees_add_opt,
}
REF_NAMES = {
    "mes-bos": "bos_equal_shares",
    "fractional-mes": "fractional_equal_shares",
    "ees-add-opt": "ees_add_opt_completion",
}

CHILD = """
import json, sys, time
import pabutools.fractions as F
if sys.argv[2] != "ees_add_opt_completion":
    F.FRACTION = "float"  # BOS and fractional equal shares fail with gmpy2 fractions
from pabutools.election import parse_pabulib
from pabutools.rules import ees_addopt
from pabutools.rules.mes import bos_equal_shares as mod
inst, prof = parse_pabulib(sys.argv[1])
rule = getattr(ees_addopt if sys.argv[2] == "ees_add_opt_completion" else mod, sys.argv[2])
t = time.perf_counter()
out = rule(inst, prof)
dt = time.perf_counter() - t
if sys.argv[2] == "fractional_equal_shares":
    sel = sorted(p.name for p, f in out.details.fractions.items() if f >= 1)
else:
    sel = sorted(p.name for p in out)
print(json.dumps({"seconds": dt, "selected": sel}))
"""


def _largest() -> list[Path]:
    head = json.loads((DATA / "expected_head.json").read_text(encoding="utf-8"))
    names = [(e["num_ballots"], n) for n, e in head.items() if "bos_cost" in e["results"]]
    return [DATA / f"{max(names)[1]}.pb.gz"]


def _reference(path: Path, rule: str) -> dict[str, object] | None:
    if not HEAD_PY.exists():
        return None
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(HEAD_SRC))
    run = subprocess.run(
        [str(HEAD_PY), "-c", CHILD, str(path), REF_NAMES[rule]],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if run.returncode:
        print(run.stderr[-500:], file=sys.stderr)
        return None
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    picked = list(RULES)
    if argv and argv[0] == "--rules":
        picked, argv = argv[1].split(","), argv[2:]
    files = [Path(a) for a in argv] or _largest()
    print(f"python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            plain = path
            if path.suffix == ".gz":
                plain = Path(tmp) / path.stem
                plain.write_bytes(gzip.decompress(path.read_bytes()))
            election = load_election(plain)
            for name in picked:
                rule = RULES[name]
                times = []
                for _ in range(3):
                    t = time.perf_counter()
                    out = rule(election)
                    times.append(time.perf_counter() - t)
                ours = statistics.median(times)
                ref = _reference(plain, name)
                line = f"{path.name[:50]:50} {name:15} participa {ours:8.3f}s"
                if ref is not None:
                    theirs = float(str(ref["seconds"]))
                    same = sorted(out.selected) == ref["selected"]
                    line += f"  reference {theirs:8.2f}s  x{theirs / ours:7.0f}  same: {same}"
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
