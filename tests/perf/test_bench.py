"""benchmarks/bench.py: the machine header, --quick without timings, snapshot discovery."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest


def test_quick_prints_agreement_and_the_machine_but_no_timing(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--quick", "--rules", "greedy_cost,phragmen"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].startswith("machine: ")
    assert "numpy" in lines[0]
    assert "pabutools" in lines[0]
    rows = [line for line in lines if " agree " in line]
    assert len(rows) >= 6
    for line in rows:
        assert "ratio" not in line
        assert " ms" not in line


def test_quick_json_has_no_ratio(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick", "--rules", "greedy_cost", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["machine"]["cores"] >= 1
    rows = [row for f in report["files"] for row in f["rows"]]
    assert rows
    assert all("ratio" not in row for row in rows)


def test_snapshot_option_environment_and_absence(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "DEFAULT_SNAPSHOT", tmp_path / "absent")
    monkeypatch.delenv("PARTICIPA_PABULIB_SNAPSHOT", raising=False)
    assert bench.snapshot_dir(None) is None
    assert bench.snapshot_dir(tmp_path) == tmp_path
    monkeypatch.setenv("PARTICIPA_PABULIB_SNAPSHOT", str(tmp_path))
    assert bench.snapshot_dir(None) == tmp_path
    assert bench.snapshot_dir(tmp_path / "missing") == tmp_path


def test_big_without_snapshot_is_skipped(
    bench: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(bench, "DEFAULT_SNAPSHOT", tmp_path / "absent")
    monkeypatch.delenv("PARTICIPA_PABULIB_SNAPSHOT", raising=False)
    assert bench.main(["--big", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == []
