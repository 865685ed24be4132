"""Differential oracle: a participa Election as a pabutools (GPL-3.0) instance and profile.

Only tests and benchmarks import pabutools. Each profile group becomes
``multiplicity * weight`` identical pabutools ballots (pabutools ballots carry no
weight; every rule only ever looks at that product), so keep elections small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from participa.model import BallotKind, Election

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    OrdinalBallot,
    OrdinalProfile,
)
from pabutools.election import Project as PbProject  # noqa: E402
from pabutools.election.satisfaction import (  # noqa: E402
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
)

__all__ = ["SAT_CLASSES", "selected_ids", "to_pabutools"]

SAT_CLASSES: dict[str, Any] = {
    "cost": Cost_Sat,
    "count": Cardinality_Sat,
    "points": Additive_Cardinal_Sat,
    "borda": Additive_Borda_Sat,
}


def to_pabutools(election: Election) -> tuple[Any, Any, dict[str, Any]]:
    """``(instance, profile, projects by id)`` for pabutools."""
    projects = {p.id: PbProject(p.id, p.cost) for p in election.projects}
    instance = Instance(projects.values(), budget_limit=election.budget)
    prof = election.profile
    ids = prof.project_ids
    ballots: list[Any] = []
    maker: Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]], Any]
    if prof.kind.is_approval:

        def maker(row: np.ndarray[Any, Any], on: np.ndarray[Any, Any]) -> Any:
            return ApprovalBallot(projects[ids[j]] for j in np.flatnonzero(row))

        profile_cls: Any = ApprovalProfile
    elif prof.kind.has_points:
        # `on` comes from approvals(): projects listed with 0 points are on the ballot

        def maker(row: np.ndarray[Any, Any], on: np.ndarray[Any, Any]) -> Any:
            return CumulativeBallot({projects[ids[j]]: int(row[j]) for j in np.flatnonzero(on)})

        profile_cls = CumulativeProfile
    else:
        assert prof.kind is BallotKind.ORDINAL

        def maker(row: np.ndarray[Any, Any], on: np.ndarray[Any, Any]) -> Any:
            nz = np.flatnonzero(row)
            nz = nz[np.argsort(row[nz], kind="stable")]
            return OrdinalBallot(projects[ids[j]] for j in nz)

        profile_cls = OrdinalProfile
    approvals = prof.approvals()
    for g in range(prof.num_groups):
        for _ in range(int(prof.group_weight[g])):
            ballots.append(maker(prof.matrix[g], approvals[g]))
    profile = profile_cls(ballots, instance=instance)
    return instance, profile, projects


def selected_ids(allocation: Any) -> frozenset[str]:
    """The project ids of a pabutools budget allocation."""
    return frozenset(p.name for p in allocation)
