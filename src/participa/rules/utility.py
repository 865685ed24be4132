"""Voter utilities: the ``groups × projects`` matrices rules work on.

=========  =====================================================================
name       utility of a project on a voter's ballot
=========  =====================================================================
``cost``   its cost (greedy then ranks by number of supporters)
``count``  1 (greedy then ranks by supporters per unit of cost)
``points`` the points given (cumulative and scoring ballots)
``borda``  ``L - r`` for rank ``r`` (1-based) on a ballot of length ``L``: the last
           ranked gets 0 (ordinal ballots)
=========  =====================================================================

A project not on the ballot has utility 0. On cumulative, scoring and ordinal
ballots ``cost`` and ``count`` treat every project on the ballot as approved, as the
reference library does, including a project listed with 0 points
(:attr:`participa.model.Profile.listed`, :meth:`~participa.model.Profile.approvals`);
``points`` stays the points, so such a project is worth 0 there.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 10), Project("b", 20), Project("c", 5)),
...     Profile.from_ballots(BallotKind.ORDINAL, ["a", "b", "c"], [["b", "a", "c"]]))
>>> utility_matrix(e, "borda").tolist()
[[1, 2, 0]]
>>> utility_matrix(e, "cost").tolist()
[[10, 20, 5]]
>>> z = Election(100, (Project("a", 10), Project("b", 20)),
...     Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b"], [{"a": 0, "b": 3}]))
>>> utility_matrix(z, "count").tolist(), utility_matrix(z, "points").tolist()
([[1, 1]], [[0, 3]])
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from participa.errors import RuleError
from participa.model import BallotKind, Election

__all__ = ["UTILITIES", "Utility", "default_utility", "utility_matrix"]

Utility = Literal["cost", "count", "points", "borda"]
UTILITIES: tuple[Utility, ...] = ("cost", "count", "points", "borda")


def default_utility(kind: BallotKind) -> Utility:
    """``cost`` for approval and choose-1, ``points`` for cumulative and scoring, ``borda``
    for ordinal ballots."""
    if kind.has_points:
        return "points"
    if kind is BallotKind.ORDINAL:
        return "borda"
    return "cost"


def utility_matrix(election: Election, utility: Utility | str) -> npt.NDArray[np.int64]:
    """Integer utilities, one row per profile group, one column per project."""
    prof = election.profile
    on = prof.approvals()
    if utility == "cost":
        return np.where(on, election.costs[None, :], 0).astype(np.int64)
    if utility == "count":
        return on.astype(np.int64)
    if utility == "points":
        if not prof.kind.has_points:
            raise RuleError(
                f"utility 'points' needs cumulative or scoring ballots, not {prof.kind.value}",
                hint="use --utility cost or count",
            )
        return prof.matrix.astype(np.int64)
    if utility == "borda":
        if prof.kind is not BallotKind.ORDINAL:
            raise RuleError(
                f"utility 'borda' needs ordinal ballots, not {prof.kind.value}",
                hint="use --utility cost or count",
            )
        lengths = prof.lengths()[:, None]
        return np.where(on, lengths - prof.matrix, 0).astype(np.int64)
    raise RuleError(f"unknown utility {utility!r}", hint=f"use one of {', '.join(UTILITIES)}")
