"""Every code block in the documentation runs.

Each ``docs/**/*.md`` page (and the README) is executed as one script: its
```` ```python ```` blocks run in order in one namespace, with the repository root
as the working directory. ```` ```console ```` blocks run each ``$ participa ...``
line as a command and fail on a non-zero exit status.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from docs_runner import ROOT, blocks, run_page

PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not blocks(page, "python"):
        pytest.skip("no python blocks")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run_page(page)


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
