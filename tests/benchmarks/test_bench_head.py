"""The reference-source benchmark: skips cleanly without it, compares outcomes with it."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


def test_skips_without_the_reference_interpreter(
    bench_head: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(bench_head, "HEAD_PYTHON", tmp_path / "no-python")
    assert bench_head.main(["--cases", "cstv_mtc"]) == 0
    assert "not found" in capsys.readouterr().out
    assert bench_head.main(["--cases", "cstv_mtc", "--require-head"]) == 2


def test_every_case_names_a_registered_rule(bench_head: ModuleType) -> None:
    from participa.rules.registry import RULES

    for key, (name, _options, call, file_name) in bench_head.CASES.items():
        assert name in RULES, key
        kinds = ("cstv", "maximin", "online", "ees", "ees_addopt", "pb_ear", "ordered_relax")
        assert call.split(":")[0] in (*kinds, "bos", "fractional"), key
        assert f'kind == "{call.split(":")[0]}"' in bench_head.CHILD, key
        assert file_name.endswith(".pb.gz"), key


def test_outcomes_agree_with_the_reference(
    bench_head: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    if not bench_head.HEAD_PYTHON.exists():
        pytest.skip(f"reference interpreter {bench_head.HEAD_PYTHON} not installed")
    small = DATA / "Poland_Warszawa_2019_Miedzeszyn.pb.gz"
    cases = ["online_greedy_cost", "ees_cost", "ordered_relax", "mes_bos", "fractional_mes"]
    args = ["--cases", ",".join(cases), "--file", str(small), "--repeat", "1"]
    assert bench_head.main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["case"] for row in report["rows"]] == cases
    assert all(row["agree"] for row in report["rows"])
    assert all(row["head_samples"] == 1 for row in report["rows"])
    assert all(row["cpu_ratio"] > 0 for row in report["rows"])


def test_a_disagreement_fails(
    bench_head: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not bench_head.HEAD_PYTHON.exists():
        pytest.skip(f"reference interpreter {bench_head.HEAD_PYTHON} not installed")
    import attrs

    from participa.rules import registry

    real = registry.run_rule

    def wrong(*args: object, **kwargs: object) -> object:
        out = real(*args, **kwargs)  # type: ignore[arg-type]
        return attrs.evolve(out, selected=out.selected[1:])  # drop one winner

    monkeypatch.setattr(registry, "run_rule", wrong)
    small = DATA / "Poland_Warszawa_2019_Miedzeszyn.pb.gz"
    args = ["--cases", "online_greedy_cost", "--file", str(small), "--repeat", "1"]
    assert bench_head.main(args) == 1
    assert "DISAGREE" in capsys.readouterr().out


def test_markdown_is_the_readme_table(bench_head: ModuleType) -> None:
    machine = {
        "cpu": "CPU",
        "cores": 2,
        "usable_cores": 2,
        "load_1_5_15": [0.5, 0.4, 0.3],
        "versions": {"python": "3.11", "numpy": "2", "attrs": "26", "participa": "0.1.0"},
    }
    row = {
        "case": "pb_ear",
        "file": "Poland_Krakow_2021_Debniki.pb",
        "voters": 5698,
        "projects": 28,
        "distinct_ballots": 2313,
        "participa_s": 0.002,
        "participa_samples": 5,
        "participa_best_s": 0.0019,
        "head_s": 0.5,
        "head_best_s": 0.48,
        "head_samples": 5,
        "ratio": 250.0,
        "cpu_ratio": 260.0,
        "verdict": "tie-sensitive there",
    }
    slow = {**row, "case": "maximin_support"}
    for k in ("head_s", "head_best_s", "head_samples", "ratio", "cpu_ratio", "verdict"):
        del slow[k]
    slow["timeout"] = 600.0
    report = {
        "machine": machine,
        "head_python": "3.11.7",
        "started": "2026-11-28 14:00",
        "ended": "14:05",
        "rows": [row, slow],
    }
    text = bench_head.markdown(report)
    lines = text.splitlines()
    assert lines[0].startswith("Machine: CPU, 2 cores (2 usable)")
    assert "[0.5, 0.4, 0.3]" in lines[0]
    assert "2026-11-28 14:00–14:05 UTC" in lines[0]
    table = [line for line in lines if line.startswith("| `")]
    assert table[0] == (
        "| `pb_ear` | Poland_Krakow_2021_Debniki (5,698 × 28, 2,313) | 2.0 ms (5) "
        "| 500 ms (5) | 250× / 253× | 260× | tie-sensitive there |"
    )
    assert "timed out (600 s)" in table[1]
