"""The core model: validation, collapsing identical ballots, derived elections."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa import serialize
from participa.errors import ValidationError
from participa.model import (
    BallotConstraints,
    BallotKind,
    Election,
    Profile,
    Project,
    Territory,
    Voters,
)
from participa.testing.strategies import elections, profiles

ALL_KINDS = list(BallotKind)


def approval(ids: list[str], ballots: list[list[str]]) -> Profile:
    return Profile.from_ballots(BallotKind.APPROVAL, ids, ballots)


# -- projects and territories ----------------------------------------------------------------------


@pytest.mark.parametrize("cost", [-1, 1.5, 2.0, True, False, "5", None])
def test_project_rejects_bad_costs(cost: object) -> None:
    with pytest.raises(ValidationError) as info:
        Project("P1", cost)  # type: ignore[arg-type]
    assert info.value.project_id == "P1"
    assert "non-negative integer" in str(info.value)


def test_project_accepts_numpy_integers_as_int() -> None:
    p = Project("P1", np.int64(7))  # type: ignore[arg-type]
    assert p.cost == 7
    assert type(p.cost) is int


@pytest.mark.parametrize("pid", ["", "   ", None, 3])
def test_ids_must_be_non_empty_strings(pid: object) -> None:
    with pytest.raises(ValidationError, match="id must be a non-empty string"):
        Project(pid, 1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="id must be a non-empty string"):
        Territory(pid)  # type: ignore[arg-type]


@pytest.mark.parametrize("b", [-1, 2.5, True])
def test_beneficiaries_must_be_counts(b: object) -> None:
    with pytest.raises(ValidationError, match="beneficiaries"):
        Project("P1", 1, beneficiaries=b)  # type: ignore[arg-type]


def test_project_values_are_frozen() -> None:
    p = Project("P1", 1, metadata={"votes": "3"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.cost = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.metadata["votes"] = "4"  # type: ignore[index]


# -- elections -------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [-1, 1.5, True, "100"])
def test_election_rejects_bad_budgets(budget: object) -> None:
    with pytest.raises(ValidationError, match="budget"):
        Election(budget, (Project("a", 1),), approval(["a"], [["a"]]))  # type: ignore[arg-type]


def test_duplicate_project_ids_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Election(10, (Project("a", 1), Project("a", 2)), approval(["a"], []))
    assert info.value.project_id == "a"
    with pytest.raises(ValidationError, match="duplicate project ids"):
        Profile.from_matrix(BallotKind.APPROVAL, ["a", "a"], np.zeros((1, 2)))


def test_duplicate_voter_ids_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Voters(("v1", "v2", "v1"), np.zeros(3, np.int64))
    assert info.value.voter_id == "v1"
    with pytest.raises(ValidationError):
        Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"], ["a"]], voter_ids=["x", "x"])


def test_unknown_projects_in_ballots_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"], ["z"]], voter_ids=["1", "2"])
    assert (info.value.project_id, info.value.voter_id) == ("z", "2")
    with pytest.raises(ValidationError) as info:
        Election(10, (Project("a", 1),), approval(["a", "b"], [["b"]]))
    assert info.value.project_id == "b"
    with pytest.raises(ValidationError, match="order"):
        Election(10, (Project("b", 1), Project("a", 1)), approval(["a", "b"], [["b"]]))


def test_a_project_twice_on_a_ballot_is_rejected() -> None:
    with pytest.raises(ValidationError, match="twice"):
        Profile.from_ballots(BallotKind.ORDINAL, ["a", "b"], [["a", "b", "a"]])


def _points_election(constraints: BallotConstraints) -> Election:
    prof = Profile.from_ballots(
        BallotKind.CUMULATIVE, ["a", "b"], [{"a": 2, "b": 1}, {"a": 5}], voter_ids=["v1", "v2"]
    )
    return Election(10, (Project("a", 1), Project("b", 1)), prof, constraints=constraints)


@pytest.mark.parametrize(
    ("constraints", "voter", "words"),
    [
        (BallotConstraints(max_points=4), "v2", "max_points = 4"),
        (BallotConstraints(min_points=2), "v1", "min_points = 2"),
        (BallotConstraints(max_sum_points=4), "v2", "max_sum_points = 4"),
        (BallotConstraints(min_sum_points=4), "v1", "min_sum_points = 4"),
    ],
)
def test_points_outside_declared_bounds_are_rejected(
    constraints: BallotConstraints, voter: str, words: str
) -> None:
    with pytest.raises(ValidationError) as info:
        _points_election(constraints)
    assert info.value.voter_id == voter
    assert words in str(info.value)


def test_points_inside_declared_bounds_are_accepted() -> None:
    e = _points_election(BallotConstraints(1, 2, 1, 5, 3, 5))
    assert e.total_points().tolist() == [7, 1]


@pytest.mark.parametrize(
    "row",
    [[1, 1, 0], [2, 0, 0], [0, 3, 1], [1, 2, 4], [-1, 0, 0]],
)
def test_bad_ordinal_ranks_are_rejected(row: list[int]) -> None:
    with pytest.raises(ValidationError):
        Profile.from_matrix(BallotKind.ORDINAL, ["a", "b", "c"], [row])


def test_good_ordinal_ranks_are_accepted() -> None:
    p = Profile.from_matrix(BallotKind.ORDINAL, ["a", "b", "c"], [[2, 0, 1], [0, 0, 0]])
    assert p.ballot(0) == ("c", "a")


@pytest.mark.parametrize(
    ("kind", "matrix", "words"),
    [
        (BallotKind.APPROVAL, [[2, 0]], "0/1"),
        (BallotKind.CHOOSE_1, [[1, 1]], "at most one"),
        (BallotKind.CUMULATIVE, [[1.5, 0]], "integers"),
        (BallotKind.SCORING, [[-1, 0]], "non-negative"),
    ],
)
def test_profile_matrix_checks(kind: BallotKind, matrix: list[list[float]], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Profile.from_matrix(kind, ["a", "b"], matrix)


def test_weights_and_multiplicities_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="weight"):
        Profile.from_matrix(BallotKind.APPROVAL, ["a"], [[1]], weight=[0])
    with pytest.raises(ValidationError, match="multiplicity"):
        Profile(
            BallotKind.APPROVAL,
            ("a",),
            np.ones((1, 1), np.bool_),
            np.zeros(1, np.int64),
            np.ones(1, np.int64),
        )


# -- collapsing ------------------------------------------------------------------------------------


@st.composite
def uncollapsed(draw: st.DrawFn) -> tuple[Profile, Profile]:
    """The same ballots, one row per voter and collapsed."""
    kind = draw(st.sampled_from(ALL_KINDS))
    m = draw(st.integers(1, 4))
    ids = [f"p{j}" for j in range(m)]
    # few point values make equal rows, some told apart only by a 0-point entry, common
    base = draw(
        profiles(
            kind,
            ids,
            max_voters=10,
            max_points=draw(st.sampled_from([1, 5])),
            weighted=draw(st.booleans()),
            zero_points=True,
        )
    )
    flat = base.expand()
    # shuffle the voters so collapsing has real work to do
    perm = list(draw(st.permutations(range(flat.num_groups))))
    rows = flat.matrix[perm] if perm else flat.matrix
    weights = flat.weight[perm] if perm else flat.weight
    listed = None
    if kind.has_points:
        # list some more projects with 0 points, voter by voter (not through any collapse)
        on = flat.approvals()[perm] if perm else flat.approvals()
        extra = draw(st.lists(st.booleans(), min_size=on.size, max_size=on.size))
        listed = on | np.array(extra, np.bool_).reshape(on.shape)
    raw = Profile.from_matrix(kind, ids, rows, weight=weights, collapse=False, listed=listed)
    return raw, raw.collapse()


@given(uncollapsed())
def test_collapsing_preserves_weight_and_support(pair: tuple[Profile, Profile]) -> None:
    raw, col = pair
    assert col.num_voters == raw.num_voters
    assert col.total_weight == raw.total_weight
    assert col.num_groups <= raw.num_groups
    # no two collapsed rows carry the same (ballot, listed projects, weight)
    keys = {
        (tuple(r.tolist()), tuple(a.tolist()), int(w))
        for r, a, w in zip(col.matrix, col.approvals(), col.weight, strict=True)
    }
    assert len(keys) == col.num_groups
    ids = raw.project_ids
    projects = tuple(Project(p, 1) for p in ids)
    e_raw, e_col = Election(5, projects, raw), Election(5, projects, col)
    assert e_col.support().tolist() == e_raw.support().tolist()
    assert e_col.total_points().tolist() == e_raw.total_points().tolist()
    # a slow, obviously-correct count of each project's weighted support: a project is
    # supported where it has points or is listed with 0 points
    on = raw.matrix != 0 if raw.listed is None else raw.listed
    slow = [
        sum(int(w) for r, w in zip(on, raw.weight, strict=True) if r[j]) for j in range(len(ids))
    ]
    assert e_col.support().tolist() == slow
    assert sorted(col.lengths().repeat(col.multiplicity).tolist()) == sorted(raw.lengths().tolist())


@given(uncollapsed())
def test_expand_then_collapse_equals_collapse(pair: tuple[Profile, Profile]) -> None:
    raw, col = pair
    assert raw.expand().collapse() == raw.collapse()
    assert col.expand().collapse() == col
    assert col.collapse() == col


def test_collapse_keeps_first_appearance_order_and_voter_groups() -> None:
    p = Profile.from_ballots(
        BallotKind.APPROVAL,
        ["a", "b"],
        [["b"], ["a"], ["b"], ["a", "b"]],
        voter_ids=["w", "x", "y", "z"],
    )
    assert p.matrix.tolist() == [[False, True], [True, False], [True, True]]
    assert p.multiplicity.tolist() == [2, 1, 1]
    assert p.voters is not None
    assert p.voters.group.tolist() == [0, 1, 0, 2]
    assert p.expand().matrix[:, 1].tolist() == [True, False, True, True]


# -- derived elections -----------------------------------------------------------------------------


@given(elections(kinds=ALL_KINDS, max_projects=5, zero_points=True), st.data())
def test_restrict_keeps_order_ranks_and_support(e: Election, data: st.DataObject) -> None:
    keep = data.draw(st.sets(st.sampled_from(e.project_ids)))
    r = e.restrict(keep)
    assert r.project_ids == tuple(p for p in e.project_ids if p in keep)
    assert r.budget == e.budget
    assert r.profile.num_voters == e.profile.num_voters
    cols = [e.index(p) for p in r.project_ids]
    assert r.support().tolist() == e.support()[cols].tolist()
    assert r.costs.tolist() == e.costs[cols].tolist()
    assert r.total_points().tolist() == e.total_points()[cols].tolist()
    for g in range(e.profile.num_groups):
        # ordinal ranks are renumbered 1..L but keep their relative order; points ballots
        # keep their 0-point entries
        before = [p for p in e.profile.ballot(g) if p in keep]
        assert list(r.profile.ballot(g)) == before


def test_restrict_rejects_unknown_ids() -> None:
    e = Election(10, (Project("a", 1),), approval(["a"], [["a"]]))
    with pytest.raises(ValidationError) as info:
        e.restrict(["a", "zz"])
    assert info.value.project_id == "zz"


@given(elections(kinds=ALL_KINDS), st.data())
def test_with_costs_replaces_only_the_given_costs(e: Election, data: st.DataObject) -> None:
    new = data.draw(st.dictionaries(st.sampled_from(e.project_ids), st.integers(0, 500)))
    e2 = e.with_costs(new)
    for p, cost in zip(e.projects, e2.costs.tolist(), strict=True):
        assert cost == new.get(p.id, p.cost)
    assert e2.profile == e.profile
    assert e2.with_costs({p.id: p.cost for p in e.projects}) == e


def test_with_costs_validates() -> None:
    e = Election(10, (Project("a", 1),), approval(["a"], [["a"]]))
    with pytest.raises(ValidationError):
        e.with_costs({"a": -1})
    with pytest.raises(ValidationError):
        e.with_costs({"b": 1})
    assert e.with_budget(3).budget == 3
    with pytest.raises(ValidationError):
        e.with_budget(-3)


# -- projects listed with 0 points (cumulative, scoring) ------------------------------------------


def test_a_zero_in_a_ballot_mapping_lists_the_project() -> None:
    p = Profile.from_ballots(
        BallotKind.CUMULATIVE,
        ["a", "b", "c"],
        [{"a": 2, "b": 0}, {"a": 2}, {"b": 0, "a": 2}, {"c": 0}],
        voter_ids=["w", "x", "y", "z"],
    )
    assert p.matrix.tolist() == [[2, 0, 0], [2, 0, 0], [0, 0, 0]]
    assert p.approvals().tolist() == [
        [True, True, False],
        [True, False, False],
        [False, False, True],
    ]
    assert p.multiplicity.tolist() == [2, 1, 1]
    assert p.voters is not None
    assert p.voters.group.tolist() == [0, 1, 0, 2]
    assert p.lengths().tolist() == [2, 1, 1]
    assert [p.ballot(g) for g in range(3)] == [("a", "b"), ("a",), ("c",)]
    e = Election(10, tuple(Project(x, 1) for x in "abc"), p)
    assert e.support().tolist() == [3, 2, 1]
    assert e.total_points().tolist() == [6, 0, 0]
    with pytest.raises(ValidationError, match="twice"):
        Profile.from_ballots(BallotKind.CUMULATIVE, ["a"], [["a", "a"]])


def test_listed_adds_nothing_is_stored_as_none() -> None:
    m = [[2, 0], [0, 1]]
    plain = Profile.from_matrix(BallotKind.SCORING, ["a", "b"], m)
    same = Profile.from_matrix(BallotKind.SCORING, ["a", "b"], m, listed=[[1, 0], [0, 1]])
    assert same.listed is None
    assert same == plain
    more = Profile.from_matrix(BallotKind.SCORING, ["a", "b"], m, listed=[[1, 1], [0, 1]])
    assert more.listed is not None
    assert more != plain
    assert not more.listed.flags.writeable
    assert Profile.from_ballots(BallotKind.CUMULATIVE, ["a"], [{"a": 1}]) == Profile.from_matrix(
        BallotKind.CUMULATIVE, ["a"], [[1]]
    )


@pytest.mark.parametrize(
    ("kind", "matrix", "listed", "words"),
    [
        (BallotKind.APPROVAL, [[1, 0]], [[1, 1]], "only for cumulative and scoring"),
        (BallotKind.ORDINAL, [[1, 0]], [[1, 0]], "only for cumulative and scoring"),
        (BallotKind.CUMULATIVE, [[1, 0]], [[0, 1]], "leaves off"),
        (BallotKind.CUMULATIVE, [[1, 0]], [[1, 0, 1]], "shape"),
        (BallotKind.SCORING, [[1, 0]], [[1, 2]], "True/False"),
    ],
)
def test_listed_is_checked(
    kind: BallotKind, matrix: list[list[int]], listed: list[list[int]], words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        Profile.from_matrix(kind, ["a", "b"], matrix, listed=listed, collapse=False)


def test_the_listed_check_names_the_project() -> None:
    with pytest.raises(ValidationError) as info:
        Profile(
            BallotKind.CUMULATIVE,
            ("a", "b"),
            np.array([[0, 3]]),
            np.ones(1, np.int64),
            np.ones(1, np.int64),
            listed=np.array([[True, False]]),
        )
    assert info.value.project_id == "b"


def test_min_points_holds_for_projects_listed_with_zero_points() -> None:
    prof = Profile.from_ballots(
        BallotKind.CUMULATIVE, ["a", "b"], [{"a": 2}, {"a": 2, "b": 0}], voter_ids=["v1", "v2"]
    )
    projects = (Project("a", 1), Project("b", 1))
    with pytest.raises(ValidationError, match="listed on the ballot with 0 points") as info:
        Election(10, projects, prof, constraints=BallotConstraints(min_points=1))
    assert (info.value.voter_id, info.value.project_id) == ("v2", "b")
    ok = Election(10, projects, prof, constraints=BallotConstraints(min_points=0, max_points=2))
    assert ok.support().tolist() == [2, 1]


@given(elections(kinds=[BallotKind.CUMULATIVE, BallotKind.SCORING], zero_points=True))
def test_profiles_with_zero_point_entries_round_trip_through_json(e: Election) -> None:
    back = serialize.loads(serialize.dumps(e))
    assert back == e
    assert _same_listed(back.profile, e.profile)
    prof = serialize.loads(serialize.dumps(e.profile.expand()))
    assert prof == e.profile.expand()
    assert prof.collapse() == e.profile.collapse()


def _same_listed(a: Profile, b: Profile) -> bool:
    if a.listed is None or b.listed is None:
        return a.listed is None and b.listed is None
    return bool(np.array_equal(a.listed, b.listed))


def test_json_without_a_listed_field_still_loads() -> None:
    p = Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b"], [{"a": 2, "b": 0}])
    doc = serialize.dumps(p)
    assert '"listed": {"dtype": "bool"' in doc
    plain = Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b"], [{"a": 2}])
    old = serialize.dumps(plain).replace(', "listed": null', "")
    assert "listed" not in old
    assert serialize.loads(old) == plain


def test_the_model_package_keeps_every_import_path_json_name_and_pickle() -> None:
    import pickle

    import participa
    import participa.model as model
    from participa import serialize
    from participa.model import election, profile, project

    assert model.Election is election.Election is participa.Election
    assert model.Profile is profile.Profile
    assert model.Project is project.Project
    assert model.collapse_rows is profile.collapse_rows
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"], ["a"]])
    assert pickle.loads(pickle.dumps(prof)) == prof
    # a pickle written before the split names participa.model.Profile: it still loads
    old = pickle.dumps(prof, protocol=0)
    assert b"participa.model.profile\n" in old
    assert pickle.loads(old.replace(b"participa.model.profile\n", b"participa.model\n")) == prof
    e = Election(
        10,
        (Project("a", 6, territory="N", metadata={"x": "1"}),),
        prof,
        currency="PEN",
        minor_per_unit=100,
    )
    assert serialize.default_name(Election) == "participa.Election"
    assert serialize.MODULES["participa.Election"] == "participa.model.election"
    assert participa.loads(participa.dumps(e)) == e


@given(
    st.lists(st.lists(st.integers(0, 7), min_size=6, max_size=6), min_size=1, max_size=8),
    st.booleans(),
)
def test_ordinal_rows_hold_ranks_one_to_length_once(rows: list[list[int]], wide: bool) -> None:
    """Each row's non-zero entries are 1..L once each (L of them): by powers of two up to 32
    columns, by sorting beyond (the same rows with zero columns added)."""
    from participa.model._ranks import _check_ranks

    def valid(row: list[int]) -> bool:
        ranks = sorted(x for x in row if x)
        return ranks == list(range(1, len(ranks) + 1))

    mat = np.array(rows, np.int8)
    if wide:
        mat = np.concatenate([mat, np.zeros((mat.shape[0], 64), np.int8)], axis=1)
    bad = [i for i, row in enumerate(rows) if not valid(row)]
    if not bad:
        _check_ranks(mat)
        return
    with pytest.raises(ValidationError, match=f"row {bad[0]} does not hold ranks"):
        _check_ranks(mat)


def test_a_choose_1_row_names_at_most_one_project() -> None:
    mat = np.array([[True, False, False], [False, True, True]])
    ones = np.ones(2, np.int64)
    with pytest.raises(ValidationError, match="choose-1 ballot names at most one project"):
        Profile(BallotKind.CHOOSE_1, ("a", "b", "c"), mat, ones, ones)
    one = Profile(BallotKind.CHOOSE_1, ("a", "b", "c"), mat[:1], ones[:1], ones[:1])
    assert one.num_voters == 1
