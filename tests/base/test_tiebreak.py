"""TieBreak resolves ties over projects alone (no Election needed) exactly as over an
election holding those projects."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa.errors import TieError, ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak, TieCriterion

CHAINS = st.lists(
    st.sampled_from([c for c in TieCriterion if c is not TieCriterion.LOTTERY]),
    min_size=1,
    max_size=3,
).map(lambda cs: TieBreak(tuple(cs)))


def _same(a: object, b: object) -> bool:
    return bool(
        np.array_equal(a.priority, b.priority)  # type: ignore[attr-defined]
        and np.array_equal(a.klass, b.klass)  # type: ignore[attr-defined]
        and a.project_ids == b.project_ids  # type: ignore[attr-defined]
    )


@given(elections(), CHAINS)
def test_over_projects_with_support_is_the_election_resolver(e: Election, tb: TieBreak) -> None:
    assert _same(tb.over_projects(e.projects, support=e.support()), tb.resolver(e))


@given(elections(), CHAINS)
def test_over_projects_alone_is_an_election_nobody_voted_in(e: Election, tb: TieBreak) -> None:
    ids = list(e.project_ids)
    silent = Election(
        0, e.projects, Profile.from_matrix(BallotKind.APPROVAL, ids, np.zeros((0, len(ids))))
    )
    assert _same(tb.over_projects(e.projects), tb.resolver(silent))


def test_over_projects_orders_refuses_and_checks_its_input() -> None:
    ps = [Project("b", 10), Project("a", 30), Project("c", 10)]
    assert TieBreak.parse("min-cost,id").over_projects(ps).order([0, 1, 2]) == [0, 2, 1]
    assert TieBreak.parse("lottery:7").over_projects(ps).order([0, 1, 2]) == TieBreak.parse(
        "lottery:7"
    ).over_projects(ps).order([0, 1, 2])
    with pytest.raises(TieError, match=r"\['b', 'c'\]"):
        TieBreak.parse("min-cost,refuse").over_projects(ps).pick([0, 2])
    with pytest.raises(ValidationError, match="duplicate project id"):
        TieBreak().over_projects([Project("a", 1), Project("a", 2)])
    with pytest.raises(ValidationError, match="one whole number per project"):
        TieBreak().over_projects(ps, support=[1, 2])
    with pytest.raises(ValidationError, match="one whole number per project"):
        TieBreak().over_projects(ps, support=[0.5, 1.0, 2.0])
