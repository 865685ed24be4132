"""Exact equal shares: a voter-by-voter reference, the property battery and the corpus."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings

from participa import ParticipaError, RuleError
from participa.io import load_election
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import Outcome
from participa.rules._common import DEFAULT_TIE_BREAK
from participa.rules.ees import add_opt_increase, exact_equal_shares
from participa.rules.registry import run_rule
from participa.testing import check_rule
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = json.loads((DATA / "expected_head.json").read_text(encoding="utf-8"))
APPROVALISH = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)


def reference(e: Election, utility: str) -> list[int]:
    """EES one voter at a time (a weight-w voter is w voters), with Fractions."""
    prof = e.profile
    voters: list[set[int]] = []
    for g in range(prof.num_groups):
        approved = {j for j in range(len(e.projects)) if prof.approvals()[g, j]}
        voters += [approved] * (int(prof.multiplicity[g]) * int(prof.weight[g]))
    n = len(voters)
    money = [Fraction(e.budget, n)] * n
    priority = [int(p) for p in TieBreak().resolver(e).priority]
    chosen: list[int] = []
    while n:
        best = None
        cands = []
        for p in range(len(e.projects)):
            if p in chosen:
                continue
            sup = sorted((i for i in range(n) if p in voters[i]), key=lambda i: money[i])
            cost = int(e.costs[p])
            while sup and money[sup[0]] < Fraction(cost, len(sup)):
                sup.pop(0)
            if not sup:
                continue
            key = (
                (1, Fraction(0))
                if cost == 0
                else (0, Fraction(len(sup)) if utility == "cost" else Fraction(len(sup), cost))
            )
            if best is None or key > best:
                best, cands = key, [(p, sup)]
            elif key == best:
                cands.append((p, sup))
        if best is None:
            break
        p, sup = min(cands, key=lambda c: priority[c[0]])
        for i in sup:
            money[i] -= Fraction(int(e.costs[p]), len(sup))
        chosen.append(p)
    return chosen


@settings(max_examples=150, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_matches_the_per_voter_reference(e: Election) -> None:
    for utility in ("cost", "count"):
        got = exact_equal_shares(e, utility=utility)  # type: ignore[arg-type]
        assert list(got.selected) == [e.project_ids[p] for p in reference(e, utility)]


@pytest.mark.parametrize("utility", ["cost", "count"])
def test_property_battery(utility: str) -> None:
    def rule(e: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
        return exact_equal_shares(e, utility=utility, tie_break=tie_break)  # type: ignore[arg-type]

    check_rule(rule, kinds=APPROVALISH, weighted=True, max_examples=40)


def test_bad_input() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    with pytest.raises(ParticipaError, match="utility"):
        exact_equal_shares(e, utility="points")  # type: ignore[arg-type]
    with pytest.raises(RuleError):
        exact_equal_shares(load_election(DATA / "Poland_Krakow_2021_Debniki.pb.gz"))


CASES = [
    (name, key)
    for name, entry in HEAD.items()
    for key in ("ees_cost", "ees_card")
    if "selected" in entry["results"].get(key, {})
]


@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n[:30]}-{k}" for n, k in CASES])
def test_corpus_matches_the_reference_source(name: str, key: str) -> None:
    utility = "cost" if key == "ees_cost" else "count"
    got = exact_equal_shares(load_election(DATA / f"{name}.pb.gz"), utility=utility)  # type: ignore[arg-type]
    assert sorted(got.selected) == sorted(HEAD[name]["results"][key]["selected"])


# -- add-opt ----------------------------------------------------------------------------


def _ees_payments(
    e: Election, utility: str, budget: Fraction
) -> tuple[list[int], list[dict[int, Fraction]]]:
    """The per-voter reference run with ``budget``: selection and each voter's payments."""
    prof = e.profile
    voters: list[set[int]] = []
    for g in range(prof.num_groups):
        approved = {j for j in range(len(e.projects)) if prof.approvals()[g, j]}
        voters += [approved] * (int(prof.multiplicity[g]) * int(prof.weight[g]))
    n = len(voters)
    money = [budget / n] * n
    pays: list[dict[int, Fraction]] = [{} for _ in range(n)]
    priority = [int(p) for p in TieBreak().resolver(e).priority]
    chosen: list[int] = []
    while n:
        options = []
        for p in range(len(e.projects)):
            if p in chosen:
                continue
            sup = sorted((i for i in range(n) if p in voters[i]), key=lambda i: money[i])
            cost = int(e.costs[p])
            while sup and money[sup[0]] < Fraction(cost, len(sup)):
                sup.pop(0)
            if sup:
                key = (
                    (1, Fraction(0))
                    if cost == 0
                    else (0, Fraction(len(sup), 1 if utility == "cost" else cost))
                )
                options.append((key, -priority[p], p, sup))
        if not options:
            break
        _, _, p, sup = max(options)
        for i in sup:
            money[i] -= Fraction(int(e.costs[p]), len(sup))
            pays[i][p] = Fraction(int(e.costs[p]), len(sup))
        chosen.append(p)
    return chosen, pays


