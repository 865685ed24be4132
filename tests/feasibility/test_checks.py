"""Feasibility review: every standard check, presets, reports, and review properties."""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa
from participa.cofinancing import CofinancingPlan, ContributorKind, Pledge, RequiredShare
from participa.errors import ValidationError
from participa.feasibility import (
    Check,
    CheckResult,
    CofinancingPledged,
    Competence,
    CostPerBeneficiary,
    CostPositive,
    CostRange,
    FeasibilityReport,
    FunctionCheck,
    ManualReview,
    ManualVerdict,
    OperationMaintenance,
    ProposalDetails,
    Review,
    ReviewContext,
    Splitting,
    Status,
    StudyLevel,
    TechnicalDesign,
    UnfeasibleReason,
    aggregate,
    consul,
    details_by_id,
    details_from_metadata,
    invierte_pe,
    invierte_pe_study_level,
    review,
    snip,
    snip_study_level,
    water_sewerage_range,
)
from participa.model import BallotKind, Election, Profile, Project, Territory
from participa.money import Currency


def ctx(*projects: Project, **kw: object) -> ReviewContext:
    return ReviewContext.build(projects, **kw)  # type: ignore[arg-type]


# -- cost and technical design --------------------------------------------------------------------


def test_cost_positive_fails_zero_mismatch_and_cap() -> None:
    chk = CostPositive(max_cost=500)
    assert chk(Project("A", 0), ctx()).status is Status.FAIL
    p = Project("B", 300)
    d = ProposalDetails("B", cost_breakdown={"obra": 250, "expediente_tecnico": 40})
    r = chk(p, ctx(p, details=[d]))
    assert r.status is Status.FAIL
    assert r.values["breakdown_total"] == 290
    assert "sums to 290" in r.reason
    assert chk(Project("C", 501), ctx()).status is Status.FAIL
    assert chk(Project("C", 500), ctx()).status is Status.PASS


def test_technical_design_line_share_and_missing() -> None:
    chk = TechnicalDesign(min_share=Fraction(1, 20))
    p = Project("P", 1000)
    assert chk(p, ctx(p)).status is Status.UNKNOWN
    assert "cannot assess" in chk(p, ctx(p)).reason
    no_line = ProposalDetails("P", cost_breakdown={"obra": 1000})
    assert chk(p, ctx(p, details=[no_line])).status is Status.FAIL
    small = ProposalDetails("P", cost_breakdown={"obra": 970, "Expediente Técnico": 30})
    r = chk(p, ctx(p, details=[small]))
    assert r.status is Status.WARN
    assert r.values["share"] == "3/100"
    ok = ProposalDetails("P", cost_breakdown={"obra": 940, "expediente_tecnico": 60})
    assert chk(p, ctx(p, details=[ok])).status is Status.PASS
    stated = ProposalDetails("P", technical_design_share=Fraction(1, 10))
    assert chk(p, ctx(p, details=[stated])).status is Status.PASS


# -- study level ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "has", "status"),
    [
        (1_200_000, "perfil simplificado", Status.PASS),
        (1_200_001, "perfil simplificado", Status.FAIL),
        (1_200_001, "perfil", Status.PASS),
        (1_200_001, "factibilidad", Status.PASS),
        (20_000_001, "perfil", Status.FAIL),
        (10, "Perfil  Simplificado", Status.PASS),
        (10, "a napkin", Status.UNKNOWN),
    ],
)
def test_snip_study_level_bands(cost: int, has: str, status: Status) -> None:
    p = Project("P", cost)
    r = snip_study_level()(p, ctx(p, details=[ProposalDetails("P", study_level=has)]))
    assert r.status is status


def test_invierte_pe_bands_follow_the_uit_parameter() -> None:
    for uit in (4_050, 5_150):
        chk = invierte_pe_study_level(uit=uit, minor_per_unit=100)
        assert chk.required(750 * uit * 100) == "ficha técnica simplificada"
        assert chk.required(750 * uit * 100 + 1) == "ficha técnica estándar"
        assert chk.required(15_000 * uit * 100 + 1) == "perfil"


