"""Proportionality and efficiency checks: JR, PJR, EJR (and their "up to" forms),
priceability with a price-system certificate, Pareto swaps and exhaustiveness.

Every check is exact (integers and :class:`~fractions.Fraction`) and needs nothing
beyond numpy. Satisfaction is additive: voter ``i`` gets ``u_i(W) = sum of u_i(c)``
over the funded set ``W``, with ``u`` the integer utility matrix of
:func:`participa.rules.utility.utility_matrix` (``cost`` for approval ballots by default,
i.e. "money spent on projects I approved"; ``count`` gives the cardinality measure;
``points`` and ``borda`` give cardinal utilities). Voter weights count as that many voters.

Definitions (``n`` total voter weight, ``b`` the budget, ``S`` a group of voters,
``T`` a set of projects every member of ``S`` values positively,
``α(c) = min over S of u_i(c)``, ``thr = sum of α(c) over T``)

* ``S`` is **T-cohesive** when ``weight(S) * b >= n * cost(T)``: its share of the
  budget pays for ``T``.
* **EJR**: every T-cohesive ``S`` has a member with ``u_i(W) >= thr``.
  **up to one**: ... or a member and a project ``a`` in ``T \\ W`` with
  ``u_i(W) + u_i(a) > thr``. **up to any**: ... or a member with
  ``u_i(W) + u_i(a) > thr`` for *every* ``a`` in ``T \\ W``.
* **PJR**: every T-cohesive ``S`` has ``sum over c in W of max over S of u_i(c) >= thr``
  (the group as a whole is served), with the same "up to" relaxations using
  ``max over S of u_i(a)`` for the added project.
* **JR**: no T-cohesive group with a single project ``T = {c}`` is left with
  nothing: some member values some funded project.

EJR ⇒ PJR ⇒ JR, EJR ⇒ EJR up to any ⇒ EJR up to one, and likewise for PJR. For approval
ballots with ``cost`` (or ``count``) utilities these are the usual approval-based
definitions (T inside every member's ballot, satisfaction = cost or number of approved
funded projects); the "up to" forms use a strict ``>`` as in the literature.

Complexity
----------
* :func:`check_jr` is polynomial: ``O(groups × projects)`` with numpy.
* Deciding EJR or PJR is coNP-hard already for committee elections (unit costs), so
  :func:`check_ejr` and :func:`check_pjr` search exactly over candidate sets ``T``,
  pruned by cohesion (a superset of a set no group can afford is never visited:
  its cost grows while its supporters shrink), over the thresholds ``α`` that occur in the
  data (one per project for approval ballots), and — for PJR — over the group's maximal
  utilities on the funded projects (subsets of ``W`` cheaper than ``thr`` for
  approval ballots). The number of candidates examined is bounded by ``max_subsets``;
  when the bound would be exceeded they raise :class:`SearchLimitExceeded` rather than
  answer wrongly. On real pabulib instances the cohesion pruning keeps EJR to a few
  thousand candidates.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(2, [Project(x, 1) for x in "abcd"], Profile.from_ballots(
...     BallotKind.APPROVAL, list("abcd"), [["a", "b"], ["a", "b"], ["c", "d"], ["c", "d"]]))
>>> check_ejr(e, ["a", "c"]).satisfied
True
>>> report = check_ejr(e, ["a", "b"], utility="count")
>>> report.satisfied, report.violation.projects
(False, ('c',))
>>> check_jr(e, ["a", "b"]).satisfied
False
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa.analysis import priceability as _priceability
from participa.errors import RuleError, ValidationError
from participa.i18n import _, use_language
from participa.model import Election
from participa.money import Currency
from participa.outcome import Outcome
from participa.rules.utility import Utility, default_utility, parse_utility, utility_matrix

__all__ = [
    "AxiomReport",
    "ParetoSwap",
    "PriceSystem",
    "SearchLimitExceeded",
    "UpTo",
    "Violation",
    "check_ejr",
    "check_jr",
    "check_pjr",
    "check_price_system",
    "find_price_system",
    "is_exhaustive",
    "pareto_swaps",
    "still_affordable",
]

UpTo = Literal["none", "one", "any"]
"""How far an EJR/PJR check relaxes the axiom: exactly, up to one project, up to any."""
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_MAX_SUBSETS = 200_000


class SearchLimitExceeded(RuleError):  # noqa: N818 - reads better at the call site
    """An exact axiom search would examine more than ``max_subsets`` candidates."""


@serialize.register("participa.analysis.Violation")
@attrs.frozen(slots=True)
class Violation:
    """A witness that an axiom fails: a group of voters and a set of projects.

    Parameters
    ----------
    axiom
        The axiom violated (``"EJR up to one"``, ...).
    projects
        The set ``T`` the group could afford, by id.
    groups
        Profile rows forming the group ``S`` (every voter of each row belongs to it).
    group_weight
        Total weight of ``S``; ``group_weight * budget >= voters * cost(T)``.
    threshold
        What the axiom promises the group: ``sum over T of min over S of u_i(c)``.
    achieved
        What the group got: the best member's satisfaction (EJR) or the group's joint
        satisfaction (PJR, JR).
    """

    axiom: str
    projects: tuple[str, ...]
    groups: tuple[int, ...]
    group_weight: int
    threshold: int
    achieved: int

    def __str__(self) -> str:
        return self.describe()

    def describe(self, amount: Callable[[int], str] = str) -> str:
        """The witness as a sentence; ``amount`` formats utilities (money for the cost utility)."""
        return _(
            "{axiom} fails: {voters} voters (profile rows {rows}) could afford {projects}, "
            "worth {threshold} to each, but get {achieved}",
            axiom=self.axiom,
            voters=self.group_weight,
            rows=list(self.groups),
            projects=list(self.projects),
            threshold=amount(self.threshold),
            achieved=amount(self.achieved),
        )


@serialize.register("participa.analysis.AxiomReport")
@attrs.frozen(slots=True)
class AxiomReport:
    """The answer of an axiom check.

    ``satisfied`` is exact. ``violation`` is a witness when it fails. ``examined``
    counts candidate ``(T, α)`` pairs (or groups) looked at.
    """

    axiom: str
    satisfied: bool
    violation: Violation | None = None
    examined: int = 0
    utility: str = ""
    currency: Currency = attrs.field(factory=Currency, eq=False)
    """How utilities read as money when the utility is ``cost`` (the election's currency)."""

    def _amount(self, value: int) -> str:
        return self.currency.format(value) if self.utility == "cost" else f"{value:,}"

    def to_text(self, *, lang: str | None = None) -> str:
        """One sentence: satisfied, or the witness of the violation (``lang``: its language)."""
        with use_language(lang):
            if self.satisfied or self.violation is None:
                return _(
                    "{axiom}: satisfied ({n} candidates examined)",
                    axiom=self.axiom,
                    n=f"{self.examined:,}",
                )
            return self.violation.describe(self._amount)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        from participa.display import summary

        verdict = _("satisfied") if self.satisfied else _("violated")
        return summary("AxiomReport", self.axiom, [verdict, self.utility])

    def to_html(self, *, lang: str | None = None) -> str:
        """The check as an HTML table, utilities as money for the cost utility."""
        from participa.display import html_table

        with use_language(lang):
            v = self.violation
            rows: list[tuple[str, object]] = [
                (_("axiom"), self.axiom),
                (_("utility"), self.utility),
                (_("satisfied"), _("yes") if self.satisfied else _("no")),
                (_("candidates examined"), f"{self.examined:,}"),
            ]
            if v is not None:
                rows += [
                    (_("projects T"), ", ".join(v.projects)),
                    (_("group weight"), f"{v.group_weight:,}"),
                    (_("promised"), self._amount(v.threshold)),
                    (_("achieved"), self._amount(v.achieved)),
                ]
            return html_table(("", ""), rows, caption=_("{axiom} check", axiom=self.axiom))

    def _repr_html_(self) -> str:
        return self.to_html()


# -- shared preparation ------------------------------------------------------------------------


def _selection_ids(election: Election, selection: Outcome | Iterable[str]) -> list[str]:
    ids = list(selection.selected) if isinstance(selection, Outcome) else list(selection)
    if isinstance(selection, str):
        raise ValidationError(
            "selection must be an Outcome or a collection of project ids, not a string",
            hint="wrap a single id in a list: ['P1']",
        )
    known = set(election.project_ids)
    for pid in ids:
        if pid not in known:
            raise ValidationError("selection names an unknown project", project_id=pid)
    return ids


def _selected_mask(election: Election, selection: Outcome | Iterable[str]) -> BoolArray:
    ids = set(_selection_ids(election, selection))
    return np.array([p in ids for p in election.project_ids], dtype=np.bool_)


@attrs.frozen(slots=True)
class _Setup:
    election: Election
    u: IntArray
    w: IntArray
    n: int
    budget: int
    costs: IntArray
    in_w: BoolArray
    u_w: IntArray
    utility: str

    def weight(self, mask: BoolArray) -> int:
        return int(self.w[mask].sum())

    def affordable(self, weight: int, cost: int) -> bool:
        return weight * self.budget >= self.n * cost


def _setup(
    election: Election, selection: Outcome | Iterable[str], utility: Utility | str | None
) -> _Setup:
    util = default_utility(election.kind) if utility is None else utility
    u = utility_matrix(election, parse_utility(util))
    in_w = _selected_mask(election, selection)
    w = election.profile.group_weight
    u_w: IntArray = u[:, in_w].sum(axis=1).astype(np.int64)
    return _Setup(
        election,
        u,
        w,
        int(w.sum()),
        election.budget,
        election.costs,
        in_w,
        u_w,
        str(util),
    )


def _name(axiom: str, up_to: UpTo) -> str:
    if up_to not in ("none", "one", "any"):
        raise ValidationError(f"up_to must be 'none', 'one' or 'any', got {up_to!r}")
    return axiom if up_to == "none" else f"{axiom} up to {up_to}"


# -- JR ----------------------------------------------------------------------------------------


def check_jr(
    election: Election,
    selection: Outcome | Iterable[str],
    *,
    utility: Utility | str | None = None,
) -> AxiomReport:
    """Justified representation, in polynomial time.

    Fails when, for some project ``c``, the voters who value ``c`` but no funded
    project could together afford ``c``.

    Parameters
    ----------
    election
        The election.
    selection
        An :class:`~participa.Outcome` or the funded project ids.
    utility
        ``"cost"``, ``"count"``, ``"points"`` or ``"borda"`` (default: by ballot kind).
        Only which projects a voter values matters for JR.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, [Project("a", 5), Project("b", 5)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
    >>> check_jr(e, ["a"]).satisfied, check_jr(e, ["a", "b"]).satisfied
    (False, True)
    """
    s = _setup(election, selection, utility)
    if not s.u.shape[0] or not s.u.shape[1]:
        return AxiomReport("JR", True, None, 0, s.utility, election.money)
    unserved = s.u_w == 0
    on = s.u > 0
    wt = (s.w * unserved) @ on  # weight of unserved voters valuing each project
    ok = wt.astype(object) * s.budget < s.costs.astype(object) * s.n
    bad = np.flatnonzero(~ok & (wt > 0))
    if bad.size == 0:
        return AxiomReport("JR", True, None, len(election.projects), s.utility, election.money)
    c = int(bad[0])
    rows = np.flatnonzero(unserved & on[:, c])
    v = Violation(
        "JR",
        (election.project_ids[c],),
        tuple(int(r) for r in rows),
        int(wt[c]),
        int(s.u[rows, c].min()),
        0,
    )
    return AxiomReport("JR", False, v, c + 1, s.utility, election.money)


# -- exact search over (T, α) -------------------------------------------------------------------


class _Counter:
    __slots__ = ("axiom", "count", "limit")

    def __init__(self, limit: int, axiom: str) -> None:
        self.count = 0
        self.limit = limit
        self.axiom = axiom

    def tick(self) -> None:
        self.count += 1
        if self.count > self.limit:
            raise SearchLimitExceeded(
                f"the exact {self.axiom} check would examine more than "
                f"max_subsets={self.limit} candidate groups",
                hint="raise max_subsets, or use check_jr (polynomial) on this election",
            )


def _search(
    s: _Setup,
    axiom: str,
    leaf: _LeafFn,
    max_subsets: int,
) -> AxiomReport:
    """Enumerate cohesive (T, α) and call ``leaf`` on each; first violation wins."""
    counter = _Counter(max_subsets, axiom)
    g, m = s.u.shape
    if g == 0 or m == 0:
        return AxiomReport(axiom, True, None, 0, s.utility)
    on = s.u > 0
    support = s.w @ on
    cand = [c for c in range(m) if s.affordable(int(support[c]), int(s.costs[c]))]

    def alphas(t: list[int], k: int, mask: BoolArray, thr: int, cost: int) -> Violation | None:
        if k == len(t):
            counter.tick()
            return leaf(s, t, mask, thr, cost)
        c = t[k]
        col = s.u[:, c]
        for level in np.unique(col[mask]):
            sub = mask & (col >= level)
            if not s.affordable(s.weight(sub), cost):
                break  # higher levels keep fewer voters
            found = alphas(t, k + 1, sub, thr + int(level), cost)
            if found is not None:
                return found
        return None

    def grow(t: list[int], start: int, mask: BoolArray, cost: int) -> Violation | None:
        for idx in range(start, len(cand)):
            c = cand[idx]
            new_cost = cost + int(s.costs[c])
            sub = mask & on[:, c]
            if not s.affordable(s.weight(sub), new_cost):
                continue
            t.append(c)
            found = alphas(t, 0, sub, 0, new_cost)
            if found is None:
                found = grow(t, idx + 1, sub, new_cost)
            t.pop()
            if found is not None:
                return found
        return None

    found = grow([], 0, np.ones(g, np.bool_), 0)
    return AxiomReport(axiom, found is None, found, counter.count, s.utility)


class _LeafFn:
    """Protocol-like base: evaluate one cohesive (T, α) candidate."""

    def __call__(
        self, s: _Setup, t: list[int], mask: BoolArray, thr: int, cost: int
    ) -> Violation | None:  # pragma: no cover - interface
        raise NotImplementedError


class _EjrLeaf(_LeafFn):
    def __init__(self, axiom: str, up_to: UpTo) -> None:
        self.axiom = axiom
        self.up_to = up_to

    def __call__(
        self, s: _Setup, t: list[int], mask: BoolArray, thr: int, cost: int
    ) -> Violation | None:
        unsat = mask & (s.u_w < thr)
        missing = [c for c in t if not s.in_w[c]]
        if self.up_to != "none":
            if not missing:
                return None
            extra = s.u_w[:, None] + s.u[:, missing] <= thr
            unsat &= extra.all(axis=1) if self.up_to == "one" else extra.any(axis=1)
        wt = s.weight(unsat)
        if wt == 0 or not s.affordable(wt, cost):
            return None
        rows = np.flatnonzero(unsat)
        return Violation(
            self.axiom,
            tuple(s.election.project_ids[c] for c in t),
            tuple(int(r) for r in rows),
            wt,
            thr,
            int(s.u_w[rows].max()),
        )


class _PjrLeaf(_LeafFn):
    def __init__(self, axiom: str, up_to: UpTo, counter_limit: int) -> None:
        self.axiom = axiom
        self.up_to = up_to
        self.counter = _Counter(counter_limit, axiom)

    def __call__(
        self, s: _Setup, t: list[int], mask: BoolArray, thr: int, cost: int
    ) -> Violation | None:
        funded = [c for c in np.flatnonzero(s.in_w) if s.u[mask, c].any()]
        missing = [c for c in t if not s.in_w[c]]
        if self.up_to != "none" and not missing:
            return None
        coords = [int(c) for c in funded] + (missing if self.up_to != "none" else [])
        n_funded = len(funded)

        def evaluate(sub: BoolArray) -> Violation | None:
            got = int(s.u[sub][:, funded].max(axis=0).sum()) if funded else 0
            if got >= thr:
                return None
            if self.up_to != "none":
                best = s.u[sub][:, missing].max(axis=0)
                add = int(best.max() if self.up_to == "one" else best.min())
                if got + add > thr:
                    return None
            rows = np.flatnonzero(sub)
            return Violation(
                self.axiom,
                tuple(s.election.project_ids[c] for c in t),
                tuple(int(r) for r in rows),
                s.weight(sub),
                thr,
                got,
            )

        def betas(k: int, sub: BoolArray, partial: int) -> Violation | None:
            if k == len(coords):
                self.counter.tick()
                return evaluate(sub)
            c = coords[k]
            col = s.u[:, c]
            for level in np.unique(col[sub]):
                lv = int(level)
                if k < n_funded and partial + lv >= thr:
                    break  # the group would already get thr
                nxt = sub & (col <= lv)
                if not s.affordable(s.weight(nxt), cost):
                    continue
                found = betas(k + 1, nxt, partial + (lv if k < n_funded else 0))
                if found is not None:
                    return found
            return None

        return betas(0, mask, 0)


def check_ejr(
    election: Election,
    selection: Outcome | Iterable[str],
    *,
    utility: Utility | str | None = None,
    up_to: UpTo = "none",
    max_subsets: int = DEFAULT_MAX_SUBSETS,
) -> AxiomReport:
    """Extended justified representation (or its "up to one" / "up to any" relaxation).

    Exact; see the module notes for the definitions and the cost of the search.

    Parameters
    ----------
    election
        The election.
    selection
        An :class:`~participa.Outcome` or the funded project ids.
    utility
        ``"cost"``, ``"count"``, ``"points"`` or ``"borda"`` (default: by ballot kind).
    up_to
        ``"none"`` (EJR), ``"one"`` or ``"any"``.
    max_subsets
        Most candidate ``(T, α)`` pairs to examine before raising
        :class:`SearchLimitExceeded`.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, [Project("a", 3), Project("b", 2)],
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"]]))
    >>> print(check_ejr(e, ["b"]).violation)
    EJR fails: 2 voters (profile rows [0, 1]) could afford ['a'], worth 3 to each, but get 2
    >>> check_ejr(e, ["b"], up_to="one").satisfied  # 2 + 3 > 3 for the second voter
    True
    """
    s = _setup(election, selection, utility)
    name = _name("EJR", up_to)
    report = _search(s, name, _EjrLeaf(name, up_to), max_subsets)
    return attrs.evolve(report, currency=election.money)


def check_pjr(
    election: Election,
    selection: Outcome | Iterable[str],
    *,
    utility: Utility | str | None = None,
    up_to: UpTo = "none",
    max_subsets: int = DEFAULT_MAX_SUBSETS,
) -> AxiomReport:
    """Proportional justified representation (or its "up to one" / "up to any" relaxation).

    Exact; the group is served jointly: ``sum over funded c of max over S of u_i(c)``.
    ``max_subsets`` bounds the candidate groups examined (cohesive sets and, inside each,
    the group's possible joint satisfactions).

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, [Project("a", 2), Project("b", 1), Project("c", 2), Project("d", 1)],
    ...     Profile.from_ballots(BallotKind.APPROVAL, list("abcd"),
    ...                          [["a", "b", "c"], ["a", "c", "d"]]))
    >>> check_pjr(e, ["b", "d"], utility="count").satisfied  # together they have 2 projects
    True
    >>> check_ejr(e, ["b", "d"], utility="count").satisfied  # each has only 1 of {a, c}
    False
    """
    s = _setup(election, selection, utility)
    name = _name("PJR", up_to)
    leaf = _PjrLeaf(name, up_to, max_subsets)
    report = _search(s, name, leaf, max_subsets)
    return attrs.evolve(
        report, examined=report.examined + leaf.counter.count, currency=election.money
    )


# -- exhaustiveness and Pareto swaps -----------------------------------------------------------


def still_affordable(election: Election, selection: Outcome | Iterable[str]) -> tuple[str, ...]:
    """Unselected projects that the money left could complete.

    For an :class:`~participa.Outcome` the money left is the budget minus everything handed
    out (partial funding included) and a partly funded project needs only its gap;
    for a set of ids it is the budget minus the selected projects' costs.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, [Project("a", 6), Project("b", 4), Project("c", 5)],
    ...     Profile.from_ballots(BallotKind.APPROVAL, list("abc"), [["a"]]))
    >>> still_affordable(e, ["a"])
    ('b',)
    >>> still_affordable(e, Outcome("per-head", 10, {"a": 5, "b": 3, "c": 2}, (), 0))
    ()
    """
    mask = _selected_mask(election, selection)
    if isinstance(selection, Outcome):
        got = np.array([selection.funding.get(p, 0) for p in election.project_ids], np.int64)
        left = election.budget - selection.total_funding
    else:
        got = np.zeros(len(election.projects), np.int64)
        left = election.budget - int(election.costs[mask].sum())
    fits = ~mask & (election.costs - got <= left)
    return tuple(election.project_ids[int(j)] for j in np.flatnonzero(fits))


def is_exhaustive(election: Election, selection: Outcome | Iterable[str]) -> bool:
    """Whether no unfunded project fits in the money left (see :func:`still_affordable`)."""
    return not still_affordable(election, selection)


@serialize.register("participa.analysis.ParetoSwap")
@attrs.frozen(slots=True)
class ParetoSwap:
    """A feasible change that makes nobody worse off and someone better off.

    ``remove`` is ``None`` when ``add`` simply fits in the money left.
    """

    remove: str | None
    add: str
    better_off: int

    def __str__(self) -> str:
        what = f"fund {self.add}" if self.remove is None else f"swap {self.remove} for {self.add}"
        return f"{what}: {self.better_off} voters better off, nobody worse off"


def pareto_swaps(
    election: Election,
    selection: Outcome | Iterable[str],
    *,
    utility: Utility | str | None = None,
) -> tuple[ParetoSwap, ...]:
    """Single changes (add one project, or swap one funded project for an unfunded one)
    that Pareto-dominate the selection; empty means no such swap exists.

    ``O(projects² × groups)`` with numpy. ``better_off`` is the weight of the voters
    strictly better off.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(5, [Project("a", 5), Project("b", 5)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["b"], ["a", "b"]]))
    >>> [str(x) for x in pareto_swaps(e, ["a"])]
    ['swap a for b: 1 voters better off, nobody worse off']
    """
    s = _setup(election, selection, utility)
    if s.u.shape[0] == 0:
        return ()
    ids = election.project_ids
    spent = int(s.costs[s.in_w].sum())
    left = s.budget - spent
    out: list[ParetoSwap] = []
    outside = np.flatnonzero(~s.in_w)
    for j in outside:
        if int(s.costs[j]) <= left and s.u[:, j].any():
            out.append(ParetoSwap(None, ids[int(j)], s.weight(s.u[:, j] > 0)))
    for c in np.flatnonzero(s.in_w):
        fits = outside[s.costs[outside] <= left + int(s.costs[c])]
        if fits.size == 0:
            continue
        diff = s.u[:, fits] - s.u[:, [int(c)]]
        ok = (diff >= 0).all(axis=0) & (diff > 0).any(axis=0)
        for k in np.flatnonzero(ok):
            d = int(fits[k])
            out.append(ParetoSwap(ids[int(c)], ids[d], s.weight(diff[:, k] > 0)))
    return tuple(out)


# -- priceability ------------------------------------------------------------------------------


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _fraction_rows(value: Iterable[Iterable[Fraction | int]]) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(Fraction(x) for x in row) for row in value)


