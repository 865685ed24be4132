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

from docs_runner import ROOT, blocks, run_page

PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]


#: Amounts some how-tos print, read in the election's, outcome's or round's own currency.
MONEY_SHOWN = {
    "round.md": ["assignment S/ 2,000,000.00", "S1 greedy", "S/ 247,500.00", "S/ 442,500.00"],
    "per-head.md": ["cost  S/ 150,000.00  gets   S/ 70,000.00", "finished: S/ 150,000.00"],
    "allocation.md": ["rounded: S/ 340,515.44", "{'S/ 10,000.00'}", "S/ 60,000.00 S/ 10,000.00"],
    "feasibility.md": ["{'expediente_tecnico': 'S/ 8,000.00', 'obra': 'S/ 140,000.00'}"],
    "plan.md": ["S1         S/ 42,000.00"],
    "howto-pabulib.md": ["PLN 137,672 = 137672 minor units", "PLN 135,940 of PLN 137,672 spent"],
}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not blocks(page, "python"):
        pytest.skip("no python blocks")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    _namespace, out = run_page(page)
    missing = [text for text in MONEY_SHOWN.get(page.name, []) if text not in out]
    assert not missing, f"{page.name} no longer prints {missing}:\n{out}"


def test_pages_print_money_with_its_currency() -> None:
    """How-tos show amounts with a Currency (``election.money.format(x)``), not by hand."""
    by_hand = re.compile(r"format_amount\(|to_text\([^)]*\b(minor_per_unit=|currency=[\"'])")
    found = [
        f"{page.relative_to(ROOT)}: {line.strip()}"
        for page in PAGES
        for block in blocks(page, "python")
        for line in block.splitlines()
        if by_hand.search(line)
    ]
    assert not found, "\n".join(found)


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
