"""Envelopes and allocation: split PB money among territories and themes, exactly.

Before anyone votes, a PB round fixes how much money there is (an :class:`Envelope`:
a share of an investment fund and/or fixed amounts, minus reserved parts such as a
district-wide reserve or thematic envelopes) and how it is split among territories.
Villa El Salvador split S/ 2,000,000 among its 8 sections by weighted criteria
(inhabitants 30%, deficit in basic services 20%, tax compliance 50%):
:func:`ves_formula`.

How an amount is computed (every step is exact, with :class:`~fractions.Fraction`):

1. **Indicators** are read exactly: ``int`` and ``Fraction`` as they are, ``float`` via
   ``Fraction(str(x))`` — the shortest decimal that prints as ``x``, so ``0.1`` is
   ``1/10``, not the binary ``Fraction(0.1)``. Negative, NaN and infinite values and
   missing indicators raise :class:`~participa.ValidationError`.
2. Each :class:`Criterion` **normalises** its indicator into a non-negative score per
   territory (:class:`Normalisation`), and its *share* is ``score / sum(scores)``; when
   every score is 0 (all values equal under min-max, all zero under share of total)
   every territory gets an equal share of that criterion.
3. A territory's exact **quota** is ``money * sum(weight * share)``; weights must be
   non-negative and sum to exactly 1, so the quotas sum to the money.
4. **Floors and caps** are solved exactly: every territory gets
   ``clamp(lam * quota, floor, cap)`` for one common ``lam`` chosen so the amounts sum
   to the money — the fixed point of "fix the territories that hit a floor or a cap,
   re-apportion the rest, until stable", found directly by searching the breakpoints.
   When no such ``lam`` exists (floors above the money, caps below it, or only capped
   territories can take more) a :class:`~participa.ValidationError` names the territories.
5. **Rounding** to the minor unit (:class:`Rounding`): largest remainder (Hamilton) by
   default, D'Hondt or Sainte-Laguë as alternatives (divisor methods with the same
   floors and caps). No minor unit is lost or created; ties go to the smaller territory
   id, so the result never depends on the order territories are given in.

Every :class:`Allocation` keeps the trace: per territory, each criterion's value,
normalised value, share, weight and money contribution, the exact quota, the
bounded quota and the rounding adjustment. It prints as a text table and renders
as an HTML table in Jupyter.

Monotonicity ("a territory whose need rises, others fixed, never gets less"):

* The exact quota is monotone for every normalisation, whatever the weights, as long
  as the indicator feeds one criterion (or several in the same direction).
* The rounded amount is monotone when the changing indicator is normalised by
  ``SHARE`` or by ``INVERSE`` with an explicit ``reference`` — raising one territory's
  share lowers every other territory's, and all three roundings (and the floor/cap
  solution) respect that.
* With ``MIN_MAX`` or ``INVERSE`` without a reference, moving the minimum (maximum)
  can *raise* some other territories' shares too, so after rounding the territory can
  get less — never by more than one minor unit with largest remainder; divisor methods
  have no such bound. Tests check exactly these statements.

Examples
--------
>>> from participa.model import Territory
>>> ts = [Territory("A", indicators={"population": 30}),
...       Territory("B", indicators={"population": 10})]
>>> alloc = allocate(1001, ts, Formula.proportional("population"))
>>> dict(alloc.amounts)
{'A': 751, 'B': 250}
>>> alloc.row("A").quota, alloc.row("A").adjustment
(Fraction(3003, 4), Fraction(1, 4))
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np

from participa import serialize
from participa.errors import IntegrityError, ValidationError
from participa.i18n import _, ngettext, use_language
from participa.model import Territory
from participa.money import Currency

__all__ = [
    "Allocation",
    "Criterion",
    "CriterionShare",
    "CrossAllocation",
    "Envelope",
    "Formula",
    "Normalisation",
    "Reserve",
    "ReservePurpose",
    "Rounding",
    "TerritoryAllocation",
    "TreeAllocation",
    "allocate",
    "allocate_levels",
    "apportion",
    "bounded_quotas",
    "cross_allocate",
    "dhondt",
    "equal_split",
    "exact",
    "proportional",
    "sainte_lague",
    "sjm_formula",
    "ves_formula",
]

# -- exact numbers -------------------------------------------------------------------------------


def exact(value: object, *, what: str = "value", where: str = "") -> Fraction:
    """Read a number exactly as a non-negative :class:`~fractions.Fraction`.

    ``int``, ``Fraction`` and ``Decimal`` are exact already; a ``float`` is read as
    ``Fraction(str(x))``, the shortest decimal that prints as ``x``. ``where`` names
    the place for the error message.

    Examples
    --------
    >>> exact(0.1), exact(3), exact("2/3")
    (Fraction(1, 10), Fraction(3, 1), Fraction(2, 3))
    >>> exact(float("nan"), what="indicator 'population'", where="territory 'S1'")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: indicator 'population' of territory 'S1' must be ...
    """
    place = f" of {where}" if where else ""
    fail = ValidationError(
        f"{what}{place} must be a finite, non-negative number, got {value!r}",
        hint="use 0 for none; give counts and rates as int, float, Decimal or Fraction",
    )
    out: Fraction
    if isinstance(value, bool):
        raise fail
    if isinstance(value, int | np.integer):
        out = Fraction(int(value))
    elif isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            raise fail
        out = Fraction(str(float(value)))
    elif isinstance(value, Fraction):
        out = value
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise fail
        out = Fraction(value)
    elif isinstance(value, str):
        try:
            out = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise fail from None
    else:
        raise fail
    if out < 0:
        raise fail
    return out


def _fraction(value: object) -> Fraction:
    return exact(value, what="weight")


def _floor(q: Fraction) -> int:
    return q.numerator // q.denominator


# -- apportionment -------------------------------------------------------------------------------


class Rounding(enum.Enum):
    """How exact amounts become whole minor units.

    ``LARGEST_REMAINDER`` (Hamilton): each territory gets the floor of its exact amount
    and the units left go one each to the largest fractional parts; every amount is
    within one unit of its exact value. ``DHONDT`` and ``SAINTE_LAGUE``: divisor
    methods (amount = the weight divided by a common divisor, rounded down, or to the
    nearest with halves up), free of the Alabama and population paradoxes but not
    always within one unit of the exact value. Ties go to the earlier position.
    """

    LARGEST_REMAINDER = "largest_remainder"
    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte_lague"


def _bounds(
    n: int, floors: Sequence[int] | None, caps: Sequence[int | None] | None
) -> tuple[list[int], list[int | None]]:
    fl = [0] * n if floors is None else [int(f) for f in floors]
    cp: list[int | None] = [None] * n if caps is None else list(caps)
    if len(fl) != n or len(cp) != n:
        raise ValidationError("floors and caps need one entry per weight")
    for i, (f, c) in enumerate(zip(fl, cp, strict=True)):
        if f < 0 or (c is not None and c < f):
            raise ValidationError(f"position {i}: need 0 <= floor <= cap, got {f} and {c}")
    return fl, cp


def bounded_quotas(
    total: int,
    weights: Sequence[int | Fraction],
    *,
    floors: Sequence[int] | None = None,
    caps: Sequence[int | None] | None = None,
    labels: Sequence[str] | None = None,
) -> tuple[list[Fraction], Fraction]:
    """Exact amounts ``clamp(lam * w, floor, cap)`` summing to ``total``, and ``lam``.

    Parameters
    ----------
    total
        Money to split, in minor units.
    weights
        Non-negative exact weights (their scale does not matter).
    floors, caps
        Per-position minimum and maximum (``None`` for no cap).
    labels
        Names used in error messages (default: positions).

    Examples
    --------
    >>> bounded_quotas(100, [1, 1, 2], caps=[None, None, 30])
    ([Fraction(35, 1), Fraction(35, 1), Fraction(30, 1)], Fraction(35, 1))
    >>> bounded_quotas(100, [1, 1], floors=[60, 50], labels=["S1", "S2"])
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: the floors of S1, S2 sum to 110, more than the 100 ...
    """
    n = len(weights)
    ws = [Fraction(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValidationError("weights must be non-negative")
    names = list(labels) if labels is not None else [str(i) for i in range(n)]
    fl, cp = _bounds(n, floors, caps)
    if total < 0:
        raise ValidationError(f"cannot split a negative amount: {total}")
    if sum(fl) > total:
        who = ", ".join(names[i] for i in range(n) if fl[i] > 0)
        raise ValidationError(
            f"the floors of {who} sum to {sum(fl)}, more than the {total} to split",
            hint="lower the floors or raise the envelope",
        )

    def g(lam: Fraction) -> Fraction:
        out = Fraction(0)
        for w, f, c in zip(ws, fl, cp, strict=True):
            v = max(Fraction(f), lam * w)
            out += v if c is None else min(v, Fraction(c))
        return out

    points = sorted(
        {Fraction(f) / w for w, f in zip(ws, fl, strict=True) if w > 0}
        | {Fraction(c) / w for w, c in zip(ws, cp, strict=True) if w > 0 and c is not None}
        | {Fraction(0)}
    )
    values = [g(p) for p in points]
    t = Fraction(total)
    k = bisect_left(values, t)
    if k < len(points) and values[k] == t:
        lam = points[k]
    else:
        # g is linear on (points[k-1], points[k]) (or beyond the last point): solve it.
        lo = points[k - 1] if k > 0 else Fraction(0)
        probe = lo + 1 if k == len(points) else (lo + points[k]) / 2
        fixed = Fraction(0)
        slope = Fraction(0)
        for w, f, c in zip(ws, fl, cp, strict=True):
            v = probe * w
            if v <= f:
                fixed += f
            elif c is not None and v >= c:
                fixed += c
            else:
                slope += w
        if slope == 0:
            stuck = [names[i] for i in range(n) if ws[i] > 0 and cp[i] is not None]
            idle = [names[i] for i in range(n) if ws[i] == 0]
            raise ValidationError(
                f"cannot place all {total}: the territories that may take more are capped "
                f"({', '.join(stuck) or 'none'}) and the rest have zero weight "
                f"({', '.join(idle) or 'none'})",
                hint="raise the caps, or give the uncapped territories a positive weight",
            )
        lam = (t - fixed) / slope
    out = []
    for w, f, c in zip(ws, fl, cp, strict=True):
        v = max(Fraction(f), lam * w)
        out.append(v if c is None else min(v, Fraction(c)))
    if sum(out) != total:  # pragma: no cover - an invariant of the search above
        raise IntegrityError(f"bounded quotas sum to {sum(out)}, not {total}")
    return out, lam


def _hamilton(exact_amounts: Sequence[Fraction], total: int) -> list[int]:
    parts = [_floor(q) for q in exact_amounts]
    left = total - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(exact_amounts[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _divisor(
    total: int,
    ws: Sequence[Fraction],
    fl: Sequence[int],
    cp: Sequence[int | None],
    lam: Fraction,
    delta: Fraction,
) -> list[int]:
    """Bounded divisor method with signposts ``s - 1 + delta``, started at divisor 1/lam."""
    n = len(ws)

    def clamp(s: int, i: int) -> int:
        c = cp[i]
        s = max(s, fl[i])
        return s if c is None else min(s, c)

    seats = [clamp(_floor(lam * ws[i] + 1 - delta), i) for i in range(n)]
    while sum(seats) < total:
        best = -1
        best_p = Fraction(-1)
        for i in range(n):
            c = cp[i]
            if ws[i] > 0 and (c is None or seats[i] < c):
                p = ws[i] / (seats[i] + delta)
                if p > best_p:
                    best, best_p = i, p
        if best < 0:  # pragma: no cover - excluded by bounded_quotas' feasibility check
            raise ValidationError("no territory can take the remaining money")
        seats[best] += 1
    while sum(seats) > total:
        worst = -1
        worst_p = Fraction(0)
        for i in range(n):
            if seats[i] > fl[i] and seats[i] >= 1:
                p = ws[i] / (seats[i] - 1 + delta)
                if worst < 0 or p <= worst_p:
                    worst, worst_p = i, p
        seats[worst] -= 1
    return seats


def apportion(
    total: int,
    weights: Sequence[int | Fraction],
    *,
    method: Rounding = Rounding.LARGEST_REMAINDER,
    floors: Sequence[int] | None = None,
    caps: Sequence[int | None] | None = None,
    labels: Sequence[str] | None = None,
) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights``, within floors and caps.

    The parts are non-negative integers that sum to ``total`` exactly; ties go to the
    earlier position.

    Examples
    --------
    >>> apportion(10, [5, 3, 2], method=Rounding.DHONDT)
    [5, 3, 2]
    >>> apportion(7, [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)])
    [4, 2, 1]
    >>> apportion(100, [1, 1, 8], floors=[20, 20, 0])
    [20, 20, 60]
    """
    quotas, lam = bounded_quotas(total, weights, floors=floors, caps=caps, labels=labels)
    if method is Rounding.LARGEST_REMAINDER:
        return _hamilton(quotas, total)
    fl, cp = _bounds(len(weights), floors, caps)
    delta = Fraction(1) if method is Rounding.DHONDT else Fraction(1, 2)
    return _divisor(total, [Fraction(w) for w in weights], fl, cp, lam, delta)