def add_opt_reference(e: Election, utility: str) -> Fraction | None:
    """add-opt by brute force: every project, every set of outside supporters.

    A set S of supporters of p who do not pay for it, joined with those who do (k in
    all, price cost/k), certifies instability with top-up d when each member of S
    either pays more than the price for some project (on equal amounts: a project the
    tie-break ranks after p) or has at least price - d left; sets of members of the
    first kind only are not counted (as the paper's GreedyProjectChange).
    """
    from itertools import combinations

    _, pays = _ees_payments(e, utility, Fraction(e.budget))
    n = len(pays)
    if n == 0:
        return None
    priority = [int(p) for p in TieBreak().resolver(e).priority]
    left = [Fraction(e.budget, n) - sum(pays[i].values(), Fraction(0)) for i in range(n)]
    best: Fraction | None = None
    prof = e.profile
    voters: list[set[int]] = []
    for g in range(prof.num_groups):
        approved = {j for j in range(len(e.projects)) if prof.approvals()[g, j]}
        voters += [approved] * (int(prof.multiplicity[g]) * int(prof.weight[g]))
    for p in range(len(e.projects)):
        cur = [i for i in range(n) if p in voters[i] and p in pays[i]]
        out = [i for i in range(n) if p in voters[i] and p not in pays[i]]
        for size in range(1, len(out) + 1):
            price = Fraction(int(e.costs[p]), len(cur) + size)
            for group in combinations(out, size):
                need = []
                for i in group:
                    top = max(
                        pays[i].items(), key=lambda kv: (kv[1], -priority[kv[0]]), default=None
                    )
                    free = top is not None and (
                        top[1] > price or (top[1] == price and priority[top[0]] > priority[p])
                    )
                    if not free:
                        need.append(price - left[i])
                if need and (best is None or max(need) < best):
                    best = max(need)
    return None if best is None else max(best, Fraction(0))


@settings(max_examples=100, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=4, max_voters=6, weighted=False))
def test_add_opt_matches_the_brute_force(e: Election) -> None:
    for utility in ("cost", "count"):
        assert add_opt_increase(e, utility=utility) == add_opt_reference(e, utility)  # type: ignore[arg-type]


def test_add_opt_completion_of_the_paper_example() -> None:
    """The reference source's docstring example: d = 1/2 (in units), then {p1, p3}."""
    e = Election(
        1000,
        (Project("p1", 200), Project("p2", 320), Project("p3", 600)),
        Profile.from_ballots(
            BallotKind.APPROVAL,
            ["p1", "p2", "p3"],
            [["p1"], ["p1", "p3"], ["p2", "p3"], ["p2", "p3"], ["p3"]],
        ),
    )
    assert add_opt_increase(e, utility="count") == 50
    out = exact_equal_shares(e, utility="count", completion="add-opt")
    assert sorted(out.selected) == ["p1", "p3"]
    assert out.params["virtual_budget"] == "1250"
    assert run_rule("ees", e, utility="count", completion="add-opt").selected == out.selected
    with pytest.raises(RuleError, match="completion"):
        run_rule("ees", e, completion="add1")
    with pytest.raises(RuleError, match="completion"):
        run_rule("mes", e, completion="add-opt")


