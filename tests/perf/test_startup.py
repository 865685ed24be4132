"""``import participa`` is lazy: no stage, no sqlite3 until a name is used; every name resolves."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import participa

STAGES = (
    "participa.allocation",
    "participa.analysis",
    "participa.cofinancing",
    "participa.feasibility",
    "participa.io",
    "participa.ledger",
    "participa.phases",
    "participa.process",
    "participa.rules",
    "participa.store",
)


def _fresh(code: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    modules: list[str] = json.loads(proc.stdout)
    return modules


def test_import_participa_loads_no_stage_and_no_sqlite3() -> None:
    modules = _fresh("import participa")
    assert "participa" in modules
    assert "sqlite3" not in modules
    assert not [m for m in modules if m in STAGES]


def test_a_name_loads_only_what_it_needs() -> None:
    modules = _fresh("import participa; participa.Project('a', 1)")
    assert "participa.model" in modules
    assert "sqlite3" not in modules
    assert "participa.store" not in modules
    modules = _fresh("from participa import SQLiteStore")
    assert "sqlite3" in modules


def test_every_public_name_resolves() -> None:
    for name in participa.__all__:
        assert getattr(participa, name) is not None, name
    assert set(participa.__all__) <= set(dir(participa))


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from participa import *", namespace)
    assert set(participa.__all__) <= set(namespace)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        participa.no_such_name  # noqa: B018


def test_every_submodule_is_an_attribute_as_in_0_1_0() -> None:
    modules = _fresh("import participa; participa.model.Project('a', 1); participa.batch.Job")
    assert "participa.model" in modules
    assert "participa.batch" in modules
