"""What the ``tools/make_expected_*`` scripts share: time-limited calls, the dev corpus parsed.

These scripts record the outcomes of pabutools (GPL-3.0, a test oracle only, never
imported by participa) on ``tests/data``; they run with the project's virtualenv from
the repository root.
"""

from __future__ import annotations

import gzip
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pabutools.election import parse_pabulib

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


class CallTimeoutError(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise CallTimeoutError


def timed(fn: Any, *args: Any, limit: int, **kw: Any) -> tuple[Any, float] | None:
    """``(fn(*args, **kw), seconds)``, or ``None`` if it did not finish in ``limit`` seconds."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    start = time.perf_counter()
    try:
        return fn(*args, **kw), time.perf_counter() - start
    except CallTimeoutError:
        return None
    finally:
        signal.alarm(0)


def dev_corpus(wanted: Callable[[str], bool]) -> Iterator[tuple[str, Any, Any]]:
    """``(name, instance, profile)`` of each ``tests/data/*.pb.gz`` whose name is ``wanted``."""
    for path in sorted(DATA.glob("*.pb.gz")):
        name = path.name.removesuffix(".pb.gz")
        if not wanted(name):
            continue
        with (
            gzip.open(path, "rt", encoding="utf-8") as fh,
            tempfile.NamedTemporaryFile("w", suffix=".pb", delete=False, encoding="utf-8") as tmp,
        ):
            tmp.write(fh.read())
        instance, profile = parse_pabulib(tmp.name)
        Path(tmp.name).unlink()
        yield name, instance, profile