@serialize.register("participa.analysis.PriceSystem")
@attrs.frozen(slots=True)
class PriceSystem:
    """A priceability certificate.

    Every voter starts with ``allowance`` (per unit of weight) and pays only for funded
    projects on their ballot; ``payments[g][j]`` is what each voter of profile row ``g``
    pays (per unit of weight) towards project ``j``.

    The conditions (checked exactly by :func:`check_price_system`):

    C1. voters pay only for projects they value (positive utility);
    C2. nobody pays for an unfunded project;
    C3. nobody pays more than ``allowance``;
    C4. the payments for a funded project add up to its cost;
    C5. for every unfunded project, the money its supporters have left is at most its cost;

    and, as the literature and the reference library define priceability (each can be
    switched off): C0b. the funded set is exhaustive; C0c. the allowances cover the
    budget (``voters × allowance >= budget``). *Stable* priceability replaces C5 by S5
    (see :mod:`participa.analysis.priceability`).
    """

    allowance: Fraction = attrs.field(converter=Fraction)
    project_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    payments: tuple[tuple[Fraction, ...], ...] = attrs.field(converter=_fraction_rows)

    def _repr_html_(self) -> str:
        from participa.display import html_table

        totals = [sum(col, Fraction(0)) for col in zip(*self.payments, strict=False)]
        rows = ((pid, f"{float(t):.4g}") for pid, t in zip(self.project_ids, totals, strict=False))
        return html_table(
            ("project", "paid per unit weight, summed over rows"),
            rows,
            caption=f"price system: allowance {float(self.allowance):.6g} per voter",
        )


