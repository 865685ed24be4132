"""Verifiable results: recompute a published outcome from the input file and compare.

A municipality publishes the JSON of ``participa tally FILE --rule NAME --json``. That
document records the rule, the options it ran with (:data:`OPTION_KEYS`) and the
SHA-256 of the input file (``source.sha256``). :func:`verify` reads such a document,
checks that the file given is the same input (same SHA-256), runs the same rule with
the same options on it, and compares the funding project by project; so any citizen
or auditor can check an announced result with ``participa verify OUTCOME.json FILE``.

Documents written before the hash and the options were recorded are still read: the
options are then taken from the outcome's ``params`` (``utility``, ``tie_break``, ...),
and the report says that the input could not be checked against a hash.

Examples
--------
>>> from participa import datasets
>>> from participa.rules.registry import run_rule
>>> src = "dataset:lodz-2020-33"
>>> out = run_rule("greedy", datasets.load("lodz-2020-33"))
>>> doc = outcome_document(out, source=src, options={"tie_break": "id"})
>>> verify(doc, src).matches
True
>>> doc["funding"][out.selected[0]] = 0          # tampered
>>> report = verify(doc, src)
>>> report.matches, [d.project_id for d in report.differences] == [out.selected[0]]
(False, True)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from participa.errors import ValidationError
from participa.i18n import _
from participa.model import Election
from participa.outcome import Outcome

__all__ = [
    "OPTION_KEYS",
    "Difference",
    "Verification",
    "file_sha256",
    "outcome_document",
    "verify",
]

OPTION_KEYS = (
    "utility",
    "completion",
    "exhaustive_stop",
    "integral_start",
    "threshold",
    "variant",
    "tie_break",
)
"""The rule options an outcome document records (those of :func:`~participa.rules.run_rule`)."""


def file_sha256(source: str | Path) -> str | None:
    """The SHA-256, in hex, of a file's bytes as stored (a ``.pb.gz`` is hashed compressed).

    ``dataset:NAME`` hashes the shipped file; a folder of CSV tables has no single file
    to hash (``None``).
    """
    from participa import datasets

    text = str(source)
    if text.startswith(datasets.PREFIX):
        return hashlib.sha256(datasets.raw(text.removeprefix(datasets.PREFIX))).hexdigest()
    path = Path(source)
    if path.is_dir():
        return None
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def outcome_document(
    outcome: Outcome,
    *,
    source: str | Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The verifiable part of a published outcome: rule, options, input hash, funding.

    ``participa tally --json`` writes these keys (and more, for people).
    """
    doc: dict[str, Any] = {
        "rule": outcome.rule,
        "selected": list(outcome.selected),
        "funding": dict(outcome.funding),
        "total_cost": outcome.total_cost,
        "budget": outcome.budget,
        "params": dict(outcome.params),
    }
    if options is not None:
        doc["options"] = {k: v for k, v in options.items() if k in OPTION_KEYS}
    if source is not None:
        digest = file_sha256(source)
        if digest is not None:
            doc["source"] = {"name": Path(str(source)).name, "sha256": digest}
    return doc


@attrs.frozen(slots=True)
class Difference:
    """A project whose published funding differs from the recomputed one."""

    project_id: str
    published: int
    recomputed: int


