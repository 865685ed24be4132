"""Jupyter like a polished library: short reprs, HTML views that escape, stay short and
speak Spanish, one stylesheet that sets no colours, times in the round's own offset."""

from __future__ import annotations

import re
from typing import Any

import pytest

from docs_runner import ROOT, run_page
from participa import ValidationError
from participa.analysis import compare_rules, funding_gaps, satisfaction, shares
from participa.display import MAX_ROWS, STYLE, local_time, summary
from participa.examples.ves import ves_2000
from participa.i18n import use_language
from participa.io import read_pabulib, read_pabulib_text
from participa.ledger import accountability_report
from participa.model import BallotKind, Election, Profile, Project
from participa.rules import funding_diagnostics, greedy, per_head

LODZ = ROOT / "tests" / "data" / "Poland_Lodz_2020_Nr_33.pb.gz"


@pytest.fixture(scope="module")
def round_page() -> dict[str, Any]:
    namespace, _ = run_page(ROOT / "docs" / "round.md")
    return namespace


def main_values(round_page: dict[str, Any]) -> dict[str, Any]:
    pb = read_pabulib(LODZ)
    e = pb.election
    o = greedy(e)
    ves = ves_2000()
    rnd = round_page["rnd"]
    return {
        "pabulib file": pb,
        "election": e,
        "profile": e.profile,
        "project": e.projects[0],
        "outcome": o,
        "diagnostics": funding_diagnostics(e, per_head(e)),
        "envelope": ves.envelope,
        "allocation": ves.allocation,
        "shares": shares(e, o),
        "gaps": funding_gaps(e, o),
        "satisfaction": satisfaction(e, o),
        "comparison": compare_rules(e, [o, per_head(e)]),
        "round": rnd,
        "round state": rnd.state,
        "ledger": rnd.state.ledger,
        "accountability": accountability_report(rnd.state.ledger, as_of=rnd.state.now),
    }


def test_every_main_value_has_a_short_one_line_repr(round_page: dict[str, Any]) -> None:
    for name, value in main_values(round_page).items():
        text = repr(value)
        assert re.fullmatch(r"<.*>", text), (name, text)
        assert "\n" not in text, name
        assert len(text) <= 160, (name, len(text), text)
    from participa.phases import Machine

    more = {
        "spec": round_page["spec"],
        "machine": Machine(round_page["spec"]),
        "plan": round_page["plan"],
        "feasibility report": round_page["report"],
    }
    for name, value in more.items():
        text = repr(value)
        assert re.fullmatch(r"<[^\n]*>", text), (name, text)
        assert len(text) <= 160, (name, len(text), text)
    e = read_pabulib(LODZ).election
    assert len(str(e)) <= 160
    assert str(greedy(e)) == repr(greedy(e))


def test_reprs_say_what_matters() -> None:
    pb = read_pabulib(LODZ)
    e = pb.election
    assert repr(e) == (
        "<Election 'Local PB in Łódź, Widzew | Nr 33': PLN 411,000, 5 projects, "
        f"{e.profile.num_voters} voters (approval)>"
    )
    assert repr(pb).endswith("0 warnings>")
    assert repr(e.profile) == (
        f"<Profile approval: {e.profile.num_voters} voters in "
        f"{e.profile.num_groups} distinct ballots, 5 projects>"
    )
    with use_language("es"):
        assert repr(e).endswith("5 proyectos, 237 votantes (aprobación)>")


def test_every_main_value_has_an_escaped_styled_html_view(round_page: dict[str, Any]) -> None:
    for name, value in main_values(round_page).items():
        html = value._repr_html_()
        assert html.startswith('<div class="participa-view"><style>'), name
        assert html.count("<style>") == 1, name
        assert "<table" in html, name
        assert "<script" not in html.lower(), name


def test_views_escape_every_text() -> None:
    evil = "<b>x</b> & co"
    ps = [Project("a<1>", 5, name=evil, territory="<S1>")]
    e = Election(10, ps, Profile.from_ballots(BallotKind.APPROVAL, ["a<1>"], [["a<1>"]]), name=evil)
    o = greedy(e)
    for value in (e, e.profile, ps[0], o, shares(e, o), funding_gaps(e, o)):
        html = value._repr_html_()
        assert not re.search(r"<b>|<1>|<S1>", html), type(value)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in e._repr_html_()


def test_views_stay_short_on_large_elections() -> None:
    n = 500
    ids = [f"P{j:03d}" for j in range(n)]
    ps = [Project(pid, 10 + j) for j, pid in enumerate(ids)]
    e = Election(1_000, ps, Profile.from_ballots(BallotKind.APPROVAL, ids, [ids[:3], ids[2:9]]))
    html = e._repr_html_()
    assert html.count("<tr>") == 1 + MAX_ROWS + 1  # header, rows, "… more rows"
    assert f"… {n - MAX_ROWS} more rows" in html
    assert len(html) < 20_000
    assert len(e.profile._repr_html_()) < 20_000
    assert len(repr(e)) < 120


def test_pabulib_file_profile_project_envelope_have_views() -> None:
    text = (
        "META\nbudget;500\nvote_type;approval\ncurrency;PLN\nnum_votes;3\nPROJECTS\n"
        "project_id;cost;name\np1;300;Park\np2;200;Road\nVOTES\nvoter_id;vote\n1;p1\n2;p1,p2\n"
    )
    pb = read_pabulib_text(text, file="tiny.pb")
    html = pb._repr_html_()
    assert "PLN 300" in html
    assert "num-votes" in html  # the anomaly is listed with its line
    prof = pb.election.profile._repr_html_()
    assert re.search(r"<td>p1</td><td class=\"num\">2</td>", prof)
    proj = pb.election.projects[0]._repr_html_()
    assert "<td>Park</td>" in proj
    assert "S/ 2,000,000.00" in ves_2000().envelope._repr_html_()