def check_price_system(
    election: Election,
    selection: Outcome | Iterable[str],
    prices: PriceSystem,
    *,
    utility: Utility | str | None = None,
    stable: bool = False,
    exhaustive: bool = True,
    whole_budget: bool = True,
) -> tuple[str, ...]:
    """Verify a price system exactly; returns the failed conditions (empty: valid).

    Independent of how the certificate was found. ``stable`` checks S5 instead of C5;
    ``exhaustive`` (C0b) and ``whole_budget`` (C0c) are the literature's conditions,
    on by default.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, [Project("a", 2), Project("b", 3)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
    >>> ps = PriceSystem(2, ["a", "b"], [[2, 0], [0, 0]])
    >>> check_price_system(e, ["a"], ps, exhaustive=False)
    ()
    >>> check_price_system(
    ...     e, ["a"], PriceSystem(4, ["a", "b"], [[2, 0], [0, 0]]), exhaustive=False
    ... )
    ("C5: supporters of 'b' keep 4 > its cost 3",)
    >>> check_price_system(e, ["a"], ps)  # 2 is left and b costs 3: exhaustive
    ()
    >>> for fail in check_price_system(e, ["a"], PriceSystem(1, ["a", "b"], [[1, 0], [0, 0]])):
    ...     print(fail)
    C0c: the allowances add up to 2 < the budget 4
    C4: payments for 'a' add up to 1, not its cost 2
    """
    s = _setup(election, selection, utility)
    ids = election.project_ids
    g, m = s.u.shape
    fails: list[str] = []
    if prices.project_ids != ids:
        return ("the price system's projects differ from the election's",)
    pay = prices.payments
    if len(pay) != g or any(len(r) != m for r in pay):
        return (f"payments must be {g} rows × {m} projects",)
    if prices.allowance < 0 or any(x < 0 for r in pay for x in r):
        fails.append("payments and allowance must be non-negative")
    on = s.u > 0
    w = [int(x) for x in s.w]
    funded_cost = int(s.costs[s.in_w].sum())
    if funded_cost > s.budget:
        fails.append(
            _(
                "C0a: the funded projects cost {cost} > the budget {budget}",
                cost=funded_cost,
                budget=s.budget,
            )
        )
    if exhaustive and not _priceability.is_exhaustive(
        [int(c) for c in s.costs], [bool(x) for x in s.in_w], s.budget
    ):
        fails.append(_("C0b: an unfunded project fits in the money left (not exhaustive)"))
    if whole_budget and prices.allowance * s.n < s.budget:
        fails.append(
            _(
                "C0c: the allowances add up to {total} < the budget {budget}",
                total=str(prices.allowance * s.n),
                budget=s.budget,
            )
        )
    left: list[Fraction] = []
    most: list[Fraction] = []
    for r in range(g):
        for j in range(m):
            if pay[r][j] and not on[r, j]:
                fails.append(f"C1: row {r} pays for {ids[j]!r}, which it does not value")
            if pay[r][j] and not s.in_w[j]:
                fails.append(f"C2: row {r} pays for unfunded {ids[j]!r}")
        spent = sum(pay[r], Fraction(0))
        if spent > prices.allowance:
            fails.append(f"C3: row {r} pays {spent} > allowance {prices.allowance}")
        left.append(prices.allowance - spent)
        most.append(max(pay[r], default=Fraction(0)))
    for j in range(m):
        total = sum((w[r] * pay[r][j] for r in range(g)), Fraction(0))
        cost = int(s.costs[j])
        if s.in_w[j] and total != cost:
            fails.append(f"C4: payments for {ids[j]!r} add up to {total}, not its cost {cost}")
        if not s.in_w[j] and not stable:
            keep = sum((w[r] * left[r] for r in range(g) if on[r, j]), Fraction(0))
            if keep > cost:
                fails.append(f"C5: supporters of {ids[j]!r} keep {keep} > its cost {cost}")
        if not s.in_w[j] and stable:
            hold = sum((w[r] * max(left[r], most[r]) for r in range(g) if on[r, j]), Fraction(0))
            if hold > cost:
                fails.append(
                    _(
                        "S5: supporters of {project!r} keep or paid {amount} > its cost {cost}",
                        project=ids[j],
                        amount=str(hold),
                        cost=cost,
                    )
                )
    return tuple(fails)


