"""Voter utilities: the ``groups × projects`` matrices rules work on.

=========  =====================================================================
name       utility of a project on a voter's ballot
=========  =====================================================================
``cost``   its cost (greedy then ranks by number of supporters)
``count``  1 (greedy then ranks by supporters per unit of cost)
``points`` the points given (cumulative and scoring ballots)
``borda``  ``L - r`` for rank ``r`` (1-based) on a ballot of length ``L``: the last
           ranked gets 0 (ordinal ballots)
=========  =====================================================================

Four *satisfactions* of the literature (pabutools 1.2.3's ``Effort_Sat``,
``Cost_Sqrt_Sat``, ``Cost_Log_Sat``, ``CC_Sat``) are named too, for the rules where
they are defined:

=============  ===================================================================
name           a voter's satisfaction with a funded set ``W``
=============  ===================================================================
``effort``     ``Σ_{p in W on her ballot} cost(p) / supporters(p)`` (additive:
               greedy, max-welfare, equal shares)
``cost-sqrt``  ``√(cost of W on her ballot)`` (not additive: greedy only)
``cost-log``   ``log(1 + cost of W on her ballot)``, costs in currency units (not
               additive: greedy only)
``cc``         Chamberlin–Courant: 1 if ``W`` has a project on her ballot, else 0;
               on cumulative and scoring ballots the most points she gave to a
               project of ``W`` (not additive: greedy only)
=============  ===================================================================

The non-additive ones have no utility matrix (:func:`utility_matrix` refuses them);
``effort`` is rational (``cost / supporters``), so it has none either: the rules that
take it compute with its per-project totals (``cost(p)`` for a supported project) or,
as equal shares does, with its being the same for every supporter of a project (each
supporter pays the same cap ``t`` as under ``count``, and the price per unit of effort
is ``t × supporters / cost``, an exact fraction).

Equal shares is defined for additive utilities only: a voter pays for each project in
proportion to her utility for it, which needs her satisfaction to be a sum over
projects. ``cost-sqrt``, ``cost-log`` and ``cc`` are not (and ``cost-log`` is
irrational besides), so equal shares refuses them with a :class:`~participa.RuleError`.

A project not on the ballot has utility 0. On cumulative, scoring and ordinal
ballots ``cost`` and ``count`` treat every project on the ballot as approved, as the
reference library does, including a project listed with 0 points
(:attr:`participa.model.Profile.listed`, :meth:`~participa.model.Profile.approvals`);
``points`` stays the points, so such a project is worth 0 there.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 10), Project("b", 20), Project("c", 5)),
...     Profile.from_ballots(BallotKind.ORDINAL, ["a", "b", "c"], [["b", "a", "c"]]))
>>> utility_matrix(e, "borda").tolist()
[[1, 2, 0]]
>>> utility_matrix(e, "cost").tolist()
[[10, 20, 5]]
>>> z = Election(100, (Project("a", 10), Project("b", 20)),
...     Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b"], [{"a": 0, "b": 3}]))
>>> utility_matrix(z, "count").tolist(), utility_matrix(z, "points").tolist()
([[1, 1]], [[0, 3]])
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.errors import RuleError, ValidationError
from participa.i18n import _
from participa.model import BallotKind, Election

__all__ = [
    "MATRIX_UTILITIES",
    "NON_ADDITIVE",
    "UTILITIES",
    "Utility",
    "UtilityMatrix",
    "default_utility",
    "parse_utility",
    "resolve_utility",
    "utility_matrix",
]

Utility = Literal["cost", "count", "points", "borda", "effort", "cost-sqrt", "cost-log", "cc"]
UTILITIES: tuple[Utility, ...] = (
    "cost",
    "count",
    "points",
    "borda",
    "effort",
    "cost-sqrt",
    "cost-log",
    "cc",
)
MATRIX_UTILITIES: tuple[Utility, ...] = ("cost", "count", "points", "borda")
"""The utilities with an integer utility matrix (additive, integer per project)."""
NON_ADDITIVE: tuple[Utility, ...] = ("cost-sqrt", "cost-log", "cc")
"""Satisfactions that are not a sum over the funded projects (greedy's marginal gains)."""

UtilityMatrix: TypeAlias = npt.NDArray[np.integer[Any]] | npt.NDArray[np.bool_]
"""Any additive utilities: a ``groups × projects`` array of non-negative integers."""


@checked
def default_utility(kind: BallotKind) -> Utility:
    """``cost`` for approval and choose-1, ``points`` for cumulative and scoring, ``borda``
    for ordinal ballots."""
    if kind.has_points:
        return "points"
    if kind is BallotKind.ORDINAL:
        return "borda"
    return "cost"


@checked
def parse_utility(text: str) -> Utility:
    """The :data:`Utility` named by ``text`` (CLI and registry input).

    >>> parse_utility("count")
    'count'
    >>> parse_utility("votes")
    Traceback (most recent call last):
    ...
    participa.errors.RuleError: unknown utility 'votes' (use one of: cost, count, ...)
    """
    for name in UTILITIES:
        if text == name:
            return name
    raise RuleError(
        _("unknown utility {name!r}", name=text),
        hint=_("use one of: {choices}", choices=", ".join(UTILITIES)),
    )


@checked
def resolve_utility(
    election: Election, utility: Utility | UtilityMatrix | None
) -> tuple[str, npt.NDArray[np.int64]]:
    """The utility's name (``"custom"`` for a matrix) and its ``groups × projects`` matrix.

    ``None`` means :func:`default_utility` of the ballot kind; a name goes through
    :func:`utility_matrix`; an array must be one row per profile group and one
    column per project, of non-negative integers (booleans count as 0/1).

    >>> from participa.model import Profile, Project
    >>> e = Election(10, (Project("a", 4), Project("b", 6)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"]]))
    >>> name, mat = resolve_utility(e, np.array([[2, 0], [1, 3]]))
    >>> name, mat.tolist()
    ('custom', [[2, 0], [1, 3]])
    >>> resolve_utility(e, None)[0]
    'cost'
    """
    if utility is None:
        name = default_utility(election.kind)
        return name, utility_matrix(election, name)
    if isinstance(utility, str):
        name = parse_utility(utility)
        return name, utility_matrix(election, name)
    if not isinstance(utility, np.ndarray | list | tuple):
        raise ValidationError(
            _("utility must be a name or a groups × projects matrix, got {value!r}", value=utility),
            hint=_("use one of: {choices}", choices=", ".join(UTILITIES)),
        )
    g, m = election.profile.num_groups, len(election.projects)
    try:
        raw = np.asarray(utility)
    except (ValueError, TypeError):
        raw = np.asarray(0)
    if raw.shape != (g, m):
        raise ValidationError(
            _(
                "utilities must be groups × projects = {expected}, got shape {shape}",
                expected=(g, m),
                shape=raw.shape,
            ),
            hint=_("one row per profile group (election.profile.num_groups)"),
        )
    if raw.dtype == np.bool_:
        raw = raw.astype(np.int64)
    if raw.size and not np.issubdtype(raw.dtype, np.integer):
        ok = False
        if np.issubdtype(raw.dtype, np.floating):
            flt = raw.astype(np.float64)
            ok = bool(np.all(np.isfinite(flt) & (flt == np.round(flt)) & (np.abs(flt) < 2.0**62)))
        if not ok:
            raise ValidationError(
                _("utilities must be non-negative integers"),
                hint=_(
                    "scale them to integers: multiplying every utility by one constant "
                    "does not change the outcome"
                ),
            )
    if raw.size and raw.dtype.kind == "u" and int(raw.max()) >= 2**63:
        raise ValidationError(_("utilities must be below 2**63"))
    dense = raw.astype(np.int64)
    if dense.size and int(dense.min()) < 0:
        gg, jj = (int(x[0]) for x in np.nonzero(dense < 0))
        raise ValidationError(
            _(
                "utility of group {group} is negative ({value})",
                group=gg,
                value=int(dense[gg, jj]),
            ),
            project_id=election.project_ids[jj],
            hint=_("utilities must be >= 0"),
        )
    return "custom", dense


@checked
def utility_matrix(election: Election, utility: Utility) -> npt.NDArray[np.int64]:
    """Integer utilities, one row per profile group, one column per project."""
    prof = election.profile
    on = prof.approvals()
    if utility == "cost":
        return np.where(on, election.costs[None, :], 0).astype(np.int64)
    if utility == "count":
        return on.astype(np.int64)
    if utility == "points":
        if not prof.kind.has_points:
            raise RuleError(
                _(
                    "utility 'points' needs cumulative or scoring ballots, not {value}",
                    value=prof.kind.value,
                ),
                hint=_("use --utility cost or count"),
            )
        return prof.matrix.astype(np.int64)
    if utility == "borda":
        if prof.kind is not BallotKind.ORDINAL:
            raise RuleError(
                _("utility 'borda' needs ordinal ballots, not {value}", value=prof.kind.value),
                hint=_("use --utility cost or count"),
            )
        lengths = prof.lengths()[:, None]
        return np.where(on, lengths - prof.matrix, 0).astype(np.int64)
    if utility in NON_ADDITIVE:
        raise RuleError(
            _(
                "satisfaction {name!r} is not additive: this rule cannot use it",
                name=utility,
            ),
            hint=_("greedy takes it (marginal gains per cost); use --utility cost or count"),
        )
    if utility == "effort":
        raise RuleError(
            _("satisfaction {name!r} is not available for this rule", name=utility),
            hint=_("greedy, max-welfare and equal shares take it; use --utility cost or count"),
        )
    raise RuleError(
        _("unknown utility {name!r}", name=utility),
        hint=_("use one of: {choices}", choices=", ".join(UTILITIES)),
    )
