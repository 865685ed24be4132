"""Multi-criteria prioritisation: a criteria matrix, exact scores, a ranking, a greedy selection.

A :class:`CriteriaMatrix` holds criteria with weights summing to 1, each with a
score scale and a normalisation to ``[0, 1]``. :meth:`CriteriaMatrix.rank` scores
every project exactly (``fractions.Fraction``), shows each criterion's contribution
(weight × normalised value) and orders the projects, ties settled by a
:class:`~participa.TieBreak`. :func:`select_by_ranking` then funds them in rank order,
taking each that fits the money left and skipping the others.

Examples
--------
>>> from participa.model import Project
>>> m = CriteriaMatrix((
...     PriorityCriterion("poverty", Fraction(3, 5)),
...     PriorityCriterion("beneficiaries", Fraction(2, 5), source="beneficiaries",
...                       normalisation=Normalisation.MAX),
... ), name="demo")
>>> ps = [Project("A", 10, beneficiaries=200), Project("B", 10, beneficiaries=400)]
>>> r = m.rank(ps, raw={"A": {"poverty": 1}, "B": {"poverty": Fraction(1, 2)}})
>>> r.order
('A', 'B')
>>> print(r.to_text())
demo: 2 projects ranked
rank  id  score   poverty  beneficiaries
----  --  ------  -------  -------------
1     A   0.8000  0.6000   0.2000
2     B   0.7000  0.3000   0.4000
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal

import attrs
import numpy as np

from participa import serialize
from participa._tabular import Tabular
from participa.allocation.criteria import Normalisation
from participa.boundary import checked, typed_fields
from participa.cofinancing import CofinancingPlan, financing
from participa.display import html_table
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.feasibility._base import ProposalDetails
from participa.i18n import _, ngettext, use_language
from participa.model import Election, Project
from participa.outcome import Outcome, TraceStep
from participa.tiebreak import TieBreak

__all__ = [
    "CriteriaMatrix",
    "Normalisation",
    "PriorityCriterion",
    "RankedProject",
    "Ranking",
    "institution_cofinancing_shares",
    "peru_matrix",
    "select_by_ranking",
    "ves_2005_matrix",
]

Number = int | float | str | Fraction


def _fraction(value: object) -> Fraction:
    return to_fraction(value, what=_("criterion value"))


PRIORITY_NORMALISATIONS = (Normalisation.SCALE, Normalisation.MIN_MAX, Normalisation.MAX)
"""The normalisations a prioritisation criterion can use (see
:class:`participa.allocation.Normalisation`)."""


Missing = Literal["error", "worst"]
"""What :meth:`CriteriaMatrix.rank` does with a missing value: raise, or score it 0."""

DEFAULT_TIE_BREAK = TieBreak()
"""Equal scores go to the smaller project id."""


def _tie_break(value: object) -> TieBreak:
    if value is None:  # accepted for compatibility: the default
        return DEFAULT_TIE_BREAK
    if not isinstance(value, TieBreak):
        raise ValidationError(
            _("tie_break must be a TieBreak, got {value!r}", value=value),
            hint=_("e.g. TieBreak.parse('min-cost,id')"),
        )
    return value


SOURCES = ("beneficiaries", "households", "cost")
"""Built-in raw-value sources besides ``indicator:NAME``."""


@serialize.register("participa.feasibility.PriorityCriterion")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class PriorityCriterion:
    """One criterion of a matrix.

    Parameters
    ----------
    id
        Short name (``"poverty"``); the default source of raw values is the
        project's ``ProposalDetails.indicators[id]``.
    weight
        Weight in ``[0, 1]``; a matrix's weights sum to exactly 1.
    label
        Human-readable name.
    normalisation
        See :class:`Normalisation`.
    lo, hi
        The published score scale (used by ``SCALE``).
    higher_is_better
        ``False`` reverses the normalised value (``1 − v``).
    source
        ``None`` (``indicators[id]``), ``"indicator:NAME"``, ``"beneficiaries"``
        (``Project.beneficiaries``), ``"households"`` or ``"cost"``.
    group
        A heading grouping sub-criteria (``"basic services"``).
    """

    id: str
    weight: Fraction = attrs.field(converter=_fraction)
    label: str = ""
    normalisation: Normalisation = Normalisation.SCALE
    lo: Fraction = attrs.field(default=Fraction(0), converter=_fraction)
    hi: Fraction = attrs.field(default=Fraction(1), converter=_fraction)
    higher_is_better: bool = True
    source: str | None = None
    group: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValidationError(
                _("criterion id must be a non-empty string, got {id!r}", id=self.id)
            )
        if self.normalisation not in PRIORITY_NORMALISATIONS:
            raise ValidationError(
                _(
                    "criterion {id!r}: prioritisation cannot use normalisation {value}",
                    id=self.id,
                    value=getattr(self, "normalisation", None),
                ),
                hint=_(
                    "use one of: {choices}",
                    choices=", ".join(f"Normalisation.{n.name}" for n in PRIORITY_NORMALISATIONS),
                ),
            )
        if not isinstance(self.higher_is_better, bool) or not isinstance(self.label, str):
            raise ValidationError(
                _(
                    "criterion {id!r}: higher_is_better must be a bool and label a string",
                    id=self.id,
                )
            )
        if not 0 <= self.weight <= 1:
            raise ValidationError(_("criterion {id!r}: weight must be in [0, 1]", id=self.id))
        if self.normalisation is Normalisation.SCALE and not self.lo < self.hi:
            raise ValidationError(_("criterion {id!r}: the scale needs lo < hi", id=self.id))
        s = self.source
        if s is not None and s not in SOURCES and not s.startswith("indicator:"):
            raise ValidationError(
                _("criterion {id!r}: unknown source {s!r}", id=self.id, s=s),
                hint=_(
                    "use None, 'indicator:NAME' or one of {SOURCES}", SOURCES=", ".join(SOURCES)
                ),
            )

    def value(
        self,
        project: Project,
        details: ProposalDetails | None,
        raw: Mapping[str, Number] | None,
    ) -> Fraction | None:
        """The raw value for a project: ``raw[id]`` first, then the declared source."""
        if raw is not None and self.id in raw:
            return _fraction(raw[self.id])
        s = self.source
        if s == "beneficiaries":
            b = project.beneficiaries
            return None if b is None else Fraction(b)
        if s == "households":
            h = None if details is None else details.households
            return None if h is None else Fraction(h)
        if s == "cost":
            return Fraction(project.cost)
        key = self.id if s is None else s[len("indicator:") :]
        if details is None:
            return None
        return details.indicators.get(key)


def _criteria(value: Iterable[PriorityCriterion]) -> tuple[PriorityCriterion, ...]:
    return tuple(value)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@serialize.register("participa.feasibility.RankedProject")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class RankedProject:
    """One row of a ranking.

    Parameters
    ----------
    project_id
        The project.
    rank
        1-based position (ties already settled).
    score
        Sum of the contributions, in ``[0, 1]``.
    contributions
        Each criterion's ``weight × normalised value``.
    raw
        The raw values used (criteria without a value are absent: scored as worst).
    """

    project_id: str
    rank: int
    score: Fraction
    contributions: Mapping[str, Fraction] = attrs.field(converter=_frozen, hash=False)
    raw: Mapping[str, Fraction] = attrs.field(converter=_frozen, hash=False)


def _entries(value: Iterable[RankedProject]) -> tuple[RankedProject, ...]:
    return tuple(value)


@serialize.register("participa.feasibility.Ranking")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Ranking(Tabular):
    """Projects in priority order with their scores and each criterion's contribution.

    ``order`` feeds :func:`select_by_ranking` (or any greedy-by-rank selection).
    """

    name: str
    criteria: tuple[str, ...] = attrs.field(converter=_str_tuple)
    weights: Mapping[str, Fraction] = attrs.field(converter=_frozen, hash=False)
    entries: tuple[RankedProject, ...] = attrs.field(converter=_entries)
    tie_break: str = "id"

    @property
    def order(self) -> tuple[str, ...]:
        """Project ids, best first."""
        return tuple(e.project_id for e in self.entries)

    def __repr__(self) -> str:
        from participa.display import summary

        first = ", ".join(self.order[:3]) + (", …" if len(self.order) > 3 else "")
        return summary(
            "Ranking",
            self.name,
            [ngettext("{n} project", "{n} projects", len(self.entries)), first],
        )

    def scores(self) -> dict[str, Fraction]:
        """Each project's score, in rank order."""
        return {e.project_id: e.score for e in self.entries}

    def entry(self, project_id: str) -> RankedProject:
        """One project's row."""
        for e in self.entries:
            if e.project_id == project_id:
                return e
        raise ValidationError(_("project not in this ranking"), project_id=project_id)

    def score_vector(self, election: Election) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Scores as floats in the election's project order (``nan`` for unranked projects)."""
        s = self.scores()
        return np.array([float(s[p]) if p in s else np.nan for p in election.project_ids])

    def _rows(self) -> list[list[str]]:
        return [
            [str(e.rank), e.project_id, f"{float(e.score):.4f}"]
            + [f"{float(e.contributions.get(c, 0)):.4f}" for c in self.criteria]
            for e in self.entries
        ]

    @property
    def caption(self) -> str:
        """``NAME: n projects ranked``."""
        return _(
            "{name}: {projects} ranked",
            name=self.name,
            projects=ngettext("{n} project", "{n} projects", len(self.entries)),
        )

    def to_text(self, *, lang: str | None = None) -> str:
        """A plain-text table: rank, id, score and each criterion's contribution.

        ``lang`` picks the language of the caption and headers (``None``: the current one).
        """
        if lang is not None:
            with use_language(lang):
                return self.to_text()
        header = [_("rank"), _("id"), _("score"), *self.criteria]
        rows = self._rows()
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        return "\n".join(
            [self.caption, line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
        )

    def __str__(self) -> str:
        return self.to_text()

    def to_html(self, *, lang: str | None = None) -> str:
        """The ranking as an HTML table (``lang``: the language of caption and headers)."""
        with use_language(lang):
            return html_table(
                [_("rank"), _("id"), _("score"), *self.criteria], self._rows(), caption=self.caption
            )

    def _repr_html_(self) -> str:
        return self.to_html()


@serialize.register("participa.feasibility.CriteriaMatrix")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class CriteriaMatrix:
    """Criteria with weights summing to exactly 1.

    Parameters
    ----------
    criteria
        The criteria (unique ids).
    name
        Shown in rankings.
    source
        Where the matrix and its weights come from, for reports.

    Examples
    --------
    >>> CriteriaMatrix((PriorityCriterion("a", 0.5), PriorityCriterion("b", 0.4)))
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: criteria weights must sum to 1, got 9/10 (...)
    """

    criteria: tuple[PriorityCriterion, ...] = attrs.field(converter=_criteria)
    name: str = "criteria matrix"
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.criteria:
            raise ValidationError(_("a criteria matrix needs at least one criterion"))
        ids = [c.id for c in self.criteria]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValidationError(_("duplicate criterion ids: {dup}", dup=dup))
        total = sum((c.weight for c in self.criteria), Fraction(0))
        if total != 1:
            raise ValidationError(
                _("criteria weights must sum to 1, got {total}", total=total),
                hint=_("weights are exact: write 0.4 or Fraction(2, 5), not 0.33"),
            )

    @property
    def weights(self) -> dict[str, Fraction]:
        """Weights by criterion id."""
        return {c.id: c.weight for c in self.criteria}

    def with_weights(self, weights: Mapping[str, Number]) -> CriteriaMatrix:
        """The same matrix with some weights replaced (the sum must still be 1)."""
        unknown = sorted(set(weights) - {c.id for c in self.criteria})
        if unknown:
            raise ValidationError(_("unknown criteria: {unknown}", unknown=unknown))
        return attrs.evolve(
            self,
            criteria=tuple(
                attrs.evolve(c, weight=_fraction(weights[c.id])) if c.id in weights else c
                for c in self.criteria
            ),
        )

    def normalised(
        self, criterion: PriorityCriterion, values: Sequence[Fraction | None]
    ) -> list[Fraction]:
        """Normalise one criterion's raw values (``None``: worst, i.e. 0)."""
        known = [v for v in values if v is not None]
        out: list[Fraction] = []
        for v in values:
            if v is None:
                out.append(Fraction(0))
                continue
            n: Fraction
            if criterion.normalisation is Normalisation.SCALE:
                n = (v - criterion.lo) / (criterion.hi - criterion.lo)
                n = min(Fraction(1), max(Fraction(0), n))
            elif criterion.normalisation is Normalisation.MIN_MAX:
                lo, hi = min(known), max(known)
                n = Fraction(1) if hi == lo else (v - lo) / (hi - lo)
            else:
                if v < 0:
                    raise ValidationError(
                        _(
                            "criterion {id!r}: MAX normalisation needs values >= 0, got {v}",
                            id=criterion.id,
                            v=v,
                        )
                    )
                hi = max(known)
                n = Fraction(0) if hi == 0 else v / hi
            out.append(n if criterion.higher_is_better else 1 - n)
        return out

    def rank(
        self,
        projects: Election | Iterable[Project],
        *,
        details: Mapping[str, ProposalDetails] | None = None,
        raw: Mapping[str, Mapping[str, Number]] | None = None,
        missing: Missing = "error",
        tie_break: TieBreak = DEFAULT_TIE_BREAK,
    ) -> Ranking:
        """Score and order the projects.

        Parameters
        ----------
        projects
            The projects (usually the eligible ones) or an election.
        details
            Proposal details keyed by id (their ``indicators`` hold raw values).
        raw
            Raw values ``raw[project_id][criterion_id]``, taking precedence.
        missing
            ``"error"`` (default): a missing value raises naming project and
            criterion; ``"worst"``: it scores 0 on that criterion.
        tie_break
            Settles equal scores (default: project id).
        """
        if missing not in ("error", "worst"):
            raise ValidationError(
                _("missing must be 'error' or 'worst', got {missing!r}", missing=missing)
            )
        election: Election | None
        if isinstance(projects, Election):
            election, ps = projects, projects.projects
        elif isinstance(projects, str) or not isinstance(projects, Iterable):  # type: ignore[unreachable]
            raise ValidationError(
                _("rank needs an Election or projects, got {value!r}", value=projects)
            )
        else:
            election, ps = None, tuple(projects)
            for p in ps:
                if not isinstance(p, Project):
                    raise ValidationError(_("rank needs Project values, got {value!r}", value=p))
        details = details or {}
        raw = raw or {}
        unknown = sorted(set(raw) - {p.id for p in ps})
        if unknown:
            raise ValidationError(
                _("raw values for projects not ranked: {unknown}", unknown=unknown),
                project_id=unknown[0],
                hint=_("pass raw values only for the projects you rank"),
            )
        values: dict[str, list[Fraction | None]] = {}
        for c in self.criteria:
            col = [c.value(p, details.get(p.id), raw.get(p.id)) for p in ps]
            if missing == "error":
                for p, v in zip(ps, col, strict=True):
                    if v is None:
                        where = (
                            f"indicators[{c.id!r}]"
                            if c.source is None
                            else c.source.replace("indicator:", "indicators:")
                        )
                        raise ValidationError(
                            _("cannot rank: criterion {id!r} has no value", id=c.id),
                            project_id=p.id,
                            hint=_(
                                "give raw[{id!r}][{id2!r}] or the project's {where}, or pass "
                                "missing='worst'",
                                id=p.id,
                                id2=c.id,
                                where=where,
                            ),
                        )
            values[c.id] = col
        contrib = {
            c.id: [c.weight * n for n in self.normalised(c, values[c.id])] for c in self.criteria
        }
        scores = [
            sum((contrib[c.id][j] for c in self.criteria), Fraction(0)) for j in range(len(ps))
        ]
        tb = _tie_break(tie_break)
        resolver = tb.resolver(election) if election is not None else tb.over_projects(ps)
        distinct = sorted(set(scores))
        key = np.array([distinct.index(s) for s in scores], dtype=np.int64)
        order = resolver.rank_by(key) if ps else []
        entries = [
            RankedProject(
                ps[j].id,
                r + 1,
                scores[j],
                {c.id: contrib[c.id][j] for c in self.criteria},
                {c.id: values[c.id][j] for c in self.criteria if values[c.id][j] is not None},
            )
            for r, j in enumerate(order)
        ]
        return Ranking(self.name, [c.id for c in self.criteria], self.weights, entries, str(tb))


@checked
def ves_2005_matrix(
    *,
    cofinancing: Number = Fraction(1, 4),
    poverty: Number = Fraction(1, 4),
    environment: Number = Fraction(1, 4),
    beneficiaries: Number = Fraction(1, 4),
) -> CriteriaMatrix:
    """Villa El Salvador's planned 2005 criteria (seed paper), with weights as parameters.

    The paper names the criteria but no weights: the equal default weights are
    **illustrative**. Raw values: ``cofinancing`` is the share of the cost co-financed by
    other institutions (0–1; see :func:`institution_cofinancing_shares`),
    ``poverty`` and ``environment`` the technical team's scores on 0–1 (poverty
    alleviation; physical or security environmental improvement), ``beneficiaries`` the
    project's beneficiaries (normalised by the largest).

    >>> m = ves_2005_matrix(beneficiaries=0.4, cofinancing=0.2, poverty=0.2, environment=0.2)
    >>> {k: str(w) for k, w in m.weights.items()}
    {'cofinancing': '1/5', 'poverty': '1/5', 'environment': '1/5', 'beneficiaries': '2/5'}
    """
    return CriteriaMatrix(
        (
            PriorityCriterion("cofinancing", cofinancing, "co-financing by other institutions"),
            PriorityCriterion("poverty", poverty, "poverty alleviation"),
            PriorityCriterion("environment", environment, "environmental improvement"),
            PriorityCriterion(
                "beneficiaries",
                beneficiaries,
                "number of beneficiaries",
                normalisation=Normalisation.MAX,
                source="beneficiaries",
            ),
        ),
        name="VES 2005 criteria",
        source="seed paper (criteria planned for 2005); weights illustrative",
    )


@checked
def peru_matrix(
    *,
    poverty: Number = Fraction(2, 5),
    basic_services: Number = Fraction(3, 10),
    technical: Number = Fraction(3, 10),
    basic_services_split: tuple[Number, Number, Number] = (1, 1, 1),
) -> CriteriaMatrix:
    """A published Peruvian prioritisation matrix (DOMAIN.md §1; origin **unverified**).

    Poverty level 40% (raw: the poverty-gap value, 0–1); access to basic services 30%,
    split into coverage, nearness and rurality (10 points each; raw: points 0–10);
    technical evaluation of the project 30% (raw: points 0–30). Weights are parameters;
    ``basic_services_split`` divides the basic-services weight among its three parts.

    >>> [(c.id, str(c.weight)) for c in peru_matrix().criteria]  # doctest: +NORMALIZE_WHITESPACE
    [('poverty', '2/5'), ('coverage', '1/10'), ('nearness', '1/10'), ('rurality', '1/10'),
     ('technical', '3/10')]
    """
    if isinstance(basic_services_split, str) or len(basic_services_split) != 3:
        raise ValidationError(
            _(
                "basic_services_split needs three parts (coverage, nearness, rurality), "
                "got {value!r}",
                value=basic_services_split,
            )
        )
    parts = [_fraction(x) for x in basic_services_split]
    if any(x < 0 for x in parts) or sum(parts) == 0:
        raise ValidationError(_("basic_services_split needs non-negative parts, not all 0"))
    bs = _fraction(basic_services)
    total = sum(parts, Fraction(0))
    sub = [bs * x / total for x in parts]
    group = "basic services"
    return CriteriaMatrix(
        (
            PriorityCriterion("poverty", poverty, "poverty level (poverty gap)"),
            PriorityCriterion("coverage", sub[0], "coverage", hi=10, group=group),
            PriorityCriterion("nearness", sub[1], "nearness", hi=10, group=group),
            PriorityCriterion("rurality", sub[2], "rurality", hi=10, group=group),
            PriorityCriterion("technical", technical, "technical evaluation", hi=30),
        ),
        name="Peruvian prioritisation matrix",
        source="DOMAIN.md §1 (published matrix, origin unverified)",
    )


@checked
def institution_cofinancing_shares(
    plan: CofinancingPlan, projects: Iterable[Project]
) -> dict[str, Fraction]:
    """Share of each project's cost pledged by other institutions (at most 1), for the VES
    ``cofinancing`` criterion: use it as ``raw={pid: {"cofinancing": share}}``.

    >>> from participa.cofinancing import ContributorKind, Pledge
    >>> plan = CofinancingPlan((Pledge.money("N", "A", 250,
    ...                                      source=ContributorKind.INSTITUTION),))
    >>> institution_cofinancing_shares(plan, [Project("A", 1000), Project("B", 0)])
    {'A': Fraction(1, 4), 'B': Fraction(0, 1)}
    """
    out: dict[str, Fraction] = {}
    for p in projects:
        given = financing(plan, p).institutions
        out[p.id] = Fraction(0) if p.cost == 0 else min(Fraction(1), Fraction(given, p.cost))
    return out


@checked
def select_by_ranking(
    election: Election,
    ranking: Ranking | Sequence[str],
    *,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Fund projects greedily in rank order: take each that fits the money left, skip the rest.

    Parameters
    ----------
    election
        The election (usually ``election.restrict(report.eligible)``).
    ranking
        A :class:`Ranking` (equal scores are re-settled by ``tie_break`` on this
        election) or project ids best first.
    tie_break
        Settles equal scores of a :class:`Ranking` (default: project id).

    Returns
    -------
    Outcome
        Rule ``"ranking-greedy"``; the trace says why each project was selected or
        skipped. Ranked projects not in the election are noted and ignored; election
        projects missing from the ranking are not funded.

    Examples
    --------
    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(100, (Project("a", 60), Project("b", 50), Project("c", 30)),
    ...              Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], []))
    >>> o = select_by_ranking(e, ["b", "a", "c"])
    >>> o.selected, o.total_cost
    (('b', 'c'), 80)
    >>> print(o.explain())
    [1] select b: rank 1 fits (cost=50, left=50)
    [2] skip a: rank 2 does not fit (cost=60, left=50)
    [3] select c: rank 3 fits (cost=30, left=20)
    """
    if not isinstance(election, Election):
        raise ValidationError(_("a rule needs an Election, got {value!r}", value=election))
    index = {p: j for j, p in enumerate(election.project_ids)}
    tb = _tie_break(tie_break)
    if isinstance(ranking, Ranking):
        score = {e.project_id: e.score for e in ranking.entries}
        ranked = [p for p in ranking.order if p in index]
        distinct = sorted({score[p] for p in ranked})
        key = np.full(len(index), -1, dtype=np.int64)
        for p in ranked:
            key[index[p]] = distinct.index(score[p])
        resolver = tb.resolver(election)
        order_idx = [j for j in resolver.rank_by(key) if key[j] >= 0]
        order = [election.project_ids[j] for j in order_idx]
        all_ranked: Sequence[str] = ranking.order
    else:
        all_ranked = list(ranking)
        dup = sorted({p for p in all_ranked if all_ranked.count(p) > 1})
        if dup:
            raise ValidationError(
                _("a ranking names projects twice: {dup}", dup=dup), project_id=dup[0]
            )
        order = [p for p in all_ranked if p in index]
    trace: list[TraceStep] = []
    left = election.budget
    chosen: list[int] = []
    for r, pid in enumerate(order, start=1):
        j = index[pid]
        cost = int(election.costs[j])
        if cost <= left:
            left -= cost
            chosen.append(j)
            trace.append(
                TraceStep(r, "select", pid, _("rank {r} fits", r=r), {"cost": cost, "left": left})
            )
        else:
            trace.append(
                TraceStep(
                    r, "skip", pid, _("rank {r} does not fit", r=r), {"cost": cost, "left": left}
                )
            )
    stray = [p for p in all_ranked if p not in index]
    if stray:
        trace.append(
            TraceStep(
                len(order) + 1,
                "info",
                None,
                _("ranked projects not in this election, ignored: {stray}", stray=", ".join(stray)),
            )
        )
    unranked = [p for p in election.project_ids if p not in set(order)]
    if unranked:
        trace.append(
            TraceStep(
                len(order) + 1,
                "info",
                None,
                _("projects not ranked, not funded: {unranked}", unranked=", ".join(unranked)),
            )
        )
    return Outcome.from_selection(
        election,
        chosen,
        rule="ranking-greedy",
        trace=trace,
        params={"tie_break": str(tb)},
    )
