"""The built-in demo: a Villa El Salvador-style round from envelope to outcome.

``participa demo`` (and ``python3 dev.py demo``) runs :func:`run_demo`:

1. the PB envelope (35% of the investment fund) split among 8 sections with the
   30/20/50 formula, exactly to the céntimo;
2. Sector 3's proposals with the 20% community co-financing rule: who falls short, and
   each project's net cost;
3. the workshop's ballots (invented, seeded — see :func:`workshop_profile`);
4. the per-head split the paper critiques beside cost-aware rules on the same votes,
   with the per-head split's funding gaps.

Which numbers come from the seed paper and which are invented is listed in
:data:`participa.examples.ves.SOURCES`.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> run_demo(out)
>>> "per-head" in out.getvalue() and "mes" in out.getvalue()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

import numpy as np

from participa.cofinancing import financing, net_election
from participa.examples.ves import SOURCES, ves_2000
from participa.model import BallotKind, Election, Profile, Project
from participa.money import format_amount
from participa.outcome import Outcome
from participa.rules import equal_shares, funding_diagnostics, greedy, max_welfare, per_head

__all__ = ["WORKSHOP_SEED", "run_demo", "workshop_profile"]

WORKSHOP_SEED = 2000
"""Seed of the invented workshop ballots."""

# Invented: how likely a participant is to approve each of Sector 3's proposals.
_APPROVAL_RATE = (0.55, 0.35, 0.30, 0.25, 0.10, 0.45, 0.20, 0.40)


def workshop_profile(
    projects: Sequence[Project], *, participants: int = 240, seed: int = WORKSHOP_SEED
) -> Profile:
    """Invented approval ballots for Sector 3's workshop (seeded, so always the same).

    >>> from participa.examples.ves import ves_2000
    >>> workshop_profile(ves_2000().projects).num_voters
    240
    """
    rng = np.random.default_rng(seed)
    rates = np.resize(np.array(_APPROVAL_RATE), len(projects))
    matrix = rng.random((participants, len(projects))) < rates[None, :]
    return Profile.from_matrix(BallotKind.APPROVAL, [p.id for p in projects], matrix)


def run_demo(out: TextIO) -> None:
    """Print the demo round to ``out``."""
    ex = ves_2000()
    env = ex.envelope

    def soles(amount: int) -> str:
        return format_amount(amount, minor_per_unit=env.minor_per_unit, currency="S/")

    w = out.write
    w("participa demo: a Villa El Salvador-style PB round (2000)\n")
    w(
        "Numbers from the seed paper: "
        + "; ".join(k for k, v in SOURCES.items() if v == "seed paper")
    )
    w(".\nEverything else is invented for illustration.\n\n")

    w(f"1. Envelope: 35% of the investment fund = {soles(env.total)}, split among 8 sections\n")
    w("   by inhabitants 30%, basic-service deficit 20%, tax compliance 50% (largest remainder):\n")
    for t in ex.sections:
        w(f"   {t.id}  {t.name:<10} {soles(ex.allocation.amount(t.id)):>18}\n")
    total = sum(ex.allocation.amounts.values())
    w(f"   total       {soles(total):>18}  (exactly the envelope: {total == env.total})\n\n")

    budget = ex.section_budget
    w(f"2. Sector 3 has {soles(budget)}. Its proposals, with 20% community co-financing:\n")
    short = {s.project_id: s for s in ex.shortfalls}
    for p in ex.projects:
        f = financing(ex.plan, p)
        flag = f"short by {soles(short[p.id].missing)}" if p.id in short else "20% pledged"
        w(
            f"   {p.id} {p.name[:38]:<38} cost {soles(p.cost):>15}  net {soles(f.net_cost):>15}"
            f"  {flag}\n"
        )
    w("\n")

    profile = workshop_profile(ex.projects)
    gross = Election(
        budget,
        ex.projects,
        profile,
        name="Sector 3 workshop",
        currency=env.currency,
        minor_per_unit=env.minor_per_unit,
    )
    election = net_election(ex.plan, gross)
    support = election.support()
    w(
        f"3. Workshop vote: {profile.num_voters} participants approve the proposals they back\n"
        "   (invented ballots); supporters per proposal: "
        + ", ".join(f"{pid} {int(n)}" for pid, n in zip(election.project_ids, support, strict=True))
        + "\n\n"
    )

    w(f"4. Rules on the same votes (net costs, budget {soles(budget)}):\n")
    outcomes: list[Outcome] = [
        per_head(election),
        greedy(election),
        equal_shares(election, completion="add1"),
        max_welfare(election),
    ]
    costs = dict(zip(election.project_ids, (int(c) for c in election.costs), strict=True))
    for o in outcomes:
        complete = [p for p in election.project_ids if o.funding[p] and o.funding[p] >= costs[p]]
        partial = [p for p in election.project_ids if 0 < o.funding[p] < costs[p]]
        w(
            f"   {o.rule:<12} spends {soles(o.total_funding):>15}; complete: "
            f"{', '.join(complete) or '-'}"
            + (f"; PARTIAL: {', '.join(partial)}" if partial else "")
            + "\n"
        )
    w("\n5. The per-head split's funding gaps (the paper's critique, in numbers):\n")
    diag = funding_diagnostics(election, outcomes[0])
    for pid, gap in diag.gaps.items():
        w(
            f"   {pid} gets {soles(diag.funding[pid]):>15} of {soles(diag.costs[pid]):>15}"
            f"  (missing {soles(gap)}: cannot be built)\n"
        )
    w(
        f"   {diag.below_cost} projects below cost hold {soles(diag.stranded)} that builds nothing;"
        f" {soles(diag.unspent)} is left unspent.\n"
        f"   With the same votes, greedy funds {len(diag.greedy_selected)} whole projects"
        + (
            f" and equal shares {len(diag.equal_shares_selected)}."
            if diag.equal_shares_selected is not None
            else "."
        )
        + "\n"
    )
