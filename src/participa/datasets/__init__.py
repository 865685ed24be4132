"""Example elections shipped inside the package, so examples run from any folder.

Nine real elections from `pabulib <https://pabulib.org>`_, kept exactly as published
(one, Bródno 2026, shows a file read with anomalies), and the Villa El Salvador
workshop of ``participa demo`` (invented ballots, see :mod:`participa.demo`), as
pabulib files in ``participa/datasets/data/``.

On the command line, name one as ``dataset:NAME`` wherever a file is expected
(``participa tally dataset:lodz-2020-33 --rule mes``); ``participa datasets`` lists
them.

Examples
--------
>>> names()
('lodz-2020-33', 'lodz-2024-teofilow', 'toulouse-2022-1', 'warszawa-2019-miedzeszyn',
 'zurich-s5d10', 'wroclaw-2016-5-250', 'assen-2024', 'krakow-2021-debniki',
 'warszawa-2026-brodno', 'ves-2000')
>>> e = load("lodz-2020-33")
>>> len(e.projects), e.profile.num_voters, e.currency
(5, 237, 'PLN')
>>> load("lodz")
Traceback (most recent call last):
...
participa.errors.ValidationError: unknown dataset 'lodz' (did you mean lodz-2020-33?)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from participa.errors import ValidationError
from participa.i18n import N_, _

if TYPE_CHECKING:
    from participa.io import PabulibFile
    from participa.model import Election

__all__ = ["PREFIX", "describe", "load", "names", "raw", "read"]

PREFIX: Final = "dataset:"
"""How the command line names a shipped dataset in place of a file path."""

_FILES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "lodz-2020-33": (
            "lodz-2020-33.pb.gz",
            N_("Łódź 2020, district 33 (pabulib): approval, 5 projects, 237 voters, PLN"),
        ),
        "lodz-2024-teofilow": (
            "lodz-2024-teofilow.pb.gz",
            N_(
                "Łódź 2024, Teofilów-Wielkopolska (pabulib): approval, 15 projects, "
                "7,392 voters, PLN"
            ),
        ),
        "toulouse-2022-1": (
            "toulouse-2022-1.pb.gz",
            N_("Toulouse 2022, sector 1 (pabulib): approval, 10 projects, 972 voters, EUR"),
        ),
        "warszawa-2019-miedzeszyn": (
            "warszawa-2019-miedzeszyn.pb.gz",
            N_("Warszawa 2019, Międzeszyn (pabulib): approval, 5 projects, 295 voters, PLN"),
        ),
        "zurich-s5d10": (
            "zurich-s5d10.pb.gz",
            N_("Zürich, S5D10 (pabulib): cumulative, 24 projects, 180 voters, CHF"),
        ),
        "wroclaw-2016-5-250": (
            "wroclaw-2016-5-250.pb.gz",
            N_("Wrocław 2016, district 5 (pabulib): choose-1, 12 projects, 5,624 voters, PLN"),
        ),
        "assen-2024": (
            "assen-2024.pb.gz",
            N_("Assen 2024, Top Idee (pabulib): approval, 14 projects, 84 voters, EUR"),
        ),
        "krakow-2021-debniki": (
            "krakow-2021-debniki.pb.gz",
            N_("Kraków 2021, Dębniki (pabulib): ordinal, 28 projects, 5,698 voters, PLN"),
        ),
        "warszawa-2026-brodno": (
            "warszawa-2026-brodno.pb.gz",
            N_(
                "Warszawa 2026, Bródno (pabulib, read with anomalies): approval, 29 projects, "
                "1,446 voters, PLN"
            ),
        ),
        "ves-2000": (
            "ves-2000.pb",
            N_(
                "Villa El Salvador 2000, Sector 3 workshop (the demo's invented ballots, "
                "net costs after co-financing): approval, 8 projects, 240 voters, PEN"
            ),
        ),
    }
)


def names() -> tuple[str, ...]:
    """The shipped datasets' names."""
    return tuple(_FILES)


def describe() -> dict[str, str]:
    """``{name: one-line description}`` in the current language."""
    return {name: _(text) for name, (_file, text) in _FILES.items()}


def _entry(name: str) -> str:
    found = _FILES.get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(_FILES), n=1, cutoff=0.3)
        close += [n for n in _FILES if n.startswith(name) and n not in close]
        hint = (
            _("did you mean {name}?", name=close[0])
            if close
            else _("use one of: {choices}", choices=", ".join(_FILES))
        )
        raise ValidationError(_("unknown dataset {name!r}", name=name), hint=hint)
    return found[0]


def raw(name: str) -> bytes:
    """The dataset's file, as bytes (a pabulib ``.pb``, gzipped or not)."""
    return resources.files(__name__).joinpath("data", _entry(name)).read_bytes()


def read(name: str) -> PabulibFile:
    """The dataset read as a pabulib file (election and reader warnings)."""
    from participa.io import read_pabulib

    file = _entry(name)
    return read_pabulib(raw(name), name=file)


def load(name: str) -> Election:
    """The dataset's :class:`~participa.model.Election`.

    Parameters
    ----------
    name
        One of :func:`names` (a leading ``dataset:`` is accepted).
    """
    return read(name.removeprefix(PREFIX)).election
