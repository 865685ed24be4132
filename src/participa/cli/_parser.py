"""The command line's parser: sub-commands, options, translated argparse messages."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from participa.errors import ValidationError
from participa.i18n import (
    LANGUAGES,
    N_,
    _,
)

if TYPE_CHECKING:
    pass


FORMATS = ("text", "json", "csv", "markdown")
UTILITIES = ("cost", "count", "points", "borda", "effort", "cost-sqrt", "cost-log", "cc")
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
    N_("ordered relax (maxmin PB): projects by their exact LP-relaxation money"),
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
    explain.add_argument(
        "--utility",
        choices=("cost", "count", "points", "borda", "effort", "cost-sqrt", "cost-log", "cc"),
        help=_(
            "voter utility (default by ballot kind): greedy takes every one; mes takes "
            "cost, count, points or borda; phragmen none"
        ),
    )
    explain.add_argument("--max-runs", type=int, default=5000, help=_("most reruns of the rule"))

    sub.add_parser(
        "demo", parents=[common], help=_("run the built-in Villa El Salvador-style demo round")
    )
    verify = sub.add_parser(
        "verify",
        parents=[common],
        help=_("recompute a published outcome from its input and say whether it matches"),
    )
    verify.add_argument(
        "outcome", metavar="OUTCOME.json", help=_("the JSON written by participa tally --json")
    )
    verify.add_argument("file", metavar="SOURCE", help=source_help)
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
            "points for cumulative and scoring, borda for ordinal); satisfactions "
            "effort, cost-sqrt, cost-log, cc where defined"
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


def _flag(option: str) -> str:
    """A registry option as the command line spells it."""
    return (
        "--no-exhaustive-stop" if option == "exhaustive_stop" else "--" + option.replace("_", "-")
    )
