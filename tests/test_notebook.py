"""The example notebook under docs/ runs top to bottom and shows its tables and plots."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "explore.ipynb"


def test_notebook_executes_and_shows_tables_and_plots() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    results = [o for o in outputs if o.output_type == "execute_result"]
    html = [o for o in results if "text/html" in o.data]
    assert len(html) >= 4, "the election, outcome, diagnostics and comparison render as HTML"
    pictures = [o for o in results if "image/png" in o.data]
    # funding_vs_cost, rule_comparison and the Spanish funding_vs_cost: each cell shows a picture
    assert len(pictures) == 3, [sorted(o.data) for o in results]
    assert all(o.data["image/png"].startswith("iVBOR") for o in pictures)  # base64 of a PNG
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "PLN" in text, "amounts print as money"
    assert "seleccionados" in text or "asignados" in text, "the Spanish cell prints Spanish"
