"""A development plan as a value: vision, dimensions, objectives and indicators.

Peru asks every municipality to make its concerted development plan (*plan de
desarrollo concertado*) and its participatory budget together. San Juan de
Miraflores' 2003 plan (seed paper) had a shared vision, five development
dimensions (economic, human, urban, ecological, political-institutional),
strategic objectives under each dimension, specific objectives under each
strategic objective, and projects that serve them. :class:`Plan` holds exactly
that hierarchy, validated when built:

* every id is a non-empty string, unique within the plan (dimension, objective
  and indicator ids share one namespace, so a project's link can never be
  ambiguous);
* every strategic objective sits under a dimension of the plan, every specific
  objective under a strategic objective of the plan;
* every indicator has a baseline and a target (exact numbers).

Every fault is listed at once, in one :class:`~participa.ValidationError`.

Examples
--------
>>> plan = Plan(
...     "Plan 2004-2015 (invented)",
...     vision="A green, safe district",
...     dimensions=(Dimension("D2", "Human development"),),
...     strategic=(StrategicObjective("OE2", "Healthy population", "D2", sectors=("health",)),),
...     specific=(SpecificObjective("OE2.1", "Less child anaemia", "OE2",
...         indicators=(Indicator("I1", "child anaemia", baseline=38, target=20, unit="%"),)),),
... )
>>> plan.objective("OE2.1").strategic, plan.dimension_of("OE2.1").name
('OE2', 'Human development')
>>> Plan("x", dimensions=(), strategic=(StrategicObjective("OE1", "Jobs", "D9"),))
Traceback (most recent call last):
...
participa.errors.ValidationError: the plan is not valid: strategic objective 'OE1' is under
dimension 'D9', which the plan does not have
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import attrs

from participa import serialize
from participa.boundary import checked, typed_fields
from participa.display import html_table
from participa.errors import ValidationError
from participa.i18n import _

__all__ = [
    "Dimension",
    "Indicator",
    "Plan",
    "SpecificObjective",
    "StrategicObjective",
    "number",
]

FORBIDDEN_IN_IDS = (";", ",")
"""Characters an id may not hold: they separate ids in a project's ``objectives`` link."""


@checked
def number(value: object, *, what: str) -> Fraction:
    """Read a number exactly: ``int``, ``Fraction``, ``Decimal``, decimal text or a ``float``.

    A ``float`` is read through its shortest decimal text (``0.1`` is ``1/10``).

    >>> number("12.5", what="baseline"), number(0.1, what="target")
    (Fraction(25, 2), Fraction(1, 10))
    >>> number("many", what="baseline")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: baseline is not a number: 'many' (write a decimal ...)
    """
    if isinstance(value, bool):
        raise ValidationError(_("{what} is not a number: {value!r}", what=what, value=value))
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if value.is_finite():
            return Fraction(value)
    elif isinstance(value, float):
        if value == value and value not in (float("inf"), float("-inf")):
            return Fraction(str(value))
    elif isinstance(value, str):
        text = value.strip()
        if "," in text:
            raise ValidationError(
                _("{what} is not a number: {value!r}", what=what, value=value),
                hint=_("write decimals with a point and no thousands separator, e.g. 1234.5"),
            )
        try:
            d = Decimal(text)
            if d.is_finite():
                return Fraction(d)
        except InvalidOperation:
            try:
                return Fraction(text)
            except (ValueError, ZeroDivisionError):
                pass
    raise ValidationError(
        _("{what} is not a number: {value!r}", what=what, value=value),
        hint=_("write a decimal such as 12.5"),
    )


def _fraction(value: object) -> Fraction:
    return number(value, what=_("value"))


def _weight(value: object) -> Fraction:
    return number(value, what=_("weight"))


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _bad_id(value: object) -> bool:
    return (
        not isinstance(value, str)
        or not value.strip()
        or value != value.strip()
        or any(c in value for c in FORBIDDEN_IN_IDS)
    )


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Indicator:
    """How progress toward a specific objective is measured: a baseline and a target.

    Parameters
    ----------
    id
        Unique id within the plan (``"I2.1a"``).
    name
        What is measured (``"households with drinking water"``).
    baseline, target
        The value when the plan was made and the value it aims for (exact numbers).
    unit
        Unit of the values (``"%"``, ``"households"``).
    year
        The year the target should be reached, if the plan says.

    Examples
    --------
    >>> Indicator("I1", "green area per inhabitant", baseline="1.2", target=4, unit="m2").baseline
    Fraction(6, 5)
    """

    id: str
    name: str
    baseline: Fraction = attrs.field(converter=_fraction)
    target: Fraction = attrs.field(converter=_fraction)
    unit: str = ""
    year: int | None = None

    def __attrs_post_init__(self) -> None:
        y = self.year
        if y is not None and (isinstance(y, bool) or not isinstance(y, int)):
            raise ValidationError(
                _(
                    "indicator {id!r}: the target year must be a whole number, got {value!r}",
                    id=self.id,
                    value=y,
                )
            )

    @property
    def change(self) -> Fraction:
        """``target − baseline``: the change the plan aims for."""
        return self.target - self.baseline


