"""Online budgeting: a per-voter exact reference, the property battery and the corpus."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from participa import ParticipaError, RuleError
from participa.io import load_election
from participa.model import BallotKind, Election, Profile, Project
from participa.rules import online as online_module
from participa.rules.online import online_greedy
from participa.testing import PROPERTIES, check_rule
from participa.testing.strategies import elections
from scaled import heavier

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = json.loads((DATA / "expected_head.json").read_text(encoding="utf-8"))


def _voters(e: Election) -> list[tuple[frozenset[int], int]]:
    """One (approved project indices, weight) per voter: no collapsing, no numpy."""
    prof = e.profile
    out = []
    for g in range(prof.num_groups):
        approved = frozenset(j for j in range(len(e.projects)) if prof.approvals()[g, j])
        out += [(approved, int(prof.weight[g]))] * int(prof.multiplicity[g])
    return out


def reference_greedy(e: Election, order: list[int]) -> list[int]:
    """Greedy budgeting voter by voter with Fractions (equal shares, capped)."""
    voters = _voters(e)
    shares = sum(w for _a, w in voters)
    money = [Fraction(e.budget, shares) * w if shares else Fraction(0) for _a, w in voters]
    chosen = []
    for j in order:
        cost = int(e.costs[j])
        sup = [i for i, (a, _w) in enumerate(voters) if j in a]
        if sum((money[i] for i in sup), Fraction(0)) < cost:
            continue
        # the smallest per-share payment rho with sum min(money_i, rho * w_i) == cost
        rho = Fraction(0)
        if cost:
            cands = sorted({money[i] / voters[i][1] for i in sup})
            for c in cands:
                paid = sum(min(money[i], c * voters[i][1]) for i in sup)
                if paid >= cost:
                    lo = [i for i in sup if money[i] / voters[i][1] < c]
                    rest = sum((money[i] for i in lo), Fraction(0))  # never int / int
                    rho = (cost - rest) / sum(voters[i][1] for i in sup if i not in lo)
                    break
        for i in sup:
            money[i] -= min(money[i], rho * voters[i][1])
        chosen.append(j)
    return chosen


def reference_efficient(e: Election, order: list[int]) -> list[int]:
    """Efficient greedy by Hall's condition over every subset of the funded projects."""
    voters = _voters(e)
    shares = sum(w for _a, w in voters)
    chosen: list[int] = []
    spent = 0
    for j in order:
        cost = int(e.costs[j])
        if spent + cost > e.budget:
            continue
        trial = [*chosen, j]
        ok = True
        for r in range(1, len(trial) + 1):
            for subset in itertools.combinations(trial, r):
                need = sum(int(e.costs[p]) for p in subset) * shares
                reach = sum(w for a, w in voters if a & set(subset))
                if need > e.budget * reach:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            chosen.append(j)
            spent += cost
    return chosen


APPROVALISH = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)


@settings(max_examples=150, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True), data=st.data())
def test_greedy_matches_the_per_voter_reference(e: Election, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(e.projects))))
    out = online_greedy(e, order=[e.project_ids[j] for j in order])
    assert list(out.selected) == [e.project_ids[j] for j in reference_greedy(e, list(order))]


@settings(max_examples=150, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True), data=st.data())
def test_greedy_exact_path_matches_the_per_voter_reference(
    e: Election, data: st.DataObject
) -> None:
    # The float64-guided search off: every payment from an exact sort of the amounts held.
    order = data.draw(st.permutations(range(len(e.projects))))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(online_module, "_FLOAT_GUIDE", False)
        out = online_greedy(e, order=[e.project_ids[j] for j in order])
    assert list(out.selected) == [e.project_ids[j] for j in reference_greedy(e, list(order))]


@settings(max_examples=100, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True), data=st.data())
def test_greedy_sorted_guess_matches_the_per_voter_reference(
    e: Election, data: st.DataObject
) -> None:
    # No round of the fixed-point search: who pays everything is guessed by a sort.
    order = data.draw(st.permutations(range(len(e.projects))))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(online_module, "_FIXED_POINT_ROUNDS", 0)
        out = online_greedy(e, order=[e.project_ids[j] for j in order])
    assert list(out.selected) == [e.project_ids[j] for j in reference_greedy(e, list(order))]


@settings(max_examples=200, deadline=None)
@given(
    held=st.lists(st.integers(0, 50), min_size=1, max_size=12),
    data=st.data(),
    rounds=st.sampled_from([0, 1, 8]),
)
def test_pay_all_guess_finds_who_holds_less_than_the_payment(
    held: list[int], data: st.DataObject, rounds: int
) -> None:
    # Small integers: the float64 guess is exact, so it must equal the exact threshold.
    weights = data.draw(st.lists(st.integers(1, 5), min_size=len(held), max_size=len(held)))
    total = sum(h * w for h, w in zip(held, weights, strict=True))
    need = data.draw(st.integers(1, max(total, 1)))
    assume(need <= total)
    # the exact payment: the smallest rho with sum(w * min(h, rho)) >= need
    rho = next(
        r
        for r in sorted({Fraction(0), *map(Fraction, held)})
        if sum(w * min(h, r) for h, w in zip(held, weights, strict=True)) >= need
    )
    lo = [i for i, h in enumerate(held) if h < rho]
    rest = sum(weights[i] for i in range(len(held)) if i not in lo)
    rho = (need - sum(held[i] * weights[i] for i in lo)) / rest
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(online_module, "_FIXED_POINT_ROUNDS", rounds)
        guess = online_module._pay_all_guess(
            np.asarray(held, dtype=float), np.asarray(weights, dtype=float), float(need)
        )
    assert guess.tolist() == [h < rho for h in held]


