"""The standard property battery for any PB rule: :func:`check_rule`.

An NGO that writes its own rule tests it in three lines:

>>> from participa.outcome import Outcome
>>> from participa.testing import check_rule
>>> def most_votes_first(election):
...     order = sorted(range(len(election.projects)),
...                    key=lambda j: (-int(election.support()[j]), election.project_ids[j]))
...     chosen, left = [], election.budget
...     for j in order:
...         if election.costs[j] <= left:
...             chosen.append(j)
...             left -= int(election.costs[j])
...     return Outcome.from_selection(election, chosen, rule="most-votes-first")
>>> check_rule(most_votes_first, exhaustive=True)

Properties (each names itself in the failure message):

``well-formed``
    The outcome covers every project, funds none above its cost and none below 0,
    never spends more than the budget, and ``total_cost`` is the selected costs.
``determinism``
    The same election (also after a JSON round trip) gives the same outcome.
``anonymity``
    Shuffling the voters (one row per voter, in a random order) changes nothing.
``collapse``
    Collapsing identical ballots into rows with multiplicities changes nothing.
``neutrality``
    Moving projects to other positions changes nothing; renaming them maps the
    outcome along, when ties are broken by file order so that the tie order follows the
    renaming (only for rules that take ``tie_break``).
``exhaustive``
    With ``exhaustive=True``: no unselected project fits in the money left.

On a failure Hypothesis shrinks the election and :func:`check_rule` raises
:class:`RuleCheckFailure` (an :class:`AssertionError`) whose message names the
property and shows the minimal election as participa JSON.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import attrs
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participa.errors import IntegrityError
from participa.i18n import _
from participa.model import BallotKind, Election, Profile
from participa.outcome import Outcome
from participa.serialize import dumps, loads
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

__all__ = ["PROPERTIES", "RuleCheckFailure", "check_rule"]

PROPERTIES = ("well-formed", "determinism", "anonymity", "collapse", "neutrality", "exhaustive")
"""The names :func:`check_rule` knows, in the order it checks them."""


class RuleCheckFailure(AssertionError):  # noqa: N818 - it is an assertion failing
    """A rule broke a property; ``prop`` names it and ``election_json`` holds the input."""

    def __init__(self, prop: str, detail: str, election: Election) -> None:
        self.prop = prop
        self.election_json = dumps(election)
        super().__init__(
            f"property {prop!r} violated: {detail}\nminimal election (participa JSON):\n"
            f"{self.election_json}"
        )


def _same(a: Outcome, b: Outcome) -> bool:
    return dict(a.funding) == dict(b.funding) and a.selected_set == b.selected_set


def _show(o: Outcome) -> str:
    funded = {p: f for p, f in o.funding.items() if f}
    return f"selected {list(o.selected)}, funding {funded}"


def _per_voter(e: Election, order: Sequence[int] | None = None) -> Election:
    prof = e.profile
    rows = np.repeat(np.arange(prof.num_groups), prof.multiplicity)
    if order is not None:
        rows = rows[np.asarray(order, dtype=np.int64)]
    flat = Profile.from_matrix(
        prof.kind, prof.project_ids, prof.matrix[rows], weights=prof.weight[rows], collapse=False
    )
    return attrs.evolve(e, profile=flat)


def _reorder_projects(
    e: Election, perm: Sequence[int], ids: Sequence[str] | None = None
) -> Election:
    projects = [e.projects[j] for j in perm]
    if ids is not None:
        projects = [attrs.evolve(p, id=i) for p, i in zip(projects, ids, strict=True)]
    prof = e.profile
    mat = prof.matrix[:, list(perm)]
    new = Profile(prof.kind, tuple(p.id for p in projects), mat, prof.multiplicity, prof.weight)
    return attrs.evolve(e, projects=tuple(projects), profile=new)


def _takes_tie_break(rule: Callable[..., Outcome]) -> bool:
    try:
        params = inspect.signature(rule).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without signature
        return False
    return "tie_break" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )


def check_rule(
    rule: Callable[..., Outcome],
    *,
    kinds: Sequence[BallotKind] = (BallotKind.APPROVAL,),
    exhaustive: bool = False,
    properties: Sequence[str] = PROPERTIES,
    max_projects: int = 6,
    max_voters: int = 8,
    weighted: bool = False,
    max_examples: int | None = None,
) -> None:
    """Run the standard properties on ``rule`` with Hypothesis; raise on the first failure.

    Parameters
    ----------
    rule
        Any callable ``rule(election) -> Outcome``, optionally taking a keyword
        ``tie_break`` (a :class:`~participa.TieBreak`).
    kinds
        Ballot kinds to generate.
    exhaustive
        Whether the rule claims to be exhaustive (then it is checked).
    properties
        Which of :data:`PROPERTIES` to check (default: all that apply).
    max_projects, max_voters, weighted
        Size of the generated elections; ``weighted`` adds delegate weights.
    max_examples
        Number of elections; default: the active Hypothesis profile's.

    Raises
    ------
    RuleCheckFailure
        With the violated property and the minimal election as JSON.
    """
    unknown = sorted(set(properties) - set(PROPERTIES))
    if unknown:
        from participa.errors import ValidationError

        raise ValidationError(
            _("unknown properties {unknown}", unknown=unknown),
            hint=_("use some of {PROPERTIES}", PROPERTIES=PROPERTIES),
        )
    wanted = set(properties)
    tie_aware = _takes_tie_break(rule)

    def run(e: Election, tie_break: TieBreak | None = None) -> Outcome:
        try:
            if tie_aware and tie_break is not None:
                return rule(e, tie_break=tie_break)
            return rule(e)
        except IntegrityError as exc:
            raise RuleCheckFailure(
                "well-formed", _("the rule broke an invariant: {exc}", exc=exc), e
            ) from exc

    strategy = elections(
        kinds=tuple(kinds), max_projects=max_projects, max_voters=max_voters, weighted=weighted
    )

    def body(e: Election, data: st.DataObject) -> None:
        out = run(e)
        if not isinstance(out, Outcome):
            raise RuleCheckFailure("well-formed", _("returned {name}", name=type(out).__name__), e)
        if "well-formed" in wanted:
            _well_formed(e, out)
        if "determinism" in wanted:
            again = run(loads(dumps(e)))
            if not _same(out, again):
                raise RuleCheckFailure(
                    "determinism",
                    _("first run {show}; second run {show2}", show=_show(out), show2=_show(again)),
                    e,
                )
        if "anonymity" in wanted:
            n = e.profile.num_voters
            order = data.draw(st.permutations(range(n)), label="voter order")
            other = run(_per_voter(e, order))
            if not _same(out, other):
                raise RuleCheckFailure(
                    "anonymity",
                    _(
                        "voters in order {order} give {show} instead of {show2}",
                        order=order,
                        show=_show(other),
                        show2=_show(out),
                    ),
                    e,
                )
        if "collapse" in wanted:
            other = run(_per_voter(e))
            if not _same(out, other):
                raise RuleCheckFailure(
                    "collapse",
                    _(
                        "one row per voter gives {show}; collapsed rows give {show2}",
                        show=_show(other),
                        show2=_show(out),
                    ),
                    e,
                )
        if "neutrality" in wanted:
            _neutrality(e, out, data, run, tie_aware)
        if exhaustive and "exhaustive" in wanted:
            left = e.budget - out.total_funding
            fits = [
                p.id
                for p in e.projects
                if p.id not in out.selected_set and p.cost - out.funding.get(p.id, 0) <= left
            ]
            if fits:
                raise RuleCheckFailure(
                    "exhaustive",
                    _(
                        "{fits} still fit in the {left} left after {show}",
                        fits=fits,
                        left=left,
                        show=_show(out),
                    ),
                    e,
                )

    test = given(e=strategy, data=st.data())(body)
    # one failure, the minimal one, even when the rule breaks several properties; no example
    # database, since every rule checked shares this inner test function
    extra: dict[str, object] = {"report_multiple_bugs": False, "database": None}
    if max_examples is not None:
        extra.update(
            max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        )
    settings(**extra)(test)()  # type: ignore[arg-type]


def _well_formed(e: Election, out: Outcome) -> None:
    ids = set(e.project_ids)
    problems = []
    if set(out.funding) != ids:
        problems.append(f"funding covers {sorted(out.funding)}, projects are {sorted(ids)}")
    for p in e.projects:
        f = out.funding.get(p.id, 0)
        if not 0 <= f <= p.cost:
            problems.append(f"project {p.id!r} gets {f} for a cost of {p.cost}")
    if out.total_funding > e.budget:
        problems.append(f"spends {out.total_funding} of a budget of {e.budget}")
    if not set(out.selected) <= ids or len(set(out.selected)) != len(out.selected):
        problems.append(f"selected {list(out.selected)} is not a set of project ids")
    elif out.total_cost != sum(e.project(p).cost for p in out.selected):
        problems.append(f"total_cost {out.total_cost} is not the selected projects' cost")
    if any(out.funding.get(p, 0) != e.project(p).cost for p in out.selected if p in ids):
        problems.append("a selected project is not fully funded")
    if problems:
        raise RuleCheckFailure("well-formed", "; ".join(problems), e)


def _neutrality(
    e: Election,
    out: Outcome,
    data: st.DataObject,
    run: Callable[..., Outcome],
    tie_aware: bool,
) -> None:
    m = len(e.projects)
    perm = data.draw(st.permutations(range(m)), label="project positions")
    moved = run(_reorder_projects(e, perm))
    if not _same(out, moved):
        raise RuleCheckFailure(
            "neutrality",
            _(
                "moving projects to positions {perm} gives {show} instead of {show2}",
                perm=perm,
                show=_show(moved),
                show2=_show(out),
            ),
            e,
        )
    if not tie_aware:
        return
    names = data.draw(st.permutations([f"q{j}" for j in range(m)]), label="new ids")
    by_file = TieBreak(("file-order",))
    base = run(e, by_file)
    renamed = run(_reorder_projects(e, range(m), names), by_file)
    back = dict(zip(names, e.project_ids, strict=True))
    mapped = {back[p]: f for p, f in renamed.funding.items()}
    if mapped != dict(base.funding) or {back[p] for p in renamed.selected} != base.selected_set:
        raise RuleCheckFailure(
            "neutrality",
            _(
                "renaming projects to {names} (ties by file order) gives {show} instead of {show2}",
                names=names,
                show=_show(renamed),
                show2=_show(base),
            ),
            e,
        )
