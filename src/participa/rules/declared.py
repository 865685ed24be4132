"""Declared-rule replay: recompute the outcome a city announced, from the rule its file declares.

pabulib files name the rule a city used in META ``rule`` and mark the winners in
the PROJECTS ``selected`` column. :func:`declared` replays that rule the way
pabulib's own checker (github.com/pabulib/checker) does, so its result can be
compared with ``selected``:

* **Greedy family** (``greedy``, ``greedy-exclusive``, ``greedy-threshold``,
  ``greedy-no-skip``): projects are ranked by the PROJECTS ``score`` column if the
  file has one, else by ``votes`` (the *official* tally, which may count votes that
  are not in the ballots), highest first; ties keep the order of the PROJECTS
  section. Walking down the list, a project that fits the money left is funded.
  ``greedy`` skips one that does not fit; ``greedy-no-skip`` stops there;
  ``greedy-threshold`` only admits projects scoring at least META
  ``min_project_score_threshold``. ``greedy-exclusive`` (conflicting projects that
  exclude each other, documented only in comments) is run as plain greedy.
* **greedy-custom in Poznań** (META ``unit`` = ``Poznań``): greedy without
  skipping; at the first project that does not fit, if the money left covers at
  least 80% of its cost, that project is funded too, the rest coming from external
  reserve funds (the file marks it ``selected = 2``); then the rule stops. Later
  reserve money (marked ``3``) funds the next highest-ranked projects; the file
  does not record that money, so the replay takes *how many* such projects there
  were from the ``3`` marks and funds the next ones in rank order (as the checker
  does). In the outcome, an 80%-rule project receives the money left and reserve
  projects receive 0 from this budget; both are selected, and ``total_cost``
  counts their full cost.
* **Equal shares** (``equalshares``, ``equalshares/add1`` and their
  ``-comparison`` forms): :func:`participa.rules.mes.equal_shares` with cost
  utilities and the checker's tie-breaking (lower cost, then more supporters).
  ``/add1`` raises every voter's endowment by one unit at a time starting from the
  integer floor of budget/n, *without* stopping at the first exhaustive outcome,
  and keeps the last outcome within budget. ``-comparison`` then compares it with
  plain greedy by number of supporters: if more voters approve more winners of
  greedy than of equal shares, greedy's outcome is returned.

Anything else (``unknown``, a custom rule outside Poznań, a missing ``rule``)
raises :class:`~participa.RuleError` saying why.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> ps = (Project("a", 50, metadata={"votes": "10"}), Project("b", 60, metadata={"votes": "8"}),
...       Project("c", 40, metadata={"votes": "8"}))
>>> prof = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a"]])
>>> e = Election(100, ps, prof, meta={"rule": "greedy"})
>>> declared(e).selected                  # ranked by the official votes, ties in file order
('a', 'c')
>>> declared(Election(100, ps, prof, meta={"rule": "greedy-no-skip"})).selected
('a',)
>>> declared(Election(100, ps, prof, meta={"rule": "unknown"}))
Traceback (most recent call last):
...
participa.errors.RuleError: the file declares rule 'unknown': there is nothing to replay ...
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

from participa._wide import exact_sum
from participa.boundary import checked, trusted
from participa.errors import RuleError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceAction, TraceStep, TraceValue, _built_step
from participa.rules._common import load_equal_shares
from participa.tiebreak import TieBreak

__all__ = ["DECLARED_RULES", "declared", "ranking_column"]

DECLARED_RULES = (
    "greedy",
    "greedy-exclusive",
    "greedy-threshold",
    "greedy-no-skip",
    "greedy-custom",
    "equalshares",
    "equalshares-comparison",
    "equalshares/add1",
    "equalshares/add1-comparison",
)
"""META ``rule`` values :func:`declared` replays (``greedy-custom``: Poznań only)."""

MES_TIE_BREAK = TieBreak(("min-cost", "max-votes", "id"))
"""The checker's equal-shares tie-breaking: lower cost, then more supporters (then id)."""


