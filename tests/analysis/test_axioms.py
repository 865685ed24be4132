"""Axiom checks against an obviously-correct brute force, along their implications,
and on real pabulib data."""

from __future__ import annotations

import gzip
import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from participa import dumps, loads
from participa.analysis import (
    AxiomReport,
    PriceSystem,
    SearchLimitExceeded,
    check_ejr,
    check_jr,
    check_pjr,
    check_price_system,
    find_price_system,
    is_exhaustive,
    pareto_swaps,
    still_affordable,
)
from participa.errors import ValidationError
from participa.i18n import use_language
from participa.model import BallotKind, Election, Profile, Project
from participa.rules.utility import utility_matrix
from participa.testing.strategies import elections
from scaled import heavier

# -- brute force, written straight from the definitions, one voter per row ----------------------


def _voters(e: Election, utility: str) -> tuple[list[list[int]], list[int]]:
    u = utility_matrix(e, utility)
    rows = np.repeat(np.arange(e.profile.num_groups), e.profile.multiplicity)
    return [list(map(int, u[r])) for r in rows], [int(e.profile.weight[r]) for r in rows]


def brute(e: Election, w_ids: set[str], utility: str, axiom: str, up_to: str) -> bool:
    u, wt = _voters(e, utility)
    n = sum(wt)
    m = len(e.projects)
    cost = [p.cost for p in e.projects]
    in_w = [p.id in w_ids for p in e.projects]
    for k in range(1, len(u) + 1):
        for group in itertools.combinations(range(len(u)), k):
            gw = sum(wt[i] for i in group)
            common = [c for c in range(m) if all(u[i][c] > 0 for i in group)]
            for size in range(1, len(common) + 1):
                if axiom == "JR" and size > 1:
                    break
                for t in itertools.combinations(common, size):
                    if gw * e.budget < n * sum(cost[c] for c in t):
                        continue
                    thr = sum(min(u[i][c] for i in group) for c in t)
                    missing = [c for c in t if not in_w[c]]
                    if axiom == "JR":
                        if all(sum(u[i][c] for c in range(m) if in_w[c]) == 0 for i in group):
                            return False
                    elif axiom == "EJR":
                        ok = False
                        for i in group:
                            have = sum(u[i][c] for c in range(m) if in_w[c])
                            plus = [have + u[i][a] > thr for a in missing]
                            if (
                                have >= thr
                                or (up_to == "one" and any(plus))
                                or (up_to == "any" and missing and all(plus))
                            ):
                                ok = True
                        if not ok:
                            return False
                    else:
                        got = sum(max(u[i][c] for i in group) for c in range(m) if in_w[c])
                        plus = [got + max(u[i][a] for i in group) > thr for a in missing]
                        if not (
                            got >= thr
                            or (up_to == "one" and any(plus))
                            or (up_to == "any" and missing and all(plus))
                        ):
                            return False
    return True


UTILS = {
    BallotKind.APPROVAL: ("cost", "count"),
    BallotKind.CUMULATIVE: ("points", "cost"),
    BallotKind.ORDINAL: ("borda",),
}

small = elections(kinds=tuple(UTILS), max_projects=4, max_voters=5, max_cost=6, weighted=True)


@st.composite
def with_selection(draw: st.DrawFn) -> tuple[Election, set[str], str]:
    e = draw(small)
    ids = draw(st.sets(st.sampled_from(e.project_ids)))
    utility = draw(st.sampled_from(UTILS[e.kind]))
    return e, ids, utility


def _check(e: Election, w: set[str], utility: str, axiom: str, up_to: str) -> AxiomReport:
    if axiom == "JR":
        return check_jr(e, w, utility=utility)
    fn = check_ejr if axiom == "EJR" else check_pjr
    return fn(e, w, utility=utility, up_to=up_to)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("axiom", "up_to"),
    [("JR", "none")] + [(a, u) for a in ("EJR", "PJR") for u in ("none", "one", "any")],
)
@given(case=with_selection())
def test_agrees_with_brute_force(
    axiom: str, up_to: str, case: tuple[Election, set[str], str]
) -> None:
    e, w, utility = case
    report = _check(e, w, utility, axiom, up_to)
    assert report.satisfied == brute(e, w, utility, axiom, up_to)
    if not report.satisfied:
        v = report.violation
        assert v is not None
        # the witness is a real one: cohesive, and short of what it was promised
        cost = sum(e.project(p).cost for p in v.projects)
        assert v.group_weight * e.budget >= e.profile.total_weight * cost
        assert v.achieved < v.threshold


