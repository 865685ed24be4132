"""Why each project was or was not funded, and by how much: exact margins.

:func:`explain` runs a rule (greedy, equal shares or Phragmén), then, for every
project (or one), measures how far it stands from the other side of the line:

=====================  =========================================================
project                margins
=====================  =========================================================
not funded             ``cost_reduction``: the smallest cost reduction, in minor
                       units, that gets it funded; ``added_supporters``: the
                       smallest number of new voters approving only it (on
                       cumulative and scoring ballots: the smallest number of
                       points on one new ballot giving points only to it) that
                       gets it funded
funded                 ``removable_supporters``: how many of its supporters can
                       stop supporting it while it stays funded; ``cost_increase``:
                       the largest cost increase it can bear and stay funded
=====================  =========================================================

Every margin is computed by rerunning the rule on modified elections
(:meth:`~participa.model.Election.with_costs`, a profile with voters added or
changed) and searching: exponential search for an upper end where needed, then
bisection. The number of reruns is bounded by ``max_runs``; beyond it
:class:`~participa.analysis.axioms.SearchLimitExceeded` is raised rather than a
guess returned.

Exact or only verified
----------------------
A margin is *proven* exact when the project's status is monotone in the quantity
searched; then bisection finds the first change. Each proof below compares the run on
the modified election with the original one and needs a tie-break that does not favour
costlier or less supported projects (every built-in one except ``max-cost``,
``min-votes`` and ``refuse``).

*Greedy, every margin.* Lowering a project's cost, or adding utility to it, raises its
utility per unit of cost and leaves every other project's unchanged, so in the new
ranking the projects ahead of it are a *prefix* of those ahead of it before. Greedy
only spends money as it walks down the ranking, so the money left after a prefix is at
least the money left after the whole list: the project is reached with at least as
much money as before and costs no more, and if it fitted before it fits now. The same
argument run backwards covers a cost increase and lost supporters.

*Phragmén, every margin.* A project's completion time is ``(cost + Σ loads of its
supporters) / (weight of its supporters)``. A lower cost lowers it; a new voter who
approves only it (load 0) lowers it; a supporter who stops approving it raises it,
because every voter's load is at most the current time, which is at most any remaining
project's completion time. No other project's time changes, so the two runs choose the
same projects until this one is chosen in the modified run, which happens no later
than in the original; the money left then is at least as much, so it fits, and the
modified run does not stop earlier because until then it makes the original's choices.

*Equal shares, cost margins.* The price per unit of utility ``ρ`` at which a
project's supporters can pay its cost ``c`` solves ``Σ min(b_i, ρ u_i) = c``; every
supporter's share ``b_i`` is unchanged until the project is bought, and a lower ``c``
gives a lower (or equal) ``ρ`` (under the ``cost`` utility, ``u_i = c`` and
``Σ min(b_i / c, ρ) = 1``). As for Phragmén the runs agree until the project is bought,
which is no later than before. This holds for costs of at least one minor unit: under
the ``cost`` utility a free project is worth nothing to anyone and is never bought, so
the cost search also tries a cost of 1.

*Equal shares, supporter margins* are not monotone in general (new voters shrink every
voter's share, and who leaves changes what the others can afford). There the margin is
*the threshold found by bisection, verified at its edge*: the search keeps a pair of
reruns one unit apart with different statuses, so the reported value is a genuine edge
(the status at the value differs from the status one unit before), but a smaller change
further away could exist. :attr:`Margin.proven` says which case applies, and the words
say so too.

Supporters are removed in a stated order: on cumulative and scoring ballots
those giving it the most points first, then in profile order; on other ballots in
profile order. Each counts as one voter whatever its weight. Added voters have
weight 1.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 60), Project("b", 50), Project("c", 10)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a", "b"], ["a"], ["c"], ["b"]]))
>>> ex = explain(e, "greedy")
>>> b = ex["b"]
>>> b.funded, b.cost_reduction.value, b.added_supporters.value
(False, 10, 2)
>>> ex["a"].removable_supporters.value, ex["a"].cost_increase.value
(1, 40)
>>> print(b.sentences()[0])
not funded: it costs 50 but only 40 was left when its turn came
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from participa.analysis.axioms import SearchLimitExceeded
from participa.boundary import checked, typed_fields
from participa.errors import RuleError, ValidationError
from participa.i18n import N_, _, ngettext
from participa.model import BallotConstraints, BallotKind, Election, Profile
from participa.money import Currency
from participa.outcome import Outcome, TraceAction, TraceStep, TraceValue
from participa.rules._common import DEFAULT_TIE_BREAK
from participa.rules.greedy import greedy
from participa.rules.mes import equal_shares
from participa.rules.phragmen import phragmen
from participa.rules.utility import Utility, default_utility, parse_utility
from participa.tiebreak import TieBreak, TieCriterion
from participa.validators import positive_int

__all__ = [
    "EXPLAINED_RULES",
    "ExplainedRule",
    "Explanation",
    "Margin",
    "MarginKind",
    "ProjectExplanation",
    "explain",
]

ExplainedRule = Literal["greedy", "mes", "phragmen"]
"""A rule :func:`explain` can explain (greedy, the Method of Equal Shares, Phragmén)."""
EXPLAINED_RULES: tuple[ExplainedRule, ...] = ("greedy", "mes", "phragmen")
"""Every :data:`ExplainedRule`, in the CLI's order."""
DEFAULT_MAX_RUNS = 5000


