#!/usr/bin/env python3
"""Peak memory of the pabulib reader against each file's decompressed size (issue #12.2).

    python benchmarks/reader_memory.py [DIR_OR_FILES ...] [--top 15] [--json]

For every ``.pb`` / ``.pb.gz`` file (default: the whole public pabulib snapshot at
``$PARTICIPA_PABULIB_SNAPSHOT`` or ``/work/pabulib_snapshot/pb_files``) it reads the file
with :func:`participa.read_pabulib` under :mod:`tracemalloc` (which also counts numpy's
buffers) and reports the peak of traced memory during the read over the decompressed
size. The target is "linear in the input and at most ~10x the decompressed size". The
peak includes the file's bytes and its decoded text (the reader needs both); it is
measured in this one process, file after file, with the peak reset before each file
(after one warm-up read, and a file above 10x is read a second time and its lower peak
kept, so a module imported lazily by the first file with some feature counts for no file).

It prints the worst files (ratio, peak, size, voters, distinct ballots, projects, kind),
then the worst ratio over all files read, and the count of files that raised.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import sys
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

DEFAULT = Path(os.environ.get("PARTICIPA_PABULIB_SNAPSHOT", "/work/pabulib_snapshot/pb_files"))


def _files(args: list[str]) -> list[Path]:
    roots = [Path(a) for a in args] or [DEFAULT]
    out: list[Path] = []
    for root in roots:
        if root.is_dir():
            out.extend(sorted(p for p in root.iterdir() if p.name.endswith((".pb", ".pb.gz"))))
        else:
            out.append(root)
    return out


def _size(path: Path) -> int:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return len(fh.read())
    return path.stat().st_size


def _warm_up() -> None:
    """One read of a tiny file first: lazy imports and message catalogs are not the files'."""
    from participa import read_pabulib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read_pabulib(
            b"META\nkey;value\nbudget;5\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
            b"p;5\nVOTES\nvoter_id;vote\nv;p,p\n"
        )


def measure(path: Path) -> dict[str, Any]:
    """One file's read under tracemalloc: peak bytes, ratio to the decompressed size."""
    from participa import read_pabulib

    size = _size(path)
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pb = read_pabulib(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    prof = pb.election.profile
    return {
        "file": path.name,
        "bytes": size,
        "peak": peak,
        "ratio": peak / max(size, 1),
        "voters": prof.num_voters,
        "groups": prof.num_groups,
        "projects": len(prof.project_ids),
        "kind": prof.kind.value,
        "matrix_dtype": str(prof.matrix.dtype),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help="files or folders (default: the snapshot)")
    ap.add_argument("--top", type=int, default=15, help="how many of the worst files to list")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = ap.parse_args(argv)
    files = _files(args.paths)
    if not files:
        print(f"no pabulib files under {args.paths or DEFAULT}", file=sys.stderr)
        return 2
    _warm_up()
    rows: list[dict[str, Any]] = []
    failed: list[tuple[str, str]] = []
    t0 = time.perf_counter()
    for path in files:
        try:
            row = measure(path)
            if row["ratio"] > 10:  # again: a first read of some feature imports lazily
                row = min(row, measure(path), key=lambda r: r["peak"])
            rows.append(row)
        except Exception as exc:  # a benchmark lists what failed and goes on
            failed.append((path.name, f"{type(exc).__name__}: {exc}"[:200]))
    rows.sort(key=lambda r: -r["ratio"])
    big = [r for r in rows if r["bytes"] >= 1 << 20]
    mid = [r for r in rows if r["bytes"] >= 1 << 18]
    # linear: peak <= 10 x size + a constant; the constant every file needs
    excess = max(rows, key=lambda r: r["peak"] - 10 * r["bytes"]) if rows else None
    summary = {
        "files": len(files),
        "read": len(rows),
        "failed": failed,
        "worst": rows[: args.top],
        "worst_over_1mb": big[:5],
        "worst_over_256kb": mid[:5],
        "largest_excess_over_10x": excess,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0 if not failed else 1
    print(f"{len(rows)} of {len(files)} files read in {summary['seconds']} s; {len(failed)} failed")
    print("| file | decompressed | peak | ratio | voters | distinct ballots | projects | kind |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows[: args.top]:
        print(
            f"| {r['file']} | {r['bytes'] / 1e6:.2f} MB | {r['peak'] / 1e6:.1f} MB | "
            f"{r['ratio']:.1f}× | {r['voters']:,} | {r['groups']:,} | {r['projects']} | "
            f"{r['kind']} ({r['matrix_dtype']}) |"
        )
    for label, group in (("1 MiB", big), ("256 KiB", mid)):
        if group:
            r = group[0]
            print(f"worst file of at least {label}: {r['file']} {r['ratio']:.1f}×")
    if excess is not None:
        extra = (excess["peak"] - 10 * excess["bytes"]) / 1e6
        print(
            f"every file: peak <= 10 × size + {max(extra, 0):.2f} MB "
            f"(the constant set by {excess['file']})"
        )
    for name, why in failed:
        print(f"FAILED {name}: {why}")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
