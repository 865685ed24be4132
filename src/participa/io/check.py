"""``participa check``: list the soft anomalies of pabulib files, as pabulib's checker does.

Each file is read leniently (see :mod:`participa.io.pabulib._anomalies` for how
each anomaly is read); the report names every anomaly with its line, code,
project and voter. The exit status says the worst found: 0 every file is clean,
1 some file has anomalies, 2 some file cannot be read (each file is still reported).

Examples
--------
>>> import io, tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     f = pathlib.Path(d) / "x.pb"
...     _ = f.write_text("META\\nbudget;5\\nvote_type;approval\\nPROJECTS\\n"
...                      "project_id;cost\\np;5\\nVOTES\\nvoter_id;vote\\nv;p,p\\n")
...     out = io.StringIO()
...     rc = check_files([str(f)], out, labels=["x.pb"])
>>> rc
1
>>> print(out.getvalue().strip())
x.pb: 1 anomaly
  line 9: [duplicate-project] 1 ballot names a project twice (it counts once) [project 'p'] ...
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TextIO

from participa.errors import ParticipaError
from participa.i18n import _, ngettext
from participa.io.pabulib import Anomaly, AnomalyWarning, read_pabulib

__all__ = ["check_files", "format_anomaly"]


def format_anomaly(a: Anomaly) -> str:
    """One line for people: where, code, message, project and voter.

    Examples
    --------
    >>> format_anomaly(Anomaly("num-votes", "META num_votes is '3' but 2 voters voted", line=6))
    "line 6: [num-votes] META num_votes is '3' but 2 voters voted"
    """
    text = f"[{a.code}] {a.message}"
    if a.line is not None:
        text = _("line {line}", line=a.line) + ": " + text
    if a.project_id is not None:
        text += " " + _("[project {project!r}]", project=a.project_id)
    if a.voter_id is not None:
        text += " " + _("[voter {voter!r}]", voter=a.voter_id)
    return text


def check_files(paths: Sequence[str], out: TextIO, *, labels: Sequence[str] | None = None) -> int:
    """Report each file's anomalies on ``out``: 0 clean, 1 anomalies found, 2 unreadable.

    A path ``dataset:NAME`` checks the example election shipped as ``NAME``.
    """
    from participa import datasets

    worst = 0
    for k, path in enumerate(paths):
        label = labels[k] if labels is not None else path
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AnomalyWarning)
                if path.startswith(datasets.PREFIX):
                    found = datasets.read(path.removeprefix(datasets.PREFIX)).anomalies
                else:
                    found = read_pabulib(path).anomalies
        except (ParticipaError, OSError, MemoryError) as exc:
            reason = (
                _("out of memory")
                if isinstance(exc, MemoryError)
                else str(exc)
                if isinstance(exc, ParticipaError)
                else f"{exc.strerror or exc}"
            )
            print(f"{label}: " + _("unreadable: {reason}", reason=reason), file=out)
            worst = 2
            continue
        if not found:
            print(f"{label}: " + _("clean"), file=out)
            continue
        worst = max(worst, 1)
        print(
            f"{label}: " + ngettext("{n} anomaly", "{n} anomalies", len(found)),
            file=out,
        )
        for a in found:
            print("  " + format_anomaly(a), file=out)
    return worst