class MarginKind(enum.Enum):
    """What a :class:`Margin` measures."""

    COST_REDUCTION = "cost_reduction"
    ADDED_SUPPORTERS = "added_supporters"
    REMOVABLE_SUPPORTERS = "removable_supporters"
    COST_INCREASE = "cost_increase"


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Margin:
    """One margin of one project.

    Parameters
    ----------
    kind
        What is measured.
    value
        The margin (minor units for costs; voters, or points on points ballots, for
        supporters), or ``None`` when no change within ``bound`` flips the status.
    bound
        The largest change searched.
    proven
        ``True`` when monotonicity makes the value provably the extreme one;
        ``False`` when it was found by bisection and verified at its edge only.
    points
        Whether supporters are counted in points (cumulative and scoring ballots).
    """

    kind: MarginKind
    value: int | None
    bound: int
    proven: bool
    points: bool = False


_REASONS: dict[str, str] = {
    "greedy_select": N_("funded: ranked with {ratio} per unit of cost, it fit in the {left} left"),
    "greedy_skip": N_("not funded: it costs {cost} but only {left} was left when its turn came"),
    "mes_select": N_(
        "funded in round {round}: its supporters could pay for it at price {rho} "
        "per unit of utility"
    ),
    "mes_skip": N_(
        "not funded: its supporters' equal shares of the budget could not pay for it "
        "at a price competitive with the projects bought"
    ),
    "phragmen_select": N_(
        "funded in round {round}: its supporters' load reached its cost at {load}"
    ),
    "phragmen_stop": N_(
        "not funded: its supporters' load reached its cost first, at {load}, but it costs "
        "{cost} and only {left} was left, so Phragmén stopped"
    ),
    "phragmen_skip": N_(
        "not funded: other projects' supporters earned their costs first and the budget ran out"
    ),
    "too_costly": N_("not funded: it costs {cost}, more than the whole budget"),
}


