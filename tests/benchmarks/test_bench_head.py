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
        assert call.split(":")[0] in ("cstv", "maximin", "online", "ees", "pb_ear"), key
        assert file_name.endswith(".pb.gz"), key


def test_outcomes_agree_with_the_reference(
    bench_head: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    if not bench_head.HEAD_PYTHON.exists():
        pytest.skip(f"reference interpreter {bench_head.HEAD_PYTHON} not installed")
    small = DATA / "Poland_Warszawa_2019_Miedzeszyn.pb.gz"
    args = ["--cases", "online_greedy_cost,ees_cost", "--file", str(small), "--repeat", "1"]
    assert bench_head.main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["case"] for row in report["rows"]] == ["online_greedy_cost", "ees_cost"]
    assert all(row["agree"] for row in report["rows"])


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
