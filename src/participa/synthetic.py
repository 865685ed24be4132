"""Seeded synthetic approval elections, for sweeps and scale tests.

Everything is drawn from one ``numpy.random.default_rng(seed)``: the same
:class:`SyntheticSpec` gives the same :class:`~participa.model.Election` on every
machine (for a given numpy version). The profile is built collapsed straight away,
so memory grows with the number of *distinct* ballots, not of voters.

Three ballot models:

=================  ============================================================
``independent``    each voter approves project ``j`` with probability ``p_j``
                   (``approval_probability`` times the project's popularity,
                   capped at 1); an empty ballot gets one project drawn by
                   popularity, so every voter approves something
``length``         a ballot length ``1 + Poisson(mean_length - 1)`` (at most
                   ``max_length``), filled without replacement by popularity
``types``          ``num_types`` ballots drawn by the ``length`` model, shared
                   among the voters by Dirichlet-multinomial shares: a profile
                   with few distinct ballots whatever ``num_voters`` is
=================  ============================================================

Popularity is 1 for every project when ``popularity_skew`` is 0, and otherwise a
Gamma draw with shape ``1 / popularity_skew`` (mean 1): the larger the skew, the
more a few projects dominate. Costs are drawn uniformly or log-uniformly between
``min_cost`` and ``max_cost`` minor units; the budget is ``budget_share`` of the
total cost, rounded down.

Examples
--------
>>> spec = SyntheticSpec(num_voters=1000, num_projects=10, seed=7)
>>> e = spec.build()
>>> e.profile.num_voters, len(e.projects)
(1000, 10)
>>> e == spec.build()
True
>>> bool(e.profile.lengths().min() >= 1)
True
>>> approval_election(50, 4, seed=1, ballots="types", num_types=3).profile.num_groups <= 3
True
"""

from __future__ import annotations

import enum
import math
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.i18n import _
from participa.model import BallotKind, Election, Profile, Project, collapse_rows
from participa.validators import is_int, non_negative_int, positive_int

__all__ = [
    "BallotModel",
    "CostModel",
    "SyntheticSpec",
    "approval_election",
]

_CHUNK = 1 << 16
"""Voters generated at once (bounds the temporary memory of the ``length`` model)."""
_PASSES = 32
"""Rejection-sampling passes before the exact fallback."""


class BallotModel(enum.Enum):
    """How ballots are drawn (see the module docstring)."""

    INDEPENDENT = "independent"
    LENGTH = "length"
    TYPES = "types"


class CostModel(enum.Enum):
    """How project costs are drawn between ``min_cost`` and ``max_cost``."""

    UNIFORM = "uniform"
    LOG_UNIFORM = "log-uniform"


def _fraction(value: object) -> Fraction:
    return to_fraction(value, what="budget_share")


