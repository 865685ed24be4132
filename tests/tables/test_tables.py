"""participa.tables and the to_rows / to_csv / to_frame methods of the values that have them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from fractions import Fraction

import pytest

from participa import datasets
from participa.examples.ves import ves_2000
from participa.feasibility import CostPositive, peru_matrix, review
from participa.i18n import use_language
from participa.ledger import Ledger
from participa.model import Project
from participa.money import Currency
from participa.rules import equal_shares, greedy
from participa.tables import FORMATS, Table, comparison_table, table


def test_election_rows_are_typed_and_match_the_model() -> None:
    e = datasets.load("ves-2000")
    rows = e.to_rows()
    assert rows[0] == ("id", "name", "cost", "votes", "territory")
    assert [r[0] for r in rows[1:]] == list(e.project_ids)
    assert [r[2] for r in rows[1:]] == [p.cost for p in e.projects]  # int céntimos
    assert [r[3] for r in rows[1:]] == e.support().tolist()
    assert all(isinstance(r[2], int) for r in rows[1:])


def test_outcome_rows_sum_to_its_funding_and_never_exceed_the_budget() -> None:
    e = datasets.load("toulouse-2022-1")
    o = equal_shares(e, completion="add1")
    rows = o.to_rows(e)
    assert rows[0] == ("rank", "id", "name", "votes", "cost", "funding", "selected")
    body = rows[1:]
    assert sum(r[5] for r in body) == o.total_funding <= e.budget
    assert {r[1] for r in body if r[6]} == set(o.selected)
    # without the election, the outcome still tabulates what it knows
    assert o.to_rows()[0] == ("id", "funding", "selected")
    assert {r[0]: r[1] for r in o.to_rows()[1:]} == dict(o.funding)


def test_csv_round_trips_through_the_csv_module() -> None:
    e = datasets.load("lodz-2020-33")
    o = greedy(e)
    parsed = list(csv.reader(io.StringIO(o.to_csv(e))))
    rows = o.to_rows(e)
    assert parsed[0] == list(rows[0])
    for got, want in zip(parsed[1:], rows[1:], strict=True):
        assert got == [str(int(v)) if isinstance(v, bool) else str(v) for v in want]


def test_text_markdown_and_json_show_money_as_money() -> None:
    e = datasets.load("ves-2000")
    t = table(greedy(e), election=e)
    text = t.to_text()
    assert "S/ 95,000.00" in text
    assert "9500000" not in text
    md = t.to_markdown()
    assert "| S/ 95,000.00 |" in md
    doc = json.loads(t.to_json())
    assert doc["rows"][0]["cost"] == 9_500_000  # JSON keeps minor units
    for fmt in FORMATS:
        assert t.render(fmt)


def test_headers_follow_the_language() -> None:
    e = datasets.load("lodz-2020-33")
    t = table(greedy(e), election=e)
    with use_language("es"):
        assert t.header() == (
            "puesto",
            "id",
            "nombre",
            "votos",
            "costo",
            "financiamiento",
            "seleccionado",
        )
        assert "sí" in t.to_text()
    assert t.render("csv", lang="es").startswith("puesto,")
    assert t.keys == ("rank", "id", "name", "votes", "cost", "funding", "selected")


def test_allocation_report_ranking_ledger_tables() -> None:
    ex = ves_2000()
    rows = ex.allocation.to_rows()
    assert rows[0] == ("territory", "name", "quota", "bound", "amount")
    assert sum(r[4] for r in rows[1:]) == ex.envelope.total
    assert all(isinstance(r[2], Fraction) for r in rows[1:])  # exact quotas

    report = review([Project("A", 10), Project("B", 0)], [CostPositive()])
    rrows = report.to_rows()
    assert rrows[0] == ("id", "name", "cost", "verdict", "eligible", "reasons")
    assert {r[0]: r[4] for r in rrows[1:]} == {"A": "A" in report.eligible, "B": False}

    ranking = peru_matrix().rank(
        [Project("A", 1), Project("B", 1)],
        raw={
            "A": {"poverty": "0.5", "coverage": 10, "nearness": 5, "rurality": 0, "technical": 30},
            "B": {"poverty": "0.9", "coverage": 0, "nearness": 0, "rurality": 10, "technical": 15},
        },
    )
    krows = ranking.to_rows()
    assert krows[0][:3] == ("rank", "id", "score")
    assert [(r[0], r[1], r[2]) for r in krows[1:]] == [
        (1, "A", Fraction(13, 20)),
        (2, "B", Fraction(61, 100)),
    ]
    assert "0.6500" in table(ranking).to_text()

    led = Ledger().promise("P1", 1000, territory="S1", at="2005-01-10T10:00:00-05:00")
    led = led.commit("P1", 600, at="2005-02-01T10:00:00-05:00").spend(
        "P1", 250, at="2005-03-01T10:00:00-05:00"
    )
    lrows = led.to_rows()
    assert lrows[1] == ("P1", "S1", 1000, 600, 250)
    assert "S/ 2.50" in table(led, currency=Currency("PEN", 100)).to_text()
    assert led.to_csv().splitlines()[1] == "P1,S1,1000,600,250"


def test_comparison_and_bad_input() -> None:
    e = datasets.load("lodz-2020-33")
    t = comparison_table(e, [greedy(e), greedy(e, utility="count")])
    assert t.keys[-2:] == ("greedy", "greedy-2")  # two runs of one rule stay apart
    with pytest.raises(ValueError, match="cannot make a table"):
        table(object())
    with pytest.raises(ValueError, match="3 cells"):
        Table((), [("a", "b", "c")])
    with pytest.raises(ValueError, match="unknown format"):
        t.render("xlsx")


def test_to_frame_with_pandas() -> None:
    pd = pytest.importorskip("pandas")
    e = datasets.load("ves-2000")
    frame = greedy(e).to_frame(e)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["rank", "id", "name", "votes", "cost", "funding", "selected"]
    assert int(frame["funding"].sum()) == greedy(e).total_funding
    assert len(e.to_frame()) == len(e.projects)


def test_to_frame_without_pandas_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None\n"
        "from participa import datasets\n"
        "try:\n"
        "    datasets.load('lodz-2020-33').to_frame()\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "pip install participa[pandas]" in proc.stdout
