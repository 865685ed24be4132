"""The rule registry: the names the CLI and batch tools use, mapped to the rule functions.

Each entry is a frozen :class:`RuleSpec` pointing at a public rule function. Options
come in as text only here (and in the CLI): :meth:`RuleOptions.parse` turns the CLI's
strings into a typed, frozen :class:`RuleOptions` (unknown values raise
:class:`~participa.RuleError` listing the valid choices), and :meth:`RuleSpec.run`
calls the rule with typed keywords, refusing options the rule does not take.

Examples
--------
>>> sorted(RULES)[:4]
['cstv', 'declared', 'ees', 'equal-split']
>>> get_rule("greedy").options
('utility', 'tie_break')
>>> get_rule("nope")
Traceback (most recent call last):
...
participa.errors.RuleError: unknown rule 'nope' (use one of: greedy, greedy-no-skip, ...)
>>> RuleOptions.parse(completion="add-one")
Traceback (most recent call last):
...
participa.errors.RuleError: unknown completion 'add-one' (use one of: none, add1, ...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from participa.boundary import checked, typed_fields
from participa.errors import RuleError
from participa.i18n import _, use_language
from participa.model import Election
from participa.outcome import Outcome
from participa.rules.bos import bos_equal_shares, fractional_equal_shares
from participa.rules.cstv import CSTV_VARIANTS, cstv
from participa.rules.declared import declared
from participa.rules.ees import exact_equal_shares
from participa.rules.greedy import greedy
from participa.rules.maximin import maximin_support
from participa.rules.mes import equal_shares
from participa.rules.mes.options import COMPLETIONS, Completion
from participa.rules.online import online_greedy
from participa.rules.ordered_relax import ordered_relax
from participa.rules.pb_ear import pb_ear
from participa.rules.phragmen import phragmen
from participa.rules.split import equal_split, per_head
from participa.rules.utility import Utility, parse_utility
from participa.rules.welfare import max_welfare
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = [
    "OPTIONS",
    "RULES",
    "RULE_COMPLETIONS",
    "VARIANTS",
    "OptionName",
    "RuleCompletion",
    "RuleOptions",
    "RuleSpec",
    "Variant",
    "get_rule",
    "parse_completion",
    "parse_variant",
    "run_rule",
]

OptionName = Literal[
    "utility",
    "completion",
    "exhaustive_stop",
    "integral_start",
    "threshold",
    "variant",
    "tie_break",
]
"""The name of an option :func:`run_rule` knows."""

OPTIONS: tuple[OptionName, ...] = (
    "utility",
    "completion",
    "exhaustive_stop",
    "integral_start",
    "threshold",
    "variant",
    "tie_break",
)
"""Every option :func:`run_rule` knows, in the CLI's order."""

RuleCompletion = Literal["none", "add1", "add1u", "utilitarian", "phragmen", "add-opt"]
"""A named completion: equal shares' (:data:`~participa.rules.mes.options.Completion`) and
exact equal shares' ``add-opt``. Equal shares may also be completed by any registered
rule (:func:`parse_completion` gives its :class:`RuleSpec`)."""
RULE_COMPLETIONS: tuple[RuleCompletion, ...] = (
    "none",
    "add1",
    "add1u",
    "utilitarian",
    "phragmen",
    "add-opt",
)


@checked
def parse_completion(text: str) -> RuleCompletion | RuleSpec:
    """The completion named by ``text``: a :data:`RuleCompletion`, else a registered rule.

    :class:`~participa.RuleError` listing both when it is neither.
    """
    for name in RULE_COMPLETIONS:
        if text == name:
            return name
    spec = RULES.get(text)
    if spec is not None:
        return spec
    raise RuleError(
        _("unknown completion {name!r}", name=text),
        hint=_(
            "use one of: {choices}, or a rule name",
            choices=", ".join(RULE_COMPLETIONS),
        ),
    )


Variant = Literal["ewt", "ewtc", "ewts", "mt", "mtc", "mts", "greedy", "efficient"]
"""A rule's variant: CSTV's six combinations, online greedy's two tests."""
VARIANTS: tuple[Variant, ...] = ("ewt", "ewtc", "ewts", "mt", "mtc", "mts", "greedy", "efficient")


@checked
def parse_variant(text: str) -> Variant:
    """The :data:`Variant` named by ``text``; :class:`~participa.RuleError` otherwise."""
    for v in VARIANTS:
        if text == v:
            return v
    raise RuleError(
        _("unknown variant {name!r}", name=text),
        hint=_("use one of: {choices}", choices=", ".join(VARIANTS)),
    )


