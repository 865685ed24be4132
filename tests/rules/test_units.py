"""Unit tests: registry, errors, declared replay details, split rules, diagnostics, JSON."""

from __future__ import annotations

import pytest

import participa
from participa.errors import RuleError, TieError, ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.rules import (
    RULES,
    FundingDiagnostics,
    declared,
    equal_split,
    funding_diagnostics,
    get_rule,
    greedy,
    max_welfare,
    per_head,
    phragmen,
    run_rule,
)
from participa.tiebreak import TieBreak

CLI_NAMES = [
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "mes",
    "phragmen",
    "max-welfare",
    "per-head",
    "equal-split",
    "cstv",
    "maximin-support",
    "ees",
    "mes-bos",
    "fractional-mes",
    "pb-ear",
    "online-greedy",
    "ordered-relax",
    "declared",
]


def approval(
    budget: int, costs: dict[str, int], ballots: list[list[str]], **kw: object
) -> Election:
    ps = tuple(Project(p, c) for p, c in costs.items())
    return Election(
        budget, ps, Profile.from_ballots(BallotKind.APPROVAL, list(costs), ballots), **kw
    )  # type: ignore[arg-type]


E = approval(10, {"a": 6, "b": 5, "c": 4}, [["a"], ["a"], ["b", "c"], ["c"]])


def test_registry_has_exactly_the_cli_names() -> None:
    assert list(RULES) == CLI_NAMES
    for name in CLI_NAMES:
        assert get_rule(name).name == name


def test_unknown_rule_lists_the_names() -> None:
    with pytest.raises(RuleError, match="unknown rule 'nope'") as err:
        get_rule("nope")
    assert all(n in str(err.value) for n in CLI_NAMES)


# cstv needs cumulative ballots and pb-ear ranked ones: tests/rules/ runs them on those
@pytest.mark.parametrize(
    "name", [n for n in CLI_NAMES if n not in ("mes", "declared", "cstv", "pb-ear")]
)
def test_run_rule_runs_every_rule(name: str) -> None:
    kw = {"threshold": 1} if name == "greedy-threshold" else {}
    e = E
    if name == "equal-split":
        e = Election(
            E.budget, tuple(Project(p.id, p.cost, territory="t") for p in E.projects), E.profile
        )
    o = run_rule(name, e, **kw)  # type: ignore[arg-type]
    assert o.total_funding <= e.budget


def test_run_rule_maps_options() -> None:
    assert run_rule("greedy", E, utility="count").selected == greedy(E, utility="count").selected
    assert run_rule("greedy-no-skip", E).selected == greedy(E, skip=False).selected
    assert run_rule("greedy-threshold", E, threshold=2).selected == ("a", "c")
    assert run_rule("max-welfare", E).selected == max_welfare(E).selected


@pytest.mark.parametrize(
    ("name", "options", "bad"),
    [
        ("phragmen", {"utility": "count"}, "utility"),
        ("greedy", {"completion": "add1"}, "completion"),
        ("greedy", {"threshold": 3}, "threshold"),
        ("per-head", {"exhaustive_stop": False}, "exhaustive_stop"),
        ("max-welfare", {"integral_start": True}, "integral_start"),
    ],
)
def test_run_rule_rejects_options_a_rule_does_not_take(
    name: str, options: dict[str, object], bad: str
) -> None:
    with pytest.raises(RuleError, match=f"does not take option\\(s\\) {bad}"):
        run_rule(name, E, **options)  # type: ignore[arg-type]


def test_greedy_threshold_needs_a_threshold() -> None:
    with pytest.raises(RuleError, match="needs a threshold"):
        run_rule("greedy-threshold", E)


def test_phragmen_refuses_ordinal_ballots() -> None:
    e = Election(5, (Project("a", 1),), Profile.from_ballots(BallotKind.ORDINAL, ["a"], [["a"]]))
    with pytest.raises(RuleError, match="approval, choose-1"):
        phragmen(e)


def test_refuse_only_raises_when_the_tie_matters() -> None:
    tied = approval(20, {"x": 5, "y": 5}, [["x"], ["y"]])
    assert greedy(tied, tie_break=TieBreak.parse("refuse")).selected_set == {"x", "y"}
    with pytest.raises(TieError):
        greedy(tied.with_budget(7), tie_break=TieBreak.parse("refuse"))


def test_greedy_trace_explains_skips() -> None:
    o = greedy(E)
    assert o.selected == ("a", "c")
    assert "skip b: cost 5 exceeds the money left 0" in o.explain()


def test_per_head_reports_unspent_and_partial_funding() -> None:
    e = approval(100, {"cheap": 10, "big": 200}, [["cheap"], ["cheap"], ["big"]])
    o = per_head(e)
    assert dict(o.funding) == {"cheap": 10, "big": 33}
    assert o.params["unspent"] == "57"
    assert o.selected == ("cheap",)
    o2 = per_head(e, redistribute=True)
    assert dict(o2.funding) == {"cheap": 10, "big": 90}
    assert o2.params["unspent"] == "0"


def test_per_head_with_no_votes_spends_nothing() -> None:
    e = approval(100, {"a": 10}, [[]])
    o = per_head(e)
    assert o.total_funding == 0
    assert o.params["unspent"] == "100"


