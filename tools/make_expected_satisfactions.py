"""Record pabutools 1.2.3's outcomes for the satisfactions on the dev corpus.

Writes ``tests/data/expected_satisfactions.json``: for each approval, choose-1 and
cumulative file of ``tests/data``, the projects pabutools 1.2.3 (the released
reference library, GPL-3.0, a test oracle only) selects with

* ``greedy_utilitarian_welfare`` and ``Effort_Sat``, ``Cost_Sqrt_Sat``, ``Cost_Log_Sat``
  (approval and choose-1 files) and ``CC_Sat`` (also cumulative files), under
  lexicographic tie-breaking and again under reverse-lexicographic tie-breaking
  (``tie_sensitive``: the two differ);
* ``max_additive_utilitarian_welfare`` with ``Effort_Sat`` (its ILP breaks ties as it
  likes, so the optimal welfare is recorded beside the set).

``Effort_Sat`` divides a project's cost by ``sum(1 for b in profile if project in b)``:
on a multiprofile that counts *distinct* ballots, not voters, so effort runs on the
plain profile, and only on files of at most ``EFFORT_VOTERS`` voters (the reference
recounts the supporters for every ballot: quadratic in the voters). The other
satisfactions run on the multiprofile (the same outcome, much faster). Entries already
in the file are kept (delete the file to recompute everything).

Each call has a time limit (``timeout``: true when pabutools did not finish). Run from
the repository root with the project's virtualenv::

    .venv/bin/python tools/make_expected_satisfactions.py
"""

from __future__ import annotations

import json
import os
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from _oracle import DATA, dev_corpus, timed
from pabutools.election import (
    CC_Sat,
    Cost_Log_Sat,
    Cost_Sqrt_Sat,
    Effort_Sat,
)
from pabutools.rules import greedy_utilitarian_welfare, max_additive_utilitarian_welfare
from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

OUT = Path(os.environ.get("SATISFACTIONS_OUT", DATA / "expected_satisfactions.json"))
LIMIT = 120
EFFORT_VOTERS = 1500

SATS: dict[str, Any] = {
    "effort": Effort_Sat,
    "cost-sqrt": Cost_Sqrt_Sat,
    "cost-log": Cost_Log_Sat,
    "cc": CC_Sat,
}
REVERSE = TieBreakingRule(lambda inst, prof, proj: (*(-ord(ch) for ch in proj.name), 1))


def main() -> None:
    only = set(sys.argv[1:])
    result: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    for name, instance, profile in dev_corpus(lambda name: not only or name in only):
        vote_type = instance.meta.get("vote_type", "approval")
        if vote_type not in ("approval", "choose-1", "cumulative"):
            continue
        multi = profile.as_multiprofile()
        small = profile.num_ballots() <= EFFORT_VOTERS
        entry: dict[str, Any] = result.get(name, {"vote_type": vote_type, "results": {}})
        for key, sat in SATS.items():
            if vote_type == "cumulative" and key != "cc":
                continue
            if f"greedy_{key}" in entry["results"] and key != "effort":
                continue
            if key == "effort" and not small:
                entry["results"].pop("greedy_effort", None)
                continue
            prof = profile if key == "effort" else multi
            got = timed(
                greedy_utilitarian_welfare,
                instance,
                prof,
                sat_class=sat,
                tie_breaking=lexico_tie_breaking,
                limit=LIMIT,
            )
            if got is None:
                entry["results"][f"greedy_{key}"] = {"timeout": True}
                continue
            alloc, secs = got
            rev = timed(
                greedy_utilitarian_welfare,
                instance,
                prof,
                sat_class=sat,
                tie_breaking=REVERSE,
                limit=LIMIT,
            )
            sel = sorted(p.name for p in alloc)
            entry["results"][f"greedy_{key}"] = {
                "selected": sel,
                "seconds": round(secs, 3),
                "tie_sensitive": rev is None or sorted(p.name for p in rev[0]) != sel,
            }
            print(name[:40], key, len(sel), round(secs, 2), flush=True)
        entry["results"].pop("max_welfare_effort", None)
        if vote_type != "cumulative" and small:
            got = timed(
                max_additive_utilitarian_welfare,
                instance,
                profile,
                sat_class=Effort_Sat,
                limit=LIMIT,
            )
            if got is None:
                entry["results"]["max_welfare_effort"] = {"timeout": True}
            else:
                alloc, secs = got
                supported = {p for ballot in profile for p in ballot}
                welfare = sum(Fraction(str(p.cost)) for p in alloc if p in supported)
                entry["results"]["max_welfare_effort"] = {
                    "selected": sorted(p.name for p in alloc),
                    "welfare": str(welfare),
                    "seconds": round(secs, 3),
                }
        result[name] = entry
        OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