def _real(value: object, name: str) -> float:
    """A finite int or float (not bool) as a float."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValidationError(_("{name} must be a number, got {value!r}", name=name, value=value))
    out = float(value)
    if not math.isfinite(out):
        raise ValidationError(
            _("{name} must be a finite number, got {value!r}", name=name, value=value)
        )
    return out


def _ballot_model(value: BallotModel | str) -> BallotModel:
    try:
        return value if isinstance(value, BallotModel) else BallotModel(value)
    except ValueError:
        names = ", ".join(b.value for b in BallotModel)
        raise ValidationError(
            _("ballots: unknown ballot model {value!r}", value=value),
            hint=_("use one of {names}", names=names),
        ) from None


def _cost_model(value: CostModel | str) -> CostModel:
    try:
        return value if isinstance(value, CostModel) else CostModel(value)
    except ValueError:
        names = ", ".join(c.value for c in CostModel)
        raise ValidationError(
            _("costs: unknown cost model {value!r}", value=value),
            hint=_("use one of {names}", names=names),
        ) from None


@serialize.register("participa.synthetic.SyntheticSpec")
@attrs.frozen(slots=True)
class SyntheticSpec:
    """Everything that determines a synthetic approval election.

    A spec is small and JSON-serialisable, so a sweep can ship specs to workers
    (see :mod:`participa.batch`) and build each election where it runs.

    Parameters
    ----------
    num_voters, num_projects
        Size of the election (``num_voters >= 1``, ``num_projects >= 1``).
    seed
        Seed of ``numpy.random.default_rng``.
    ballots
        The ballot model: ``independent``, ``length`` or ``types``.
    approval_probability
        ``independent``: mean probability that a voter approves a project.
    mean_length, max_length
        ``length`` and ``types``: mean ballot length (``>= 1``) and its cap
        (``None``: the number of projects).
    num_types
        ``types``: number of ballot types drawn.
    popularity_skew
        0 for equally popular projects; larger values concentrate approvals.
    costs, min_cost, max_cost
        Cost model and range, in minor units (``1 <= min_cost <= max_cost``).
    budget_share
        Budget as a share of the total cost of all projects, in ``[0, 1]``.

    Examples
    --------
    >>> s = SyntheticSpec(num_voters=10, num_projects=3, seed=0, costs="log-uniform")
    >>> s.costs
    <CostModel.LOG_UNIFORM: 'log-uniform'>
    >>> SyntheticSpec(num_voters=0, num_projects=3, seed=0)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: num_voters must be >= 1, got 0 ...
    """

    num_voters: int
    num_projects: int
    seed: int
    ballots: BallotModel = attrs.field(default=BallotModel.INDEPENDENT, converter=_ballot_model)
    approval_probability: float = 0.1
    mean_length: float = 3.0
    max_length: int | None = None
    num_types: int = 100
    popularity_skew: float = 0.0
    costs: CostModel = attrs.field(default=CostModel.UNIFORM, converter=_cost_model)
    min_cost: int = 10_000
    max_cost: int = 1_000_000
    budget_share: Fraction = attrs.field(default=Fraction(1, 4), converter=_fraction)

    def __attrs_post_init__(self) -> None:
        for name in ("num_voters", "num_projects", "num_types", "min_cost"):
            v = getattr(self, name)
            if not is_int(v) or v < 1:
                raise ValidationError(
                    _("{name} must be >= 1, got {v!r}", name=name, v=v),
                    hint=_("pass a positive integer {name}", name=name),
                )
            object.__setattr__(self, name, int(v))
        object.__setattr__(self, "seed", non_negative_int(self.seed, what="seed"))
        for name in ("approval_probability", "mean_length", "popularity_skew"):
            object.__setattr__(self, name, _real(getattr(self, name), name))
        if self.max_length is not None:
            object.__setattr__(self, "max_length", positive_int(self.max_length, what="max_length"))
        if not is_int(self.max_cost) or self.max_cost < self.min_cost:
            raise ValidationError(
                _(
                    "max_cost must be an integer >= min_cost = {min_cost}, got {max_cost!r}",
                    min_cost=self.min_cost,
                    max_cost=self.max_cost,
                )
            )
        if not 0.0 < self.approval_probability <= 1.0:
            raise ValidationError(
                _(
                    "approval_probability must be in (0, 1], got {approval_probability!r}",
                    approval_probability=self.approval_probability,
                )
            )
        if not 1.0 <= self.mean_length <= self.num_projects:
            raise ValidationError(
                _(
                    "mean_length must be in [1, num_projects = {num_projects}], "
                    "got {mean_length!r}",
                    num_projects=self.num_projects,
                    mean_length=self.mean_length,
                )
            )
        if self.max_length is not None and not 1 <= self.max_length <= self.num_projects:
            raise ValidationError(
                _(
                    "max_length must be in [1, num_projects = {num_projects}], got {max_length!r}",
                    num_projects=self.num_projects,
                    max_length=self.max_length,
                )
            )
        if not self.popularity_skew >= 0.0:
            raise ValidationError(
                _(
                    "popularity_skew must be >= 0, got {popularity_skew!r}",
                    popularity_skew=self.popularity_skew,
                )
            )
        if not 0 <= self.budget_share <= 1:
            raise ValidationError(
                _(
                    "budget_share must be in [0, 1], got {budget_share}",
                    budget_share=self.budget_share,
                )
            )

    def build(self) -> Election:
        """Draw the election this spec describes (same spec, same election)."""
        rng = np.random.default_rng(self.seed)
        m = self.num_projects
        costs = _draw_costs(rng, self)
        popularity = _draw_popularity(rng, m, self.popularity_skew)
        if self.ballots is BallotModel.INDEPENDENT:
            mat = _independent(rng, self.num_voters, popularity * self.approval_probability)
            mult = np.ones(self.num_voters, np.int64)
        elif self.ballots is BallotModel.LENGTH:
            mat = _by_length(rng, self.num_voters, popularity, self._max_len(), self.mean_length)
            mult = np.ones(self.num_voters, np.int64)
        else:
            k = self.num_types
            mat = _by_length(rng, k, popularity, self._max_len(), self.mean_length)
            shares = rng.dirichlet(np.ones(k))
            mult = rng.multinomial(self.num_voters, shares).astype(np.int64)
            keep = mult > 0
            mat, mult = mat[keep], mult[keep]
        ids = tuple(f"p{j}" for j in range(m))
        cm, cmult, cw, _rows = collapse_rows(mat, mult, np.ones(mult.size, np.int64))
        del mat
        profile = Profile(BallotKind.APPROVAL, ids, cm, cmult, cw)
        total = int(costs.sum())
        budget = (total * self.budget_share.numerator) // self.budget_share.denominator
        projects = tuple(Project(ids[j], int(costs[j])) for j in range(m))
        return Election(
            budget,
            projects,
            profile,
            name=f"synthetic {self.ballots.value} n={self.num_voters} m={m} seed={self.seed}",
            meta={"generator": "participa.synthetic", "seed": str(self.seed)},
        )

    def _max_len(self) -> int:
        return self.num_projects if self.max_length is None else self.max_length


def approval_election(num_voters: int, num_projects: int, *, seed: int, **options: Any) -> Election:
    """Build a synthetic approval election: ``SyntheticSpec(...).build()`` in one call.

    ``options`` are the other :class:`SyntheticSpec` fields (``ballots``,
    ``approval_probability``, ``mean_length``, ``costs``, ``budget_share``, ...).

    Examples
    --------
    >>> e = approval_election(200, 5, seed=3, ballots="length", mean_length=2)
    >>> e.profile.num_voters, e.budget <= int(e.costs.sum())
    (200, True)
    """
    return SyntheticSpec(num_voters, num_projects, seed, **options).build()


# -- kernels ----------------------------------------------------------------------------------


def _draw_costs(rng: np.random.Generator, spec: SyntheticSpec) -> npt.NDArray[np.int64]:
    lo, hi, m = spec.min_cost, spec.max_cost, spec.num_projects
    if spec.costs is CostModel.UNIFORM:
        return rng.integers(lo, hi, size=m, endpoint=True, dtype=np.int64)
    raw = np.exp(rng.uniform(np.log(lo), np.log(hi), size=m))
    return np.clip(np.rint(raw), lo, hi).astype(np.int64)


def _draw_popularity(rng: np.random.Generator, m: int, skew: float) -> npt.NDArray[np.float64]:
    if skew == 0.0:
        return np.ones(m)
    shape = 1.0 / skew
    return rng.gamma(shape, skew, size=m)


def _independent(
    rng: np.random.Generator, n: int, prob: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Bernoulli(prob[j]) per voter and project, drawn as geometric gaps per project."""
    p = np.clip(prob, 0.0, 1.0)
    m = p.size
    mat = np.zeros((n, m), np.bool_)
    for j in range(m):  # a loop over projects; each column is one vectorised draw
        pj = float(p[j])
        if pj <= 0.0:
            continue
        if pj >= 1.0:
            mat[:, j] = True
            continue
        # Gaps between successes of Bernoulli(pj) trials are Geometric(pj).
        need = int(n * pj + 6 * np.sqrt(n * pj) + 16)
        pos = np.cumsum(rng.geometric(pj, size=need)) - 1
        while pos[-1] < n:
            more = np.cumsum(rng.geometric(pj, size=need)) + pos[-1]
            pos = np.concatenate([pos, more])
        mat[pos[pos < n], j] = True
    empty = np.flatnonzero(~mat.any(axis=1))
    if empty.size:
        pick = rng.choice(m, size=empty.size, p=p / p.sum())
        mat[empty, pick] = True
    return mat


