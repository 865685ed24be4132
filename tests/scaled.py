"""Shared test helper: the same election with heavier voter groups and more money (#12.3)."""

from __future__ import annotations

import attrs

from participa.model import Election, Profile


def heavier(e: Election, mult: int, weight: int, money: int = 1) -> Election:
    """The same election with every group ``mult`` times more voters, each ``weight`` times
    heavier, and every amount (budget and costs) ``money`` times more: a group's say
    ``multiplicity × weight`` can pass 2^63 though neither factor does."""
    prof = e.profile
    big = Profile.from_matrix(
        prof.kind,
        list(prof.project_ids),
        prof.matrix,
        multiplicity=[int(m) * mult for m in prof.multiplicity.tolist()],
        weights=[int(w) * weight for w in prof.weight.tolist()],
        collapse=False,
        listed=prof.listed,
    )
    if money == 1:
        return attrs.evolve(e, profile=big)
    projects = tuple(attrs.evolve(p, cost=p.cost * money) for p in e.projects)
    return attrs.evolve(e, budget=e.budget * money, projects=projects, profile=big)
