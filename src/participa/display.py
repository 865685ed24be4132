"""Jupyter HTML and short summaries for participa's values; nothing heavy is imported here.

Every value that people look at in a notebook has two faces:

* a short ``repr`` (a pandas-like one-line summary such as
  ``<Election 'Łódź': PLN 411,000, 5 projects, 1,086 voters (approval)>``), so that
  ``print(election)`` or a value left at the end of a cell reads in one glance;
* an HTML view (``_repr_html_``): a caption and a table, money shown as money
  (``S/ 1,234.56``), every text escaped, at most :data:`MAX_ROWS` rows.

One small stylesheet, :data:`STYLE`, comes with every view. It sets no colours of its
own: text inherits the notebook's colour and the rules and header shading are
translucent greys or the host's own variables (JupyterLab's ``--jp-*``, VS Code's
``--vscode-*``), so a view reads the same in light and dark themes.

Captions, headers and summaries are translated (:mod:`participa.i18n`): the views
that build a whole page take ``lang=`` (``None``: the current language).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(150_00, [Project("a", 100_00, name="Pistas"), Project("b", 80_00)],
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"]]),
...     name="Sector 3", currency="PEN", minor_per_unit=100)
>>> e
<Election 'Sector 3': S/ 150.00, 2 projects, 2 voters (approval)>
>>> print(election_html(e, lang="es").count("S/ 100.00"))
1
>>> local_time("2001-03-01T15:00:00Z", "-05:00")
'2001-03-01 10:00 -05:00'
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Final

import attrs

from participa._wide import exact_matmul
from participa.boundary import checked
from participa.i18n import N_, _, get_language, ngettext, use_language
from participa.money import Currency

if TYPE_CHECKING:
    from participa.allocation import Envelope
    from participa.io.pabulib import PabulibFile
    from participa.model import Election, Profile, Project
    from participa.outcome import Outcome

__all__ = [
    "MAX_ROWS",
    "STYLE",
    "UTC_OFFSETS",
    "attrs_html",
    "ballot_kind_label",
    "currency_of",
    "election_html",
    "envelope_html",
    "html_table",
    "local_date",
    "local_time",
    "outcome_html",
    "pabulib_file_html",
    "profile_html",
    "project_html",
    "summary",
    "view",
]

MAX_ROWS: Final = 60
"""Rows shown by an HTML table before it says how many more there are."""

STYLE: Final = (
    "<style>"
    ".participa-view{--pv-rule:var(--jp-border-color2,var(--vscode-editorWidget-border,"
    "rgba(128,128,128,.35)));--pv-head:rgba(128,128,128,.12);color:inherit;"
    "font-size:.92em;line-height:1.35}"
    "@media (prefers-color-scheme:dark){.participa-view{--pv-head:rgba(160,160,160,.18)}}"
    ".participa-view table.participa{border-collapse:collapse;margin:.25em 0 .6em;"
    "color:inherit;background:transparent}"
    ".participa-view caption{caption-side:top;text-align:left;font-weight:600;"
    "padding:.2em 0;color:inherit}"
    ".participa-view th,.participa-view td{padding:.15em .7em;text-align:left;"
    "border-bottom:1px solid var(--pv-rule);color:inherit;background:transparent}"
    ".participa-view thead th{background:var(--pv-head)}"
    ".participa-view td.num,.participa-view th.num{text-align:right;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".participa-view p{margin:.2em 0}"
    "</style>"
)
"""The one stylesheet of every participa view (no hard-coded colours)."""

UTC_OFFSETS: Final[Mapping[str, str]] = {"PEN": "-05:00"}
"""The UTC offset a round's times are shown in, by its currency, when none is asked for.

