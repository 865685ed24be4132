"""The pabulib reader and writer: corpus round trips, an oracle, errors with line numbers."""

from __future__ import annotations

import csv
import gzip
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa.errors import ParseError, ValidationError
from participa.io import (
    AnomalyWarning,
    FileWarning,
    PabulibFile,
    load_election,
    read_pabulib,
    read_pabulib_text,
    write_pabulib,
    write_pabulib_file,
)
from participa.io.pabulib import (
    PROJECT_COLUMNS_KEY,
    Anomalies,
    _ballots_fast,
    _ballots_slow,
    _Reader,
)
from participa.model import BallotConstraints, BallotKind, Election, Profile, Project

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = sorted(DATA.glob("*.pb.gz"))


# -- an independent, obviously-correct raw reader (no participa code) -----------------------------


def raw_sections(text: str) -> dict[str, Any]:
    """META as a dict, PROJECTS and VOTES as lists of row dicts, straight from the text."""
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    out: dict[str, Any] = {"META": {}, "PROJECTS": [], "VOTES": []}
    section = None
    header: list[str] = []
    for ln in lines:
        if ln.strip() in out:
            section, header = ln.strip(), []
            continue
        row = next(csv.reader([ln], delimiter=";"))
        if section == "META":
            if row != ["key", "value"]:
                out["META"][row[0]] = row[1]
        elif not header:
            header = row
            out[section + "_header"] = row
        else:
            out[section].append(dict(zip(header, row, strict=True)))
    return out


def ballot_of(row: dict[str, str], kind: str) -> Any:
    """A voter's ballot in the form that carries its meaning for the vote type."""
    ids = row["vote"].split(",") if row["vote"] else []
    if kind in ("cumulative", "scoring"):
        pts = row["points"].split(",") if row["points"] else []
        return dict(zip(ids, (int(p) for p in pts), strict=True))
    if kind == "ordinal":
        return ids
    return frozenset(ids)


def assert_same_data(original: str, written: str) -> None:
    a, b = raw_sections(original), raw_sections(written)
    synth = set(b["META"].get("participa:synthesized", "").split(",")) - {""}
    for key, value in a["META"].items():
        if key == "budget":
            assert Decimal(b["META"][key]) == Decimal(value)
        else:
            assert b["META"][key] == value, key
    assert set(b["META"]) - set(a["META"]) <= synth | {
        "participa:synthesized",
        "participa:minor_per_unit",
    }
    assert a["PROJECTS_header"] == b["PROJECTS_header"]
    assert len(a["PROJECTS"]) == len(b["PROJECTS"])
    for pa, pb in zip(a["PROJECTS"], b["PROJECTS"], strict=True):
        assert Decimal(pa.pop("cost")) == Decimal(pb.pop("cost"))
        assert pa == pb
    assert a["VOTES_header"] == b["VOTES_header"]
    kind = a["META"]["vote_type"]
    assert len(a["VOTES"]) == len(b["VOTES"])
    for va, vb in zip(a["VOTES"], b["VOTES"], strict=True):
        assert ballot_of(va, kind) == ballot_of(vb, kind), va["voter_id"]
        for col in ("vote", "points"):
            if kind in ("cumulative", "scoring") or col == "vote":
                va.pop(col), vb.pop(col)
        assert va == vb


