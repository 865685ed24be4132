"""Hypothesis strategies for participa values.

Small by default so that exact, brute-force reference checks stay cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from participa.i18n import _

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        _("participa.testing needs the 'hypothesis' extra: pip install 'participa[hypothesis]'")
    ) from exc

import numpy as np

from participa.model import BallotKind, Election, Profile, Project

if TYPE_CHECKING:
    from participa.allocation import Envelope
    from participa.cofinancing import Pledge

__all__ = ["elections", "envelopes", "pledges", "profiles", "projects"]


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
    zero_points: bool = False,
) -> Profile:
    """A profile of ``kind`` over ``project_ids`` (one row per voter, then collapsed).

    With ``zero_points=True`` cumulative and scoring ballots may also list projects
    with 0 points (``Profile.listed``), as pabulib's Zurich files do.
    """
    m = len(project_ids)
    n = draw(st.integers(min_voters, max_voters))
    rows: list[list[int]] = []
    for _voter in range(n):
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
    mat = np.array(rows, dtype=np.int64).reshape(n, m)
    listed = None
    if zero_points and kind.has_points:
        extra = draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
        listed = (mat != 0) | np.array(extra, dtype=np.bool_).reshape(n, m)
    return Profile.from_matrix(kind, project_ids, mat, weights=weights, listed=listed)


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
    zero_points: bool = False,
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
    prof = draw(
        profiles(
            kind,
            [p.id for p in ps],
            max_voters=max_voters,
            weighted=weighted,
            zero_points=zero_points,
        )
    )
    return Election(budget, ps, prof)


@st.composite
def envelopes(draw: st.DrawFn, *, max_total: int = 10**7, max_reserves: int = 2) -> Envelope:
    """:class:`participa.allocation.Envelope` values with up to ``max_reserves`` reserves.

    >>> from hypothesis import given
    >>> @given(envelopes())
    ... def test(env):
    ...     assert env.territorial <= env.total
    >>> test()
    """
    from fractions import Fraction

    from participa.allocation import Envelope as Env
    from participa.allocation import ReservePurpose

    env = Env(
        draw(st.integers(0, max_total)),
        currency=draw(st.sampled_from((None, "PEN", "PLN"))),
        minor_per_unit=draw(st.sampled_from((1, 100))),
    )
    for k in range(draw(st.integers(0, max_reserves))):
        share = Fraction(draw(st.integers(0, 20)), 100)
        purpose = draw(st.sampled_from(list(ReservePurpose)))
        env = env.with_reserve(f"r{k}", share=share, purpose=purpose)
    return env


@st.composite
def pledges(
    draw: st.DrawFn, project_ids: Sequence[str], *, max_size: int = 4, max_value: int = 10**5
) -> tuple[Pledge, ...]:
    """Tuples of :class:`participa.cofinancing.Pledge` (money, labour, materials) for these
    projects, with unique ids ``"g0"``, ``"g1"``...

    >>> from hypothesis import given
    >>> @given(pledges(["P1", "P2"]))
    ... def test(ps):
    ...     assert all(p.value >= 0 and p.project_id in ("P1", "P2") for p in ps)
    >>> test()
    """
    from participa.cofinancing import Pledge as Pl

    out: list[Pledge] = []
    for k in range(draw(st.integers(0, max_size))):
        pid = draw(st.sampled_from(list(project_ids)))
        kind = draw(st.sampled_from(("money", "labour", "materials")))
        if kind == "money":
            out.append(Pl.money(f"g{k}", pid, draw(st.integers(0, max_value))))
        elif kind == "labour":
            hours = draw(st.integers(0, 500))
            out.append(Pl.labour(f"g{k}", pid, hours=hours, rate=draw(st.integers(0, 200))))
        else:
            out.append(Pl.materials(f"g{k}", pid, draw(st.integers(0, max_value))))
    return tuple(out)


UTILITY_KINDS: dict[str, tuple[BallotKind, ...]] = {
    "cost": tuple(BallotKind),
    "count": tuple(BallotKind),
    "points": (BallotKind.CUMULATIVE, BallotKind.SCORING),
    "borda": (BallotKind.ORDINAL,),
}
"""For each utility name, the ballot kinds it applies to."""


@st.composite
def elections_with_utility(
    draw: st.DrawFn,
    *,
    max_projects: int = 6,
    max_voters: int = 6,
    weighted: bool = True,
    zero_points: bool = True,
) -> tuple[Election, str]:
    """A utility name and a small election whose ballot kind it applies to.

    >>> from hypothesis import given
    >>> @given(elections_with_utility())
    ... def test(case):
    ...     e, utility = case
    ...     assert e.kind in UTILITY_KINDS[utility]
    >>> test()
    """
    utility = draw(st.sampled_from(sorted(UTILITY_KINDS)))
    e = draw(
        elections(
            kinds=UTILITY_KINDS[utility],
            max_projects=max_projects,
            max_voters=max_voters,
            weighted=weighted,
            zero_points=zero_points,
        )
    )
    return e, utility