def _frozen_values(value: Mapping[str, int | str]) -> Mapping[str, int | str]:
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True, field_transformer=typed_fields)
class ProjectExplanation:
    """Why one project was or was not funded, with its two margins.

    Parameters
    ----------
    project_id, cost, funded
        The project, its cost (minor units) and whether the rule funded it.
    reason_key, reason_values
        The reason as data (``"greedy_skip"``, ``"mes_select"``, ... and the numbers in
        it); :meth:`reason` and :meth:`sentences` put it in words in the current language.
    margins
        Funded: removable supporters, cost increase. Not funded: cost reduction, added
        supporters.
    money
        How amounts are shown (the election's currency).
    """

    project_id: str
    cost: int
    funded: bool
    reason_key: str
    reason_values: Mapping[str, int | str] = attrs.field(converter=_frozen_values, hash=False)
    margins: tuple[Margin, Margin]
    money: Currency

    def _margin(self, kind: MarginKind) -> Margin | None:
        return next((m for m in self.margins if m.kind is kind), None)

    @property
    def cost_reduction(self) -> Margin | None:
        """The smallest cost reduction that funds it (unfunded projects)."""
        return self._margin(MarginKind.COST_REDUCTION)

    @property
    def added_supporters(self) -> Margin | None:
        """The smallest number of added supporters (or points) that funds it."""
        return self._margin(MarginKind.ADDED_SUPPORTERS)

    @property
    def removable_supporters(self) -> Margin | None:
        """How many supporters it can lose and stay funded (funded projects)."""
        return self._margin(MarginKind.REMOVABLE_SUPPORTERS)

    @property
    def cost_increase(self) -> Margin | None:
        """The largest cost increase it can bear and stay funded (funded projects)."""
        return self._margin(MarginKind.COST_INCREASE)

    def _fmt(self, amount: int) -> str:
        return self.money.format(amount)

    def reason(self) -> str:
        """The reason in words, in the current language."""
        v = dict(self.reason_values)
        for key in ("cost", "left"):
            if key in v and isinstance(v[key], int):
                v[key] = self._fmt(int(v[key]))
        return _(_REASONS[self.reason_key], **v)

    def margin_text(self, margin: Margin) -> str:
        """One margin in words, in the current language."""
        k, n = margin.kind, margin.value
        if k is MarginKind.COST_REDUCTION:
            if n is None:
                text = _(
                    "not funded even at a cost of {low} or nothing",
                    low=self._fmt(min(self.cost, 1)),
                )
            else:
                text = _(
                    "funded if it cost {amount} less ({new_cost})",
                    amount=self._fmt(n),
                    new_cost=self._fmt(self.cost - n),
                )
        elif k is MarginKind.ADDED_SUPPORTERS:
            if n is None:
                if self.reason_key == "too_costly":
                    text = _("no added support can fund a project dearer than the budget")
                elif margin.points:
                    text = _("not funded with up to {bound} more points", bound=margin.bound)
                else:
                    text = _("not funded with up to {bound} more supporters", bound=margin.bound)
            elif margin.points:
                text = ngettext(
                    "funded with {n} more point on a new ballot",
                    "funded with {n} more points on a new ballot",
                    n,
                )
            else:
                text = ngettext(
                    "funded with {n} more supporter", "funded with {n} more supporters", n
                )
        elif k is MarginKind.REMOVABLE_SUPPORTERS:
            assert n is not None
            if n == margin.bound:
                text = _("stays funded even if all {total} supporters leave it", total=n)
            else:
                text = _(
                    "stays funded if it loses {n} of its {total} supporters",
                    n=n,
                    total=margin.bound,
                )
        else:
            assert n is not None
            text = _(
                "stays funded if its cost rises by up to {amount} (to {new_cost})",
                amount=self._fmt(n),
                new_cost=self._fmt(self.cost + n),
            )
        if n is not None and not margin.proven:
            text += " " + _("(found by bisection and verified at its edge)")
        return text

    def sentences(self) -> list[str]:
        """The reason, then each margin, in words."""
        return [self.reason(), *(self.margin_text(m) for m in self.margins)]


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Explanation:
    """Explanations of every project (or one) under one rule.

    Parameters
    ----------
    rule
        ``"greedy"``, ``"mes"`` or ``"phragmen"``.
    utility
        The utility the rule ran with.
    outcome
        The rule's outcome on the unmodified election.
    projects
        One :class:`ProjectExplanation` per explained project, in election order.
    runs
        How many reruns of the rule the margins took.
    """

    rule: ExplainedRule
    utility: Utility
    outcome: Outcome
    projects: tuple[ProjectExplanation, ...]
    runs: int

    def __getitem__(self, project_id: str) -> ProjectExplanation:
        for p in self.projects:
            if p.project_id == project_id:
                return p
        raise ValidationError(_("no explanation for this project"), project_id=project_id)

    def __iter__(self) -> Iterator[ProjectExplanation]:
        return iter(self.projects)

    def __len__(self) -> int:
        return len(self.projects)

    def to_rows(self) -> list[dict[str, object]]:
        """One plain dict per project: ids, status, margins (``None`` when none) and words."""
        rows: list[dict[str, object]] = []
        for p in self.projects:
            row: dict[str, object] = {
                "project_id": p.project_id,
                "cost": p.cost,
                "funded": p.funded,
                "reason": p.reason(),
            }
            for kind in MarginKind:
                m = p._margin(kind)
                row[kind.value] = None if m is None else m.value
                if m is not None:
                    row[kind.value + "_proven"] = m.proven
            row["margins"] = " ; ".join(p.margin_text(m) for m in p.margins)
            rows.append(row)
        return rows

    def trace(self) -> tuple[TraceStep, ...]:
        """One ``"info"`` step per project, in the words of the current language, with the
        margins as values: the explanation in the form of a rule's trace."""
        steps = []
        for p in self.projects:
            values: dict[str, TraceValue] = {"funded": p.funded}
            for m in p.margins:
                if m.value is not None:
                    values[m.kind.value] = m.value
            steps.append(
                TraceStep(0, TraceAction.INFO, p.project_id, "; ".join(p.sentences()), values)
            )
        return tuple(steps)

    def _title(self) -> str:
        if self.rule == "phragmen":  # Phragmén has no utility option
            return _("Why each project was or was not funded ({rule})", rule=self.rule)
        return _(
            "Why each project was or was not funded ({rule}, utility {utility})",
            rule=self.rule,
            utility=self.utility,
        )

    def __str__(self) -> str:
        lines = [self._title()]
        for p in self.projects:
            status = _("funded") if p.funded else _("not funded")
            lines.append(f"{p.project_id} ({p._fmt(p.cost)}, {status})")
            lines.extend("  " + s for s in p.sentences())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from participa.display import html_table

        header = (_("project"), _("cost"), _("funded"), _("reason"), _("margins"))
        rows = (
            (
                p.project_id,
                p._fmt(p.cost),
                _("yes") if p.funded else _("no"),
                p.reason(),
                " ; ".join(p.margin_text(m) for m in p.margins),
            )
            for p in self.projects
        )
        return html_table(header, rows, caption=self._title())


