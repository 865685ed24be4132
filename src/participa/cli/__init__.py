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
``participa explain SOURCE --rule greedy|mes|phragmen [--project ID] [--utility U]``
    Why each project was or was not funded, with its exact margins (:mod:`participa.explain`).
``participa demo``
    A Villa El Salvador-style round on built-in illustrative data.
``participa verify OUTCOME.json SOURCE``
    Recompute a published outcome (the JSON of ``tally --json``, which records the rule,
    its options and the input's SHA-256) from the input and say whether it matches:
    exit 0 when it does, 1 when it differs (the differences listed per project), 2 when
    the outcome cannot be read or the input is not the one it records
    (:mod:`participa.verify`).

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

import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from participa.cli._commands import _COMMANDS
from participa.cli._commands import _Ticker as _Ticker
from participa.cli._parser import _build_parser, _flag, _language
from participa.errors import ParticipaError, TieError, ValidationError
from participa.i18n import _, get_language, resolve_language, use_language

__all__ = ["main"]


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
        # the environment's language read once, not at every message of the run
        chosen = resolve_language(lang) if lang is not None else get_language()
    except ValidationError as exc:
        print(_("participa: error: {error}", error=exc), file=sys.stderr)
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
