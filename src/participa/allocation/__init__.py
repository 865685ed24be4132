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
2. Each :class:`WeightedCriterion` **normalises** its indicator into a non-negative score per
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

6. **Pooling** (optional, :func:`pool`): several territories put their amounts together
   into one joint envelope named after the pool; :attr:`Allocation.envelopes` gives the
   money each envelope (a pool, or a territory on its own) has to select projects with.
   The equal-split rule (:func:`participa.rules.equal_split`) selects inside them.

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

The package holds one idea per module: :mod:`~participa.allocation.criteria`
(normalisation, weighted criteria, formulas), :mod:`~participa.allocation.envelope`
(envelopes and reserves), :mod:`~participa.allocation.core` (:func:`allocate` and
:class:`Allocation`), :mod:`~participa.allocation.pooling`,
:mod:`~participa.allocation.levels` (hierarchies) and :mod:`~participa.allocation.cross`
(territory × theme). Apportionment itself is :mod:`participa.apportion`.

Examples
--------
>>> from participa.model import Territory  # noqa: F401 - the examples above use it
>>> ts = [Territory("A", indicators={"population": 30}),
...       Territory("B", indicators={"population": 10})]
>>> alloc = allocate(1001, ts, Formula.proportional("population"))
>>> dict(alloc.amounts)
{'A': 751, 'B': 250}
>>> alloc.row("A").quota, alloc.row("A").adjustment
(Fraction(3003, 4), Fraction(1, 4))
>>> dict(alloc.pool({"AB": ["A", "B"]}).envelopes)
{'AB': 1001}
"""

from __future__ import annotations

from fractions import Fraction  # noqa: F401 - the examples above use it

from participa import serialize
from participa.allocation.core import (
    Allocation,
    CriterionShare,
    TerritoryAllocation,
    allocate,
    proportional,
    split_equally,
)
from participa.allocation.criteria import (
    Formula,
    Normalisation,
    WeightedCriterion,
    sjm_formula,
    ves_formula,
)
from participa.allocation.cross import CrossAllocation, cross_allocate
from participa.allocation.envelope import Envelope, Reserve, ReservePurpose
from participa.allocation.levels import TreeAllocation, allocate_levels
from participa.allocation.pooling import pool
from participa.apportion import Rounding, apportion, bounded_quotas, dhondt, sainte_lague
from participa.model import Territory  # noqa: F401 - the examples above use it

__all__ = [
    "Allocation",
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
    "WeightedCriterion",
    "allocate",
    "allocate_levels",
    "apportion",
    "bounded_quotas",
    "cross_allocate",
    "dhondt",
    "pool",
    "proportional",
    "sainte_lague",
    "sjm_formula",
    "split_equally",
    "ves_formula",
]

serialize.register(WeightedCriterion, "Criterion")  # documents written before 0.2 still load
for _cls in (
    WeightedCriterion,
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
