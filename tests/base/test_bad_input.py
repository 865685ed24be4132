"""Bad input to the base layer's public entry points raises a ParticipaError, nothing else.

Each case is one call with one clearly invalid argument (wrong type, bool, NaN, inf,
a float where an integer is required, a negative amount, a wrong length, an unknown
option, an unbounded exponent, ...). The test asserts the call raises a
:class:`participa.ParticipaError` subclass: no bare ``TypeError``/``ValueError`` escapes,
and no clearly invalid input is silently accepted (a call that returns fails).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from participa.allocation import (
    Allocation,
    CrossAllocation,
    Envelope,
    Formula,
    Normalisation,
    Reserve,
    TreeAllocation,
    WeightedCriterion,
    allocate,
    allocate_levels,
    cross_allocate,
    pool,
    proportional,
    sjm_formula,
    split_equally,
)
from participa.apportion import (
    apportion,
    bounded_quotas,
    dhondt,
    largest_remainder,
    sainte_lague,
)
from participa.cofinancing import (
    CofinancingPlan,
    ContributorKind,
    MatchingRule,
    Pledge,
    PledgeKind,
    PledgeStatus,
    RequiredShare,
    community_share,
    financing,
    net_cost,
    net_election,
    pledge_totals,
    required_amount,
    shortfalls,
)
from participa.errors import ParticipaError
from participa.exact import to_fraction
from participa.feasibility import CriteriaMatrix, PriorityCriterion, ProposalDetails
from participa.feasibility.prioritisation import (
    institution_cofinancing_shares,
    peru_matrix,
    select_by_ranking,
    ves_2005_matrix,
)
from participa.model import BallotKind, Election, Profile, Project, Territory
from participa.money import Currency, parse_amount, scale_for
from participa.rules.split import equal_split, per_head
from participa.synthetic import SyntheticSpec, approval_election
from participa.validators import amount, non_negative_int, positive_int

NAN = float("nan")
INF = float("inf")
HUGE = "1e999999999"

#: values that are never a number
NOT_NUMBERS: list[Any] = [None, True, NAN, INF, -INF, "x", "1/0", HUGE, [], {}, object()]
#: values that are never a whole, non-negative number of minor units
NOT_AMOUNTS: list[Any] = [None, True, False, 1.5, 2.0, NAN, INF, -1, "10", Fraction(1, 2), []]

TS = [Territory("A", indicators={"p": 1}), Territory("B", indicators={"p": 3})]
PS = (Project("a", 40, territory="A"), Project("b", 60, territory="B"))
ELECTION = Election(
    100, PS, Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"]])
)
ALLOC = split_equally(100, TS)

Case = tuple[str, Callable[[], object]]
CASES: list[Case] = []


def case(name: str, call: Callable[[], object]) -> None:
    CASES.append((f"{len(CASES):03d}-{name}", call))


def _bind(fn: Callable[..., object], *args: Any, **kwargs: Any) -> Callable[[], object]:
    return lambda: fn(*args, **kwargs)


# -- exact numbers and validated integers --------------------------------------------------------
for v in [*NOT_NUMBERS, "20%", "1,5", "0x10", "1" * 500, Decimal("NaN"), Decimal("1e99999")]:
    case(f"to_fraction({v!r:.20})", _bind(to_fraction, v))
for v in NOT_AMOUNTS:
    case(f"amount({v!r:.20})", _bind(amount, v, what="x"))
    case(f"non_negative_int({v!r:.20})", _bind(non_negative_int, v, what="x"))
for v in [0, -3, *NOT_AMOUNTS]:
    case(f"positive_int({v!r:.20})", _bind(positive_int, v, what="x"))
case("to_fraction below minimum", _bind(to_fraction, -1, minimum=0))
case("to_fraction above maximum", _bind(to_fraction, 2, maximum=1))
case("to_fraction float refused", _bind(to_fraction, 0.5, floats=False))
case("to_fraction text refused", _bind(to_fraction, "1", text=False))

# -- apportionment -------------------------------------------------------------------------------
for fn in (largest_remainder, apportion, dhondt, sainte_lague, bounded_quotas):
    for total in NOT_AMOUNTS:
        case(f"{fn.__name__}(total={total!r:.20})", _bind(fn, total, [1, 1]))
    for ws in ([1, NAN], [1, -1], [True, 1], "11", None, 5, [1, "x"], [HUGE]):
        case(f"{fn.__name__}(weights={ws!r:.20})", _bind(fn, 10, ws))
for fn in (apportion, dhondt, sainte_lague, bounded_quotas):
    case(f"{fn.__name__} cap 2.5", _bind(fn, 5, [1, 1], caps=[2.5, None]))
    case(f"{fn.__name__} floor 2.7", _bind(fn, 5, [1, 1], floors=[2.7, 0]))
    case(f"{fn.__name__} floor nan", _bind(fn, 5, [1, 1], floors=[NAN, 0]))
    case(f"{fn.__name__} floor True", _bind(fn, 5, [1, 1], floors=[True, 0]))
    case(f"{fn.__name__} cap -1", _bind(fn, 5, [1, 1], caps=[-1, None]))
    case(f"{fn.__name__} caps short", _bind(fn, 5, [1, 1], caps=[3]))
    case(f"{fn.__name__} floors long", _bind(fn, 5, [1, 1], floors=[1, 1, 1]))
    case(f"{fn.__name__} floors str", _bind(fn, 5, [1, 1], floors="11"))
    case(f"{fn.__name__} floors too big", _bind(fn, 5, [1, 1], floors=[3, 3]))
    case(f"{fn.__name__} caps too small", _bind(fn, 5, [1, 1], caps=[2, 2]))
    case(f"{fn.__name__} floor above cap", _bind(fn, 5, [1, 1], floors=[3, 0], caps=[2, None]))
for method in ("bogus", "dhondt", None, 1):
    case(f"apportion method={method!r}", _bind(apportion, 10, [1, 1], method=method))
case("largest_remainder all zero", _bind(largest_remainder, 10, [0, 0]))
case("apportion only zero weights", _bind(apportion, 10, [0, 0]))

# -- money ---------------------------------------------------------------------------------------
for v in [None, True, "abc", "1e999999999", "nan", "inf", 1.5, [], "1/2"]:
    case(f"parse_amount({v!r:.20})", _bind(parse_amount, v, minor_per_unit=100))
case("parse_amount too precise", _bind(parse_amount, "1.234", minor_per_unit=100))
for v in [0, 3, 1.0, True, NAN, "100", -100]:
    case(f"Currency(minor={v!r})", _bind(Currency, "PEN", v))
for v in ["pen", "SOLES", 1, True]:
    case(f"Currency(code={v!r})", _bind(Currency, v, 100))
for v in [["x"], ["1e999999999"], [None], "12"]:
    case(f"scale_for({v!r:.20})", _bind(scale_for, v))

# -- allocation: criteria, formulas, envelopes ---------------------------------------------------
for w in NOT_NUMBERS:
    case(f"WeightedCriterion(weight={w!r:.20})", _bind(WeightedCriterion, "p", w))
case("WeightedCriterion(weight=-1)", _bind(WeightedCriterion, "p", -1))
for norm in ("share", Normalisation.MAX, Normalisation.SCALE, None, 1):
    case(f"WeightedCriterion(norm={norm!r})", _bind(WeightedCriterion, "p", 1, norm))
case("WeightedCriterion(indicator=1)", _bind(WeightedCriterion, 1, 1))
case(
    "WeightedCriterion(reference=nan)",
    _bind(WeightedCriterion, "p", 1, Normalisation.INVERSE, reference=NAN),
)
case("Formula(())", _bind(Formula, ()))
case("Formula(['p'])", _bind(Formula, ["p"]))
case("Formula weights 0.3+0.3", _bind(Formula.weighted, {"p": 0.3, "q": 0.3}))
case("Formula weights nan", _bind(Formula.weighted, {"p": NAN}))
case(
    "sjm_formula weights None",
    _bind(sjm_formula, population_weight=None, basic_needs_weight=0.5, tax_compliance_weight=0.5),
)
for v in NOT_AMOUNTS:
    case(f"Envelope(total={v!r:.20})", _bind(Envelope, v))
    case(f"Reserve(amount={v!r:.20})", _bind(Reserve, "r", v))
    case(f"Envelope.from_fund(fund={v!r:.20})", _bind(Envelope.from_fund, v, 0.5))
    case(f"Envelope.from_fund(fixed={v!r:.20})", _bind(Envelope.from_fund, 100, 0.5, fixed=v))
for v in [0, -1, 2.0, NAN, True]:
    case(f"Envelope(minor_per_unit={v!r})", _bind(Envelope, 10, minor_per_unit=v))
for v in [*NOT_NUMBERS, 1.5, -0.1]:
    case(f"Envelope.from_fund(share={v!r:.20})", _bind(Envelope.from_fund, 100, v))
case("Reserve(purpose='thematic')", _bind(Reserve, "r", 1, "thematic"))
case("Envelope reserves too large", _bind(Envelope, 10, reserves=(Reserve("r", 11),)))
case("Envelope reserves not Reserve", _bind(Envelope, 10, reserves=("r",)))
case("with_reserve both", _bind(Envelope(10).with_reserve, "r", amount=1, share=0.5))
case("with_reserve share nan", _bind(Envelope(10).with_reserve, "r", share=NAN))
case("with_reserve share 2", _bind(Envelope(10).with_reserve, "r", share=2))
case(
    "with_reserve purpose str", _bind(Envelope(10).with_reserve, "r", amount=1, purpose="thematic")
)
case("Envelope.reserve unknown", _bind(Envelope(10).reserve, "nope"))

# -- allocation: allocate and friends ------------------------------------------------------------
F = Formula.proportional("p")
for v in NOT_AMOUNTS:
    case(f"allocate(money={v!r:.20})", _bind(allocate, v, TS, F))
    case(f"split_equally(money={v!r:.20})", _bind(split_equally, v, TS))
    case(f"allocate floors={{A: {v!r:.20}}}", _bind(allocate, 100, TS, F, floors={"A": v}))
    case(f"allocate caps={{A: {v!r:.20}}}", _bind(allocate, 100, TS, F, caps={"A": v}))
for v in ("bogus", "dhondt", None):
    case(f"allocate rounding={v!r}", _bind(allocate, 100, TS, F, rounding=v))
for ts in ([], "AB", None, [TS[0], TS[0]], ["A", "B"], 5):
    case(f"allocate(territories={ts!r:.20})", _bind(allocate, 100, ts, F))
for bad in (None, "p", {"p": 1}):
    case(f"allocate(formula={bad!r})", _bind(allocate, 100, TS, bad))
for ind in (NAN, INF, -1, "x", None, True, HUGE):
    # refused when the territory is built (NaN, strings, ...) or when allocating (-1, HUGE)
    case(
        f"allocate indicator {ind!r:.20}",
        lambda ind=ind: allocate(
            100, [Territory("A", indicators={"p": ind}), Territory("B", indicators={"p": 1})], F
        ),
    )
case("allocate missing indicator", _bind(proportional, 100, TS, "nope"))
case("allocate floors unknown id", _bind(allocate, 100, TS, F, floors={"X": 1}))
case("allocate floors not a mapping", _bind(allocate, 100, TS, F, floors=[1, 2]))
case("allocate floors above money", _bind(allocate, 100, TS, F, floors={"A": 60, "B": 60}))
case("allocate caps below money", _bind(allocate, 100, TS, F, caps={"A": 10, "B": 10}))
case("allocate_levels no formula", _bind(allocate_levels, 100, TS, []))
case("allocate_levels bad parent", _bind(allocate_levels, 100, [Territory("A", parent="Z")], F))
for themes in ({}, {"h": NAN}, {"h": 0}, {"h": -1}, ["h"], None, {"h": HUGE}):
    case(f"cross_allocate(themes={themes!r:.20})", _bind(cross_allocate, ALLOC, themes))
case("cross_allocate(allocation=None)", _bind(cross_allocate, None, {"h": 1}))
for pools in (
    {"A": ["B"]},
    {"p": []},
    {"p": ["X"]},
    {"p": ["A"], "q": ["A"]},
    {"p": ["q"], "q": ["A"]},
    {"p": "AB"},
    ["A"],
    {"p": None},
):
    case(f"pool({pools!r:.20})", _bind(pool, ALLOC, pools))
    case(f"split_equally(pools={pools!r:.20})", _bind(split_equally, 100, TS, pools=pools))
case("Allocation.row unknown", _bind(ALLOC.row, "nope"))
case("Formula.weighted(str)", _bind(Formula.weighted, "abc"))
case("Formula.weighted(normalisation=str)", _bind(Formula.weighted, {"p": 1}, normalisation="x"))
case("Formula(name=5)", _bind(Formula, (WeightedCriterion("p", 1),), name=5))
case("allocate_levels(formulas='x')", _bind(allocate_levels, 100, TS, "x"))
case("allocate_levels(formulas=[None])", _bind(allocate_levels, 100, TS, [None]))
case("allocate_levels(floors=list)", _bind(allocate_levels, 100, TS, F, floors=[1]))
case("allocate_levels(territories=None)", _bind(allocate_levels, 100, None, F))
case("Envelope.reserved('thematic')", _bind(Envelope(10).reserved, "thematic"))
case("CrossAllocation wrong shape", _bind(CrossAllocation, ["A"], ["h"], [[1, 2]]))
case("CrossAllocation negative", _bind(CrossAllocation, ["A"], ["h"], [[-1]]))
case("CrossAllocation text", _bind(CrossAllocation, ["A"], ["h"], [["x"]]))
case("TreeAllocation(None)", _bind(TreeAllocation, None))
case("TreeAllocation below", _bind(TreeAllocation, ALLOC, {"A": 5}))
case("cross_allocate rounding str", _bind(cross_allocate, ALLOC, {"h": 1}, rounding="dhondt"))
for bad_total in (None, "100", 99, 1.5):
    case(
        f"Allocation(total={bad_total!r})", _bind(Allocation, bad_total, ALLOC.rows, ALLOC.formula)
    )
case("Allocation(rows=str)", _bind(Allocation, 100, ("A",), ALLOC.formula))
case("Allocation(formula=None)", _bind(Allocation, 100, ALLOC.rows, None))
case("Allocation(rounding='dhondt')", _bind(Allocation, 100, ALLOC.rows, ALLOC.formula, "dhondt"))

# -- co-financing --------------------------------------------------------------------------------
for v in [*NOT_NUMBERS, -0.1, 1.5, "3/2"]:
    case(f"RequiredShare({v!r:.20})", _bind(RequiredShare, v))
case("RequiredShare(sources='community')", _bind(RequiredShare, 0.2, sources="community"))
case("RequiredShare(kinds=('cash',))", _bind(RequiredShare, 0.2, kinds=("cash",)))
for v in [*NOT_NUMBERS, -1]:
    case(f"MatchingRule(ratio={v!r:.20})", _bind(MatchingRule, ratio=v))
for v in NOT_AMOUNTS:
    if v is not None:
        case(f"MatchingRule(cap={v!r:.20})", _bind(MatchingRule, cap=v))
    case(f"Pledge.money({v!r:.20})", _bind(Pledge.money, "m", "a", v))
    case(f"Pledge.labour(hours={v!r:.20})", _bind(Pledge.labour, "l", "a", hours=v, rate=1))
    case(f"Pledge.materials({v!r:.20})", _bind(Pledge.materials, "m", "a", v))
for kind in ("cash", "money", None, 1):
    case(f"Pledge(kind={kind!r})", _bind(Pledge, "m", "a", kind, amount=1))
case("Pledge(source='community')", _bind(Pledge, "m", "a", PledgeKind.MONEY, "community"))
case(
    "Pledge(status='pledged')",
    _bind(Pledge, "m", "a", PledgeKind.MONEY, ContributorKind.COMMUNITY, status="pledged"),
)
case("Pledge(id=None)", _bind(Pledge, None, "a", PledgeKind.MONEY))
case(
    "CofinancingPlan dup ids",
    _bind(CofinancingPlan, (Pledge.money("d", "a", 1), Pledge.money("d", "b", 1))),
)

# -- co-financing: plans and functions --------------------------------------------------------
PLAN = CofinancingPlan((Pledge.money("m", "a", 10),), required=RequiredShare(0.2))
for bad in (None, "a", 5, Pledge.money("m", "a", 1)):
    case(f"financing(project={bad!r:.20})", _bind(financing, PLAN, bad))
    case(f"net_cost(project={bad!r:.20})", _bind(net_cost, PLAN, bad))
    case(f"community_share(project={bad!r:.20})", _bind(community_share, PLAN, bad))
    case(f"required_amount(project={bad!r:.20})", _bind(required_amount, PLAN, bad))
    case(f"net_election(election={bad!r:.20})", _bind(net_election, PLAN, bad))
for bad in (None, "plan", 5):
    case(f"financing(plan={bad!r})", _bind(financing, bad, PS[0]))
    case(f"pledge_totals(plan={bad!r})", _bind(pledge_totals, bad))
    case(f"shortfalls(plan={bad!r})", _bind(shortfalls, bad, PS))
for bad in (("m",), (None,), "abc", 5, (MatchingRule(),)):
    case(f"CofinancingPlan(pledges={bad!r:.20})", _bind(CofinancingPlan, bad))
for bad in ("0.2", 0.2, RequiredShare):
    case(f"CofinancingPlan(required={bad!r:.20})", _bind(CofinancingPlan, (), required=bad))
for bad in ((RequiredShare(0.2),), ("1:1",), 5):
    case(f"CofinancingPlan(matching={bad!r:.20})", _bind(CofinancingPlan, (), matching=bad))
case("CofinancingPlan(counting='received')", _bind(CofinancingPlan, (), counting="received"))
case("plan.validate(unknown project)", _bind(PLAN.validate, [Project("zz", 1)]))
case("plan.with_status(unknown pledge)", _bind(PLAN.with_status, "nope", PledgeStatus.RECEIVED))
case("plan.with_status(status str)", _bind(PLAN.with_status, "m", "received"))
case("plan.with_pledge(str)", _bind(PLAN.with_pledge, "m2"))

# -- feasibility ---------------------------------------------------------------------------------
for v in [*NOT_NUMBERS[1:], 1.5]:
    case(
        f"ProposalDetails(technical_design_share={v!r:.20})",
        _bind(ProposalDetails, "a", technical_design_share=v),
    )
for v in NOT_NUMBERS:
    case(
        f"ProposalDetails(indicators={{x: {v!r:.20}}})",
        _bind(ProposalDetails, "a", indicators={"x": v}),
    )
for v in NOT_AMOUNTS:
    if v is not None:
        case(f"ProposalDetails(households={v!r:.20})", _bind(ProposalDetails, "a", households=v))
    case(
        f"ProposalDetails(cost line {v!r:.20})",
        _bind(ProposalDetails, "a", cost_breakdown={"obra": v}),
    )
case("ProposalDetails(indicators=[1])", _bind(ProposalDetails, "a", indicators=[1]))
for v in [*NOT_NUMBERS, 1.5, -0.5]:
    case(f"PriorityCriterion(weight={v!r:.20})", _bind(PriorityCriterion, "x", v))
for norm in (Normalisation.SHARE, Normalisation.EQUAL, "minmax", None):
    case(f"PriorityCriterion(norm={norm!r})", _bind(PriorityCriterion, "x", 1, normalisation=norm))
case("PriorityCriterion(hi=nan)", _bind(PriorityCriterion, "x", 1, hi=NAN))
case("CriteriaMatrix weights", _bind(CriteriaMatrix, (PriorityCriterion("x", 0.5),)))

MATRIX = CriteriaMatrix((PriorityCriterion("x", 1),))
case("rank(missing='bogus')", _bind(MATRIX.rank, PS, missing="bogus"))
case(
    "rank(tie_break='id')",
    _bind(MATRIX.rank, PS, raw={"a": {"x": 1}, "b": {"x": 1}}, tie_break="id"),
)
case("rank missing value", _bind(MATRIX.rank, PS))
case("rank raw nan", _bind(MATRIX.rank, PS, raw={"a": {"x": NAN}, "b": {"x": 1}}))
case("rank raw huge", _bind(MATRIX.rank, PS, raw={"a": {"x": HUGE}, "b": {"x": 1}}))
case("rank(projects=None)", _bind(MATRIX.rank, None))
case("select_by_ranking(election=None)", _bind(select_by_ranking, None, ["a"]))
case("select_by_ranking(tie_break='id')", _bind(select_by_ranking, ELECTION, ["a"], tie_break="id"))
for v in (NAN, -1, None, "x", HUGE):
    case(f"ves_2005_matrix(poverty={v!r})", _bind(ves_2005_matrix, poverty=v))
    case(f"peru_matrix(technical={v!r})", _bind(peru_matrix, technical=v))
case("peru_matrix split of two", _bind(peru_matrix, basic_services_split=(1, 1)))
case("institution_cofinancing_shares(None)", _bind(institution_cofinancing_shares, None, PS))

# -- synthetic -----------------------------------------------------------------------------------
for name in ("num_voters", "num_projects", "seed"):
    for v in (None, True, 1.5, NAN, -1, "3"):
        kwargs: dict[str, Any] = {"num_voters": 5, "num_projects": 3, "seed": 0, name: v}
        case(f"SyntheticSpec({name}={v!r})", _bind(SyntheticSpec, **kwargs))
for name, v in [
    ("approval_probability", NAN),
    ("approval_probability", "x"),
    ("mean_length", INF),
    ("popularity_skew", None),
    ("budget_share", NAN),
    ("budget_share", HUGE),
    ("budget_share", 2),
    ("max_length", 1.5),
    ("ballots", "bogus"),
    ("costs", "bogus"),
    ("max_cost", 1.5),
]:
    case(f"approval_election({name}={v!r})", _bind(approval_election, 5, 3, seed=0, **{name: v}))

# -- model: validated integers -------------------------------------------------------------------
for v in NOT_AMOUNTS:
    case(f"Project(cost={v!r:.20})", _bind(Project, "p", v))
    case(f"Election(budget={v!r:.20})", _bind(Election, v, PS, ELECTION.profile))
    if v is not None:
        case(f"Project(beneficiaries={v!r:.20})", _bind(Project, "p", 1, beneficiaries=v))
for v in (0, NAN, 1.0, True, "100"):
    case(
        f"Election(minor_per_unit={v!r})",
        _bind(Election, 10, PS, ELECTION.profile, minor_per_unit=v),
    )

# -- the split rules -----------------------------------------------------------------------------
case("equal_split(by='category')", _bind(equal_split, ELECTION, by="category"))  # type: ignore[arg-type]
case("equal_split(allocation=dict)", _bind(equal_split, ELECTION, allocation={"A": 50}))
case(
    "equal_split allocation over budget",
    _bind(equal_split, ELECTION, allocation=split_equally(101, TS)),
)
case(
    "equal_split allocation misses B",
    _bind(equal_split, ELECTION, allocation=split_equally(100, TS[:1])),
)
case("equal_split pools in two", _bind(equal_split, ELECTION, pools={"p": ["A"], "q": ["A"]}))
case("equal_split pool lists a pool", _bind(equal_split, ELECTION, pools={"p": ["q"], "q": ["A"]}))
case("equal_split pool of nothing", _bind(equal_split, ELECTION, pools={"p": []}))
NO_TERRITORY = Election(
    100, (Project("x", 1),), Profile.from_ballots(BallotKind.APPROVAL, ["x"], [["x"]])
)
case("equal_split project without territory", _bind(equal_split, NO_TERRITORY))
case("per_head(election=None)", _bind(per_head, None))
case("equal_split(election=None)", _bind(equal_split, None))


def test_enough_cases() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize(("name", "call"), CASES, ids=[n for n, _c in CASES])
def test_bad_input_raises_a_participa_error(name: str, call: Callable[[], object]) -> None:
    with pytest.raises(ParticipaError):
        call()


@pytest.mark.parametrize(
    "call",
    [
        _bind(apportion, 5, [1, 1], caps=[2, None]),
        _bind(apportion, 5, [1, 1], floors=[3, 0]),
        _bind(to_fraction, "1e1000"),
        _bind(to_fraction, Decimal("2.5")),
        _bind(RequiredShare, "1/5"),
        _bind(Pledge, "m", "a", PledgeKind.MONEY, amount=5),
        _bind(equal_split, ELECTION),
        _bind(split_equally, 100, TS, pools={"AB": ["A", "B"]}),
    ],
)
def test_the_valid_neighbours_are_accepted(call: Callable[[], object]) -> None:
    """The cases above fail because of the one bad value, not because of their shape."""
    call()
