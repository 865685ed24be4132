"""participa.explain: margins checked by brute force, real files, words, bad input.

The brute-force side builds its modified elections itself (one row per voter, no
collapsing, no shared helper with ``participa.explain``) and scans every value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participa.analysis.axioms import SearchLimitExceeded
from participa.errors import RuleError, ValidationError
from participa.explain import ExplainedRule, Explanation, MarginKind, explain
from participa.i18n import use_language
from participa.io import load_election
from participa.model import BallotConstraints, BallotKind, Election, Profile, Project
from participa.outcome import Outcome
from participa.rules.greedy import greedy
from participa.rules.mes import equal_shares
from participa.rules.phragmen import phragmen
from participa.rules.utility import Utility
from participa.testing.strategies import elections

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = (
    "Poland_Lodz_2020_Nr_33.pb.gz",
    "Poland_Zabrze_2020.pb.gz",
    "Poland_Warszawa_2019_Miedzeszyn.pb.gz",
)

Run = Callable[[Election], Outcome]


def _rule(name: ExplainedRule, utility: Utility | None = None) -> Run:
    if name == "greedy":
        return lambda e: greedy(e, utility=utility)
    if name == "mes":
        return lambda e: equal_shares(e, utility=utility)
    return phragmen


def _rows(e: Election) -> tuple[np.ndarray, np.ndarray]:
    """One matrix row per voter, and each voter's weight."""
    prof = e.profile
    rep = np.repeat(np.arange(prof.num_groups), prof.multiplicity)
    return prof.matrix[rep].copy(), prof.weight[rep].copy()


def _rebuild(e: Election, mat: np.ndarray, wt: np.ndarray) -> Election:
    prof = Profile.from_matrix(e.kind, e.project_ids, mat, weight=wt, collapse=False)
    return Election(e.budget, e.projects, prof, constraints=BallotConstraints())


def _added(e: Election, j: int, k: int, points: bool) -> Election:
    if k == 0:  # no supporter added: the election itself (not a new voter with 0 points)
        return e
    mat, wt = _rows(e)
    m = len(e.projects)
    if points:
        new = np.zeros((1, m), mat.dtype)
        new[0, j] = k
    else:
        new = np.zeros((k, m), mat.dtype)
        new[:, j] = 1
    return _rebuild(e, np.vstack([mat, new]), np.concatenate([wt, np.ones(len(new), np.int64)]))


def _removed(e: Election, j: int, r: int) -> Election:
    """The first ``r`` supporters of ``j`` (most points first, then voter order) drop it."""
    mat, wt = _rows(e)
    supporters = [v for v in range(len(mat)) if mat[v, j] != 0]
    if e.kind.has_points:
        supporters.sort(key=lambda v: (-int(mat[v, j]), v))
    for v in supporters[:r]:
        gone = int(mat[v, j])
        mat[v, j] = 0
        if e.kind is BallotKind.ORDINAL:
            mat[v][mat[v] > gone] -= 1
    return _rebuild(e, mat, wt)


def _cost(e: Election, j: int, c: int) -> Election:
    return e.with_costs({e.project_ids[j]: c})