def _rho_float(left: npt.NDArray[np.float64], w: IntArray, cost: float) -> float:
    """Smallest ρ with ``sum(w * min(left, ρ)) >= cost`` (``inf`` when unaffordable)."""
    if cost <= 0:
        return 0.0
    order = np.argsort(left, kind="stable")
    vals, ws = left[order], w[order].astype(np.float64)
    paid_before = np.concatenate(([0.0], np.cumsum(ws * vals)[:-1]))
    w_from = np.cumsum(ws[::-1])[::-1]
    rho = (cost - paid_before) / w_from
    ok = np.flatnonzero(rho <= vals * (1 + 1e-12))
    return float(rho[ok[0]]) if ok.size else float("inf")


def _plan(s: _Setup, allowance: float, funded: Sequence[int]) -> list[int] | None:
    """Order in which equal shares, restricted to the funded projects, buys them (floats)."""
    on = s.u > 0
    left = np.full(s.u.shape[0], allowance, dtype=np.float64)
    todo, order = list(funded), []
    while todo:
        rhos = [_rho_float(left[on[:, j]], s.w[on[:, j]], float(s.costs[j])) for j in todo]
        k = int(np.argmin(rhos))
        if not np.isfinite(rhos[k]):
            return None
        j = todo.pop(k)
        left[on[:, j]] -= np.minimum(left[on[:, j]], rhos[k])
        order.append(j)
    return order


