"""Jupyter HTML for participa's values; nothing heavy is imported here."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from participa.money import format_amount

if TYPE_CHECKING:
    from participa.model import Election
    from participa.outcome import Outcome

__all__ = ["attrs_html", "election_html", "html_table", "outcome_html"]

MAX_ROWS = 60


def html_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, caption: str = ""
) -> str:
    """A small, escaped HTML table (at most ``MAX_ROWS`` rows, then an ellipsis row)."""
    out = ['<table class="participa">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
        + "</tr></thead><tbody>"
    )
    for i, row in enumerate(rows):
        if i == MAX_ROWS:
            out.append(f'<tr><td colspan="{len(header)}">…</td></tr>')
            break
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def election_html(e: Election) -> str:
    """An election as a caption (budget, voters, kind) and a table of projects."""

    def money(a: int) -> str:
        return format_amount(a, minor_per_unit=e.minor_per_unit)

    support = e.support()
    cap = (
        f"{e.name or 'Election'}: budget {money(e.budget)} {e.currency or ''}, "
        f"{len(e.projects)} projects, {e.profile.num_voters} voters ({e.kind.value})"
    )
    rows = (
        (p.id, p.name, money(p.cost), int(support[j]), p.territory or "")
        for j, p in enumerate(e.projects)
    )
    return html_table(("id", "name", "cost", "supporters", "territory"), rows, caption=cap)


def outcome_html(o: Outcome) -> str:
    """An outcome as a caption (rule, spent) and one row per funded project."""
    cap = f"{o.rule}: {len(o.selected)} selected, {o.total_funding} of {o.budget} spent"
    order = list(o.selected) + [p for p, f in o.funding.items() if f and p not in o.selected_set]
    rows = (
        (i + 1, p, o.funding[p], "yes" if p in o.selected_set else "partial")
        for i, p in enumerate(order)
    )
    return html_table(("#", "project", "funding", "selected"), rows, caption=cap)


def _brief(value: object, limit: int = 80) -> str:
    if isinstance(value, tuple | list) and value and all(attrs.has(type(v)) for v in value):
        return f"{len(value)} × {type(value[0]).__name__}"
    text = str(dict(value)) if isinstance(value, Mapping) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def attrs_html(value: object, *, caption: str = "") -> str:
    """Any attrs value as a two-column table of its public fields (long values shortened).

    A ready-made ``_repr_html_`` for values without a dedicated view:
    ``def _repr_html_(self) -> str: return attrs_html(self)``.

    >>> from participa.model import Project
    >>> attrs_html(Project("P1", 5))[:60]
    '<table class="participa"><caption>Project</caption><thead><t'
    """
    cls = type(value)
    if not attrs.has(cls):
        raise TypeError(f"attrs_html needs an attrs value, not {cls.__name__}")
    rows = (
        (f.name, _brief(getattr(value, f.name)))
        for f in attrs.fields(cls)
        if not f.name.startswith("_")
    )
    return html_table(("field", "value"), rows, caption=caption or type(value).__name__)