def _by_length(
    rng: np.random.Generator,
    n: int,
    popularity: npt.NDArray[np.float64],
    max_length: int,
    mean_length: float,
) -> npt.NDArray[np.bool_]:
    """Ballots of length ``1 + Poisson(mean - 1)`` filled without replacement by popularity."""
    m = popularity.size
    weights = popularity / popularity.sum()
    cdf = np.cumsum(weights)
    cdf[-1] = 1.0
    lengths = np.minimum(1 + rng.poisson(mean_length - 1.0, size=n), max_length)
    mat = np.zeros((n, m), np.bool_)
    for start in range(0, n, _CHUNK):  # bounded temporaries; a loop over chunks, not voters
        stop = min(n, start + _CHUNK)
        block = mat[start:stop]
        want = lengths[start:stop]
        have = np.zeros(stop - start, np.int64)
        rows = np.arange(stop - start)
        # Each pass draws one more project for every ballot still short; projects already
        # on the ballot are redrawn (rejection sampling = sampling without replacement).
        for _pass in range(_PASSES):
            if not rows.size:
                break
            pick = np.minimum(np.searchsorted(cdf, rng.random(rows.size), side="right"), m - 1)
            fresh = ~block[rows, pick]
            block[rows[fresh], pick[fresh]] = True
            have[rows[fresh]] += 1
            rows = rows[have[rows] < want[rows]]
        if rows.size:
            # The few ballots still short (nearly full of popular projects) are completed by
            # the Gumbel top-k trick, the same distribution as drawing without replacement.
            keys = np.log(weights)[None, :] + rng.gumbel(size=(rows.size, m))
            keys[block[rows]] = -np.inf
            order = np.argsort(-keys, axis=1, kind="stable")
            take = np.arange(m)[None, :] < (want[rows] - have[rows])[:, None]
            block[np.repeat(rows, take.sum(axis=1)), order[take]] = True
    return mat
