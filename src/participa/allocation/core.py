"""Allocations: money per territory by a formula, within floors and caps, with the trace."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType

import attrs

from participa import serialize
from participa._tabular import Tabular
from participa.allocation.criteria import Formula, Normalisation
from participa.allocation.envelope import Envelope
from participa.allocation.pooling import check_pools, envelope_of, envelopes, pool_map
from participa.apportion import Rounding, apportion, bounded_quotas
from participa.boundary import checked, typed_fields
from participa.errors import IntegrityError, ValidationError
from participa.exact import to_fraction
from participa.i18n import _, ngettext, use_language
from participa.model import Territory
from participa.money import Currency, check_currency, upgrade_loose_currency
from participa.validators import amount

__all__ = [
    "Allocation",
    "CriterionShare",
    "TerritoryAllocation",
    "allocate",
    "proportional",
    "split_equally",
]


@serialize.register("participa.allocation.CriterionShare")
@attrs.frozen(slots=True, field_transformer=typed_fields)
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


@serialize.register("participa.allocation.TerritoryAllocation")
@attrs.frozen(slots=True, field_transformer=typed_fields)
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

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self,
            "amount",
            amount(self.amount, what=_("the amount of territory {id!r}", id=self.territory_id)),
        )

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


@serialize.register("participa.allocation.Allocation")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Allocation(Tabular):
    """Money per territory, with the trace of how each amount was computed.

    Rows keep the order the territories were given in. The amounts sum to ``total``
    exactly (checked when built). ``pools`` (see :mod:`participa.allocation.pooling`)
    put several territories' money into joint envelopes: :attr:`envelopes` is the money
    each envelope selects projects with.
    """

    total: int
    rows: tuple[TerritoryAllocation, ...] = attrs.field(converter=_row_tuple)
    formula: Formula
    rounding: Rounding = Rounding.LARGEST_REMAINDER
    floors: Mapping[str, int] = attrs.field(factory=dict, converter=_int_map, hash=False)
    caps: Mapping[str, int] = attrs.field(factory=dict, converter=_int_map, hash=False)
    currency: Currency = attrs.field(factory=Currency, validator=check_currency)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    pools: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=pool_map, hash=False)

    __participa_upgrade__ = staticmethod(upgrade_loose_currency)  # older JSON: a loose number

    @property
    def minor_per_unit(self) -> int:
        """Minor units per currency unit (the :attr:`currency`'s)."""
        return self.currency.minor_per_unit

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "total", amount(self.total, what=_("allocation total")))
        for r in self.rows:
            if not isinstance(r, TerritoryAllocation):
                raise ValidationError(
                    _(
                        "an allocation's rows must be TerritoryAllocation values, got {value!r}",
                        value=r,
                    )
                )
        if not isinstance(self.formula, Formula):
            raise ValidationError(_("allocate needs a Formula, got {value!r}", value=self.formula))
        if not isinstance(self.rounding, Rounding):
            raise ValidationError(_("unknown rounding {value!r}", value=self.rounding))
        got = sum(r.amount for r in self.rows)
        if got != self.total or any(r.amount < 0 for r in self.rows):
            raise IntegrityError(
                _("allocation amounts sum to {got}, not {total}", got=got, total=self.total)
            )
        check_pools(self.pools, self.territory_ids)

    def pool(self, pools: Mapping[str, Iterable[str]]) -> Allocation:
        """This allocation with territories' money pooled (:func:`participa.allocation.pool`).

        >>> a = split_equally(10, [Territory("A"), Territory("B"), Territory("C")])
        >>> dict(a.pool({"AB": ["A", "B"]}).envelopes)
        {'AB': 7, 'C': 3}
        """
        return attrs.evolve(self, pools=pool_map(pools))

    @property
    def envelopes(self) -> Mapping[str, int]:
        """Money per envelope: each pool (its members' sum), then each unpooled territory,
        in id order. Without pools, the same as :attr:`amounts` in id order."""
        return MappingProxyType(envelopes(self.amounts, self.pools))

    def envelope_of(self, key: str) -> str | None:
        """The envelope a project whose territory is ``key`` selects from: the pool it is a
        member of (or the pool named ``key``), else the territory itself; ``None`` when
        ``key`` is neither a territory nor a pool of this allocation."""
        return envelope_of(self.pools, self.amounts, key)

    def members(self, envelope: str) -> tuple[str, ...]:
        """The territories whose money an envelope holds (a pool's members, or itself)."""
        return tuple(sorted(self.pools[envelope])) if envelope in self.pools else (envelope,)

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
        raise ValidationError(
            _("unknown territory id {territory_id!r} in this allocation", territory_id=territory_id)
        )

    @property
    def money(self) -> Currency:
        """How this allocation's amounts read as money (``S/ 1,234.56``): :attr:`currency`."""
        return self.currency

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
    if given is not None and not isinstance(given, Mapping):
        raise ValidationError(
            _(
                "{what} must be a mapping of territory id to minor units, got {value!r}",
                what=what,
                value=given,
            )
        )
    out = dict(given or {})
    unknown = sorted(set(out) - set(ids), key=str)
    if unknown:
        raise ValidationError(
            _("{what} name unknown territory ids: {unknown}", what=what, unknown=unknown),
            hint=_("known territories: {ids}", ids=sorted(ids)),
        )
    return {
        k: amount(v, what=_("the {what} of territory {id!r}", what=what, id=k))
        for k, v in out.items()
    }