def _number(text: str, what: str, project_id: str | None = None) -> Fraction | int:
    """A file's number exactly: an ``int`` for a whole count (most), else a ``Fraction``."""
    plain = text.strip()
    if len(plain) <= 18 and plain.isascii() and plain.isdigit():  # a count: no Decimal
        return int(plain)
    try:
        value = Decimal(text.strip().replace(",", "."))
        # a finite value with a sane exponent: `1e999999999` would build a huge integer
        if not value.is_finite() or abs(value.adjusted()) > 30:
            raise ValueError(text)
        return Fraction(value)
    except (InvalidOperation, ValueError, OverflowError):
        raise RuleError(
            _("{what} is not a number: {text!r}", what=what, text=text),
            project_id=project_id,
            hint=_("fix the file's PROJECTS or META value"),
        ) from None


@checked
def ranking_column(election: Election) -> str:
    """``"score"`` if the projects carry a score column, else ``"votes"`` (pabulib's choice)."""
    if any("score" in p.metadata for p in election.projects):
        return "score"
    if any("votes" in p.metadata for p in election.projects):
        return "votes"
    raise RuleError(
        _("the projects have neither a 'votes' nor a 'score' column to rank by"),
        hint=_("declared replay ranks by the official tally; run a rule such as greedy instead"),
    )


def _ranking(
    election: Election, tie_break: TieBreak | None
) -> tuple[str, list[int], list[Fraction | int]]:
    column = ranking_column(election)
    what = _("{column} column", column=column)
    scores: list[Fraction | int] = []
    for p in election.projects:
        raw = p.metadata.get(column, "")
        scores.append(_number(raw, what, p.id) if raw.strip() else 0)
    m = len(scores)
    # the scores negated (the same order; ints and fractions compare exactly)
    keys = [-s for s in scores]
    if tie_break is None:
        order = sorted(range(m), key=keys.__getitem__)  # stable: file order on ties
    else:
        prio = tie_break.resolver(election).priority
        order = sorted(range(m), key=lambda j: (keys[j], int(prio[j])))
    return column, order, scores


@checked
def declared(election: Election, *, tie_break: TieBreak | None = None) -> Outcome:
    """Replay the rule the election's META declares (see the module notes for each rule).

    Parameters
    ----------
    election
        An election read from a pabulib file (META ``rule``, the PROJECTS ``votes``
        or ``score`` column in :attr:`Project.metadata`).
    tie_break
        ``None`` (default): the checker's tie-breaking (file order for the greedy
        family; lower cost, then more supporters for equal shares). A
        :class:`~participa.TieBreak` overrides it.

    Returns
    -------
    Outcome
        ``params["declared_rule"]`` is the replayed rule, ``params["ranked_by"]``
        the column used by the greedy family.

    Raises
    ------
    RuleError
        When the declared rule is ``unknown``, missing, a custom rule other than
        Poznań's, or needs data the file lacks.

    Notes
    -----
    Complexity: the time and memory of the replayed rule. The greedy family ranks the file's
    ``score`` or ``votes`` column, ``O(m log m)`` for ``m`` projects (``O(g · m)`` to
    count when the column is missing, ``g`` distinct ballots), ``O(m)`` memory; the
    equal-shares forms are those of :func:`~participa.rules.mes.equal_shares` (with
    ``add1`` and, for ``-comparison``, one greedy run more).
    """
    with trusted():  # the trace and outcome are built from the election's own numbers
        return _declared(election, tie_break)


def _declared(election: Election, tie_break: TieBreak | None) -> Outcome:
    rule = election.meta.get("rule", "").strip()
    if rule in ("greedy", "greedy-exclusive", "greedy-threshold", "greedy-no-skip"):
        return _greedy_family(election, rule, tie_break)
    if rule == "greedy-custom":
        unit = election.meta.get("unit", "").strip()
        if unit == "Poznań":
            return _poznan(election, tie_break)
        raise RuleError(
            _(
                "the file declares rule 'greedy-custom' for {value!r}, whose "
                "custom rule participa does not know",
                value=unit or _("an unnamed unit"),
            ),
            hint=_("only Poznań's documented custom greedy is replayed; read the file's comment"),
        )
    if rule.startswith("equalshares"):
        return _equal_shares(election, rule, tie_break)
    if not rule:
        raise RuleError(
            _("the election declares no rule (META 'rule' is missing)"),
            hint=_("pick a rule explicitly, e.g. greedy or mes"),
        )
    if rule == "unknown":
        raise RuleError(
            _("the file declares rule 'unknown': there is nothing to replay"),
            hint=_("pick a rule explicitly, e.g. greedy or mes"),
        )
    raise RuleError(
        _("the file declares rule {rule!r}, which cannot be replayed", rule=rule),
        hint=_("replayable rules: {DECLARED_RULES}", DECLARED_RULES=", ".join(DECLARED_RULES)),
    )