def test_study_level_missing_and_scale_mismatch() -> None:
    p = Project("P", 5)
    r = snip_study_level()(p, ctx(p))
    assert r.status is Status.UNKNOWN
    assert "study_level" in r.reason
    with pytest.raises(ValidationError, match="minor_per_unit"):
        snip_study_level(minor_per_unit=100)(p, ctx(p))


def test_study_level_rejects_bad_bands() -> None:
    from participa.feasibility import StudyBand

    with pytest.raises(ValidationError):
        StudyLevel((StudyBand(10, "a"),), ("a",))
    with pytest.raises(ValidationError):
        StudyLevel((StudyBand(10, "a"), StudyBand(None, "zzz")), ("a",))


# -- cost per beneficiary -------------------------------------------------------------------------


def test_water_preproject_far_below_us100_per_household_fails() -> None:
    rng = water_sewerage_range()  # 100 US$ x 3.40 = S/ 340 per household
    assert rng.min == 340
    chk = CostPerBeneficiary((rng,))
    cheap = Project("W1", 2_000, categories=("water",))
    d = ProposalDetails("W1", households=40)
    r = chk(cheap, ctx(cheap, details=[d]))
    assert r.status is Status.FAIL
    assert r.values["cost_per_unit"] == "50"
    fair = Project("W2", 40 * 340, categories=("water",))
    assert chk(fair, ctx(fair, details=[ProposalDetails("W2", households=40)])).status is (
        Status.PASS
    )
    road = Project("R", 10, categories=("roads",))
    assert chk(road, ctx(road)).status is Status.NOT_APPLICABLE
    nohh = Project("W3", 10, categories=("water",))
    assert chk(nohh, ctx(nohh)).status is Status.UNKNOWN
    assert chk(Project("X", 1), ctx()).status is Status.UNKNOWN  # no sector


def test_cost_range_per_beneficiary_above_max_warns() -> None:
    chk = CostPerBeneficiary((CostRange("parks", min=10, max=100),))
    p = Project("P", 1_010, categories=("parks",), beneficiaries=10)
    r = chk(p, ctx(p))
    assert r.status is Status.WARN
    assert r.values["cost_per_unit"] == "101"


# -- O&M, competence ------------------------------------------------------------------------------


def test_operation_and_maintenance() -> None:
    chk = OperationMaintenance(accepted_payers=("municipality", "community"))
    p = Project("P", 100)
    r = chk(p, ctx(p))
    assert r.status is Status.UNKNOWN
    assert r.reason == "cannot assess: fields om_yearly_cost, om_payer missing"
    half = ProposalDetails("P", om_yearly_cost=10)
    assert chk(p, ctx(p, details=[half])).reason == "cannot assess: field om_payer missing"
    nobody = ProposalDetails("P", om_yearly_cost=10, om_payer="Nadie")
    assert chk(p, ctx(p, details=[nobody])).status is Status.FAIL
    other = ProposalDetails("P", om_yearly_cost=10, om_payer="water company")
    assert chk(p, ctx(p, details=[other])).status is Status.FAIL
    zero = ProposalDetails("P", om_yearly_cost=0, om_payer="community")
    assert chk(p, ctx(p, details=[zero])).status is Status.WARN
    ok = ProposalDetails("P", om_yearly_cost=5, om_payer="Municipality")
    assert chk(p, ctx(p, details=[ok])).status is Status.PASS