D_CASES = [
    (name, key)
    for name, entry in HEAD.items()
    for key in ("ees_cost", "ees_card")
    if isinstance(entry["results"].get(key, {}).get("add_opt_d"), str)
]


@pytest.mark.parametrize(("name", "key"), D_CASES, ids=[f"{n[:30]}-{k}" for n, k in D_CASES])
def test_add_opt_d_matches_the_reference_source(name: str, key: str) -> None:
    e = load_election(DATA / f"{name}.pb.gz")
    d = add_opt_increase(e, utility="cost" if key == "ees_cost" else "count")
    assert d is not None
    # participa counts minor units, the reference currency units
    assert d / e.money.minor_per_unit == Fraction(HEAD[name]["results"][key]["add_opt_d"])


ADDOPT_CASES = [
    (name, key)
    for name, entry in HEAD.items()
    for key in ("ees_addopt_cost", "ees_addopt_card")
    if "selected" in entry["results"].get(key, {})
    and entry["results"][key].get("seconds", 99) < 5  # the long ones: benchmarks/
]


@pytest.mark.parametrize(
    ("name", "key"), ADDOPT_CASES, ids=[f"{n[:30]}-{k}" for n, k in ADDOPT_CASES]
)
def test_add_opt_completion_matches_the_reference_source(name: str, key: str) -> None:
    e = load_election(DATA / f"{name}.pb.gz")
    out = exact_equal_shares(
        e, utility="cost" if key == "ees_addopt_cost" else "count", completion="add-opt"
    )
    assert sorted(out.selected) == sorted(HEAD[name]["results"][key]["selected"])
    assert out.total_cost <= e.budget


SLOW_ADDOPT_CASES = [
    (name, key)
    for name, entry in HEAD.items()
    for key in ("ees_addopt_cost", "ees_addopt_card")
    if "selected" in entry["results"].get(key, {}) and entry["results"][key].get("seconds", 99) >= 5
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "key"), SLOW_ADDOPT_CASES, ids=[f"{n[:30]}-{k}" for n, k in SLOW_ADDOPT_CASES]
)
def test_add_opt_completion_matches_the_reference_source_long_runs(name: str, key: str) -> None:
    """The cases on which the reference took 5 s or more (many add-opt increases)."""
    test_add_opt_completion_matches_the_reference_source(name, key)


@settings(max_examples=60, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_weights_past_int64_give_the_same_payers(e: Election) -> None:
    """Every weight times 2^61 (the total reaches 2^62: Python integers throughout) and
    every amount times 2^40: the same voters pay, so the same projects are funded."""
    prof = e.profile
    assume(prof.total_weight >= 2 and int(prof.weight.max(initial=1)) <= 3)
    big = Election(
        e.budget * 2**40,
        tuple(Project(p.id, p.cost * 2**40) for p in e.projects),
        Profile.from_matrix(
            prof.kind,
            list(prof.project_ids),
            prof.matrix,
            multiplicity=prof.multiplicity,
            weights=[int(w) * 2**61 for w in prof.weight.tolist()],
            collapse=False,
            listed=prof.listed,
        ),
    )
    for utility in ("cost", "count"):
        small = exact_equal_shares(e, utility=utility)  # type: ignore[arg-type]
        large = exact_equal_shares(big, utility=utility)  # type: ignore[arg-type]
        assert large.selected == small.selected
        assert [s.values["payers"] for s in large.trace] == [
            s.values["payers"] * 2**61 for s in small.trace
        ]
