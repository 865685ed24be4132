"""Greedy with non-additive satisfactions (cost-sqrt, cost-log, cc) and effort.

A slow reference (high-precision decimals, written from the definition), exact
comparisons, refusals where a combination is not defined, and conformance with
pabutools 1.2.3 on the dev corpus (``tests/data/expected_satisfactions.json``, made by
``tools/make_expected_satisfactions.py``).
"""

from __future__ import annotations

import decimal
import functools
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participa import RuleError, TieError
from participa.io import load_election
from participa.model import BallotKind, Election, Profile, Project
from participa.rules._concave import sign_of_sum
from participa.rules.greedy import greedy
from participa.rules.marginal import marginal_greedy
from participa.rules.mes import equal_shares
from participa.rules.utility import utility_matrix
from participa.rules.welfare import max_welfare
from participa.testing import check_rule
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

DATA = Path(__file__).resolve().parents[1] / "data"
EXPECTED = json.loads((DATA / "expected_satisfactions.json").read_text(encoding="utf-8"))
APPROVALISH = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)


def reference(e: Election, utility: str) -> list[str]:
    """Marginal-gain greedy, voter by voter, gains in 60-digit decimals (ties below 1e-40)."""
    ctx = decimal.Context(prec=60)
    prof = e.profile
    voters = []
    for g in range(prof.num_groups):
        pts = {p: int(prof.matrix[g, prof.project_ids.index(p)]) for p in prof.ballot(g)}
        voters += [pts] * (int(prof.multiplicity[g]) * int(prof.weight[g]))
    cost = {p.id: p.cost for p in e.projects}
    k = e.minor_per_unit

    def sat(chosen: list[str]) -> decimal.Decimal:
        total = decimal.Decimal(0)
        for ballot in voters:
            mine = [p for p in chosen if p in ballot]
            spent = sum(cost[p] for p in mine)
            if utility == "cost-sqrt":
                total += ctx.sqrt(decimal.Decimal(spent))
            elif utility == "cost-log":
                total += ctx.ln(ctx.divide(decimal.Decimal(k + spent), decimal.Decimal(k)))
            elif prof.kind.has_points:
                total += max((ballot[p] for p in mine), default=0)
            else:
                total += 1 if mine else 0
        return total

    priority = [int(p) for p in TieBreak().resolver(e).priority]
    chosen: list[str] = []
    left = e.budget
    while True:
        feasible = [p.id for p in e.projects if p.id not in chosen and p.cost <= left]
        if not feasible:
            return chosen
        base = sat(chosen)
        scores: dict[str, decimal.Decimal] = {}
        for p in feasible:
            if cost[p] == 0:
                scores[p] = decimal.Decimal("Infinity")
            else:
                scores[p] = ctx.divide(sat([*chosen, p]) - base, decimal.Decimal(cost[p]))
        top = max(scores.values())
        tied = [
            p
            for p in feasible
            if scores[p] == top
            or (top.is_finite() and abs(scores[p] - top) < decimal.Decimal("1e-40"))
        ]
        best = min(tied, key=lambda p: priority[e.project_ids.index(p)])
        chosen.append(best)
        left -= cost[best]


@settings(max_examples=100, deadline=None)
@given(
    e=elections(kinds=APPROVALISH, max_projects=5, max_voters=6, weighted=True),
    utility=st.sampled_from(["cost-sqrt", "cost-log", "cc"]),
)
def test_matches_the_decimal_reference(e: Election, utility: str) -> None:
    got = greedy(e, utility=utility).selected  # type: ignore[arg-type]
    assert list(got) == reference(e, utility)


@settings(max_examples=60, deadline=None)
@given(e=elections(kinds=(BallotKind.CUMULATIVE, BallotKind.SCORING), max_projects=5, max_voters=6))
def test_cc_on_points_matches_the_reference(e: Election) -> None:
    assert list(greedy(e, utility="cc").selected) == reference(e, "cc")


@pytest.mark.parametrize("utility", ["cost-sqrt", "cost-log", "cc"])
def test_property_battery(utility: str) -> None:
    rule = functools.partial(marginal_greedy, utility=utility)
    functools.update_wrapper(rule, marginal_greedy)
    check_rule(rule, kinds=APPROVALISH, weighted=True, exhaustive=True, max_examples=30)