def _indicators(value: Iterable[Indicator]) -> tuple[Indicator, ...]:
    return tuple(value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Dimension:
    """A development dimension (SJM: economic, human, urban, ecological, political-institutional).

    Parameters
    ----------
    id
        Unique id within the plan (``"D1"``, or the name itself).
    name
        Its name for people.
    """

    id: str
    name: str = ""


@attrs.frozen(slots=True, field_transformer=typed_fields)
class StrategicObjective:
    """A strategic objective under one dimension.

    Parameters
    ----------
    id
        Unique id within the plan (``"OE1"``).
    name
        The objective in words.
    dimension
        Id of the :class:`Dimension` it belongs to.
    sectors
        The sectors whose policy it carries (``("health",)``); the territorial-vs-sectoral
        view compares a project's sector with these.
    """

    id: str
    name: str
    dimension: str
    sectors: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class SpecificObjective:
    """A specific objective under one strategic objective; projects name these ids.

    Parameters
    ----------
    id
        Unique id within the plan (``"OE1.2"``); a project serves it by listing this id
        in its ``objectives`` metadata.
    name
        The objective in words.
    strategic
        Id of the :class:`StrategicObjective` it refines.
    weight
        Its weight for prioritisation (exact, ``>= 0``; default 1).
    indicators
        How progress is measured.
    sectors
        Sectors of its own, when narrower than its strategic objective's.
    """

    id: str
    name: str
    strategic: str
    weight: Fraction = attrs.field(default=Fraction(1), converter=_weight)
    indicators: tuple[Indicator, ...] = attrs.field(default=(), converter=_indicators)
    sectors: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)


def _dimensions(value: Iterable[Dimension]) -> tuple[Dimension, ...]:
    return tuple(value)


def _strategic(value: Iterable[StrategicObjective]) -> tuple[StrategicObjective, ...]:
    return tuple(value)