def test_equal_split_atomisation_of_the_paper() -> None:
    """S/ 300,000 over 30 neighbourhoods: S/ 10,000 each; a S/ 50,000 project never fits."""
    ps = [Project(f"small{k}", 8_000, territory=f"n{k:02d}") for k in range(30)]
    ps.append(Project("road", 50_000, territory="n00"))
    ids = [p.id for p in ps]
    prof = Profile.from_ballots(BallotKind.APPROVAL, ids, [["road"]] * 5 + [[i] for i in ids[:30]])
    e = Election(300_000, tuple(ps), prof)
    o = equal_split(e)
    assert "road" not in o.selected_set
    assert len(o.selected) == 30
    assert o.leftover == 30 * 2_000
    # six neighbourhoods pool their S/ 60,000: the road (most votes) is built first
    pooled = equal_split(e, pools={"north": [f"n{k:02d}" for k in range(6)]})
    assert "road" in pooled.selected_set
    (north,) = (v for v in pooled.envelopes if v.name == "north")
    assert (north.money, north.leftover) == (60_000, 60_000 - 50_000 - 8_000)
    assert north.members == tuple(f"n{k:02d}" for k in range(6))
    assert not any(k.startswith("leftover") for k in pooled.params)  # typed, not params keys
    assert pooled.total_funding + pooled.leftover == e.budget


def test_equal_split_errors_name_the_project_and_pool() -> None:
    with pytest.raises(RuleError, match="needs every project's territory") as err:
        equal_split(E)
    assert err.value.project_id == "a"
    e = Election(
        E.budget, tuple(Project(p.id, p.cost, territory="t") for p in E.projects), E.profile
    )
    with pytest.raises(RuleError, match="in two pools"):
        equal_split(e, pools={"p": ["t"], "q": ["t"]})
    with pytest.raises(ValidationError, match="by must be one of 'territory', 'dimension'"):
        equal_split(e, by="category")  # type: ignore[arg-type]


def _file(
    rule: str, meta: dict[str, str] | None = None, selected: tuple[str, ...] = ()
) -> Election:
    votes = {"a": "30", "b": "20", "c": "20", "d": "5"}
    costs = {"a": 50, "b": 40, "c": 30, "d": 10}
    ps = tuple(
        Project(p, costs[p], metadata={"votes": v, "selected": "1" if p in selected else "0"})
        for p, v in votes.items()
    )
    prof = Profile.from_ballots(BallotKind.APPROVAL, list(votes), [["a", "d"]])
    return Election(100, ps, prof, meta={"rule": rule, **(meta or {})})


def test_declared_greedy_family() -> None:
    assert declared(_file("greedy")).selected == ("a", "b", "d")
    assert declared(_file("greedy-exclusive")).selected == ("a", "b", "d")
    assert declared(_file("greedy-no-skip")).selected == ("a", "b")
    th = _file("greedy-threshold", {"min_project_score_threshold": "20"})
    assert declared(th).selected == ("a", "b")
    # a tie-break overrides file order: c (cheaper) before b
    assert declared(_file("greedy"), tie_break=TieBreak.parse("min-cost")).selected == (
        "a",
        "c",
        "d",
    )


def test_declared_poznan_80_percent_and_reserve() -> None:
    meta = {"unit": "Poznań"}
    e = _file("greedy-custom", meta)
    o = declared(e.with_budget(85))  # a fits (35 left), b: 35 < 80% of 40 = 32? no: 35 >= 32
    assert o.selected == ("a", "b")
    assert o.funding["b"] == 35
    assert o.total_funding == 85
    o = declared(e.with_budget(80))  # 30 left < 32: stop
    assert o.selected == ("a",)
    ps = tuple(attrs_evolve_selected(p, "3") if p.id in ("b", "c") else p for p in e.projects)
    reserve = Election(80, ps, e.profile, meta=e.meta)
    assert declared(reserve).selected == ("a", "b", "c")
    assert declared(reserve).funding["c"] == 0


def attrs_evolve_selected(p: Project, value: str) -> Project:
    import attrs

    return attrs.evolve(p, metadata={**p.metadata, "selected": value})


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("unknown", "nothing to replay"),
        ("", "declares no rule"),
        ("greedy-custom", "custom rule participa does not know"),
        ("greedy-threshold", "min_project_score_threshold"),
        ("lottery", "cannot be replayed"),
    ],
)
def test_declared_refuses_what_it_cannot_replay(rule: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        declared(_file(rule))


def test_declared_needs_a_tally() -> None:
    with pytest.raises(RuleError, match="neither a 'votes' nor a 'score'"):
        declared(approval(10, {"a": 1}, [["a"]], meta={"rule": "greedy"}))


def test_diagnostics_of_per_head() -> None:
    e = approval(100, {"x": 10, "y": 90, "z": 90}, [["x"], ["y"], ["z"]])
    d = funding_diagnostics(e, per_head(e))
    assert d.gaps == {"y": 57, "z": 57}
    assert (d.below_cost, d.stranded, d.unspent) == (2, 66, 24)
    assert d.greedy_selected == ("x", "y")
    assert "<table" in d._repr_html_()
    assert "x" in d.table()
    assert participa.loads(participa.dumps(d)) == d
    assert isinstance(d, FundingDiagnostics)


def test_outcomes_round_trip_through_json() -> None:
    for o in (greedy(E), phragmen(E), max_welfare(E), per_head(E)):
        assert participa.loads(participa.dumps(o)) == o
