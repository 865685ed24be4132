"""Apportionment: split a whole number of minor units (or seats) in proportion to weights.

This is participa's one home for apportionment; allocation, the per-head rule, the
equal-split rule and the analysis all use it.

* :func:`largest_remainder` — Hamilton's method, the default everywhere: each part gets
  the floor of its exact quota and the units left go one each to the largest fractional
  parts (ties to the earlier position). Every part is within one unit of its quota.
* :func:`dhondt`, :func:`sainte_lague` — divisor methods (Jefferson, Webster).
* :func:`apportion` — any of the three (:class:`Rounding`) within per-position integer
  ``floors`` and ``caps``; :func:`bounded_quotas` gives the exact amounts it rounds.

Parts always sum to the total exactly; floors and caps are integers (``2.5`` is refused,
never truncated) and are always respected; impossible constraints (floors above the
total, caps below it) raise :class:`~participa.ValidationError` naming the positions.
The method is a :class:`Rounding` member: a string is refused.

Examples
--------
>>> largest_remainder(100, [1, 1, 1])
[34, 33, 33]
>>> apportion(5, [1, 1], caps=[2, None])
[2, 3]
>>> apportion(5, [1, 1], caps=[2.5, None])
Traceback (most recent call last):
...
participa.errors.ValidationError: cap at position 0 must be a non-negative integer, got 2.5
"""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Sequence
from fractions import Fraction

from participa.errors import IntegrityError, ValidationError
from participa.exact import to_fraction
from participa.i18n import _
from participa.validators import non_negative_int

__all__ = [
    "Rounding",
    "apportion",
    "bounded_quotas",
    "dhondt",
    "largest_remainder",
    "sainte_lague",
]


def _floor(q: Fraction) -> int:
    return q.numerator // q.denominator


def _weights(weights: Sequence[object]) -> list[Fraction]:
    if isinstance(weights, str | bytes) or not isinstance(weights, Sequence):
        raise ValidationError(
            _("apportionment weights must be a sequence of numbers, got {value!r}", value=weights)
        )
    return [
        to_fraction(w, what=_("weight at position {i}", i=i), minimum=0)
        for i, w in enumerate(weights)
    ]


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
    n: int, floors: Sequence[object] | None, caps: Sequence[object] | None
) -> tuple[list[int], list[int | None]]:
    for what, given in (("floors", floors), ("caps", caps)):
        if given is not None and (
            isinstance(given, str | bytes) or not isinstance(given, Sequence) or len(given) != n
        ):
            raise ValidationError(
                _(
                    "{what} need one entry per weight ({n}), got {value!r}",
                    what=what,
                    n=n,
                    value=given,
                )
            )
    fl = (
        [0] * n
        if floors is None
        else [
            non_negative_int(f, what=_("floor at position {i}", i=i)) for i, f in enumerate(floors)
        ]
    )
    cp: list[int | None] = (
        [None] * n
        if caps is None
        else [
            None if c is None else non_negative_int(c, what=_("cap at position {i}", i=i))
            for i, c in enumerate(caps)
        ]
    )
    for i, (f, c) in enumerate(zip(fl, cp, strict=True)):
        if c is not None and c < f:
            raise ValidationError(
                _("position {i}: the floor {floor} is above the cap {cap}", i=i, floor=f, cap=c)
            )
    return fl, cp


