"""Every code block in the documentation runs.

Each ``docs/**/*.md`` page (and the README) is executed as one script: its
```` ```python ```` blocks run in order in one namespace, with the repository root
as the working directory. ```` ```console ```` blocks run each ``$ participa ...``
line as a command and fail on a non-zero exit status.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def blocks(page: Path, lang: str) -> list[str]:
    return [m.group(2) for m in FENCE.finditer(page.read_text()) if m.group(1) == lang]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = blocks(page, "python")
    if not code:
        pytest.skip("no python blocks")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, object] = {"__name__": f"docs:{page.name}"}
    for i, block in enumerate(code):
        try:
            exec(compile(block, f"{page.name}[block {i + 1}]", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"{page.name}, python block {i + 1} failed: {exc!r}") from exc


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_console_blocks_run(page: Path) -> None:
    commands = [
        line[2:].strip()
        for block in blocks(page, "console")
        for line in block.splitlines()
        if line.startswith("$ participa ")
    ]
    if not commands:
        pytest.skip("no participa commands")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    for command in commands:
        argv = shlex.split(command)
        proc = subprocess.run(
            [sys.executable, "-m", "participa", *argv[1:]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"{page.name}: `{command}` failed:\n{proc.stderr}"
        assert proc.stdout.strip(), f"{page.name}: `{command}` printed nothing"