def test_greedy_float_guide_checks_near_ties_exactly() -> None:
    # Each voter holds 10**17. Funding "a" leaves its two supporters 1/2 each, which
    # float64 estimates as 0 (10**17 - 1/2 rounds to 10**17); "b" then costs exactly
    # what all three hold, so its payment equals the third voter's 10**17: a boundary
    # tie that only the exact check can confirm. "c" finds nobody with money left.
    big = 3 * 10**17
    e = Election(
        big,
        (Project("a", 2 * 10**17 - 1), Project("b", 10**17 + 1), Project("c", 1)),
        Profile.from_ballots(
            BallotKind.APPROVAL, ["a", "b", "c"], [["a", "b"], ["a", "b"], ["b", "c"]]
        ),
    )
    expected = [e.project_ids[j] for j in reference_greedy(e, [0, 1, 2])]
    assert list(online_greedy(e).selected) == expected


@settings(max_examples=150, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True), data=st.data())
def test_efficient_matches_halls_condition(e: Election, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(e.projects))))
    out = online_greedy(e, variant="efficient", order=[e.project_ids[j] for j in order])
    assert list(out.selected) == [e.project_ids[j] for j in reference_efficient(e, list(order))]


@settings(max_examples=60, deadline=None)
@given(e=elections(kinds=(BallotKind.APPROVAL,), max_projects=5, max_voters=7))
def test_efficient_funds_a_superset_of_greedy_prefix_feasibility(e: Election) -> None:
    # whatever greedy funds is payable by construction, so it passes Hall's condition
    chosen = [e.index(p) for p in online_greedy(e).selected]
    assert reference_efficient(e, chosen) == chosen


def test_utilities_agree_on_approval_ballots() -> None:
    e = load_election(DATA / "Poland_Warszawa_2018_Goclaw.pb.gz")
    assert online_greedy(e, utility="cost").selected == online_greedy(e, utility="count").selected


@pytest.mark.parametrize("variant", ["greedy", "efficient"])
def test_property_battery(variant: str) -> None:
    # arrival order is the point of an online rule: neutrality does not apply
    props = tuple(p for p in PROPERTIES if p != "neutrality")
    check_rule(
        lambda e: online_greedy(e, variant=variant),  # type: ignore[arg-type]
        kinds=APPROVALISH,
        properties=props,
        weighted=True,
        max_examples=40,
    )


def test_huge_amounts_stay_exact() -> None:
    u = 10**18
    e = Election(
        3 * u,
        (Project("a", u), Project("b", 2 * u), Project("c", u)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "b"]] * 7 + [["c"]] * 3),
    )
    for variant in ("greedy", "efficient"):
        out = online_greedy(e, variant=variant)  # type: ignore[arg-type]
        ref = reference_greedy if variant == "greedy" else reference_efficient
        assert list(out.selected) == [e.project_ids[j] for j in ref(e, [0, 1, 2])]


def test_bad_options_are_participa_errors() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    with pytest.raises(ParticipaError, match="variant"):
        online_greedy(e, variant="fast")  # type: ignore[arg-type]
    with pytest.raises(ParticipaError, match="utility"):
        online_greedy(e, utility="points")  # type: ignore[arg-type]
    with pytest.raises(ParticipaError, match="does not have"):
        online_greedy(e, order=["nope"])
    with pytest.raises(ParticipaError, match="twice"):
        online_greedy(e, order=[e.project_ids[0]] * 2)
    ordinal = load_election(DATA / "Poland_Krakow_2021_Debniki.pb.gz")
    with pytest.raises(RuleError):
        online_greedy(ordinal)


CASES = [
    (name, key)
    for name, entry in HEAD.items()
    for key in ("online_greedy_cost", "online_greedy_card", "online_efficient_greedy")
    if key in entry["results"] and "selected" in entry["results"][key]
]


@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n[:30]}-{k}" for n, k in CASES])
def test_corpus_matches_the_reference_source(name: str, key: str) -> None:
    e = load_election(DATA / f"{name}.pb.gz")
    kw = {
        "online_greedy_cost": {"utility": "cost"},
        "online_greedy_card": {"utility": "count"},
        "online_efficient_greedy": {"variant": "efficient"},
    }[key]
    out = online_greedy(e, **kw)  # type: ignore[arg-type]
    assert sorted(out.selected) == sorted(HEAD[name]["results"][key]["selected"])


@settings(max_examples=60, deadline=None)
@given(
    e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True),
    scale=st.sampled_from([2**21 + 1, 10**9 + 7, 3**33]),
)
def test_greedy_sums_leave_float32_for_wider_types_unchanged(e: Election, scale: int) -> None:
    """Every weight times ``scale`` moves the total weight past 2**24 (float32's exact
    integers) into float64, int64 or Python integers: the shares, the payments and the
    trace stay the same."""
    light, big = online_greedy(e), online_greedy(heavier(e, 1, scale))
    assert big.selected == light.selected
    assert [s.reason for s in big.trace] == [s.reason for s in light.trace]
