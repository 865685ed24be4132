#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python 3.

    python3 dev.py demo    # run the built-in Villa El Salvador-style demo round
    python3 dev.py test    # every quality gate: ruff, mypy --strict, pytest, docs, bench check

Each command creates ``.venv`` beside this file on first use, installs participa
into it in editable mode with the extras it needs, and is safe to run again: the
install is redone only when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")

EXTRAS = {"demo": "", "test": "[test,docs]"}


def _ensure_env(extras: str) -> None:
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".participa-installed{extras.replace(',', '-')}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing participa{extras} (editable) into {VENV}", flush=True)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    # Fixed argument lists built from our own paths: no shell, no untrusted input.
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)  # noqa: S603
    subprocess.run([*pip, "install", "-e", f"{ROOT}{extras}"], check=True)  # noqa: S603
    stamp.write_text(digest)


def _run(*args: str) -> None:
    print("$", " ".join(args), flush=True)
    env = dict(os.environ)
    env.setdefault("HYPOTHESIS_PROFILE", "ci" if env.get("CI") else "dev")
    env.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's end-of-life banner, not a docs issue
    env.setdefault("MPLBACKEND", "Agg")
    rc = subprocess.run(list(args), cwd=ROOT, env=env, check=False).returncode  # noqa: S603
    if rc != 0:
        sys.exit(rc)


def demo() -> None:
    _ensure_env(EXTRAS["demo"])
    _run(str(PY), "-m", "participa", "demo")


def test() -> None:
    _ensure_env(EXTRAS["test"])
    _run(str(BIN / "ruff"), "check", "src", "tests", "benchmarks", "dev.py")
    _run(str(BIN / "ruff"), "format", "--check", "src", "tests", "benchmarks", "dev.py")
    _run(str(BIN / "mypy"), "--strict", "src/participa")
    _run(str(PY), "-m", "pytest", "-p", "no:cacheprovider", "-q")
    if (ROOT / "mkdocs.yml").exists():
        _run(str(BIN / "mkdocs"), "build", "--strict", "--quiet", "--site-dir", str(VENV / "site"))
    if (ROOT / "benchmarks" / "bench.py").exists():
        _run(str(PY), "benchmarks/bench.py", "--quick")


def main(argv: list[str]) -> None:
    commands = {"demo": demo, "test": test}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    commands[argv[0]]()


if __name__ == "__main__":
    main(sys.argv[1:])
