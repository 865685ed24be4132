"""The worked example in docs/feasibility.md runs, and says what its prose claims."""

from __future__ import annotations

from typing import Any

import pytest

from docs_runner import ROOT, blocks, run_page
from participa.feasibility import FeasibilityReport, Ranking, Status
from participa.outcome import Outcome

PAGE = ROOT / "docs" / "feasibility.md"


@pytest.fixture(scope="module")
def ns() -> dict[str, Any]:
    assert len(blocks(PAGE)) >= 5
    namespace, _ = run_page(PAGE)
    return namespace


def failing(report: FeasibilityReport, pid: str) -> set[str]:
    return {r.check for r in report.report(pid).results if r.status is Status.FAIL}


def test_the_review_gives_every_project_a_verdict(ns: dict[str, Any]) -> None:
    report: FeasibilityReport = ns["report"]
    assert report.project_ids == tuple(p.id for p in ns["projects"])
    assert len(report.project_ids) == 16


def test_the_failures_the_page_names(ns: dict[str, Any]) -> None:
    report: FeasibilityReport = ns["report"]
    assert failing(report, "P02") == {"cost"}
    assert failing(report, "P03") == {"technical-design"}
    assert failing(report, "P04") == {"competence"}
    assert failing(report, "P06") == {"study-level"}
    assert report.verdicts()["P05"] is Status.UNKNOWN
    assert report.report("P05").result("o&m").reason.endswith("field om_payer missing")
    assert report.verdicts()["P07"] is Status.WARN
    for k in range(1, 8):
        w = report.report(f"W{k}")
        assert w.status is Status.FAIL
        assert w.result("cost-per-beneficiary").status is Status.FAIL
        split = w.result("splitting")
        assert split.status is Status.WARN
        assert split.values["group_size"] == 7
        # 6 repeated fixed costs of S/ 2,000 + 10% of the other six projects' cost
        assert split.values["saving"] == 6 * 2_000_00 + 6 * 6_000_00 // 10
    assert set(report.eligible) == {"P01", "P07", "P08", "P09"}


def test_the_ranking_and_the_rules(ns: dict[str, Any]) -> None:
    ranking: Ranking = ns["ranking"]
    assert set(ranking.order) == set(ns["report"].eligible)
    scores = [e.score for e in ranking.entries]
    assert scores == sorted(scores, reverse=True)
    by_rank: Outcome = ns["by_rank"]
    budget = ns["election"].budget
    left, want = budget, []
    costs = {p.id: p.cost for p in ns["projects"]}
    for pid in ranking.order:
        if costs[pid] <= left:
            want.append(pid)
            left -= costs[pid]
    assert by_rank.selected == tuple(want)
    assert by_rank.selected == ("P09", "P08", "P01")  # what the page's prose says
    by_votes: Outcome = ns["by_votes"]
    assert set(by_votes.selected) <= set(ns["report"].eligible)
    assert set(by_votes.selected) == {"P01", "P08", "P07"}  # what the page's prose says
    assert by_votes.total_funding <= budget


def test_the_co_financing_block(ns: dict[str, Any]) -> None:
    r = ns["review"].run(ns["projects"], ns["ves_context"]).report("P09").result("cofinancing")
    assert r.status is Status.FAIL  # 400 h x S/ 12 = S/ 4,800 < 20% of S/ 38,000
    assert (r.values["pledged"], r.values["required"]) == (4_800_00, 7_600_00)
