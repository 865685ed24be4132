"""The election: a budget, the projects on the ballot and the ballots cast."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa._tabular import Tabular
from participa._wide import exact_row_sums
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.i18n import N_, _
from participa.model._common import (
    IntArray,
    _frozen_mapping,
    _no_line_break,
    _readonly,
)
from participa.model.profile import BallotConstraints, BallotKind, Profile
from participa.model.project import Project
from participa.money import Currency
from participa.validators import amount, positive_int

__all__ = ["Election"]


def _project_tuple(value: Iterable[Project]) -> tuple[Project, ...]:
    return tuple(value)


_MODEL_META = ("description", "budget", "vote_type", "currency")
_BOUND_KEYS = (
    "min_length",
    "max_length",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)


def _amount_text(amount: int, mpu: int) -> str:
    digits = len(str(mpu)) - 1
    if digits == 0:
        return str(amount)
    whole, frac = divmod(amount, mpu)
    return f"{whole}.{frac:0{digits}d}"


def _amount_text_equals(raw: str, amount: int, mpu: int) -> bool:
    """Whether META text ``raw`` says ``amount`` minor units (exact; ``mpu`` a power of ten)."""
    whole, dot, frac = raw.strip().partition(".")
    if not (whole.isascii() and whole.isdigit()) or (
        dot and not (frac.isascii() and frac.isdigit())
    ):
        return False
    if len(whole) > 60 or len(frac) > 60:
        return False
    digits = len(str(mpu)) - 1
    frac = frac.rstrip("0")
    if len(frac) > digits:
        return False
    return int(whole) * mpu + int(frac.ljust(digits, "0") or "0") == amount


def _int_text_equals(raw: str, value: int) -> bool:
    """Whether META text ``raw`` says the whole number ``value`` (``3``, ``+3``, `` 3.0``)."""
    text = raw.strip()
    body = text[1:] if text[:1] in ("+", "-") else text
    whole, dot, frac = body.partition(".")
    if not (whole.isascii() and whole.isdigit()) or len(whole) > 40:
        return False
    if dot and not (frac and frac.isascii() and frac.isdigit() and not frac.strip("0")):
        return False
    number = int(whole)
    return (-number if text.startswith("-") else number) == value


def _normalised_meta(e: Election) -> dict[str, str] | None:
    """META text brought in line with the model (``None`` when it already agrees).

    The model owns ``description`` (the name), ``budget``, ``vote_type``,
    ``currency`` and the declared ballot bounds; text that says the same as the
    model is kept as written (``400000.0``, `` approval``), text that does not is
    replaced by the model's value (or dropped when the model has none), so a file
    written from the election reads back as the same election. A bound the
    constraints leave out (``None``) keeps its text: a file's relaxed bound.
    """
    meta = e.meta
    if not any(k in meta for k in (*_MODEL_META, *_BOUND_KEYS)):
        return None
    out = dict(meta)
    model: dict[str, str | None] = {
        "description": e.name,
        "currency": e.currency,
        "vote_type": e.profile.kind.value,
        "budget": _amount_text(e.budget, e.minor_per_unit),
    }
    for key, want in model.items():
        raw = out.get(key)
        if raw is None:
            continue
        if key == "budget":
            agrees = _amount_text_equals(raw, e.budget, e.minor_per_unit)
        elif key == "vote_type":
            agrees = raw.strip() == want
        else:
            agrees = raw == want
        if not agrees:
            if want is None:
                del out[key]
            else:
                out[key] = want
    for key in _BOUND_KEYS:
        raw = out.get(key)
        bound = getattr(e.constraints, key)
        if raw is not None and bound is not None and not _int_text_equals(raw, bound):
            out[key] = str(bound)
    return None if out == dict(meta) else out


_INT64_SAFE = 2**62
"""Integer sums stay in ``int64`` only when a bound proven from the data is below this."""


def _weighted_column_sums(
    multiplicity: IntArray, weight: IntArray, matrix: npt.NDArray[Any]
) -> npt.NDArray[Any]:
    """Exact ``Σ_g multiplicity_g × weight_g × matrix[g, j]`` per column.

    One ``int64`` product when ``max mass × max |entry| × groups`` is below 2**62,
    else Python integers (an ``object`` array).
    """
    mass_max = int(multiplicity.max()) * int(weight.max())
    entry_max = int(np.abs(matrix).max()) if matrix.size else 0
    if mass_max * max(entry_max, 1) * multiplicity.size < _INT64_SAFE:
        if matrix.ndim == 2 and matrix.dtype.kind in "bi":  # einsum: no int64 copy of the matrix
            summed: npt.NDArray[Any] = np.einsum(
                "g,gj->j", multiplicity * weight, matrix, dtype=np.int64
            )
            return summed
        out: npt.NDArray[Any] = (multiplicity * weight) @ matrix.astype(np.int64)
        return out
    mass = multiplicity.astype(object) * weight.astype(object)
    exact: npt.NDArray[Any] = mass @ matrix.astype(object)
    return exact


def _costs_default(self: Election) -> IntArray:
    # attrs computes this before the validators run: a wrong item is refused by them next
    costs = [p.cost if isinstance(p, Project) else 0 for p in self.projects]
    too_big = [p for p, c in zip(self.projects, costs, strict=True) if c > _INT64_MAX]
    if too_big:
        raise ValidationError(
            _(
                "cost {cost} is above the largest supported amount ({most} minor units)",
                cost=too_big[0].cost,
                most=_INT64_MAX,
            ),
            project_id=too_big[0].id,
        )
    return _readonly(np.array(costs, dtype=np.int64))


_INT64_MAX = 2**63 - 1


@functools.lru_cache(maxsize=64, typed=True)
def _money(currency: str | None, minor_per_unit: int) -> Currency:
    """:attr:`Election.money`, built and validated once per (currency, minor units).

    A :class:`Currency` is frozen, so elections share it; a refused one is not cached
    (it raises again, as it did)."""
    code = currency if currency and len(currency) == 3 else None
    return Currency(code.upper() if code else None, minor_per_unit)


@serialize.register("participa.Election")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Election(Tabular):
    """A PB election: a budget, the projects on the ballot, and the ballots cast.

    Parameters
    ----------
    budget
        Money available, in integer minor units.
    projects
        The projects, in a fixed order (the file's order for pabulib data).
    profile
        The ballots; its ``project_ids`` must be the projects' ids in the same order.
    name
        A label (pabulib's description or file name).
    currency
        ISO code or unit name (``"PEN"``, ``"PLN"``).
    minor_per_unit
        Minor units per currency unit: 100 for céntimos, 1 when amounts are whole units.
    constraints
        Declared ballot limits; points outside them are rejected.
    meta
        Free metadata (pabulib META, kept as text).

    Examples
    --------
    >>> Election(budget=-1, projects=(), profile=Profile.from_matrix(
    ...     BallotKind.APPROVAL, [], np.zeros((0, 0))))
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: budget must be a non-negative integer ..., got -1 ...
    """

    budget: int
    projects: tuple[Project, ...] = attrs.field(converter=_project_tuple)
    profile: Profile
    name: str = ""
    currency: str | None = None
    minor_per_unit: int = 1
    constraints: BallotConstraints = BallotConstraints()  # noqa: RUF009 - a frozen value
    meta: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping, hash=False)
    _costs: IntArray = attrs.field(
        init=False,
        eq=False,
        repr=False,
        hash=False,
        default=attrs.Factory(_costs_default, takes_self=True),
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "budget", amount(self.budget, what="budget"))
        object.__setattr__(
            self, "minor_per_unit", positive_int(self.minor_per_unit, what="minor_per_unit")
        )
        mpu = self.minor_per_unit
        if str(mpu).rstrip("0") != "1":
            raise ValidationError(
                _(
                    "minor units per unit must be a power of ten (1, 100, ...), got {value!r}",
                    value=mpu,
                )
            )
        _no_line_break(
            (self.name, self.currency, *self.meta, *self.meta.values()), N_("a META field")
        )
        ids = [p.id for p in self.projects]
        seen: set[str] = set()
        for pid in ids:
            if pid in seen:
                raise ValidationError(_("duplicate project id"), project_id=pid)
            seen.add(pid)
        if tuple(ids) != self.profile.project_ids:
            unknown = [p for p in self.profile.project_ids if p not in seen]
            if unknown:
                raise ValidationError(
                    _(
                        "the profile names projects the election does not have: {unknown}",
                        unknown=unknown,
                    ),
                    project_id=unknown[0],
                )
            raise ValidationError(
                _("the profile's project order differs from the election's projects"),
                hint=_("build the profile with project_ids=[p.id for p in projects]"),
            )
        self._check_points()
        meta = _normalised_meta(self)
        if meta is not None:
            object.__setattr__(self, "meta", _frozen_mapping(meta))

    def _check_points(self) -> None:
        c = self.constraints
        prof = self.profile
        if not prof.num_groups or not prof.kind.has_points:
            return
        mat = prof.matrix
        on = prof.approvals()  # 0-point entries are on the ballot and obey min_points too
        for bound, name in ((c.min_points, "min_points"), (c.max_points, "max_points")):
            if bound is None:
                continue
            bad = on & ((mat < bound) if name == "min_points" else (mat > bound))
            if bad.any():
                g, j = (int(x[0]) for x in np.nonzero(bad))
                zero = int(mat[g, j]) == 0
                raise ValidationError(
                    _(
                        "{mat} points is outside the declared {name} = {bound}",
                        mat=int(mat[g, j]),
                        name=name,
                        bound=bound,
                    )
                    + (_(" (the project is listed on the ballot with 0 points)") if zero else ""),
                    project_id=prof.project_ids[j],
                    voter_id=self._voter_of(g),
                    hint=_("drop the project from the ballot or lower min_points to 0")
                    if zero
                    else None,
                )
        sums = exact_row_sums(mat)  # points near 2**63 on one ballot: no wrap-around
        for bound, name in (
            (c.min_sum_points, "min_sum_points"),
            (c.max_sum_points, "max_sum_points"),
        ):
            if bound is None:
                continue
            bad_rows = np.flatnonzero(sums < bound if name == "min_sum_points" else sums > bound)
            if bad_rows.size:
                g = int(bad_rows[0])
                raise ValidationError(
                    _(
                        "a ballot's {sum} points is outside the declared {name} = {bound}",
                        sum=int(sums[g]),
                        name=name,
                        bound=bound,
                    ),
                    voter_id=self._voter_of(g),
                )

    def _voter_of(self, group: int) -> str | None:
        v = self.profile.voters
        if v is None:
            return None
        hits = np.flatnonzero(v.group == group)
        return v.ids[int(hits[0])] if hits.size else None

    # -- views ---------------------------------------------------------------------------------

    @property
    def costs(self) -> IntArray:
        """Project costs as a read-only ``int64`` array, in project order."""
        return self._costs

    @property
    def money(self) -> Currency:
        """How this election's amounts read as money (its currency and minor units).

        >>> e = Election(12345, (), Profile.from_matrix(BallotKind.APPROVAL, [], np.zeros((0, 0))),
        ...              currency="PEN", minor_per_unit=100)
        >>> e.money.format(e.budget)
        'S/ 123.45'
        """
        return _money(self.currency, self.minor_per_unit)

    @property
    def project_ids(self) -> tuple[str, ...]:
        """The project ids in order."""
        return self.profile.project_ids

    @property
    def kind(self) -> BallotKind:
        """The ballot kind."""
        return self.profile.kind

    def index(self, project_id: str) -> int:
        """Position of a project; raises :class:`ValidationError` for an unknown id."""
        try:
            return self.profile.project_ids.index(project_id)
        except ValueError:
            raise ValidationError(_("unknown project id"), project_id=project_id) from None

    def project(self, project_id: str) -> Project:
        """The project with this id."""
        return self.projects[self.index(project_id)]

    def support(self) -> npt.NDArray[Any]:
        """Weighted number of voters whose ballot includes each project.

        ``int64`` when a bound proven from the data (largest group weight × number of
        groups) keeps every sum below 2**62; otherwise exact Python integers in an
        ``object`` array, so a sum never wraps around.
        """
        prof = self.profile
        if prof.num_groups == 0:
            return np.zeros(len(self.projects), np.int64)
        return _weighted_column_sums(prof.multiplicity, prof.weight, prof.approvals())

    def total_points(self) -> npt.NDArray[Any]:
        """Weighted points per project (cumulative / scoring); for other kinds, the support.

        Exact like :meth:`support` (Python integers when ``int64`` could overflow).
        """
        prof = self.profile
        if not prof.kind.has_points or prof.num_groups == 0:
            return self.support()
        return _weighted_column_sums(prof.multiplicity, prof.weight, prof.matrix)

    # -- derived elections ---------------------------------------------------------------------

    @checked
    def restrict(self, project_ids: Iterable[str]) -> Election:
        """The same election with only these projects (kept in election order).

        Use it to hand a feasibility review's eligible set to a rule.

        >>> e = Election(100, (Project("a", 10), Project("b", 20)),
        ...              Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a", "b"]]))
        >>> e.restrict(["b"]).project_ids
        ('b',)
        """
        wanted = set(project_ids)
        unknown = sorted(wanted - set(self.project_ids))
        if unknown:
            raise ValidationError(
                _("unknown project ids: {unknown}", unknown=unknown), project_id=unknown[0]
            )
        keep = [p.id for p in self.projects if p.id in wanted]
        return attrs.evolve(
            self,
            projects=tuple(p for p in self.projects if p.id in wanted),
            profile=self.profile.select_projects(keep),
        )

    def with_budget(self, budget: int) -> Election:
        """The same election with another budget."""
        return attrs.evolve(self, budget=budget)

    @checked
    def with_costs(self, costs: Mapping[str, int]) -> Election:
        """The same election with some projects' costs replaced (e.g. net of co-financing)."""
        unknown = sorted(set(costs) - set(self.project_ids))
        if unknown:
            raise ValidationError(
                _("unknown project ids: {unknown}", unknown=unknown), project_id=unknown[0]
            )
        projects = tuple(
            attrs.evolve(p, cost=costs[p.id]) if p.id in costs else p for p in self.projects
        )
        return attrs.evolve(self, projects=projects)

    def __repr__(self) -> str:
        from participa.display import election_summary

        return election_summary(self)

    def to_html(self, *, lang: str | None = None) -> str:
        """The election as HTML (budget, voters, a table of projects), in ``lang``."""
        from participa.display import election_html

        return election_html(self, lang=lang)

    def _repr_html_(self) -> str:
        return self.to_html()
