"""Tie-breaking as a value.

A :class:`TieBreak` is a chain of criteria applied in order; whatever they leave
tied is settled by project id (plain string order) so the order is always total
and the same on every machine. The ``refuse`` criterion stops the chain: a tie that
reaches it raises :class:`~participa.TieError` listing the tied ids.

Every criterion here is a property of a project that does not change during a
rule's run (its id, position in the file, cost, number of supporters, a seeded
lottery draw), so a chain resolves to one *priority* per project, computed once.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("b", 10), Project("a", 30), Project("c", 10)),
...              Profile.from_ballots(BallotKind.APPROVAL, ["b", "a", "c"], [["a"], ["c"]]))
>>> TieBreak.parse("id").resolver(e).order([0, 1, 2])
[1, 0, 2]
>>> TieBreak.parse("min-cost,max-votes,id").resolver(e).order([0, 1, 2])
[2, 0, 1]
>>> TieBreak.parse("min-cost,refuse").resolver(e).pick([0, 2])
Traceback (most recent call last):
...
participa.errors.TieError: tie between projects ['b', 'c'] under tie-breaking ...
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa.boundary import checked, typed_fields
from participa.errors import TieError, ValidationError
from participa.i18n import _

if TYPE_CHECKING:
    from participa.model import Election, Project

__all__ = ["DEFAULT_TIE_BREAK", "TieBreak", "TieCriterion", "TieResolver"]


class TieCriterion(enum.Enum):
    """One tie-breaking criterion; the first listed wins the tie.

    ``participa.Criterion`` before 0.2 (renamed so it cannot be confused with an
    allocation's :class:`~participa.allocation.WeightedCriterion`).
    """

    ID = "id"
    """Smallest project id in plain string order (``"10" < "9" < "B" < "a"``)."""
    FILE_ORDER = "file-order"
    """Earliest project in the election's order (pabulib's PROJECTS section)."""
    MIN_COST = "min-cost"
    """Cheapest project."""
    MAX_COST = "max-cost"
    """Most expensive project."""
    MAX_VOTES = "max-votes"
    """Project on the most ballots (weighted)."""
    MIN_VOTES = "min-votes"
    """Project on the fewest ballots (weighted)."""
    LOTTERY = "lottery"
    """A seeded random order (needs ``seed``)."""
    REFUSE = "refuse"
    """Raise :class:`~participa.TieError` instead of choosing."""


def _to_criteria(value: Sequence[TieCriterion | str]) -> tuple[TieCriterion, ...]:
    out: list[TieCriterion] = []
    for c in value:
        try:
            out.append(c if isinstance(c, TieCriterion) else TieCriterion(c.strip()))
        except ValueError:
            names = ", ".join(x.value for x in TieCriterion)
            raise ValidationError(
                _("unknown tie-breaking criterion {c!r}", c=c),
                hint=_("use one of {names}", names=names),
            ) from None
    return tuple(out)


@serialize.register("participa.TieBreak")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class TieBreak:
    """A chain of tie-breaking criteria (default: project id, as the reference library does).

    Parameters
    ----------
    criteria
        Criteria tried in order; ``refuse`` ends the chain.
    seed
        Seed for the ``lottery`` criterion (required when it is used).
    """

    criteria: tuple[TieCriterion, ...] = attrs.field(
        default=(TieCriterion.ID,), converter=_to_criteria
    )
    seed: int | None = None

    def __attrs_post_init__(self) -> None:
        if not self.criteria:
            raise ValidationError(_("a tie-breaking chain needs at least one criterion"))
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0
        ):
            raise ValidationError(
                _("the lottery seed must be a non-negative integer, got {seed!r}", seed=self.seed)
            )
        if TieCriterion.LOTTERY in self.criteria and self.seed is None:
            raise ValidationError(
                _("the lottery criterion needs a seed"),
                hint=_("TieBreak.parse('lottery', seed=42)"),
            )

    @classmethod
    @checked
    def parse(cls, text: str, *, seed: int | None = None) -> TieBreak:
        """Parse a comma-separated chain such as ``"min-cost,max-votes,id"``.

        ``"lottery:42"`` sets the seed inline.
        """
        parts = [p.strip() for p in text.split(",")]
        if not all(parts):
            raise ValidationError(
                _("tie-breaking chain {text!r} has an empty criterion", text=text),
                hint=_("separate criteria with single commas, e.g. 'min-cost,id'"),
            )
        crit: list[str] = []
        for p in parts:
            if p.startswith("lottery:"):
                try:
                    seed = int(p.split(":", 1)[1])
                except ValueError:
                    raise ValidationError(_("bad lottery seed in {p!r}", p=p)) from None
                p = "lottery"
            crit.append(p)
        return cls(tuple(crit), seed=seed)

    @property
    def refuses(self) -> bool:
        """Whether a remaining tie raises instead of being settled."""
        return TieCriterion.REFUSE in self.criteria

    def __str__(self) -> str:
        text = ",".join(c.value for c in self.criteria)
        return text.replace("lottery", f"lottery:{self.seed}") if self.seed is not None else text

    @checked
    def resolver(self, election: Election) -> TieResolver:
        """Precompute each project's priority for one election."""
        return self._resolve(election.project_ids, election.costs, election.support)

    @checked
    def over_projects(
        self, projects: Iterable[Project], *, support: npt.ArrayLike | None = None
    ) -> TieResolver:
        """Precompute each project's priority for projects that no election holds.

        Ranking proposals before anyone votes (:mod:`participa.feasibility.prioritisation`)
        needs ties settled over the projects alone. ``support`` (one weighted count per
        project, in order) feeds ``max-votes`` / ``min-votes``; without it every project
        has 0 votes, as in an election nobody voted in yet.

        >>> from participa.model import Project
        >>> ps = [Project("b", 10), Project("a", 30), Project("c", 10)]
        >>> TieBreak.parse("min-cost,id").over_projects(ps).order([0, 1, 2])
        [0, 2, 1]
        >>> TieBreak.parse("max-votes,id").over_projects(ps, support=[1, 0, 5]).order([0, 1, 2])
        [2, 0, 1]
        """
        ps = tuple(projects)
        ids = tuple(p.id for p in ps)
        seen: set[str] = set()
        for pid in ids:
            if pid in seen:
                raise ValidationError(_("duplicate project id"), project_id=pid)
            seen.add(pid)
        costs = np.array([p.cost for p in ps], dtype=np.int64)
        if support is None:
            votes = np.zeros(len(ps), np.int64)
        else:
            votes = np.asarray(support)
            if votes.shape != (len(ps),) or not np.issubdtype(votes.dtype, np.integer):
                raise ValidationError(
                    _(
                        "support must hold one whole number per project ({count}), got {value!r}",
                        count=len(ps),
                        value=support,
                    )
                )
            votes = votes.astype(np.int64)
        return self._resolve(ids, costs, lambda: votes)

    def _resolve(
        self,
        ids: tuple[str, ...],
        costs: npt.NDArray[np.int64],
        votes: Callable[[], npt.NDArray[np.int64]],
    ) -> TieResolver:
        m = len(ids)
        support: npt.NDArray[np.int64] | None = None
        before_refuse: list[npt.NDArray[Any]] = []
        for c in self.criteria:
            if c is TieCriterion.REFUSE:
                break
            if c is TieCriterion.ID:
                key = _id_rank(ids)
            elif c is TieCriterion.FILE_ORDER:
                key = np.arange(m)
            elif c is TieCriterion.MIN_COST:
                key = costs.copy()
            elif c is TieCriterion.MAX_COST:
                key = -costs
            elif c in (TieCriterion.MAX_VOTES, TieCriterion.MIN_VOTES):
                support = votes() if support is None else support
                key = -support if c is TieCriterion.MAX_VOTES else support.copy()
            else:  # LOTTERY
                key = np.random.default_rng(self.seed).permutation(m)
            before_refuse.append(key)
        fallback = [_id_rank(ids), np.arange(m)]
        order = np.lexsort(tuple(reversed(before_refuse + fallback)))
        priority = np.empty(m, np.int64)
        priority[order] = np.arange(m)
        if self.refuses:
            if before_refuse:
                stacked = np.stack(before_refuse, axis=1)
                _rows, klass = np.unique(stacked, axis=0, return_inverse=True)
                klass = klass.ravel().astype(np.int64)
            else:
                klass = np.zeros(m, np.int64)
        else:
            klass = priority
        return TieResolver(self, ids, priority, klass)