def dhondt(
    total: int,
    weights: Sequence[int | Fraction],
    *,
    floors: Sequence[int] | None = None,
    caps: Sequence[int | None] | None = None,
) -> list[int]:
    """D'Hondt (Jefferson) apportionment of ``total`` units: divisors 1, 2, 3, ...

    >>> dhondt(8, [100_000, 80_000, 30_000, 20_000])
    [4, 3, 1, 0]
    """
    return apportion(total, weights, method=Rounding.DHONDT, floors=floors, caps=caps)


def sainte_lague(
    total: int,
    weights: Sequence[int | Fraction],
    *,
    floors: Sequence[int] | None = None,
    caps: Sequence[int | None] | None = None,
) -> list[int]:
    """Sainte-Laguë (Webster) apportionment of ``total`` units: divisors 1, 3, 5, ...

    >>> sainte_lague(8, [100_000, 80_000, 30_000, 20_000])
    [3, 3, 1, 1]
    """
    return apportion(total, weights, method=Rounding.SAINTE_LAGUE, floors=floors, caps=caps)


# -- criteria and formulas -----------------------------------------------------------------------


class Normalisation(enum.Enum):
    """How a criterion turns an indicator into scores (its share is score / sum of scores).

    ``SHARE``: the value itself (share of the total) — for "more is more need or merit"
    (population, deficit, taxpayers). ``MIN_MAX``: ``value - min`` (reported as
    ``(value - min) / (max - min)``); the territory with the least gets nothing of this
    criterion. ``INVERSE``: ``reference - value``, the gap to a reference level (the
    criterion's ``reference``, or the largest value when none is given) — for "less is
    more need" (share of basic needs met, coverage). ``EQUAL``: the same for everyone
    (the indicator is ignored). When all scores are 0, every territory gets an equal share.
    """

    SHARE = "share"
    MIN_MAX = "min_max"
    INVERSE = "inverse"
    EQUAL = "equal"


