"""The ``participa`` command.

Sub-commands
------------
``participa info SOURCE``
    Summary of an election: budget, projects, voters, vote type, declared rule, warnings.
``participa tally SOURCE --rule NAME``
    Run a rule (``participa rules`` lists them) and print a one-line summary over a
    per-project table (rank, id, name, votes, cost, funding, selected).
``participa compare SOURCE``
    Several rules side by side, per project (``--rules greedy,mes,phragmen``).
``participa convert IN OUT``
    Between pabulib files and CSV folders (``meta.csv``, ``projects.csv``, ``votes.csv``).
``participa rules`` / ``participa datasets``
    The rules and their options; the example elections shipped with participa.
``participa replay FOLDER``
    Replay the declared rule (or ``--rule NAME``) of every pabulib file in a folder, over
    ``--jobs N`` processes; each file is reported and the run goes on. Exit status 1 when a
    file cannot be read or replayed, or an outcome differs from the announced winners.
``participa check FILE...``
    The soft anomalies of each pabulib file; exit 0 when every file is clean, 1 when some
    file has anomalies, 2 when some file cannot be read.
``participa explain SOURCE --rule greedy|mes|phragmen [--project ID]``
    Why each project was or was not funded, with its exact margins (:mod:`participa.explain`).
``participa demo``
    A Villa El Salvador-style round on built-in illustrative data.

A SOURCE is a pabulib file (``.pb`` or ``.pb.gz``), a folder of CSV tables (see
:mod:`participa.io.csv`) or a shipped example, ``dataset:NAME``.

Every command takes ``--format text|json|csv|markdown`` (``--json`` is short for
``--format json``) and ``--lang en|es`` (default: ``PARTICIPA_LANG``, then the
locale). Errors go to stderr with exit status 2 and no traceback; a closed pipe
(``participa info X | head -1``) ends the command quietly.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> try:
...     main(["tally", "dataset:lodz-2020-33", "--rule", "greedy", "--format", "csv",
...           "--lang", "es"], out=out)
... except SystemExit as exit:
...     exit.code
0
>>> print(out.getvalue().splitlines()[0])
puesto,id,nombre,votos,costo,financiamiento,seleccionado
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import attrs

from participa.errors import ParticipaError, TieError, ValidationError
from participa.i18n import (
    LANGUAGES,
    N_,
    _,
    get_language,
    ngettext,
    resolve_language,
    use_language,
)

if TYPE_CHECKING:
    from participa.io import FileWarning
    from participa.model import Election
    from participa.outcome import Outcome
    from participa.tables import Table

__all__ = ["main"]

FORMATS = ("text", "json", "csv", "markdown")
UTILITIES = ("cost", "count", "points", "borda")
COMPLETIONS = ("none", "add1", "add1u", "utilitarian", "phragmen", "add-opt")
COMPARE_RULES = ("greedy", "mes", "phragmen", "max-welfare", "per-head")
PROGRESS_DELAY = 1.0
"""Seconds a tally runs before an elapsed-time line appears (on a terminal only)."""

# Rule summaries from the registry, marked here so they get their Spanish.
_RULE_SUMMARIES = (
    N_("greedy by utility per cost, skipping what does not fit"),
    N_("greedy by utility per cost, stopping at the first project that does not fit"),
    N_("greedy among projects scoring at least the threshold"),
    N_("method of equal shares, with optional completion"),
    N_("sequential Phragmén (approval, choose-1)"),
    N_("exact maximum utilitarian welfare (0/1 knapsack)"),
    N_("money in proportion to votes, capped at cost (San Juan de Miraflores)"),
    N_("budget split equally among territories, greedy by votes inside each"),
    N_("replay the rule the file declares (META rule), as pabulib's checker does"),
    N_("cumulative support transfer voting (cumulative ballots; --variant ewt..mts)"),
    N_("maximin support: the project keeping the largest voter load smallest"),
    N_("exact equal shares: every payer of a project pays the same"),
    N_("equal shares with bounded overspending (approval, cost utilities)"),
    N_("fractional equal shares: projects bought in parts, paid in equal shares"),
    N_("PB-EAR: proportional representation of solid coalitions (ranked ballots)"),
    N_("projects decided as they arrive, in file order (--variant efficient)"),
)


# -- argument parsing --------------------------------------------------------------------------


class _Formatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


_ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"the following arguments are required: (?P<args>.*)"),
        lambda m: _("the following arguments are required: {args}", args=m["args"]),
    ),
    (
        re.compile(r"unrecognized arguments: (?P<args>.*)"),
        lambda m: _("unrecognized arguments: {args}", args=m["args"]),
    ),
    (
        re.compile(r"argument (?P<arg>[^:]+): expected one argument"),
        lambda m: _("option {option} needs a value", option=m["arg"]),
    ),
    (
        re.compile(r"argument (?P<arg>[^:]+): invalid int value: (?P<value>.*)"),
        lambda m: _(
            "option {option} needs a whole number, got {value}", option=m["arg"], value=m["value"]
        ),
    ),
    (
        re.compile(
            r"argument (?P<arg>[^:]+): invalid choice: (?P<value>'[^']*') "
            r"\(choose from (?P<choices>.*)\)"
        ),
        lambda m: (
            _("unknown {what} {value}", what=m["arg"], value=m["value"])
            + " "
            + _("(use one of: {choices})", choices=m["choices"].replace("'", ""))
        ),
    ),
)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, help_option: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.known_options: tuple[str, ...] = ()  # every --option, for "did you mean"
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if help_option:
            self.add_argument("-h", "--help", action="help", help=_("show this help and exit"))

    def error(self, message: str) -> NoReturn:
        text = message
        for pattern, translate in _ARGPARSE_MESSAGES:
            m = pattern.fullmatch(message)
            if m:
                text = translate(m)
                break
        unknown = re.fullmatch(r"unrecognized arguments: (.*)", message)
        if unknown:
            for word in unknown[1].split():
                if word.startswith("--"):
                    option = word.split("=")[0]
                    close = difflib.get_close_matches(option, self.known_options, n=1)
                    if close:
                        text += " (" + _("did you mean {name}?", name=close[0]) + ")"
                        break
        self.print_usage(sys.stderr)
        self.exit(2, f"participa: {_('error')}: {text}\n")


def _build_parser() -> _Parser:
    from participa import __version__

    p = _Parser(prog="participa", description=_("Participatory budgeting rules, exactly."))
    p.add_argument(
        "--version",
        action="version",
        version=f"participa {__version__}",
        help=_("print the version and exit"),
    )
    p.add_argument("--lang", dest="top_lang", metavar="|".join(LANGUAGES), help=argparse.SUPPRESS)
    common = _Parser(help_option=False)
    common.add_argument(
        "--format",
        default=None,
        metavar="|".join(FORMATS),
        help=_("output format (default: text)"),
    )
    common.add_argument("--json", action="store_true", help=_("print JSON (same as --format json)"))
    common.add_argument(
        "--lang",
        metavar="|".join(LANGUAGES),
        help=_("language of the output (default: PARTICIPA_LANG, then the locale)"),
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, title=_("commands"))
    source_help = _("a pabulib file (.pb, .pb.gz), a folder of CSV tables, or dataset:NAME")

    info = sub.add_parser("info", parents=[common], help=_("summarise an election"))
    info.add_argument("file", metavar="SOURCE", help=source_help)

    tally = sub.add_parser("tally", parents=[common], help=_("run a rule on an election"))
    tally.add_argument("file", metavar="SOURCE", help=source_help)
    tally.add_argument("--rule", required=True, help=_("rule name (see `participa rules`)"))
    _rule_options(tally)
    tally.add_argument("--explain", action="store_true", help=_("print the rule's trace"))
    tally.add_argument(
        "--plot", metavar="FILE.png", help=_("draw funding against cost into a picture")
    )
    tally.add_argument("--no-progress", action="store_true", help=_("no elapsed-time line"))

    compare = sub.add_parser(
        "compare", parents=[common], help=_("several rules side by side, per project")
    )
    compare.add_argument("file", metavar="SOURCE", help=source_help)
    compare.add_argument(
        "--rules",
        default=",".join(COMPARE_RULES),
        help=_("comma-separated rule names (default: {rules})", rules=",".join(COMPARE_RULES)),
    )
    _rule_options(compare)
    compare.add_argument(
        "--plot", metavar="FILE.png", help=_("draw the rules' summary into a picture")
    )

    convert = sub.add_parser(
        "convert", parents=[common], help=_("convert between pabulib and CSV tables")
    )
    convert.add_argument("file", metavar="IN", help=source_help)
    convert.add_argument(
        "out", metavar="OUT", help=_("a .pb or .pb.gz file, or a folder for the CSV tables")
    )
    convert.add_argument("--budget", help=_("CSV input: the budget in currency units"))
    convert.add_argument("--vote-type", help=_("CSV input: approval, cumulative, ordinal, ..."))
    convert.add_argument("--currency", help=_("CSV input: ISO currency code, e.g. PEN"))
    convert.add_argument("--name", help=_("CSV input: the election's name"))

    sub.add_parser("rules", parents=[common], help=_("list the rules"))
    sub.add_parser("datasets", parents=[common], help=_("list the example elections shipped"))

    replay = sub.add_parser(
        "replay", parents=[common], help=_("replay the declared rule of every file in a folder")
    )
    replay.add_argument("folder")
    replay.add_argument("--rule", default="declared", help=_("rule to run (default: declared)"))
    replay.add_argument("--jobs", type=int, default=1, help=_("worker processes (default 1)"))
    replay.add_argument("--no-progress", action="store_true", help=_("no progress bar"))

    check = sub.add_parser("check", parents=[common], help=_("list the anomalies of pabulib files"))
    check.add_argument("files", nargs="+", metavar="FILE", help=_("a .pb or .pb.gz file"))

    explain = sub.add_parser(
        "explain",
        parents=[common],
        help=_("why each project was or was not funded, with margins"),
    )
    explain.add_argument("source", metavar="SOURCE")
    explain.add_argument("--rule", required=True, choices=("greedy", "mes", "phragmen"))
    explain.add_argument("--project", help=_("explain only this project id"))
    explain.add_argument("--utility", choices=("cost", "count", "points"), help=_("voter utility"))
    explain.add_argument("--max-runs", type=int, default=5000, help=_("most reruns of the rule"))

    sub.add_parser(
        "demo", parents=[common], help=_("run the built-in Villa El Salvador-style demo round")
    )
    options: set[str] = set()
    for parser in (p, *sub.choices.values()):
        for action in parser._actions:
            options.update(o for o in action.option_strings if o.startswith("--"))
    p.known_options = tuple(sorted(options))
    return p


def _rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--utility",
        help=_(
            "voter utility: cost, count, points or borda (default: cost for approval, "
            "points for cumulative and scoring, borda for ordinal)"
        ),
    )
    p.add_argument(
        "--completion",
        help=_(
            "completion: none, add1, add1u, utilitarian, phragmen or a rule name for mes; "
            "none or add-opt for ees"
        ),
    )
    p.add_argument(
        "--no-exhaustive-stop",
        action="store_true",
        help=_("add1: keep raising endowments after the first exhaustive outcome"),
    )
    p.add_argument(
        "--integral-start",
        action="store_true",
        help=_("add1: start from the integer floor of budget/n"),
    )
    p.add_argument("--threshold", type=int, help=_("greedy-threshold: minimum score"))
    p.add_argument(
        "--variant",
        help=_("cstv: ewt, ewtc, ewts, mt, mtc, mts; online-greedy: greedy or efficient"),
    )
    p.add_argument(
        "--tie-break",
        default="id",
        help=_(
            "tie-breaking chain, e.g. 'id' (default), 'file-order', 'min-cost,max-votes,id', "
            "'lottery:42', 'refuse'"
        ),
    )


def _choose(value: str | None, choices: Sequence[str], what: str) -> str | None:
    """``value`` if it is one of ``choices``; a ValidationError with a suggestion otherwise."""
    if value is None or value in choices:
        return value
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    hint = (
        _("did you mean {name}?", name=close[0])
        if close
        else _("use one of: {choices}", choices=", ".join(choices))
    )
    raise ValidationError(_("unknown {what} {value!r}", what=what, value=value), hint=hint)


def _language(argv: Sequence[str]) -> str | None:
    """The ``--lang`` value in ``argv`` (checked before the parser is built)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


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
        "total_cost": int(e.costs.sum()),
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