def _pay_exact(s: _Setup, allowance: Fraction, order: Sequence[int]) -> list[list[Fraction]] | None:
    """Exact payments for buying projects in this order (each supporter pays min(left, ρ))."""
    g, m = s.u.shape
    on = s.u > 0
    w = [int(x) for x in s.w]
    left = [allowance] * g
    pay = [[Fraction(0)] * m for _ in range(g)]
    for j in order:
        rows = sorted(np.flatnonzero(on[:, j]).tolist(), key=lambda r: left[r])
        need, total_w = Fraction(int(s.costs[j])), sum(w[r] for r in rows)
        rho: Fraction | None = Fraction(0) if need == 0 else None
        for r in rows if need else ():
            if (need / total_w) <= left[r]:
                rho = need / total_w
                break
            need -= w[r] * left[r]
            total_w -= w[r]
        if rho is None:
            return None
        for r in rows:
            p = min(left[r], rho)
            pay[r][j] = p
            left[r] -= p
    return pay


def find_price_system(
    election: Election,
    selection: Outcome | Iterable[str],
    *,
    utility: Utility | str | None = None,
    stable: bool = False,
    exhaustive: bool = True,
    whole_budget: bool = True,
    steps: int = 40,
) -> PriceSystem | None:
    """A price system certifying that the selection is priceable; ``None`` when none exists.

    Decided exactly: a certificate is returned whenever one exists, and ``None`` proves
    there is none. First a fast search replays equal shares restricted to the funded
    projects (each supporter pays ``min(money left, ρ)``, the project needing the
    smallest ``ρ`` first), with the fair allowance ``budget / voters`` and then, by a
    float bisection over ``steps`` rounds, other allowances; its certificate is
    recomputed in exact fractions and kept only if :func:`check_price_system` passes.
    When that fails, the exact linear programme of
    :func:`participa.analysis.priceability.solve_price_system` settles the question
    (an exact simplex, no solver dependency).

    Parameters
    ----------
    election, selection
        The election and the funded projects (an outcome or project ids).
    utility
        Which projects a voter values (positive utility); default that of the ballots.
    stable
        Stable priceability (S5 instead of C5).
    exhaustive
        Require the selection to be exhaustive (C0b; the literature's default).
    whole_budget
        Require the allowances to cover the budget, ``voters × allowance >= budget``
        (C0c; the literature's default).
    steps
        Bisection rounds of the fast search.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, [Project("a", 2), Project("b", 3)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
    >>> find_price_system(e, ["a"]).allowance
    Fraction(2, 1)
    >>> find_price_system(e, ["b"]) is None  # paying 3 for b leaves a's supporter 3 > 2
    True

    The issue's example: three voters {0, 1}, {0, 1, 2}, {2}, unit costs, budget 2,
    W = {0, 1}; the only allowance is exactly 1:

    >>> f = Election(2, [Project(p, 1) for p in "012"], Profile.from_ballots(
    ...     BallotKind.APPROVAL, list("012"), [["0", "1"], ["0", "1", "2"], ["2"]]))
    >>> find_price_system(f, ["0", "1"]).allowance
    Fraction(1, 1)

    Ten voters approve two projects costing 10, budget 100: the empty set is not
    priceable (the allowances must cover the budget, and then each project's supporters
    keep 100 > 10), unless both conditions are switched off:

    >>> g = Election(100, [Project("x", 10), Project("y", 10)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["x", "y"], [["x", "y"]] * 10))
    >>> find_price_system(g, []) is None
    True
    >>> ps = find_price_system(g, [], exhaustive=False, whole_budget=False)
    >>> ps.allowance <= 1  # each project's 10 supporters keep at most 10 between them
    True
    """
    s = _setup(election, selection, utility)
    in_w = [bool(x) for x in s.in_w]
    costs = [int(c) for c in s.costs]
    if exhaustive and not _priceability.is_exhaustive(costs, in_w, s.budget):
        return None
    options = {"stable": stable, "exhaustive": exhaustive, "whole_budget": whole_budget}
    if not stable and s.n > 0:
        fast = _fast_price_system(election, selection, s, steps, options)
        if fast is not None:
            return fast
    found = _priceability.solve_price_system(
        s.u > 0,
        [int(x) for x in s.w],
        costs,
        in_w,
        s.budget,
        stable=stable,
        whole_budget=whole_budget,
    )
    if found is None:
        return None
    ps = PriceSystem(found[0], election.project_ids, found[1])
    fails = check_price_system(election, selection, ps, utility=s.utility, **options)
    if fails:  # pragma: no cover - the programme encodes exactly these conditions
        raise RuleError(
            _("the price system found fails its own check: {fails}", fails="; ".join(fails))
        )
    return ps


def _fast_price_system(
    election: Election,
    selection: Outcome | Iterable[str],
    s: _Setup,
    steps: int,
    options: dict[str, bool],
) -> PriceSystem | None:
    """The equal-payments search (floats to search, fractions to certify); may miss."""
    funded = [int(j) for j in np.flatnonzero(s.in_w)]
    if int(s.costs[funded].sum()) > s.budget or s.n == 0:
        return None
    ids = election.project_ids
    on = s.u > 0
    outside = np.flatnonzero(~s.in_w)

    def verdict(allowance: float) -> str:
        order = _plan(s, allowance, funded)
        if order is None:
            return "low"
        # float replay of the leftovers, to test C5 approximately
        left = np.full(s.u.shape[0], allowance)
        for j in order:
            rho = _rho_float(left[on[:, j]], s.w[on[:, j]], float(s.costs[j]))
            left[on[:, j]] -= np.minimum(left[on[:, j]], rho)
        keep = (s.w * left) @ on[:, outside] if outside.size else np.zeros(0)
        return "high" if (keep > s.costs[outside] * (1 + 1e-9) + 1e-9).any() else "ok"

    def exact(allowance: Fraction) -> PriceSystem | None:
        order = _plan(s, float(allowance), funded)
        if order is None:
            return None
        pay = _pay_exact(s, allowance, order)
        if pay is None:
            return None
        ps = PriceSystem(allowance, ids, pay)
        fails = check_price_system(election, selection, ps, utility=s.utility, **options)
        return None if fails else ps

    fair = Fraction(s.budget, s.n)
    first = verdict(float(fair))
    if first == "ok":
        ps = exact(fair)
        if ps is not None:
            return ps
    lo, hi = (float(fair), float(fair) * 2 + 1) if first == "low" else (0.0, float(fair))
    if first == "low":
        for _ in range(steps):
            v = verdict(hi)
            if v != "low":
                break
            lo, hi = hi, hi * 2
        else:
            return None
        if v == "ok":
            return exact(Fraction(hi))
    for _ in range(steps):
        mid = (lo + hi) / 2
        v = verdict(mid)
        if v == "ok":
            return exact(Fraction(mid))
        if v == "low":
            lo = mid
        else:
            hi = mid
    return None
