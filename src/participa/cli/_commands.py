"""The sub-commands of ``participa``: one function each, ``(args, out) -> exit status``."""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from participa._wide import exact_sum
from participa.errors import ValidationError
from participa.i18n import (
    N_,
    _,
    get_language,
    ngettext,
)

if TYPE_CHECKING:
    from participa.io import FileWarning
    from participa.model import Election
    from participa.outcome import Outcome
    from participa.tables import Table

from participa.cli._parser import (
    COMPARE_RULES,
    COMPLETIONS,
    FORMATS,
    PROGRESS_DELAY,
    UTILITIES,
    _choose,
    _flag,
)

# -- reading -----------------------------------------------------------------------------------


def _read(source: str) -> tuple[Election, tuple[FileWarning, ...]]:
    from participa import datasets

    if source.startswith(datasets.PREFIX):
        pf = datasets.read(source.removeprefix(datasets.PREFIX))
        return pf.election, pf.warnings
    path = Path(source)
    if path.is_dir():
        from participa.io.csv import read_csv_folder

        return read_csv_folder(path), ()
    if path.suffix.lower() == ".csv":
        raise ValidationError(
            _("{file} is one CSV table; an election needs its projects and its votes", file=source),
            hint=_("give the folder holding projects.csv and votes.csv (and meta.csv)"),
        )
    if not path.exists() and re.fullmatch(r"[a-z0-9-]+", source) and source in datasets.names():
        hint = _("to use the shipped example, write dataset:{name}", name=source)
        raise ValidationError(_("no file {file!r}", file=source), hint=hint)
    from participa.io import read_pabulib

    pf = read_pabulib(path)
    return pf.election, pf.warnings


def _format(args: argparse.Namespace) -> str:
    if args.json:
        return "json"
    return _choose(args.format, FORMATS, "--format") or "text"


def _print(out: TextIO, text: str) -> None:
    out.write(text if text.endswith("\n") else text + "\n")


# -- commands ----------------------------------------------------------------------------------


def _date(text: str | None) -> str:
    """A META date (``2020-03-01``, ``01.03.2020``) as people read it: dd/mm/aaaa in Spanish."""
    if not text:
        return "-"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip()) or None
    parsed: date | None = None
    try:
        if m:
            parsed = date(int(m[1]), int(m[2]), int(m[3]))
        else:
            d = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text.strip())
            if d:
                parsed = date(int(d[3]), int(d[2]), int(d[1]))
    except ValueError:
        parsed = None
    if parsed is None:
        return text
    return parsed.strftime("%d/%m/%Y") if get_language() == "es" else parsed.isoformat()


def _info(args: argparse.Namespace, out: TextIO) -> int:
    fmt = _format(args)
    e, warnings = _read(args.file)
    money = e.money
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
        "total_cost": exact_sum(e.costs),
        "warnings": [w.message for w in warnings],
    }
    if fmt == "json":
        _print(out, json.dumps(summary, ensure_ascii=False))
        return 0
    table = _election_table(e)
    if fmt == "csv":
        _print(out, table.render("csv"))
        return 0
    lines = [
        (_("budget"), money.format(e.budget)),
        (
            _("projects"),
            _(
                "{count} (total cost {cost})",
                count=len(e.projects),
                cost=money.format(summary["total_cost"]),
            ),
        ),
        (
            _("voters"),
            _(
                "{voters} ({groups})",
                voters=e.profile.num_voters,
                groups=ngettext(
                    "{n} distinct ballot", "{n} distinct ballots", e.profile.num_groups
                ),
            ),
        ),
        (_("vote type"), _(e.kind.value)),
        (_("declared rule"), str(summary["declared_rule"] or "-")),
    ]
    if e.meta.get("date_begin") or e.meta.get("date_end"):
        lines.append(
            (_("dates"), f"{_date(e.meta.get('date_begin'))} – {_date(e.meta.get('date_end'))}")
        )
    title = e.name or args.file
    if fmt == "markdown":
        body = [f"**{title}**", ""] + [f"* {k}: {v}" for k, v in lines]
        body += [f"* {_('warning')}: {w.message}" for w in warnings]
        body += ["", attrs.evolve(table, summary="").to_markdown()]
        _print(out, "\n".join(body))
        return 0
    width = max(len(k) for k, _v in lines) + 2
    _print(out, title)
    for k, v in lines:
        _print(out, f"  {k:<{width}} {v}")
    for w in warnings:
        _print(out, f"  {_('warning')}: {w.message}")
    return 0