# -- the corpus ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:40])
def test_corpus_round_trip(path: Path) -> None:
    pb = read_pabulib(path)
    e = pb.election
    text = write_pabulib(e)
    assert read_pabulib_text(text).election == e
    assert_same_data(gzip.decompress(path.read_bytes()).decode("utf-8-sig"), text)
    # facts straight from the file
    raw = raw_sections(gzip.decompress(path.read_bytes()).decode("utf-8-sig"))
    assert e.name == raw["META"]["description"]
    assert e.project_ids == tuple(p["project_id"] for p in raw["PROJECTS"])
    assert e.profile.voters is not None
    assert e.profile.voters.ids == tuple(v["voter_id"] for v in raw["VOTES"])
    assert e.kind.value == raw["META"]["vote_type"]
    assert e.profile.num_voters == len(raw["VOTES"])
    mpu = e.minor_per_unit
    for p, row in zip(e.projects, raw["PROJECTS"], strict=True):
        assert Decimal(p.cost) / mpu == Decimal(row["cost"])
    assert Decimal(e.budget) / mpu == Decimal(raw["META"]["budget"])
    assert {k: v for k, v in e.meta.items() if not k.startswith("participa:")} == raw["META"]
    assert list(e.meta)[: len(raw["META"])] == list(raw["META"])


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Krakow_2021_Debniki.pb.gz",
        "Switzerland_Zurich_S5D10.pb.gz",
        "Poland_Wroclaw_2016_Rejon_nr_5_250.pb.gz",
        "Netherlands_Assen_2024.pb.gz",
    ],
)
def test_each_voter_ballot_matches_file(name: str) -> None:
    """Expand the collapsed profile back to voters and compare with the raw rows."""
    path = DATA / name
    e = read_pabulib(path).election
    raw = raw_sections(gzip.decompress(path.read_bytes()).decode("utf-8-sig"))
    prof = e.profile
    assert prof.voters is not None
    on = prof.approvals()
    for i, row in enumerate(raw["VOTES"]):
        g = int(prof.voters.group[i])
        mat_row = prof.matrix[g]
        want = ballot_of(row, e.kind.value)
        if e.kind.has_points:
            # every listed project, 0 points included, with its points
            got = {prof.project_ids[j]: int(mat_row[j]) for j in np.flatnonzero(on[g])}
            assert got == want
            assert set(prof.ballot(g)) == set(want)
        elif e.kind is BallotKind.ORDINAL:
            assert list(prof.ballot(g)) == want
        else:
            assert frozenset(prof.ballot(g)) == want


def test_pabutools_oracle(tmp_path: Path) -> None:
    """pabutools (GPL, tests only) reads the same budget, costs and ballots."""
    pabutools = pytest.importorskip("pabutools.election")
    for name in (
        "Netherlands_Assen_2024.pb.gz",
        "Poland_Czestochowa_2025_Wyczerpy_-_Aniolow.pb.gz",
        "US_Stanford_Dataset_Your_Voice_Your_Choice_Parks_and_Streets-_Seattle_2019_District_3_vote_rankings.pb.gz",
        "Switzerland_Zurich_S5D10.pb.gz",  # cumulative, some projects listed with 0 points
    ):
        plain = tmp_path / name.removesuffix(".gz")
        plain.write_bytes(gzip.decompress((DATA / name).read_bytes()))
        instance, profile = pabutools.parse_pabulib(str(plain))
        e = read_pabulib(DATA / name).election
        assert Decimal(e.budget) / e.minor_per_unit == Decimal(str(instance.budget_limit))
        costs = {str(p): Decimal(str(p.cost)) for p in instance}
        assert {p.id: Decimal(p.cost) / e.minor_per_unit for p in e.projects} == costs
        assert len(profile) == e.profile.num_voters
        expanded = e.profile.expand()
        on = expanded.approvals()
        for i, ballot in enumerate(profile):
            row = expanded.matrix[i]
            if e.kind is BallotKind.ORDINAL:
                assert [str(p) for p in ballot] == list(expanded.ballot(i))
            elif e.kind.has_points:
                # pabutools keeps a project listed with 0 points in the ballot; so do we
                got = {e.project_ids[j]: int(row[j]) for j in np.flatnonzero(on[i])}
                assert got == {str(p): int(ballot[p]) for p in ballot}
            else:
                assert {str(p) for p in ballot} == set(expanded.ballot(i))


def test_gzip_and_plain_bytes_agree(tmp_path: Path) -> None:
    path = DATA / "Netherlands_Assen_2024.pb.gz"
    plain = gzip.decompress(path.read_bytes())
    (tmp_path / "x.pb").write_bytes(plain)
    a = read_pabulib(path).election
    b = read_pabulib(plain, name="whatever").election
    c = load_election(tmp_path / "x.pb")
    assert a == b == c


# -- small files -----------------------------------------------------------------------------------

HEAD = "META\nkey;value\ndescription;Tiny\nbudget;{budget}\nvote_type;{kind}\n{extra}"


def tiny(
    votes: str = "1;a,b\n2;a\n",
    *,
    kind: str = "approval",
    budget: str = "100",
    extra: str = "",
    projects: str = "a;60\nb;50\n",
    vheader: str = "voter_id;vote",
    pheader: str = "project_id;cost",
) -> str:
    return (
        HEAD.format(budget=budget, kind=kind, extra=extra)
        + f"PROJECTS\n{pheader}\n{projects}VOTES\n{vheader}\n{votes}"
    )