Peru has one time zone and no summer time, so a round in soles is shown in Lima time
(−05:00); rounds in other currencies are shown in UTC unless an offset is passed.
"""

_NUMERIC = re.compile(r"^(?:[^\d\s-]{1,3} )?[-+]?[\d,]+(?:\.\d+)?%?$")

_KIND_LABELS: Final[Mapping[str, str]] = {
    "approval": N_("approval"),
    "choose-1": N_("choose-1"),
    "cumulative": N_("cumulative"),
    "scoring": N_("scoring"),
    "ordinal": N_("ordinal"),
}


@checked
def ballot_kind_label(kind: object) -> str:
    """The ballot kind's name in the current language (``approval`` → ``aprobación``).

    >>> from participa.model import BallotKind
    >>> with use_language("es"):
    ...     ballot_kind_label(BallotKind.CUMULATIVE)
    'acumulativo'
    """
    value = str(getattr(kind, "value", kind))
    label = _KIND_LABELS.get(value)
    return _(label) if label is not None else value


@checked
def currency_of(code: str | None, minor_per_unit: int = 1) -> Currency:
    """A :class:`~participa.money.Currency` from a value's ``currency`` text and minor units.

    Values built before amounts knew their currency keep a free-text ``currency``
    (an ISO code such as ``"PEN"``, or a unit name); a text that is not a three-letter
    code shows amounts without a symbol.

    >>> currency_of("pen", 100).format(150)
    'S/ 1.50'
    >>> currency_of("soles").format(150)
    '150'
    """
    return Currency.of(code, minor_per_unit)


@checked
def local_time(ts: str, offset: str | timedelta | None = None, *, seconds: bool = False) -> str:
    """A canonical UTC timestamp shown in another UTC offset, to the minute.

    Dates read as people write them in the current language: ``2001-03-01`` in
    English, ``01/03/2001`` (dd/mm/aaaa) in Spanish.

    Parameters
    ----------
    ts
        A time with an offset (participa stores ``...Z``).
    offset
        ``"-05:00"``, a :class:`~datetime.timedelta`, or ``None`` for UTC.
    seconds
        Show the seconds too.

    >>> local_time("2001-03-01T15:30:00Z")
    '2001-03-01 15:30 UTC'
    >>> local_time("2001-03-01T03:00:00Z", "-05:00")
    '2001-02-28 22:00 -05:00'
    >>> with use_language("es"):
    ...     local_time("2001-03-01T03:00:00Z", "-05:00")
    '28/02/2001 22:00 -05:00'
    """
    moment = _parse_time(ts)
    pattern = ("%d/%m/%Y %H:%M" if get_language() == "es" else "%Y-%m-%d %H:%M") + (
        ":%S" if seconds else ""
    )
    if offset is None:
        return moment.astimezone(UTC).strftime(pattern) + " UTC"
    delta = offset if isinstance(offset, timedelta) else _parse_offset(offset)
    shown = moment.astimezone(timezone(delta))
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return shown.strftime(pattern) + f" {sign}{minutes // 60:02d}:{minutes % 60:02d}"


@checked
def local_date(ts: str, offset: str | timedelta | None = None) -> str:
    """The date of a timestamp in ``offset``: ``2001-12-31``, or ``31/12/2001`` in Spanish.

    >>> local_date("2002-01-01T03:00:00Z", "-05:00")
    '2001-12-31'
    """
    return local_time(ts, offset).split(" ")[0]


def _parse_time(ts: str) -> datetime:
    from participa.errors import ValidationError

    try:
        moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError(
            _("not a time with a UTC offset: {ts!r}", ts=ts),
            hint=_("write it as '2024-05-01T14:30:00Z'"),
        )
    return moment


def _parse_offset(text: str) -> timedelta:
    m = re.fullmatch(r"([+\-\u2212])(\d{2}):?(\d{2})", text.strip())
    if m is None:
        from participa.errors import ValidationError

        raise ValidationError(
            _("not a UTC offset: {offset!r}", offset=text),
            hint=_("write it as '-05:00' (Lima) or '+01:00'"),
        )
    sign = 1 if m.group(1) == "+" else -1
    return sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))


# -- building blocks ---------------------------------------------------------------------------


@checked
def view(*parts: str) -> str:
    """Wrap HTML fragments in one styled block (the stylesheet comes once, first)."""
    return f'<div class="participa-view">{STYLE}{"".join(parts)}</div>'


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or bool(_NUMERIC.match(str(value)))


@checked
def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str = "",
    wrap: bool = True,
) -> str:
    """A small, escaped HTML table: at most :data:`MAX_ROWS` rows, then how many more.

    A column whose cells are all numbers or amounts is right-aligned. ``wrap=False``
    leaves out the styled block, for views made of several tables (wrap them once with
    :func:`view`).

    >>> html_table(("a",), [(1,)], caption="<x>", wrap=False)
    '<table class="participa"><caption>&lt;x&gt;</caption><thead><tr><th class="num">a</th></tr></thead><tbody><tr><td class="num">1</td></tr></tbody></table>'
    """  # noqa: E501 - the doctest output is one line
    all_rows = list(rows)
    shown = all_rows[:MAX_ROWS]
    numeric = [
        any(str(r[k]) != "" for r in shown)
        and all(_is_number(r[k]) for r in shown if str(r[k]) != "")
        for k in range(len(header))
    ]
    num = ' class="num"'
    out = ['<table class="participa">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(
            f"<th{num if numeric[k] else ''}>{html.escape(str(h))}</th>"
            for k, h in enumerate(header)
        )
        + "</tr></thead><tbody>"
    )
    for row in shown:
        out.append(
            "<tr>"
            + "".join(
                f"<td{num if k < len(numeric) and numeric[k] else ''}>{html.escape(str(c))}</td>"
                for k, c in enumerate(row)
            )
            + "</tr>"
        )
    more = len(all_rows) - MAX_ROWS
    if more > 0:
        text = ngettext("… {n} more row", "… {n} more rows", more)
        out.append(f'<tr><td colspan="{len(header)}">{html.escape(text)}</td></tr>')
    out.append("</tbody></table>")
    table = "".join(out)
    return view(table) if wrap else table


def paragraph(text: str) -> str:
    """An escaped paragraph for a view."""
    return f"<p>{html.escape(text)}</p>"


@checked
def summary(kind: str, label: str | None, parts: Iterable[str], *, limit: int = 40) -> str:
    """A one-line, pandas-like summary: ``<Kind 'label': part, part>``.

    The label is cut at ``limit`` characters (at a word when it can).

    >>> summary("Outcome", None, ["3 selected", "S/ 10.00 spent"])
    '<Outcome: 3 selected, S/ 10.00 spent>'
    >>> summary("Project", "Mejoramiento de pistas y veredas del sector 3", [], limit=20)
    "<Project 'Mejoramiento de…'>"
    """
    head = kind
    if label:
        head += f" {_shorten(label, limit)!r}"
    body = ", ".join(p for p in parts if p)
    return f"<{head}: {body}>" if body else f"<{head}>"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def _in(lang: str | None, build: Callable[[], str]) -> str:
    with use_language(lang):
        return build()


# -- views of the core values ------------------------------------------------------------------


def voters_text(n: int) -> str:
    """``1,086 voters`` / ``1,086 votantes`` (thousands separated, singular or plural).

    >>> voters_text(1086), voters_text(1)
    ('1,086 voters', '1 voter')
    """
    return ngettext("{count} voter", "{count} voters", n, count=f"{n:,}")


def _ballots_text(n: int) -> str:
    return ngettext("{count} distinct ballot", "{count} distinct ballots", n, count=f"{n:,}")


def election_summary(e: Election) -> str:
    """``<Election 'name': PLN 411,000, 5 projects, 1,086 voters (approval)>``."""
    base = summary(
        "Election",
        e.name or None,
        [
            e.money.format(e.budget),
            ngettext("{n} project", "{n} projects", len(e.projects)),
            voters_text(e.profile.num_voters),
        ],
    )
    return base[:-1] + f" ({ballot_kind_label(e.kind)})>"


def _election_table(e: Election) -> str:
    money = e.money.format
    support = e.support()
    cap = _(
        "{name}: budget {budget}, {projects}, {voters} ({kind})",
        name=e.name or _("Election"),
        budget=money(e.budget),
        projects=ngettext("{n} project", "{n} projects", len(e.projects)),
        voters=voters_text(e.profile.num_voters),
        kind=ballot_kind_label(e.kind),
    )
    rows = (
        (p.id, p.name, money(p.cost), f"{int(support[j]):,}", p.territory or "")
        for j, p in enumerate(e.projects)
    )
    header = (_("id"), _("name"), _("cost"), _("supporters"), _("territory"))
    return html_table(header, rows, caption=cap, wrap=False)


@checked
def election_html(e: Election, *, lang: str | None = None) -> str:
    """An election as a caption (budget, voters, kind) and a table of its projects."""

    return _in(lang, lambda: view(_election_table(e)))


def outcome_summary(o: Outcome) -> str:
    """``<Outcome greedy: 4 selected, PLN 395,000 of PLN 411,000 spent>``."""
    return summary(
        f"Outcome {o.rule}",
        None,
        [
            ngettext("{n} selected", "{n} selected", len(o.selected)),
            _(
                "{spent} of {budget} spent",
                spent=o.currency.format(o.total_funding),
                budget=o.currency.format(o.budget),
            ),
        ],
    )


@checked
def outcome_html(o: Outcome, *, lang: str | None = None) -> str:
    """An outcome as a caption (rule, money spent) and one row per funded project."""

    def build() -> str:
        money = o.currency.format
        cap = _(
            "{rule}: {selected}, {spent} of {budget} spent",
            rule=o.rule,
            selected=ngettext("{n} selected", "{n} selected", len(o.selected)),
            spent=money(o.total_funding),
            budget=money(o.budget),
        )
        order = list(o.selected) + [
            p for p, f in o.funding.items() if f and p not in o.selected_set
        ]
        rows = (
            (i + 1, p, money(o.funding[p]), _("yes") if p in o.selected_set else _("partial"))
            for i, p in enumerate(order)
        )
        header = ("#", _("project"), _("funding"), _("selected"))
        return html_table(header, rows, caption=cap)

    return _in(lang, build)


def profile_summary(p: Profile) -> str:
    """``<Profile approval: 1,086 voters in 310 distinct ballots, 5 projects>``."""
    return summary(
        f"Profile {ballot_kind_label(p.kind)}",
        None,
        [
            _(
                "{voters} in {ballots}",
                voters=voters_text(p.num_voters),
                ballots=_ballots_text(p.num_groups),
            ),
            ngettext("{n} project", "{n} projects", len(p.project_ids)),
        ],
    )


@checked
def profile_html(p: Profile, *, lang: str | None = None) -> str:
    """A profile as its size and, per project, its supporters and (for points) its points."""

    def build() -> str:
        w = p.group_weight
        empty = [0] * len(p.project_ids)
        support = exact_matmul(w, p.approvals()).tolist() if p.num_groups else empty
        points = exact_matmul(w, p.matrix).tolist() if p.num_groups and p.kind.has_points else None
        header = [_("project"), _("supporters")] + ([_("points")] if points else [])
        rows = [
            [pid, f"{int(support[j]):,}"] + ([f"{int(points[j]):,}"] if points else [])
            for j, pid in enumerate(p.project_ids)
        ]
        cap = _(
            "ballots ({kind}): {voters} in {ballots}",
            kind=ballot_kind_label(p.kind),
            voters=voters_text(p.num_voters),
            ballots=_ballots_text(p.num_groups),
        )
        return html_table(header, rows, caption=cap)

    return _in(lang, build)


def project_summary(p: Project) -> str:
    """``<Project P1 'Pistas y veredas': cost=120000, territory=S3>``.

    A project does not know its currency, so its cost is shown as the stored integer of
    minor units (``cost=``), not as money; an election's views show it as money.
    """
    parts = [f"cost={p.cost}"]
    if p.territory:
        parts.append(f"territory={p.territory}")
    return summary(f"Project {p.id}", p.name or None, parts)


@checked
def project_html(p: Project, *, currency: Currency | None = None, lang: str | None = None) -> str:
    """A project's fields as a two-column table, its cost as money when ``currency`` is given."""

    def build() -> str:
        money = (currency or Currency()).format
        rows: list[tuple[str, object]] = [
            (_("id"), p.id),
            (_("name"), p.name),
            (_("cost") if currency else _("cost (minor units)"), money(p.cost)),
        ]
        if p.territory:
            rows.append((_("territory"), p.territory))
        if p.categories:
            rows.append((_("categories"), ", ".join(p.categories)))
        if p.dimension:
            rows.append((_("dimension"), p.dimension))
        if p.beneficiaries is not None:
            rows.append((_("beneficiaries"), f"{p.beneficiaries:,}"))
        rows += [(k, _brief(v)) for k, v in p.metadata.items()]
        return html_table(("", ""), rows, caption=_("Project {id}", id=p.id))

    return _in(lang, build)


