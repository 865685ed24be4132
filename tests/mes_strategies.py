"""What the equal-shares kernel tests share: elections with many voters, the options drawn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from participa.model import BallotKind, Election, Profile, Project
from participa.tiebreak import TieBreak


@st.composite
def approval_groups(
    draw: st.DrawFn,
    *,
    costs: Sequence[int],
    max_projects: int,
    max_groups: int,
    max_multiplicity: int,
) -> Election:
    """Approval groups with multiplicities and costs from ``costs``: near ties in ρ and payments.

    Between 2 and ``max_projects`` projects, 1 to ``max_groups`` distinct ballots, each
    cast 1 to ``max_multiplicity`` times; a budget from 0 to the total cost + 30.
    """
    m = draw(st.integers(2, max_projects))
    cost = draw(st.lists(st.sampled_from(list(costs)), min_size=m, max_size=m))
    g = draw(st.integers(1, max_groups))
    rows = draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=g, max_size=g))
    mult = draw(st.lists(st.integers(1, max_multiplicity), min_size=g, max_size=g))
    prof = Profile.from_matrix(
        BallotKind.APPROVAL,
        [f"p{j}" for j in range(m)],
        np.array(rows, dtype=np.int64),
        multiplicity=mult,
    )
    budget = draw(st.integers(0, sum(cost) + 30))
    return Election(budget, tuple(Project(f"p{j}", c) for j, c in enumerate(cost)), prof)


COMPLETIONS = ("none", "add1", "add1u", "utilitarian")
"""The completions the kernel tests compare with the per-voter reference."""


def kernel_options(data: st.DataObject, utility: str) -> dict[str, Any]:
    """Equal-shares options drawn for a kernel-against-reference test (``utility`` given)."""
    return {
        "utility": utility,
        "completion": data.draw(st.sampled_from(COMPLETIONS)),
        "exhaustive_stop": data.draw(st.booleans()),
        "integral_start": data.draw(st.booleans()),
        "increment": data.draw(st.sampled_from([1, 3, 10])),
        "comparison": data.draw(st.booleans()),
        "tie_break": data.draw(st.sampled_from([TieBreak(), TieBreak.parse("max-cost,id")])),
    }