def line_of(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


def test_tiny_reads() -> None:
    e = read_pabulib_text(tiny()).election
    assert e.budget == 100
    assert e.costs.tolist() == [60, 50]
    assert e.support().tolist() == [2, 1]
    assert e.profile.voters is not None
    assert e.profile.voters.ids == ("1", "2")
    assert e.name == "Tiny"
    assert e.meta["vote_type"] == "approval"
    assert list(e.meta) == ["description", "budget", "vote_type"]


def test_decimal_amounts() -> None:
    e = read_pabulib_text(tiny(budget="1000.00", projects="a;12.5\nb;0.25\n")).election
    assert e.minor_per_unit == 100
    assert (e.budget, *e.costs.tolist()) == (100000, 1250, 25)
    assert e.meta["budget"] == "1000.00"
    e1 = read_pabulib_text(tiny(budget="400000.0", projects="a;60.0\nb;50\n")).election
    assert e1.minor_per_unit == 1
    assert e1.budget == 400000
    assert "400000.0" in write_pabulib(e1)


def test_minor_units_that_decimals_alone_do_not_show() -> None:
    """Cents whose amounts are all multiples of 10: the writer says so in META."""
    e = read_pabulib_text(tiny(budget="10.05", projects="a;1.20\nb;0.50\n")).election
    assert e.minor_per_unit == 100
    e2 = e.with_budget(1000).with_costs({"a": 120, "b": 50})
    text = write_pabulib(e2)
    assert "participa:minor_per_unit;100" in text
    assert "a;1.20" in text
    back = read_pabulib_text(text).election
    # the stale META budget text was brought up to date; everything else is equal
    assert back.meta["budget"] == "10.00"
    assert back == attrs.evolve(e2, meta=back.meta)
    assert read_pabulib_text(write_pabulib(back)).election == back


def test_meta_follows_the_model_when_it_changed() -> None:
    e = read_pabulib_text(tiny(extra="min_length;1\ncurrency;PLN\n")).election
    assert e.constraints == BallotConstraints(min_length=1)
    assert e.currency == "PLN"
    e2 = e.with_budget(70)
    back = read_pabulib_text(write_pabulib(e2)).election
    assert back.budget == 70
    assert back.meta["budget"] == "70"
    assert back.meta["currency"] == "PLN"


def test_project_columns_are_modelled_and_kept_in_order() -> None:
    text = tiny(
        pheader="project_id;cost;votes;name;category;district;beneficiaries;selected",
        projects="a;60;2;Park;green,sport;North;120;1\nb;50;1;Bench;;;;0\n",
    )
    e = read_pabulib_text(text).election
    a, b = e.projects
    assert (a.name, a.categories, a.territory, a.beneficiaries) == (
        "Park",
        ("green", "sport"),
        "North",
        120,
    )
    assert (b.categories, b.territory, b.beneficiaries) == ((), None, None)
    assert dict(a.metadata) == {"votes": "2", "selected": "1"}
    assert e.meta[PROJECT_COLUMNS_KEY] == (
        "project_id;cost;votes;name;category;district;beneficiaries;selected"
    )
    out = write_pabulib(e)
    assert "project_id;cost;votes;name;category;district;beneficiaries;selected" in out
    assert "a;60;2;Park;green,sport;North;120;1" in out
    assert PROJECT_COLUMNS_KEY not in raw_sections(out)["META"]
    assert read_pabulib_text(out).election == e


def test_text_beneficiaries_stay_text() -> None:
    text = tiny(pheader="project_id;cost;beneficiaries", projects="a;60;youth,seniors\nb;50;3\n")
    e = read_pabulib_text(text).election
    assert e.projects[0].beneficiaries is None
    assert e.projects[1].metadata["beneficiaries"] == "3"
    assert read_pabulib_text(write_pabulib(e)).election == e


def test_quoted_fields() -> None:
    text = tiny(extra='comment;"say ""hi""; bye"\n', pheader="project_id;cost;name")
    text = text.replace("a;60\n", 'a;60;"Park; big"\n').replace("b;50\n", "b;50;Bench\n")
    e = read_pabulib_text(text).election
    assert e.meta["comment"] == 'say "hi"; bye'
    assert e.projects[0].name == "Park; big"
    out = write_pabulib(e)
    assert read_pabulib_text(out).election == e


def test_vote_kinds() -> None:
    e = read_pabulib_text(
        tiny("1;b,a;2,5\n2;a;3\n", kind="cumulative", vheader="voter_id;vote;points")
    ).election
    assert e.profile.matrix.tolist() == [[5, 2], [3, 0]]
    e = read_pabulib_text(tiny("1;b,a\n2;a\n", kind="ordinal")).election
    assert e.profile.matrix.tolist() == [[2, 1], [1, 0]]
    assert e.profile.ballot(0) == ("b", "a")
    e = read_pabulib_text(tiny("1;b\n2;\n3;b\n", kind="choose-1")).election
    assert e.profile.matrix.tolist() == [[False, True], [False, False]]
    assert e.profile.multiplicity.tolist() == [2, 1]
    e = read_pabulib_text(
        tiny("1;b,a;1,1\n", kind="scoring", vheader="voter_id;vote;points")
    ).election
    assert e.total_points().tolist() == [1, 1]


def test_ordinal_points_column_is_a_voter_column() -> None:
    e = read_pabulib_text(
        tiny("1;b,a;3,2;web\n", kind="ordinal", vheader="voter_id;vote;points;method")
    ).election
    assert e.profile.voters is not None
    assert dict(e.profile.voters.columns) == {"points": ("3,2",), "method": ("web",)}
    assert read_pabulib_text(write_pabulib(e)).election == e


def test_identical_ballots_collapse_and_voters_keep_order() -> None:
    e = read_pabulib_text(tiny("x;a,b\ny;b\nz;b,a\nw;b\n")).election
    assert e.profile.num_groups == 2
    assert e.profile.multiplicity.tolist() == [2, 2]
    assert e.profile.voters is not None
    assert e.profile.voters.group.tolist() == [0, 1, 0, 1]
    assert e.profile.voters.ids == ("x", "y", "z", "w")


def test_zero_points_are_kept() -> None:
    text = tiny("1;a,b;3,0\n2;a;3\n", kind="cumulative", vheader="voter_id;vote;points")
    pb = read_pabulib_text(text)
    e = pb.election
    prof = e.profile
    # the 0-point entry makes voter 1's ballot differ from voter 2's
    assert prof.num_groups == 2
    assert prof.matrix.tolist() == [[3, 0], [3, 0]]
    assert prof.listed is not None
    assert prof.approvals().tolist() == [[True, True], [True, False]]
    assert prof.lengths().tolist() == [2, 1]
    assert prof.voters is not None
    assert dict(prof.voters.columns) == {}
    assert e.support().tolist() == [2, 1]
    assert e.total_points().tolist() == [6, 0]
    assert [(w.code, w.line) for w in pb.warnings] == [("zero-points", line_of(text, "1;a,b;3,0"))]
    out = write_pabulib(e)
    assert "1;a,b;3,0" in out
    assert "\n2;a;3\n" in out
    assert "zero_points" not in out
    assert read_pabulib_text(out).election == e


def test_zero_points_are_written_in_project_order() -> None:
    text = tiny(
        "1;b,c,a;0,2,0\n2;c,a;4,0\n3;c;4\n",
        kind="cumulative",
        vheader="voter_id;vote;points",
        projects="a;60\nb;50\nc;10\n",
    )
    e = read_pabulib_text(text).election
    out = write_pabulib(e)
    assert out.endswith("1;a,b,c;0,0,2\n2;a,c;0,4\n3;c;4\n")
    back = read_pabulib_text(out).election
    assert back == e
    assert back.profile.ballot(0) == ("a", "b", "c")
    assert back.profile.num_groups == 3


def test_a_ballot_of_only_zero_points_stays_listed() -> None:
    text = tiny("1;a,b;0,0\n2;;\n", kind="scoring", vheader="voter_id;vote;points")
    e = read_pabulib_text(text).election
    assert e.profile.matrix.tolist() == [[0, 0], [0, 0]]
    assert e.profile.lengths().tolist() == [2, 0]
    assert e.support().tolist() == [1, 1]
    assert read_pabulib_text(write_pabulib(e)).election == e


def test_zero_points_count_for_max_length() -> None:
    text = tiny(
        "1;a,b;3,0\n",
        kind="cumulative",
        vheader="voter_id;vote;points",
        extra="max_length;1\n",
    )
    (a,) = read_pabulib_text(text, file="z.pb").anomalies[1:]
    assert (a.code, a.line) == ("long-ballot", line_of(text, "1;a,b;3,0"))
    with pytest.raises(ParseError, match="0 points") as info:  # strict: the first anomaly
        read_pabulib_text(text, file="z.pb", strict=True)
    assert info.value.line == line_of(text, "1;a,b;3,0")


def test_zero_points_below_a_declared_min_points_relax_the_bound() -> None:
    text = tiny(
        "1;a;3\n2;a,b;3,0\n",
        kind="cumulative",
        vheader="voter_id;vote;points",
        extra="min_points;1\n",
    )
    pb = read_pabulib_text(text, file="z.pb")
    a = next(a for a in pb.anomalies if a.code == "points-bounds")
    assert (a.line, a.voter_id, a.project_id) == (line_of(text, "2;a,b;3,0"), "2", "b")
    assert "min_points = 1" in a.message
    assert pb.election.constraints.min_points is None  # relaxed; META keeps the text
    assert pb.election.meta["min_points"] == "1"
    assert read_pabulib_text(write_pabulib(pb.election)).election == pb.election
    with pytest.raises(ParseError, match="0 points") as info:  # strict: the first anomaly
        read_pabulib_text(text, file="z.pb", strict=True)
    assert (info.value.line, info.value.voter_id) == (line_of(text, "2;a,b;3,0"), "2")
    # a min_points of 0 (or none, as in Zurich) lets the 0-point entry stand
    ok = read_pabulib_text(text.replace("min_points;1", "min_points;0")).election
    assert ok.profile.lengths().tolist() == [1, 2]


def test_zurich_support_matches_its_votes_column() -> None:
    """Zurich lists some projects with 0 points; counting them reproduces the file's tally."""
    pb = read_pabulib(DATA / "Switzerland_Zurich_S5D10.pb.gz")
    e = pb.election
    assert "votes-column" not in codes(pb)
    assert "zero-points" in codes(pb)
    assert e.profile.listed is not None
    assert e.support().tolist() == [int(p.metadata["votes"]) for p in e.projects]
    assert e.total_points().tolist() == [int(p.metadata["score"]) for p in e.projects]
    assert int(e.profile.lengths().max()) <= 5  # META max_length;5 counts 0-point entries


# -- warnings --------------------------------------------------------------------------------------


def codes(pb: PabulibFile) -> list[str]:
    return [w.code for w in pb.warnings]


def test_warnings_for_soft_anomalies() -> None:
    text = tiny(
        "1;a,b;3,1\n\n2;a;2\n",
        kind="cumulative",
        vheader="voter_id;vote;points",
        extra="num_projects;3\nnum_votes;2\nmin_length;2\n",
        pheader="project_id;cost;votes;score",
        projects="a;60;2;5\nb;50;7;1\n",
    )
    pb = read_pabulib_text(text.replace("\n", "\r\n"))
    got = {w.code: w for w in pb.warnings}
    assert set(got) == {
        "crlf",
        "num-projects",
        "votes-column",
        "empty-lines",
        "short-ballot",
    }
    assert got["num-projects"].line == 6
    assert got["votes-column"].project_id == "b"
    assert got["votes-column"].line == 12
    assert got["empty-lines"].line == 16
    assert got["short-ballot"].line == 17
    # the same file read as text with a BOM and as bytes
    pb2 = read_pabulib(("\ufeff" + text).encode("utf-8"))
    assert "bom" in codes(pb2)
    assert pb2.election == pb.election
    bad_score = text.replace("a;60;2;5", "a;60;2;6")
    got2 = {w.code: w for w in read_pabulib_text(bad_score).warnings}
    assert got2["score-column"].project_id == "a"


def test_cost_over_budget_is_a_warning() -> None:
    pb = read_pabulib_text(tiny(projects="a;600\nb;50\n"))
    assert [(w.code, w.project_id) for w in pb.warnings] == [("cost-over-budget", "a")]


def test_clean_file_has_no_warnings() -> None:
    assert read_pabulib_text(tiny()).warnings == ()


# -- errors, each with its line --------------------------------------------------------------------

ERRORS = [
    # (description, text, line, project_id, voter_id, words in the message)
    ("missing VOTES", tiny().split("VOTES")[0], 9, None, None, "missing section VOTES"),
    ("missing META", tiny().replace("META\n", ""), 1, None, None, "missing section META"),
    (
        "bad projects header",
        tiny(pheader="id;cost"),
        7,
        None,
        None,
        "no 'project_id' column",
    ),
    ("no cost column", tiny(pheader="project_id;price"), 7, None, None, "no 'cost' column"),
    ("bad votes header", tiny(vheader="voter;vote"), 11, None, None, "no 'voter_id' column"),
    ("no vote column", tiny(vheader="voter_id;ballot"), 11, None, None, "no 'vote' column"),
    ("unknown project", tiny("1;a\n2;a,zz\n"), 13, "zz", "2", "unknown project"),
    ("duplicate voter", tiny("1;a\n2;b\n1;b\n"), 14, None, "1", "duplicate voter id"),
    ("duplicate project", tiny(projects="a;60\na;50\n"), 9, "a", None, "duplicate project"),
    ("non-numeric cost", tiny(projects="a;60\nb;5o\n"), 9, "b", None, "not a number"),
    ("negative cost", tiny(projects="a;-60\nb;50\n"), 8, "a", None, "negative"),
    ("comma in cost", tiny(projects="a;1,000\nb;50\n"), 8, "a", None, "not a number"),
    (
        "points on approval",
        tiny("1;a;1\n2;b;\n", vheader="voter_id;vote;points"),
        12,
        None,
        "1",
        "points on a approval",
    ),
    (
        "points missing",
        tiny("1;a,b;1\n", kind="cumulative", vheader="voter_id;vote;points"),
        12,
        None,
        "1",
        "1 points for 2 projects",
    ),
    (
        "no points column",
        tiny("1;a,b\n", kind="cumulative"),
        11,
        None,
        None,
        "needs a 'points' column",
    ),
    (
        "bad points",
        tiny("1;a;1\n2;a,b;1,x\n", kind="cumulative", vheader="voter_id;vote;points"),
        13,
        None,
        "2",
        "not whole numbers",
    ),
    (
        "negative points",
        tiny("1;a,b;1,-2\n", kind="scoring", vheader="voter_id;vote;points"),
        12,
        None,
        "1",
        "negative points",
    ),
    ("choose-1 with two", tiny("1;a,b\n", kind="choose-1"), 12, None, "1", "choose-1"),
    ("unknown vote type", tiny(kind="approve"), 5, None, None, "unknown vote_type"),
    ("wrong field count", tiny("1;a\n2;b;x\n"), 13, None, None, "has 3 fields"),
    ("wrong meta field count", tiny(extra="lonely\n"), 6, None, None, "expected 2"),
    ("missing budget", tiny().replace("budget;100\n", ""), 2, None, None, "no budget"),
    ("bad budget", tiny(budget="lots"), 4, None, None, "budget is not a number"),
    (
        "section twice",
        tiny() + "VOTES\n",
        14,
        None,
        None,
        "appears twice",
    ),
    ("duplicate meta key", tiny(extra="budget;5\n"), 6, None, None, "appears twice"),
    (
        "bad quoting",
        tiny('1;"a\n'),
        12,
        None,
        None,
        "badly quoted",
    ),
    ("text before META", "hello\n" + tiny(), 1, None, None, "before the META"),
    ("bad constraint", tiny(extra="max_length;three\n"), 6, None, None, "not a whole number"),
    ("comma in project id", tiny(projects="a,b;60\n"), 8, "a,b", None, "contains a comma"),
    ("empty voter id", tiny("1;a\n;b\n"), 13, None, None, "empty voter_id"),
    ("too many decimals", tiny(projects="a;0.0000000001\n"), 8, "a", None, "9 decimal"),
]


SOFT = [
    # (code, text, line, project_id, voter_id, words in the strict error)
    (
        "long-ballot",
        tiny("1;a\n2;a,b\n", extra="max_length;1\n"),
        14,
        None,
        "2",
        "more projects than max_length",
    ),
    ("duplicate-project", tiny("1;a\n2;b,b\n"), 13, "b", "2", "a project twice"),
    (
        "points-bounds",
        tiny(
            "1;a;1\n2;b;9\n",
            kind="cumulative",
            vheader="voter_id;vote;points",
            extra="max_points;5\n",
        ),
        14,
        "b",
        "2",
        "max_points",
    ),
    (
        "sum-points-bounds",
        tiny(
            "1;a;1\n2;a,b;3,3\n",
            kind="cumulative",
            vheader="voter_id;vote;points",
            extra="max_sum_points;5\n",
        ),
        14,
        None,
        "2",
        "max_sum_points",
    ),
]


@pytest.mark.parametrize(
    ("code", "text", "line", "project_id", "voter_id", "words"), SOFT, ids=[e[0] for e in SOFT]
)
def test_soft_anomalies_are_read_and_strict_refuses_them(
    code: str, text: str, line: int, project_id: str | None, voter_id: str | None, words: str
) -> None:
    with pytest.warns(AnomalyWarning, match=words):
        pb = read_pabulib_text(text, file="x.pb")
    (a,) = pb.anomalies
    assert (a.code, a.line, a.project_id, a.voter_id) == (code, line, project_id, voter_id)
    assert read_pabulib_text(write_pabulib(pb.election)).election == pb.election
    with pytest.raises(ParseError) as info:
        read_pabulib_text(text, file="x.pb", strict=True)
    err = info.value
    assert (err.line, err.project_id, err.voter_id) == (line, project_id, voter_id)
    assert words in str(err)
    assert code in str(err)


@pytest.mark.parametrize(
    ("text", "line", "project_id", "voter_id", "words"),
    [e[1:] for e in ERRORS],
    ids=[e[0] for e in ERRORS],
)
def test_errors_name_file_and_line(
    text: str, line: int, project_id: str | None, voter_id: str | None, words: str
) -> None:
    with pytest.raises(ParseError) as info:
        read_pabulib_text(text, file="x.pb")
    err = info.value
    assert err.file == "x.pb"
    assert err.line == line, str(err)
    assert err.project_id == project_id
    assert err.voter_id == voter_id
    assert words in str(err)
    assert str(err).startswith(f"x.pb:{line}: ")
    # the same with CRLF line ends and blank lines after the header: same line numbers
    with pytest.raises(ParseError) as info2:
        read_pabulib_text(text.replace("\n", "\r\n"), file="x.pb")
    assert info2.value.line == line


def test_non_utf8_bytes_give_the_line() -> None:
    data = tiny().encode("utf-8").replace(b"description;Tiny", b"description;T\xffny")
    with pytest.raises(ParseError) as info:
        read_pabulib(data, name="x.pb")
    assert (info.value.file, info.value.line) == ("x.pb", 3)
    with pytest.raises(ParseError) as info:
        read_pabulib(gzip.compress(data), name="x.pb.gz")
    assert info.value.line == 3


def test_damaged_gzip() -> None:
    data = gzip.compress(tiny().encode())
    with pytest.raises(ParseError, match="gzip"):
        read_pabulib(data[:-12], name="x.pb.gz")


def test_error_in_path_names_the_path(tmp_path: Path) -> None:
    p = tmp_path / "bad.pb"
    p.write_text(tiny(projects="a;-1\n"), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        read_pabulib(p)
    assert info.value.file == str(p)
    assert info.value.line == 8


def test_name_falls_back_to_the_file_name(tmp_path: Path) -> None:
    text = tiny().replace("description;Tiny\n", "")
    p = tmp_path / "Somewhere_2020.pb"
    p.write_text(text, encoding="utf-8")
    e = read_pabulib(p).election
    assert e.name == "Somewhere_2020"
    assert "description" not in e.meta
    assert read_pabulib_text(write_pabulib(e)).election == e


# -- the writer ------------------------------------------------------------------------------------


def test_writer_fills_required_meta() -> None:
    e = Election(
        10,
        (Project("a", 4), Project("b", 6)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"], ["a"]]),
        name="Built",
        currency="PEN",
    )
    out = write_pabulib(e)
    meta = raw_sections(out)["META"]
    for key in (
        "description",
        "country",
        "unit",
        "instance",
        "num_projects",
        "num_votes",
        "budget",
        "vote_type",
        "rule",
        "date_begin",
        "date_end",
    ):
        assert key in meta
    assert (meta["description"], meta["num_votes"], meta["currency"]) == ("Built", "3", "PEN")
    back = read_pabulib_text(out).election
    assert back == e
    assert back.meta == {}
    assert back.profile.voters is None


def test_the_model_refuses_what_pabulib_cannot_hold() -> None:
    """So the writer never refuses what the model took (read(write(x)) == x)."""
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]])
    with pytest.raises(ValidationError, match="line break"):
        write_pabulib(Election(5, (Project("a", 5, name="two\nlines"),), prof))
    with pytest.raises(ValidationError, match="power of ten"):
        write_pabulib(Election(5, (Project("a", 5),), prof, minor_per_unit=3))
    prof2 = Profile.from_ballots(BallotKind.APPROVAL, ["a,b"], [["a,b"]])
    with pytest.raises(ValidationError, match="comma"):
        write_pabulib(Election(5, (Project("a,b", 5),), prof2))


