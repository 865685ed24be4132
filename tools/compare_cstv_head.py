#!/usr/bin/env python3
"""Small random cumulative elections: participa's CSTV against the reference HEAD source.

    python tools/compare_cstv_head.py --seed 1 --count 3000            # every difference
    python tools/compare_cstv_head.py --seed 1 --count 3000 --fix-cap  # with the cap corrected
    python tools/compare_cstv_head.py --variants mt,mtc,mts --max-projects 4 --json

A development tool, not part of the suite: it needs the reference source's interpreter
(``PYTHONHASHSEED=0 $PARTICIPA_HEAD_PYTHON``, default ``/tmp/pbhead/venv/bin/python``,
GPL-3.0, run in a subprocess and never imported here). Elections are drawn from
``random.Random(seed)``: 2 to ``--max-voters`` voters, 2 to ``--max-projects`` projects
named ``p0``, ``p1``, ..., costs 1 to ``--max-cost``, a budget between the cheapest
cost and the sum of the costs, and 0 to 3 points per voter and project. Every voter who
gives points donates ``budget / n`` in proportion to her points, as in the corpus script
(``../shared/corpus/HEAD_RULES.md``).

``--fix-cap`` corrects, in the child only, the one subtraction docs/more-rules.md
describes in the reference's minimal transfer (a capped donor's whole money taken off the
support still to be raised instead of her gift to the project), so that the remaining
differences show the other causes. Each difference is printed as one JSON line (the
election, the variant, both outcomes); ``--json`` prints them all as one list.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

DEFAULT_HEAD = "/tmp/pbhead/venv/bin/python"  # noqa: S108 (where HEAD_RULES.md installs it)
HEAD_PYTHON = Path(os.environ.get("PARTICIPA_HEAD_PYTHON", DEFAULT_HEAD))

CHILD = r"""
import importlib, inspect, json, sys
from pabutools.election import Instance, Project, CumulativeBallot, CumulativeProfile
from pabutools.fractions import frac
mod = importlib.import_module("pabutools.rules.cstv")

if sys.argv[1] == "fix":
    src = inspect.getsource(mod.minimal_transfer)
    wrong = "total_support -= total\n"
    assert src.count(wrong) == 1, "the reference source changed: --fix-cap does not apply"
    exec(compile(src.replace(wrong, "total_support -= donation\n"), mod.__file__, "exec"),
         mod.__dict__)

out = []
for case in json.load(sys.stdin):
    projects = [Project(f"p{j}", c) for j, c in enumerate(case["costs"])]
    instance = Instance(projects, budget_limit=case["budget"])
    givers = [b for b in case["ballots"] if sum(b) > 0]
    row = {}
    if givers:
        share = frac(case["budget"], len(givers))
        prof = CumulativeProfile([
            CumulativeBallot({p: frac(b[j], sum(b)) * share for j, p in enumerate(projects)})
            for b in givers
        ])
    else:  # nobody gives points: every voter donates nothing
        prof = CumulativeProfile([CumulativeBallot({p: 0 for p in projects})
                                  for _ in case["ballots"]])
    for v in case["variants"]:
        try:
            res = mod.cstv(instance, prof, mod.CSTV_Combination[v.upper()])
            row[v] = sorted(p.name for p in res)
        except Exception as exc:
            row[v] = type(exc).__name__
    out.append(row)
print(json.dumps(out))
"""


def draw(rng: random.Random, max_voters: int, max_projects: int, max_cost: int) -> dict[str, Any]:
    m = rng.randint(2, max_projects)
    costs = [rng.randint(1, max_cost) for _ in range(m)]
    budget = rng.randint(min(costs), sum(costs))
    voters = rng.randint(2, max_voters)
    ballots = [[rng.choice((0, 0, 1, 2, 3)) for _ in range(m)] for _ in range(voters)]
    return {"budget": budget, "costs": costs, "ballots": ballots}


def participa_outcome(case: dict[str, Any], variant: str) -> list[str]:
    from participa.model import BallotKind, Election, Profile, Project
    from participa.rules.cstv import cstv

    ids = [f"p{j}" for j in range(len(case["costs"]))]
    election = Election(
        case["budget"],
        tuple(Project(i, c) for i, c in zip(ids, case["costs"], strict=True)),
        Profile.from_ballots(
            BallotKind.CUMULATIVE,
            ids,
            [{i: x for i, x in zip(ids, b, strict=True) if x} for b in case["ballots"]],
        ),
    )
    return sorted(cstv(election, variant=variant).selected)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--variants", default="ewt,ewtc,ewts,mt,mtc,mts")
    ap.add_argument("--max-voters", type=int, default=4)
    ap.add_argument("--max-projects", type=int, default=4)
    ap.add_argument("--max-cost", type=int, default=12)
    ap.add_argument("--fix-cap", action="store_true", help="correct the documented subtraction")
    ap.add_argument("--json", action="store_true", help="all differences as one JSON list")
    args = ap.parse_args(argv)
    if not HEAD_PYTHON.exists():
        print(f"reference interpreter {HEAD_PYTHON} not found: nothing to compare")
        return 2
    rng = random.Random(args.seed)  # noqa: S311 (reproducible draws, not secrets)
    variants = args.variants.split(",")
    cases = [
        draw(rng, args.max_voters, args.max_projects, args.max_cost) | {"variants": variants}
        for _ in range(args.count)
    ]
    proc = subprocess.run(  # noqa: S603 (our own script, our own arguments)
        [str(HEAD_PYTHON), "-c", CHILD, "fix" if args.fix_cap else "as-is"],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONHASHSEED="0"),
        check=True,
    )
    theirs = json.loads(proc.stdout)
    diffs = []
    for k, (case, row) in enumerate(zip(cases, theirs, strict=True)):
        for v in variants:
            ours = participa_outcome(case, v)
            if ours != row[v]:
                diff = {"case": k, "variant": v, "participa": ours, "reference": row[v]}
                diffs.append(diff | {k2: case[k2] for k2 in ("budget", "costs", "ballots")})
    if args.json:
        print(json.dumps(diffs, indent=1))
    else:
        for d in diffs:
            print(json.dumps(d))
    print(
        f"{len(diffs)} differences in {args.count} elections × {len(variants)} variants",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