def _greedy_family(election: Election, rule: str, tie_break: TieBreak | None) -> Outcome:
    column, order, scores = _ranking(election, tie_break)
    ids = election.project_ids
    costs = [int(c) for c in election.costs]
    threshold: Fraction | int | None = None
    if rule == "greedy-threshold":
        raw = election.meta.get("min_project_score_threshold", "").strip()
        if not raw:
            raise RuleError(
                _("rule 'greedy-threshold' needs META 'min_project_score_threshold'"),
                hint=_("add the threshold to META, or replay it as greedy"),
            )
        threshold = _number(raw, "META min_project_score_threshold")
    left = election.budget
    selected: list[int] = []
    trace: list[TraceStep] = []
    fits = _("next by {column} and it fits", column=column)  # each reason translated once
    too_dear = _("does not fit the money left")
    for rnd, j in enumerate(order, start=1):
        values: dict[str, TraceValue] = {column: str(scores[j]), "cost": costs[j], "left": left}
        if threshold is not None and scores[j] < threshold:
            trace.append(
                TraceStep(
                    rnd,
                    "skip",
                    ids[j],
                    _(
                        "{column} below the threshold {threshold}",
                        column=column,
                        threshold=threshold,
                    ),
                    values,
                )
            )
            continue
        if costs[j] <= left:
            left -= costs[j]
            selected.append(j)
            trace.append(_built_step(rnd, TraceAction.SELECT, ids[j], fits, values))
        elif rule == "greedy-no-skip":
            stops = _("does not fit; greedy-no-skip stops here")
            trace.append(_built_step(rnd, TraceAction.STOP, ids[j], stops, values))
            break
        else:
            trace.append(_built_step(rnd, TraceAction.SKIP, ids[j], too_dear, values))
    params = {"declared_rule": rule, "ranked_by": column}
    if threshold is not None:
        params["threshold"] = str(threshold)
    return Outcome.from_selection(election, selected, rule="declared", trace=trace, params=params)


def _poznan(election: Election, tie_break: TieBreak | None) -> Outcome:
    column, order, scores = _ranking(election, tie_break)
    ids = election.project_ids
    costs = [int(c) for c in election.costs]
    funding = dict.fromkeys(ids, 0)
    left = election.budget
    selected: list[int] = []
    trace: list[TraceStep] = []
    fits = _("next by {column} and it fits", column=column)
    rnd = 0
    for j in order:
        rnd += 1
        values = {column: str(scores[j]), "cost": costs[j], "left": left}
        if costs[j] <= left:
            left -= costs[j]
            funding[ids[j]] = costs[j]
            selected.append(j)
            trace.append(TraceStep(rnd, "select", ids[j], fits, values))
            continue
        if 5 * left >= 4 * costs[j]:  # the money left covers at least 80% of the cost
            funding[ids[j]] = left
            selected.append(j)
            trace.append(
                TraceStep(
                    rnd,
                    "select",
                    ids[j],
                    _(
                        "does not fit, but the {left} left covers at least 80% of "
                        "its cost; the other {cost} comes from reserve funds",
                        left=election.money.format(int(left)),
                        cost=election.money.format(int(costs[j] - left)),
                    ),
                    values,
                )
            )
            left = 0
        else:
            trace.append(
                TraceStep(
                    rnd, "stop", ids[j], _("does not fit and less than 80% is covered"), values
                )
            )
        break
    reserve = sum(1 for p in election.projects if p.metadata.get("selected", "").strip() == "3")
    if reserve:
        chosen = set(selected)
        extra = [j for j in order if j not in chosen][:reserve]
        for j in extra:
            rnd += 1
            selected.append(j)
            trace.append(
                TraceStep(
                    rnd,
                    "select",
                    ids[j],
                    _(
                        "funded from additional reserve money (the file marks "
                        "{reserve} such projects; the amount is not recorded)",
                        reserve=reserve,
                    ),
                    {column: str(scores[j]), "cost": costs[j]},
                )
            )
    return Outcome(
        rule="declared",
        budget=election.budget,
        funding=funding,
        selected=tuple(ids[j] for j in selected),
        total_cost=sum(costs[j] for j in selected),
        trace=tuple(trace),
        currency=election.money,
        params={"declared_rule": "greedy-custom", "ranked_by": column, "reserve": str(reserve)},
    )


