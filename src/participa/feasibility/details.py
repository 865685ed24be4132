"""Reading :class:`ProposalDetails` from a project's text metadata (pabulib extra columns).

Documented keys (all optional; amounts in currency units, converted exactly to minor
units with ``minor_per_unit``):

========================== ============================================================
key                        meaning
========================== ============================================================
``sector``                 sector of the works (else the project's first category)
``cost_breakdown``         ``line:amount`` pairs joined by ``;``, e.g.
                           ``expediente_tecnico:9000;obra:141000``
``technical_design_share`` share of cost for technical design: ``0.05`` or ``5%``
``study_level``            pre-investment study available (``perfil simplificado``)
``om_yearly_cost``         yearly operation and maintenance cost
``om_payer``               who pays operation and maintenance
``households``             households served (integer)
``works``                  kind of works, to recognise split works
``indicator.NAME``         raw value of prioritisation criterion ``NAME`` (a decimal)
========================== ============================================================

Examples
--------
>>> from participa.model import Project
>>> p = Project("P1", 150000, metadata={
...     "sector": "water", "cost_breakdown": "expediente_tecnico:9000; obra:141000",
...     "om_yearly_cost": "1200.50", "indicator.poverty": "0.6"})
>>> d = details_from_metadata(p, minor_per_unit=100)
>>> d.cost_breakdown["expediente_tecnico"], d.om_yearly_cost, d.indicators["poverty"]
(900000, 120050, Fraction(3, 5))
>>> details_from_metadata(Project("P2", 1, metadata={"households": "many"}))
Traceback (most recent call last):
...
participa.errors.ValidationError: metadata 'households' is not an integer: 'many' ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from participa.errors import ValidationError
from participa.feasibility._base import ProposalDetails
from participa.i18n import _
from participa.model import Election, Project
from participa.money import parse_amount

__all__ = ["METADATA_KEYS", "details_by_id", "details_from_metadata"]

METADATA_KEYS = (
    "sector",
    "cost_breakdown",
    "technical_design_share",
    "study_level",
    "om_yearly_cost",
    "om_payer",
    "households",
    "works",
)
"""Metadata keys :func:`details_from_metadata` reads (plus ``indicator.NAME``)."""


def _text(meta: Mapping[str, str], key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _amount(project: Project, key: str, text: str, minor_per_unit: int) -> int:
    try:
        amount = parse_amount(text.replace(",", ""), minor_per_unit=minor_per_unit)
    except ValidationError as exc:
        raise ValidationError(
            _("metadata {key!r}: {message}", key=key, message=exc.message),
            project_id=project.id,
            hint=_("write amounts in currency units, e.g. 1200.50"),
        ) from None
    if amount < 0:
        raise ValidationError(
            _("metadata {key!r} is negative: {text!r}", key=key, text=text), project_id=project.id
        )
    return amount


def _share(project: Project, key: str, text: str) -> Fraction:
    t = text.strip()
    try:
        value = Fraction(t[:-1].strip()) / 100 if t.endswith("%") else Fraction(t)
    except (ValueError, ZeroDivisionError):
        raise ValidationError(
            _("metadata {key!r} is not a share: {text!r}", key=key, text=text),
            project_id=project.id,
            hint=_("write 0.05 or 5%"),
        ) from None
    return value


def details_from_metadata(project: Project, *, minor_per_unit: int = 1) -> ProposalDetails:
    """Read a project's :class:`ProposalDetails` from its ``metadata`` text fields.

    Parameters
    ----------
    project
        The project; only the documented keys (module docstring) are read.
    minor_per_unit
        Minor units per currency unit, to convert the amounts exactly.

    Returns
    -------
    ProposalDetails
        Missing keys stay ``None``; a malformed value raises
        :class:`~participa.ValidationError` naming the project and the key.
    """
    meta = project.metadata
    breakdown: dict[str, int] | None = None
    raw = _text(meta, "cost_breakdown")
    if raw is not None:
        breakdown = {}
        for item in raw.split(";"):
            if not item.strip():
                continue
            line, sep, amount = item.partition(":")
            if not sep or not line.strip():
                raise ValidationError(
                    _(
                        "metadata 'cost_breakdown' item {strip!r} is not 'line:amount'",
                        strip=item.strip(),
                    ),
                    project_id=project.id,
                    hint=_("write e.g. expediente_tecnico:9000;obra:141000"),
                )
            if line.strip() in breakdown:
                raise ValidationError(
                    _("metadata 'cost_breakdown' names line {strip!r} twice", strip=line.strip()),
                    project_id=project.id,
                )
            breakdown[line.strip()] = _amount(
                project, "cost_breakdown", amount.strip(), minor_per_unit
            )
    ints: dict[str, int | None] = {}
    for key in ("households",):
        t = _text(meta, key)
        if t is None:
            ints[key] = None
            continue
        try:
            ints[key] = int(t)
        except ValueError:
            raise ValidationError(
                _("metadata {key!r} is not an integer: {t!r}", key=key, t=t),
                project_id=project.id,
                hint=_("write a whole number, e.g. 120"),
            ) from None
    om = _text(meta, "om_yearly_cost")
    share = _text(meta, "technical_design_share")
    indicators: dict[str, Fraction] = {}
    for key in sorted(meta):
        if key.startswith("indicator."):
            name = key[len("indicator.") :].strip()
            t = _text(meta, key)
            if not name or t is None:
                continue
            indicators[name] = _share(project, key, t)
    return ProposalDetails(
        project.id,
        sector=_text(meta, "sector"),
        cost_breakdown=breakdown,
        technical_design_share=None
        if share is None
        else _share(project, "technical_design_share", share),
        study_level=_text(meta, "study_level"),
        om_yearly_cost=None
        if om is None
        else _amount(project, "om_yearly_cost", om, minor_per_unit),
        om_payer=_text(meta, "om_payer"),
        households=ints["households"],
        works=_text(meta, "works"),
        indicators=indicators,
    )


def details_by_id(
    projects: Election | Iterable[Project], *, minor_per_unit: int | None = None
) -> dict[str, ProposalDetails]:
    """:func:`details_from_metadata` for every project, keyed by id (election order).

    ``minor_per_unit`` defaults to the election's own (1 for a plain project list).
    """
    if isinstance(projects, Election):
        scale = projects.minor_per_unit if minor_per_unit is None else minor_per_unit
        items: Iterable[Project] = projects.projects
    else:
        scale = 1 if minor_per_unit is None else minor_per_unit
        items = projects
    return {p.id: details_from_metadata(p, minor_per_unit=scale) for p in items}