def test_views_in_spanish(round_page: dict[str, Any]) -> None:
    e = read_pabulib(LODZ).election
    o = greedy(e)
    from participa.display import election_html, outcome_html

    assert "presupuesto PLN 411,000" in election_html(e, lang="es")
    assert e.to_html(lang="es") == election_html(e, lang="es")
    assert "asignados" in o.to_html(lang="es")
    assert "cédulas" in e.profile.to_html(lang="es")
    assert "no se encontraron anomalías" in read_pabulib(LODZ).to_html(lang="es")
    assert "territorial" in ves_2000().envelope.to_html(lang="es")
    assert "reglas comparadas" in compare_rules(e, [o]).to_html(lang="es")
    assert "asignados" in outcome_html(o, lang="es")
    assert "spent" in outcome_html(o, lang="en")
    d = funding_diagnostics(e, per_head(e))
    assert "financiados por completo" in d.table(lang="es")
    assert "fully funded" in d.table(lang="en")
    rnd = round_page["rnd"]
    assert "Registro de eventos" in rnd.to_html(lang="es")
    assert "techo presupuestal" in rnd.state.to_html(lang="es")
    with use_language("es"):
        assert (
            "Rendición de cuentas"
            in accountability_report(rnd.state.ledger, as_of=rnd.state.now).to_text()
        )
        assert "regla" in compare_rules(e, [o])._repr_html_()


def test_round_times_in_the_rounds_own_offset(round_page: dict[str, Any]) -> None:
    rnd = round_page["rnd"]
    html = rnd._repr_html_()
    # the round started at 2001-01-15T10:00:00-05:00 (Lima); it is shown as such, not in UTC
    assert "2001-01-15 10:00 -05:00" in html
    assert "15:00" not in html.split("2001-01-15", 1)[1][:20]
    assert "2001-01-15 15:00 +00:00" in rnd.to_html(utc_offset="+00:00")
    assert "15/01/2001 10:00 -05:00" in rnd.to_html(lang="es")
    with pytest.raises(ValidationError, match="UTC offset"):
        rnd.to_html(utc_offset="Lima")


def test_local_time_and_summary() -> None:
    assert local_time("2001-01-01T02:30:00Z", "-05:00") == "2000-12-31 21:30 -05:00"
    assert local_time("2001-01-01T02:30:00Z", "+05:30") == "2001-01-01 08:00 +05:30"
    assert summary("X", "a " * 40, ["1"]).startswith("<X 'a a a")
    assert len(summary("X", "word " * 40, [])) < 60


def test_stylesheet_follows_the_theme() -> None:
    assert "prefers-color-scheme:dark" in STYLE
    assert "--jp-" in STYLE
    assert "--vscode-" in STYLE
    # no hard-coded text or background colour: text inherits, shading is translucent grey
    assert not re.search(r"(?<![-\w])(color|background):\s*#", STYLE)
    assert not re.search(r"#000|#fff|\b(black|white)\b(?!-)", STYLE.lower())


def test_offsets_are_checked() -> None:
    assert local_time("2001-01-01T12:00:00Z", "\u221205:00") == "2001-01-01 07:00 -05:00"
    assert local_time("2001-01-01T12:00:00Z", "+0530") == "2001-01-01 17:30 +05:30"
    for bad in ("*05:00", "Lima", "05:00", ",05:00"):
        with pytest.raises(ValidationError, match="not a UTC offset"):
            local_time("2001-01-01T12:00:00Z", bad)


def test_reports_in_spanish_with_money(round_page: dict[str, Any]) -> None:
    import attrs

    from participa.money import Currency

    report = attrs.evolve(round_page["report"], currency=Currency("PEN", 100))
    es = report.to_text(lang="es")
    assert "dictamen" in es
    assert "viables" in es
    assert "S/ " in es
    assert "verdict" in report.to_text(lang="en")
    assert "motivos" in report.to_html(lang="es")
    assert "S/ " in report._repr_html_()
    assert repr(report).startswith("<FeasibilityReport: ")
    alloc = ves_2000().allocation
    assert "cuota" in alloc.table(lang="es")
    assert "quota" in alloc.table(lang="en")
    assert "territorio" in alloc.to_html(lang="es")


def test_ranking_in_spanish() -> None:
    namespace, _ = run_page(ROOT / "docs" / "feasibility.md")
    ranking = namespace["ranking"]
    assert "puesto" in ranking.to_text(lang="es")
    assert "en orden de prioridad" in ranking.to_html(lang="es")
    assert "rank" in ranking.to_text(lang="en")
    assert repr(ranking).startswith("<Ranking ")


def test_columns_align_as_a_whole() -> None:
    from participa.display import html_table

    html = html_table(("id", "cost"), [("12", "S/ 1,000.00"), ("a3", "S/ 5.50")], wrap=False)
    assert "<th>id</th>" in html
    assert '<th class="num">cost</th>' in html
    assert "<td>12</td>" in html  # a numeric-looking id in a column of ids stays left
    assert html.count('<td class="num">') == 2
