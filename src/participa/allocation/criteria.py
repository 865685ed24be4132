"""Weighted criteria and formulas: how indicators become each territory's share."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import attrs

from participa import serialize
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.i18n import _

__all__ = [
    "Formula",
    "Normalisation",
    "WeightedCriterion",
    "sjm_formula",
    "ves_formula",
]


class Normalisation(enum.Enum):
    """How a criterion turns raw values into comparable scores: one enum for allocation
    formulas (:class:`WeightedCriterion`) and prioritisation matrices
    (:class:`~participa.feasibility.PriorityCriterion`).

    For allocation (a territory's share of a criterion is score / sum of scores):

    * ``SHARE``: the value itself (share of the total) — for "more is more need or
      merit" (population, deficit, taxpayers).
    * ``MIN_MAX``: ``value - min`` (reported as ``(value - min) / (max - min)``); the
      territory with the least gets nothing of this criterion.
    * ``INVERSE``: ``reference - value``, the gap to a reference level (the criterion's
      ``reference``, or the largest value when none is given) — for "less is more need"
      (share of basic needs met, coverage).
    * ``EQUAL``: the same for everyone (the indicator is ignored).

    When all scores are 0, every territory gets an equal share.

    For prioritisation (raw values become ``[0, 1]``):

    * ``SCALE``: ``(raw - lo) / (hi - lo)`` on the published scale, clipped to ``[0, 1]``;
    * ``MIN_MAX``: the same over the projects ranked (all equal: 1 each);
    * ``MAX``: ``raw / max`` over the projects ranked (raw must be >= 0; all 0: 0 each).

    ``MINMAX`` is a deprecated alias of ``MIN_MAX`` (the old prioritisation name); the
    value ``"minmax"`` is still read.

    Examples
    --------
    >>> Normalisation("minmax") is Normalisation.MIN_MAX is Normalisation.MINMAX
    True
    """

    SHARE = "share"
    MIN_MAX = "min_max"
    INVERSE = "inverse"
    EQUAL = "equal"
    SCALE = "scale"
    MAX = "max"
    MINMAX = "min_max"  # noqa: PIE796 - deprecated alias of MIN_MAX

    @classmethod
    def _missing_(cls, value: object) -> Normalisation | None:
        return cls.MIN_MAX if value == "minmax" else None


ALLOCATION_NORMALISATIONS = (
    Normalisation.SHARE,
    Normalisation.MIN_MAX,
    Normalisation.INVERSE,
    Normalisation.EQUAL,
)
"""The normalisations an allocation formula can use."""


def _fraction(value: object) -> Fraction:
    return to_fraction(value, what=_("weight"), minimum=0)


def _optional_fraction(value: object) -> Fraction | None:
    return None if value is None else to_fraction(value, what=_("reference"), minimum=0)


@serialize.register("participa.allocation.WeightedCriterion")
@attrs.frozen(slots=True)
class WeightedCriterion:
    """One weighted criterion of an allocation formula (``participa.allocation.Criterion``
    before 0.2; the tie-breaking criteria are :class:`participa.TieCriterion`).

    Parameters
    ----------
    indicator
        Name of the territories' indicator (ignored, may be ``""``, for ``EQUAL``).
    weight
        Non-negative weight; a formula's weights sum to 1 (floats read as decimals).
    normalisation
        How values become scores (:class:`Normalisation`).
    reference
        For ``INVERSE`` only: the level meaning "no need" (e.g. 100 for a percentage).
    label
        Column name in traces (default: the indicator, or ``"equal"``).

    Examples
    --------
    >>> WeightedCriterion("population", 0.3).weight
    Fraction(3, 10)
    >>> WeightedCriterion("population", 0.3, Normalisation.MAX)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: criterion 'population': an allocation cannot use \
normalisation MAX ...
    """

    indicator: str
    weight: Fraction = attrs.field(converter=_fraction)
    normalisation: Normalisation = Normalisation.SHARE
    reference: Fraction | None = attrs.field(default=None, converter=_optional_fraction)
    label: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.indicator, str) or not isinstance(self.label, str):
            raise ValidationError(
                _(
                    "a criterion's indicator and label must be strings, got {indicator!r} "
                    "and {label!r}",
                    indicator=self.indicator,
                    label=self.label,
                )
            )
        if self.normalisation not in ALLOCATION_NORMALISATIONS:
            raise ValidationError(
                _(
                    "criterion {name!r}: an allocation cannot use normalisation {value}",
                    name=self.indicator,
                    value=getattr(self.normalisation, "name", repr(self.normalisation)),
                ),
                hint=_(
                    "use one of: {choices}",
                    choices=", ".join(f"Normalisation.{n.name}" for n in ALLOCATION_NORMALISATIONS),
                ),
            )
        if self.normalisation is not Normalisation.EQUAL and not self.indicator:
            raise ValidationError(
                _("a criterion needs an indicator name"), hint=_("or use Normalisation.EQUAL")
            )
        if self.reference is not None and self.normalisation is not Normalisation.INVERSE:
            raise ValidationError(
                _(
                    "criterion {name!r}: only INVERSE criteria take a reference level",
                    name=self.name,
                )
            )
        if not self.label:
            object.__setattr__(self, "label", self.name)

    @property
    def name(self) -> str:
        """The label, or the indicator name, or ``"equal"``."""
        return self.label or self.indicator or "equal"

    def scores(
        self, values: Sequence[Fraction | None], ids: Sequence[str]
    ) -> tuple[list[Fraction], list[Fraction]]:
        """Normalised values (for people) and scores (for shares), one per territory."""
        n = len(ids)
        if self.normalisation is Normalisation.EQUAL:
            return [Fraction(1)] * n, [Fraction(1)] * n
        xs = [v if v is not None else Fraction(0) for v in values]
        if self.normalisation is Normalisation.SHARE:
            s = sum(xs, Fraction(0))
            return [x / s if s else Fraction(1, n) for x in xs], xs
        if self.normalisation is Normalisation.MIN_MAX:
            lo, hi = min(xs), max(xs)
            return [(x - lo) / (hi - lo) if hi > lo else Fraction(1) for x in xs], [
                x - lo for x in xs
            ]
        ref = self.reference if self.reference is not None else max(xs)
        for x, tid in zip(xs, ids, strict=True):
            if x > ref:
                raise ValidationError(
                    _(
                        "indicator {indicator!r} of territory {tid!r} is {x}, above "
                        "the reference level {ref} of an INVERSE criterion",
                        indicator=self.indicator,
                        tid=tid,
                        x=x,
                        ref=ref,
                    ),
                    hint=_("raise the reference, or check the value"),
                )
        gaps = [ref - x for x in xs]
        top = max(gaps)
        return [gp / top if top else Fraction(1) for gp in gaps], gaps


def _criteria_tuple(value: Iterable[WeightedCriterion]) -> tuple[WeightedCriterion, ...]:
    out = tuple(value)
    for c in out:
        if not isinstance(c, WeightedCriterion):
            raise ValidationError(
                _("a formula takes WeightedCriterion values, got {value!r}", value=c)
            )
    return out


@serialize.register("participa.allocation.Formula")
@attrs.frozen(slots=True)
class Formula:
    """Weighted criteria whose weights sum to exactly 1.

    Examples
    --------
    >>> Formula.weighted({"population": 0.3, "deficit": 0.2, "taxpayers": 0.5}).weights
    (Fraction(3, 10), Fraction(1, 5), Fraction(1, 2))
    >>> Formula.weighted({"population": 0.3, "deficit": 0.3})
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: formula weights sum to 3/5, not 1 ...
    """

    criteria: tuple[WeightedCriterion, ...] = attrs.field(converter=_criteria_tuple)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ValidationError(_("name must be a string, got {value!r}", value=self.name))
        if not self.criteria:
            raise ValidationError(_("a formula needs at least one criterion"))
        total = sum((c.weight for c in self.criteria), Fraction(0))
        if total != 1:
            detail = ", ".join(f"{c.name}={c.weight}" for c in self.criteria)
            raise ValidationError(
                _("formula weights sum to {total}, not 1 ({detail})", total=total, detail=detail),
                hint=_("weights are shares of the money: make them add up to 1"),
            )
        labels = [c.name for c in self.criteria]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise ValidationError(_("criteria labels must be unique, repeated: {dup}", dup=dup))

    @property
    def weights(self) -> tuple[Fraction, ...]:
        """The criteria's weights."""
        return tuple(c.weight for c in self.criteria)

    @classmethod
    def equal(cls) -> Formula:
        """Equal split: every territory gets the same (to the minor unit)."""
        return cls((WeightedCriterion("", 1, Normalisation.EQUAL),), name="equal")

    @classmethod
    def proportional(cls, indicator: str) -> Formula:
        """Proportional to one indicator (its share of the total)."""
        return cls((WeightedCriterion(indicator, 1),), name=f"proportional to {indicator}")

    @classmethod
    def weighted(
        cls,
        weights: Mapping[str, object],
        *,
        normalisation: Mapping[str, Normalisation] | None = None,
        name: str = "",
    ) -> Formula:
        """Criteria from ``{indicator: weight}`` (share of total unless ``normalisation``
        says otherwise), in the mapping's order."""
        for what, given in (("weights", weights), ("normalisation", normalisation)):
            if given is not None and not isinstance(given, Mapping):
                raise ValidationError(
                    _(
                        "{what} must be a mapping keyed by indicator, got {value!r}",
                        what=what,
                        value=given,
                    )
                )
        norm = normalisation or {}
        return cls(
            tuple(
                WeightedCriterion(k, w, norm.get(k, Normalisation.SHARE))
                for k, w in weights.items()
            ),
            name=name,
        )


def ves_formula(
    *,
    population: str = "population",
    deficit: str = "basic_service_deficit",
    tax_compliance: str = "tax_compliance",
) -> Formula:
    """Villa El Salvador 2000: inhabitants 30%, deficit in basic services 20%, tax
    compliance 50% (seed paper), each as a share of the district total.

    The indicator names are parameters; the deficit is "more is more need" (e.g.
    households without water and sewerage), tax compliance "the more inhabitants pay
    municipal taxes, the larger the share" (e.g. the number of taxpayers).

    Examples
    --------
    >>> [(c.indicator, c.weight) for c in ves_formula().criteria]
    [('population', Fraction(3, 10)), ('basic_service_deficit', Fraction(1, 5)), \
('tax_compliance', Fraction(1, 2))]
    """
    return Formula(
        (
            WeightedCriterion(population, Fraction(3, 10)),
            WeightedCriterion(deficit, Fraction(1, 5)),
            WeightedCriterion(tax_compliance, Fraction(1, 2)),
        ),
        name="Villa El Salvador 2000",
    )


def sjm_formula(
    *,
    population_weight: object,
    basic_needs_weight: object,
    tax_compliance_weight: object,
    population: str = "population",
    basic_needs_met: str = "basic_needs_met",
    tax_compliance: str = "tax_compliance",
    basic_needs_reference: object = None,
) -> Formula:
    """San Juan de Miraflores style: inhabitants, basic needs met, tax compliance.

    The paper names the criteria but not their weights, so the weights are
    parameters. "Basic needs met" is a "less is more need" indicator, normalised as
    ``INVERSE``: the gap to ``basic_needs_reference`` (e.g. 100 for a percentage;
    default: the best-served section).

    Examples
    --------
    >>> f = sjm_formula(population_weight=0.4, basic_needs_weight=0.4,
    ...                 tax_compliance_weight=0.2, basic_needs_reference=100)
    >>> [c.normalisation.value for c in f.criteria]
    ['share', 'inverse', 'share']
    """
    return Formula(
        (
            WeightedCriterion(population, population_weight),
            WeightedCriterion(
                basic_needs_met,
                basic_needs_weight,
                Normalisation.INVERSE,
                reference=basic_needs_reference,
            ),
            WeightedCriterion(tax_compliance, tax_compliance_weight),
        ),
        name="San Juan de Miraflores style",
    )
