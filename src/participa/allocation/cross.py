"""Territorial × thematic: each territory's money split among themes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from participa import serialize
from participa.allocation.core import Allocation
from participa.apportion import Rounding, apportion
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.i18n import _
from participa.money import Currency, check_currency, upgrade_loose_currency
from participa.validators import amount

__all__ = ["CrossAllocation", "cross_allocate"]


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _cells(value: Any) -> tuple[tuple[int, ...], ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(_("cells must be rows of amounts, got {value!r}", value=value))
    return tuple(tuple(amount(x, what=_("a cell")) for x in row) for row in value)


@serialize.register("participa.allocation.CrossAllocation")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class CrossAllocation:
    """A territory × theme table of money: each territory's amount split among themes.

    Row sums equal the territories' amounts exactly; column sums are within one minor
    unit per territory of the themes' exact shares.
    """

    territory_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    theme_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    cells: tuple[tuple[int, ...], ...] = attrs.field(converter=_cells)
    currency: Currency = attrs.field(factory=Currency, validator=check_currency)

    __participa_upgrade__ = staticmethod(upgrade_loose_currency)  # older JSON: a loose number

    @property
    def minor_per_unit(self) -> int:
        """Minor units per currency unit (the :attr:`currency`'s)."""
        return self.currency.minor_per_unit

    def __attrs_post_init__(self) -> None:
        n, m = len(self.territory_ids), len(self.theme_ids)
        if len(self.cells) != n or any(len(row) != m for row in self.cells):
            raise ValidationError(
                _(
                    "cells must be {n} rows (territories) of {m} amounts (themes)",
                    n=n,
                    m=m,
                )
            )

    def cell(self, territory_id: str, theme_id: str) -> int:
        """Money of one territory for one theme."""
        try:
            return self.cells[self.territory_ids.index(territory_id)][
                self.theme_ids.index(theme_id)
            ]
        except ValueError:
            raise ValidationError(
                _(
                    "unknown territory or theme: {territory_id!r}, {theme_id!r}",
                    territory_id=territory_id,
                    theme_id=theme_id,
                )
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
        from participa.display import html_table

        m = self.currency.format

        rows = [
            [t, *[m(x) for x in r], m(sum(r))]
            for t, r in zip(self.territory_ids, self.cells, strict=True)
        ]
        cols = self.column_totals
        rows.append([_("total"), *[m(cols[th]) for th in self.theme_ids], m(sum(cols.values()))])
        return html_table(
            [_("territory"), *self.theme_ids, _("total")], rows, caption=_("territory × theme")
        )


@checked
def cross_allocate(
    allocation: Allocation,
    themes: Mapping[str, object],
    *,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> CrossAllocation:
    """Split every territory's amount among themes in proportion to ``themes`` weights.

    Weights are read exactly (floats as decimals) and need not sum to 1. Each row is
    apportioned exactly, themes in sorted id order for ties.

    >>> from participa.allocation import Formula, allocate
    >>> from participa.model import Territory
    >>> ts = [Territory("A", indicators={"p": 1}), Territory("B", indicators={"p": 1})]
    >>> x = cross_allocate(allocate(1001, ts, Formula.equal()), {"health": 0.5, "youth": 0.5})
    >>> x.cells, dict(x.column_totals)
    (((251, 250), (250, 250)), {'health': 501, 'youth': 500})
    """
    if not isinstance(allocation, Allocation):
        raise ValidationError(
            _("cross_allocate needs an Allocation, got {value!r}", value=allocation)
        )
    if not isinstance(themes, Mapping):
        raise ValidationError(
            _("themes must be a mapping of theme id to weight, got {value!r}", value=themes)
        )
    if not themes:
        raise ValidationError(_("give at least one theme"))
    theme_ids = sorted(themes, key=str)
    ws = [
        to_fraction(themes[th], what=_("weight of theme {th!r}", th=th), minimum=0)
        for th in theme_ids
    ]
    if sum(ws) == 0:
        raise ValidationError(_("theme weights are all zero"))
    cells = [apportion(r.amount, ws, method=rounding) for r in allocation.rows]
    return CrossAllocation(
        allocation.territory_ids,
        theme_ids,
        cells,
        allocation.currency,
    )
