"""CSV tables in and out: round trips on the corpus, long and wide ballots, errors with lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from participa import ParseError
from participa.cli import main
from participa.io import load_election
from participa.io.csv import read_csv_election, read_csv_folder, write_csv_folder
from participa.model import BallotKind

DATA = Path(__file__).parents[1] / "data"
FILES = sorted(DATA.glob("*.pb.gz"))


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        main(list(argv), out=out)
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.getvalue()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:-6])
def test_pabulib_to_csv_and_back_is_exact(path: Path, tmp_path: Path) -> None:
    e = load_election(path)
    assert read_csv_folder(write_csv_folder(e, tmp_path)) == e


def test_convert_round_trip_through_the_cli(tmp_path: Path) -> None:
    source = DATA / "Switzerland_Zurich_S5D10.pb.gz"  # cumulative, with 0-point entries
    code, text = run("convert", str(source), str(tmp_path / "csv"))
    assert code == 0
    assert "24" in text
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "meta.csv",
        "projects.csv",
        "votes.csv",
    ]
    code, _text = run("convert", str(tmp_path / "csv"), str(tmp_path / "back.pb.gz"))
    assert code == 0
    assert load_election(tmp_path / "back.pb.gz") == load_election(source)
    # a CSV folder is a source like any other
    _c, from_csv = run("tally", str(tmp_path / "csv"), "--rule", "greedy", "--format", "csv")
    _c, from_pb = run("tally", str(source), "--rule", "greedy", "--format", "csv")
    assert from_csv == from_pb


def test_convert_refuses_csv_options_on_pabulib_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _text = run("convert", "dataset:lodz-2020-33", str(tmp_path / "x"), "--budget", "5")
    assert code == 2
    assert "--budget" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def _write(folder: Path, **tables: str) -> Path:
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


PROJECTS = "id,name,cost,district\nP1,Pistas y veredas,1200.50,S3\nP2,Losa deportiva,800,S3\n"


def test_long_and_wide_ballots_give_the_same_election(tmp_path: Path) -> None:
    long = _write(tmp_path, projects=PROJECTS, votes="voter,project\nv1,P1\nv1,P2\nv2,P1\nv3,\n")
    e_long = read_csv_election(long / "projects.csv", long / "votes.csv", budget="1500")
    (tmp_path / "wide.csv").write_text("voter_id,P1,P2\nv1,1,1\nv2,x,\nv3,,0\n")
    e_wide = read_csv_election(long / "projects.csv", tmp_path / "wide.csv", budget="1500")
    assert e_long == e_wide
    assert e_long.support().tolist() == [2, 1]
    assert e_long.profile.num_voters == 3  # v3 voted for nothing, and is counted
    assert e_long.minor_per_unit == 100  # decimals in the costs: céntimos
    assert e_long.projects[0].cost == 120050
    assert e_long.projects[0].territory == "S3"


def test_points_ranks_semicolons_and_voter_columns(tmp_path: Path) -> None:
    _write(
        tmp_path,
        projects="project_id;cost\nA;10\nB;20\nC;30\n",
        votes="voter_id;project_id;points;age\n1;A;3;30\n1;B;2;30\n2;C;5;41\n",
        meta="key,value\nbudget,40\nvote_type,cumulative\ncurrency,PEN\nmax_sum_points,5\n",
    )
    e = read_csv_folder(tmp_path)
    assert e.kind is BallotKind.CUMULATIVE
    assert e.total_points().tolist() == [3, 2, 5]
    assert e.constraints.max_sum_points == 5
    assert e.profile.voters is not None
    assert e.profile.voters.columns["age"] == ("30", "41")
    assert e.money.format(e.budget) == "S/ 40"
    ordinal = tmp_path / "ordinal.csv"
    ordinal.write_text("voter,project,rank\n1,C,1\n1,A,2\n2,B,1\n")
    o = read_csv_election(tmp_path / "projects.csv", ordinal, budget="40", vote_type="ordinal")
    assert o.profile.ballot(0) in {("C", "A"), ("B",)}
    assert sorted(o.profile.ballot(g) for g in range(o.profile.num_groups)) == [("B",), ("C", "A")]


@pytest.mark.parametrize(
    ("tables", "where", "needle"),
    [
        ({"projects": "id,name\nP1,x\n"}, "projects.csv:1", "'cost'"),
        ({"projects": "id,cost\nP1,12,5\n"}, "projects.csv:2", "3 cells"),
        ({"projects": "id,cost\nP1,1.000,5\n".replace(",5", "")}, None, None),
        ({"projects": "id,cost\nP1,10\nP1,20\n"}, "projects.csv:3", "duplicate project id"),
        ({"projects": "id,cost\nP1,1 200\n"}, "projects.csv:2", "not an amount"),
        ({"projects": "id,cost\nP1,-5\n"}, "projects.csv:2", "negative"),
        ({"votes": "voter,project\nv1,P1\nv2,P9\n"}, "votes.csv:3", "unknown project 'P9'"),
        ({"votes": "voter,project\nv1,P1\nv1,P1\n"}, "votes.csv:3", "twice"),
        (
            {"votes": "voter,project,age\nv1,P1,30\nv1,P2,31\n"},
            "votes.csv:3",
            "differs from line 2",
        ),
        ({"votes": "voter_id,P1,P3\nv1,1,1\n"}, "votes.csv:1", "'P3' is not a project id"),
        ({"votes": "voter_id,P1,P2\nv1,2,\n"}, "votes.csv:2", "1 or nothing"),
        ({"votes": "voter_id,P1,P2\nv1,1,\nv1,,1\n"}, "votes.csv:3", "duplicate voter id"),
        ({"meta": "key,value\nvote_type,approval\n"}, None, "no budget"),
        ({"meta": "key,value\nbudget,100\nvote_type,approvals\n"}, "meta.csv:3", "vote_type"),
    ],
)
def test_errors_name_the_file_and_line(
    tmp_path: Path, tables: dict[str, str], where: str | None, needle: str | None
) -> None:
    base = {
        "projects": "id,cost\nP1,10\nP2,20\n",
        "votes": "voter,project\nv1,P1\n",
        "meta": "key,value\nbudget,100\n",
    }
    base.update(tables)
    _write(tmp_path, **base)
    if needle is None:  # a valid variant: 1.000 is one unit, read exactly
        assert read_csv_folder(tmp_path).projects[0].cost == 1
        return
    with pytest.raises(ParseError) as exc:
        read_csv_folder(tmp_path)
    text = str(exc.value)
    assert needle in text
    if where is not None:
        assert where in text


def test_a_folder_without_votes_is_refused_with_a_hint(tmp_path: Path) -> None:
    _write(tmp_path, projects="id,cost\nP1,10\n")
    with pytest.raises(ParseError, match=r"no votes\.csv .*projects\.csv and votes\.csv"):
        read_csv_folder(tmp_path)


def test_written_files_are_complete_or_absent(tmp_path: Path) -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    write_csv_folder(e, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meta.csv", "projects.csv", "votes.csv"]
    votes = (tmp_path / "votes.csv").read_text().splitlines()
    assert votes[0].startswith("voter_id,project_id,")  # then the file's voter columns
    assert len(votes) - 1 == int(e.support().sum())  # one row per (voter, project)
