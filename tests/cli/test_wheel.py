"""A wheel built from the tree works away from the sources: the README's CLI examples run
from an unrelated folder with participa installed from the wheel (no clone on the path)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from docs_runner import ROOT, blocks

pytestmark = pytest.mark.slow


def _readme_commands() -> list[str]:
    return [
        line[2:].strip()
        for block in blocks(ROOT / "README.md", "console")
        for line in block.splitlines()
        if line.startswith("$ participa ")
    ]


def test_readme_cli_examples_run_from_a_wheel_in_an_unrelated_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if build.returncode != 0 and "hatchling" in build.stderr and "Could not" in build.stderr:
        pytest.skip(f"building the wheel needs hatchling from PyPI: {build.stderr[-300:]}")
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("participa-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    # numpy and attrs come from the test environment's site-packages, read as a plain path
    # (so its editable participa, installed by a .pth there, is NOT picked up)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PARTICIPA_LANG"}}
    where = subprocess.run(
        [str(python), "-c", "import participa; print(participa.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(purelib), where  # the wheel's copy, not the clone

    commands = _readme_commands()
    assert len(commands) >= 5
    script = bindir / "participa"
    for command in commands:
        argv = shlex.split(command)[1:]
        proc = subprocess.run(
            [str(script), *argv],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert proc.returncode == 0, f"`{command}` failed:\n{proc.stderr}"
        assert proc.stdout.strip(), f"`{command}` printed nothing"
    spanish = subprocess.run(
        [
            str(script),
            "tally",
            "dataset:ves-2000",
            "--rule",
            "mes",
            "--lang",
            "es",
            "--format",
            "csv",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert spanish.stdout.startswith("puesto,id,nombre,votos,costo,financiamiento,seleccionado")
    assert list(elsewhere.iterdir()) == []
