"""``python -m participa`` and the ``participa`` command: the command-line interface.

The command runs numpy's BLAS on one thread unless the environment says otherwise
(``OPENBLAS_NUM_THREADS``): the rules only ever hand it short vectors, where a second
thread only spins, and ``participa replay --jobs N`` runs its files in N processes,
each on one core. This is set here, before numpy is loaded, and only when participa is
the program being run, never when it is imported.
"""

from __future__ import annotations

import os
from typing import NoReturn

__all__ = ["main"]

BLAS_THREADS = "OPENBLAS_NUM_THREADS"
"""The variable the numpy wheels' OpenBLAS reads once, when numpy is loaded."""


def main() -> NoReturn:
    """Run the command line (:func:`participa.cli.main`) with one BLAS thread by default."""
    os.environ.setdefault(BLAS_THREADS, "1")
    from participa.cli import main as cli_main

    cli_main()


if __name__ == "__main__":  # pragma: no cover
    main()
