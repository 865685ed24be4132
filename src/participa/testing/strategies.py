"""Hypothesis strategies for participa values.

Small by default so that exact, brute-force reference checks stay cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "participa.testing needs the 'hypothesis' extra: pip install 'participa[hypothesis]'"
    ) from exc

import numpy as np

from participa.model import BallotKind, Election, Profile, Project

__all__ = ["elections", "profiles", "projects"]


@st.composite
def projects(
    draw: st.DrawFn, *, min_size: int = 1, max_size: int = 6, max_cost: int = 100
) -> tuple[Project, ...]:
    """Projects with unique short ids (``"p0"``, ``"p1"``, ...) and costs in ``[1, max_cost]``."""
    n = draw(st.integers(min_size, max_size))
    costs = draw(st.lists(st.integers(1, max_cost), min_size=n, max_size=n))
    return tuple(Project(f"p{j}", c) for j, c in enumerate(costs))


@st.composite
def profiles(
    draw: st.DrawFn,
    kind: BallotKind,
    project_ids: Sequence[str],
    *,
    min_voters: int = 1,
    max_voters: int = 8,
    max_points: int = 5,
    weighted: bool = False,
) -> Profile:
    """A profile of ``kind`` over ``project_ids`` (one row per voter, then collapsed)."""
    m = len(project_ids)
    n = draw(st.integers(min_voters, max_voters))
    rows: list[list[int]] = []
    for _ in range(n):
        if kind is BallotKind.APPROVAL:
            flags = draw(st.lists(st.booleans(), min_size=m, max_size=m))
            rows.append([int(x) for x in flags])
        elif kind is BallotKind.CHOOSE_1:
            pick = draw(st.integers(-1, m - 1))
            rows.append([int(j == pick) for j in range(m)])
        elif kind.has_points:
            rows.append(draw(st.lists(st.integers(0, max_points), min_size=m, max_size=m)))
        else:  # ordinal
            perm = draw(st.permutations(range(m)))
            length = draw(st.integers(0, m))
            ranks = [0] * m
            for r, j in enumerate(perm[:length]):
                ranks[j] = r + 1
            rows.append(ranks)
    weights = None
    if weighted:
        weights = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    return Profile.from_matrix(
        kind, project_ids, np.array(rows, dtype=np.int64).reshape(n, m), weight=weights
    )


@st.composite
def elections(
    draw: st.DrawFn,
    *,
    kinds: Sequence[BallotKind] = (BallotKind.APPROVAL,),
    min_projects: int = 1,
    max_projects: int = 6,
    max_voters: int = 8,
    max_cost: int = 100,
    weighted: bool = False,
) -> Election:
    """Small elections whose budget ranges from below the cheapest project to above the total.

    >>> from hypothesis import given
    >>> @given(elections())
    ... def test(e):
    ...     assert e.budget >= 0
    >>> test()
    """
    kind = draw(st.sampled_from(list(kinds)))
    ps = draw(projects(min_size=min_projects, max_size=max_projects, max_cost=max_cost))
    total = sum(p.cost for p in ps)
    budget = draw(st.integers(0, total + max_cost))
    prof = draw(profiles(kind, [p.id for p in ps], max_voters=max_voters, weighted=weighted))
    return Election(budget, ps, prof)