@attrs.frozen(slots=True)
class Verification:
    """What :func:`verify` found.

    ``matches`` is true when every project's funding is the same; ``hash_checked``
    when the document recorded the input's SHA-256 (it then matched: a mismatch raises).
    """

    rule: str
    matches: bool
    differences: tuple[Difference, ...]
    hash_checked: bool
    sha256: str | None
    recomputed: Outcome = attrs.field(eq=False, repr=False)

    def lines(self, election: Election | None = None) -> list[str]:
        """The report, one sentence a line, in the current language."""
        fmt = election.money.format if election is not None else str
        out: list[str] = []
        if self.hash_checked:
            out.append(
                _(
                    "the input file is the one the outcome records (SHA-256 {hash})",
                    hash=str(self.sha256),
                )
            )
        else:
            out.append(
                _("the outcome does not record the input's SHA-256: the file could not be checked")
            )
        if self.matches:
            out.append(_("recomputed with {rule}: the published outcome matches", rule=self.rule))
        else:
            out.append(
                _(
                    "recomputed with {rule}: the published outcome differs",
                    rule=self.rule,
                )
            )
            for d in self.differences:
                out.append(
                    _(
                        "project {project}: published {published}, recomputed {recomputed}",
                        project=d.project_id,
                        published=fmt(d.published),
                        recomputed=fmt(d.recomputed),
                    )
                )
        return out


def verify(
    document: Mapping[str, Any], source: str | Path, *, election: Election | None = None
) -> Verification:
    """Recompute the outcome a published document describes and compare it.

    Parameters
    ----------
    document
        The published JSON, parsed (``participa tally --json`` output).
    source
        The input file.
    election
        The election read from ``source`` (read here when not given).

    Raises
    ------
    ValidationError
        The document is not an outcome, or the file's SHA-256 differs from the recorded
        one (it is not the input the outcome was computed from).
    """
    from participa.rules.registry import run_rule

    if not isinstance(document, Mapping) or not isinstance(document.get("rule"), str):
        raise ValidationError(
            _("the outcome document has no rule"),
            hint=_("give the JSON written by participa tally --json"),
        )
    funding = document.get("funding")
    if not isinstance(funding, Mapping) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        for k, v in funding.items()
    ):
        raise ValidationError(
            _("the outcome document has no funding per project"),
            hint=_("give the JSON written by participa tally --json"),
        )
    digest = file_sha256(source)
    recorded = document.get("source", {})
    want = recorded.get("sha256") if isinstance(recorded, Mapping) else None
    if want is not None and digest is not None and want != digest:
        raise ValidationError(
            _(
                "{file} is not the input of this outcome: its SHA-256 is {got}, "
                "the outcome records {want}",
                file=str(source),
                got=str(digest),
                want=str(want),
            ),
            hint=_("verify against the exact file that was published"),
        )
    if election is None:
        election = _load(source)
    options = _options(document)
    name = document.get("rule_name")
    rule = name if isinstance(name, str) else document["rule"]
    again = run_rule(rule, election, **options)
    ids = sorted(set(funding) | set(again.funding))
    diffs = tuple(
        Difference(p, int(funding.get(p, 0)), int(again.funding.get(p, 0)))
        for p in ids
        if int(funding.get(p, 0)) != int(again.funding.get(p, 0))
    )
    return Verification(
        rule=rule,
        matches=not diffs,
        differences=diffs,
        hash_checked=want is not None and digest is not None,
        sha256=digest,
        recomputed=again,
    )


def _load(source: str | Path) -> Election:
    from participa import datasets

    text = str(source)
    if text.startswith(datasets.PREFIX):
        return datasets.load(text.removeprefix(datasets.PREFIX))
    path = Path(source)
    if path.is_dir():
        from participa.io.csv import read_csv_folder

        return read_csv_folder(path)
    from participa.io import load_election

    return load_election(path)


def _options(document: Mapping[str, Any]) -> dict[str, Any]:
    """The run options: the recorded ones, else those found in ``params`` (older documents)."""
    raw = document.get("options")
    if not isinstance(raw, Mapping):
        params = document.get("params")
        raw = params if isinstance(params, Mapping) else {}
        # older documents: params hold the options under the same names, plus results
        raw = {k: v for k, v in raw.items() if k in ("utility", "tie_break", "completion")}
        if raw.get("utility") == "custom":
            raw.pop("utility")
    opts: dict[str, Any] = {}
    for key in OPTION_KEYS:
        value = raw.get(key)
        if value is not None:
            opts[key] = value
    if opts.get("completion") == "none":
        opts.pop("completion")
    return opts