@attrs.frozen(slots=True, field_transformer=typed_fields)
class RuleOptions:
    """The CLI's options, typed. A field left at its default is "not given".

    Parameters
    ----------
    utility, completion, exhaustive_stop, integral_start, threshold, tie_break
        As the rule functions take them (see :func:`~participa.rules.mes.equal_shares`,
        :func:`~participa.rules.greedy.greedy`).
    variant
        CSTV's combination or online greedy's test (each rule checks its own).

    Every value is checked when the options are built (a name that is no
    :data:`Utility`, a flag that is no ``bool``, ...: :class:`~participa.RuleError`);
    :meth:`parse` only turns the CLI's text into these values.
    """

    utility: Utility | None = None
    completion: RuleCompletion | RuleSpec | None = None
    exhaustive_stop: bool = True
    integral_start: bool = False
    threshold: int | None = None
    tie_break: TieBreak = DEFAULT_TIE_BREAK
    variant: Variant | None = None

    def __attrs_post_init__(self) -> None:
        for what, flag in (
            ("exhaustive_stop", self.exhaustive_stop),
            ("integral_start", self.integral_start),
        ):
            if not isinstance(flag, bool):
                raise RuleError(_("option {name} must be true or false", name=what))
        threshold = self.threshold
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, int)
        ):
            raise RuleError(
                _("option threshold must be an integer score, got {value!r}", value=threshold)
            )
        if not isinstance(self.tie_break, TieBreak):
            raise RuleError(
                _(
                    "option tie_break must be a TieBreak or its text, got {value!r}",
                    value=self.tie_break,
                )
            )
        if self.utility is not None:
            parse_utility(_text(self.utility, "utility"))
        if self.completion is not None and not isinstance(self.completion, RuleSpec):
            # a completion's name, or a rule's (which becomes that rule's RuleSpec)
            named = parse_completion(_text(self.completion, "completion"))
            object.__setattr__(self, "completion", named)
        if self.variant is not None:
            parse_variant(_text(self.variant, "variant"))

    @classmethod
    def parse(  # not @checked: an edge parser, it checks its own arguments (RuleError)
        cls,
        *,
        utility: str | None = None,
        completion: str | None = None,
        exhaustive_stop: bool = True,
        integral_start: bool = False,
        threshold: int | None = None,
        tie_break: TieBreak | str | None = None,
        variant: str | None = None,
    ) -> RuleOptions:
        """Options from CLI-style values (names as text, ``tie_break`` as text or a value).

        The names are checked when the options are built (one place for both paths).
        """
        if isinstance(tie_break, str):
            tb: object = TieBreak.parse(tie_break)
        else:
            tb = DEFAULT_TIE_BREAK if tie_break is None else tie_break
        return cls(
            utility=utility,  # type: ignore[arg-type]  # checked when built
            completion=completion,  # type: ignore[arg-type]
            exhaustive_stop=exhaustive_stop,
            integral_start=integral_start,
            threshold=threshold,
            tie_break=tb,  # type: ignore[arg-type]
            variant=variant,  # type: ignore[arg-type]
        )

    def given(self) -> tuple[OptionName, ...]:
        """The options set to something else than their default (``tie_break`` excluded)."""
        out: list[OptionName] = []
        if self.utility is not None:
            out.append("utility")
        if self.completion is not None:
            out.append("completion")
        if self.exhaustive_stop is not True:
            out.append("exhaustive_stop")
        if self.integral_start is not False:
            out.append("integral_start")
        if self.threshold is not None:
            out.append("threshold")
        if self.variant is not None:
            out.append("variant")
        return tuple(out)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise RuleError(_("option {name} must be text, got {value!r}", name=what, value=value))
    return value


@attrs.frozen(slots=True, field_transformer=typed_fields)
class RuleSpec:
    """A registered rule.

    Parameters
    ----------
    name
        The CLI name (``"greedy-no-skip"``).
    func
        The public rule function (``greedy``, ``equal_shares``, ...).
    summary
        One line for ``participa rules``.
    options
        The options (names from :data:`OPTIONS`) the rule takes.
    call
        Runs ``func`` with the typed options (fixed arguments such as
        ``skip=False`` included).
    """

    name: str
    func: Callable[..., Outcome] = attrs.field(eq=False)
    summary: str
    options: tuple[OptionName, ...]
    call: Callable[[Election, RuleOptions], Outcome] = attrs.field(eq=False, repr=False)

    def __call__(
        self,
        election: Election,
        *,
        utility: Utility | None = None,
        completion: RuleCompletion | None = None,
        exhaustive_stop: bool = True,
        integral_start: bool = False,
        threshold: int | None = None,
        tie_break: TieBreak = DEFAULT_TIE_BREAK,
        variant: Variant | None = None,
    ) -> Outcome:
        """Run the rule with typed options (checked when :class:`RuleOptions` is built)."""
        options = RuleOptions(
            utility=utility,
            completion=completion,
            exhaustive_stop=exhaustive_stop,
            integral_start=integral_start,
            threshold=threshold,
            tie_break=tie_break,
            variant=variant,
        )
        return self.run(election, options)

    def run(self, election: Election, options: RuleOptions | None = None) -> Outcome:
        """Run the rule; :class:`~participa.RuleError` for a given option it does not take."""
        opts = RuleOptions() if options is None else options
        bad = [o for o in opts.given() if o not in self.options]
        if bad:
            takes = ", ".join(self.options) or "-"
            raise RuleError(
                _(
                    "rule {rule!r} does not take option(s) {options}",
                    rule=self.name,
                    options=", ".join(bad),
                ),
                hint=_("{rule} takes: {options}", rule=self.name, options=takes),
            )
        return self.call(election, opts)