def test_competence_sectors_or_predicate() -> None:
    chk = Competence(sectors=("roads", "parks"))
    p = Project("P", 1, categories=("Roads",))
    assert chk(p, ctx(p)).status is Status.PASS
    q = Project("Q", 1, categories=("army",))
    assert chk(q, ctx(q)).status is Status.FAIL
    d = ProposalDetails("Q", sector="parks")
    assert chk(q, ctx(q, details=[d])).status is Status.PASS  # details' sector wins
    pred = Competence(predicate=lambda proj, det: proj.cost < 10)
    assert pred(p, ctx(p)).status is Status.PASS
    assert pred(Project("Z", 10), ctx()).status is Status.FAIL
    with pytest.raises(ValidationError):
        Competence()
    with pytest.raises(ValidationError):
        Competence(sectors=("a",), predicate=lambda proj, det: True)


# -- co-financing (uses participa.cofinancing) ----------------------------------------------------


def test_cofinancing_pledged_against_the_real_plan() -> None:
    p = Project("P", 10_000)
    plan = CofinancingPlan(
        (
            Pledge.labour("L", "P", hours=100, rate=15),
            Pledge.money("N", "P", 5_000, source=ContributorKind.INSTITUTION),
        ),
        required=RequiredShare.ves_2001(),
    )
    r = CofinancingPledged()(p, ctx(p, cofinancing=plan))
    assert r.status is Status.FAIL
    assert (r.values["required"], r.values["pledged"]) == (2_000, 1_500)
    assert "short by 500" in r.reason
    plan2 = plan.with_pledge(Pledge.materials("C", "P", 500))
    assert CofinancingPledged()(p, ctx(p, cofinancing=plan2)).status is Status.PASS
    # a fixed share overrides the plan; no plan and no share: not applicable
    r3 = CofinancingPledged(required_share=Fraction(1, 4))(p, ctx(p, cofinancing=plan2))
    assert (r3.status, r3.values["required"]) == (Status.FAIL, 2_500)
    assert CofinancingPledged()(p, ctx(p)).status is Status.NOT_APPLICABLE
    assert CofinancingPledged(required_share=Fraction(1, 5))(p, ctx(p)).status is Status.UNKNOWN
    no_rule = CofinancingPlan((Pledge.money("M", "P", 1),))
    assert CofinancingPledged()(p, ctx(p, cofinancing=no_rule)).status is Status.NOT_APPLICABLE


# -- splitting ------------------------------------------------------------------------------------


def settlements(n: int, cost: int, parent: str = "S3") -> tuple[list[Project], ReviewContext]:
    ps = [Project(f"W{i}", cost + i, territory=f"AH{i}") for i in range(n)]
    ts = [Territory(f"AH{i}", parent=parent) for i in range(n)]
    ds = [ProposalDetails(p.id, works="water-sewerage preproject") for p in ps]
    return ps, ReviewContext.build(ps, details=ds, territories=ts)


def test_splitting_flags_seven_settlements_with_the_saving() -> None:
    ps, c = settlements(7, 3_000)
    chk = Splitting(fixed_cost_per_project=500, shared_share=Fraction(1, 10))
    costs = [p.cost for p in ps]
    want = 500 * 6 + (sum(costs) - max(costs)) // 10
    for p in ps:
        r = chk(p, c)
        assert r.status is Status.WARN
        assert r.values["group_size"] == 7
        assert r.values["saving"] == want
        assert r.values["group_cost"] == sum(costs)


def test_splitting_needs_the_same_parent_and_distinct_territories() -> None:
    ps, c = settlements(2, 100)
    other = Project("X", 100, territory="AH9")
    c2 = ReviewContext.build(
        [*ps, other],
        details=[*c.details.values(), ProposalDetails("X", works="water-sewerage preproject")],
        territories=[*c.territories.values(), Territory("AH9", parent="S5")],
    )
    assert Splitting()(other, c2).status is Status.PASS
    assert Splitting()(ps[0], c2).status is Status.WARN
    assert Splitting(min_group=3)(ps[0], c2).status is Status.PASS
    assert Splitting(scope="district", min_group=3)(ps[0], c2).status is Status.WARN
    assert Splitting(max_cost=50)(ps[0], c2).status is Status.PASS
    assert Splitting()(Project("Y", 1), ReviewContext()).status is Status.NOT_APPLICABLE


