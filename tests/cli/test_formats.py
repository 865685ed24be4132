"""Tables out of the command line: --format text|json|csv|markdown, --json, --lang es."""

from __future__ import annotations

import csv
import io
import json

import pytest

from participa import datasets
from participa.cli import main
from participa.rules.registry import run_rule

LODZ = "dataset:lodz-2020-33"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(list(argv), out=out)
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.getvalue()


def test_tally_text_has_a_summary_line_and_headers() -> None:
    code, text = run("tally", LODZ, "--rule", "greedy", "--lang", "en")
    assert code == 0
    lines = text.splitlines()
    e = datasets.load("lodz-2020-33")
    outcome = run_rule("greedy", e)
    assert lines[0] == (
        f"greedy: {len(outcome.selected)} selected, {e.money.format(outcome.total_funding)} of "
        f"{e.money.format(e.budget)} spent"
    )
    assert lines[1].split() == ["rank", "id", "name", "votes", "cost", "funding", "selected"]
    assert set(lines[2]) <= {"-", " "}
    body = lines[3:]
    assert len(body) == len(e.projects)
    # ranked by votes: the first row is the most supported project, with its money shown
    top = max(range(len(e.projects)), key=lambda j: (int(e.support()[j]), -j))
    assert body[0].split()[:2] == ["1", e.projects[top].id]
    assert e.money.format(e.projects[top].cost) in body[0]


def test_tally_csv_is_a_per_project_table_in_minor_units() -> None:
    code, text = run("tally", "dataset:ves-2000", "--rule", "mes", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    e = datasets.load("ves-2000")
    outcome = run_rule("mes", e)
    assert {r["id"] for r in rows} == set(e.project_ids)
    assert sum(int(r["funding"]) for r in rows) == outcome.total_funding
    assert {r["id"] for r in rows if r["selected"] == "1"} == set(outcome.selected)
    costs = {p.id: p.cost for p in e.projects}
    assert all(int(r["cost"]) == costs[r["id"]] for r in rows)  # céntimos, not soles
    votes = [int(r["votes"]) for r in rows]
    assert votes == sorted(votes, reverse=True)
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))


def test_tally_spanish_csv_has_spanish_headers() -> None:
    code, text = run("tally", LODZ, "--lang", "es", "--format", "csv", "--rule", "greedy")
    assert code == 0
    header = next(csv.reader(io.StringIO(text)))
    assert header == [
        "puesto",
        "id",
        "nombre",
        "votos",
        "costo",
        "financiamiento",
        "seleccionado",
    ]
    _code_en, text_en = run("tally", LODZ, "--lang", "en", "--format", "csv", "--rule", "greedy")
    assert text.splitlines()[1:] == text_en.splitlines()[1:]  # same numbers, other headers


def test_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTICIPA_LANG", "es")
    _code, text = run("tally", LODZ, "--rule", "greedy")
    assert "seleccionados" in text.splitlines()[0]
    assert "puesto" in text.splitlines()[1]
    _code, text = run("tally", LODZ, "--rule", "greedy", "--lang", "en")  # the flag wins
    assert "selected" in text.splitlines()[0]


def test_json_alias_and_format_json_agree() -> None:
    _c1, a = run("tally", LODZ, "--rule", "mes", "--json")
    _c2, b = run("tally", LODZ, "--rule", "mes", "--format", "json")
    assert a == b
    doc = json.loads(a)
    assert set(doc) >= {"selected", "funding", "total_cost", "budget", "projects"}
    assert sum(r["funding"] for r in doc["projects"]) == sum(doc["funding"].values())


def test_markdown_table() -> None:
    code, text = run("tally", LODZ, "--rule", "greedy", "--format", "markdown")
    assert code == 0
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0] == "| rank | id | name | votes | cost | funding | selected |"
    assert table[1].count("---") == 7
    assert len(table) == 2 + len(datasets.load("lodz-2020-33").projects)
    assert "PLN" in table[2]


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "markdown"])
def test_info_compare_rules_datasets_take_every_format(fmt: str) -> None:
    for argv in (
        ("info", LODZ),
        ("compare", LODZ),
        ("rules",),
        ("datasets",),
    ):
        code, text = run(*argv, "--format", fmt)
        assert code == 0, argv
        assert text.strip(), argv
        if fmt == "json":
            json.loads(text)
        if fmt == "csv" and argv[0] != "info":
            rows = list(csv.reader(io.StringIO(text)))
            assert len({len(r) for r in rows}) == 1, argv  # rectangular


