"""Record pabutools 1.2.3's Method of Equal Shares with the effort satisfaction on the dev corpus.

Writes ``tests/data/expected_mes_effort.json``: for each approval, choose-1 and cumulative
file of ``tests/data`` with at most ``VOTERS`` voters, the projects pabutools 1.2.3 (the
released reference library, GPL-3.0, a test oracle only) selects with

* ``method_of_equal_shares(instance, profile, sat_class=Effort_Sat,
  tie_breaking=lexico_tie_breaking)`` (``mes_effort``), and
* the same with ``voter_budget_increment=1`` (``mes_effort_add1``: participa's ``add1``
  completion, one currency unit per voter and step, stopping at the first exhaustive
  outcome) on files of at most ``ADD1_VOTERS`` voters.

``Effort_Sat`` divides a project's cost by ``sum(1 for b in profile if project in b)``: on
a multiprofile that counts *distinct* ballots, not voters, so it runs on the plain
profile; it recounts the supporters for every ballot (quadratic in the voters), hence the
voter limits. Each call has a time limit (``LIMIT``, ``ADD1_LIMIT`` seconds;
``timeout``: true when pabutools did not finish). Entries already in the file are kept
(delete the file to recompute everything).
Run from the repository root with the project's virtualenv::

    .venv/bin/python tools/make_expected_mes_effort.py [NAME ...]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from _oracle import DATA, dev_corpus, timed
from pabutools.election import Effort_Sat
from pabutools.rules import method_of_equal_shares
from pabutools.tiebreaking import lexico_tie_breaking

OUT = Path(os.environ.get("MES_EFFORT_OUT", DATA / "expected_mes_effort.json"))
LIMIT = 300
ADD1_LIMIT = 60
VOTERS = 3000
ADD1_VOTERS = 1000


def main() -> None:
    only = set(sys.argv[1:])
    result: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}

    def wanted(name: str) -> bool:  # the names asked for, else those not recorded yet
        return name in only if only else name not in result

    for name, instance, profile in dev_corpus(wanted):
        vote_type = instance.meta.get("vote_type", "approval")
        voters = profile.num_ballots()
        if vote_type not in ("approval", "choose-1", "cumulative") or voters > VOTERS:
            continue
        entry: dict[str, Any] = {"vote_type": vote_type, "voters": voters, "results": {}}
        runs: dict[str, dict[str, Any]] = {"mes_effort": {}}
        if voters <= ADD1_VOTERS:
            runs["mes_effort_add1"] = {"voter_budget_increment": 1}
        for key, extra in runs.items():
            got = timed(
                method_of_equal_shares,
                instance,
                profile,
                sat_class=Effort_Sat,
                tie_breaking=lexico_tie_breaking,
                limit=ADD1_LIMIT if extra else LIMIT,
                **extra,
            )
            if got is None:
                entry["results"][key] = {"timeout": True}
                continue
            alloc, secs = got
            entry["results"][key] = {
                "selected": sorted(p.name for p in alloc),
                "seconds": round(secs, 3),
            }
            print(name[:40], key, len(alloc), round(secs, 2), flush=True)
        result[name] = entry
        OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