def _brute(ex: Explanation, e: Election, run: Run) -> None:
    """Scan every value. A margin claimed ``proven`` must be the first change (and every
    larger change must keep the new status); any other margin must be an edge (the status
    differs one unit apart) no nearer than the first change."""
    points = ex.utility == "points" or (ex.utility == "cc" and e.kind.has_points)
    for pe in ex:
        j = e.index(pe.project_id)
        pid, cost = pe.project_id, pe.cost
        total = int(e.profile.multiplicity @ e.profile.approvals()[:, j])

        def funded(x: Election, pid: str = pid) -> bool:
            return pid in run(x).selected_set

        assert pe.funded == funded(e)
        if pe.funded:
            lose = pe.removable_supporters
            rise = pe.cost_increase
            assert lose is not None
            assert rise is not None
            assert lose.value is not None
            assert rise.value is not None
            first = next((r for r in range(total + 1) if not funded(_removed(e, j, r))), None)
            first_rise = next(
                (d for d in range(e.budget - cost + 2) if not funded(_cost(e, j, cost + d))), None
            )
            assert first_rise is not None  # a project dearer than the budget is never funded
            if lose.proven:
                assert lose.value == (total if first is None else first - 1)
                assert not any(funded(_removed(e, j, r)) for r in range(lose.value + 1, total + 1))
            else:
                assert lose.value >= (total if first is None else first - 1)
                assert funded(_removed(e, j, lose.value))
                if lose.value < total:
                    assert not funded(_removed(e, j, lose.value + 1))
            if rise.proven:
                assert rise.value == first_rise - 1
                top = e.budget - cost
                assert not any(funded(_cost(e, j, cost + d)) for d in range(first_rise, top + 1))
            else:
                assert rise.value >= first_rise - 1
                assert funded(_cost(e, j, cost + rise.value))
                assert not funded(_cost(e, j, cost + rise.value + 1))
        else:
            cut = pe.cost_reduction
            add = pe.added_supporters
            assert cut is not None
            # under borda a ballot naming only the project gives it 0 points: no margin
            assert (add is None) == (ex.utility == "borda")
            first_cut = next((d for d in range(1, cost + 1) if funded(_cost(e, j, cost - d))), None)
            if cut.proven:
                assert cut.value == first_cut
                if first_cut is not None:  # every cheaper cost from 1 on funds it too
                    assert all(funded(_cost(e, j, c)) for c in range(1, cost - first_cut + 1))
            elif cut.value is None:
                assert not funded(_cost(e, j, 0))
                assert not funded(_cost(e, j, min(cost, 1)))
            else:
                assert first_cut is not None
                assert cut.value >= first_cut
                assert funded(_cost(e, j, cost - cut.value))
                assert not funded(_cost(e, j, cost - cut.value + 1))
            if add is None:
                continue
            first_add = next(
                (k for k in range(1, add.bound + 1) if funded(_added(e, j, k, points))), None
            )
            if add.proven:
                assert add.value == first_add
                if first_add is not None:
                    assert all(
                        funded(_added(e, j, k, points)) for k in range(first_add, add.bound + 1)
                    )
            elif add.value is not None:
                assert first_add is not None
                assert add.value >= first_add
                assert funded(_added(e, j, add.value, points))
                assert not funded(_added(e, j, add.value - 1, points))
            else:
                assert cost > e.budget or not funded(_added(e, j, add.bound, points))


def _proven_kinds(ex: Explanation) -> set[MarginKind]:
    return {m.kind for pe in ex for m in pe.margins if m.proven}


small = elections(
    kinds=(BallotKind.APPROVAL, BallotKind.CHOOSE_1, BallotKind.CUMULATIVE),
    max_projects=4,
    max_voters=5,
    max_cost=25,
    weighted=True,
)


@settings(max_examples=40)
@given(small, st.sampled_from(["cost", "count", None]))
def test_greedy_margins_are_the_first_change(e: Election, utility: Utility | None) -> None:
    ex = explain(e, "greedy", utility=utility, max_added=20)
    assert all(m.proven for pe in ex for m in pe.margins)
    _brute(ex, e, _rule("greedy", ex.utility))


@settings(max_examples=30)
@given(small, st.sampled_from(["cost", "count", None]))
def test_equal_shares_cost_margins_exact_supporter_margins_verified(
    e: Election, utility: Utility | None
) -> None:
    ex = explain(e, "mes", utility=utility, max_added=20)
    assert _proven_kinds(ex) <= {MarginKind.COST_REDUCTION, MarginKind.COST_INCREASE}
    assert not any(
        m.proven
        for pe in ex
        for m in pe.margins
        if m.kind in (MarginKind.ADDED_SUPPORTERS, MarginKind.REMOVABLE_SUPPORTERS)
    )
    _brute(ex, e, _rule("mes", ex.utility))


@settings(max_examples=30)
@given(
    small,
    st.sampled_from(["effort", "cost-sqrt", "cost-log", "cc"]),
)
def test_greedy_effort_and_marginal_margins_are_the_first_change(
    e: Election, utility: Utility
) -> None:
    """#15.4: effort (additive) and the non-additive satisfactions under greedy; every
    margin is proven (see the module docstring) and equals the first change found by
    rerunning greedy on every lowered cost and every number of added supporters."""
    if utility in ("cost-sqrt", "cost-log") and e.kind.has_points:
        with pytest.raises(RuleError):
            explain(e, "greedy", utility=utility, max_added=20)
        return
    ex = explain(e, "greedy", utility=utility, max_added=20)
    assert ex.utility == utility
    assert all(m.proven for pe in ex for m in pe.margins)
    _brute(ex, e, _rule("greedy", utility))


@settings(max_examples=30)
@given(
    elections(kinds=(BallotKind.ORDINAL,), max_projects=4, max_voters=5, max_cost=25),
    st.sampled_from(["greedy", "mes"]),
)
def test_borda_cost_margins_exact_supporters_verified(e: Election, rule: ExplainedRule) -> None:
    """#15.4: Borda on ordinal ballots: cost margins proven and equal to the first change;
    lost supporters verified at their edge; no added-supporters margin."""
    ex = explain(e, rule, utility="borda", max_added=20)
    assert _proven_kinds(ex) <= {MarginKind.COST_REDUCTION, MarginKind.COST_INCREASE}
    assert all(pe.added_supporters is None for pe in ex)
    _brute(ex, e, _rule(rule, "borda"))


