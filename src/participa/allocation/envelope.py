"""Envelopes: the PB money of a round, with its reserves, in integer minor units."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from fractions import Fraction

import attrs

from participa import serialize
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.i18n import _
from participa.money import Currency
from participa.validators import amount as _amount
from participa.validators import positive_int

__all__ = ["Envelope", "Reserve", "ReservePurpose"]


def _floor(q: Fraction) -> int:
    return q.numerator // q.denominator


class ReservePurpose(enum.Enum):
    """What a reserved part of an envelope is for."""

    DISTRICT_WIDE = "district_wide"
    THEMATIC = "thematic"
    OTHER = "other"


@serialize.register("participa.allocation.Reserve")
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
        if not isinstance(self.id, str) or not isinstance(self.name, str):
            raise ValidationError(
                _("a reserve's id and name must be strings, got {id!r}", id=self.id)
            )
        if not isinstance(self.purpose, ReservePurpose):
            raise ValidationError(
                _("reserve {id!r}: unknown purpose {value!r}", id=self.id, value=self.purpose)
            )
        a = _amount(self.amount, what=_("the amount of reserve {id!r}", id=self.id))
        object.__setattr__(self, "amount", a)


def _reserve_tuple(value: Iterable[Reserve]) -> tuple[Reserve, ...]:
    return tuple(value)


def _optional_share(value: object) -> Fraction | None:
    return None if value is None else to_fraction(value, what=_("share"), minimum=0)


@serialize.register("participa.allocation.Envelope")
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
        t = _amount(self.total, what=_("envelope total"))
        object.__setattr__(self, "total", t)
        object.__setattr__(self, "fixed", _amount(self.fixed, what=_("fixed money")))
        if self.fund is not None:
            object.__setattr__(self, "fund", _amount(self.fund, what=_("fund")))
        object.__setattr__(
            self, "minor_per_unit", positive_int(self.minor_per_unit, what="minor_per_unit")
        )
        if self.currency is not None and not isinstance(self.currency, str):
            raise ValidationError(
                _("currency must be a string, got {value!r}", value=self.currency)
            )
        if not isinstance(self.name, str):
            raise ValidationError(_("name must be a string, got {value!r}", value=self.name))
        for r in self.reserves:
            if not isinstance(r, Reserve):
                raise ValidationError(
                    _("an envelope's reserves must be Reserve values, got {value!r}", value=r)
                )
        if self.share is not None and self.share > 1:
            raise ValidationError(
                _("an envelope's share of the fund must be <= 1: {share}", share=self.share)
            )
        ids = [r.id for r in self.reserves]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        if dup:
            raise ValidationError(_("duplicate reserve ids: {dup}", dup=dup))
        held = sum(r.amount for r in self.reserves)
        if held > t:
            raise ValidationError(
                _(
                    "reserves ({ids}) hold {held}, more than the envelope's {t}",
                    ids=", ".join(ids),
                    held=held,
                    t=t,
                ),
                hint=_("lower the reserves or raise the envelope"),
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
        fund = _amount(fund, what=_("fund"))
        fixed = _amount(fixed, what=_("fixed money"))
        s = to_fraction(share, what=_("share of the fund"), minimum=0)
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
            raise ValidationError(_("reserve {id!r}: give exactly one of amount and share", id=id))
        amt = (
            amount
            if amount is not None
            else _floor(self.total * to_fraction(share, what=_("share"), minimum=0, maximum=1))
        )
        return attrs.evolve(self, reserves=(*self.reserves, Reserve(id, amt, purpose, name)))

    def reserved(self, purpose: ReservePurpose | None = None) -> int:
        """Money held in reserves (of one purpose, or all)."""
        if purpose is not None and not isinstance(purpose, ReservePurpose):
            raise ValidationError(_("unknown reserve purpose {value!r}", value=purpose))
        return sum(r.amount for r in self.reserves if purpose is None or r.purpose is purpose)

    def reserve(self, id: str) -> Reserve:
        """The reserve with this id."""
        for r in self.reserves:
            if r.id == id:
                return r
        raise ValidationError(_("unknown reserve id {id!r}", id=id))

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