def _total(total: object) -> int:
    return non_negative_int(total, what=_("the total to apportion"))


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
    >>> bounded_quotas(10, [0, 3, 0], caps=[None, 4, 5])  # 6 left once 4 is capped: shared
    ([Fraction(3, 1), Fraction(4, 1), Fraction(3, 1)], Fraction(4, 3))
    >>> bounded_quotas(100, [1, 1], floors=[60, 50], labels=["S1", "S2"])
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: the floors of S1, S2 sum to 110, more than the 100 ...
    """
    total = _total(total)
    ws = _weights(weights)
    n = len(ws)
    names = [str(x) for x in labels] if labels is not None else [str(i) for i in range(n)]
    if len(names) != n:
        raise ValidationError(_("labels need one entry per weight ({n})", n=n))
    fl, cp = _bounds(n, floors, caps)
    if sum(fl) > total:
        who = ", ".join(names[i] for i in range(n) if fl[i] > 0)
        raise ValidationError(
            _(
                "the floors of {who} sum to {floors}, more than the {total} to split",
                who=who,
                floors=sum(fl),
                total=total,
            ),
            hint=_("lower the floors or raise the envelope"),
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
            # every weighted position is at its cap: what is left is shared equally by the
            # positions with zero weight (within their floors and caps), as when every
            # weight is zero
            idle = [i for i in range(n) if ws[i] == 0]
            at_cap = [c for w, c in zip(ws, cp, strict=True) if w > 0 and c is not None]
            rest = total - sum(at_cap)
            if idle and len(idle) < n and rest >= sum(fl[i] for i in idle):
                try:
                    shared, _lam = bounded_quotas(
                        rest,
                        [1] * len(idle),
                        floors=[fl[i] for i in idle],
                        caps=[cp[i] for i in idle],
                        labels=[names[i] for i in idle],
                    )
                except ValidationError:
                    shared = []
                if shared:
                    out = [Fraction(c) if c is not None else Fraction(0) for c in cp]
                    for i, v in zip(idle, shared, strict=True):
                        out[i] = v
                    return out, points[-1]
            stuck = [names[i] for i in range(n) if ws[i] > 0 and cp[i] is not None]
            idle_names = [names[i] for i in range(n) if ws[i] == 0]
            raise ValidationError(
                _(
                    "cannot place all {total}: the positions that may take more are capped "
                    "({capped}) and the rest have zero weight ({idle})",
                    total=total,
                    capped=", ".join(stuck) or "-",
                    idle=", ".join(idle_names) or "-",
                ),
                hint=_("raise the caps, or give the uncapped positions a positive weight"),
            )
        lam = (t - fixed) / slope
    out = []
    for w, f, c in zip(ws, fl, cp, strict=True):
        v = max(Fraction(f), lam * w)
        out.append(v if c is None else min(v, Fraction(c)))
    if sum(out) != total:  # pragma: no cover - an invariant of the search above
        raise IntegrityError(
            _("bounded quotas sum to {got}, not {total}", got=sum(out), total=total)
        )
    return out, lam


def _hamilton(exact_amounts: Sequence[Fraction], total: int) -> list[int]:
    parts = [_floor(q) for q in exact_amounts]
    left = total - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(exact_amounts[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _below(seats: int, cap: int | None) -> bool:
    return cap is None or seats < cap


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
        if best < 0:
            # every weighted position is at its cap: the rest goes equally to the
            # zero-weight positions, fewest units first, as bounded_quotas shares it
            idle = [i for i in range(n) if ws[i] == 0 and _below(seats[i], cp[i])]
            if not idle:  # pragma: no cover - excluded by bounded_quotas' feasibility check
                raise ValidationError(_("no position can take the remaining units"))
            best = min(idle, key=lambda i: (seats[i], i))
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
    if not isinstance(method, Rounding):
        raise ValidationError(
            _("unknown rounding {value!r}", value=method),
            hint=_(
                "use one of: {choices}", choices=", ".join(f"Rounding.{r.name}" for r in Rounding)
            ),
        )
    quotas, lam = bounded_quotas(total, weights, floors=floors, caps=caps, labels=labels)
    if method is Rounding.LARGEST_REMAINDER:
        return _hamilton(quotas, total)
    fl, cp = _bounds(len(quotas), floors, caps)
    delta = Fraction(1) if method is Rounding.DHONDT else Fraction(1, 2)
    return _divisor(total, _weights(weights), fl, cp, lam, delta)


def largest_remainder(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split ``total`` units in proportion to ``weights`` exactly (Hamilton's method).

    Each part first gets the floor of its exact quota ``total * w / sum(w)``; the
    units left over go one each to the largest remainders, ties going to the earlier
    position. The parts always sum to ``total``.

    Parameters
    ----------
    total
        Non-negative amount in minor units.
    weights
        Non-negative exact weights (integers or fractions), not all zero.

    Examples
    --------
    >>> largest_remainder(10, [Fraction(1, 3), Fraction(2, 3)])
    [3, 7]
    >>> sum(largest_remainder(1001, [5, 7, 11]))
    1001
    >>> largest_remainder(10, [0, 0])
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: apportionment weights are all zero
    """
    total = _total(total)
    ws = _weights(weights)
    if sum(ws, Fraction(0)) == 0:
        raise ValidationError(_("apportionment weights are all zero"))
    s = sum(ws, Fraction(0))
    return _hamilton([total * w / s for w in ws], total)


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
