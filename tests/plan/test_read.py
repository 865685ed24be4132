"""Reading a plan from CSV: one row per objective, errors with file, line and hint."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from participa import ParseError
from participa.plan import parse_plan_csv, read_plan_csv

GOOD = """\
dimension;dimension_name;strategic;strategic_name;strategic_sectors;objective;objective_name;weight;indicator;indicator_name;unit;baseline;target;year
D1;Economic;OE1;Youth jobs;employment;OE1.1;Youth trained;2;I1.1;trained;people;0;1500;2010
D1;Economic;OE1;;;OE1.1;;;I1.2;new small firms;firms;12;60;
D3;Urban;OE3;Safe, lit streets;roads|lighting;OE3.1;Streets lit;1.5;I3.1;streets lit;%;40;90;2008
D5;Political-institutional;;;;;;;;;;;;
"""


def test_reads_semicolon_csv_with_repeated_objective_rows() -> None:
    plan = parse_plan_csv(GOOD, name="PDI", vision="v", period="2004-2015")
    assert [d.id for d in plan.dimensions] == ["D1", "D3", "D5"]
    assert plan.dimension("D5").name == "Political-institutional"
    assert [s.id for s in plan.strategic] == ["OE1", "OE3"]
    assert plan.strategic_objective("OE3").sectors == ("roads", "lighting")
    o = plan.objective("OE1.1")
    assert o.weight == 2
    assert [i.id for i in o.indicators] == ["I1.1", "I1.2"]
    assert o.indicators[0].year == 2010
    assert o.indicators[1].year is None
    assert plan.objective("OE3.1").weight == Fraction(3, 2)
    assert plan.objective("OE3.1").indicators[0].baseline == 40
    assert (plan.name, plan.vision, plan.period) == ("PDI", "v", "2004-2015")


def test_reads_comma_csv_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "pdi.csv"
    path.write_text(
        '\ufeffdimension,strategic,objective,objective_name\nD1,OE1,OE1.1,"Trained, young"\n',
        encoding="utf-8",
    )
    plan = read_plan_csv(path)
    assert plan.name == "pdi"
    assert plan.objective("OE1.1").name == "Trained, young"


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as err:
        parse_plan_csv(text, file="pdi.csv")
    return err.value


@pytest.mark.parametrize(
    ("text", "line", "message", "hint"),
    [
        ("dimension,objetive\nD1,OE1.1\n", 1, "unknown columns: 'objetive'", "the columns are"),
        ("strategic,objective\nOE1,OE1.1\n", 1, "no dimension column", "the columns are"),
        ("", 1, "empty", None),
        ("dimension,strategic\n,OE1\n", 2, "the row has no dimension", "fill the dimension"),
        ("dimension,objective\nD1,OE1.1\n", 2, "has no strategic objective", "strategic column"),
        (
            "dimension,strategic,objective,indicator,baseline\nD1,OE1,OE1.1,I1,3\n",
            2,
            "indicator 'I1' has no target",
            "baseline and a target",
        ),
        (
            "dimension,strategic,objective,indicator,baseline,target\nD1,OE1,OE1.1,I1,many,3\n",
            2,
            "baseline is not a number: 'many'",
            "decimal",
        ),
        (
            "dimension,strategic,strategic_name\nD1,OE1,Jobs\nD2,OE1,Jobs\n",
            3,
            "'OE1': dimension is 'D2' here but 'D1' on line 2",
            "same value",
        ),
        ("dimension,strategic,weight\nD1,OE1,2\n", 2, "weight cell needs an objective", None),
        ("dimension,dimension\nD1,D1\n", 1, "columns given twice: dimension", None),
        ("dimension,strategic\nD1,OE1,extra\n", 2, "the row has 3 cells", None),
        (
            "dimension,strategic,objective,indicator,baseline,target\n"
            "D1,OE1,OE1.1,I1,1,2\nD1,OE1,OE1.2,I1,1,2\n",
            3,
            "indicator 'I1' is given twice (first on line 2)",
            None,
        ),
        (
            "dimension,strategic,objective,indicator,baseline,target,year\n"
            "D1,OE1,OE1.1,I1,1,2,soon\n",
            2,
            "year is not a whole number",
            None,
        ),
    ],
)
def test_errors_name_file_line_and_hint(
    text: str, line: int, message: str, hint: str | None
) -> None:
    err = _error(text)
    assert err.file == "pdi.csv"
    assert err.line == line
    assert message in err.message
    if hint is not None:
        assert err.hint is not None
        assert hint in err.hint
    assert str(err).startswith(f"pdi.csv:{line}: ")


def test_plan_level_faults_become_parse_errors() -> None:
    err = _error("dimension,strategic,objective\nD1,OE1,OE1\n")
    assert err.file == "pdi.csv"
    assert "'OE1' is used twice" in err.message


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read the plan"):
        read_plan_csv(tmp_path / "nope.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("dimension\nDesarrollo econ\xf3mico\n".encode("latin-1"))
    with pytest.raises(ParseError, match="UTF-8"):
        read_plan_csv(bad)


def test_a_decimal_comma_is_refused_not_misread() -> None:
    err = _error("dimension;strategic;objective;indicator;baseline;target\nD1;OE1;OE1.1;I1;1,5;3\n")
    assert err.line == 2
    assert "baseline is not a number: '1,5'" in err.message
    assert err.hint is not None
    assert "point" in err.hint
