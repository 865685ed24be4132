"""Reading and writing election data: pabulib ``.pb`` files.

JSON for every value lives in :mod:`participa.serialize` (``participa.dumps`` /
``participa.loads``).

>>> from participa.io import read_pabulib_text, write_pabulib
>>> callable(read_pabulib_text) and callable(write_pabulib)
True
"""

from __future__ import annotations

from participa.io.pabulib import (
    ANOMALY_CODES,
    Anomaly,
    AnomalyWarning,
    FileWarning,
    Limits,
    PabulibFile,
    load_election,
    read_pabulib,
    read_pabulib_text,
    write_pabulib,
    write_pabulib_file,
)

__all__ = [
    "ANOMALY_CODES",
    "Anomaly",
    "AnomalyWarning",
    "FileWarning",
    "Limits",
    "PabulibFile",
    "load_election",
    "read_pabulib",
    "read_pabulib_text",
    "write_pabulib",
    "write_pabulib_file",
]