def test_info_json_keeps_its_summary_fields() -> None:
    _code, text = run("info", "dataset:zurich-s5d10", "--json")
    doc = json.loads(text)
    assert doc["vote_type"] == "cumulative"
    assert doc["projects"] == 24
    assert doc["voters"] == 180


def test_info_dates_follow_the_language() -> None:
    e = datasets.load("lodz-2020-33")
    day, month, year = e.meta["date_begin"].split(".")  # the file writes 06.11.2020
    _c, es = run("info", LODZ, "--lang", "es")
    _c, en = run("info", LODZ, "--lang", "en")
    assert f"{int(day):02d}/{int(month):02d}/{year}" in es  # dd/mm/aaaa
    assert f"{year}-{int(month):02d}-{int(day):02d}" in en  # ISO 8601
    assert "presupuesto" in es
    assert "budget" in en


def test_compare_matches_each_rule_run_alone() -> None:
    code, text = run("compare", LODZ, "--rules", "greedy,mes,per-head", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    e = datasets.load("lodz-2020-33")
    for rule in ("greedy", "mes", "per-head"):
        outcome = run_rule(rule, e)
        assert {r["id"]: int(r[rule]) for r in rows} == {
            p: int(outcome.funding.get(p, 0)) for p in e.project_ids
        }


def test_compare_skips_rules_that_do_not_apply_by_default() -> None:
    # phragmen does not take cumulative ballots: the default set leaves it out with a note
    code, text = run("compare", "dataset:zurich-s5d10", "--format", "csv")
    assert code == 0
    header = next(csv.reader(io.StringIO(text)))
    assert "greedy" in header
    assert "phragmen" not in header


def test_unspent_equal_shares_names_the_completion(capsys: pytest.CaptureFixture[str]) -> None:
    code, _text = run("tally", "dataset:toulouse-2022-1", "--rule", "mes")
    assert code == 0
    err = capsys.readouterr().err
    assert "--completion add1" in err
    outcome = run_rule("mes", datasets.load("toulouse-2022-1"))
    assert outcome.leftover * 4 > outcome.budget  # the note is true
    code, _text = run("tally", "dataset:toulouse-2022-1", "--rule", "mes", "--completion", "none")
    assert "--completion add1" not in capsys.readouterr().err  # asked for none: no nagging
    code, _text = run("tally", LODZ, "--rule", "greedy")
    assert capsys.readouterr().err == ""


def test_plot_writes_a_picture(tmp_path: object) -> None:
    pytest.importorskip("matplotlib")
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    target = tmp_path / "funding.png"
    code, _text = run("tally", LODZ, "--rule", "per-head", "--plot", str(target))
    assert code == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target2 = tmp_path / "rules.png"
    code, _text = run("compare", LODZ, "--plot", str(target2))
    assert code == 0
    assert target2.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _text = run("tally", LODZ, "--rule", "greedy", "--plot", f"{tmp_path}/x.png")
    assert code == 2
    err = capsys.readouterr().err
    assert "matplotlib" in err
    assert "participa[plot]" in err


def test_explain_stays_out_of_machine_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run("tally", LODZ, "--rule", "greedy", "--format", "csv", "--explain")
    assert code == 0
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + len(datasets.load("lodz-2020-33").projects)
    assert capsys.readouterr().err.strip()  # the trace went to stderr
    _code, text = run("tally", LODZ, "--rule", "greedy", "--explain")
    assert len(text.splitlines()) > 3 + len(datasets.load("lodz-2020-33").projects)


def test_replay_table_formats(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    data = Path(__file__).parents[1] / "data"
    for name in ("Poland_Lodz_2020_Nr_33.pb.gz", "Worldwide_Mechanical_Turk_Knapsack_8.pb.gz"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    code, text = run("replay", str(tmp_path), "--format", "csv", "--lang", "es")
    assert code == 0
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["archivo", "regla declarada", "estado"]
    assert {r[0] for r in rows[1:]} == {p.name for p in tmp_path.iterdir()}


def test_lang_before_the_command() -> None:
    code, text = run("--lang", "es", "info", LODZ)
    assert code == 0
    assert "presupuesto" in text