def _greedy(skip: bool) -> Callable[[Election, RuleOptions], Outcome]:
    def call(e: Election, o: RuleOptions) -> Outcome:
        return greedy(e, utility=o.utility, skip=skip, tie_break=o.tie_break)

    return call


def _greedy_threshold(e: Election, o: RuleOptions) -> Outcome:
    if o.threshold is None:
        raise RuleError(
            _("rule {rule!r} needs a threshold", rule="greedy-threshold"),
            hint=_("pass --threshold N (minimum score)"),
        )
    return greedy(e, utility=o.utility, threshold=o.threshold, tie_break=o.tie_break)


def _rule_completion(
    rule: str, given: RuleCompletion | RuleSpec | None, known: tuple[str, ...]
) -> str:
    name = "none" if given is None else given.name if isinstance(given, RuleSpec) else given
    if name not in known:
        raise RuleError(
            _("rule {rule!r} has no completion {name!r}", rule=rule, name=name),
            hint=_("use one of: {choices}", choices=", ".join(known)),
        )
    return name


def _mes_completion(o: RuleOptions) -> Completion | Callable[[Election], Outcome]:
    given = o.completion
    if isinstance(given, RuleSpec):
        spec = given
        options = RuleOptions(
            utility=o.utility if "utility" in spec.options else None, tie_break=o.tie_break
        )
        return lambda e: spec.run(e, options)
    name = _rule_completion("mes", given, COMPLETIONS)
    return next(c for c in COMPLETIONS if c == name)


def _mes(e: Election, o: RuleOptions) -> Outcome:
    return equal_shares(
        e,
        utility=o.utility,
        completion=_mes_completion(o),
        exhaustive_stop=o.exhaustive_stop,
        integral_start=o.integral_start,
        tie_break=o.tie_break,
    )


def _cstv(e: Election, o: RuleOptions) -> Outcome:
    variant = "mtc" if o.variant is None else o.variant
    for v in CSTV_VARIANTS:
        if v == variant:
            return cstv(e, variant=v, tie_break=o.tie_break)
    raise RuleError(
        _("rule {rule!r} has no variant {name!r}", rule="cstv", name=variant),
        hint=_("use one of: {choices}", choices=", ".join(CSTV_VARIANTS)),
    )


def _two_utilities(rule: str, utility: Utility | None) -> Literal["cost", "count"]:
    if utility is None or utility == "cost":
        return "cost"
    if utility == "count":
        return "count"
    raise RuleError(
        _("rule {rule!r} has no utility {name!r}", rule=rule, name=utility),
        hint=_("use one of: {choices}", choices="cost, count"),
    )


def _online(e: Election, o: RuleOptions) -> Outcome:
    if o.variant not in (None, "greedy", "efficient"):
        raise RuleError(
            _("rule {rule!r} has no variant {name!r}", rule="online-greedy", name=o.variant),
            hint=_("use one of: {choices}", choices="greedy, efficient"),
        )
    variant: Literal["greedy", "efficient"] = "efficient" if o.variant == "efficient" else "greedy"
    return online_greedy(e, utility=_two_utilities("online-greedy", o.utility), variant=variant)


def _ees(e: Election, o: RuleOptions) -> Outcome:
    name = _rule_completion("ees", o.completion, ("none", "add-opt"))
    return exact_equal_shares(
        e,
        utility=_two_utilities("ees", o.utility),
        completion="add-opt" if name == "add-opt" else "none",
        tie_break=o.tie_break,
    )


def _declared(e: Election, o: RuleOptions) -> Outcome:
    # the default tie-break means "the checker's own tie-breaking"
    return declared(e, tie_break=None if o.tie_break == DEFAULT_TIE_BREAK else o.tie_break)


