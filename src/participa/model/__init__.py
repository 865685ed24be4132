"""The domain model: projects, territories, ballots and elections as frozen values.

One idea per module: :mod:`~participa.model.project` (:class:`Project`,
:class:`Territory`), :mod:`~participa.model.profile` (ballot kinds and limits, voters,
:class:`Profile`) and :mod:`~participa.model.election` (:class:`Election`); import
them all from ``participa.model``.

Every class here is an immutable ``attrs`` value with slots, validated when it is
built. Money is integer minor units (see :mod:`participa.money`). Ballots of every
kind share one representation, :class:`Profile`: a ``groups × projects`` numpy
matrix in which identical ballots are collapsed into one row with a multiplicity
and a per-voter weight (a delegate who speaks for a settlement has weight > 1).

Examples
--------
>>> projects = (Project("A", 60), Project("B", 50), Project("C", 40))
>>> profile = Profile.from_ballots(
...     BallotKind.APPROVAL, ["A", "B", "C"], [["A"], ["A", "B"], ["A"], ["C"]])
>>> profile.num_voters, profile.num_groups
(4, 3)
>>> e = Election(budget=100, projects=projects, profile=profile)
>>> e.support().tolist()
[3, 1, 1]
"""

from participa.model.election import Election
from participa.model.election import _amount_text_equals as _amount_text_equals
from participa.model.election import _int_text_equals as _int_text_equals
from participa.model.profile import (
    BallotConstraints,
    BallotKind,
    Profile,
    Voters,
)
from participa.model.profile import (
    collapse_rows as collapse_rows,
)
from participa.model.project import _PROJECT_FIELDS as _PROJECT_FIELDS
from participa.model.project import Project, Territory
from participa.model.text import TextColumn

__all__ = [
    "BallotConstraints",
    "BallotKind",
    "Election",
    "Profile",
    "Project",
    "Territory",
    "TextColumn",
    "Voters",
]
