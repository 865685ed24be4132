"""Bad input found in review gets a ParticipaError, not a silent change or a bare crash."""

from __future__ import annotations

import json

import pytest

import participa
from participa import BallotKind, Election, Profile, Project, TieBreak
from participa.errors import ParseError, RuleError, ValidationError
from participa.io import read_pabulib_text, write_pabulib
from participa.rules import declared


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": [1.9, 2.9, 1]},  # fractional weights were truncated
        {"weights": [1, 2]},  # wrong length
        {"weights": [3, 1, 1, 1]},
    ],
)
def test_weights_must_be_whole_and_one_per_ballot(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"], ["a"]], **kwargs)


@pytest.mark.parametrize("points", [1.7, "3", True])
def test_points_must_be_whole_numbers(points: object) -> None:
    with pytest.raises(ValidationError, match=r"ballots\[0\]\['a'\] must be an integer"):
        Profile.from_ballots(BallotKind.CUMULATIVE, ["a"], [{"a": points}])  # type: ignore[dict-item]


def test_multiplicity_must_be_whole() -> None:
    with pytest.raises(ValidationError, match="multiplicity"):
        Profile.from_matrix(BallotKind.APPROVAL, ["a"], [[1]], multiplicity=[1.9])


def test_a_string_ballot_is_refused() -> None:
    with pytest.raises(ValidationError, match="string"):
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], ["ab"])


def test_voter_ids_one_per_ballot() -> None:
    with pytest.raises(ValidationError, match="voter ids"):
        Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"], ["a"]], voter_ids=["v1"])


def test_negative_lottery_seed_is_refused_when_built() -> None:
    with pytest.raises(ValidationError, match="seed"):
        TieBreak.parse("lottery:-1")


def _project_doc() -> dict[str, object]:
    return json.loads(participa.dumps(Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]])))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["value"]["matrix"].update(shape=[-1, 1]),
        lambda d: d["value"]["multiplicity"].update(data=[2**70]),
    ],
)
def test_bad_json_arrays_are_parse_errors(mutate: object) -> None:
    doc = _project_doc()
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(ParseError):
        participa.loads(json.dumps(doc))


def test_deeply_nested_json_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        participa.loads("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("votes", ["inf", "1e999999999", "nan"])
def test_declared_replay_refuses_absurd_vote_counts(votes: str) -> None:
    e = Election(
        10,
        (Project("a", 5, metadata={"votes": votes}), Project("b", 5, metadata={"votes": "1"})),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"]]),
        meta={"rule": "greedy"},
    )
    e = read_pabulib_text(write_pabulib(e)).election
    with pytest.raises(RuleError, match="not a number"):
        declared(e)
