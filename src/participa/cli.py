"""The ``participa`` command.

Sub-commands
------------
``participa info FILE``
    Summary of a pabulib election: budget, projects, voters, vote type, declared rule, warnings.
``participa tally FILE --rule NAME``
    Run a rule (``participa rules`` lists them) and print the outcome; ``--json`` prints one
    object with ``selected``, ``funding``, ``total_cost`` and ``budget``.
``participa rules``
    List the rules and their options.
``participa replay FOLDER``
    Replay the declared rule (or ``--rule NAME``) of every pabulib file in a folder, over
    ``--jobs N`` processes; each file is reported and the run goes on. Exit status 1 when a
    file cannot be read or replayed, or an outcome differs from the announced winners;
    0 otherwise (a file declaring rule ``unknown`` has nothing to replay: not a failure).
``participa check FILE...``
    List the soft anomalies of each pabulib file; exit 0 when every file is clean, 1 when
    some file has anomalies, 2 when some file cannot be read.
``participa demo``
    A Villa El Salvador-style round on built-in illustrative data.
``participa explain FILE --rule greedy|mes|phragmen [--project ID] [--lang es]``
    Why each project was or was not funded, with its exact margins (:mod:`participa.explain`).

Errors go to stderr with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from participa.errors import ParticipaError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"participa: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="participa", description="Participatory budgeting rules, exactly.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    info = sub.add_parser("info", help="summarise a pabulib file")
    info.add_argument("file", help="a .pb or .pb.gz file")
    info.add_argument("--json", action="store_true", help="print one JSON object")

    tally = sub.add_parser("tally", help="run a rule on a pabulib file")
    tally.add_argument("file", help="a .pb or .pb.gz file")
    tally.add_argument("--rule", required=True, help="rule name (see `participa rules`)")
    tally.add_argument(
        "--utility",
        choices=("cost", "count", "points", "borda"),
        help="voter utility (default: cost for approval/choose-1, points for cumulative/"
        "scoring, borda for ordinal)",
    )
    tally.add_argument(
        "--completion",
        choices=("none", "add1", "add1u", "utilitarian"),
        help="completion for mes (default none)",
    )
    tally.add_argument(
        "--no-exhaustive-stop",
        action="store_true",
        help="add1: keep raising endowments after the first exhaustive outcome",
    )
    tally.add_argument(
        "--integral-start",
        action="store_true",
        help="add1: start from the integer floor of budget/n",
    )
    tally.add_argument("--threshold", type=int, help="greedy-threshold: minimum score")
    tally.add_argument(
        "--tie-break",
        default="id",
        help="tie-breaking chain, e.g. 'id' (default), 'file-order', 'min-cost,max-votes,id', "
        "'lottery:42', 'refuse'",
    )
    tally.add_argument("--json", action="store_true", help="print one JSON object")
    tally.add_argument("--explain", action="store_true", help="print the rule's trace")

    sub.add_parser("rules", help="list the rules")

    replay = sub.add_parser("replay", help="replay the declared rule of every file in a folder")
    replay.add_argument("folder")
    replay.add_argument("--rule", default="declared", help="rule to run (default: declared)")
    replay.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    replay.add_argument("--json", action="store_true", help="print one JSON object")
    replay.add_argument("--no-progress", action="store_true", help="no progress bar")

    check = sub.add_parser("check", help="list the anomalies of pabulib files")
    check.add_argument("files", nargs="+", metavar="FILE", help="a .pb or .pb.gz file")

    sub.add_parser("demo", help="run the built-in Villa El Salvador-style demo round")
    _add_explain_parser(sub)
    return p


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from participa.io.check import check_files

    return check_files(args.files, out)


def _add_explain_parser(sub: Any) -> None:
    from participa.explain import EXPLAINED_RULES

    ex = sub.add_parser("explain", help="why each project was or was not funded, with margins")
    ex.add_argument("file", help="a .pb or .pb.gz file")
    ex.add_argument("--rule", required=True, choices=EXPLAINED_RULES)
    ex.add_argument("--project", help="explain only this project id")
    ex.add_argument("--utility", choices=("cost", "count", "points"), help="voter utility")
    ex.add_argument("--lang", choices=("en", "es"), help="language of the report")
    ex.add_argument("--max-runs", type=int, default=5000, help="most reruns of the rule")


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from participa.explain import explain
    from participa.i18n import get_language, use_language
    from participa.io import load_election

    with use_language(args.lang or get_language()):
        e = load_election(args.file)
        ex = explain(
            e, args.rule, project=args.project, utility=args.utility, max_runs=args.max_runs
        )
        print(str(ex), file=out)
    return 0


def _info(args: argparse.Namespace, out: TextIO) -> int:
    from participa.io import read_pabulib
    from participa.money import format_amount

    pf = read_pabulib(args.file)
    e = pf.election
    summary: dict[str, Any] = {
        "file": args.file,
        "name": e.name,
        "budget": e.budget,
        "minor_per_unit": e.minor_per_unit,
        "currency": e.currency,
        "projects": len(e.projects),
        "voters": e.profile.num_voters,
        "distinct_ballots": e.profile.num_groups,
        "vote_type": e.kind.value,
        "declared_rule": e.meta.get("rule"),
        "total_cost": int(e.costs.sum()),
        "warnings": [w.message for w in pf.warnings],
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False), file=out)
        return 0

    def money(a: int) -> str:
        return format_amount(a, minor_per_unit=e.minor_per_unit, currency=e.currency)

    print(f"{e.name or args.file}", file=out)
    print(f"  budget         {money(e.budget)}", file=out)
    print(
        f"  projects       {len(e.projects)} (total cost {money(summary['total_cost'])})", file=out
    )
    print(
        f"  voters         {e.profile.num_voters} ({e.profile.num_groups} distinct ballots)",
        file=out,
    )
    print(f"  vote type      {e.kind.value}", file=out)
    print(f"  declared rule  {summary['declared_rule']}", file=out)
    for w in pf.warnings:
        print(f"  warning: {w.message}", file=out)
    return 0


def _tally(args: argparse.Namespace, out: TextIO) -> int:
    from participa.io import load_election
    from participa.money import format_amount
    from participa.rules.registry import run_rule
    from participa.tiebreak import TieBreak

    e = load_election(args.file)
    outcome = run_rule(
        args.rule,
        e,
        utility=args.utility,
        completion=args.completion,
        exhaustive_stop=not args.no_exhaustive_stop,
        integral_start=args.integral_start,
        threshold=args.threshold,
        tie_break=TieBreak.parse(args.tie_break),
    )
    if args.json:
        doc = {
            "rule": outcome.rule,
            "selected": list(outcome.selected),
            "funding": dict(outcome.funding),
            "total_cost": outcome.total_cost,
            "total_funding": outcome.total_funding,
            "budget": outcome.budget,
            "params": dict(outcome.params),
        }
        print(json.dumps(doc, ensure_ascii=False), file=out)
        return 0

    def money(a: int) -> str:
        return format_amount(a, minor_per_unit=e.minor_per_unit, currency=e.currency)

    print(f"{outcome.rule} on {e.name or args.file}", file=out)
    print(
        f"  {len(outcome.selected)} selected, {money(outcome.total_funding)} of "
        f"{money(outcome.budget)} spent",
        file=out,
    )
    names = {p.id: p.name for p in e.projects}
    for pid in outcome.selected:
        print(f"  {pid:>10}  {money(outcome.funding[pid]):>20}  {names[pid][:60]}", file=out)
    partial = [p for p, f in outcome.funding.items() if f and p not in outcome.selected_set]
    for pid in partial:
        print(
            f"  {pid:>10}  {money(outcome.funding[pid]):>20}  (partial) {names[pid][:50]}", file=out
        )
    if args.explain:
        print(outcome.explain(), file=out)
    return 0


def _rules(out: TextIO) -> int:
    from participa.rules.registry import RULES

    for spec in RULES.values():
        opts = ", ".join(spec.options) if spec.options else "-"
        print(f"{spec.name:<18} {spec.summary}  [options: {opts}]", file=out)
    return 0


def _replay(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 1 when a file fails or an outcome differs from the announced one, else 0."""
    from participa.batch import replay_folder
    from participa.errors import ValidationError
    from participa.i18n import _
    from participa.rules.registry import get_rule

    if args.jobs < 1:
        raise ValidationError(
            _("--jobs must be 1 or more, got {jobs}", jobs=args.jobs),
            hint=_("use --jobs 1 to replay in this process"),
        )
    get_rule(args.rule)  # an unknown rule is refused before any file is read
    executor = None
    if args.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(max_workers=args.jobs)
    progress = None if args.no_progress or args.json else _ProgressBar(sys.stderr)
    try:
        results = replay_folder(args.folder, rule=args.rule, executor=executor, progress=progress)
    finally:
        if executor is not None:
            executor.shutdown()
    rows = [r.to_dict() for r in results]
    failed = int(any(r.failed or r.matches is False for r in results))
    if args.json:
        print(json.dumps({"results": rows}, ensure_ascii=False), file=out)
        return failed
    width = max((len(r.label) for r in results), default=10)
    width = min(width, 60)
    for r in results:
        if r.ok:
            verdict = {True: "reproduced", False: "DIFFERS", None: "no announced outcome"}
            status = verdict[r.matches]
        else:
            status = f"not replayed: {r.error}"
        print(f"{r.label[:width]:<{width}}  {r.declared_rule or '-':<22} {status}", file=out)
    compared = [r for r in results if r.matches is not None]
    same = sum(1 for r in compared if r.matches)
    print(
        f"{len(results)} files: {sum(r.ok for r in results)} replayed, "
        f"{same} of {len(compared)} with an announced outcome reproduced",
        file=out,
    )
    return failed


