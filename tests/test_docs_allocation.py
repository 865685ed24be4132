"""The allocation page (docs/allocation.md) runs: its python blocks, in order, as one script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "allocation.md"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def test_allocation_page_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = FENCE.findall(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 8, "the page lost its code blocks"
    monkeypatch.chdir(PAGE.parent.parent)
    namespace: dict[str, object] = {"__name__": "docs:allocation"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"allocation.md[block {i + 1}]", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"allocation.md, python block {i + 1} failed: {exc!r}") from exc
    out = capsys.readouterr().out
    assert "PEN 2,000,000.00" in out
    assert "refused:" in out  # the infeasible floors were reported, not silently changed
    assert "short: project 'V3-02'" in out
