"""``import participa.testing`` without Hypothesis names the extra to install."""

from __future__ import annotations

import subprocess
import sys

BLOCK = """
import importlib.abc, sys

class NoHypothesis(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoHypothesis())
for name in [m for m in sys.modules if m == "hypothesis" or m.startswith("hypothesis.")]:
    del sys.modules[name]
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_import_error_names_the_extra() -> None:
    proc = _run(
        "try:\n"
        "    import participa.testing\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, '|', exc, '|', exc.name)\n"
    )
    assert proc.returncode == 0, proc.stderr
    kind, message, name = (part.strip() for part in proc.stdout.split("|"))
    assert kind == "ImportError"
    assert "pip install participa[hypothesis]" in message
    assert name == "hypothesis"


def test_the_rest_of_participa_imports_without_hypothesis() -> None:
    proc = _run(
        "import participa, participa.rules, participa.cli, participa.tables, participa.datasets\n"
        "print(participa.datasets.load('lodz-2020-33').profile.num_voters)\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "237"


def test_the_block_is_real() -> None:
    # the finder really hides Hypothesis (so the tests above prove something)
    proc = _run("import hypothesis\n")
    assert proc.returncode != 0
    assert "No module named 'hypothesis'" in proc.stderr