class _ProgressBar:
    """A one-line text progress bar on a stream (no dependency)."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width

    def __call__(self, done: int, total: int, label: str = "") -> None:
        frac = done / total if total else 1.0
        filled = int(self.width * frac)
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}{end}")
        self.stream.flush()


def _demo(out: TextIO) -> int:
    from participa.demo import run_demo

    run_demo(out)
    return 0


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> NoReturn:
    """Run the command line; exits with 0 on success and 2 on a participa error."""
    import warnings

    from participa.io import AnomalyWarning

    stream = out or sys.stdout
    args = _build_parser().parse_args(argv)
    warnings.simplefilter("ignore", AnomalyWarning)  # info and check list them
    try:
        if args.command == "info":
            rc = _info(args, stream)
        elif args.command == "tally":
            rc = _tally(args, stream)
        elif args.command == "rules":
            rc = _rules(stream)
        elif args.command == "replay":
            rc = _replay(args, stream)
        elif args.command == "check":
            rc = _check(args, stream)
        elif args.command == "explain":
            rc = _explain(args, stream)
        else:
            rc = _demo(stream)
    except ParticipaError as exc:
        print(f"participa: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except OSError as exc:
        print(f"participa: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        sys.exit(2)
    except MemoryError:
        from participa.i18n import _

        print(_("participa: error: out of memory"), file=sys.stderr)
        sys.exit(2)
    sys.exit(rc)
