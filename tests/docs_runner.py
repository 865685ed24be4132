"""Run a documentation page's code blocks: one helper for every docs test."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def blocks(page: Path, lang: str = "python") -> list[str]:
    """The fenced code blocks of ``page`` in language ``lang``, in order."""
    text = page.read_text(encoding="utf-8")
    return [m.group(2) for m in FENCE.finditer(text) if m.group(1) == lang]


def run_page(page: Path) -> tuple[dict[str, Any], str]:
    """Execute the page's python blocks in order in one namespace, from the repository root.

    Returns the namespace and everything the blocks printed. A failing block raises an
    ``AssertionError`` naming the page and the block.
    """
    namespace: dict[str, Any] = {"__name__": f"docs:{page.name}"}
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            for i, block in enumerate(blocks(page)):
                try:
                    exec(compile(block, f"{page.name}[block {i + 1}]", "exec"), namespace)
                except Exception as exc:
                    msg = f"{page.name}, python block {i + 1} failed: {exc!r}"
                    raise AssertionError(msg) from exc
    finally:
        os.chdir(cwd)
    return namespace, out.getvalue()
