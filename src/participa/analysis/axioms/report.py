"""What an axiom check returns (:class:`AxiomReport`, :class:`Violation`) and the set-up
every check shares (the selection, the utility matrix, voter weights)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa._wide import exact_row_sums, exact_sum
from participa.analysis.fairshare import selected_mask
from participa.boundary import typed_fields
from participa.errors import RuleError, ValidationError
from participa.i18n import N_, _, use_language
from participa.model import Election
from participa.money import Currency
from participa.outcome import Outcome
from participa.rules.utility import Utility, default_utility, parse_utility, utility_matrix

__all__ = ["AxiomReport", "SearchLimitExceeded", "UpTo", "Violation"]

UpTo = Literal["none", "one", "any"]
"""How far an EJR/PJR check relaxes the axiom: exactly, up to one project, up to any."""
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
WideArray = npt.NDArray[Any]

DEFAULT_MAX_SUBSETS = 200_000

_UP_TO = {"one": N_("{axiom} up to one project"), "any": N_("{axiom} up to any project")}
"""How the relaxed axioms read for people (the report keeps the name ``"EJR up to one"``)."""


def _axiom_label(name: str) -> str:
    """An axiom's name for people, in the current language (``"EJR up to one"`` relaxed).

    >>> from participa.i18n import use_language
    >>> with use_language("es"):
    ...     print(_axiom_label("EJR up to one"), "/", _axiom_label("PJR"))
    EJR hasta un proyecto / PJR
    """
    for key, text in _UP_TO.items():
        suffix = f" up to {key}"
        if name.endswith(suffix):
            return _(text, axiom=name[: -len(suffix)])
    return name


class SearchLimitExceeded(RuleError):  # noqa: N818 - reads better at the call site
    """An exact axiom search would examine more than ``max_subsets`` candidates."""


@serialize.register("participa.analysis.Violation")
@attrs.frozen(slots=True, field_transformer=typed_fields)
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
            axiom=_axiom_label(self.axiom),
            voters=self.group_weight,
            rows=list(self.groups),
            projects=list(self.projects),
            threshold=amount(self.threshold),
            achieved=amount(self.achieved),
        )


@serialize.register("participa.analysis.AxiomReport")
@attrs.frozen(slots=True, field_transformer=typed_fields)
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
                    axiom=_axiom_label(self.axiom),
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
                (_("axiom"), _axiom_label(self.axiom)),
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
            return html_table(
                ("", ""), rows, caption=_("{axiom} check", axiom=_axiom_label(self.axiom))
            )

    def _repr_html_(self) -> str:
        return self.to_html()


# -- shared preparation ------------------------------------------------------------------------


@attrs.frozen(slots=True)
class _Setup:
    election: Election
    u: IntArray
    w: WideArray  # exact group weights (int64 or Python ints)
    n: int
    budget: int
    costs: IntArray
    in_w: BoolArray
    u_w: WideArray  # exact utility of the selection per group
    utility: str

    def weight(self, mask: BoolArray) -> int:
        return exact_sum(self.w[mask])

    def affordable(self, weight: int, cost: int) -> bool:
        return weight * self.budget >= self.n * cost


def _setup(
    election: Election, selection: Outcome | Iterable[str], utility: Utility | str | None
) -> _Setup:
    util = default_utility(election.kind) if utility is None else utility
    u = utility_matrix(election, parse_utility(util))
    in_w = selected_mask(election, selection)
    w = election.profile.group_weight
    u_w = exact_row_sums(u[:, in_w])
    return _Setup(
        election,
        u,
        w,
        exact_sum(w),
        election.budget,
        election.costs,
        in_w,
        u_w,
        str(util),
    )


def _name(axiom: str, up_to: UpTo) -> str:
    if up_to not in ("none", "one", "any"):
        raise ValidationError(_("up_to must be 'none', 'one' or 'any', got {up_to!r}", up_to=up_to))
    return axiom if up_to == "none" else f"{axiom} up to {up_to}"
