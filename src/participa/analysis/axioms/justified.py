"""Justified representation: JR (polynomial) and the exact searches for PJR and EJR."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import numpy as np

from participa._wide import exact_matmul, exact_sum
from participa.analysis.axioms.report import (
    DEFAULT_MAX_SUBSETS,
    AxiomReport,
    BoolArray,
    SearchLimitExceeded,
    UpTo,
    Violation,
    _name,
    _Setup,
    _setup,
)
from participa.boundary import checked
from participa.i18n import _
from participa.model import Election
from participa.outcome import Outcome
from participa.rules.utility import Utility

__all__ = ["check_ejr", "check_jr", "check_pjr"]


# -- JR ----------------------------------------------------------------------------------------


@checked
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
    wt = exact_matmul(s.w * unserved, on)  # weight of unserved voters valuing each project
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
                _(
                    "the exact {axiom} check would examine more than "
                    "max_subsets={limit} candidate groups",
                    axiom=self.axiom,
                    limit=self.limit,
                ),
                hint=_("raise max_subsets, or use check_jr (polynomial) on this election"),
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
        return AxiomReport(axiom, True, None, 0, s.utility, currency=s.election.money)
    on = s.u > 0
    support = exact_matmul(s.w, on)
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
    return AxiomReport(
        axiom, found is None, found, counter.count, s.utility, currency=s.election.money
    )


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
            got = exact_sum(s.u[sub][:, funded].max(axis=0)) if funded else 0
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


@checked
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
    return _search(s, name, _EjrLeaf(name, up_to), max_subsets)


@checked
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
    return attrs.evolve(report, examined=report.examined + leaf.counter.count)
