"""The how-to docs/plan.md runs end to end and shows what its prose claims."""

from __future__ import annotations

from typing import Any

import pytest

from docs_runner import ROOT, blocks, run_page
from participa.feasibility import FeasibilityReport, Status

PAGE = ROOT / "docs" / "plan.md"


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, Any], str]:
    assert len(blocks(PAGE)) >= 10
    return run_page(PAGE)


def test_the_plan_has_sjm_five_dimensions(run: tuple[dict[str, Any], str]) -> None:
    ns, _out = run
    names = [d.name for d in ns["plan"].dimensions]
    assert names == ["Economic", "Human", "Urban", "Ecological", "Political-institutional"]
    assert "invented" in ns["plan"].name


def test_the_check_excludes_unaligned_and_unlinked(run: tuple[dict[str, Any], str]) -> None:
    ns, _out = run
    report: FeasibilityReport = ns["report"]
    assert report.report("P07").result("plan-alignment").status is Status.FAIL
    assert report.report("P10").result("plan-alignment").status is Status.UNKNOWN
    assert set(report.ineligible) == {"P07", "P10"}


def test_the_analyses_the_page_describes(run: tuple[dict[str, Any], str]) -> None:
    ns, _out = run
    funding = ns["funding"]
    assert funding.total_funded == ns["outcome"].total_funding
    assert funding.unfunded == ("OE5.1",)
    assert ns["view"].project_ids == ("P05",)  # the clinic roof
    shares = {t.territory: t.share for t in ns["unchecked"].territories}
    assert shares["S3"] is not None
    assert shares["S3"] < 1  # without the check, S3's money goes partly outside the plan


def test_the_round_and_the_report(run: tuple[dict[str, Any], str]) -> None:
    ns, out = run
    assert ns["rnd"].phase == "concertacion"
    assert ns["accounts"].plan_view is not None
    assert "Plan view:" in out
    assert "Vista del plan:" in out
    assert "no contribuye a ningún objetivo del plan" in out
    assert "S/ " in out
