"""A Hypothesis strategy shared by the equal-shares tests: many voters, few distinct prices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from participa.model import BallotKind, Election, Profile, Project


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
