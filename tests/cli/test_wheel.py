"""A wheel built from the tree works away from the sources: from an unrelated folder, with
participa installed from the wheel into a fresh venv (no clone on the path), the README's CLI
examples, every documentation page's code blocks and the example notebook run."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import attrs
import pytest

from docs_runner import ROOT, blocks

pytestmark = pytest.mark.slow

PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
NOTEBOOK = ROOT / "docs" / "notebooks" / "explore.ipynb"


@attrs.frozen
class Installed:
    python: Path
    bindir: Path
    purelib: str
    elsewhere: Path
    env: dict[str, str]

    def run(self, *argv: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(argv),
            cwd=self.elsewhere,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp_path = tmp_path_factory.mktemp("wheel")
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
    # numpy and attrs (and the docs' matplotlib, the notebook's nbclient and ipykernel) come
    # from the test environment's site-packages, read as a plain path (so its editable
    # participa, installed by a .pth there, is NOT picked up)
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
    env["MPLBACKEND"] = "Agg"
    found = Installed(python, bindir, purelib, elsewhere, env)
    where = found.run(str(python), "-c", "import participa; print(participa.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(purelib), where.stdout  # not the clone
    return found


def _console_commands(page: Path) -> list[str]:
    return [
        line[2:].strip()
        for block in blocks(page, "console")
        for line in block.splitlines()
        if line.startswith("$ participa ")
    ]


def test_readme_cli_examples_run_from_a_wheel_in_an_unrelated_folder(
    installed: Installed,
) -> None:
    commands = _console_commands(ROOT / "README.md")
    assert len(commands) >= 5
    script = str(installed.bindir / "participa")
    for command in commands:
        proc = installed.run(script, *shlex.split(command)[1:], timeout=300)
        assert proc.returncode == 0, f"`{command}` failed:\n{proc.stderr}"
        assert proc.stdout.strip(), f"`{command}` printed nothing"
    spanish = installed.run(
        script, "tally", "dataset:ves-2000", "--rule", "mes", "--lang", "es", "--format", "csv"
    )
    assert spanish.returncode == 0, spanish.stderr
    assert spanish.stdout.startswith("puesto,id,nombre,votos,costo,financiamiento,seleccionado")
    assert list(installed.elsewhere.iterdir()) == []


#: Run by the venv's python: each page's python blocks in order, in one namespace per page.
_PAGE_RUNNER = """
import contextlib, io, json, sys, traceback
pages = json.loads(open(sys.argv[1], encoding="utf-8").read())
failed = []
for name, code in pages.items():
    namespace = {"__name__": "docs:" + name}
    for i, block in enumerate(code, start=1):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(block, f"{name}[block {i}]", "exec"), namespace)
        except Exception:
            failed.append(f"{name}, python block {i}:\\n{traceback.format_exc()}")
            break
    print("ran", name, flush=True)
print("\\n".join(failed), file=sys.stderr)
sys.exit(1 if failed else 0)
"""

#: Run by the venv's python: execute the notebook with a kernel of that same python.
_NOTEBOOK_RUNNER = """
import json, sys
import nbclient, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import participa; print(participa.__file__)"))
nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[2]}}).execute()
outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
print(json.dumps({
    "errors": [o.get("evalue", "") for o in outputs if o.output_type == "error"],
    "pictures": sum(1 for o in outputs
                    if o.output_type == "execute_result" and "image/png" in o.data),
    "participa": nb.cells[-1].outputs[-1]["text"].strip(),
}))
"""


def test_docs_pages_and_notebook_run_from_a_wheel_in_an_unrelated_folder(
    installed: Installed, tmp_path: Path
) -> None:
    pages = {
        str(page.relative_to(ROOT)): blocks(page, "python")
        for page in PAGES
        if blocks(page, "python")
    }
    assert len(pages) >= 10
    assert not [name for name, code in pages.items() for block in code if "tests/data" in block], (
        "pages read the repository's tests/data: use participa.datasets"
    )
    (tmp_path / "pages.json").write_text(json.dumps(pages), encoding="utf-8")
    (tmp_path / "run_pages.py").write_text(_PAGE_RUNNER, encoding="utf-8")
    ran = installed.run(
        str(installed.python), str(tmp_path / "run_pages.py"), str(tmp_path / "pages.json")
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.count("ran ") == len(pages)

    script = str(installed.bindir / "participa")
    commands = [c for page in PAGES if page.name != "README.md" for c in _console_commands(page)]
    assert len(commands) >= 5
    for command in commands:
        proc = installed.run(script, *shlex.split(command)[1:], timeout=300)
        assert proc.returncode == 0, f"`{command}` failed:\n{proc.stderr}"

    (tmp_path / "run_notebook.py").write_text(_NOTEBOOK_RUNNER, encoding="utf-8")
    executed = installed.run(
        str(installed.python),
        str(tmp_path / "run_notebook.py"),
        str(NOTEBOOK),
        str(installed.elsewhere),
    )
    assert executed.returncode == 0, executed.stderr[-3000:]
    result = json.loads(executed.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["pictures"] == 3
    assert Path(result["participa"]).is_relative_to(installed.purelib), result
    assert list(installed.elsewhere.iterdir()) == []