def _optional_fraction(value: object) -> Fraction | None:
    return None if value is None else exact(value, what="reference")


@attrs.frozen(slots=True)
class Criterion:
    """One weighted criterion of an allocation formula.

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
    >>> Criterion("population", 0.3).weight
    Fraction(3, 10)
    """

    indicator: str
    weight: Fraction = attrs.field(converter=_fraction)
    normalisation: Normalisation = Normalisation.SHARE
    reference: Fraction | None = attrs.field(default=None, converter=_optional_fraction)
    label: str = ""

    def __attrs_post_init__(self) -> None:
        if self.normalisation is not Normalisation.EQUAL and not self.indicator:
            raise ValidationError(
                "a criterion needs an indicator name", hint="or use Normalisation.EQUAL"
            )
        if self.reference is not None and self.normalisation is not Normalisation.INVERSE:
            raise ValidationError(
                f"criterion {self.name!r}: only INVERSE criteria take a reference level"
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
                    f"indicator {self.indicator!r} of territory {tid!r} is {x}, above the "
                    f"reference level {ref} of an INVERSE criterion",
                    hint="raise the reference, or check the value",
                )
        gaps = [ref - x for x in xs]
        top = max(gaps)
        return [gp / top if top else Fraction(1) for gp in gaps], gaps