@given(case=with_selection())
def test_implications(case: tuple[Election, set[str], str]) -> None:
    e, w, utility = case
    r = {
        (a, u): _check(e, w, utility, a, u).satisfied
        for a in ("EJR", "PJR")
        for u in ("none", "one", "any")
    }
    jr = check_jr(e, w, utility=utility).satisfied
    assert not r["EJR", "none"] or r["PJR", "none"]
    assert not r["PJR", "none"] or jr
    for a in ("EJR", "PJR"):
        assert not r[a, "none"] or r[a, "any"]
        assert not r[a, "any"] or r[a, "one"]
    for u in ("one", "any"):
        assert not r["EJR", u] or r["PJR", u]


@given(case=with_selection())
def test_weights_count_as_voters(case: tuple[Election, set[str], str]) -> None:
    """A delegate of weight k is k identical voters (abcvoting's weighted-profile check)."""
    e, w, utility = case
    prof = e.profile
    rows = np.repeat(np.arange(prof.num_groups), prof.multiplicity * prof.weight)
    flat = Profile.from_matrix(prof.kind, prof.project_ids, prof.matrix[rows], collapse=False)
    e2 = Election(e.budget, e.projects, flat)
    for fn in (check_ejr, check_pjr):
        assert fn(e, w, utility=utility).satisfied == fn(e2, w, utility=utility).satisfied


def test_search_limit_raises_a_clear_error() -> None:
    ids = [f"p{j}" for j in range(10)]
    e = Election(
        100,
        [Project(p, 1) for p in ids],
        Profile.from_ballots(BallotKind.APPROVAL, ids, [ids] * 3),
    )
    with pytest.raises(SearchLimitExceeded, match="max_subsets=5"):
        check_ejr(e, ids, max_subsets=5)  # a satisfied axiom needs the whole search
    report = check_ejr(e, ids)
    assert report.satisfied
    assert report.examined == 2**10 - 1  # every set of projects is cohesive here


def test_bad_selection_names_the_project() -> None:
    e = Election(5, [Project("a", 1)], Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]]))
    with pytest.raises(ValidationError, match="'zz'"):
        check_jr(e, ["zz"])
    with pytest.raises(
        ValidationError, match=r"selection must be Outcome or an Iterable .*got 'a'"
    ):
        check_jr(e, "a")
    with pytest.raises(ValidationError, match="up_to"):
        check_ejr(e, [], up_to="two")  # type: ignore[arg-type]