# -- the searches ------------------------------------------------------------------------------


class _Runs:
    """Counts reruns and refuses to go past ``max_runs``."""

    def __init__(self, run: Callable[[Election], Outcome], max_runs: int) -> None:
        self.run = run
        self.max_runs = max_runs
        self.count = 0

    def funded(self, election: Election, project_id: str) -> bool:
        if self.count >= self.max_runs:
            raise SearchLimitExceeded(
                _("explaining needs more than max_runs={max_runs} reruns", max_runs=self.max_runs),
                project_id=project_id,
                hint=_("raise max_runs or explain one project with project="),
            )
        self.count += 1
        return project_id in self.run(election).selected_set


def _first_true(pred: Callable[[int], bool], lo: int, hi: int) -> int:
    """Given ``pred(lo)`` false and ``pred(hi)`` true (known), the ``x`` in ``(lo, hi]`` with
    ``pred(x)`` true and ``pred(x - 1)`` false that bisection reaches."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _with_profile(election: Election, profile: Profile) -> Election:
    return attrs.evolve(election, profile=profile, constraints=BallotConstraints())


def _add_ballot(election: Election, j: int, k: int, points: bool) -> Election:
    """``k`` new weight-1 voters supporting only project ``j`` (one ballot with ``k`` points)."""
    prof = election.profile
    # int64: k points may not fit the profile's compact dtype (the new profile picks its own)
    row: npt.NDArray[Any] = np.zeros(
        (1, len(election.projects)), np.bool_ if prof.kind.is_approval else np.int64
    )
    row[0, j] = k if points else 1
    mat = np.concatenate([prof.matrix, row])
    mult = np.concatenate([prof.multiplicity, [1 if points else k]]).astype(np.int64)
    wt = np.concatenate([prof.weight, [1]]).astype(np.int64)
    listed = None
    if prof.listed is not None:
        listed = np.concatenate([prof.listed, row != 0])
    new = Profile.from_matrix(
        prof.kind,
        prof.project_ids,
        mat,
        multiplicity=mult,
        weight=wt,
        collapse=False,
        listed=listed,
    )
    return _with_profile(election, new)


def _removal_order(election: Election, j: int) -> npt.NDArray[np.intp]:
    """Rows supporting ``j`` in the order their voters are removed."""
    prof = election.profile
    rows = np.flatnonzero(prof.approvals()[:, j])
    if prof.kind.has_points:
        rows = rows[np.argsort(-prof.matrix[rows, j], kind="stable")]
    return rows


def _remove_supporters(election: Election, j: int, r: int) -> Election:
    """``r`` supporters of ``j`` (in :func:`_removal_order`) stop supporting it."""
    prof = election.profile
    order = _removal_order(election, j)
    mult = prof.multiplicity
    before = np.concatenate([[0], np.cumsum(mult[order])[:-1]]) if order.size else order
    taken = np.zeros(prof.num_groups, np.int64)
    taken[order] = np.clip(r - before, 0, mult[order])
    keep = mult - taken
    changed = np.flatnonzero(taken)
    mod = prof.matrix[changed].copy()
    gone = mod[:, j].copy()
    mod[:, j] = 0
    if prof.kind is BallotKind.ORDINAL:  # close the gap in the ranking
        mod -= (mod > gone[:, None]).astype(mod.dtype)
    mat = np.concatenate([prof.matrix, mod])
    new_mult = np.concatenate([keep, taken[changed]])
    wt = np.concatenate([prof.weight, prof.weight[changed]])
    listed = None
    if prof.listed is not None:
        mod_listed = prof.listed[changed].copy()
        mod_listed[:, j] = False
        listed = np.concatenate([prof.listed, mod_listed])
    alive = new_mult > 0
    new = Profile.from_matrix(
        prof.kind,
        prof.project_ids,
        mat[alive],
        multiplicity=new_mult[alive],
        weight=wt[alive],
        collapse=False,
        listed=None if listed is None else listed[alive],
    )
    return _with_profile(election, new)


def _int(value: TraceValue | None) -> int:
    return int(value) if isinstance(value, (int, float)) else 0


def _reason(
    rule: str, outcome: Outcome, pid: str, cost: int, budget: int
) -> tuple[str, dict[str, int | str]]:
    steps = [s for s in outcome.trace if s.project_id == pid]
    if pid in outcome.selected_set:
        step = next((s for s in steps if s.action is TraceAction.SELECT), None)
        vals = {} if step is None else dict(step.values)
        rnd = 0 if step is None else step.round
        if rule == "greedy":
            return "greedy_select", {
                "ratio": str(vals.get("ratio", "")),
                "left": _int(vals.get("left")),
            }
        if rule == "mes":
            return "mes_select", {"round": rnd, "rho": str(vals.get("rho_exact", "0"))}
        return "phragmen_select", {"round": rnd, "load": str(vals.get("load", ""))}
    if cost > budget:
        return "too_costly", {"cost": cost}
    if rule == "greedy":
        step = next((s for s in steps if s.action in (TraceAction.SKIP, TraceAction.STOP)), None)
        return "greedy_skip", {
            "cost": cost,
            "left": _int(None if step is None else step.values.get("left")),
        }
    stop = next((s for s in steps if s.action is TraceAction.STOP), None)
    if rule == "phragmen" and stop is not None:
        load = str(stop.values.get("load", ""))
        return "phragmen_stop", {"load": load, "cost": cost, "left": _int(stop.values.get("left"))}
    return f"{rule}_skip", {}


def _removable(runs: _Runs, election: Election, j: int, total: int) -> int:
    """The most supporters (voters) of funded ``j`` that can leave it while it stays funded."""
    pid = election.project_ids[j]
    if runs.funded(_remove_supporters(election, j, total), pid):
        return total

    def lost(r: int) -> bool:
        return not runs.funded(_remove_supporters(election, j, r), pid)

    return _first_true(lost, 0, total) - 1


def _rise(runs: _Runs, election: Election, j: int) -> int:
    """The largest cost increase funded ``j`` bears; dearer than the budget is never funded."""
    pid, cost, budget = election.project_ids[j], int(election.costs[j]), election.budget
    top = budget - cost
    if top <= 0 or runs.funded(election.with_costs({pid: budget}), pid):
        return max(top, 0)

    def lost(d: int) -> bool:
        return not runs.funded(election.with_costs({pid: cost + d}), pid)

    return _first_true(lost, 0, top) - 1


def _cut(runs: _Runs, election: Election, j: int) -> int | None:
    """The smallest cost reduction that funds unfunded ``j`` (None: not even at cost 0)."""
    pid, cost, budget = election.project_ids[j], int(election.costs[j]), election.budget

    def won(d: int) -> bool:
        return runs.funded(election.with_costs({pid: cost - d}), pid)

    # The far end: cost 0, else cost 1 (under the cost utility a free project is worth
    # nothing to anyone, so equal shares never buys it, yet may buy it at cost 1).
    # Any cost above the budget is never funded, so the search starts at the budget.
    for far in (cost, cost - 1) if cost > 1 else (cost,):
        if won(far):
            return _first_true(won, max(0, cost - budget - 1), far)
    return None


def _added(runs: _Runs, election: Election, j: int, bound: int, points: bool) -> int | None:
    """The fewest added supporters (points) that fund unfunded ``j``, searched up to ``bound``."""
    pid = election.project_ids[j]
    if int(election.costs[j]) > election.budget:
        return None

    def won(k: int) -> bool:
        return runs.funded(_add_ballot(election, j, k, points), pid)

    lo, hi = 0, 1  # exponential search for a funded end, then bisection
    while hi <= bound:
        if won(hi):
            return _first_true(won, lo, hi)
        lo, hi = hi, (min(2 * hi, bound) if hi < bound else hi + 1)
    return None


def _proven(rule: str, tie_break: TieBreak) -> frozenset[MarginKind]:
    """The margins whose exactness the module docstring proves for this rule."""
    if {TieCriterion.MAX_COST, TieCriterion.MIN_VOTES, TieCriterion.REFUSE} & set(
        tie_break.criteria
    ):
        return frozenset()
    if rule == "mes":
        return frozenset({MarginKind.COST_REDUCTION, MarginKind.COST_INCREASE})
    return frozenset(MarginKind)


@checked
def explain(
    election: Election,
    rule: ExplainedRule,
    *,
    project: str | None = None,
    utility: Utility | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
    max_added: int | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
) -> Explanation:
    """Explain why each project (or ``project``) was or was not funded, with exact margins.

    Parameters
    ----------
    election
        The election.
    rule
        ``"greedy"`` (:func:`~participa.rules.greedy.greedy`), ``"mes"``
        (:func:`~participa.rules.mes.equal_shares` with its default options) or
        ``"phragmen"`` (:func:`~participa.rules.phragmen.phragmen`).
    project
        Explain only this project (id).
    utility
        For greedy and equal shares (default by ballot kind); Phragmén has none.
    tie_break
        Passed to the rule.
    max_added
        The largest number of added supporters (points on points ballots) searched;
        default ``4 × (number of voters + total points) + 16``.
    max_runs
        The most reruns of the rule allowed in total.

    Returns
    -------
    Explanation
        One :class:`ProjectExplanation` per project, in election order.

    Raises
    ------
    ValidationError
        Unknown project id or rule.
    RuleError
        A ballot kind the rule (or the explanation) does not support.
    SearchLimitExceeded
        More than ``max_runs`` reruns would be needed.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("a", 4), Project("b", 4), Project("c", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
    ...                          [["a", "b"], ["a", "c"], ["b"]]))
    >>> ex = explain(e, "phragmen", project="c")
    >>> c = ex["c"]
    >>> c.funded, c.cost_reduction.value, c.added_supporters.value, c.added_supporters.proven
    (False, 2, 2, True)
    >>> explain(e, "mes", project="c")["c"].added_supporters.proven
    False
    >>> explain(e, "phragmen", project="z")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: unknown project id [project 'z']
    """
    if rule not in EXPLAINED_RULES:
        raise ValidationError(
            _("explain does not know the rule {rule!r}", rule=rule),
            hint=_("(use one of: {choices})", choices=", ".join(EXPLAINED_RULES)),
        )
    max_runs = positive_int(max_runs, what="max_runs")
    if max_added is not None:
        max_added = positive_int(max_added, what="max_added")
    kind = election.kind
    if rule == "phragmen":
        if kind not in (BallotKind.APPROVAL, BallotKind.CHOOSE_1):
            raise RuleError(
                _("phragmen needs approval or choose-1 ballots, not {kind}", kind=kind.value)
            )
        u: Utility = "count"
    elif utility is None:
        u = default_utility(kind)
    else:
        u = parse_utility(utility)
    if u == "borda":
        raise RuleError(
            _(
                "explain cannot add supporters under the borda utility ({kind} ballots)",
                kind=kind.value,
            ),
            hint=_("use utility='cost' or 'count'"),
        )
    points = u == "points"

    def run(e: Election) -> Outcome:
        if rule == "greedy":
            return greedy(e, utility=u, tie_break=tie_break)
        if rule == "mes":
            return equal_shares(e, utility=u, tie_break=tie_break)
        return phragmen(e, tie_break=tie_break)

    indices = range(len(election.projects)) if project is None else [election.index(project)]
    outcome = run(election)
    runs = _Runs(run, max_runs)
    proven = _proven(rule, tie_break)
    budget = election.budget
    support = election.profile.multiplicity @ election.profile.approvals()
    added_bound = (
        max_added
        if max_added is not None
        else 4 * (election.profile.num_voters + int(election.total_points().sum())) + 16
    )
    out: list[ProjectExplanation] = []
    for j in indices:
        p = election.projects[j]
        funded = p.id in outcome.selected_set
        key, values = _reason(rule, outcome, p.id, p.cost, budget)
        margins: tuple[Margin, Margin]
        if funded:
            total = int(support[j])
            margins = (
                Margin(
                    MarginKind.REMOVABLE_SUPPORTERS,
                    _removable(runs, election, j, total),
                    total,
                    MarginKind.REMOVABLE_SUPPORTERS in proven,
                ),
                Margin(
                    MarginKind.COST_INCREASE,
                    _rise(runs, election, j),
                    budget - p.cost,
                    MarginKind.COST_INCREASE in proven,
                ),
            )
        else:
            margins = (
                Margin(
                    MarginKind.COST_REDUCTION,
                    _cut(runs, election, j),
                    p.cost,
                    MarginKind.COST_REDUCTION in proven,
                ),
                Margin(
                    MarginKind.ADDED_SUPPORTERS,
                    _added(runs, election, j, added_bound, points),
                    added_bound,
                    MarginKind.ADDED_SUPPORTERS in proven,
                    points,
                ),
            )
        out.append(ProjectExplanation(p.id, p.cost, funded, key, values, margins, election.money))
    return Explanation(rule, u, outcome, tuple(out), runs.count)