def _id_rank(ids: Sequence[str]) -> npt.NDArray[np.int64]:
    order = sorted(range(len(ids)), key=lambda j: ids[j])
    rank = np.empty(len(ids), np.int64)
    rank[order] = np.arange(len(ids))
    return rank


@attrs.frozen(slots=True, eq=False, field_transformer=typed_fields)
class TieResolver:
    """A :class:`TieBreak` applied to one election: a priority per project.

    ``priority[j]`` is project ``j``'s place in the total tie order (0 wins).
    ``klass[j]`` is equal for projects the criteria before ``refuse`` cannot tell apart.
    """

    tie_break: TieBreak
    project_ids: tuple[str, ...]
    priority: npt.NDArray[np.int64]
    klass: npt.NDArray[np.int64]

    def pick(self, tied: Sequence[int] | npt.NDArray[np.integer[Any]]) -> int:
        """The winner among tied project indices; raises under ``refuse`` if still tied."""
        idx = np.asarray(tied, dtype=np.int64)
        if idx.size == 0:
            raise ValidationError(_("no candidates to break a tie between"))
        best = int(idx[np.argmin(self.priority[idx])])
        if self.tie_break.refuses and idx.size > 1:
            same = idx[self.klass[idx] == self.klass[best]]
            if same.size > 1:
                self._refuse(same)
        return best

    def order(self, indices: Sequence[int] | npt.NDArray[np.integer[Any]]) -> list[int]:
        """Indices sorted by priority (tie winners first)."""
        idx = np.asarray(indices, dtype=np.int64)
        return [int(j) for j in idx[np.argsort(self.priority[idx], kind="stable")]]

    def rank_by(self, score: npt.ArrayLike, *, descending: bool = True) -> list[int]:
        """All projects sorted by ``score`` (best first), ties by priority.

        Under ``refuse``, raises if two projects that the chain cannot tell apart
        share a score.
        """
        s = np.asarray(score)
        primary = -s if descending else s
        order = np.lexsort((self.priority, primary))
        if self.tie_break.refuses and order.size > 1:
            a, b = order[:-1], order[1:]
            clash = (s[a] == s[b]) & (self.klass[a] == self.klass[b])
            if clash.any():
                k = int(np.flatnonzero(clash)[0])
                tied = order[(s[order] == s[a[k]]) & (self.klass[order] == self.klass[a[k]])]
                self._refuse(tied)
        return [int(j) for j in order]

    def _refuse(self, tied: npt.NDArray[np.int64]) -> None:
        ids = sorted(self.project_ids[int(j)] for j in tied)
        raise TieError(
            _(
                "tie between projects {ids} under tie-breaking {tie_break!r}",
                ids=ids,
                tie_break=str(self.tie_break),
            ),
            tied=ids,
            hint=_("pass another tie_break, e.g. TieBreak.parse('min-cost,id')"),
        )


DEFAULT_TIE_BREAK = TieBreak()
"""The default tie-breaking of every rule (project id, as the reference library does).

Every rule takes ``tie_break: TieBreak = DEFAULT_TIE_BREAK``.
"""
