"""The benchmark's quick mode (run by CI) fails when outcomes stop agreeing."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest


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


def test_markdown_prints_the_readme_tables(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--quick", "--rules", "greedy_cost", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Machine: ")
    assert "| election | task | agree |" in out
    assert " ms" not in out  # quick mode prints no time, in Markdown too
    report = {
        "machine": bench.machine(),
        "files": [
            {
                "file": "x.pb",
                "voters": 1000,
                "distinct_ballots": 10,
                "projects": 3,
                "rows": [
                    {
                        "task": "parse",
                        "participa_s": 0.01,
                        "pabutools_s": 0.3,
                        "ratio": 30.0,
                        "mb": 1.0,
                        "participa_mb_s": 100.0,
                        "pabutools_mb_s": 3.33,
                    },
                    {
                        "task": "greedy_cost",
                        "participa_s": 0.002,
                        "pabutools_s": 1.5,
                        "ratio": 750.0,
                        "agree": True,
                    },
                ],
            }
        ],
        "replay": {
            "folder": "d",
            "serial": {
                "seconds": 4.5,
                "cpu_seconds": 4.2,
                "files": 1746,
                "ok": 1570,
                "matches": 1357,
                "comparable": 1396,
            },
            "cli": {
                "jobs 1": {
                    "seconds": 5.0,
                    "cpu_seconds": 4.8,
                    "load_1": 0.1,
                    "runs": [{"cpu_seconds": c} for c in (4.91, 4.8, 4.75)],
                },
                "jobs 2": {"seconds": 2.6, "cpu_seconds": 5.1, "load_1": 0.2},
                "identical_reports": True,
            },
        },
    }
    table = bench.markdown(report)
    assert "| x.pb (1,000 voters, 10 distinct ballots, 3 projects, 1.00 MB) | parse | " in table
    assert "10.0 ms (100.0 MB/s) | 300 ms (3.33 MB/s) | 30× |" in table
    assert "| greedy_cost | 2.0 ms | 1,500 ms | 750× | True |" in table
    assert "| serial | 4.5 s | 4.2 s | 1,746 | 1,570 | 1,357 / 1,396 |" in table
    assert "| `participa replay` process (median of 3) |" in table
    assert "| `--jobs 1` | 5.00 s | 4.80 s | 4.91, 4.80, 4.75 | 0.1 |" in table
    assert "| `--jobs 2` | 2.60 s | 5.10 s | 5.10 | 0.2 |" in table  # (one run: its own)
    assert "JSON reports of every run byte-identical: yes." in table
