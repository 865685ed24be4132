"""Where did the money go, and who is satisfied? Shares, gaps, satisfaction, rule comparison.

* :func:`shares` — money by territory, category, sector, development dimension or any
  project metadata column (San Juan de Miraflores reported its outcome by dimension:
  economic 2%);
* :func:`funding_gaps` — cost against funding per project (what a per-head split leaves
  unfunded);
* :func:`satisfaction` — mean voter satisfaction, its Gini coefficient and the share of
  voters with nothing, exactly (:class:`~fractions.Fraction`);
* :func:`compare_rules` — several rules on one election, one row each.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> from participa.outcome import Outcome
>>> ps = (Project("a", 98, dimension="urban"), Project("b", 2, dimension="economic"))
>>> e = Election(100, ps, Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
>>> table = shares(e, Outcome.from_selection(e, [0, 1], rule="all"), by="dimension")
>>> table.share_of("economic")
Fraction(1, 50)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa._wide import exact_row_sums, exact_sum
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.i18n import _, ngettext
from participa.model import Election, Project
from participa.money import Currency, check_currency, largest_remainder, upgrade_loose_currency
from participa.outcome import Outcome
from participa.rules.utility import Utility, default_utility, parse_utility, utility_matrix
from participa.validators import int_array

__all__ = [
    "FundingGap",
    "FundingGaps",
    "RuleComparison",
    "RuleRow",
    "SatisfactionSummary",
    "ShareRow",
    "ShareTable",
    "compare_rules",
    "funding_gaps",
    "gini",
    "satisfaction",
    "shares",
    "voter_satisfaction",
]

NONE_KEY = "(none)"
"""The key of projects with no territory / category / dimension."""


def _pct(x: Fraction) -> str:
    return f"{float(x) * 100:.1f}%"


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _mean(value: Fraction, utility: str, currency: Currency) -> str:
    """A mean satisfaction for people: money for the cost utility, else a plain number."""
    if utility == "cost":
        return currency.format(round(value))
    return f"{float(value):,.2f}"


# -- shares --------------------------------------------------------------------------------------


@serialize.register("participa.analysis.ShareRow")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class ShareRow:
    """One group of projects (a territory, a category, a dimension...).

    ``funded`` and ``cost`` are minor units; a project in several categories counts in each,
    with its money split equally among them (largest remainder, so no cent is lost).
    ``share`` is the group's part of all money handed out.
    """

    key: str
    funded: int
    cost: int
    projects: int
    projects_funded: int
    share: Fraction


def _row_tuple(value: Iterable[ShareRow]) -> tuple[ShareRow, ...]:
    return tuple(value)


@serialize.register("participa.analysis.ShareTable")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class ShareTable:
    """Money by group, largest first; the rows' ``funded`` add up to ``total``."""

    by: str
    rows: tuple[ShareRow, ...] = attrs.field(converter=_row_tuple)
    total: int
    currency: Currency = attrs.field(factory=Currency, validator=check_currency)

    __participa_upgrade__ = staticmethod(upgrade_loose_currency)  # older JSON: a loose number

    @property
    def minor_per_unit(self) -> int:
        """Minor units per currency unit (the :attr:`currency`'s)."""
        return self.currency.minor_per_unit

    def share_of(self, key: str) -> Fraction:
        """The share of group ``key`` (0 for a group with no projects)."""
        return next((r.share for r in self.rows if r.key == key), Fraction(0))

    def as_dict(self) -> dict[str, int]:
        """``{group: money}`` in row order."""
        return {r.key: r.funded for r in self.rows}

    @property
    def money(self) -> Currency:
        """How the amounts read as money (the election's currency): :attr:`currency`."""
        return self.currency

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "ShareTable",
            self.by,
            [ngettext("{n} group", "{n} groups", len(self.rows)), self.money.format(self.total)],
        )

    def _repr_html_(self) -> str:
        from participa.display import html_table

        money = self.money.format
        rows = (
            (
                r.key,
                money(r.funded),
                _pct(r.share),
                f"{r.projects_funded}/{r.projects}",
                money(r.cost),
            )
            for r in self.rows
        )
        cap = _("money by {by}: {total}", by=self.by, total=money(self.total))
        header = (self.by, _("funded"), _("share"), _("projects funded"), _("cost asked"))
        return html_table(header, rows, caption=cap)