def _election_table(e: Election) -> Table:
    from participa.tables import table

    return table(e)


def _run(args: argparse.Namespace, name: str, e: Election, stream: TextIO | None) -> Outcome:
    from participa.rules.registry import RULES, VARIANTS, get_rule, run_rule
    from participa.tiebreak import TieBreak

    _choose(name, list(RULES), _("rule"))
    spec = get_rule(name)
    utility = _choose(args.utility, UTILITIES, "--utility")
    completion = _choose(args.completion, (*COMPLETIONS, *RULES), "--completion")
    variant = _choose(args.variant, VARIANTS, "--variant")
    tie_break = TieBreak.parse(args.tie_break)
    kwargs: dict[str, Any] = {
        "utility": utility,
        "completion": completion,
        "exhaustive_stop": not args.no_exhaustive_stop,
        "integral_start": args.integral_start,
        "threshold": args.threshold,
        "variant": variant,
    }
    if args.command == "compare":  # shared options go only to the rules that take them
        kwargs = {k: v for k, v in kwargs.items() if k in spec.options}
    label = name + (f" ({completion})" if completion and completion != "none" else "")
    with _Ticker(stream, label):
        return run_rule(name, e, tie_break=tie_break, **kwargs)


class _Ticker:
    """An elapsed-time line on a terminal while a long rule runs (nothing elsewhere)."""

    def __init__(self, stream: TextIO | None, label: str, *, delay: float = PROGRESS_DELAY) -> None:
        self.stream = stream if stream is not None and _is_terminal(stream) else None
        self.label = label
        self.delay = delay
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.wrote = False

    def _loop(self) -> None:
        start = time.monotonic()
        if self._done.wait(self.delay):
            return
        assert self.stream is not None
        while not self._done.wait(0.25):
            text = _(
                "{rule}: running, {seconds} s",
                rule=self.label,
                seconds=int(time.monotonic() - start),
            )
            self.stream.write(f"\r{text}")
            self.stream.flush()
            self.wrote = True

    def __enter__(self) -> _Ticker:
        if self.stream is not None:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
            if self.wrote and self.stream is not None:
                self.stream.write("\r\033[K")
                self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _save_plot(fig: Any, path: str) -> None:
    fig.savefig(path)


def _plot_or_explain(kind: str) -> Any:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ValidationError(
            _("--plot needs matplotlib"),
            hint=_("install it with {command}", command="pip install participa[plot]"),
        ) from None
    from participa import plots

    return getattr(plots, kind)


