"""The built API reference has an entry for every public name.

Builds the documentation with mkdocs (as CI does) and reads the inventory mkdocstrings
writes (``objects.inv``): every name in ``participa.__all__``, ``participa.rules.__all__``
and the ``__all__`` of every other public module must be documented, either where it is
exported (``participa.rules.per_head``) or where it is defined
(``participa.rules.greedy.greedy``).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from types import ModuleType

import pytest

import participa

ROOT = Path(__file__).resolve().parents[2]


def public_modules() -> list[ModuleType]:
    names = ["participa"] + [
        f"participa.{m.name}"
        for m in pkgutil.iter_modules(participa.__path__)
        if not m.name.startswith("_")
    ]
    mods = [importlib.import_module(n) for n in names]
    return [m for m in mods if hasattr(m, "__all__")]


def documented_as(module: ModuleType, name: str) -> set[str]:
    """The inventory names that count as an entry for ``module.name``."""
    obj = getattr(module, name)
    found = {f"{module.__name__}.{name}"}
    if isinstance(obj, ModuleType):
        found.add(obj.__name__)
    where, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(where, str) and isinstance(qualname, str):
        found.add(f"{where}.{qualname}")
    return found


def inventory(site: Path) -> set[str]:
    data = (site / "objects.inv").read_bytes()
    header_end = 0
    for _ in range(4):  # four text lines, then the zlib stream
        header_end = data.index(b"\n", header_end) + 1
    body = zlib.decompress(data[header_end:]).decode("utf-8")
    return {line.split(" ", 1)[0] for line in body.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")
    if mkdocs is None:
        pytest.skip("mkdocs is not installed (the docs extra)")
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [mkdocs, "build", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return inventory(site)


def test_the_public_modules_are_found() -> None:
    names = {m.__name__ for m in public_modules()}
    assert {"participa", "participa.rules", "participa.display", "participa.plots"} <= names


def test_every_public_name_has_a_reference_entry(built: set[str]) -> None:
    missing = [
        f"{m.__name__}.{name}"
        for m in public_modules()
        for name in m.__all__
        if not name.startswith("__") and not documented_as(m, name) & built
    ]
    assert not missing, "public names without a reference entry:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", ["greedy", "equal_shares", "phragmen", "declared"])
def test_the_rules_the_issue_named(built: set[str], name: str) -> None:
    from participa import rules

    assert name in rules.__all__
    assert documented_as(rules, name) & built
