"""JSON round trips: ``participa.loads(participa.dumps(x)) == x`` for the public values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa
from participa.errors import ParseError
from participa.io import FileWarning, PabulibFile, read_pabulib, read_pabulib_text
from participa.model import BallotConstraints, BallotKind, Election, Profile, Project, Territory
from participa.outcome import Outcome, TraceStep
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak, TieCriterion

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = sorted(DATA.glob("*.pb.gz"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:40])
def test_corpus_elections_round_trip(path: Path) -> None:
    e = read_pabulib(path).election
    text = participa.dumps(e)
    back = participa.loads(text, expect=Election)
    assert back == e
    assert back.profile.voters == e.profile.voters
    assert dict(back.meta) == dict(e.meta)
    assert list(back.meta) == list(e.meta)  # META order survives
    assert [dict(p.metadata) for p in back.projects] == [dict(p.metadata) for p in e.projects]
    doc = json.loads(text)
    assert (doc["schema"], doc["type"]) == ("participa/1", "participa.Election")


def test_pabulib_file_with_warnings_round_trips() -> None:
    text = (
        "META\nkey;value\nbudget;100\nvote_type;approval\nnum_votes;3\n"
        "PROJECTS\nproject_id;cost;votes\na;60;9\nVOTES\nvoter_id;vote\n1;a\n"
    )
    pb = read_pabulib_text(text)
    assert len(pb.warnings) == 2
    back = participa.loads(participa.dumps(pb), expect=PabulibFile)
    assert back == pb
    assert back.warnings == pb.warnings


@given(elections(kinds=list(BallotKind), weighted=True))
def test_generated_elections_round_trip(e: Election) -> None:
    assert participa.loads(participa.dumps(e)) == e


# the model refuses what a pabulib file cannot hold: line feeds, commas in ids, metadata
# keys that are project fields
LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"))
KEY = LINE.filter(
    lambda k: (
        k
        not in {"project_id", "cost", "name", "category", "district", "beneficiaries", "dimension"}
    )
)


@given(
    LINE.filter(lambda t: bool(t.strip()) and "," not in t).map(lambda t: t.replace(",", "")),
    st.integers(0, 10**12),
    LINE,
    st.one_of(st.none(), LINE),
    st.lists(LINE, max_size=3),
    st.one_of(st.none(), st.integers(0, 10**6)),
    st.dictionaries(KEY, LINE, max_size=3),
)
def test_projects_round_trip(
    pid: str,
    cost: int,
    name: str,
    territory: str | None,
    categories: list[str],
    beneficiaries: int | None,
    metadata: dict[str, str],
) -> None:
    p = Project(
        pid,
        cost,
        name=name,
        territory=territory,
        categories=categories,
        beneficiaries=beneficiaries,
        metadata=metadata,
    )
    back = participa.loads(participa.dumps(p))
    assert back == p
    assert dict(back.metadata) == metadata


def test_territory_round_trips() -> None:
    t = Territory("S1", "Sector 1", parent="VES", indicators={"population": 52000.0, "gap": 0.3})
    back = participa.loads(participa.dumps(t))
    assert back == t
    assert dict(back.indicators) == {"population": 52000.0, "gap": 0.3}


def test_outcome_and_trace_round_trip() -> None:
    steps = (
        TraceStep(1, "select", "a", "best ratio", {"score": 3, "ratio": 0.5, "tied": False}),
        TraceStep(2, "skip", "b", "does not fit", {"left": 40, "note": None}),
        TraceStep(3, "stop", reason="nothing fits"),
    )
    o = Outcome(
        rule="greedy",
        budget=100,
        funding={"a": 60, "b": 0},
        selected=("a",),
        total_cost=60,
        trace=steps,
        params={"utility": "cost"},
    )
    back = participa.loads(participa.dumps(o), expect=Outcome)
    assert back == o
    assert back.trace == steps  # trace is not part of Outcome equality: compare it too
    assert dict(back.params) == {"utility": "cost"}
    for s in steps:
        assert participa.loads(participa.dumps(s)) == s


@pytest.mark.parametrize(
    "tb",
    [
        TieBreak(),
        TieBreak((TieCriterion.MIN_COST, TieCriterion.MAX_VOTES, TieCriterion.ID)),
        TieBreak.parse("lottery:42"),
        TieBreak((TieCriterion.FILE_ORDER, TieCriterion.REFUSE)),
    ],
    ids=str,
)
def test_tiebreaks_round_trip(tb: TieBreak) -> None:
    assert participa.loads(participa.dumps(tb)) == tb


def test_small_values_round_trip() -> None:
    for value in (
        BallotConstraints(min_length=1, max_sum_points=10),
        FileWarning("num-votes", "META num_votes is 3 but 1 voters voted", 5, None),
        FileWarning("votes-column", "x", None, "a"),
    ):
        assert participa.loads(participa.dumps(value)) == value


def test_loads_rejects_tampered_documents() -> None:
    e = read_pabulib(DATA / "Netherlands_Assen_2024.pb.gz").election
    doc = json.loads(participa.dumps(e))
    doc["value"]["budget"] = -1
    with pytest.raises(ParseError, match="budget"):
        participa.loads(json.dumps(doc))
    doc = json.loads(participa.dumps(e))
    doc["value"]["projects"][1]["id"] = doc["value"]["projects"][0]["id"]
    with pytest.raises(ParseError):
        participa.loads(json.dumps(doc))
    with pytest.raises(ParseError):
        participa.loads(participa.dumps(e), expect=Outcome)


def _loose(doc: str, currency: object, minor_per_unit: int) -> str:
    """``doc`` as it was written when the value carried a loose ``minor_per_unit``."""
    data = json.loads(doc)
    data["value"]["currency"] = currency
    data["value"]["minor_per_unit"] = minor_per_unit
    return json.dumps(data)


def test_values_that_carried_a_loose_minor_per_unit_still_load() -> None:
    from participa.allocation import Envelope, cross_allocate, split_equally
    from participa.analysis import compare_rules, funding_gaps, shares
    from participa.feasibility import CostPositive, Review
    from participa.money import Currency
    from participa.rules import greedy, per_head

    soles = Currency("PEN", 100)
    ps = (Project("a", 6000, territory="N"), Project("b", 5000, territory="S"))
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"], ["a"]])
    e = Election(10000, ps, prof, currency="PEN", minor_per_unit=100)
    alloc = split_equally(Envelope(10000, "PEN", 100), [Territory("N"), Territory("S")])
    values = [
        alloc,
        cross_allocate(alloc, {"water": 1, "roads": 1}),
        shares(e, greedy(e), by="territory"),
        Review((CostPositive(),), name="r").run(e),
    ]
    for value in values:
        assert value.currency == soles
        assert value.minor_per_unit == 100
        old = _loose(participa.dumps(value), "PEN", 100)  # a code beside the number
        assert participa.loads(old) == value, type(value).__name__
    for value in (funding_gaps(e, per_head(e)), compare_rules(e, ["greedy"])):
        assert value.currency == soles
        old = _loose(participa.dumps(value), {"code": "PEN", "minor_per_unit": 100}, 100)
        assert participa.loads(old) == value, type(value).__name__
    # a value built before it knew its currency: the loose number said how numbers read
    plain = funding_gaps(attrs_evolve_money(e), per_head(e))
    old = _loose(participa.dumps(plain), {"code": None, "minor_per_unit": 1}, 100)
    assert participa.loads(old).currency == Currency(None, 100)


def attrs_evolve_money(e: Election) -> Election:
    import attrs

    return attrs.evolve(e, currency=None)