def _criteria_tuple(value: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple(value)


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

    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria_tuple)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.criteria:
            raise ValidationError("a formula needs at least one criterion")
        total = sum((c.weight for c in self.criteria), Fraction(0))
        if total != 1:
            detail = ", ".join(f"{c.name}={c.weight}" for c in self.criteria)
            raise ValidationError(
                f"formula weights sum to {total}, not 1 ({detail})",
                hint="weights are shares of the money: make them add up to 1",
            )
        labels = [c.name for c in self.criteria]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise ValidationError(f"criteria labels must be unique, repeated: {dup}")

    @property
    def weights(self) -> tuple[Fraction, ...]:
        """The criteria's weights."""
        return tuple(c.weight for c in self.criteria)

    @classmethod
    def equal(cls) -> Formula:
        """Equal split: every territory gets the same (to the minor unit)."""
        return cls((Criterion("", 1, Normalisation.EQUAL),), name="equal")

    @classmethod
    def proportional(cls, indicator: str) -> Formula:
        """Proportional to one indicator (its share of the total)."""
        return cls((Criterion(indicator, 1),), name=f"proportional to {indicator}")

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
        norm = normalisation or {}
        return cls(
            tuple(Criterion(k, w, norm.get(k, Normalisation.SHARE)) for k, w in weights.items()),
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
            Criterion(population, Fraction(3, 10)),
            Criterion(deficit, Fraction(1, 5)),
            Criterion(tax_compliance, Fraction(1, 2)),
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
            Criterion(population, population_weight),
            Criterion(
                basic_needs_met,
                basic_needs_weight,
                Normalisation.INVERSE,
                reference=basic_needs_reference,
            ),
            Criterion(tax_compliance, tax_compliance_weight),
        ),
        name="San Juan de Miraflores style",
    )


# -- envelopes -----------------------------------------------------------------------------------


class ReservePurpose(enum.Enum):
    """What a reserved part of an envelope is for."""

    DISTRICT_WIDE = "district_wide"
    THEMATIC = "thematic"
    OTHER = "other"


@attrs.frozen(slots=True)
class Reserve:
    """A part of the envelope kept out of the territorial split.

    Parameters
    ----------
    id
        Unique id within the envelope.
    amount
        Minor units reserved.
    purpose
        District-wide projects, a thematic envelope (youth, health, gender tables), other.
    name
        Human-readable name.
    """

    id: str
    amount: int
    purpose: ReservePurpose = ReservePurpose.DISTRICT_WIDE
    name: str = ""

    def __attrs_post_init__(self) -> None:
        a = self.amount
        if isinstance(a, bool) or not isinstance(a, int) or a < 0:
            raise ValidationError(
                f"reserve {self.id!r}: amount must be a non-negative integer of minor units, "
                f"got {a!r}"
            )


def _reserve_tuple(value: Iterable[Reserve]) -> tuple[Reserve, ...]:
    return tuple(value)


def _optional_share(value: object) -> Fraction | None:
    return None if value is None else exact(value, what="share")


@attrs.frozen(slots=True)
class Envelope:
    """The PB money of a round, in integer minor units, with its currency.

    Parameters
    ----------
    total
        All PB money (minor units).
    currency
        ISO code or unit name (``"PEN"``).
    minor_per_unit
        Minor units per currency unit (100 for céntimos).
    reserves
        Parts kept out of the territorial split (district-wide reserve, thematic envelopes).
    fund, share, fixed
        Where ``total`` came from, when built by :meth:`from_fund`.
    name
        A label.

    Examples
    --------
    >>> env = Envelope.from_fund(571_428_572, 0.35, currency="PEN", minor_per_unit=100)
    >>> env.total  # floor(5,714,285.72 soles * 35%), in céntimos
    200000000
    >>> env = env.with_reserve("youth", share=0.1, purpose=ReservePurpose.THEMATIC)
    >>> env.territorial, env.reserved(ReservePurpose.THEMATIC)
    (180000000, 20000000)
    """

    total: int
    currency: str | None = None
    minor_per_unit: int = 1
    reserves: tuple[Reserve, ...] = attrs.field(default=(), converter=_reserve_tuple)
    fund: int | None = None
    share: Fraction | None = attrs.field(default=None, converter=_optional_share)
    fixed: int = 0
    name: str = ""

    def __attrs_post_init__(self) -> None:
        t = self.total
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise ValidationError(
                f"envelope total must be a non-negative integer of minor units, got {t!r}",
                hint="convert amounts with participa.money.parse_amount",
            )
        if self.minor_per_unit < 1:
            raise ValidationError("minor_per_unit must be >= 1")
        if self.share is not None and self.share > 1:
            raise ValidationError(f"an envelope's share of the fund must be <= 1: {self.share}")
        ids = [r.id for r in self.reserves]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        if dup:
            raise ValidationError(f"duplicate reserve ids: {dup}")
        held = sum(r.amount for r in self.reserves)
        if held > t:
            raise ValidationError(
                f"reserves ({', '.join(ids)}) hold {held}, more than the envelope's {t}",
                hint="lower the reserves or raise the envelope",
            )

    @classmethod
    def from_fund(
        cls,
        fund: int,
        share: object,
        *,
        fixed: int = 0,
        currency: str | None = None,
        minor_per_unit: int = 1,
        name: str = "",
    ) -> Envelope:
        """``floor(fund * share) + fixed``: a share of an investment fund plus fixed money.

        Rounding down never promises more than the share; the fraction of a minor unit
        stays in the fund.
        """
        if isinstance(fund, bool) or not isinstance(fund, int) or fund < 0:
            raise ValidationError(f"fund must be a non-negative integer of minor units: {fund!r}")
        if isinstance(fixed, bool) or not isinstance(fixed, int) or fixed < 0:
            raise ValidationError(f"fixed must be a non-negative integer of minor units: {fixed!r}")
        s = exact(share, what="share of the fund")
        return cls(
            _floor(fund * s) + fixed,
            currency,
            minor_per_unit,
            fund=fund,
            share=s,
            fixed=fixed,
            name=name,
        )

    def with_reserve(
        self,
        id: str,
        *,
        amount: int | None = None,
        share: object = None,
        purpose: ReservePurpose = ReservePurpose.DISTRICT_WIDE,
        name: str = "",
    ) -> Envelope:
        """The envelope with one more reserve: a fixed ``amount`` or ``floor(total*share)``."""
        if (amount is None) == (share is None):
            raise ValidationError(f"reserve {id!r}: give exactly one of amount and share")
        amt = amount if amount is not None else _floor(self.total * exact(share, what="share"))
        return attrs.evolve(self, reserves=(*self.reserves, Reserve(id, amt, purpose, name)))

    def reserved(self, purpose: ReservePurpose | None = None) -> int:
        """Money held in reserves (of one purpose, or all)."""
        return sum(r.amount for r in self.reserves if purpose is None or r.purpose is purpose)

    def reserve(self, id: str) -> Reserve:
        """The reserve with this id."""
        for r in self.reserves:
            if r.id == id:
                return r
        raise ValidationError(f"unknown reserve id {id!r}")

    @property
    def territorial(self) -> int:
        """What is left for the territorial split: the total minus every reserve."""
        return self.total - self.reserved()

    @property
    def money(self) -> Currency:
        """How this envelope's amounts read as money (``S/ 1,234.56``)."""
        from participa.display import currency_of

        return currency_of(self.currency, self.minor_per_unit)

    def format(self, amount: int) -> str:
        """An amount of this envelope's money for people."""
        return self.money.format(amount)

    def __repr__(self) -> str:
        from participa.display import envelope_summary

        return envelope_summary(self)

    def to_html(self, *, lang: str | None = None) -> str:
        """The envelope as HTML (fund, share, reserves, territorial part), in ``lang``."""
        from participa.display import envelope_html

        return envelope_html(self, lang=lang)

    def _repr_html_(self) -> str:
        return self.to_html()


