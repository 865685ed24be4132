"""Shared pytest configuration: Hypothesis profiles and corpus paths."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.register_profile("fast", max_examples=8, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder with the pabulib dev corpus (``*.pb.gz``) and ``expected.json``."""
    return DATA


# The fast loop (CONTRIBUTING.md): `HYPOTHESIS_PROFILE=fast pytest -m "not slow"`. Tests that
# build the docs, start processes, run benchmarks or replay whole corpora are slow; so are the
# conformance runs over every dev-corpus file. CI runs everything.
SLOW = (
    "tests/testing/test_check_rule.py::test_broken_rules_are_caught",
    "tests/perf/test_bench.py",
    "tests/benchmarks/",
    "tests/io/test_fuzz_pabulib.py::test_seeded_fuzz_campaign",
    "tests/view/test_reference.py",
    "tests/docs/test_pages.py::test_console_blocks_run",
    "tests/test_notebook.py",
    "tests/batch/test_batch.py::test_dask",
    "tests/phases/test_stateful.py",
    "tests/rules/test_conformance.py",
    "tests/rules/test_mes_conformance.py",
    "tests/rules/test_differential.py",
    "test_corpus_matches_the_reference_source",
    "tests/serialize/test_registry.py::test_every_sampled_value_round_trips_in_a_fresh_process",
    "tests/cli/test_wheel.py",
    "tests/perf/test_replay.py",
    "tests/perf/test_startup.py",
    "tests/cli/test_helpful.py",  # one participa subprocess per test
    "tests/cli/test_commands.py",  # likewise
    "tests/io/test_csv.py::test_pabulib_to_csv_and_back_is_exact",  # 31 real files
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(s in item.nodeid for s in SLOW):
            item.add_marker(pytest.mark.slow)


def _load_benchmark(file: str) -> ModuleType:
    """A script of ``benchmarks/`` imported as a module (it is not a package)."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / file
    name = f"participa_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """``benchmarks/bench.py``, freshly imported for each test module."""
    return _load_benchmark("bench.py")


@pytest.fixture(scope="module")
def bench_head() -> ModuleType:
    """``benchmarks/bench_head.py``, freshly imported for each test module."""
    return _load_benchmark("bench_head.py")
