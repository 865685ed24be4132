"""The allocation page (docs/allocation.md) runs and prints what its prose claims."""

from __future__ import annotations

from docs_runner import ROOT, blocks, run_page

PAGE = ROOT / "docs" / "allocation.md"


def test_allocation_page_runs() -> None:
    assert len(blocks(PAGE)) >= 8, "the page lost its code blocks"
    _, out = run_page(PAGE)
    assert "S/ 2,000,000.00" in out
    assert "refused:" in out  # the infeasible floors were reported, not silently changed
    assert "short: project 'V3-02'" in out