def _flag(option: str) -> str:
    """A registry option as the command line spells it."""
    return (
        "--no-exhaustive-stop" if option == "exhaustive_stop" else "--" + option.replace("_", "-")
    )


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
}


def _cli_hint(exc: ParticipaError) -> ParticipaError:
    """The same error with a hint phrased for the command line, not for Python."""
    hint = exc.hint or ""
    if isinstance(exc, TieError) or "TieBreak.parse" in hint:
        if "lottery" in hint:
            exc.hint = _("give the lottery a seed: --tie-break lottery:42")
        else:
            exc.hint = _("choose how to break ties, e.g. --tie-break min-cost,id")
    elif " takes: " in hint:
        rule, _sep, options = hint.partition(" takes: ")
        flags = [_flag(o.strip()) for o in options.split(",") if o.strip() != "no options"]
        exc.hint = _("{rule} takes: {options}", rule=rule, options=", ".join(flags) or "-")
    elif "pass --threshold" in hint:
        exc.hint = _("add --threshold N (the minimum score)")
    return exc


def _closed_pipe(stream: TextIO) -> int:
    """stdout was closed by the reader (``| head``): stop quietly."""
    if stream is sys.stdout:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return 0


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> NoReturn:
    """Run the command line; exits with 0 on success and 2 on a participa error."""
    stream = out or sys.stdout
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = _language(args_list)
    try:
        chosen = resolve_language(lang) if lang is not None else None
    except ValidationError as exc:
        print(f"participa: error: {exc}", file=sys.stderr)
        sys.exit(2)
    with use_language(chosen):
        sys.exit(_main(args_list, stream))


def _main(argv: list[str], stream: TextIO) -> int:
    import warnings

    from participa.io import AnomalyWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnomalyWarning)  # info and check list them
        return _run_command(argv, stream)


def _run_command(argv: list[str], stream: TextIO) -> int:
    try:
        args = _build_parser().parse_args(argv)
        rc = _COMMANDS[args.command](args, stream)
        stream.flush()
    except BrokenPipeError:
        return _closed_pipe(stream)
    except ParticipaError as exc:
        print(f"participa: {_('error')}: {_cli_hint(exc)}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"participa: {_('error')}: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(_("participa: error: out of memory"), file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        text = _("no such file or folder: {path}", path=exc.filename)
        print(f"participa: {_('error')}: {text}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"participa: {_('error')}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"participa: {_('interrupted')}", file=sys.stderr)
        return 130
    return rc
