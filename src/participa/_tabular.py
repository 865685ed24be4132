"""``to_rows`` / ``to_csv`` / ``to_frame`` for the values :mod:`participa.tables` lays out.

One mixin instead of the same three methods on every class; nothing heavy is imported
until a method is called.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Tabular"]


class Tabular:
    """Gives a value the table methods of :func:`participa.tables.table`."""

    __slots__ = ()

    def to_rows(self) -> list[tuple[Any, ...]]:
        """Column keys, then typed rows (money in minor units) (:mod:`participa.tables`)."""
        from participa.tables import table

        return table(self).to_rows()

    def to_csv(self) -> str:
        """The table as CSV (money in minor units) (:mod:`participa.tables`)."""
        from participa.tables import table

        return table(self).to_csv()

    def to_frame(self) -> Any:
        """The table as a pandas ``DataFrame`` (extra ``pandas``)."""
        from participa.tables import table

        return table(self).to_frame()
