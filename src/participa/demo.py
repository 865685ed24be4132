"""The built-in demo: a Villa El Salvador-style round from envelope to outcome.

``participa demo`` (and ``python3 dev.py demo``) runs :func:`run_demo`:

1. the PB envelope (35% of the investment fund) split among 8 sections with the
   30/20/50 formula, exactly to the céntimo;
2. Sector 3's proposals with the 20% community co-financing rule: who falls short, and
   each project's net cost;
3. the workshop's ballots (invented, seeded — see :func:`workshop_profile`);
4. the per-head split the paper critiques beside cost-aware rules on the same votes,
   money per project;
5. the per-head split's funding gaps, against the same rules.

Equal shares runs with one variant everywhere (:data:`EQUAL_SHARES`, the ``add1``
completion). Names are shown whole. With ``lang="es"`` (``participa demo --lang es``)
everything is in Spanish. Which numbers come from the seed paper and which are
invented is listed in :data:`participa.examples.ves.SOURCES`. The workshop's
election is shipped as the dataset ``ves-2000`` (:mod:`participa.datasets`).

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> run_demo(out)
>>> "per-head" in out.getvalue() and "equal shares (add1)" in out.getvalue()
True
>>> run_demo(out, lang="es")
>>> "brechas de financiamiento" in out.getvalue()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TextIO

import numpy as np

from participa.boundary import checked
from participa.cofinancing import financing, net_election
from participa.examples.ves import SOURCES, ves_2000
from participa.i18n import N_, _, ngettext, use_language
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import Outcome
from participa.rules import equal_shares, funding_diagnostics, greedy, max_welfare, per_head

__all__ = ["EQUAL_SHARES", "WORKSHOP_SEED", "run_demo", "workshop_election", "workshop_profile"]

WORKSHOP_SEED = 2000
"""Seed of the invented workshop ballots."""

EQUAL_SHARES: Final = "add1"
"""The completion of the one equal shares variant the demo uses in every step."""

# Invented: how likely a participant is to approve each of Sector 3's proposals.
_APPROVAL_RATE = (0.55, 0.35, 0.30, 0.25, 0.10, 0.45, 0.20, 0.40)

# The sources' labels (defined in participa.examples.ves), marked for their Spanish.
_SOURCE_LABELS = (
    N_("PB share 35% of the investment fund"),
    N_("S/ 2,000,000 for PB in 2000"),
    N_("8 sections"),
    N_("weights 30% inhabitants / 20% basic-service deficit / 50% tax compliance"),
    N_("about 350,000 inhabitants"),
    N_("20% community co-financing (2001 decree)"),
)


@checked
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


@checked
def workshop_election() -> Election:
    """Sector 3's workshop: its budget, the projects at net cost, the invented ballots.

    >>> from participa import datasets
    >>> datasets.load("ves-2000") == workshop_election()
    True
    """
    ex = ves_2000()
    env = ex.envelope
    gross = Election(
        ex.section_budget,
        ex.projects,
        workshop_profile(ex.projects),
        name="Sector 3 workshop",
        currency=env.currency,
        minor_per_unit=env.minor_per_unit,
    )
    return net_election(ex.plan, gross)


def _label(o: Outcome) -> str:
    return _("equal shares (add1)") if o.rule == "mes" else o.rule


@checked
def run_demo(out: TextIO, *, lang: str | None = None) -> None:
    """Print the demo round to ``out`` (in ``lang``, default: the current language)."""
    with use_language(lang):
        _run_demo(out)


def _run_demo(out: TextIO) -> None:
    ex = ves_2000()
    env = ex.envelope
    election = workshop_election()
    soles = election.money.format
    w = out.write

    w(_("participa demo: a Villa El Salvador-style PB round (2000)") + "\n")
    paper = "; ".join(_(k) for k, v in SOURCES.items() if v == "seed paper")
    w(_("Numbers from the seed paper: {facts}.", facts=paper) + "\n")
    w(_("Everything else is invented for illustration.") + "\n\n")

    w(
        "1. "
        + _(
            "Envelope: 35% of the investment fund = {amount}, split among 8 sections by "
            "inhabitants 30%, basic-service deficit 20%, tax compliance 50% "
            "(largest remainder):",
            amount=soles(env.total),
        )
        + "\n"
    )
    width = max(len(t.name) for t in ex.sections)
    for t in ex.sections:
        w(f"   {t.id:<3} {t.name:<{width}}  {soles(ex.allocation.amount(t.id)):>18}\n")
    total = sum(ex.allocation.amounts.values())
    exact = _("yes") if total == env.total else _("no")
    w(
        f"   {_('total'):<{width + 4}}  {soles(total):>18}  "
        + _("(exactly the envelope: {answer})", answer=exact)
        + "\n\n"
    )

    budget = ex.section_budget
    w(
        "2. "
        + _(
            "Sector 3 has {amount}. Its proposals, with 20% community co-financing:",
            amount=soles(budget),
        )
        + "\n"
    )
    short = {s.project_id: s for s in ex.shortfalls}
    name_width = max(len(p.name) for p in ex.projects)
    w(
        f"   {'':<6}{_('proposal'):<{name_width}}  {_('cost'):>15}  {_('net cost'):>15}  "
        f"{_('co-financing')}\n"
    )
    for p in ex.projects:
        f = financing(ex.plan, p)
        flag = (
            _("short by {amount}", amount=soles(short[p.id].missing))
            if p.id in short
            else _("20% pledged")
        )
        w(
            f"   {p.id:<6}{p.name:<{name_width}}  {soles(p.cost):>15}  {soles(f.net_cost):>15}"
            f"  {flag}\n"
        )
    w("\n")

    support = election.support()
    w(
        "3. "
        + _(
            "Workshop vote: {voters} participants approve the proposals they back (invented "
            "ballots). Supporters per proposal: {counts}",
            voters=election.profile.num_voters,
            counts=", ".join(
                f"{pid} {int(n)}" for pid, n in zip(election.project_ids, support, strict=True)
            ),
        )
        + "\n\n"
    )

    outcomes: list[Outcome] = [
        per_head(election),
        greedy(election),
        equal_shares(election, completion=EQUAL_SHARES),
        max_welfare(election),
    ]
    w(
        "4. "
        + _(
            "Rules on the same votes (net costs, budget {amount}); money each project gets:",
            amount=soles(budget),
        )
        + "\n"
    )
    labels = [_label(o) for o in outcomes]
    first = max(6, len(_("spent")) + 1)
    cols = [max(len(lab), 15) for lab in labels]
    w(
        f"   {'':<{first}}{_('net cost'):>15}  "
        + "  ".join(lab.rjust(c) for lab, c in zip(labels, cols, strict=True))
        + "\n"
    )
    for p in election.projects:
        cells = []
        for o, c in zip(outcomes, cols, strict=True):
            got = o.funding.get(p.id, 0)
            mark = "" if got in (0, p.cost) else "*"
            cells.append((soles(got) + mark if got else "-").rjust(c))
        w(f"   {p.id:<{first}}{soles(p.cost):>15}  " + "  ".join(cells) + "\n")
    w(
        f"   {_('spent'):<{first}}{'':>15}  "
        + "  ".join(soles(o.total_funding).rjust(c) for o, c in zip(outcomes, cols, strict=True))
        + "\n"
    )
    w("   " + _("* partly funded: the money does not build the project") + "\n")

    w("\n5. " + _("The per-head split's funding gaps (the paper's critique, in numbers):") + "\n")
    diag = funding_diagnostics(election, outcomes[0])
    for pid, gap in diag.gaps.items():
        w(
            "   "
            + _(
                "{project} gets {funding} of {cost} (missing {gap}: cannot be built)",
                project=pid,
                funding=soles(diag.funding[pid]),
                cost=soles(diag.costs[pid]),
                gap=soles(gap),
            )
            + "\n"
        )
    w(
        "   "
        + ngettext(
            "{n} project below cost holds {stranded} that builds nothing; "
            "{unspent} is left unspent.",
            "{n} projects below cost hold {stranded} that builds nothing; "
            "{unspent} is left unspent.",
            diag.below_cost,
            stranded=soles(diag.stranded),
            unspent=soles(diag.unspent),
        )
        + "\n"
    )
    w(
        "   "
        + _(
            "With the same votes, greedy funds {greedy} whole projects and {mes_label} {mes}.",
            greedy=len(outcomes[1].selected),
            mes_label=_label(outcomes[2]),
            mes=len(outcomes[2].selected),
        )
        + "\n"
    )
