"""``read(write(x)) == x`` for every election the model accepts.

The model normalises or refuses at construction what a pabulib file cannot say
(line feeds, commas in project ids, metadata keys that are project fields, META
text that contradicts the model, a ``minor_per_unit`` that is not a power of ten),
so the writer never refuses or changes what the model took. The cases of issue
#12.7 are generated here: META values with surrounding whitespace, empty values, a
lone CR in a field, a budget of ``10**30``, ballots breaking the election's own
``max_length`` and point bounds the ballots break.
"""

from __future__ import annotations

import warnings

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participa.errors import ValidationError
from participa.io import AnomalyWarning, read_pabulib_text, write_pabulib
from participa.model import BallotConstraints, BallotKind, Election, Profile, Project, Voters
from participa.testing.strategies import elections

# text a pabulib field can hold: anything but a line feed (a lone CR is fine, quoted)
FIELD = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n") | st.just("\r"),
    max_size=6,
)
PADDED = st.builds(lambda a, t, b: a + t + b, st.sampled_from(["", " ", "\t"]), FIELD, st.just(" "))
META_KEYS = st.sampled_from(
    [
        "country",
        "unit",
        "note",
        "budget",
        "vote_type",
        "description",
        "currency",
        "max_length",
        "min_sum_points",
        "num_votes",
        "date_begin",
    ]
)


def _quiet_read(text: str) -> Election:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnomalyWarning)
        return read_pabulib_text(text).election


@st.composite
def odd_elections(draw: st.DrawFn) -> Election:
    e = draw(elections(kinds=list(BallotKind), weighted=draw(st.booleans()), zero_points=True))
    prof = e.profile
    budget = draw(st.sampled_from([e.budget, 10**30, 10**30 + 7, 0]))
    mpu = draw(st.sampled_from([1, 100]))
    projects = tuple(
        attrs.evolve(p, name=draw(FIELD), metadata={"note": draw(PADDED)}) for p in e.projects
    )
    meta = draw(st.dictionaries(META_KEYS, PADDED | st.just("") | st.just(" 3 "), max_size=5))
    lengths = prof.lengths()
    cons = BallotConstraints()
    if prof.num_groups:
        # lengths may break their bounds (kept as cast); point bounds the model enforces
        cons = BallotConstraints(
            max_length=max(int(lengths.max()) - draw(st.integers(0, 2)), 0),
            min_length=draw(st.none() | st.integers(0, 3)),
        )
    if draw(st.booleans()) and prof.num_voters:
        n = prof.num_voters
        ids = [f"v{i}\r" if i % 3 == 0 else f" v{i}" for i in range(n)]
        group = np.repeat(np.arange(prof.num_groups), prof.multiplicity)
        prof = Profile(
            prof.kind,
            prof.project_ids,
            prof.matrix,
            prof.multiplicity,
            prof.weight,
            Voters(ids, group, {"age": tuple(draw(PADDED) for _ in range(n))}),
            listed=prof.listed,
        )
    return Election(
        budget,
        projects,
        prof,
        name=draw(PADDED),
        currency=draw(st.none() | PADDED),
        minor_per_unit=mpu,
        constraints=cons,
        meta=meta,
    )


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(odd_elections())
def test_everything_the_model_accepts_round_trips(e: Election) -> None:
    text = write_pabulib(e)
    back = _quiet_read(text)
    assert back == e
    assert dict(back.meta) == dict(e.meta)
    assert write_pabulib(back) == text


def test_the_issue_cases() -> None:
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a", "b"], ["a"]])
    e = Election(
        10**30,
        (Project("a", 5, name="lone\rCR"), Project("b", 5)),
        prof,
        name=" padded ",
        constraints=BallotConstraints(max_length=1),  # the first ballot breaks it
        meta={"country": "  Perú ", "unit": "", "vote_type": " approval", "budget": "1"},
    )
    assert e.meta["budget"] == str(10**30)  # normalised at construction: it said 1
    assert e.meta["vote_type"] == " approval"  # says the same as the model: kept
    with pytest.warns(AnomalyWarning, match="max_length"):
        back = read_pabulib_text(write_pabulib(e)).election
    assert back == e


def test_point_bounds_the_ballots_break_stay_as_text() -> None:
    prof = Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b"], [{"a": 2, "b": 1}])
    e = Election(5, (Project("a", 1), Project("b", 1)), prof, meta={"min_points": "2"})
    assert e.constraints.min_points is None
    text = write_pabulib(e)
    assert "participa:relaxed;min_points" in text
    assert _quiet_read(text) == e
    with pytest.raises(ValidationError, match="min_points"):
        attrs.evolve(e, constraints=BallotConstraints(min_points=2))


def test_model_text_that_disagrees_is_brought_up_to_date() -> None:
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]])
    e = Election(
        500,
        (Project("a", 5),),
        prof,
        minor_per_unit=100,
        constraints=BallotConstraints(max_length=1),
        meta={"budget": "5.00", "max_length": "1.0", "currency": "PEN", "description": "x"},
    )
    assert dict(e.meta) == {"budget": "5.00", "max_length": "1.0", "description": ""}
    moved = e.with_budget(700)
    assert moved.meta["budget"] == "7.00"
    assert read_pabulib_text(write_pabulib(moved)).election == moved
