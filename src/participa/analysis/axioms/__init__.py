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

from participa.analysis.axioms.efficiency import (
    ParetoSwap,
    is_exhaustive,
    pareto_swaps,
    still_affordable,
)
from participa.analysis.axioms.justified import check_ejr, check_jr, check_pjr
from participa.analysis.axioms.priceability import (
    PriceSystem,
    check_price_system,
    find_price_system,
)
from participa.analysis.axioms.report import (
    DEFAULT_MAX_SUBSETS as DEFAULT_MAX_SUBSETS,
)
from participa.analysis.axioms.report import (
    AxiomReport,
    SearchLimitExceeded,
    UpTo,
    Violation,
)

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
