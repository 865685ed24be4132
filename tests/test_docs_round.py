"""docs/round.md and docs/embedding.md run: their python blocks, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```\s*$", re.S | re.M)


@pytest.mark.parametrize("name", ["round.md", "embedding.md"])
def test_page_runs(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = ROOT / "docs" / name
    blocks = FENCE.findall(page.read_text(encoding="utf-8"))
    assert len(blocks) >= 3, f"{name} has too few python blocks"
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"docs:{name}"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{name}[block {i + 1}]", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"{name}, python block {i + 1} failed: {exc!r}") from exc
    out = capsys.readouterr().out
    if name == "round.md":
        assert "never started" in out
        assert "detected:" in out
        assert "refused:" in out