def _specific(value: Iterable[SpecificObjective]) -> tuple[SpecificObjective, ...]:
    return tuple(value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Plan:
    """A development plan: vision, dimensions, strategic and specific objectives, indicators.

    Parameters
    ----------
    name
        The plan's name (``"Plan de Desarrollo Integral 2004-2015"``).
    vision
        The shared vision of the district's future.
    dimensions
        The development dimensions, in the plan's order.
    strategic
        Strategic objectives, each under a dimension.
    specific
        Specific objectives, each under a strategic objective.
    period
        The years it covers (``"2004-2015"``), as text.

    Notes
    -----
    Built from Python, from JSON (:func:`participa.loads`) or from a CSV file
    (:func:`participa.plan.read_plan_csv`); all three run the same validation.
    """

    name: str
    vision: str = ""
    dimensions: tuple[Dimension, ...] = attrs.field(default=(), converter=_dimensions)
    strategic: tuple[StrategicObjective, ...] = attrs.field(default=(), converter=_strategic)
    specific: tuple[SpecificObjective, ...] = attrs.field(default=(), converter=_specific)
    period: str = ""

    def __attrs_post_init__(self) -> None:
        faults = self._faults()
        if faults:
            raise ValidationError(
                _("the plan is not valid: {faults}", faults="; ".join(faults)),
            )

    def _faults(self) -> list[str]:
        faults: list[str] = []
        seen: dict[str, str] = {}

        def claim(kind: str, value: object) -> None:
            if _bad_id(value):
                faults.append(
                    _(
                        "{kind} id {id!r} must be a non-empty string without spaces around it, "
                        "';' or ','",
                        kind=kind,
                        id=value,
                    )
                )
                return
            assert isinstance(value, str)
            if value in seen:
                faults.append(
                    _(
                        "id {id!r} is used twice (by a {first} and a {second})",
                        id=value,
                        first=seen[value],
                        second=kind,
                    )
                )
            else:
                seen[value] = kind

        dim_ids = set()
        for d in self.dimensions:
            claim(_("dimension"), d.id)
            dim_ids.add(d.id)
        strat_ids = set()
        for s in self.strategic:
            claim(_("strategic objective"), s.id)
            strat_ids.add(s.id)
            if s.dimension not in dim_ids:
                faults.append(
                    _(
                        "strategic objective {id!r} is under dimension {dimension!r}, which the "
                        "plan does not have",
                        id=s.id,
                        dimension=s.dimension,
                    )
                )
        for o in self.specific:
            claim(_("specific objective"), o.id)
            if o.strategic not in strat_ids:
                faults.append(
                    _(
                        "specific objective {id!r} is under strategic objective {strategic!r}, "
                        "which the plan does not have",
                        id=o.id,
                        strategic=o.strategic,
                    )
                )
            if o.weight < 0:
                faults.append(
                    _(
                        "specific objective {id!r} has a negative weight {weight}",
                        id=o.id,
                        weight=o.weight,
                    )
                )
            for i in o.indicators:
                claim(_("indicator"), i.id)
        return faults

    # -- lookups ---------------------------------------------------------------------------

    @property
    def objective_ids(self) -> tuple[str, ...]:
        """The specific objectives' ids, in plan order (what projects may name)."""
        return tuple(o.id for o in self.specific)

    def dimension(self, id: str) -> Dimension:
        """The dimension with this id (or this name, compared without case)."""
        for d in self.dimensions:
            if d.id == id:
                return d
        key = id.strip().casefold()
        for d in self.dimensions:
            if d.name.strip().casefold() == key:
                return d
        raise ValidationError(
            _("the plan has no dimension {id!r}", id=id),
            hint=_("known dimensions: {ids}", ids=", ".join(d.id for d in self.dimensions)),
        )

    def strategic_objective(self, id: str) -> StrategicObjective:
        """The strategic objective with this id."""
        for s in self.strategic:
            if s.id == id:
                return s
        raise ValidationError(_("the plan has no strategic objective {id!r}", id=id))

    def objective(self, id: str) -> SpecificObjective:
        """The specific objective with this id."""
        for o in self.specific:
            if o.id == id:
                return o
        raise ValidationError(
            _("the plan has no specific objective {id!r}", id=id),
            hint=_(
                "projects name specific objectives such as {example}",
                example=self.specific[0].id if self.specific else "OE1.1",
            ),
        )

    def dimension_of(self, objective_id: str) -> Dimension:
        """The dimension a specific (or strategic) objective belongs to."""
        for s in self.strategic:
            if s.id == objective_id:
                return self.dimension(s.dimension)
        return self.dimension(
            self.strategic_objective(self.objective(objective_id).strategic).dimension
        )

    def sectors_of(self, objective_id: str) -> tuple[str, ...]:
        """The sectors of a specific objective: its own, else its strategic objective's."""
        o = self.objective(objective_id)
        return o.sectors or self.strategic_objective(o.strategic).sectors

    def under(self, dimension_id: str) -> tuple[SpecificObjective, ...]:
        """The specific objectives under one dimension, in plan order."""
        d = self.dimension(dimension_id).id
        strat = {s.id for s in self.strategic if s.dimension == d}
        return tuple(o for o in self.specific if o.strategic in strat)

    def digest(self) -> str:
        """A short fingerprint of the plan's content (SHA-256 of its JSON), for logs.

        Two plans with the same content have the same digest on every machine.
        """
        text = serialize.dumps(self)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    # -- views -----------------------------------------------------------------------------

    def _rows(self) -> list[tuple[str, str, str, str]]:
        rows: list[tuple[str, str, str, str]] = []
        for d in self.dimensions:
            rows.append((d.id, _("dimension"), d.name, ""))
            for s in (s for s in self.strategic if s.dimension == d.id):
                rows.append((s.id, _("strategic objective"), s.name, ", ".join(s.sectors)))
                for o in (o for o in self.specific if o.strategic == s.id):
                    rows.append((o.id, _("specific objective"), o.name, ", ".join(o.sectors)))
                    for i in o.indicators:
                        text = _(
                            "{name}: {baseline} → {target}",
                            name=i.name,
                            baseline=_show(i.baseline),
                            target=_show(i.target),
                        )
                        if i.unit:
                            text += f" {i.unit}"
                        if i.year is not None:
                            text += f" ({i.year})"
                        rows.append((i.id, _("indicator"), text, ""))
        return rows

    def caption(self) -> str:
        """``NAME (PERIOD): n dimensions, n strategic, n specific objectives``."""
        head = self.name + (f" ({self.period})" if self.period else "")
        return _(
            "{plan}: {dimensions} dimensions, {strategic} strategic and {specific} specific "
            "objectives",
            plan=head,
            dimensions=len(self.dimensions),
            strategic=len(self.strategic),
            specific=len(self.specific),
        )

    def to_text(self) -> str:
        """The plan as an indented outline, in the current language."""
        lines = [self.caption()]
        if self.vision:
            lines.append(_("Vision: {vision}", vision=self.vision))
        indent = {
            _("dimension"): "  ",
            _("strategic objective"): "    ",
            _("specific objective"): "      ",
            _("indicator"): "        ",
        }
        for id_, kind, name, sectors in self._rows():
            extra = f" [{sectors}]" if sectors else ""
            lines.append(f"{indent[kind]}{id_}  {name}{extra}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        header = (_("id"), _("level"), _("name"), _("sectors"))
        cap = self.caption() + (f" — {self.vision}" if self.vision else "")
        return html_table(header, self._rows(), caption=cap)


def _show(x: Fraction) -> str:
    """An exact number for people: ``12``, ``12.5`` or ``1/3``."""
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        return format(Decimal(x.numerator) / Decimal(x.denominator), "f")
    return str(x)


for _cls in (Indicator, Dimension, StrategicObjective, SpecificObjective, Plan):
    serialize.register(_cls, "participa.plan." + _cls.__name__)
