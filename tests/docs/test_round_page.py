"""docs/round.md and docs/embedding.md run and print what their prose claims."""

from __future__ import annotations

import pytest

from docs_runner import ROOT, blocks, run_page


@pytest.mark.parametrize("name", ["round.md", "embedding.md"])
def test_page_runs(name: str) -> None:
    page = ROOT / "docs" / name
    assert len(blocks(page)) >= 3, f"{name} has too few python blocks"
    _, out = run_page(page)
    if name == "round.md":
        assert "never started" in out
        assert "detected:" in out
        assert "refused:" in out
