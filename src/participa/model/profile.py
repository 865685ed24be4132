"""Ballots: their kinds, declared limits, voters and the one numpy :class:`Profile`."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa._wide import exact_sum, summable_product
from participa.boundary import checked, need_arrays, typed_fields
from participa.errors import ValidationError
from participa.i18n import N_, _
from participa.model._common import (
    IntArray,
    _array_eq,
    _frozen_mapping,
    _no_line_break,
    _optional_array_eq,
    _readonly,
    _readonly_mask,
    _str_tuple,
)
from participa.model._ranks import _check_ranks, _rerank
from participa.model.text import TextColumn
from participa.validators import is_int

__all__ = ["BallotConstraints", "BallotKind", "Profile", "Voters", "collapse_rows"]


def _whole_numbers(values: npt.ArrayLike, what: str, size: int) -> IntArray:
    """``values`` as int64, refusing fractions, non-numbers and a wrong length."""
    try:
        arr = np.asarray(values)
        if arr.dtype == np.bool_ or not (
            np.issubdtype(arr.dtype, np.integer)
            or (np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)))
        ):
            raise TypeError
        out = arr.astype(np.int64)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(
            _("{what} must be whole numbers, got {values!r}", what=what, values=values)
        ) from None
    if out.shape != (size,):
        raise ValidationError(
            _(
                "{what} must have one entry per ballot ({size}), got {shape}",
                what=what,
                size=size,
                shape=arr.shape,
            )
        )
    if not np.array_equal(out, arr):
        raise ValidationError(
            _("{what} must be whole numbers, got {values!r}", what=what, values=values)
        )
    return out


class BallotKind(enum.Enum):
    """The kinds of ballot real PB data has (pabulib's ``vote_type``)."""

    APPROVAL = "approval"
    CHOOSE_1 = "choose-1"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"
    ORDINAL = "ordinal"

    @property
    def has_points(self) -> bool:
        """Whether ballots carry points (cumulative, scoring)."""
        return self in (BallotKind.CUMULATIVE, BallotKind.SCORING)

    @property
    def is_approval(self) -> bool:
        """Whether ballots are plain sets (approval, choose-1)."""
        return self in (BallotKind.APPROVAL, BallotKind.CHOOSE_1)


@serialize.register("participa.BallotConstraints")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class BallotConstraints:
    """Declared limits on ballots (pabulib META ``min_length``, ``max_points``, ...).

    ``None`` means no limit. Lengths count projects on a ballot; points bound each
    project's points; sum-points bound a ballot's total points.
    """

    min_length: int | None = None
    max_length: int | None = None
    min_points: int | None = None
    max_points: int | None = None
    min_sum_points: int | None = None
    max_sum_points: int | None = None


def _text_column(value: Iterable[str]) -> TextColumn:
    return TextColumn.of(value)


def _text_columns(value: Mapping[str, Iterable[str]] | None) -> Mapping[str, TextColumn]:
    return _frozen_mapping({k: TextColumn.of(v) for k, v in (value or {}).items()})


@serialize.register("participa.Voters")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Voters:
    """Per-voter detail kept beside a collapsed profile (ids, file order, extra columns).

    ``group[i]`` is the profile row holding voter ``i``'s ballot. ``columns`` keeps
    any other per-voter column (age, sex, voting method, ...) as text, one entry per
    voter, so files round-trip exactly. ``order`` holds, for ordinal ballots only, nothing
    extra: the rank is in the matrix.

    ``ids`` and every column are :class:`~participa.model.TextColumn` values: sequences of
    ``str`` kept as UTF-8 bytes with offsets (a large file's columns cost no Python object
    per voter); they index, iterate and compare like the tuples they replace.

    Examples
    --------
    >>> v = Voters(["v1", "v2"], [0, 0], {"age": ["30", "41"]})
    >>> v.ids[1], list(v.columns["age"]), v.ids == ("v1", "v2")
    ('v2', ['30', '41'], True)
    >>> Voters(["v1", "v1"], [0, 0])
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: duplicate voter id [voter 'v1']
    """

    ids: TextColumn = attrs.field(converter=_text_column)
    group: IntArray = attrs.field(
        converter=_readonly, eq=attrs.cmp_using(eq=_array_eq), hash=False, repr=False
    )
    columns: Mapping[str, TextColumn] = attrs.field(
        factory=dict, converter=_text_columns, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if self.group.shape != (len(self.ids),):
            raise ValidationError(_("voters.group must have one entry per voter id"))
        dup = self.ids.first_duplicate()
        if dup is not None:
            raise ValidationError(_("duplicate voter id"), voter_id=self.ids[dup])
        for name, col in self.columns.items():
            if len(col) != len(self.ids):
                raise ValidationError(
                    _(
                        "voter column {name!r} has {col_count} values, expected {ids_count}",
                        name=name,
                        col_count=len(col),
                        ids_count=len(self.ids),
                    )
                )
        _no_line_break(self.columns, N_("a voter field"))
        for col in (self.ids, *self.columns.values()):
            _no_line_break((col.first_line_break(),), N_("a voter field"))


def _matrix_dtype(kind: BallotKind, projects: int, top: int = 0) -> type[np.generic]:
    """A profile's matrix dtype: ``bool`` (approval, choose-1), else the smallest signed
    integer dtype holding every rank (ordinal: up to ``projects``) or the largest
    points ``top`` (cumulative, scoring)."""
    if kind.is_approval:
        return np.bool_
    return _int_dtype(projects if kind is BallotKind.ORDINAL else top)


def _int_dtype(top: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer dtype that holds ``0 .. top``.

    Ranks (1 to at most the number of projects) and points are stored in it: a
    ``groups × projects`` matrix of ``int8`` for up to 127 projects or points is an
    eighth of the ``int64`` one. Arithmetic on them upcasts first (``utility_matrix``
    and the weighted sums give ``int64`` or exact Python integers).

    >>> _int_dtype(83).__name__, _int_dtype(128).__name__, _int_dtype(40_000).__name__
    ('int8', 'int16', 'int32')
    """
    for dt in (np.int8, np.int16, np.int32):
        if top <= int(np.iinfo(dt).max):
            return dt
    return np.int64


def _compact(mat: npt.NDArray[Any], kind: BallotKind, projects: int) -> npt.NDArray[Any]:
    """An integer ``mat`` of ranks or points in :func:`_matrix_dtype` (the smallest that
    holds it); as it is when it is not whole numbers from 0 (refused later) or approval."""
    if kind.is_approval or mat.dtype in (np.bool_, np.int8):  # (int8: the smallest already)
        return mat
    if not np.issubdtype(mat.dtype, np.integer):
        return mat
    top = int(mat.max()) if mat.size else 0
    if mat.size and (int(mat.min()) < 0 or (kind is BallotKind.ORDINAL and top > projects)):
        return mat
    want = _matrix_dtype(kind, projects, top)
    return mat if mat.dtype == want else mat.astype(want)


@serialize.register("participa.Profile")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Profile:
    """All ballots of an election in one numpy representation.

    Parameters
    ----------
    kind
        The ballot kind.
    project_ids
        Column labels, in the election's project order.
    matrix
        ``groups × projects``. Approval / choose-1: ``bool`` (approved or not).
        Cumulative / scoring: points (0 = not on the ballot). Ordinal: rank position,
        1 for the most preferred, 0 for unranked. Points and ranks are stored in the
        smallest signed integer dtype that holds the largest points or the number of
        projects (``int8`` up to 127, then ``int16``, ``int32``, ``int64``); any integer
        matrix is accepted and stored so. Do arithmetic on it after ``astype(np.int64)``
        (or use :func:`~participa.rules.utility.utility_matrix`).
    multiplicity
        ``int64`` number of voters who cast each row's ballot (with its weight).
    weight
        ``int64`` weight of each of those voters (1 unless delegates vote for many).
    voters
        Optional per-voter detail (ids, file order, extra columns).
    listed
        Cumulative / scoring only, keyword-only: ``bool`` ``groups × projects`` mask of
        the projects on each ballot, for ballots that list a project with 0 points
        (pabulib's Zurich files do). ``True`` wherever ``matrix`` is non-zero, and
        also at each 0-point entry. ``None`` (the default) means "listed exactly
        where the matrix is non-zero"; a mask that says no more than that is stored
        as ``None``, so profiles without 0-point entries compare equal either way.
        :meth:`approvals`, :meth:`lengths` and :meth:`ballot` follow it, so the
        ``cost`` and ``count`` utilities count a 0-point project as on the ballot (as
        pabutools' ``Cost_Sat`` / ``Cardinality_Sat`` do); points stay the points.

    Notes
    -----
    A voter group's total say is ``multiplicity * weight``. Rules only ever look
    at that product, so collapsing identical ballots never changes an outcome.

    Examples
    --------
    >>> p = Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b", "c"],
    ...                          [{"a": 3, "b": 0}, {"a": 3}])
    >>> p.matrix.tolist(), p.approvals().tolist()
    ([[3, 0, 0], [3, 0, 0]], [[True, True, False], [True, False, False]])
    >>> p.num_groups, p.ballot(0), p.lengths().tolist()
    (2, ('a', 'b'), [2, 1])
    >>> Profile.from_ballots(BallotKind.CUMULATIVE, ["a"], [{"a": 3}]).listed is None
    True
    """

    kind: BallotKind
    project_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    matrix: npt.NDArray[Any] = attrs.field(
        converter=_readonly, eq=attrs.cmp_using(eq=_array_eq), hash=False, repr=False
    )
    multiplicity: IntArray = attrs.field(
        converter=_readonly, eq=attrs.cmp_using(eq=_array_eq), hash=False, repr=False
    )
    weight: IntArray = attrs.field(
        converter=_readonly, eq=attrs.cmp_using(eq=_array_eq), hash=False, repr=False
    )
    voters: Voters | None = attrs.field(default=None, repr=False)
    listed: npt.NDArray[np.bool_] | None = attrs.field(
        default=None,
        kw_only=True,
        converter=_readonly_mask,
        eq=attrs.cmp_using(eq=_optional_array_eq),
        hash=False,
        repr=False,
    )

    def __attrs_post_init__(self) -> None:
        m = len(self.project_ids)
        if len(set(self.project_ids)) != m:
            dup = sorted({p for p in self.project_ids if self.project_ids.count(p) > 1})
            raise ValidationError(_("duplicate project ids in profile: {dup}", dup=dup))
        if self.matrix.ndim != 2 or self.matrix.shape[1] != m:
            raise ValidationError(
                _(
                    "profile matrix must be groups × {m} projects, got shape {shape}",
                    m=m,
                    shape=self.matrix.shape,
                )
            )
        g = self.matrix.shape[0]
        if self.kind.is_approval and self.matrix.dtype != np.bool_:
            raise ValidationError(
                _(
                    "{value} profile matrix must have dtype {dtype}",
                    value=self.kind.value,
                    dtype=np.dtype(np.bool_),
                )
            )
        if not self.kind.is_approval and (
            self.matrix.dtype == np.bool_ or not np.issubdtype(self.matrix.dtype, np.integer)
        ):
            raise ValidationError(
                _(
                    "{value} profile matrix must hold whole numbers (an integer dtype), "
                    "got dtype {dtype}",
                    value=self.kind.value,
                    dtype=self.matrix.dtype,
                )
            )
        for name in ("multiplicity", "weight"):
            arr = getattr(self, name)
            if arr.shape != (g,) or arr.dtype != np.int64:
                raise ValidationError(
                    _("profile {name} must be int64 of shape ({g},)", name=name, g=g)
                )
            if g and int(arr.min()) < 1:
                raise ValidationError(_("profile {name} must be >= 1 for every ballot", name=name))
        if not self.kind.is_approval and self.matrix.size and int(self.matrix.min()) < 0:
            raise ValidationError(_("points and ranks must be non-negative"))
        compact = _compact(self.matrix, self.kind, m)  # int8 for small ranks and points
        if compact is not self.matrix:
            object.__setattr__(self, "matrix", _readonly(compact))
        if self.kind is BallotKind.CHOOSE_1 and g and int(self.lengths().max()) > 1:
            raise ValidationError(_("a choose-1 ballot names at most one project"))
        if self.kind is BallotKind.ORDINAL and g:
            _check_ranks(self.matrix)
        if self.voters is not None:
            grp = self.voters.group
            if grp.size and (int(grp.min()) < 0 or int(grp.max()) >= g):
                raise ValidationError(_("voters.group points outside the profile rows"))
            counts = np.bincount(grp, minlength=g)
            if not np.array_equal(counts, self.multiplicity):
                raise ValidationError(_("profile multiplicity disagrees with the voters' groups"))
        if self.listed is not None:
            self._check_listed()

    def __repr__(self) -> str:
        from participa.display import profile_summary

        return profile_summary(self)

    def to_html(self, *, lang: str | None = None) -> str:
        """The profile as HTML (its size, then each project's supporters), in ``lang``."""
        from participa.display import profile_html

        return profile_html(self, lang=lang)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _check_listed(self) -> None:
        listed = self.listed
        assert listed is not None
        if not self.kind.has_points:
            raise ValidationError(
                _(
                    "a listed mask is only for cumulative and scoring ballots, not {value}",
                    value=self.kind.value,
                ),
                hint=_(
                    "on other ballots a project is on the ballot exactly where "
                    "the matrix is non-zero; pass listed=None"
                ),
            )
        if listed.shape != self.matrix.shape:
            raise ValidationError(
                _(
                    "the listed mask must have the matrix's shape {shape}, got {shape2}",
                    shape=self.matrix.shape,
                    shape2=listed.shape,
                )
            )
        nonzero = self.matrix != 0
        missing = nonzero & ~listed
        if missing.any():
            g, j = (int(x[0]) for x in np.nonzero(missing))
            raise ValidationError(
                _(
                    "ballot row {g} gives {matrix} points to a project the listed mask leaves off",
                    g=g,
                    matrix=int(self.matrix[g, j]),
                ),
                project_id=self.project_ids[j],
                hint=_("a project with points is always on the ballot: set listed to True there"),
            )
        if np.array_equal(listed, nonzero):
            object.__setattr__(self, "listed", None)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    @checked
    def from_matrix(
        cls,
        kind: BallotKind,
        project_ids: Sequence[str],
        matrix: npt.ArrayLike,
        *,
        multiplicity: npt.ArrayLike | None = None,
        weights: npt.ArrayLike | None = None,
        collapse: bool = True,
        listed: npt.ArrayLike | None = None,
        weight: npt.ArrayLike | None = None,
    ) -> Profile:
        """Build a profile from a ``ballots × projects`` matrix (one row per ballot).

        ``weights`` gives each ballot's voter weight (default 1), as in
        :meth:`from_ballots`; ``weight`` is its former name, still accepted.

        With ``collapse=True`` (the default) identical rows with the same weight (and,
        for cumulative and scoring ballots, the same ``listed`` row) are merged into one
        row whose multiplicity is their count. ``listed`` marks the projects on each
        ballot, 0-point entries included (see :class:`Profile`).

        >>> p = Profile.from_matrix(BallotKind.APPROVAL, ["a", "b"], [[1, 0], [1, 0], [0, 1]])
        >>> p.num_groups, p.multiplicity.tolist()
        (2, [2, 1])
        >>> q = Profile.from_matrix(BallotKind.SCORING, ["a", "b"], [[2, 0], [2, 0]],
        ...                         listed=[[1, 1], [1, 0]])
        >>> q.num_groups, q.approvals().sum(axis=0).tolist()
        (2, [2, 1])
        """
        mat = np.asarray(matrix)
        if mat.ndim != 2:
            mat = mat.reshape(-1, len(project_ids))
        if kind.is_approval:
            if mat.size and not np.isin(mat, (0, 1)).all():
                raise ValidationError(_("{value} ballots hold only 0/1 entries", value=kind.value))
            mat = mat.astype(np.bool_)
        else:
            if (
                mat.size
                and not np.issubdtype(mat.dtype, np.integer)
                and not np.array_equal(mat, np.round(mat))
            ):
                raise ValidationError(_("points and ranks must be integers"))
            if not np.issubdtype(mat.dtype, np.integer):
                mat = mat.astype(np.int64)
            mat = _compact(mat, kind, len(project_ids))
        n = mat.shape[0]
        mult = (
            np.ones(n, np.int64)
            if multiplicity is None
            else _whole_numbers(multiplicity, "multiplicity", n)
        )
        if weight is not None:
            if weights is not None:
                raise ValidationError(
                    _("pass weights only (weight is its former name), not both"),
                    hint=_("drop weight="),
                )
            weights = weight
        wt = np.ones(n, np.int64) if weights is None else _whole_numbers(weights, "weight", n)
        mask = _readonly_mask(listed)
        if mask is not None and mask.shape != mat.shape:
            if mask.size != mat.size:
                raise ValidationError(
                    _(
                        "the listed mask must have the matrix's shape {shape}, got {shape2}",
                        shape=mat.shape,
                        shape2=mask.shape,
                    )
                )
            mask = mask.reshape(mat.shape)
        if collapse:
            mat, mult, wt, inv = collapse_rows(mat, mult, wt, listed=mask)
            mask = _group_rows(mask, inv, mat.shape[0])
        return cls(kind, tuple(project_ids), mat, mult, wt, listed=mask)

    @classmethod
    @checked
    def from_ballots(
        cls,
        kind: BallotKind,
        project_ids: Sequence[str],
        ballots: Iterable[Sequence[str] | Mapping[str, int]],
        *,
        weights: Sequence[int] | None = None,
        voter_ids: Sequence[str] | None = None,
    ) -> Profile:
        """Build a profile from ballots given as project ids.

        Approval / choose-1 ballots are sequences of ids; ordinal ballots are
        sequences from most to least preferred; cumulative / scoring ballots are
        mappings ``{project id: points}``; a project mapped to 0 is on the ballot with
        0 points (see ``listed``).

        >>> p = Profile.from_ballots(BallotKind.ORDINAL, ["a", "b", "c"], [["c", "a"]])
        >>> p.matrix.tolist()
        [[2, 0, 1]]
        >>> Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["z"]])
        Traceback (most recent call last):
        ...
        participa.errors.ValidationError: ballot 0 names an unknown project [project 'z']
        """
        ids = tuple(project_ids)
        index = {p: j for j, p in enumerate(ids)}
        rows: list[npt.NDArray[Any]] = []
        marks: list[npt.NDArray[np.bool_]] = []
        for b, ballot in enumerate(ballots):
            if isinstance(ballot, str):
                raise ValidationError(
                    _(
                        "ballot {b} is a string, not a list of project ids: {ballot!r}",
                        b=b,
                        ballot=ballot,
                    ),
                    hint=_("write [{ballot!r}] for a ballot naming one project", ballot=ballot),
                )
            row = np.zeros(len(ids), np.int64)
            seen = np.zeros(len(ids), np.bool_)
            items: Iterable[tuple[str, int]]
            if isinstance(ballot, Mapping):
                if not kind.has_points:
                    raise ValidationError(
                        _("ballot {b}: points given on a {value} ballot", b=b, value=kind.value)
                    )
                items = ballot.items()
            elif kind is BallotKind.ORDINAL:
                items = ((p, r + 1) for r, p in enumerate(ballot))
            else:
                items = ((p, 1) for p in ballot)
            for pid, val in items:
                j = index.get(pid)
                vid = None if voter_ids is None or b >= len(voter_ids) else voter_ids[b]
                if j is None:
                    raise ValidationError(
                        _("ballot {b} names an unknown project", b=b), project_id=pid, voter_id=vid
                    )
                if seen[j]:
                    raise ValidationError(
                        _("ballot {b} names a project twice", b=b), project_id=pid, voter_id=vid
                    )
                if not is_int(val):
                    raise ValidationError(
                        _(
                            "ballot {b} gives {val!r} points: points are whole numbers",
                            b=b,
                            val=val,
                        ),
                        project_id=pid,
                        voter_id=vid,
                    )
                seen[j] = True
                row[j] = val
            rows.append(row)
            marks.append(seen)
        mat = np.array(rows, np.int64).reshape(len(rows), len(ids))
        listed = np.array(marks, np.bool_).reshape(mat.shape) if kind.has_points else None
        if listed is not None and np.array_equal(listed, mat != 0):
            listed = None
        if voter_ids is not None and len(voter_ids) != len(rows):
            raise ValidationError(
                _(
                    "{voter_ids_count} voter ids for {rows_count} ballots",
                    voter_ids_count=len(voter_ids),
                    rows_count=len(rows),
                ),
                hint=_("give one id per ballot"),
            )
        wt = None if weights is None else _whole_numbers(weights, "weights", len(rows))
        if voter_ids is None:
            return cls.from_matrix(kind, ids, mat, weights=wt, listed=listed)
        mat2 = mat.astype(np.bool_) if kind.is_approval else _compact(mat, kind, len(ids))
        n = mat2.shape[0]
        w = np.ones(n, np.int64) if wt is None else wt
        cm, mult, cw, inverse = collapse_rows(mat2, np.ones(n, np.int64), w, listed=listed)
        voters = Voters(tuple(voter_ids), inverse)
        return cls(kind, ids, cm, mult, cw, voters, listed=_group_rows(listed, inverse, len(cm)))

    # -- views ---------------------------------------------------------------------------------

    @property
    def num_groups(self) -> int:
        """Number of distinct (ballot, weight) rows."""
        return int(self.matrix.shape[0])

    @property
    def num_voters(self) -> int:
        """Number of voters (sum of multiplicities)."""
        return exact_sum(self.multiplicity)

    @property
    def total_weight(self) -> int:
        """Sum of the voters' weights, exact (Python integers when ``int64`` could overflow)."""
        return exact_sum(self.group_weight)

    @property
    def group_weight(self) -> npt.NDArray[Any]:
        """``multiplicity * weight``: each row's total say, exact.

        ``int64`` only when every sum of these is proven below ``2**62``, else Python
        integers (:func:`participa._wide.summable_product`): nothing wraps around.
        """
        return summable_product(self.multiplicity, self.weight)

    def approvals(self) -> npt.NDArray[np.bool_]:
        """Boolean ``groups × projects``: the project appears on the ballot.

        On cumulative and scoring ballots a project listed with 0 points appears.
        """
        if self.listed is not None:
            return np.array(self.listed, copy=True)
        out: npt.NDArray[np.bool_] = self.matrix != 0
        return out

    def lengths(self) -> IntArray:
        """Number of projects on each row's ballot (0-point entries included)."""
        on = self.matrix if self.listed is None else self.listed
        if on.dtype == np.bool_:  # the row sums of its 0/1 bytes (faster than a count)
            rows: IntArray = np.einsum("gj->g", on.view(np.uint8), dtype=np.int64)
            return rows
        out: IntArray = np.count_nonzero(on, axis=1).astype(np.int64)
        return out

    def ballot(self, group: int) -> tuple[str, ...]:
        """The project ids on one row's ballot (ordinal: most preferred first).

        Cumulative and scoring ballots name their 0-point entries too.
        """
        if not is_int(group) or not 0 <= group < self.num_groups:
            raise ValidationError(
                _(
                    "group must be a row number from 0 to {last}, got {value!r}",
                    last=self.num_groups - 1,
                    value=group,
                )
            )
        row = self.matrix[group]
        nz = np.flatnonzero(row if self.listed is None else self.listed[group])
        if self.kind is BallotKind.ORDINAL:
            nz = nz[np.argsort(row[nz], kind="stable")]
        return tuple(self.project_ids[j] for j in nz)

    def expand(self) -> Profile:
        """One row per voter (the inverse of collapsing), in voter order when known."""
        if self.voters is not None:
            rows = self.voters.group
        else:
            rows = np.repeat(np.arange(self.num_groups), self.multiplicity)
        n = rows.size
        return Profile(
            self.kind,
            self.project_ids,
            self.matrix[rows],
            np.ones(n, np.int64),
            self.weight[rows],
            listed=None if self.listed is None else self.listed[rows],
        )

    def collapse(self) -> Profile:
        """Merge identical (ballot, weight) rows; voter detail is dropped."""
        mat, mult, wt, inv = collapse_rows(
            self.matrix, self.multiplicity, self.weight, listed=self.listed
        )
        listed = _group_rows(self.listed, inv, mat.shape[0])
        return Profile(self.kind, self.project_ids, mat, mult, wt, listed=listed)

    @checked
    def select_projects(self, project_ids: Sequence[str]) -> Profile:
        """Keep only these projects' columns (e.g. the feasible set); rows are kept."""
        index = {p: j for j, p in enumerate(self.project_ids)}
        missing = [p for p in project_ids if p not in index]
        if missing:
            raise ValidationError(_("unknown project ids: {missing}", missing=missing))
        cols = [index[p] for p in project_ids]
        mat = self.matrix[:, cols]
        if self.kind is BallotKind.ORDINAL and mat.size:
            mat = _rerank(mat)
        listed = None if self.listed is None else self.listed[:, cols]
        return Profile(
            self.kind,
            tuple(project_ids),
            mat,
            self.multiplicity,
            self.weight,
            self.voters,
            listed=listed,
        )


@checked
def collapse_rows(
    matrix: npt.NDArray[Any],
    multiplicity: IntArray,
    weight: IntArray,
    *,
    listed: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[Any], IntArray, IntArray, IntArray]:
    """Merge identical (row, weight) pairs.

    Returns the distinct rows, their summed multiplicities, their weights and, for
    each input row, the index of its distinct row. Rows come out in order of first
    appearance, so the result is deterministic and independent of platform.

    ``listed`` (points ballots, see :class:`Profile`) is part of a row's identity: two
    rows that differ only in a 0-point entry stay apart. The distinct rows' mask is
    ``out[inverse] = listed`` (every row of a group has the same mask).

    Examples
    --------
    >>> m = np.array([[2, 0], [2, 0], [2, 0]])
    >>> one = np.ones(3, np.int64)
    >>> collapse_rows(m, one, one)[1].tolist()
    [3]
    >>> rows, mult, _, inverse = collapse_rows(
    ...     m, one, one, listed=np.array([[1, 0], [1, 1], [1, 0]], bool))
    >>> mult.tolist(), inverse.tolist()
    ([2, 1], [0, 1, 0])
    """
    need_arrays("collapse_rows", matrix=matrix, multiplicity=multiplicity, weight=weight)
    if listed is not None:
        need_arrays("collapse_rows", listed=listed)
    n = matrix.shape[0] if matrix.ndim == 2 else -1
    if (
        n < 0
        or multiplicity.shape != (n,)
        or weight.shape != (n,)
        or (listed is not None and listed.shape != matrix.shape)
    ):
        raise ValidationError(
            _(
                "collapse_rows(): a matrix and one multiplicity and weight per row are needed, "
                "got shapes {shapes}",
                shapes=[a.shape for a in (matrix, multiplicity, weight)],
            )
        )
    if n == 0:
        return matrix, multiplicity, weight, np.zeros(0, np.int64)
    if matrix.dtype == np.bool_:
        packed = np.packbits(matrix, axis=1)
    else:
        # one integer dtype for every row: its bytes are its values (ranks: int8)
        key_mat = matrix if np.issubdtype(matrix.dtype, np.integer) else matrix.astype(np.int64)
        if listed is not None:
            # points are >= 0, so -1 marks "listed with 0 points" uniquely
            key_mat = np.where(listed & (matrix == 0), -1, matrix.astype(np.int64))
        packed = np.ascontiguousarray(key_mat).view(np.uint8).reshape(n, -1)
    flat: npt.NDArray[Any]
    if packed.shape[1] <= 8 and bool((weight == weight[0]).all()):
        # one weight for all: a row's bits alone are its identity, and fit one uint64
        wide = np.zeros((n, 8), np.uint8)
        wide[:, : packed.shape[1]] = packed
        flat = wide.view("<u8").reshape(n)
    else:
        key = np.concatenate(
            [packed, weight.astype(np.int64).view(np.uint8).reshape(n, -1)], axis=1
        )
        key = np.ascontiguousarray(key)
        flat = key.view(np.dtype((np.void, key.shape[1]))).ravel()
    _keys, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    # renumber groups by first appearance
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    inv = rank[inverse.ravel()].astype(np.int64)
    rows = first[order]
    mult = np.bincount(inv, weights=None, minlength=rows.size).astype(np.int64)
    if not np.all(multiplicity == 1):
        mult = np.zeros(rows.size, np.int64)
        np.add.at(mult, inv, multiplicity)
    return matrix[rows], mult, weight[rows], inv


def _group_rows(
    listed: npt.NDArray[np.bool_] | None, inverse: IntArray, groups: int
) -> npt.NDArray[np.bool_] | None:
    """The distinct rows' listed mask after :func:`collapse_rows` (``None`` stays ``None``)."""
    if listed is None:
        return None
    out = np.zeros((groups, listed.shape[1]), np.bool_)
    out[inverse] = listed
    return out