def _keys_for(projects: Sequence[Project], by: str) -> list[tuple[str, ...]]:
    if by == "territory":
        return [(p.territory or NONE_KEY,) for p in projects]
    if by == "dimension":
        return [(p.dimension or NONE_KEY,) for p in projects]
    if by == "sector" and any("sector" in p.metadata for p in projects):
        return [(p.metadata.get("sector") or NONE_KEY,) for p in projects]
    if by in ("category", "sector"):
        return [tuple(dict.fromkeys(p.categories)) or (NONE_KEY,) for p in projects]
    if any(by in p.metadata for p in projects):
        return [(p.metadata.get(by) or NONE_KEY,) for p in projects]
    raise ValidationError(
        _("cannot group projects by {by!r}: no project has such a field or metadata column", by=by),
        hint=_("use 'territory', 'dimension', 'category', 'sector' or a metadata column name"),
    )


@checked
def shares(election: Election, outcome: Outcome, *, by: str = "territory") -> ShareTable:
    """Money handed out by territory, dimension, category, sector or metadata column.

    Parameters
    ----------
    election
        The election whose projects carry territories, categories, dimensions.
    outcome
        What a rule funded (partial funding counts as given).
    by
        ``"territory"``, ``"dimension"``, ``"category"`` (a project's ``categories``,
        money split equally among them), ``"sector"`` (the ``sector`` metadata column if
        projects have one, else their categories) or any metadata column name.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> ps = (Project("a", 30, categories=("water", "roads")), Project("b", 41, territory="S1"))
    >>> e = Election(100, ps, Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a", "b"]]))
    >>> o = Outcome.from_selection(e, [0, 1], rule="all")
    >>> shares(e, o, by="category").as_dict()
    {'(none)': 41, 'roads': 15, 'water': 15}
    >>> [str(r.share) for r in shares(e, o).rows]
    ['41/71', '30/71']
    """
    keys = _keys_for(election.projects, by)
    funded: dict[str, int] = {}
    cost: dict[str, int] = {}
    count: dict[str, int] = {}
    count_funded: dict[str, int] = {}
    for p, ks in zip(election.projects, keys, strict=True):
        money = int(outcome.funding.get(p.id, 0))
        f_parts = largest_remainder(money, [1] * len(ks))
        c_parts = largest_remainder(p.cost, [1] * len(ks))
        for k, f, c in zip(ks, f_parts, c_parts, strict=True):
            funded[k] = funded.get(k, 0) + f
            cost[k] = cost.get(k, 0) + c
            count[k] = count.get(k, 0) + 1
            count_funded[k] = count_funded.get(k, 0) + (1 if money > 0 else 0)
    total = sum(funded.values())
    rows = [
        ShareRow(
            k,
            funded[k],
            cost[k],
            count[k],
            count_funded[k],
            Fraction(funded[k], total) if total else Fraction(0),
        )
        for k in sorted(funded, key=lambda k: (-funded[k], k))
    ]
    return ShareTable(by, rows, total, election.money)


# -- funding gaps ------------------------------------------------------------------------------


@serialize.register("participa.analysis.FundingGap")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class FundingGap:
    """A project's cost, the money it received and what is missing (``gap = cost - funded``)."""

    project_id: str
    cost: int
    funded: int
    gap: int


def _gap_tuple(value: Iterable[FundingGap]) -> tuple[FundingGap, ...]:
    return tuple(value)


@serialize.register("participa.analysis.FundingGaps")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class FundingGaps:
    """Cost against funding for every project that received money, in election order."""

    rule: str
    rows: tuple[FundingGap, ...] = attrs.field(converter=_gap_tuple)
    currency: Currency = attrs.field(factory=Currency, validator=check_currency)

    __participa_upgrade__ = staticmethod(upgrade_loose_currency)  # older JSON: a loose number

    @property
    def minor_per_unit(self) -> int:
        """Minor units per currency unit (the :attr:`currency`'s)."""
        return self.currency.minor_per_unit

    @property
    def underfunded(self) -> tuple[str, ...]:
        """Projects that got some money but less than their cost."""
        return tuple(r.project_id for r in self.rows if r.funded and r.gap > 0)

    @property
    def total_gap(self) -> int:
        """Money missing to complete every partly funded project."""
        return sum(r.gap for r in self.rows if r.funded)

    def _money(self, amount: int) -> str:
        return self.currency.format(amount)

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "FundingGaps",
            self.rule,
            [
                _("{n} underfunded", n=len(self.underfunded)),
                _("{amount} missing", amount=self._money(self.total_gap)),
            ],
        )

    def _repr_html_(self) -> str:
        from participa.display import html_table

        money = self._money
        rows = ((r.project_id, money(r.cost), money(r.funded), money(r.gap)) for r in self.rows)
        cap = _(
            "{rule}: {n} underfunded, {amount} missing",
            rule=self.rule,
            n=ngettext("{n} project", "{n} projects", len(self.underfunded)),
            amount=money(self.total_gap),
        )
        header = (_("project"), _("cost"), _("funded"), _("gap"))
        return html_table(header, rows, caption=cap)


