"""Projects and territories: what may be funded, and where."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from participa import serialize
from participa.boundary import typed_fields
from participa.errors import ValidationError
from participa.i18n import N_, _
from participa.model._common import (
    _check_id,
    _frozen_mapping,
    _no_line_break,
    _str_tuple,
)
from participa.validators import amount, non_negative_int

__all__ = ["Project", "Territory"]

_PROJECT_FIELDS = (
    "project_id",
    "cost",
    "name",
    "category",
    "district",
    "beneficiaries",
    "dimension",
)
"""pabulib PROJECTS columns that hold :class:`Project` fields (not free metadata)."""
_FIELD_SET = frozenset(_PROJECT_FIELDS)
_PROJECT = N_("project")
_A_PROJECT_FIELD = N_("a project field")
_PROJECT_METADATA = N_("project metadata")


def _cost(value: object) -> int:
    return value  # type: ignore[return-value]  # validated in Project.__attrs_post_init__


@serialize.register("participa.Project")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Project:
    """A proposal that may be funded.

    Parameters
    ----------
    id
        Unique, non-empty identifier (a string, as in pabulib files).
    cost
        Cost in integer minor units, ``>= 0``.
    name
        Human-readable title.
    territory
        Id of the :class:`Territory` (section, neighbourhood) it belongs to.
    categories
        Categories or sectors (e.g. ``("water", "sewerage")``).
    dimension
        Development dimension (SJM used economic, human, urban, ecological,
        political-institutional).
    beneficiaries
        Number of people or households that benefit, if known.
    metadata
        Any other column, kept as text (pabulib columns participa does not model).

    Examples
    --------
    >>> Project("P1", 120000, name="Pistas y veredas", territory="S3").cost
    120000
    >>> Project("P2", -5)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: cost must be a non-negative integer ... [project 'P2'] (...)
    """

    id: str
    cost: int
    name: str = ""
    territory: str | None = None
    categories: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    dimension: str | None = None
    beneficiaries: int | None = None
    metadata: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        _check_id(_PROJECT, self.id)
        if type(self.cost) is not int or self.cost < 0:  # (a plain int >= 0 is as given)
            object.__setattr__(self, "cost", amount(self.cost, what="cost", project_id=self.id))
        _no_field_line_break(self)
        if isinstance(self.id, str) and "," in self.id:
            raise ValidationError(
                _("a project id contains a comma, which separates projects in ballots"),
                project_id=self.id,
            )
        clash = (
            []
            if _FIELD_SET.isdisjoint(self.metadata)
            else [
                k
                for k in self.metadata
                if k in _PROJECT_FIELDS
                and not (k == "beneficiaries" and self.beneficiaries is None)
            ]
        )
        if clash:
            raise ValidationError(
                _("metadata key {key!r} clashes with a project field", key=clash[0]),
                project_id=self.id,
                hint=_("put the value in the project field itself"),
            )
        _no_metadata_line_break(self)
        if self.beneficiaries is not None:
            object.__setattr__(
                self,
                "beneficiaries",
                non_negative_int(self.beneficiaries, what="beneficiaries", project_id=self.id),
            )

    def __repr__(self) -> str:
        from participa.display import project_summary

        return project_summary(self)

    def _repr_html_(self) -> str:
        from participa.display import project_html

        return project_html(self)


def _built_project(
    id: str,
    cost: int,
    name: str,
    territory: str | None,
    categories: tuple[str, ...],
    dimension: str | None,
    beneficiaries: int | None,
    metadata: dict[str, str],
) -> Project:
    """A :class:`Project` from what the pabulib reader checked itself: no conversion.

    The reader gives a non-empty id without a comma (it says so with the line
    otherwise), a cost and beneficiaries that are ``int >= 0`` (or ``None``), a tuple
    of categories and a new dict of metadata whose keys are no project fields; the
    object is the one ``Project(...)`` builds from the same arguments. Only the line
    feeds are looked for here (a quoted CSV field may hold one).

    >>> p = _built_project("a", 5, "x", None, ("w",), None, None, {"votes": "3"})
    >>> p == Project("a", 5, "x", categories=["w"], metadata={"votes": "3"})
    True
    """
    project = object.__new__(Project)
    put = object.__setattr__
    put(project, "id", id)
    put(project, "cost", cost)
    put(project, "name", name)
    put(project, "territory", territory)
    put(project, "categories", categories)
    put(project, "dimension", dimension)
    put(project, "beneficiaries", beneficiaries)
    put(project, "metadata", MappingProxyType(metadata))
    _no_field_line_break(project)
    _no_metadata_line_break(project)
    return project


def _no_field_line_break(p: Project) -> None:
    """Refuse a line feed in the project's id, name, territory, dimension or categories."""
    optional = (t for t in (p.territory, p.dimension) if t is not None)
    _no_line_break(
        (p.id, p.name, *optional, *p.categories),  # (no None: one join)
        _A_PROJECT_FIELD,
        project_id=p.id,
    )


def _no_metadata_line_break(p: Project) -> None:
    """Refuse a line feed in the project's metadata keys and values."""
    _no_line_break((*p.metadata, *p.metadata.values()), _PROJECT_METADATA, p.id)


@serialize.register("participa.Territory")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Territory:
    """A territory (section, neighbourhood, district) or a theme that receives money.

    Parameters
    ----------
    id
        Unique identifier.
    name
        Human-readable name.
    parent
        Id of the enclosing territory (a neighbourhood's section), if any.
    indicators
        Named numeric indicators used by allocation formulas (population,
        basic-service deficit, tax compliance, ...).

    Examples
    --------
    >>> Territory("S1", "Sector 1", indicators={"population": 52000}).indicators["population"]
    52000
    """

    id: str
    name: str = ""
    parent: str | None = None
    indicators: Mapping[str, float] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False
    )

    def __attrs_post_init__(self) -> None:
        _check_id(N_("territory"), self.id)