# -- allocations ---------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class CriterionShare:
    """One criterion's part in one territory's quota.

    ``value`` is the indicator read exactly (``None`` for ``EQUAL``), ``normalised`` the
    value after normalisation (in ``[0, 1]``), ``share`` the territory's share of the
    criterion, and ``contribution = money * weight * share`` (exact minor units).
    """

    criterion: str
    value: Fraction | None
    normalised: Fraction
    share: Fraction
    weight: Fraction
    contribution: Fraction


def _share_tuple(value: Iterable[CriterionShare]) -> tuple[CriterionShare, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class TerritoryAllocation:
    """How one territory's amount was computed.

    ``quota`` is the sum of the criteria's contributions; ``bounded`` the exact amount
    after floors and caps (``bound`` says ``"floor"``, ``"cap"`` or ``""``); ``amount``
    the whole minor units it gets, ``adjustment = amount - bounded``.
    """

    territory_id: str
    name: str
    criteria: tuple[CriterionShare, ...] = attrs.field(converter=_share_tuple)
    quota: Fraction
    bounded: Fraction
    bound: str
    amount: int

    @property
    def adjustment(self) -> Fraction:
        """What rounding added (positive) or removed (negative), in minor units."""
        return self.amount - self.bounded


def _row_tuple(value: Iterable[TerritoryAllocation]) -> tuple[TerritoryAllocation, ...]:
    return tuple(value)


def _int_map(value: Mapping[str, int] | None) -> Mapping[str, int]:
    return MappingProxyType(dict(value or {}))


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Allocation:
    """Money per territory, with the trace of how each amount was computed.

    Rows keep the order the territories were given in. The amounts sum to ``total``
    exactly (checked when built).
    """

    total: int
    rows: tuple[TerritoryAllocation, ...] = attrs.field(converter=_row_tuple)
    formula: Formula
    rounding: Rounding = Rounding.LARGEST_REMAINDER
    floors: Mapping[str, int] = attrs.field(factory=dict, converter=_int_map, hash=False)
    caps: Mapping[str, int] = attrs.field(factory=dict, converter=_int_map, hash=False)
    currency: str | None = None
    minor_per_unit: int = 1
    notes: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def __attrs_post_init__(self) -> None:
        got = sum(r.amount for r in self.rows)
        if got != self.total or any(r.amount < 0 for r in self.rows):
            raise IntegrityError(f"allocation amounts sum to {got}, not {self.total}")

    @property
    def amounts(self) -> Mapping[str, int]:
        """``{territory id: amount}`` in row order."""
        return MappingProxyType({r.territory_id: r.amount for r in self.rows})

    @property
    def territory_ids(self) -> tuple[str, ...]:
        """The territories, in row order."""
        return tuple(r.territory_id for r in self.rows)

    def amount(self, territory_id: str) -> int:
        """The amount of one territory."""
        return self.row(territory_id).amount

    def row(self, territory_id: str) -> TerritoryAllocation:
        """The trace row of one territory."""
        for r in self.rows:
            if r.territory_id == territory_id:
                return r
        raise ValidationError(f"unknown territory id {territory_id!r} in this allocation")

    @property
    def money(self) -> Currency:
        """How this allocation's amounts read as money (``S/ 1,234.56``)."""
        from participa.display import currency_of

        return currency_of(self.currency, self.minor_per_unit)

    def _money(self, amount: int | Fraction) -> str:
        a = amount if isinstance(amount, int) else round(amount)
        return self.money.format(a)

    def __repr__(self) -> str:
        from participa.display import summary

        return summary(
            "Allocation",
            self.formula.name or None,
            [
                self._money(self.total),
                ngettext("{n} territory", "{n} territories", len(self.rows)),
                _("rounding: {rounding}", rounding=self.rounding.value),
            ],
        )

    def _table(self) -> tuple[list[str], list[list[str]]]:
        labels = [c.name for c in self.formula.criteria]
        header = [
            _("territory"),
            *[f"{lab} ({c.weight})" for lab, c in zip(labels, self.formula.criteria, strict=True)],
            _("quota"),
            _("bound"),
            _("amount"),
            _("rounding (minor units)"),
        ]
        rows = []
        for r in self.rows:
            rows.append(
                [
                    r.territory_id + (f" {r.name}" if r.name else ""),
                    *[self._money(cs.contribution) for cs in r.criteria],
                    self._money(r.quota),
                    r.bound,
                    self._money(r.amount),
                    f"{float(r.adjustment):+.2f}",
                ]
            )
        return header, rows

    def table(self, *, lang: str | None = None) -> str:
        """A text table: each criterion's contribution, the quota, the amount, the rounding.

        Contributions and quotas are exact fractions shown to the nearest minor unit;
        ``rounding`` is the adjustment in minor units. ``lang`` picks the language of the
        headers (``None``: the current one).
        """
        if lang is not None:
            with use_language(lang):
                return self.table()
        header, rows = self._table()
        total_row = [_("total"), *[""] * (len(header) - 4), "", self._money(self.total), ""]
        body = [header, *rows, total_row]
        widths = [max(len(row[i]) for row in body) for i in range(len(header))]
        lines = []
        for k, row in enumerate(body):
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
            ]
            lines.append("  ".join(cells).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        head = _(
            "{name}: {total}, rounding {rounding}",
            name=self.formula.name or _("allocation"),
            total=self._money(self.total),
            rounding=self.rounding.value,
        )
        return "\n".join([head, *lines, *self.notes])

    def __str__(self) -> str:
        return self.table()

    def to_html(self, *, lang: str | None = None) -> str:
        """The allocation as an HTML table (``lang``: the language of the headers)."""
        with use_language(lang):
            return self._repr_html_()

    def _repr_html_(self) -> str:
        from participa.display import html_table

        header, rows = self._table()
        cap = _(
            "{name}: {total} over {territories} (rounding: {rounding})",
            name=self.formula.name or _("allocation"),
            total=self._money(self.total),
            territories=ngettext("{n} territory", "{n} territories", len(self.rows)),
            rounding=self.rounding.value,
        )
        return html_table(header, rows, caption=cap)


def _amount_map(what: str, given: Mapping[str, int] | None, ids: Sequence[str]) -> dict[str, int]:
    out = dict(given or {})
    unknown = sorted(set(out) - set(ids))
    if unknown:
        raise ValidationError(
            f"{what} name unknown territory ids: {unknown}",
            hint=f"known territories: {sorted(ids)}",
        )
    for k, v in out.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValidationError(
                f"{what[:-1]} of territory {k!r} must be a non-negative integer of minor "
                f"units, got {v!r}"
            )
    return out


def allocate(
    money: int | Envelope,
    territories: Sequence[Territory],
    formula: Formula,
    *,
    floors: Mapping[str, int] | None = None,
    caps: Mapping[str, int] | None = None,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> Allocation:
    """Split money among territories by a formula, within floors and caps, to the minor unit.

    Parameters
    ----------
    money
        Minor units, or an :class:`Envelope` (its ``territorial`` part is split, and its
        currency is kept).
    territories
        The territories, with unique ids and the indicators the formula names.
    formula
        The weighted criteria (:class:`Formula`, :func:`ves_formula`, ...).
    floors, caps
        ``{territory id: minor units}`` minimum and maximum amounts.
    rounding
        Largest remainder (default), D'Hondt or Sainte-Laguë.

    Returns
    -------
    Allocation
        Amounts summing to the money exactly, with the trace.

    Raises
    ------
    ValidationError
        Unknown or duplicate territory ids, missing, negative or NaN indicators,
        infeasible floors and caps.

    Examples
    --------
    >>> ts = [Territory(t, indicators={"deficit": d}) for t, d in [("A", 0), ("B", 1), ("C", 3)]]
    >>> f = Formula((Criterion("", 0.5, Normalisation.EQUAL), Criterion("deficit", 0.5)))
    >>> dict(allocate(1200, ts, f).amounts)
    {'A': 200, 'B': 350, 'C': 650}
    >>> dict(allocate(1200, ts, f, caps={"C": 500}).amounts)
    {'A': 255, 'B': 445, 'C': 500}
    >>> allocate(1200, ts, f, floors={"X": 5})
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: floors name unknown territory ids: ['X'] ...
    """
    env = money if isinstance(money, Envelope) else None
    total = env.territorial if env is not None else money
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValidationError(f"money to allocate must be a non-negative integer, got {total!r}")
    ts = tuple(territories)
    if not ts:
        raise ValidationError("no territories to allocate to")
    ids = [t.id for t in ts]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise ValidationError(f"duplicate territory ids: {dup}")
    fl = _amount_map("floors", floors, ids)
    cp = _amount_map("caps", caps, ids)
    for tid in sorted(set(fl) & set(cp)):
        if fl[tid] > cp[tid]:
            raise ValidationError(
                f"territory {tid!r} has a floor of {fl[tid]} above its cap of {cp[tid]}"
            )
    # canonical order: by id, so that results never depend on the order given
    order = sorted(range(len(ts)), key=lambda i: ids[i])
    cts = [ts[i] for i in order]
    cids = [ids[i] for i in order]
    n = len(cts)
    per_criterion: list[tuple[list[Fraction | None], list[Fraction], list[Fraction]]] = []
    for c in formula.criteria:
        values: list[Fraction | None] = []
        for t in cts:
            if c.normalisation is Normalisation.EQUAL:
                values.append(None)
                continue
            if c.indicator not in t.indicators:
                raise ValidationError(
                    f"territory {t.id!r} has no indicator {c.indicator!r}",
                    hint=f"its indicators: {sorted(t.indicators)}",
                )
            values.append(
                exact(
                    t.indicators[c.indicator],
                    what=f"indicator {c.indicator!r}",
                    where=f"territory {t.id!r}",
                )
            )
        normalised, scores = c.scores(values, cids)
        s = sum(scores, Fraction(0))
        shares = [sc / s if s else Fraction(1, n) for sc in scores]
        per_criterion.append((values, normalised, shares))
    contributions = [
        [
            total * c.weight * shares[i]
            for c, (_, _, shares) in zip(formula.criteria, per_criterion, strict=True)
        ]
        for i in range(n)
    ]
    quotas = [sum(row, Fraction(0)) for row in contributions]
    labels = [f"territory {t!r}" for t in cids]
    floor_list = [fl.get(t, 0) for t in cids]
    cap_list = [cp.get(t) for t in cids]
    bounded, lam = bounded_quotas(total, quotas, floors=floor_list, caps=cap_list, labels=labels)
    amounts = apportion(
        total, quotas, method=rounding, floors=floor_list, caps=cap_list, labels=labels
    )
    rows_by_id: dict[str, TerritoryAllocation] = {}
    notes: list[str] = []
    for i, t in enumerate(cts):
        bound = ""
        free = lam * quotas[i]
        if t.id in fl and free < fl[t.id]:
            bound = "floor"
        elif t.id in cp and free > cp[t.id]:
            bound = "cap"
        if bound:
            limit = fl[t.id] if bound == "floor" else cp[t.id]
            notes.append(
                f"territory {t.id!r} held at its {bound} ({limit}); the rest re-apportioned"
            )
        shares_i = tuple(
            CriterionShare(
                criterion=c.name,
                value=values[i],
                normalised=normalised[i],
                share=shares[i],
                weight=c.weight,
                contribution=contributions[i][j],
            )
            for j, (c, (values, normalised, shares)) in enumerate(
                zip(formula.criteria, per_criterion, strict=True)
            )
        )
        rows_by_id[t.id] = TerritoryAllocation(
            t.id, t.name, shares_i, quotas[i], bounded[i], bound, amounts[i]
        )
    return Allocation(
        total=total,
        rows=tuple(rows_by_id[t] for t in ids),
        formula=formula,
        rounding=rounding,
        floors=fl,
        caps=cp,
        currency=env.currency if env is not None else None,
        minor_per_unit=env.minor_per_unit if env is not None else 1,
        notes=tuple(notes),
    )


def equal_split(
    money: int | Envelope,
    territories: Sequence[Territory],
    *,
    floors: Mapping[str, int] | None = None,
    caps: Mapping[str, int] | None = None,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> Allocation:
    """Equal split (amounts differ by at most one minor unit without floors and caps).

    The atomisation the seed paper warns about, in one line:

    >>> hoods = [Territory(f"N{i:02}") for i in range(30)]
    >>> set(equal_split(300_000, hoods).amounts.values())
    {10000}
    """
    return allocate(
        money, territories, Formula.equal(), floors=floors, caps=caps, rounding=rounding
    )


def proportional(
    money: int | Envelope,
    territories: Sequence[Territory],
    indicator: str,
    *,
    floors: Mapping[str, int] | None = None,
    caps: Mapping[str, int] | None = None,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> Allocation:
    """Split in proportion to one indicator.

    >>> ts = [Territory("A", indicators={"pop": 2}), Territory("B", indicators={"pop": 1})]
    >>> dict(proportional(100, ts, "pop", rounding=Rounding.DHONDT).amounts)
    {'A': 67, 'B': 33}
    """
    return allocate(
        money,
        territories,
        Formula.proportional(indicator),
        floors=floors,
        caps=caps,
        rounding=rounding,
    )


# -- two levels ----------------------------------------------------------------------------------


def _tree_map(value: Mapping[str, TreeAllocation]) -> Mapping[str, TreeAllocation]:
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True)
class TreeAllocation:
    """A split over a hierarchy: ``allocation`` among one level, and ``below`` the split of
    each territory's amount among its own children (territories whose ``parent`` is it)."""

    allocation: Allocation
    below: Mapping[str, TreeAllocation] = attrs.field(factory=dict, converter=_tree_map, hash=False)

    def leaves(self) -> Mapping[str, int]:
        """Amounts of the territories with no children, in order; they sum to the total."""
        out: dict[str, int] = {}
        for tid, amount in self.allocation.amounts.items():
            sub = self.below.get(tid)
            if sub is None:
                out[tid] = amount
            else:
                out.update(sub.leaves())
        return MappingProxyType(out)

    def amounts(self) -> Mapping[str, int]:
        """Amounts of every territory at every level (a parent's is its children's sum)."""
        out: dict[str, int] = dict(self.allocation.amounts)
        for sub in self.below.values():
            out.update(sub.amounts())
        return MappingProxyType(out)

    def table(self) -> str:
        """Every level's table, parents first."""
        parts = [self.allocation.table()]
        parts += [sub.table() for sub in self.below.values()]
        return "\n\n".join(parts)


def allocate_levels(
    money: int | Envelope,
    territories: Sequence[Territory],
    formulas: Formula | Sequence[Formula],
    *,
    root: str | None = None,
    floors: Mapping[str, int] | None = None,
    caps: Mapping[str, int] | None = None,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> TreeAllocation:
    """Split money down a hierarchy: district → sections → neighbourhoods.

    The territories whose ``parent`` is ``root`` (``None``: those without a parent) get
    the money by ``formulas[0]``; each of them that has children splits its amount
    among them by ``formulas[1]``, and so on (the last formula is reused below). A
    territory whose id is ``root`` is the district itself and gets nothing directly.
    ``floors`` and ``caps`` apply by territory id at any level.

    Raises :class:`~participa.ValidationError` for an unknown parent, or territories not
    under ``root`` (a cycle, or a second root).

    Examples
    --------
    >>> ts = [Territory("S1", indicators={"pop": 3}), Territory("S2", indicators={"pop": 1}),
    ...       Territory("S1a", parent="S1"), Territory("S1b", parent="S1")]
    >>> tree = allocate_levels(1001, ts, [Formula.proportional("pop"), Formula.equal()])
    >>> dict(tree.leaves())
    {'S1a': 376, 'S1b': 375, 'S2': 250}
    """
    fs = [formulas] if isinstance(formulas, Formula) else list(formulas)
    if not fs:
        raise ValidationError("give at least one formula")
    ts = tuple(territories)
    by_id = {t.id: t for t in ts}
    if len(by_id) != len(ts):
        ids = [t.id for t in ts]
        raise ValidationError(
            f"duplicate territory ids: {sorted({x for x in ids if ids.count(x) > 1})}"
        )
    for t in ts:
        if t.parent is not None and t.parent not in by_id and t.parent != root:
            raise ValidationError(
                f"territory {t.id!r} names an unknown parent {t.parent!r}",
                hint="add the parent territory, or fix the parent id",
            )
    children: dict[str | None, list[Territory]] = {}
    for t in ts:
        if t.id != root:
            children.setdefault(t.parent, []).append(t)
    reached: set[str] = set()

    def walk(parent: str | None, amount: int | Envelope, depth: int) -> TreeAllocation:
        kids = children.get(parent, [])
        if not kids:
            raise ValidationError(f"no territories under {parent!r}")
        fl = {k.id: v for k, v in ((k, (floors or {}).get(k.id)) for k in kids) if v is not None}
        cp = {k.id: v for k, v in ((k, (caps or {}).get(k.id)) for k in kids) if v is not None}
        alloc = allocate(
            amount, kids, fs[min(depth, len(fs) - 1)], floors=fl, caps=cp, rounding=rounding
        )
        reached.update(k.id for k in kids)
        below = {k.id: walk(k.id, alloc.amount(k.id), depth + 1) for k in kids if k.id in children}
        return TreeAllocation(alloc, below)

    tree = walk(root, money, 0)
    missing = sorted(set(by_id) - reached - {root} if root is not None else set(by_id) - reached)
    if missing:
        raise ValidationError(
            f"territories not under {root!r}: {missing}",
            hint="check their parent ids for cycles or a second root",
        )
    extra = sorted(set(floors or {}) | set(caps or {}) - set(by_id))
    if extra:
        raise ValidationError(f"floors or caps name unknown territory ids: {extra}")
    return tree


# -- territorial × thematic ----------------------------------------------------------------------


def _cells(value: Any) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(x) for x in row) for row in value)


@attrs.frozen(slots=True)
class CrossAllocation:
    """A territory × theme table of money: each territory's amount split among themes.

    Row sums equal the territories' amounts exactly; column sums are within one minor
    unit per territory of the themes' exact shares.
    """

    territory_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    theme_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    cells: tuple[tuple[int, ...], ...] = attrs.field(converter=_cells)
    currency: str | None = None
    minor_per_unit: int = 1

    def cell(self, territory_id: str, theme_id: str) -> int:
        """Money of one territory for one theme."""
        try:
            return self.cells[self.territory_ids.index(territory_id)][
                self.theme_ids.index(theme_id)
            ]
        except ValueError:
            raise ValidationError(
                f"unknown territory or theme: {territory_id!r}, {theme_id!r}"
            ) from None

    @property
    def row_totals(self) -> Mapping[str, int]:
        """Money per territory."""
        return MappingProxyType(
            {t: sum(r) for t, r in zip(self.territory_ids, self.cells, strict=True)}
        )

    @property
    def column_totals(self) -> Mapping[str, int]:
        """Money per theme."""
        return MappingProxyType(
            {th: sum(r[j] for r in self.cells) for j, th in enumerate(self.theme_ids)}
        )

    def _repr_html_(self) -> str:
        from participa.display import currency_of, html_table

        m = currency_of(self.currency, self.minor_per_unit).format

        rows = [
            [t, *[m(x) for x in r], m(sum(r))]
            for t, r in zip(self.territory_ids, self.cells, strict=True)
        ]
        cols = self.column_totals
        rows.append([_("total"), *[m(cols[th]) for th in self.theme_ids], m(sum(cols.values()))])
        return html_table(
            [_("territory"), *self.theme_ids, _("total")], rows, caption=_("territory × theme")
        )


def cross_allocate(
    allocation: Allocation,
    themes: Mapping[str, object],
    *,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> CrossAllocation:
    """Split every territory's amount among themes in proportion to ``themes`` weights.

    Weights are read exactly (floats as decimals) and need not sum to 1. Each row is
    apportioned exactly, themes in sorted id order for ties.

    >>> ts = [Territory("A", indicators={"p": 1}), Territory("B", indicators={"p": 1})]
    >>> x = cross_allocate(allocate(1001, ts, Formula.equal()), {"health": 0.5, "youth": 0.5})
    >>> x.cells, dict(x.column_totals)
    (((251, 250), (250, 250)), {'health': 501, 'youth': 500})
    """
    if not themes:
        raise ValidationError("give at least one theme")
    theme_ids = sorted(themes)
    ws = [exact(themes[th], what=f"weight of theme {th!r}") for th in theme_ids]
    if sum(ws) == 0:
        raise ValidationError("theme weights are all zero")
    cells = [apportion(r.amount, ws, method=rounding) for r in allocation.rows]
    return CrossAllocation(
        allocation.territory_ids,
        theme_ids,
        cells,
        allocation.currency,
        allocation.minor_per_unit,
    )


for _cls in (
    Criterion,
    Formula,
    Reserve,
    Envelope,
    CriterionShare,
    TerritoryAllocation,
    Allocation,
    TreeAllocation,
    CrossAllocation,
):
    serialize.register(_cls)