@checked
def funding_gaps(
    election: Election, outcome: Outcome, *, all_projects: bool = False
) -> FundingGaps:
    """Cost, funding and gap of each funded project (or of every project).

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(100, [Project("a", 80), Project("b", 60)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
    >>> split = Outcome("per-head", 100, {"a": 50, "b": 50}, (), 0)
    >>> g = funding_gaps(e, split)
    >>> g.underfunded, g.total_gap
    (('a', 'b'), 40)
    """
    rows = []
    for p in election.projects:
        f = int(outcome.funding.get(p.id, 0))
        if f or all_projects:
            rows.append(FundingGap(p.id, p.cost, f, p.cost - f))
    return FundingGaps(outcome.rule, rows, election.money)


# -- satisfaction ------------------------------------------------------------------------------


@checked
def voter_satisfaction(
    election: Election, outcome: Outcome | Iterable[str], *, utility: Utility | str | None = None
) -> npt.NDArray[Any]:
    """Satisfaction of each profile row: the sum of its utilities over the selected projects.

    Only fully funded (selected) projects count; see :func:`funding_gaps` for partial
    funding. Exact at any magnitude: ``int64`` when ``max utility × projects`` is proven
    below ``2**62``, else Python integers (an ``object`` array).

    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> u = 2**62
    >>> e = Election(2 * u, [Project("a", u), Project("b", u)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a", "b"], ["b"]]))
    >>> voter_satisfaction(e, ["a", "b"]).tolist()
    [9223372036854775808, 4611686018427387904]
    """
    ids = set(outcome.selected if isinstance(outcome, Outcome) else outcome)
    util = default_utility(election.kind) if utility is None else utility
    u = utility_matrix(election, parse_utility(util))
    mask = np.array([p in ids for p in election.project_ids], dtype=np.bool_)
    return exact_row_sums(u[:, mask])


@checked
def gini(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> Fraction:
    """Exact weighted Gini coefficient of non-negative integers (0: all equal).

    ``sum over pairs of w_i w_j |x_i - x_j|  /  (2 W sum w_i x_i)``, computed in
    ``O(n log n)`` with numpy on Python integers.

    >>> gini([1, 1, 1]), gini([0, 0, 3]), gini([0, 3], [2, 1])
    (Fraction(0, 1), Fraction(2, 3), Fraction(2, 3))
    """
    x = int_array(values, what="values")
    w = np.ones_like(x) if weights is None else int_array(weights, what="weights")
    if len(w) != len(x):
        raise ValidationError(
            _(
                "gini needs one weight per value: {values} values, {weights} weights",
                values=len(x),
                weights=len(w),
            )
        )
    if x.size == 0:
        return Fraction(0)
    if int(x.min()) < 0 or int(w.min()) < 0:
        raise ValidationError(_("gini needs non-negative values and weights"))
    order = np.argsort(x, kind="stable")
    xs, ws = x[order].astype(object), w[order].astype(object)
    w_before = np.concatenate(([0], np.cumsum(ws)[:-1])).astype(object)
    wx_before = np.concatenate(([0], np.cumsum(ws * xs)[:-1])).astype(object)
    pairs = int((ws * (xs * w_before - wx_before)).sum())  # sum over i<j of w_i w_j (x_j - x_i)
    total_w, total_wx = int(ws.sum()), int((ws * xs).sum())
    if total_wx == 0:
        return Fraction(0)
    return Fraction(pairs, total_w * total_wx)


@serialize.register("participa.analysis.SatisfactionSummary")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class SatisfactionSummary:
    """How satisfied voters are with an outcome (weights count as voters).

    ``mean`` is in utility units (minor units for ``cost``, projects for ``count``).
    """

    rule: str
    utility: str
    voters: int
    mean: Fraction
    gini: Fraction
    share_with_nothing: Fraction
    currency: Currency = attrs.field(factory=Currency)

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "SatisfactionSummary",
            self.rule,
            [
                _("mean {mean}", mean=_mean(self.mean, self.utility, self.currency)),
                _("Gini {gini}", gini=f"{float(self.gini):.3f}"),
                _("{share} with nothing", share=_pct(self.share_with_nothing)),
            ],
        )

    def _repr_html_(self) -> str:
        from participa.display import html_table

        rows = [
            (_("voters"), f"{self.voters:,}"),
            (
                _("mean satisfaction ({utility})", utility=self.utility),
                _mean(self.mean, self.utility, self.currency),
            ),
            (_("Gini of satisfaction"), f"{float(self.gini):.3f}"),
            (_("voters with nothing"), _pct(self.share_with_nothing)),
        ]
        cap = _("{rule}: voter satisfaction", rule=self.rule)
        return html_table(("", ""), rows, caption=cap)