def test_weighted_profiles_round_trip() -> None:
    prof = Profile.from_matrix(
        BallotKind.APPROVAL, ["a", "b"], [[1, 0], [1, 0], [0, 1]], weight=[3, 1, 3]
    )
    e = Election(10, (Project("a", 4), Project("b", 6)), prof)
    out = write_pabulib(e)
    assert "participa:weight" in out
    assert read_pabulib_text(out).election == e


def test_write_file_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    e = read_pabulib(DATA / "Netherlands_Assen_2024.pb.gz").election
    target = tmp_path / "out.pb.gz"
    assert write_pabulib_file(e, target) == target
    assert load_election(target) == e
    first = target.read_bytes()
    assert write_pabulib_file(e, target).read_bytes() == first  # deterministic gzip
    plain = tmp_path / "out.pb"
    write_pabulib_file(e, plain)
    assert plain.read_text(encoding="utf-8") == write_pabulib(e)
    # a failing write leaves the old file and no temporary file behind
    other = Election(
        5, (Project("a", 5),), Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]])
    )

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_pabulib_file(other, target)
    assert target.read_bytes() == first
    assert sorted(os.listdir(tmp_path)) == ["out.pb", "out.pb.gz"]


def test_write_file_cleans_up_when_the_move_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = read_pabulib(DATA / "Netherlands_Assen_2024.pb.gz").election

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_pabulib_file(e, tmp_path / "x.pb")
    assert os.listdir(tmp_path) == []


