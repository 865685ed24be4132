"""Projects: the PROJECTS rows to :class:`~participa.model.Project` fields (costs as text).

Costs are checked here; the reader builds each :class:`~participa.model.Project` once,
priced, when the money unit is known (not once unpriced and again priced).
"""

from __future__ import annotations

from typing import Any

from participa.i18n import _
from participa.io.pabulib._common import _DIGITS, _MODELLED_PROJECT_COLUMNS, _amount_problem
from participa.io.pabulib._sections import _Reader, _Section


def _projects(r: _Reader, sec: _Section) -> tuple[list[dict[str, Any]], list[str], list[int]]:
    """Each row's Project fields but the cost, its cost text and its line."""
    header = sec.header
    for col in ("project_id", "cost"):
        if col not in header:
            raise r.error(
                _("the PROJECTS header has no {col!r} column", col=col),
                line=sec.header_line,
                hint=_("the PROJECTS header starts with project_id;cost"),
            )
    pos = {h: j for j, h in enumerate(header)}
    ip, ic = pos["project_id"], pos["cost"]
    iname, icat, idist = pos.get("name"), pos.get("category"), pos.get("district")
    iben, idim = pos.get("beneficiaries"), pos.get("dimension")
    ben_int = iben is not None and all(
        not row[iben] or (_DIGITS.fullmatch(row[iben]) and row[iben] == str(int(row[iben])))
        for row in sec.rows
    )
    other = [
        (h, j)
        for j, h in enumerate(header)
        if h not in _MODELLED_PROJECT_COLUMNS or (h == "beneficiaries" and not ben_int)
    ]
    projects: list[dict[str, Any]] = []
    costs: list[str] = []
    lines: list[int] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(sec.rows):
        line = sec.line(i)
        pid = row[ip]
        if not pid.strip():
            raise r.error(_("empty project_id"), line=line, hint=_("give every project an id"))
        if "," in pid:
            raise r.error(
                _("project_id contains a comma, which separates projects in votes"),
                line=line,
                project_id=pid,
            )
        if pid in seen:
            raise r.error(
                _("duplicate project id (first on line {seen})", seen=seen[pid]),
                line=line,
                project_id=pid,
            )
        seen[pid] = line
        ctext = row[ic].strip()
        problem = _amount_problem(ctext)
        if problem is not None:
            raise r.error(
                _("cost is {problem}: {row!r}", problem=problem, row=row[ic]),
                line=line,
                project_id=pid,
                hint=_("write costs as non-negative digits with an optional decimal point"),
            )
        ben = None
        if ben_int and iben is not None and row[iben]:
            ben = int(row[iben])
        projects.append(
            {
                "id": pid,
                "name": row[iname] if iname is not None else "",
                "territory": (row[idist] or None) if idist is not None else None,
                "categories": tuple(row[icat].split(",")) if icat is not None and row[icat] else (),
                "dimension": (row[idim] or None) if idim is not None else None,
                "beneficiaries": ben,
                "metadata": {h: row[j] for h, j in other},
            }
        )
        costs.append(ctext)
        lines.append(line)
    return projects, costs, lines
