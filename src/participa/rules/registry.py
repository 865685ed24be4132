"""The rule registry: the names the CLI and batch tools use, mapped to the rule functions.

Each entry is a frozen :class:`RuleSpec`; :func:`run_rule` maps the CLI's options
to the function's keywords and refuses options a rule does not take.

Examples
--------
>>> sorted(RULES)[:4]
['declared', 'equal-split', 'greedy', 'greedy-no-skip']
>>> get_rule("greedy").options
('utility', 'tie_break')
>>> get_rule("nope")
Traceback (most recent call last):
...
participa.errors.RuleError: unknown rule 'nope' (use one of: greedy, greedy-no-skip, ...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from participa.errors import RuleError
from participa.model import Election
from participa.outcome import Outcome
from participa.rules._common import DEFAULT_TIE_BREAK, load_equal_shares
from participa.rules.declared import declared
from participa.rules.greedy import greedy
from participa.rules.phragmen import phragmen
from participa.rules.split import equal_split, per_head
from participa.rules.welfare import max_welfare
from participa.tiebreak import TieBreak

__all__ = ["OPTIONS", "RULES", "RuleSpec", "get_rule", "run_rule"]

OPTIONS = ("utility", "completion", "exhaustive_stop", "integral_start", "threshold", "tie_break")
"""Every option :func:`run_rule` knows, in the CLI's order."""


def _options(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [o for o in value if o not in OPTIONS]
    if unknown:
        raise ValueError(f"unknown rule options {unknown}; known: {OPTIONS}")
    return tuple(value)


@attrs.frozen(slots=True)
class RuleSpec:
    """A registered rule.

    Parameters
    ----------
    name
        The CLI name (``"greedy-no-skip"``).
    func
        Called as ``func(election, **options)`` with the options it takes.
    summary
        One line for ``participa rules``.
    options
        The keyword options (names from :data:`OPTIONS`) the rule accepts.
    """

    name: str
    func: Callable[..., Outcome] = attrs.field(eq=False)
    summary: str
    options: tuple[str, ...] = attrs.field(converter=_options)

    def __call__(self, election: Election, **options: Any) -> Outcome:
        """Run the rule (options must be among :attr:`options`)."""
        return self.func(election, **options)


def _greedy_no_skip(election: Election, **kw: Any) -> Outcome:
    return greedy(election, skip=False, **kw)


def _greedy_threshold(election: Election, **kw: Any) -> Outcome:
    if kw.get("threshold") is None:
        raise RuleError(
            "rule 'greedy-threshold' needs a threshold", hint="pass --threshold N (minimum score)"
        )
    return greedy(election, **kw)


def _mes(election: Election, **kw: Any) -> Outcome:
    return load_equal_shares()(election, **kw)


def _declared(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    # the default tie-break means "the checker's own tie-breaking"
    return declared(election, tie_break=None if tie_break == DEFAULT_TIE_BREAK else tie_break)


RULES: Mapping[str, RuleSpec] = MappingProxyType(
    {
        s.name: s
        for s in (
            RuleSpec(
                "greedy",
                greedy,
                "greedy by utility per cost, skipping what does not fit",
                ("utility", "tie_break"),
            ),
            RuleSpec(
                "greedy-no-skip",
                _greedy_no_skip,
                "greedy by utility per cost, stopping at the first project that does not fit",
                ("utility", "tie_break"),
            ),
            RuleSpec(
                "greedy-threshold",
                _greedy_threshold,
                "greedy among projects scoring at least the threshold",
                ("utility", "threshold", "tie_break"),
            ),
            RuleSpec(
                "mes",
                _mes,
                "method of equal shares, with optional completion",
                ("utility", "completion", "exhaustive_stop", "integral_start", "tie_break"),
            ),
            RuleSpec(
                "phragmen",
                phragmen,
                "sequential Phragmén (approval, choose-1)",
                ("tie_break",),
            ),
            RuleSpec(
                "max-welfare",
                max_welfare,
                "exact maximum utilitarian welfare (0/1 knapsack)",
                ("utility", "tie_break"),
            ),
            RuleSpec(
                "per-head",
                per_head,
                "money in proportion to votes, capped at cost (San Juan de Miraflores)",
                ("tie_break",),
            ),
            RuleSpec(
                "equal-split",
                equal_split,
                "budget split equally among territories, greedy by votes inside each",
                ("tie_break",),
            ),
            RuleSpec(
                "declared",
                _declared,
                "replay the rule the file declares (META rule), as pabulib's checker does",
                ("tie_break",),
            ),
        )
    }
)
"""The registered rules by name."""


def get_rule(name: str) -> RuleSpec:
    """The rule registered under ``name``; :class:`RuleError` listing the names otherwise."""
    spec = RULES.get(name)
    if spec is None:
        raise RuleError(f"unknown rule {name!r}", hint=f"use one of: {', '.join(RULES)}")
    return spec


def run_rule(
    name: str,
    election: Election,
    *,
    utility: str | None = None,
    completion: str | None = None,
    exhaustive_stop: bool = True,
    integral_start: bool = False,
    threshold: int | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Run a registered rule with CLI-style options.

    Options left at their defaults are not passed; an option set to anything else
    that the rule does not take raises :class:`RuleError` naming it.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("a", 6), Project("b", 5)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a"], ["b"]]))
    >>> run_rule("greedy-threshold", e, threshold=2).selected
    ('a',)
    >>> run_rule("phragmen", e, utility="count")
    Traceback (most recent call last):
    ...
    participa.errors.RuleError: rule 'phragmen' does not take option(s) utility ...
    """
    spec = get_rule(name)
    given: dict[str, Any] = {}
    if utility is not None:
        given["utility"] = utility
    if completion is not None:
        given["completion"] = completion
    if exhaustive_stop is not True:
        given["exhaustive_stop"] = exhaustive_stop
    if integral_start is not False:
        given["integral_start"] = integral_start
    if threshold is not None:
        given["threshold"] = threshold
    bad = [o for o in given if o not in spec.options]
    if bad:
        takes = ", ".join(o for o in spec.options) or "no options"
        raise RuleError(
            f"rule {name!r} does not take option(s) {', '.join(bad)}",
            hint=f"{name} takes: {takes}",
        )
    given["tie_break"] = tie_break
    return spec(election, **given)