# -- manual review (CONSUL style) -----------------------------------------------------------------


def test_manual_verdicts_need_price_or_explanation() -> None:
    with pytest.raises(ValidationError, match="price"):
        ManualVerdict("P", participa.feasibility.Feasibility.FEASIBLE)
    with pytest.raises(ValidationError, match="explanation"):
        ManualVerdict.unfeasible("P", "  ")
    with pytest.raises(ValidationError, match="two manual verdicts"):
        ManualReview.of(ManualVerdict.undecided("P"), ManualVerdict.undecided("P"))


def test_consul_review() -> None:
    rev = consul(
        [
            ManualVerdict.feasible("A", price=100),
            ManualVerdict.feasible("B", price=90),
            ManualVerdict.unfeasible("C", "outside competence", reason=UnfeasibleReason.COMPETENCE),
            ManualVerdict.undecided("D"),
        ],
        max_cost=1_000,
    )
    ps = [Project("A", 100), Project("B", 100), Project("C", 5), Project("D", 5), Project("E", 5)]
    rep = rev.run(ps)
    assert rep.verdicts() == {
        "A": Status.PASS,
        "B": Status.WARN,
        "C": Status.FAIL,
        "D": Status.UNKNOWN,
        "E": Status.UNKNOWN,
    }
    assert rep.eligible == ("A", "B")
    assert "competence" in rep.report("C").reasons[0]
    manual = rev.checks[1]
    assert isinstance(manual, ManualReview)
    assert manual.prices() == {"A": 100, "B": 90}


# -- details from metadata ------------------------------------------------------------------------


def test_details_from_metadata_reads_every_documented_key() -> None:
    p = Project(
        "P",
        15_000_000,
        categories=("water",),
        metadata={
            "sector": " water ",
            "cost_breakdown": "expediente_tecnico:9,000.50;obra:140,999.50",
            "technical_design_share": "6%",
            "study_level": "perfil",
            "om_yearly_cost": "1200",
            "om_payer": "community",
            "households": "120",
            "works": "water-sewerage preproject",
            "indicator.poverty": "0.35",
            "other": "ignored",
        },
    )
    d = details_from_metadata(p, minor_per_unit=100)
    assert d == ProposalDetails(
        "P",
        sector="water",
        cost_breakdown={"expediente_tecnico": 900_050, "obra": 14_099_950},
        technical_design_share=Fraction(3, 50),
        study_level="perfil",
        om_yearly_cost=120_000,
        om_payer="community",
        households=120,
        works="water-sewerage preproject",
        indicators={"poverty": Fraction(7, 20)},
    )
    assert d.cost_breakdown == {"expediente_tecnico": 900_050, "obra": 14_099_950}
    assert details_from_metadata(Project("Q", 1)) == ProposalDetails("Q")


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("cost_breakdown", "obra=5", "line:amount"),
        ("cost_breakdown", "obra:x", "cost_breakdown"),
        ("cost_breakdown", "a:1;a:2", "twice"),
        ("om_yearly_cost", "-3", "negative"),
        ("om_yearly_cost", "1.234", "om_yearly_cost"),
        ("technical_design_share", "lots", "technical_design_share"),
        ("technical_design_share", "150%", "between 0 and 1"),
        ("households", "3.5", "households"),
    ],
)
def test_details_from_metadata_bad_values_name_project_and_key(
    key: str, value: str, match: str
) -> None:
    with pytest.raises(ValidationError, match=match) as info:
        details_from_metadata(Project("P7", 1, metadata={key: value}), minor_per_unit=100)
    assert info.value.project_id == "P7"