@settings(max_examples=200, deadline=None)
@given(
    ns=st.lists(st.integers(1, 10**6), min_size=1, max_size=5),
    coefs=st.lists(st.integers(-50, 50), min_size=5, max_size=5),
    kind=st.sampled_from(["sqrt", "log"]),
)
def test_signs_agree_with_high_precision(ns: list[int], coefs: list[int], kind: str) -> None:
    terms: dict[int, int] = {}
    for n, a in zip(ns, coefs, strict=False):
        terms[n] = terms.get(n, 0) + a
    ctx = decimal.Context(prec=200)
    f = ctx.sqrt if kind == "sqrt" else ctx.ln
    value = sum((a * f(decimal.Decimal(n)) for n, a in terms.items()), decimal.Decimal(0))
    expected = 0 if abs(value) < decimal.Decimal("1e-150") else (1 if value > 0 else -1)
    assert sign_of_sum(terms, kind) == expected  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    base=st.integers(2, 10**4),
    a=st.integers(1, 6),
    b=st.integers(1, 6),
    kind=st.sampled_from(["sqrt", "log"]),
)
def test_algebraic_zeros_are_found(base: int, a: int, b: int, kind: str) -> None:
    def terms(*pairs: tuple[int, int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for n, coef in pairs:
            out[n] = out.get(n, 0) + coef
        return out

    if kind == "sqrt":
        # √(a² base) - a √base = 0, with a near-miss beside it
        assert sign_of_sum(terms((a * a * base, 1), (base, -a)), "sqrt") == 0
        assert sign_of_sum(terms((a * a * base + 1, 1), (base, -a)), "sqrt") == 1
    else:
        # b log(base^a) - a log(base^b) = 0, with a near-miss beside it
        assert sign_of_sum(terms((base**a, b), (base**b, -a)), "log") == 0
        assert sign_of_sum(terms((base**a + 1, b), (base**a, -b)), "log") == 1


def test_equal_gains_are_ties_not_rounding() -> None:
    # a (cost 4) and b (cost 9): gains √4/4 = 1/2 and √9/9 = 1/3 per voter; with 2 voters
    # on a and 3 on b they are 2·2/4 = 1 and 3·3/9 = 1: an exact tie, broken by id
    e = Election(
        9,
        (Project("a", 4), Project("b", 9)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"]] * 2 + [["b"]] * 3),
    )
    out = greedy(e, utility="cost-sqrt")
    assert out.selected == ("a",)
    assert out.trace[0].values["tied"] == 2
    with pytest.raises(TieError):
        greedy(e, utility="cost-sqrt", tie_break=TieBreak.parse("refuse"))


def test_effort_is_cost_per_supporter() -> None:
    e = Election(
        10,
        (Project("a", 6), Project("b", 4), Project("c", 5)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a"], ["a", "b"], ["b"]]),
    )
    # every supported project has effort per cost 1: the tie-break orders them; c has none
    assert greedy(e, utility="effort").selected == ("a", "b")
    assert max_welfare(e, utility="effort").params["welfare"] == 10


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: max_welfare(e, utility="cost-sqrt"), "not additive"),
        (lambda e: max_welfare(e, utility="cc"), "not additive"),
        (lambda e: equal_shares(e, utility="cost-log"), "not additive"),
        (lambda e: utility_matrix(e, "effort"), "not available"),
        (lambda e: greedy(e, utility="cost-sqrt", skip=False), "only the skipping greedy"),
        (lambda e: greedy(e, utility="cc", threshold=1), "only the skipping greedy"),
    ],
)
def test_undefined_combinations_are_refused(call: object, message: str) -> None:
    e = Election(
        5,
        (Project("a", 3), Project("b", 2)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    with pytest.raises(RuleError, match=message):
        call(e)  # type: ignore[operator]


def test_sqrt_and_log_need_approval_ballots() -> None:
    cum = load_election(DATA / "Switzerland_Zurich_S5D10.pb.gz")
    with pytest.raises(RuleError):
        greedy(cum, utility="cost-sqrt")
    assert greedy(cum, utility="cc").selected


CASES = [
    (name, key)
    for name, entry in EXPECTED.items()
    for key, result in entry["results"].items()
    if "selected" in result
]


@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n[:30]}-{k}" for n, k in CASES])
def test_corpus_matches_pabutools(name: str, key: str) -> None:
    e = load_election(DATA / f"{name}.pb.gz")
    expected = EXPECTED[name]["results"][key]
    if key == "max_welfare_effort":
        out = max_welfare(e, utility="effort")
        assert Fraction(out.params["welfare"]) == Fraction(expected["welfare"]) * e.minor_per_unit  # type: ignore[arg-type]
        return
    utility = key.removeprefix("greedy_")
    got = greedy(e, utility=utility).selected  # type: ignore[arg-type]
    assert sorted(got) == expected["selected"]