RULES: Mapping[str, RuleSpec] = MappingProxyType(
    {
        s.name: s
        for s in (
            RuleSpec(
                "greedy",
                greedy,
                "greedy by utility per cost, skipping what does not fit",
                ("utility", "tie_break"),
                _greedy(True),
            ),
            RuleSpec(
                "greedy-no-skip",
                greedy,
                "greedy by utility per cost, stopping at the first project that does not fit",
                ("utility", "tie_break"),
                _greedy(False),
            ),
            RuleSpec(
                "greedy-threshold",
                greedy,
                "greedy among projects scoring at least the threshold",
                ("utility", "threshold", "tie_break"),
                _greedy_threshold,
            ),
            RuleSpec(
                "mes",
                equal_shares,
                "method of equal shares, with optional completion",
                ("utility", "completion", "exhaustive_stop", "integral_start", "tie_break"),
                _mes,
            ),
            RuleSpec(
                "phragmen",
                phragmen,
                "sequential Phragmén (approval, choose-1)",
                ("tie_break",),
                lambda e, o: phragmen(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "max-welfare",
                max_welfare,
                "exact maximum utilitarian welfare (0/1 knapsack)",
                ("utility", "tie_break"),
                lambda e, o: max_welfare(e, utility=o.utility, tie_break=o.tie_break),
            ),
            RuleSpec(
                "per-head",
                per_head,
                "money in proportion to votes, capped at cost (San Juan de Miraflores)",
                ("tie_break",),
                lambda e, o: per_head(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "equal-split",
                equal_split,
                "budget split equally among territories, greedy by votes inside each",
                ("tie_break",),
                lambda e, o: equal_split(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "cstv",
                cstv,
                "cumulative support transfer voting (cumulative ballots; --variant ewt..mts)",
                ("variant", "tie_break"),
                _cstv,
            ),
            RuleSpec(
                "maximin-support",
                maximin_support,
                "maximin support: the project keeping the largest voter load smallest",
                ("tie_break",),
                lambda e, o: maximin_support(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "ees",
                exact_equal_shares,
                "exact equal shares: every payer of a project pays the same",
                ("utility", "completion", "tie_break"),
                _ees,
            ),
            RuleSpec(
                "mes-bos",
                bos_equal_shares,
                "equal shares with bounded overspending (approval, cost utilities)",
                ("tie_break",),
                lambda e, o: bos_equal_shares(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "fractional-mes",
                fractional_equal_shares,
                "fractional equal shares: projects bought in parts, paid in equal shares",
                ("tie_break",),
                lambda e, o: fractional_equal_shares(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "pb-ear",
                pb_ear,
                "PB-EAR: proportional representation of solid coalitions (ranked ballots)",
                ("tie_break",),
                lambda e, o: pb_ear(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "online-greedy",
                online_greedy,
                "projects decided as they arrive, in file order (--variant efficient)",
                ("utility", "variant"),
                _online,
            ),
            RuleSpec(
                "ordered-relax",
                ordered_relax,
                "ordered relax (maxmin PB): projects by their exact LP-relaxation money",
                ("tie_break",),
                lambda e, o: ordered_relax(e, tie_break=o.tie_break),
            ),
            RuleSpec(
                "declared",
                declared,
                "replay the rule the file declares (META rule), as pabulib's checker does",
                ("tie_break",),
                _declared,
            ),
        )
    }
)
"""The registered rules by name."""


@checked
def get_rule(name: str) -> RuleSpec:
    """The rule registered under ``name``; :class:`RuleError` listing the names otherwise."""
    spec = RULES.get(name) if isinstance(name, str) else None
    if spec is None:
        raise RuleError(
            _("unknown rule {name!r}", name=name),
            hint=_("use one of: {choices}", choices=", ".join(RULES)),
        )
    return spec


@checked
def run_rule(
    name: str,
    election: Election,
    *,
    utility: str | None = None,
    completion: str | None = None,
    exhaustive_stop: bool = True,
    integral_start: bool = False,
    threshold: int | None = None,
    tie_break: TieBreak | str = DEFAULT_TIE_BREAK,
    variant: str | None = None,
) -> Outcome:
    """Run a registered rule with CLI-style options (names as text).

    The text is parsed by :meth:`RuleOptions.parse`; options left at their defaults
    are not passed; an option set to anything else that the rule does not take raises
    :class:`RuleError` naming it.

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
    options = RuleOptions.parse(
        utility=utility,
        completion=completion,
        exhaustive_stop=exhaustive_stop,
        integral_start=integral_start,
        threshold=threshold,
        tie_break=tie_break,
        variant=variant,
    )
    with use_language(None):  # the language is looked up once, not at every message
        return spec.run(election, options)