@checked
def satisfaction(
    election: Election, outcome: Outcome, *, utility: Utility | str | None = None
) -> SatisfactionSummary:
    """Mean satisfaction, its Gini coefficient and the share of voters with nothing.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, [Project("a", 4), Project("b", 6)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a"], ["a"], ["b"], []]))
    >>> s = satisfaction(e, Outcome.from_selection(e, [0], rule="x"))
    >>> s.mean, s.share_with_nothing, s.gini
    (Fraction(2, 1), Fraction(1, 2), Fraction(1, 2))
    """
    util = default_utility(election.kind) if utility is None else utility
    sat = voter_satisfaction(election, outcome, utility=util)
    w = election.profile.group_weight
    n = exact_sum(w)
    if n == 0:
        return SatisfactionSummary(
            outcome.rule, str(util), 0, Fraction(0), Fraction(0), Fraction(0), election.money
        )
    total = int((sat.astype(object) * w.astype(object)).sum())
    return SatisfactionSummary(
        outcome.rule,
        str(util),
        n,
        Fraction(total, n),
        gini(sat, w),
        Fraction(exact_sum(w[sat == 0]), n),
        election.money,
    )


# -- comparing rules ---------------------------------------------------------------------------


@serialize.register("participa.analysis.RuleRow")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class RuleRow:
    """One rule's outcome on the election, summarised."""

    rule: str
    selected: int
    spent: int
    spent_share: Fraction
    underfunded: int
    mean_satisfaction: Fraction
    gini: Fraction
    share_with_nothing: Fraction
    jr: bool
    exhaustive: bool


def _rule_rows(value: Iterable[RuleRow]) -> tuple[RuleRow, ...]:
    return tuple(value)


