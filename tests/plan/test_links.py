"""Projects linked to objectives through the ``objectives`` metadata key."""

from __future__ import annotations

import pytest

from participa import BallotKind, Election, Profile, Project, ValidationError
from participa.io import read_pabulib_text, write_pabulib
from participa.plan import (
    OBJECTIVES_KEY,
    Dimension,
    Plan,
    SpecificObjective,
    StrategicObjective,
    check_links,
    link,
    linked_ids,
    served,
)

PLAN = Plan(
    "p",
    dimensions=(Dimension("D1", "Urban"), Dimension("D2", "Human")),
    strategic=(StrategicObjective("OE1", "Roads", "D1"), StrategicObjective("OE2", "Health", "D2")),
    specific=(
        SpecificObjective("OE1.1", "Paved", "OE1"),
        SpecificObjective("OE1.2", "Lit", "OE1"),
        SpecificObjective("OE2.1", "Clinics", "OE2"),
    ),
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("-", ()),
        ("None", ()),
        ("ninguno", ()),
        ("OE2.1", ("OE2.1",)),
        ("OE2.1;OE1.1", ("OE1.1", "OE2.1")),  # plan order
        (" OE1.2 , OE1.2;OE1.1 ", ("OE1.1", "OE1.2")),  # repeated ids count once
    ],
)
def test_served(value: str | None, expected: tuple[str, ...] | None) -> None:
    meta = {} if value is None else {OBJECTIVES_KEY: value}
    assert served(PLAN, Project("P", 1, metadata=meta)) == expected


def test_unknown_ids_name_the_project() -> None:
    with pytest.raises(ValidationError) as err:
        served(PLAN, link(Project("P9", 1), "OE1.1", "OE7.7"))
    assert err.value.project_id == "P9"
    assert "objectives not in the plan: OE7.7" in str(err.value)
    assert err.value.hint is not None
    assert "OE1.1, OE1.2, OE2.1" in err.value.hint


def test_a_strategic_id_gets_a_hint() -> None:
    with pytest.raises(ValidationError) as err:
        served(PLAN, link(Project("P1", 1), "OE1"))
    assert err.value.hint is not None
    assert "name the specific objectives" in err.value.hint


def test_check_links_lists_every_bad_project() -> None:
    ps = [link(Project("A", 1), "X1"), link(Project("B", 1), "OE1.1"), link(Project("C", 1), "X2")]
    with pytest.raises(ValidationError) as err:
        check_links(PLAN, ps)
    assert err.value.project_id == "A"
    assert "also projects C" in str(err.value)
    assert check_links(PLAN, ps[1:2]) == {"B": ("OE1.1",)}


def test_link_writes_the_key() -> None:
    p = link(Project("P", 1, metadata={"sector": "roads"}), "OE1.1", "OE2.1")
    assert dict(p.metadata) == {"sector": "roads", OBJECTIVES_KEY: "OE1.1;OE2.1"}
    assert linked_ids(link(p)) == ()
    with pytest.raises(ValidationError, match="not an objective id"):
        link(p, "OE1.1;OE2.1")


def test_pabulib_files_carry_the_link() -> None:
    ps = (
        link(Project("1", 100, territory="S1"), "OE1.1", "OE2.1"),
        Project("2", 50),
        link(Project("3", 70)),
    )
    e = Election(200, ps, Profile.from_ballots(BallotKind.APPROVAL, ["1", "2", "3"], [["1"]]))
    text = write_pabulib(e)
    assert "objectives" in text.split("PROJECTS")[1].splitlines()[1]
    back = read_pabulib_text(text).election
    assert [served(PLAN, p) for p in back.projects] == [("OE1.1", "OE2.1"), None, ()]


def test_a_project_given_twice_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        check_links(PLAN, [Project("A", 1), Project("A", 2)])
    assert err.value.project_id == "A"