def test_details_by_id_uses_the_election_scale() -> None:
    e = Election(
        10,
        (Project("a", 1, metadata={"om_yearly_cost": "2.5"}),),
        Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]]),
        minor_per_unit=100,
    )
    assert details_by_id(e)["a"].om_yearly_cost == 250


def test_context_refuses_details_for_unknown_projects() -> None:
    with pytest.raises(ValidationError, match="not under review"):
        ReviewContext.build([Project("A", 1)], details=[ProposalDetails("B")])
    with pytest.raises(ValidationError, match="twice"):
        ReviewContext.build([Project("A", 1)], details=[ProposalDetails("A")] * 2)


# -- review and reports ---------------------------------------------------------------------------


def test_review_rejects_duplicate_names_and_non_checks() -> None:
    with pytest.raises(ValidationError, match="two checks named"):
        Review((CostPositive(), CostPositive()))
    with pytest.raises(ValidationError, match="not a check"):
        Review((42,))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="never be eligible"):
        Review((), eligible_statuses=(Status.FAIL,))
    bad = FunctionCheck("bad", lambda p, c: "yes")  # type: ignore[arg-type,return-value]
    # a str is truthy: FunctionCheck turns it into pass; a raw non-result is refused
    assert review([Project("A", 1)], [bad]).eligible == ("A",)

    class Broken:
        name = "broken"

        def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
            return "nope"  # type: ignore[return-value]

    assert isinstance(Broken(), Check)
    with pytest.raises(ValidationError, match="not a CheckResult"):
        review([Project("A", 1)], [Broken()])


def test_unknown_is_not_eligible_unless_asked() -> None:
    ps = [Project("A", 1)]
    rev = Review((OperationMaintenance(),))
    assert rev.run(ps).eligible == ()
    lenient = Review((OperationMaintenance(),), eligible_statuses=(Status.PASS, Status.UNKNOWN))
    assert lenient.run(ps).eligible == ("A",)


def sjm() -> tuple[list[Project], ReviewContext]:
    ps = [
        Project("P1", 150_000, name="Pistas <y> veredas", territory="AH1", categories=("roads",)),
        Project("P2", 0, name="Losa deportiva", territory="AH2", categories=("sport",)),
        Project("P3", 80_000, name="Comisaría", territory="AH3", categories=("police",)),
    ]
    ds = [
        ProposalDetails(
            "P1",
            cost_breakdown={"expediente_tecnico": 9_000, "obra": 141_000},
            study_level="perfil simplificado",
            om_yearly_cost=3_000,
            om_payer="municipality",
        )
    ]
    return ps, ReviewContext.build(ps, details=ds, currency="PEN")


def test_snip_review_report_text_html_json() -> None:
    ps, c = sjm()
    rep = snip().run(ps, c)
    assert rep.project_ids == ("P1", "P2", "P3")
    assert rep.eligible == ("P1",)
    assert rep.verdicts()["P2"] is Status.FAIL
    p3 = rep.report("P3")
    assert {r.check for r in p3.problems} >= {"competence", "technical-design", "o&m"}
    assert p3.problems[0].status is Status.FAIL  # worst first
    text = rep.to_text(detail=True)
    assert "SNIP (2000–2016): 1 of 3 projects eligible" in text
    assert "cannot assess" in text
    html = rep._repr_html_()
    assert "Pistas &lt;y&gt; veredas" in html
    assert "<table" in html
    back = participa.loads(participa.dumps(rep))
    assert back == rep
    assert isinstance(back, FeasibilityReport)
    assert back.eligible == rep.eligible
    assert rep.counts() == {"pass": 1, "n/a": 0, "warn": 0, "unknown": 0, "fail": 2}


def test_report_json_refuses_a_tampered_verdict() -> None:
    ps, c = sjm()
    text = participa.dumps(snip().run(ps, c)).replace('"verdict": "fail"', '"verdict": "pass"')
    with pytest.raises(participa.ParseError, match="disagrees"):
        participa.loads(text)