@serialize.register("participa.analysis.RuleComparison")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class RuleComparison:
    """Several rules on one election, one :class:`RuleRow` each, in the order given."""

    election: str
    utility: str
    budget: int
    rows: tuple[RuleRow, ...] = attrs.field(converter=_rule_rows)
    currency: Currency = attrs.field(factory=Currency, validator=check_currency)

    __participa_upgrade__ = staticmethod(upgrade_loose_currency)  # older JSON: a loose number

    @property
    def minor_per_unit(self) -> int:
        """Minor units per currency unit (the :attr:`currency`'s)."""
        return self.currency.minor_per_unit

    def row(self, rule: str) -> RuleRow:
        """The row of one rule; :class:`ValidationError` for an unknown name."""
        for r in self.rows:
            if r.rule == rule:
                return r
        raise ValidationError(_("no rule {rule!r} in this comparison", rule=rule))

    @property
    def money(self) -> Currency:
        """How the amounts read as money (the election's currency and minor units)."""
        return self.currency

    def _header(self) -> tuple[str, ...]:
        return (
            _("rule"),
            _("selected"),
            _("spent"),
            _("of budget"),
            _("underfunded"),
            _("mean satisfaction ({utility})", utility=self.utility),
            _("Gini"),
            _("with nothing"),
            _("JR"),
            _("exhaustive"),
        )

    def _rows(self) -> list[tuple[str, ...]]:
        money = self.money
        return [
            (
                r.rule,
                str(r.selected),
                money.format(r.spent),
                _pct(r.spent_share),
                str(r.underfunded),
                _mean(r.mean_satisfaction, self.utility, money),
                f"{float(r.gini):.3f}",
                _pct(r.share_with_nothing),
                _yes(r.jr),
                _yes(r.exhaustive),
            )
            for r in self.rows
        ]

    def _caption(self) -> str:
        return _(
            "rules compared on {election}: budget {budget}",
            election=self.election or _("the election"),
            budget=self.money.format(self.budget),
        )

    def to_text(self, *, lang: str | None = None) -> str:
        """The comparison as a plain-text table, amounts as money.

        >>> from participa.model import BallotKind, Election, Profile, Project
        >>> e = Election(10_00, [Project("a", 6_00), Project("b", 5_00)],
        ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"]]),
        ...     currency="PEN", minor_per_unit=100)
        >>> print(compare_rules(e, ["greedy"]).to_text(lang="en"))  # doctest: +NORMALIZE_WHITESPACE
        rules compared on the election: budget S/ 10.00
        rule    selected  spent    of budget  underfunded  mean satisfaction (cost)  Gini   with nothing  JR   exhaustive
        greedy  1         S/ 6.00  60.0%      0            S/ 6.00                   0.000  0.0%          yes  yes
        """  # noqa: E501 - a wide table
        from participa.i18n import use_language

        with use_language(lang):
            cells = [self._header(), *self._rows()]
            widths = [max(len(r[k]) for r in cells) for k in range(len(cells[0]))]
            lines = [self._caption()]
            lines += [
                "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                for r in cells
            ]
            return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "RuleComparison",
            self.election or None,
            [", ".join(r.rule for r in self.rows), self.money.format(self.budget)],
        )

    def to_html(self, *, lang: str | None = None) -> str:
        """The comparison as an HTML table, amounts as money, in ``lang``."""
        from participa.display import html_table
        from participa.i18n import use_language

        with use_language(lang):
            return html_table(self._header(), self._rows(), caption=self._caption())

    def _repr_html_(self) -> str:
        return self.to_html()


RuleLike = Outcome | str | Callable[..., Outcome]


@checked
def compare_rules(
    election: Election,
    rules: Sequence[RuleLike],
    *,
    utility: Utility | str | None = None,
) -> RuleComparison:
    """Run (or take) several rules' outcomes on one election and summarise each in a row.

    Parameters
    ----------
    election
        The election.
    rules
        Outcomes already computed, registry names (``"greedy"``, ``"mes"``,
        ``"per-head"``...; run with :func:`participa.rules.registry.run_rule` and its
        defaults) or callables ``rule(election) -> Outcome``.
    utility
        The satisfaction measure for every row (default: by ballot kind).

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, [Project("a", 6), Project("b", 5), Project("c", 4)],
    ...     Profile.from_ballots(BallotKind.APPROVAL, list("abc"), [["a"], ["a"], ["b", "c"]]))
    >>> table = compare_rules(e, ["greedy", "mes", "per-head"])
    >>> [(r.rule, r.selected, r.spent, r.underfunded) for r in table.rows]
    [('greedy', 2, 10, 0), ('mes', 1, 6, 0), ('per-head', 0, 10, 3)]
    """
    from participa.analysis.axioms import check_jr, is_exhaustive

    util = default_utility(election.kind) if utility is None else utility
    rows = []
    for rule in rules:
        outcome = _run(election, rule)
        s = satisfaction(election, outcome, utility=util)
        gaps = funding_gaps(election, outcome)
        spent = outcome.total_funding
        rows.append(
            RuleRow(
                outcome.rule,
                len(outcome.selected),
                spent,
                Fraction(spent, election.budget) if election.budget else Fraction(0),
                len(gaps.underfunded),
                s.mean,
                s.gini,
                s.share_with_nothing,
                check_jr(election, outcome, utility=util).satisfied,
                is_exhaustive(election, outcome),
            )
        )
    return RuleComparison(election.name, str(util), election.budget, rows, election.money)


def _run(election: Election, rule: RuleLike) -> Outcome:
    if isinstance(rule, Outcome):
        return rule
    if isinstance(rule, str):
        from participa.rules.registry import run_rule

        return run_rule(rule, election)
    out: Any = rule(election)
    if not isinstance(out, Outcome):
        raise ValidationError(
            _("rule {rule!r} returned a {name}, not an Outcome", rule=rule, name=type(out).__name__)
        )
    return out