def pabulib_file_summary(f: PabulibFile) -> str:
    """``<PabulibFile 'Łódź': PLN 411,000, 5 projects, 1,086 voters, 2 warnings>``."""
    e = f.election
    return summary(
        "PabulibFile",
        e.name or None,
        [
            e.money.format(e.budget),
            ngettext("{n} project", "{n} projects", len(e.projects)),
            voters_text(e.profile.num_voters),
            ngettext("{n} warning", "{n} warnings", len(f.warnings)),
        ],
    )


@checked
def pabulib_file_html(f: PabulibFile, *, lang: str | None = None) -> str:
    """The election of a read file, then the anomalies found (line, code, message)."""

    def build() -> str:
        parts = [_election_table(f.election)]
        if f.warnings:
            rows = ((w.line if w.line is not None else "", w.code, w.message) for w in f.warnings)
            parts.append(
                html_table(
                    (_("line"), _("code"), _("message")),
                    rows,
                    caption=ngettext("{n} warning", "{n} warnings", len(f.warnings)),
                    wrap=False,
                )
            )
        else:
            parts.append(paragraph(_("no anomalies found")))
        return view(*parts)

    return _in(lang, build)


def envelope_summary(env: Envelope) -> str:
    """``<Envelope: S/ 2,000,000.00, territorial S/ 1,800,000.00, 1 reserve>``."""
    money = env.money.format
    return summary(
        "Envelope",
        env.name or None,
        [
            money(env.total),
            _("territorial {amount}", amount=money(env.territorial)),
            ngettext("{n} reserve", "{n} reserves", len(env.reserves)),
        ],
    )