def test_eligible_set_feeds_a_rule() -> None:
    ps, c = sjm()
    e = Election(
        200_000,
        ps,
        Profile.from_ballots(BallotKind.APPROVAL, [p.id for p in ps], [["P1", "P3"], ["P2"]]),
    )
    rep = snip().run(e, c)
    with pytest.raises(ValidationError, match="election counts"):  # a context that contradicts
        snip().run(e, attrs.evolve(c, currency=Currency("PEN", 100)))
    sub = e.restrict(rep.eligible)
    assert sub.project_ids == ("P1",)
    assert sub.support().tolist() == [1]


def test_the_context_takes_the_election_s_money() -> None:
    # a context that names no currency reviews an election in its own money: nothing to
    # keep consistent by hand (before, it counted whole units and the review refused it)
    ps, c = sjm()
    cents = [attrs.evolve(p, cost=p.cost * 100) for p in ps]
    ids = [p.id for p in ps]
    e = Election(
        20_000_000,
        cents,
        Profile.from_ballots(BallotKind.APPROVAL, ids, [ids]),
        currency="PEN",
        minor_per_unit=100,
    )
    details = [
        attrs.evolve(
            d,
            cost_breakdown=None
            if d.cost_breakdown is None
            else {k: v * 100 for k, v in d.cost_breakdown.items()},
            om_yearly_cost=None if d.om_yearly_cost is None else d.om_yearly_cost * 100,
        )
        for d in c.details.values()
    ]
    plain = ReviewContext.build(cents, details=details)
    assert plain.currency is None
    assert plain.minor_per_unit == 1
    rep = snip(minor_per_unit=100).run(e, plain)
    assert rep.currency == e.money == Currency("PEN", 100)
    assert rep.verdicts() == snip().run(ps, c).verdicts()  # same verdicts, in céntimos
    assert "S/ " in rep.to_text()
    # the older pair of arguments still builds the same context
    assert ReviewContext.build(ps, currency="PEN", minor_per_unit=100).currency == Currency(
        "PEN", 100
    )
    with pytest.raises(ValidationError, match="contradicts"):
        ReviewContext.build(ps, currency=Currency("PEN", 100), minor_per_unit=1)
    with pytest.raises(ValidationError, match="must be a Currency"):
        ReviewContext(currency="PEN")  # type: ignore[arg-type]


def test_invierte_pe_preset_runs_and_names_uit() -> None:
    ps, c = sjm()
    rep = invierte_pe(uit=5_150).run(ps, c)
    r = rep.report("P1").result("study-level")
    assert r.status is Status.UNKNOWN  # a SNIP study name is not an Invierte.pe level
    d = attrs.evolve(c.details["P1"], study_level="ficha técnica simplificada")
    c2 = ReviewContext.build(ps, details=[d], currency="PEN")
    r2 = invierte_pe(uit=5_150).run(ps, c2).report("P1").result("study-level")
    assert r2.status is Status.PASS
    assert "5,150" in r2.reason


# -- properties -----------------------------------------------------------------------------------

SECTORS = ["roads", "water", "parks", "army"]
PAYERS = ["municipality", "community", "nadie"]
LEVELS = ["perfil simplificado", "perfil", "factibilidad", "ficha"]