def _equal_shares(election: Election, rule: str, tie_break: TieBreak | None) -> Outcome:
    known = (
        "equalshares",
        "equalshares-comparison",
        "equalshares/add1",
        "equalshares/add1-comparison",
    )
    if rule not in known:
        raise RuleError(
            _("the file declares rule {rule!r}, which cannot be replayed", rule=rule),
            hint=_("replayable rules: {DECLARED_RULES}", DECLARED_RULES=", ".join(DECLARED_RULES)),
        )
    if election.kind is not BallotKind.APPROVAL:
        raise RuleError(
            _(
                "rule {rule!r} is replayed for approval ballots only, not {value}",
                rule=rule,
                value=election.kind.value,
            ),
            hint=_("run participa's mes rule directly"),
        )
    equal_shares = load_equal_shares()
    tb = tie_break if tie_break is not None else MES_TIE_BREAK
    add1 = "/add1" in rule
    outcome = equal_shares(
        election,
        utility="cost",
        completion="add1" if add1 else "none",
        exhaustive_stop=False,
        integral_start=True,
        tie_break=tb,
    )
    params = {"declared_rule": rule, **dict(outcome.params)}
    trace = list(outcome.trace)
    if rule.endswith("-comparison"):
        chosen = _compare_with_greedy(election, outcome, trace)
        if chosen is not outcome:
            params["comparison"] = "greedy preferred"
            return Outcome(
                rule="declared",
                budget=chosen.budget,
                funding=chosen.funding,
                selected=chosen.selected,
                total_cost=chosen.total_cost,
                trace=tuple(trace),
                currency=election.money,
                params=params,
            )
        params["comparison"] = "equal shares kept"
    return Outcome(
        rule="declared",
        budget=outcome.budget,
        funding=outcome.funding,
        selected=outcome.selected,
        total_cost=outcome.total_cost,
        trace=tuple(trace),
        currency=election.money,
        params=params,
    )


def _compare_with_greedy(election: Election, mes: Outcome, trace: list[TraceStep]) -> Outcome:
    """The checker's comparison step: keep equal shares unless more voters prefer greedy."""
    support = election.support()
    order = sorted(range(len(support)), key=lambda j: -int(support[j]))  # stable: file order
    costs = [int(c) for c in election.costs]
    left = election.budget
    chosen: list[int] = []
    for j in order:
        if costs[j] <= left:
            chosen.append(j)
            left -= costs[j]
    greedy_outcome = Outcome.from_selection(election, chosen, rule="declared")
    prof = election.profile
    ids = election.project_ids
    mes_on = np.array([p in mes.selected_set for p in ids], dtype=np.int64)
    greedy_on = np.array([p in greedy_outcome.selected_set for p in ids], dtype=np.int64)
    approvals = prof.approvals().astype(np.int64)
    mes_sat = approvals @ mes_on
    greedy_sat = approvals @ greedy_on
    gw = prof.group_weight
    prefer_mes = exact_sum(gw[mes_sat > greedy_sat])
    prefer_greedy = exact_sum(gw[greedy_sat > mes_sat])
    trace.append(
        TraceStep(
            len(trace) + 1,
            "info",
            None,
            _(
                "comparison step: {prefer_mes} voters prefer equal shares, "
                "{prefer_greedy} prefer greedy",
                prefer_mes=prefer_mes,
                prefer_greedy=prefer_greedy,
            ),
            {"prefer_mes": prefer_mes, "prefer_greedy": prefer_greedy},
        )
    )
    return greedy_outcome if prefer_greedy > prefer_mes else mes