def test_reports_round_trip_json_and_render() -> None:
    e = Election(
        2,
        [Project("a", 1), Project("b", 1)],
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    report = check_ejr(e, ["a"])
    assert not report.satisfied
    assert loads(dumps(report)) == report
    assert "EJR" in report._repr_html_()
    assert "could afford ['b']" in str(report)


# -- exhaustiveness and Pareto swaps ------------------------------------------------------------


@given(case=with_selection())
def test_still_affordable_and_swaps_by_enumeration(case: tuple[Election, set[str], str]) -> None:
    e, w, utility = case
    spent = sum(e.project(p).cost for p in w)
    assume(spent <= e.budget)
    fits = [p.id for p in e.projects if p.id not in w and spent + p.cost <= e.budget]
    assert list(still_affordable(e, w)) == fits
    assert is_exhaustive(e, w) == (not fits)
    u, wt = _voters(e, utility)
    idx = {p: j for j, p in enumerate(e.project_ids)}
    expected = set()
    for c in [None, *sorted(w, key=idx.__getitem__)]:
        for d in e.project_ids:
            if d in w:
                continue
            new = (w - {c}) | {d}
            if sum(e.project(p).cost for p in new) > e.budget:
                continue
            before = [sum(r[idx[p]] for p in w) for r in u]
            after = [sum(r[idx[p]] for p in new) for r in u]
            if all(a >= b for a, b in zip(after, before, strict=True)) and after != before:
                gain = sum(x for x, a, b in zip(wt, after, before, strict=True) if a > b)
                expected.add((c, d, gain))
    got = {(s.remove, s.add, s.better_off) for s in pareto_swaps(e, w, utility=utility)}
    assert got == expected


# -- priceability -------------------------------------------------------------------------------


def tiny_mes(e: Election) -> list[str]:
    """Method of Equal Shares with cost utilities, exact, pure Python (reference only)."""
    u, wt = _voters(e, "count")
    n = sum(wt)
    left = [Fraction(e.budget, n)] * len(u)
    chosen: list[str] = []
    while True:
        best = None
        for j, p in enumerate(e.projects):
            if p.id in chosen:
                continue
            sup = sorted((i for i in range(len(u)) if u[i][j]), key=lambda i: left[i])
            need, wsum = Fraction(p.cost), sum(wt[i] for i in sup)
            for i in sup:
                rho = need / wsum
                if rho <= left[i]:
                    if best is None or (rho, p.id) < best[:2]:
                        best = (rho, p.id, j)
                    break
                need -= wt[i] * left[i]
                wsum -= wt[i]
        if best is None:
            return chosen
        rho, pid, j = best
        for i in range(len(u)):
            if u[i][j]:
                left[i] -= min(left[i], rho)
        chosen.append(pid)


approval_small = elections(max_projects=5, max_voters=6, max_cost=8, weighted=True)


@given(e=approval_small)
def test_equal_shares_outcomes_are_certified(e: Election) -> None:
    w = tiny_mes(e)
    # equal shares need not be exhaustive: certified under the non-exhaustive definition
    ps = find_price_system(e, w, exhaustive=False)
    assert ps is not None
    assert check_price_system(e, w, ps, exhaustive=False) == ()
    assert loads(dumps(ps)) == ps


@given(e=approval_small, data=st.data())
def test_certificates_always_verify_and_tampering_is_caught(
    e: Election, data: st.DataObject
) -> None:
    w = data.draw(st.sets(st.sampled_from(e.project_ids)))
    ps = find_price_system(e, w)
    if ps is None:
        return
    assert check_price_system(e, w, ps) == ()
    # the checker is not a rubber stamp: paying for an unfunded project is caught
    free = [j for j, p in enumerate(e.project_ids) if p not in w]
    assume(free)
    pay = [list(r) for r in ps.payments]
    pay[0][free[0]] += 1
    bad = PriceSystem(ps.allowance, ps.project_ids, pay)
    assert check_price_system(e, w, bad) != ()


def test_priceability_needs_equal_allowances() -> None:
    e = Election(
        4,
        [Project("a", 2), Project("b", 3)],
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    assert find_price_system(e, ["a"]) is not None
    assert find_price_system(e, ["b"]) is None  # b needs 3 from one voter; a's keeps 3 > 2
    fails = check_price_system(e, ["b"], PriceSystem(3, ["a", "b"], [[0, 0], [0, 3]]))
    assert fails == ("C5: supporters of 'a' keep 3 > its cost 2",)


# -- real data ---------------------------------------------------------------------------------


def _read_pb(path: Path) -> Election:
    """A minimal pabulib reader for approval files (the io module is someone else's)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    section, header, meta = "", [], {}
    projects: list[Project] = []
    ballots: list[list[str]] = []
    for line in lines:
        parts = line.split(";")
        if parts[0] in ("META", "PROJECTS", "VOTES"):
            section, header = parts[0], []
            continue
        if not header:
            header = parts
            continue
        row = dict(zip(header, parts, strict=False))
        if section == "META":
            meta[row["key"]] = row["value"]
        elif section == "PROJECTS":
            projects.append(Project(row["project_id"], int(float(row["cost"]))))
        elif section == "VOTES":
            ballots.append([v for v in row["vote"].split(",") if v])
    ids = [p.id for p in projects]
    prof = Profile.from_ballots(BallotKind.APPROVAL, ids, ballots)
    return Election(int(float(meta["budget"])), projects, prof)


def _greedy(e: Election) -> list[str]:
    support = e.support()
    order = sorted(range(len(e.projects)), key=lambda j: (-int(support[j]), e.project_ids[j]))
    left, out = e.budget, []
    for j in order:
        if e.costs[j] <= left:
            out.append(e.project_ids[j])
            left -= int(e.costs[j])
    return out


@pytest.mark.parametrize(
    "name", ["Poland_Warszawa_2019_Miedzeszyn.pb.gz", "Netherlands_Amsterdam_619.pb.gz"]
)
def test_usable_on_real_elections(data_dir: Path, name: str) -> None:
    e = _read_pb(data_dir / name)
    w = _greedy(e)
    jr = check_jr(e, w)
    ejr = check_ejr(e, w, up_to="one")
    assert not ejr.satisfied or jr.satisfied
    mes = tiny_mes(e) if e.profile.num_groups < 400 else None
    if mes is not None:
        assert check_ejr(e, mes, utility="count", up_to="one").satisfied  # MES guarantees it


def test_the_axioms_package_keeps_every_name() -> None:
    import participa.analysis as analysis
    import participa.analysis.axioms as axioms
    from participa.analysis.axioms import efficiency, justified, priceability, report

    assert axioms.check_ejr is justified.check_ejr is analysis.check_ejr
    assert axioms.find_price_system is priceability.find_price_system
    assert axioms.pareto_swaps is efficiency.pareto_swaps
    assert axioms.AxiomReport is report.AxiomReport
    assert set(axioms.__all__) <= set(analysis.__all__)


# -- exact at any magnitude (#12.3) ----------------------------------------------------------


@given(
    e=elections(
        kinds=(BallotKind.APPROVAL, BallotKind.CUMULATIVE),
        max_projects=4,
        max_voters=5,
        max_cost=7,
        weighted=True,
    ),
    data=st.data(),
)
def test_verdicts_do_not_change_past_int64(e: Election, data: st.DataObject) -> None:
    """Group weights of ~2^70 and costs near 2^63: every condition compares weights with
    weights and money with money, so scaling both leaves each verdict alone; an int64
    wrap-around (weights, utility sums, cost sums) would change it."""
    w = data.draw(st.sets(st.sampled_from(e.project_ids)))
    big = heavier(e, 2**35, 2**35, 2**60)
    for utility in ("cost", "count"):
        for fn in (check_jr, check_ejr, check_pjr):
            small_r, big_r = fn(e, w, utility=utility), fn(big, w, utility=utility)
            assert small_r.satisfied == big_r.satisfied, (fn.__name__, utility)
        assert [s.better_off // 2**70 for s in pareto_swaps(big, w, utility=utility)] == [
            s.better_off for s in pareto_swaps(e, w, utility=utility)
        ]
    assert is_exhaustive(big, w) == is_exhaustive(e, w)
    assert still_affordable(big, w) == still_affordable(e, w)
    found_small = find_price_system(e, w, utility="count")
    found_big = find_price_system(big, w, utility="count")
    assert (found_small is None) == (found_big is None)
    if found_big is not None:
        assert check_price_system(big, w, found_big, utility="count") == ()


def test_pareto_swaps_read_in_spanish_with_plurals() -> None:
    e = Election(
        5,
        [Project("a", 5), Project("b", 5)],
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["b"], ["a", "b"], ["b"]]),
    )
    with use_language("es"):
        assert [str(x) for x in pareto_swaps(e, ["a"])] == [
            "cambiar a por b: 2 votantes mejoran y nadie empeora"
        ]
        assert [str(x) for x in pareto_swaps(e, [])] == [
            "financiar a: 1 votante mejora y nadie empeora",
            "financiar b: 3 votantes mejoran y nadie empeora",
        ]


def test_relaxed_axiom_names_read_in_spanish() -> None:
    e = Election(
        10,
        [Project("a", 5), Project("b", 5)],
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    one = check_ejr(e, ["a", "b"], up_to="one")
    anyp = check_pjr(e, ["a"], up_to="any")
    assert one.axiom == "EJR up to one"  # the data keeps its name
    assert one.to_text(lang="es").startswith("EJR hasta un proyecto: ")
    assert one.to_text(lang="en").startswith("EJR up to one project: ")
    assert "PJR hasta cualquier proyecto" in anyp.to_html(lang="es")