# -- the fast ballot parser agrees with the slow one -----------------------------------------------


@st.composite
def ballot_texts(draw: st.DrawFn) -> tuple[BallotKind, list[str], list[str] | None]:
    kind = draw(st.sampled_from(list(BallotKind)))
    ids = ["a", "b", "c", "d"]
    n = draw(st.integers(0, 6))
    votes, points = [], []
    for _ in range(n):
        ballot = draw(st.lists(st.sampled_from([*ids, "zz"]), max_size=5))
        votes.append(",".join(ballot))
        pts = draw(
            st.lists(
                st.sampled_from(["0", "1", "2", "7", " 3", "-1", "x", "+4"]),
                min_size=len(ballot),
                max_size=len(ballot) + draw(st.sampled_from([0, 0, 0, 1])),
            )
        )
        points.append(",".join(pts))
    return kind, votes, points if kind.has_points else None


@given(ballot_texts(), st.sampled_from([None, 1, 2, 3]))
def test_fast_ballot_parser_matches_slow(
    case: tuple[BallotKind, list[str], list[str] | None], max_len: int | None
) -> None:
    kind, votes, points = case
    pidx = {"a": 0, "b": 1, "c": 2, "d": 3}
    del max_len  # the declared bounds are checked after parsing, on the profile
    fast = _ballots_fast(kind, votes, points, pidx, 4)
    reader = _Reader("", "t.pb", Anomalies("t.pb", strict=False))

    def where(u: int) -> tuple[int, str]:
        return u + 1, str(u)

    try:
        slow = _ballots_slow(reader, where, kind, votes, points, None, pidx, 4)
    except ParseError:
        assert fast is None
        return
    if fast is not None:
        for got, want in zip(fast, slow, strict=True):
            if isinstance(want, np.ndarray):
                assert got.dtype == want.dtype
                assert np.array_equal(got, want)
            else:
                assert got == want


def test_file_warning_value() -> None:
    w = FileWarning("crlf", "lines end with CRLF")
    assert (w.line, w.project_id) == (None, None)
