"""Tests of the seeded synthetic approval elections."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa
from participa.errors import ValidationError
from participa.model import BallotKind
from participa.synthetic import BallotModel, CostModel, SyntheticSpec, approval_election


@st.composite
def specs(draw: st.DrawFn) -> SyntheticSpec:
    m = draw(st.integers(1, 12))
    return SyntheticSpec(
        num_voters=draw(st.integers(1, 300)),
        num_projects=m,
        seed=draw(st.integers(0, 2**32)),
        ballots=draw(st.sampled_from(list(BallotModel))),
        approval_probability=draw(st.floats(0.01, 1.0)),
        mean_length=draw(st.floats(1.0, float(m))),
        max_length=draw(st.none() | st.integers(1, m)),
        num_types=draw(st.integers(1, 20)),
        popularity_skew=draw(st.sampled_from([0.0, 0.5, 3.0])),
        costs=draw(st.sampled_from(list(CostModel))),
        min_cost=draw(st.integers(1, 50)),
        max_cost=draw(st.integers(50, 10_000)),
        budget_share=draw(st.fractions(0, 1)),
    )


@given(specs())
def test_build_is_a_valid_collapsed_approval_election(spec: SyntheticSpec) -> None:
    e = spec.build()
    prof = e.profile
    assert prof.kind is BallotKind.APPROVAL
    assert prof.num_voters == spec.num_voters
    assert len(e.projects) == spec.num_projects
    assert bool((prof.lengths() >= 1).all()), "every voter approves something"
    costs = e.costs
    assert bool((costs >= spec.min_cost).all())
    assert bool((costs <= spec.max_cost).all())
    total = int(costs.sum())
    assert e.budget == total * spec.budget_share.numerator // spec.budget_share.denominator
    # collapsed: no two rows are the same ballot
    assert prof.collapse().num_groups == prof.num_groups
    # deterministic
    assert spec.build() == e


@given(specs())
def test_spec_round_trips_through_json(spec: SyntheticSpec) -> None:
    assert participa.loads(participa.dumps(spec)) == spec


def test_seed_changes_the_election() -> None:
    a = approval_election(500, 8, seed=1)
    b = approval_election(500, 8, seed=2)
    assert a != b
    assert a == approval_election(500, 8, seed=1)


def test_independent_approval_rate_matches_probability() -> None:
    p = 0.2
    e = approval_election(40_000, 10, seed=5, approval_probability=p)
    prof = e.profile
    rate = (prof.matrix * prof.multiplicity[:, None]).sum(axis=0) / prof.num_voters
    # Binomial sd ~ 0.002; empty ballots (0.8**10 ~ 10.7%) add about 0.0107 per project.
    expected = p + 0.8**10 / 10
    assert np.allclose(rate, expected, atol=0.01), rate


def test_length_model_mean_and_cap() -> None:
    e = approval_election(
        30_000, 20, seed=3, ballots="length", mean_length=4.0, max_length=6, popularity_skew=1.0
    )
    lengths = np.repeat(e.profile.lengths(), e.profile.multiplicity)
    assert lengths.min() >= 1
    assert lengths.max() <= 6
    # 1 + Poisson(3) capped at 6 has mean a bit below 4
    assert 3.5 < lengths.mean() < 4.0


def test_length_model_long_ballots_use_exact_fallback() -> None:
    e = approval_election(2_000, 12, seed=9, ballots="length", mean_length=11, popularity_skew=3)
    lengths = np.repeat(e.profile.lengths(), e.profile.multiplicity)
    poisson_mean = 1 + np.minimum(np.random.default_rng(0).poisson(10, 200_000), 11).mean()
    assert abs(lengths.mean() - poisson_mean) < 0.1
    assert lengths.max() == 12


def test_popularity_skew_concentrates_support() -> None:
    flat = approval_election(20_000, 30, seed=4, ballots="length", mean_length=2)
    skew = approval_election(
        20_000, 30, seed=4, ballots="length", mean_length=2, popularity_skew=4.0
    )

    def top_share(e: participa.Election) -> float:
        s = np.sort(e.support())[::-1]
        return float(s[:3].sum() / s.sum())

    assert top_share(skew) > top_share(flat) + 0.1


def test_types_model_has_few_groups_for_many_voters() -> None:
    e = approval_election(2_000_000, 50, seed=0, ballots="types", num_types=40)
    assert e.profile.num_voters == 2_000_000
    assert e.profile.num_groups <= 40


def test_log_uniform_costs_spread_over_magnitudes() -> None:
    e = approval_election(10, 400, seed=0, costs="log-uniform", min_cost=10, max_cost=10**6)
    decades = np.floor(np.log10(e.costs)).astype(int)
    assert set(decades.tolist()) >= {1, 2, 3, 4, 5}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("num_voters", 0),
        ("num_projects", -1),
        ("approval_probability", 0.0),
        ("mean_length", 0.5),
        ("max_length", 99),
        ("popularity_skew", -1.0),
        ("budget_share", Fraction(3, 2)),
        ("ballots", "nope"),
        ("costs", "nope"),
        ("max_cost", 1),
    ],
)
def test_bad_specs_are_rejected_with_the_field_named(field: str, value: object) -> None:
    kwargs: dict[str, object] = {"num_voters": 10, "num_projects": 5, "seed": 0}
    kwargs[field] = value
    with pytest.raises(ValidationError, match=field.split("_")[0]):
        SyntheticSpec(**kwargs)  # type: ignore[arg-type]
