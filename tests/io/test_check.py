"""participa check: shipped examples are checked by their dataset: name."""

from __future__ import annotations

import io

from participa.io.check import check_files


def test_datasets_are_checked_by_name() -> None:
    out = io.StringIO()
    assert check_files(["dataset:lodz-2020-33"], out) == 0
    assert out.getvalue() == "dataset:lodz-2020-33: clean\n"
    out = io.StringIO()
    assert check_files(["dataset:warszawa-2026-brodno"], out) == 1
    assert "[duplicate-project]" in out.getvalue()
    out = io.StringIO()
    assert check_files(["dataset:lodz"], out) == 2
    assert "unknown dataset 'lodz'" in out.getvalue()