@checked
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
    >>> from participa.allocation import WeightedCriterion
    >>> ts = [Territory(t, indicators={"deficit": d}) for t, d in [("A", 0), ("B", 1), ("C", 3)]]
    >>> f = Formula(
    ...     (WeightedCriterion("", 0.5, Normalisation.EQUAL), WeightedCriterion("deficit", 0.5))
    ... )
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
    total = amount(env.territorial if env is not None else money, what=_("the money to allocate"))
    if not isinstance(formula, Formula):
        raise ValidationError(_("allocate needs a Formula, got {value!r}", value=formula))
    if not isinstance(rounding, Rounding):
        raise ValidationError(
            _("unknown rounding {value!r}", value=rounding),
            hint=_(
                "use one of: {choices}", choices=", ".join(f"Rounding.{r.name}" for r in Rounding)
            ),
        )
    if isinstance(territories, str) or not isinstance(territories, Iterable):  # type: ignore[unreachable]
        raise ValidationError(
            _(
                "territories must be a sequence of Territory values, got {value!r}",
                value=territories,
            )
        )
    ts = tuple(territories)
    for t in ts:
        if not isinstance(t, Territory):
            raise ValidationError(_("territories must be Territory values, got {value!r}", value=t))
    if not ts:
        raise ValidationError(_("no territories to allocate to"))
    ids = [t.id for t in ts]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise ValidationError(_("duplicate territory ids: {dup}", dup=dup))
    fl = _amount_map("floors", floors, ids)
    cp = _amount_map("caps", caps, ids)
    for tid in sorted(set(fl) & set(cp)):
        if fl[tid] > cp[tid]:
            raise ValidationError(
                _(
                    "territory {tid!r} has a floor of {fl} above its cap of {cp}",
                    tid=tid,
                    fl=fl[tid],
                    cp=cp[tid],
                )
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
                    _(
                        "territory {id!r} has no indicator {indicator!r}",
                        id=t.id,
                        indicator=c.indicator,
                    ),
                    hint=_("its indicators: {indicators}", indicators=sorted(t.indicators)),
                )
            values.append(
                to_fraction(
                    t.indicators[c.indicator],
                    what=_("indicator {indicator!r}", indicator=c.indicator),
                    where=_("territory {id!r}", id=t.id),
                    minimum=0,
                )
            )
        normalised, scores = c.scores(values, cids)
        s = sum(scores, Fraction(0))
        shares = [sc / s if s else Fraction(1, n) for sc in scores]
        per_criterion.append((values, normalised, shares))
    contributions = [
        [
            total * c.weight * shares[i]
            for c, (_v, _n, shares) in zip(formula.criteria, per_criterion, strict=True)
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
            shown = (env.money if env is not None else Currency()).format(
                fl[t.id] if bound == "floor" else cp[t.id]
            )
            notes.append(
                _(
                    "territory {id!r} held at its floor ({limit}); the rest re-apportioned",
                    id=t.id,
                    limit=shown,
                )
                if bound == "floor"
                else _(
                    "territory {id!r} held at its cap ({limit}); the rest re-apportioned",
                    id=t.id,
                    limit=shown,
                )
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
        currency=env.money if env is not None else Currency(),
        notes=tuple(notes),
    )


@checked
def split_equally(
    money: int | Envelope,
    territories: Sequence[Territory],
    *,
    floors: Mapping[str, int] | None = None,
    caps: Mapping[str, int] | None = None,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
    pools: Mapping[str, Iterable[str]] | None = None,
) -> Allocation:
    """Equal split (amounts differ by at most one minor unit without floors and caps).

    ``participa.allocation.equal_split`` before 0.2 (``participa.equal_split`` is the
    rule that selects projects inside these envelopes). ``pools`` pools territories'
    money into joint envelopes (:mod:`participa.allocation.pooling`).

    The atomisation the seed paper warns about, in one line:

    >>> hoods = [Territory(f"N{i:02}") for i in range(30)]
    >>> set(split_equally(300_000, hoods).amounts.values())
    {10000}
    >>> pooled = split_equally(300_000, hoods, pools={"north": [f"N{i:02}" for i in range(6)]})
    >>> pooled.envelopes["north"]
    60000
    """
    out = allocate(money, territories, Formula.equal(), floors=floors, caps=caps, rounding=rounding)
    return out if pools is None else out.pool(pools)


@checked
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