@checked
def envelope_html(env: Envelope, *, lang: str | None = None) -> str:
    """An envelope: where its total came from, then its reserves and the territorial part."""

    def build() -> str:
        money = env.money.format
        rows: list[tuple[str, object]] = []
        if env.fund is not None:
            rows.append((_("fund"), money(env.fund)))
        if env.share is not None:
            rows.append((_("share"), f"{float(env.share) * 100:.2f}%"))
        rows.append((_("total"), money(env.total)))
        rows += [
            (_("reserve {id} ({purpose})", id=r.id, purpose=r.purpose.value), money(r.amount))
            for r in env.reserves
        ]
        rows.append((_("territorial"), money(env.territorial)))
        return html_table(("", ""), rows, caption=env.name or _("Envelope"))

    return _in(lang, build)


# -- any attrs value ---------------------------------------------------------------------------


def _brief(value: object, limit: int = 80) -> str:
    if isinstance(value, tuple | list) and value and all(attrs.has(type(v)) for v in value):
        return f"{len(value)} × {type(value[0]).__name__}"
    text = str(dict(value)) if isinstance(value, Mapping) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@checked
def attrs_html(value: object, *, caption: str = "") -> str:
    """Any attrs value as a two-column table of its public fields (long values shortened).

    A ready-made ``_repr_html_`` for values without a dedicated view:
    ``def _repr_html_(self) -> str: return attrs_html(self)``.

    >>> from participa.model import Territory
    >>> "<caption>Territory</caption>" in attrs_html(Territory("S1"))
    True
    """
    cls = type(value)
    if not attrs.has(cls):
        from participa.errors import ValidationError

        raise ValidationError(_("attrs_html needs an attrs value, not {kind}", kind=cls.__name__))
    rows = (
        (f.name, _brief(getattr(value, f.name)))
        for f in attrs.fields(cls)
        if not f.name.startswith("_")
    )
    return html_table((_("field"), _("value")), rows, caption=caption or type(value).__name__)
