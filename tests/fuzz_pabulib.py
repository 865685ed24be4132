"""Standing fuzzing of the pabulib reader: seeded mutations of real files, bounded per input.

Each input is a real pabulib file (cut to its first lines) mutated one to four
times: truncated, bytes flipped, separators and quotes inserted, lines deleted,
duplicated or swapped, huge numbers and counts, bytes that are not UTF-8, gzip
(sometimes truncated), blank-line floods, long lines. The reader may refuse an
input, but only with a :class:`~participa.ParticipaError`; whatever it accepts
must write and read back unchanged. Every input gets a time limit (``--timeout``,
5 s) and the whole run a memory cap (``--memory-mb``, via ``RLIMIT_AS``), so a
hang or a blow-up is reported as an escape rather than taking the machine.

Run it by hand for a long campaign (figures recorded in ``tests/README.md``)::

    .venv/bin/python tests/fuzz_pabulib.py --inputs 100000 --seed 1

The suite runs a short seeded campaign (``tests/io/test_fuzz_pabulib.py``) in a
subprocess. The last line printed is a JSON summary.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import signal
import sys
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path
from types import FrameType

DATA = Path(__file__).resolve().parent / "data"

SEED_FILES = (
    ("Netherlands_Assen_2024.pb.gz", 90),  # approval, CRLF
    ("Switzerland_Zurich_S5D10.pb.gz", 60),  # cumulative, 0 points
    ("Poland_Krakow_2021_Debniki.pb.gz", 70),  # ordinal with a points column
    ("Worldwide_Mechanical_Turk_Knapsack_8.pb.gz", 60),
    ("US_Stanford_Dataset_PB_Greensboro_District_4_2019_vote_knapsacks.pb.gz", 60),
    ("anomalies/Poland_Czestochowa_2020_Grabowka.pb.gz", 60),  # quotes
    ("anomalies/Worldwide_Mechanical_Turk_Utilities_3.pb.gz", 60),  # scoring bounds
    # over 64 KiB of VOTES: the numpy tokenizer's path (smaller sections go line by line)
    ("Poland_Lodz_2024_Teofilow-Wielkopolska.pb.gz", 3_000),
)

HUGE = (
    b"num_votes;999999999999",
    b"num_projects;999999999999",
    b"max_length;999999999999",
    b"min_length;-5",
    b"max_sum_points;99999999999999999999999",
    b"budget;9" + b"9" * 70,
    b"budget;1e400",
    b"min_points;1",
    b'description;"a;b"',
)
INSERTS = (b";", b",", b'"', b"\n", b"\r", b"\r\n", b"\x00", b" ", b"\xef\xbb\xbf", b"-")


class InputTimeoutError(Exception):
    """An input took longer than the time limit."""


def seeds() -> list[bytes]:
    out = []
    for name, lines in SEED_FILES:
        text = gzip.decompress((DATA / name).read_bytes())
        out.append(b"\n".join(text.split(b"\n")[:lines]) + b"\n")
    return out


def mutate(rng: random.Random, data: bytes) -> tuple[bytes, list[str]]:
    """One to four random mutations of ``data``; returns the bytes and the operations."""
    buf = bytearray(data)
    ops = []
    for _ in range(rng.choice((1, 1, 1, 2, 3, 4))):
        op = rng.choice(
            (
                "truncate",
                "flip",
                "insert",
                "huge",
                "separator",
                "delete-line",
                "duplicate-line",
                "swap-lines",
                "non-utf8",
                "gzip",
                "blank-flood",
                "long-line",
                "digits",
            )
        )
        ops.append(op)
        n = len(buf)
        lines = bytes(buf).split(b"\n")
        if op == "truncate":
            del buf[rng.randint(0, n) :]
        elif op == "flip" and n:
            buf[rng.randrange(n)] = rng.randrange(256)
        elif op == "insert":
            i = rng.randint(0, n)
            buf[i:i] = rng.choice(INSERTS)
        elif op == "huge":
            huge = rng.choice(HUGE)
            key = huge.split(b";")[0] + b";"
            same = [k for k, ln in enumerate(lines) if ln.startswith(key)]
            if same:
                lines[same[0]] = huge
            else:
                lines.insert(rng.randint(min(2, len(lines)), len(lines)), huge)
            buf = bytearray(b"\n".join(lines))
        elif op == "separator":
            old, new = rng.choice((b";", b",")), rng.choice((b",", b"\t", b";", b"|"))
            buf = bytearray(bytes(buf).replace(old, new, rng.randint(1, 40)))
        elif op in ("delete-line", "duplicate-line", "swap-lines"):
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if op == "delete-line":
                del lines[i]
            elif op == "duplicate-line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            buf = bytearray(b"\n".join(lines))
        elif op == "non-utf8":
            i = rng.randint(0, n)
            buf[i:i] = rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82"))
        elif op == "gzip":
            buf = bytearray(gzip.compress(bytes(buf), mtime=0))
            if rng.random() < 0.5:
                del buf[rng.randint(0, len(buf)) :]
        elif op == "blank-flood":
            i = rng.randint(0, n)
            buf[i:i] = b"\n" * rng.choice((10, 1_000, 100_000))
        elif op == "long-line":
            i = rng.randint(0, n)
            buf[i:i] = rng.choice((b"a", b"1", b"a,")) * rng.choice((1_000, 200_000))
        elif op == "digits":
            i = rng.randint(0, n)
            buf[i:i] = b"9" * rng.choice((5, 19, 30, 5_000))
    return bytes(buf), ops


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise InputTimeoutError


def campaign(inputs: int, seed: int, timeout: float) -> dict[str, object]:
    """Read ``inputs`` mutated files; count refusals, readings and escapes."""
    from participa.errors import ParticipaError
    from participa.io import AnomalyWarning, read_pabulib, read_pabulib_text, write_pabulib

    warnings.simplefilter("ignore", AnomalyWarning)
    base = seeds()
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    escapes: list[dict[str, object]] = []
    slowest = 0.0
    use_alarm = hasattr(signal, "setitimer")
    if use_alarm:
        signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    for k in range(inputs):
        data, ops = mutate(rng, rng.choice(base))
        t0 = time.perf_counter()
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            try:
                pb = read_pabulib(data, name="fuzz.pb")
            except ParticipaError:
                counts["refused"] += 1
                continue
            text = write_pabulib(pb.election)
            if read_pabulib_text(text).election != pb.election:
                counts["round-trip-failed"] += 1
                escapes.append({"input": k, "ops": ops, "error": "round trip differs"})
            else:
                counts["read"] += 1
        except InputTimeoutError:
            counts["timeout"] += 1
            escapes.append({"input": k, "ops": ops, "error": f"over {timeout} s"})
        except Exception as exc:  # escapes are what this run looks for
            counts["escaped"] += 1
            escapes.append(
                {
                    "input": k,
                    "ops": ops,
                    "error": repr(exc)[:200],
                    "where": traceback.format_exc(limit=-2)[-400:],
                }
            )
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
            slowest = max(slowest, time.perf_counter() - t0)
    return {
        "inputs": inputs,
        "seed": seed,
        "seconds": round(time.perf_counter() - start, 1),
        "slowest_input_s": round(slowest, 3),
        **dict(counts),
        "escapes": escapes[:20],
        "escape_count": len(escapes),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--inputs", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per input")
    ap.add_argument("--memory-mb", type=int, default=2_048, help="address-space cap (RLIMIT_AS)")
    args = ap.parse_args(argv)
    try:
        import resource

        cap = args.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # not on this platform: run uncapped
        pass
    summary = campaign(args.inputs, args.seed, args.timeout)
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["escape_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