@st.composite
def proposals(draw: st.DrawFn) -> tuple[list[Project], ReviewContext]:
    n = draw(st.integers(1, 6))
    ps: list[Project] = []
    ds: list[ProposalDetails] = []
    for i in range(n):
        cost = draw(st.integers(0, 3_000_000))
        sector = draw(st.sampled_from(SECTORS))
        ps.append(
            Project(
                f"p{i}",
                cost,
                territory=draw(st.sampled_from(["t0", "t1", "t2", None])),
                categories=draw(st.sampled_from([(), (sector,)])),
                beneficiaries=draw(st.none() | st.integers(0, 500)),
            )
        )
        if draw(st.booleans()):
            design = draw(st.none() | st.integers(0, cost))
            breakdown = None if design is None else {"expediente_tecnico": design}
            if breakdown is not None and draw(st.booleans()):
                breakdown["obra"] = cost - design
            ds.append(
                ProposalDetails(
                    f"p{i}",
                    sector=draw(st.none() | st.sampled_from(SECTORS)),
                    cost_breakdown=breakdown,
                    technical_design_share=draw(st.none() | st.fractions(0, 1)),
                    study_level=draw(st.none() | st.sampled_from(LEVELS)),
                    om_yearly_cost=draw(st.none() | st.integers(0, 1000)),
                    om_payer=draw(st.none() | st.sampled_from(PAYERS)),
                    households=draw(st.none() | st.integers(0, 50)),
                    works=draw(st.none() | st.sampled_from(["water", "road"])),
                )
            )
    ts = [Territory("t0", parent="S"), Territory("t1", parent="S"), Territory("t2")]
    plan = draw(
        st.sampled_from(
            [
                None,
                CofinancingPlan(
                    (Pledge.money("m", "p0", draw(st.integers(0, 100_000))),),
                    required=RequiredShare.ves_2001(),
                ),
            ]
        )
    )
    return ps, ReviewContext.build(ps, details=ds, territories=ts, cofinancing=plan)


@given(proposals())
def test_every_project_gets_a_verdict_and_every_check_a_result(
    data: tuple[list[Project], ReviewContext],
) -> None:
    ps, c = data
    for rev in (snip(), invierte_pe()):
        rep = rev.run(ps, c)
        assert rep.project_ids == tuple(p.id for p in ps)
        for r in rep.projects:
            assert tuple(x.check for x in r.results) == rev.check_names
            assert r.status is aggregate(x.status for x in r.results)
            for x in r.results:
                if x.status is Status.UNKNOWN:
                    assert x.reason.startswith("cannot assess")
        assert set(rep.eligible) | set(rep.ineligible) == {p.id for p in ps}
        assert not set(rep.eligible) & set(rep.ineligible)


@given(proposals(), st.data())
def test_adding_a_passing_check_never_changes_eligibility(
    data: tuple[list[Project], ReviewContext], more: st.DataObject
) -> None:
    ps, c = data
    full = snip()
    keep = more.draw(st.lists(st.sampled_from(full.check_names), unique=True))
    base = Review(tuple(ch for ch in full.checks if ch.name in keep))
    before = base.run(ps, c)
    after = base.with_check(FunctionCheck("always", lambda p, ctx: True)).run(ps, c)
    assert after.eligible == before.eligible
    assert after.verdicts() == before.verdicts()
    for a, b in zip(after.projects, before.projects, strict=True):
        assert a.results[:-1] == b.results  # nothing else changed


@given(proposals(), st.data())
def test_more_checks_only_shrink_the_eligible_set(
    data: tuple[list[Project], ReviewContext], more: st.DataObject
) -> None:
    ps, c = data
    full = snip()
    names = more.draw(st.lists(st.sampled_from(full.check_names), unique=True))
    fewer = Review(tuple(ch for ch in full.checks if ch.name in names))
    assert set(full.run(ps, c).eligible) <= set(fewer.run(ps, c).eligible)


@given(proposals())
def test_reports_round_trip_through_json(data: tuple[list[Project], ReviewContext]) -> None:
    ps, c = data
    rep = snip().run(ps, c)
    assert participa.loads(participa.dumps(rep)) == rep


def test_no_details_at_all_gives_unknown_not_a_crash() -> None:
    rep = snip().run([Project("A", 5_000, categories=("roads",))])
    r = rep.report("A")
    assert r.status is Status.UNKNOWN
    unknown = {x.check for x in r.results if x.status is Status.UNKNOWN}
    assert unknown == {"technical-design", "study-level", "o&m"}
