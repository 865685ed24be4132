"""Differential tests: participa's rules against pabutools 1.2.3 on random small elections."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given

from participa.model import BallotKind, Election
from participa.rules.greedy import greedy
from participa.rules.phragmen import phragmen
from participa.rules.reference import welfare_of
from participa.rules.welfare import max_welfare
from participa.testing.strategies import elections, elections_with_utility

pb_rules = pytest.importorskip("pabutools.rules")


oracle = pytest.importorskip("oracle")  # tests/oracle.py (tests/ is on pytest's pythonpath)
SAT_CLASSES = oracle.SAT_CLASSES
selected_ids = oracle.selected_ids
to_pabutools = oracle.to_pabutools


@given(elections_with_utility())
def test_greedy_matches_pabutools(case: tuple[Election, str]) -> None:
    e, utility = case
    instance, profile, _ = to_pabutools(e)
    theirs = pb_rules.greedy_utilitarian_welfare(instance, profile, sat_class=SAT_CLASSES[utility])
    assert greedy(e, utility=utility).selected_set == selected_ids(theirs)


@given(
    elections(
        kinds=(BallotKind.APPROVAL, BallotKind.CHOOSE_1),
        max_projects=6,
        max_voters=6,
        weighted=True,
    )
)
def test_phragmen_matches_pabutools(e: Election) -> None:
    instance, profile, _ = to_pabutools(e)
    theirs = pb_rules.sequential_phragmen(instance, profile)
    ours = phragmen(e)
    assert ours.selected_set == selected_ids(theirs)


def _pabutools_max_welfare_runs() -> bool:
    try:
        import pulp

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return bool(pulp.PULP_CBC_CMD(msg=False).available())
    except Exception:  # pragma: no cover - depends on the machine
        return False


@pytest.mark.skipif(not _pabutools_max_welfare_runs(), reason="no MIP solver for pabutools")
@given(elections_with_utility())
def test_max_welfare_matches_pabutools_welfare(case: tuple[Election, str]) -> None:
    """Optimal sets may differ on ties, so compare the optimal welfare."""
    e, utility = case
    instance, profile, _ = to_pabutools(e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        theirs = pb_rules.max_additive_utilitarian_welfare(
            instance, profile, sat_class=SAT_CLASSES[utility]
        )
    ours = max_welfare(e, utility=utility)
    assert int(ours.params["welfare"]) == welfare_of(e, utility, selected_ids(theirs))
    assert sum(p.cost for p in e.projects if p.id in selected_ids(theirs)) <= e.budget