def _tally(args: argparse.Namespace, out: TextIO) -> int:
    from participa.tables import table

    fmt = _format(args)
    e, _warnings = _read(args.file)
    progress = None if args.no_progress else sys.stderr
    outcome = _run(args, args.rule, e, progress)
    t = table(outcome, election=e)
    if fmt == "json":
        doc = {
            "rule": outcome.rule,
            "selected": list(outcome.selected),
            "funding": dict(outcome.funding),
            "total_cost": outcome.total_cost,
            "total_funding": outcome.total_funding,
            "budget": outcome.budget,
            "currency": e.currency,
            "minor_per_unit": e.minor_per_unit,
            "params": dict(outcome.params),
            "projects": t.to_dicts(),
        }
        doc.update(_verifiable(args, outcome))
        _print(out, json.dumps(doc, ensure_ascii=False))
    else:
        _print(out, t.render(fmt))
    if args.explain:  # the trace goes beside a table a program reads, not into it
        _print(out if fmt in ("text", "markdown") else sys.stderr, outcome.explain())
    if args.plot:
        _save_plot(_plot_or_explain("funding_vs_cost")(e, outcome), args.plot)
    if args.rule == "mes" and args.completion is None and outcome.leftover * 4 > outcome.budget:
        money = t.currency
        note = _(
            "equal shares left {left} of {budget} unspent; a completion spends more of it: "
            "add --completion add1",
            left=money.format(outcome.leftover),
            budget=money.format(outcome.budget),
        )
        print(f"participa: {_('note')}: {note}", file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    from participa.errors import RuleError
    from participa.rules.registry import RULES
    from participa.tables import comparison_table

    fmt = _format(args)
    e, _warnings = _read(args.file)
    names = [n.strip() for n in args.rules.split(",") if n.strip()]
    for name in names:
        _choose(name, list(RULES), _("rule"))
    outcomes = []
    skipped = []
    for name in names:
        try:
            outcomes.append(_run(args, name, e, sys.stderr))
        except RuleError as exc:
            if args.rules != ",".join(COMPARE_RULES):
                raise
            skipped.append(f"{name}: {exc.message}")
    t = comparison_table(e, outcomes)
    _print(out, t.render(fmt))
    for s in skipped:
        print(f"participa: {_('note')}: {_('not compared')}: {s}", file=sys.stderr)
    if args.plot:
        from participa.analysis import compare_rules

        draw = _plot_or_explain("rule_comparison")
        _save_plot(draw(compare_rules(e, outcomes)), args.plot)
    return 0


def _convert(args: argparse.Namespace, out: TextIO) -> int:
    from participa.io import write_pabulib_file
    from participa.io.csv import read_csv_folder, write_csv_folder

    source = Path(args.file)
    overrides = {
        "budget": args.budget,
        "vote_type": args.vote_type,
        "currency": args.currency,
        "name": args.name,
    }
    if source.is_dir():
        e = read_csv_folder(source, **overrides)
    else:
        given = [f"--{k.replace('_', '-')}" for k, v in overrides.items() if v is not None]
        if given:
            raise ValidationError(
                _("{options} only apply to CSV input", options=", ".join(given)),
                hint=_("the pabulib file says these itself"),
            )
        e, _warnings = _read(args.file)
    target = Path(args.out)
    if target.name.endswith((".pb", ".pb.gz")):
        written = write_pabulib_file(e, target)
        what = _("pabulib file")
    else:
        written = write_csv_folder(e, target)
        what = _("CSV tables (meta.csv, projects.csv, votes.csv)")
    _print(
        out,
        _(
            "wrote {what} to {path}: {projects}, {voters}",
            what=what,
            path=str(written),
            projects=ngettext("{n} project", "{n} projects", len(e.projects)),
            voters=ngettext("{n} voter", "{n} voters", e.profile.num_voters),
        ),
    )
    return 0


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from participa.rules.registry import RULES
    from participa.tables import Column, Table

    rows = [
        (spec.name, _(spec.summary), ", ".join(_flag(o) for o in spec.options) or "-")
        for spec in RULES.values()
    ]
    t = Table(
        (
            Column("rule", N_("column|rule")),
            Column("summary", N_("column|summary")),
            Column("options", N_("column|options")),
        ),
        rows,
    )
    _print(out, t.render(_format(args)))
    return 0


def _datasets(args: argparse.Namespace, out: TextIO) -> int:
    from participa import datasets
    from participa.tables import Column, Table

    rows = [(datasets.PREFIX + name, text) for name, text in datasets.describe().items()]
    t = Table(
        (Column("source", N_("column|source")), Column("description", N_("column|description"))),
        rows,
        summary=_("Example elections shipped with participa; use them wherever a file goes."),
    )
    _print(out, t.render(_format(args)))
    return 0


def _replay(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 1 when a file fails or an outcome differs from the announced one, else 0."""
    from participa.batch import replay_folder
    from participa.errors import ValidationError
    from participa.rules.registry import get_rule

    fmt = _format(args)
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
    show = not args.no_progress and fmt != "json" and _is_terminal(sys.stderr)
    progress = _ProgressBar(sys.stderr) if show else None
    try:
        results = replay_folder(args.folder, rule=args.rule, executor=executor, progress=progress)
    finally:
        if executor is not None:
            executor.shutdown()
    rows = [r.to_dict() for r in results]
    failed = int(any(r.failed or r.matches is False for r in results))
    if fmt == "json":
        _print(out, json.dumps({"results": rows}, ensure_ascii=False))
        return failed
    compared = [r for r in results if r.matches is not None]
    same = sum(1 for r in compared if r.matches)
    summary = _(
        "{files} files: {replayed} replayed, {same} of {compared} with an announced "
        "outcome reproduced",
        files=len(results),
        replayed=sum(r.ok for r in results),
        same=same,
        compared=len(compared),
    )
    verdict = {True: _("reproduced"), False: _("DIFFERS"), None: _("no announced outcome")}
    statuses = [
        verdict[r.matches] if r.ok else _("not replayed: {error}", error=r.error) for r in results
    ]
    if fmt in ("csv", "markdown"):
        from participa.tables import Column, Table

        t = Table(
            (
                Column("file", N_("column|file")),
                Column("declared_rule", N_("column|declared rule")),
                Column("status", N_("column|status")),
            ),
            [(r.label, r.declared_rule or "", s) for r, s in zip(results, statuses, strict=True)],
            summary=summary,
        )
        _print(out, t.render(fmt))
        return failed
    width = min(max((len(r.label) for r in results), default=10), 60)
    for r, status in zip(results, statuses, strict=True):
        _print(out, f"{r.label[:width]:<{width}}  {r.declared_rule or '-':<22} {status}")
    _print(out, summary)
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


def _check(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 0 when every file is clean, 1 when some has anomalies, 2 when some is unreadable."""
    from participa.io.check import check_files

    return check_files(args.files, out)


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from participa.explain import explain

    e, _warnings = _read(args.source)
    ex = explain(e, args.rule, project=args.project, utility=args.utility, max_runs=args.max_runs)
    _print(out, str(ex))
    return 0


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from participa.demo import run_demo

    run_demo(out)
    return 0


def _verifiable(args: argparse.Namespace, outcome: Outcome) -> dict[str, Any]:
    """What ``participa verify`` needs: the options as run and the input's SHA-256."""
    from participa import __version__
    from participa.verify import outcome_document

    options = {
        "utility": args.utility,
        "completion": args.completion,
        "exhaustive_stop": not args.no_exhaustive_stop,
        "integral_start": args.integral_start,
        "threshold": args.threshold,
        "variant": args.variant,
        "tie_break": args.tie_break,
    }
    doc = outcome_document(outcome, source=args.file, options=options)
    keep: dict[str, Any] = {k: doc[k] for k in ("options", "source") if k in doc}
    keep["rule_name"] = args.rule  # the registry name, should the outcome's rule differ
    keep["participa"] = __version__
    return keep


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    from participa.verify import verify

    fmt = _format(args)
    try:
        text = Path(args.outcome).read_text(encoding="utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            _("cannot read the outcome {file}: {reason}", file=args.outcome, reason=str(exc)),
            hint=_("give the JSON written by participa tally --json"),
        ) from None
    e, _warnings = _read(args.file)
    report = verify(document, args.file, election=e)
    if fmt == "json":
        doc = {
            "matches": report.matches,
            "rule": report.rule,
            "sha256": report.sha256,
            "hash_checked": report.hash_checked,
            "differences": [
                {"project_id": d.project_id, "published": d.published, "recomputed": d.recomputed}
                for d in report.differences
            ],
        }
        _print(out, json.dumps(doc, ensure_ascii=False))
    else:
        _print(out, "\n".join(report.lines(e)))
    return 0 if report.matches else 1


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "info": _info,
    "tally": _tally,
    "compare": _compare,
    "convert": _convert,
    "rules": _rules,
    "datasets": _datasets,
    "replay": _replay,
    "check": _check,
    "explain": _explain,
    "demo": _demo,
    "verify": _verify,
}
