"""The allocation package keeps every public name importable and each module small."""

from __future__ import annotations

from pathlib import Path

import participa.allocation as allocation
import participa.cofinancing as cofinancing

# 0.1.0's public names of participa.allocation, with the three renamed or removed ones
# replaced by their successors (see changes/base.md).
OLD_NAMES = [
    "Allocation", "CriterionShare", "CrossAllocation", "Envelope", "Formula",
    "Normalisation", "Reserve", "ReservePurpose", "Rounding", "TerritoryAllocation",
    "TreeAllocation", "allocate", "allocate_levels", "apportion", "bounded_quotas",
    "cross_allocate", "dhondt", "proportional", "sainte_lague", "sjm_formula", "ves_formula",
]  # fmt: skip
RENAMED = {"Criterion": "WeightedCriterion", "equal_split": "split_equally"}


def test_every_public_name_still_imports() -> None:
    for name in [*OLD_NAMES, *RENAMED.values(), "pool"]:
        assert name in allocation.__all__
        assert getattr(allocation, name) is not None
    for old in RENAMED:
        assert not hasattr(allocation, old), f"{old} was renamed: it must not linger"


def test_no_module_over_800_lines() -> None:
    for package in (allocation, cofinancing):
        folder = Path(package.__file__).parent
        for path in folder.glob("*.py"):
            lines = path.read_text(encoding="utf-8").count("\n")
            assert lines <= 800, f"{path.name} has {lines} lines"


def test_names_that_cannot_be_confused() -> None:
    import participa
    from participa.rules import equal_split

    assert not hasattr(participa, "Criterion")
    assert participa.TieCriterion.ID.value == "id"
    assert participa.equal_split is equal_split  # the rule; the envelope split is split_equally
