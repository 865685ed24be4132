"""The benchmark's quick mode (run by CI) fails when outcomes stop agreeing."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("participa_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["participa_bench"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_quick_mode_passes_and_reports_json(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--quick", "--rules", "greedy_cost,phragmen", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["disagreements"] == []
    rows = [row for f in report["files"] for row in f["rows"]]
    assert sum(1 for row in rows if row.get("agree") is True) >= 4
    assert all("participa_s" in row for row in rows)


def test_quick_mode_fails_on_a_disagreement(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = bench.participa_rule

    def wrong(key: str, election: Any) -> list[str]:
        return real(key, election)[1:]  # drop one winner

    monkeypatch.setattr(bench, "participa_rule", wrong)
    assert bench.main(["--quick", "--rules", "greedy_cost"]) == 1
    assert "DISAGREEMENT" in capsys.readouterr().out


def test_quick_mode_without_pabutools_uses_expected_json(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench, "have_pabutools", lambda: False)
    assert bench.main(["--quick", "--rules", "mes_cost", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = [row for f in report["files"] for row in f["rows"] if row["task"] == "mes_cost"]
    assert rows
    assert all(row.get("checked_against") == "expected.json" for row in rows)
    assert all(row["agree"] for row in rows)


def test_unknown_rule_key_is_refused(bench: ModuleType) -> None:
    with pytest.raises(SystemExit):
        bench.main(["--quick", "--rules", "nope"])