@settings(max_examples=25)
@given(
    elections(
        kinds=(BallotKind.APPROVAL, BallotKind.CHOOSE_1),
        max_projects=4,
        max_voters=5,
        max_cost=25,
        weighted=True,
    )
)
def test_phragmen_margins_are_the_first_change(e: Election) -> None:
    ex = explain(e, "phragmen", max_added=20)
    assert all(m.proven for pe in ex for m in pe.margins)
    _brute(ex, e, phragmen)


@pytest.mark.parametrize("name", REAL)
@pytest.mark.parametrize("rule", ["greedy", "mes", "phragmen"])
def test_real_files_margins_hold_at_their_edges(name: str, rule: ExplainedRule) -> None:
    e = load_election(DATA / name)
    _edges(e, explain(e, rule), _rule(rule))


@pytest.mark.parametrize("name", REAL)
@pytest.mark.parametrize("utility", ["effort", "cost-sqrt", "cost-log", "cc"])
def test_real_files_every_greedy_utility_at_its_edges(name: str, utility: Utility) -> None:
    """#15.4 on real files: each margin of greedy with effort and the non-additive
    satisfactions is an edge (the status differs one unit apart)."""
    e = load_election(DATA / name)
    ex = explain(e, "greedy", utility=utility)
    assert all(m.proven for pe in ex for m in pe.margins)
    _edges(e, ex, _rule("greedy", utility))


def _edges(e: Election, ex: Explanation, run: Run) -> None:
    """Every margin of ``ex`` sits at an edge: the status differs one unit further."""
    assert ex.outcome.selected == run(e).selected
    assert len(ex) == len(e.projects)
    for pe in ex:
        j = e.index(pe.project_id)
        pid = pe.project_id

        def funded(x: Election, pid: str = pid) -> bool:
            return pid in run(x).selected_set

        if pe.funded:
            lose, rise = pe.removable_supporters, pe.cost_increase
            assert lose is not None
            assert rise is not None
            assert rise.value is not None
            assert funded(_cost(e, j, pe.cost + rise.value))
            assert not funded(_cost(e, j, pe.cost + rise.value + 1))
            assert lose.value is not None
            assert funded(_removed(e, j, lose.value))
            if lose.value < lose.bound:
                assert not funded(_removed(e, j, lose.value + 1))
        else:
            cut, add = pe.cost_reduction, pe.added_supporters
            assert cut is not None
            assert add is not None
            if cut.value is not None:
                assert funded(_cost(e, j, pe.cost - cut.value))
                assert not funded(_cost(e, j, pe.cost - cut.value + 1))
            if add.value is not None:
                assert funded(_added(e, j, add.value, False))
                assert not funded(_added(e, j, add.value - 1, False))
            else:
                assert pe.cost > e.budget or not funded(_added(e, j, add.bound, False))


def _tiny() -> Election:
    return Election(
        10000,
        (Project("a", 6000), Project("b", 5000), Project("c", 1000)),
        Profile.from_ballots(
            BallotKind.APPROVAL, ["a", "b", "c"], [["a"], ["a", "b"], ["a"], ["c"], ["b"]]
        ),
        currency="PEN",
        minor_per_unit=100,
    )


def test_words_in_english_and_spanish_with_money() -> None:
    ex = explain(_tiny(), "greedy")
    with use_language("en"):
        text = str(ex)
        assert "not funded: it costs S/ 50.00 but only S/ 40.00 was left" in text
        assert "funded if it cost S/ 10.00 less (S/ 40.00)" in text
        assert "funded with 2 more supporters" in text
        rows = ex.to_rows()
    with use_language("es"):
        texto = str(ex)
        assert "no financiado: cuesta S/ 50.00 pero solo quedaban S/ 40.00" in texto
        assert "se financiaría si costara S/ 10.00 menos (S/ 40.00)" in texto
        assert "se financiaría con 2 votantes más a favor" in texto
        assert "sigue financiado si su costo sube hasta en S/ 40.00 (a S/ 100.00)" in texto
        html = ex._repr_html_()
        assert "<table" in html
        assert "proyecto" in html
        assert "márgenes" in html
    steps = {step.project_id: step for step in ex.trace()}
    assert steps["b"].values["cost_reduction"] == 1000
    assert steps["a"].values["funded"] is True
    with use_language("es"):
        assert "se financiaría con 2 votantes más a favor" in ex.trace()[1].reason
    b = next(r for r in rows if r["project_id"] == "b")
    assert b["funded"] is False
    assert b["cost_reduction"] == 1000
    assert b["added_supporters"] == 2
    assert b["removable_supporters"] is None
    assert b["cost_reduction_proven"] is True


def test_unproven_margins_say_so() -> None:
    ex = explain(_tiny(), "mes")
    assert any(not m.proven for pe in ex for m in pe.margins)
    with use_language("en"):
        assert "(found by bisection and verified at its edge)" in str(ex)
    with use_language("es"):
        assert "(hallado por bisección y verificado en su borde)" in str(ex)


def test_phragmen_names_the_project_it_stopped_at() -> None:
    e = Election(
        10,
        (Project("a", 6), Project("b", 6)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a"], ["b"]]),
    )
    b = explain(e, "phragmen")["b"]
    assert b.reason_key == "phragmen_stop"
    with use_language("en"):
        assert b.reason() == (
            "not funded: its supporters' load reached its cost first, at 6, but it costs 6 "
            "and only 4 was left, so Phragmén stopped"
        )


def test_points_ballots_count_added_points() -> None:
    e = Election(
        10,
        (Project("a", 6), Project("b", 6)),
        Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b"], [{"a": 3}, {"b": 2}]),
    )
    b = explain(e, "greedy", project="b")["b"]
    assert b.added_supporters is not None
    assert b.added_supporters.points
    assert b.added_supporters.value == 2  # 4 points beat a's 3 (ties go to "a")
    with use_language("en"):
        assert "funded with 2 more points on a new ballot" in b.margin_text(b.added_supporters)


def test_project_dearer_than_the_budget() -> None:
    e = Election(
        5,
        (Project("a", 6), Project("b", 2)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a"], ["b"]]),
    )
    a = explain(e, "greedy")["a"]
    assert a.reason_key == "too_costly"
    assert a.cost_reduction is not None
    assert a.cost_reduction.value == 1
    assert a.added_supporters is not None
    assert a.added_supporters.value is None
    assert a.cost_reduction.kind is MarginKind.COST_REDUCTION


def test_unknown_project_is_named() -> None:
    with pytest.raises(ValidationError, match="nope"):
        explain(_tiny(), "greedy", project="nope")
    with pytest.raises(ValidationError, match="nope"):
        explain(_tiny(), "greedy")["nope"]


def test_unsupported_ballot_kind_and_rule() -> None:
    cumulative = Election(
        10,
        (Project("a", 6),),
        Profile.from_ballots(BallotKind.CUMULATIVE, ["a"], [{"a": 3}]),
    )
    with pytest.raises(RuleError, match="cumulative"):
        explain(cumulative, "phragmen")
    ordinal = Election(
        10, (Project("a", 6),), Profile.from_ballots(BallotKind.ORDINAL, ["a"], [["a"]])
    )
    assert explain(ordinal, "greedy").utility == "borda"  # explained since #15.4
    approval = _tiny()
    for utility in ("effort", "cost-sqrt", "cost-log", "cc"):
        with pytest.raises(RuleError, match="use one of: cost, count, points, borda"):
            explain(approval, "mes", utility=utility)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="welfare"):
        explain(_tiny(), "welfare")  # type: ignore[arg-type]


def test_ordinal_ballots_with_count_utility() -> None:
    e = Election(
        10,
        (Project("a", 6), Project("b", 6), Project("c", 3)),
        Profile.from_ballots(BallotKind.ORDINAL, ["a", "b", "c"], [["a", "c"], ["b", "a"]]),
    )
    ex = explain(e, "greedy", utility="cost")
    _brute(ex, e, _rule("greedy", "cost"))


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValidationError, match="max_runs"):
        explain(_tiny(), "greedy", max_runs=0)
    with pytest.raises(ValidationError, match="max_added"):
        explain(_tiny(), "greedy", max_added=-1)


def test_the_work_is_bounded() -> None:
    with pytest.raises(SearchLimitExceeded, match="max_runs=3"):
        explain(_tiny(), "mes", max_runs=3)


def test_phragmen_load_reads_as_money() -> None:
    """A Phragmén load is money per voter: shown in the election's currency, exact or ≈."""
    e = _tiny()  # soles, two decimals
    ex = explain(e, "phragmen")
    loads = [pe for pe in ex if pe.reason_values.get("load") not in (None, "inf")]
    assert len(loads) == 3
    with use_language("es"):
        texts = [pe.reason() for pe in loads]
    assert "la carga de quienes lo apoyan alcanzó su costo en S/ 20.00" in texts[0]
    for pe, text in zip(loads, texts, strict=True):
        assert f" {pe.reason_values['load']}" not in text  # not raw minor units
