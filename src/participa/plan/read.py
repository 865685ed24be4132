"""Read a development plan from a CSV table: one row per specific objective.

Planning teams keep their plan in a spreadsheet; exported as CSV (``,`` or ``;``
separated, UTF-8, a header row), it reads into a :class:`~participa.plan.Plan`.
Header names are compared without case; unknown columns are refused (a typo would
otherwise lose data silently).

=====================  ===========================================================
column                 meaning
=====================  ===========================================================
``dimension``          id of the dimension (required on every row)
``dimension_name``     its name
``strategic``          id of the strategic objective (required when ``objective`` is)
``strategic_name``     its name
``strategic_sectors``  its sectors, separated by ``|``
``objective``          id of the specific objective (blank: the row only declares
                       the dimension or strategic objective)
``objective_name``     its name
``weight``             its weight for prioritisation (default 1)
``sectors``            its own sectors, separated by ``|``
``indicator``          id of one indicator of the objective
``indicator_name``     what it measures
``unit``               the unit
``baseline``           value when the plan was made (required with ``indicator``)
``target``             value aimed for (required with ``indicator``)
``year``               year of the target
=====================  ===========================================================

An objective with several indicators takes one more row per indicator, repeating
the objective id (its other cells blank or equal). Cells that describe the same
dimension or objective on several rows must agree. Every error names the file and
line, and says what to write instead.

Examples
--------
>>> text = (
...     "dimension,dimension_name,strategic,strategic_name,objective,objective_name,"
...     "indicator,indicator_name,baseline,target\\n"
...     "D3,Urban,OE3,Safe streets,OE3.1,Lit streets,I3.1,streets lit (%),40,90\\n")
>>> plan = parse_plan_csv(text, name="demo")
>>> plan.objective("OE3.1").indicators[0].target
Fraction(90, 1)
>>> parse_plan_csv("dimension,objective\\nD1,OE1.1\\n", file="plan.csv")
Traceback (most recent call last):
...
participa.errors.ParseError: plan.csv:2: objective 'OE1.1' has no strategic objective (fill the
strategic column)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from participa.boundary import checked
from participa.errors import ParseError, ValidationError
from participa.i18n import _
from participa.plan.model import (
    Dimension,
    Indicator,
    Plan,
    SpecificObjective,
    StrategicObjective,
    number,
)

__all__ = ["COLUMNS", "parse_plan_csv", "read_plan_csv"]

COLUMNS = (
    "dimension",
    "dimension_name",
    "strategic",
    "strategic_name",
    "strategic_sectors",
    "objective",
    "objective_name",
    "weight",
    "sectors",
    "indicator",
    "indicator_name",
    "unit",
    "baseline",
    "target",
    "year",
)
"""The columns a plan CSV may have (``dimension`` is required)."""


def _sectors(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split("|") if s.strip())


@checked
def read_plan_csv(path: str | Path, *, name: str = "", vision: str = "", period: str = "") -> Plan:
    """Read a plan from a CSV file (see the module notes for the columns).

    ``name`` defaults to the file's stem.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ParseError(
            _("cannot read the plan: {error}", error=exc.strerror or exc), file=str(p)
        ) from None
    except UnicodeDecodeError:
        raise ParseError(
            _("the plan is not UTF-8 text"), file=str(p), hint=_("save the CSV as UTF-8")
        ) from None
    return parse_plan_csv(text, file=str(p), name=name or p.stem, vision=vision, period=period)


@checked
def parse_plan_csv(
    text: str, *, file: str = "<plan>", name: str = "", vision: str = "", period: str = ""
) -> Plan:
    """Read a plan from CSV text; ``file`` names it in errors."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError(_("the plan file is empty"), file=file, line=1) from None
    except csv.Error as exc:
        raise ParseError(_("not valid CSV: {error}", error=str(exc)), file=file, line=1) from None
    cols = [h.strip().casefold() for h in header]
    unknown = [h for h in cols if h not in COLUMNS]
    if unknown:
        raise ParseError(
            _("unknown columns: {columns}", columns=", ".join(repr(u) for u in unknown)),
            file=file,
            line=1,
            hint=_("the columns are: {columns}", columns=", ".join(COLUMNS)),
        )
    dup = sorted({h for h in cols if cols.count(h) > 1})
    if dup:
        raise ParseError(
            _("columns given twice: {columns}", columns=", ".join(dup)), file=file, line=1
        )
    if "dimension" not in cols:
        raise ParseError(
            _("the plan has no dimension column"),
            file=file,
            line=1,
            hint=_("the columns are: {columns}", columns=", ".join(COLUMNS)),
        )
    builder = _Builder(file)
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(cols):
                raise ParseError(
                    _(
                        "the row has {got} cells, the header {expected}",
                        got=len(row),
                        expected=len(cols),
                    ),
                    file=file,
                    line=line,
                )
            cells = {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(cols)}
            builder.add(cells, line)
    except csv.Error as exc:
        raise ParseError(
            _("not valid CSV: {error}", error=str(exc)), file=file, line=reader.line_num
        ) from None
    try:
        return builder.plan(name=name, vision=vision, period=period)
    except ValidationError as exc:
        raise ParseError(exc.message, file=file, hint=exc.hint) from None


class _Builder:
    """Collects rows; checks that repeated descriptions agree."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.dimensions: dict[str, dict[str, object]] = {}
        self.strategic: dict[str, dict[str, object]] = {}
        self.specific: dict[str, dict[str, object]] = {}
        self.indicators: dict[str, list[Indicator]] = {}
        self.indicator_ids: dict[str, int] = {}

    def _fail(self, message: str, line: int, hint: str | None = None) -> ParseError:
        return ParseError(message, file=self.file, line=line, hint=hint)

    def _merge(
        self, table: dict[str, dict[str, object]], key: str, values: dict[str, object], line: int
    ) -> None:
        have = table.get(key)
        if have is None:
            table[key] = {**values, "_line": line}
            return
        for field, value in values.items():
            if value in ("", (), None):
                continue
            if have.get(field) in ("", (), None):
                have[field] = value
            elif have[field] != value:
                raise self._fail(
                    _(
                        "{id!r}: {field} is {value!r} here but {first!r} on line {first_line}",
                        id=key,
                        field=field,
                        value=value,
                        first=have[field],
                        first_line=have["_line"],
                    ),
                    line,
                    hint=_("write the same value on every row, or leave the cell blank"),
                )

    def add(self, cells: dict[str, str], line: int) -> None:
        dim = cells.get("dimension", "")
        strat = cells.get("strategic", "")
        obj = cells.get("objective", "")
        if not dim:
            raise self._fail(
                _("the row has no dimension"), line, hint=_("fill the dimension column")
            )
        self._merge(self.dimensions, dim, {"name": cells.get("dimension_name", "")}, line)
        if not strat:
            if obj:
                raise self._fail(
                    _("objective {id!r} has no strategic objective", id=obj),
                    line,
                    hint=_("fill the strategic column"),
                )
            return
        self._merge(
            self.strategic,
            strat,
            {
                "name": cells.get("strategic_name", ""),
                "dimension": dim,
                "sectors": _sectors(cells.get("strategic_sectors", "")),
            },
            line,
        )
        if not obj:
            for c in ("objective_name", "weight", "sectors", "indicator", "baseline", "target"):
                if cells.get(c):
                    raise self._fail(
                        _("the {column} cell needs an objective id on its row", column=c),
                        line,
                        hint=_("fill the objective column"),
                    )
            return
        weight: object = ""
        if cells.get("weight"):
            weight = self._number(cells["weight"], _("weight"), line)
        self._merge(
            self.specific,
            obj,
            {
                "name": cells.get("objective_name", ""),
                "strategic": strat,
                "weight": weight,
                "sectors": _sectors(cells.get("sectors", "")),
            },
            line,
        )
        ind = cells.get("indicator", "")
        if not ind:
            for c in ("indicator_name", "unit", "baseline", "target", "year"):
                if cells.get(c):
                    raise self._fail(
                        _("the {column} cell needs an indicator id on its row", column=c),
                        line,
                        hint=_("fill the indicator column"),
                    )
            return
        if ind in self.indicator_ids:
            raise self._fail(
                _(
                    "indicator {id!r} is given twice (first on line {first_line})",
                    id=ind,
                    first_line=self.indicator_ids[ind],
                ),
                line,
            )
        missing = [c for c in ("baseline", "target") if not cells.get(c)]
        if missing:
            raise self._fail(
                _("indicator {id!r} has no {columns}", id=ind, columns=" / ".join(missing)),
                line,
                hint=_("every indicator needs a baseline and a target"),
            )
        year: int | None = None
        if cells.get("year"):
            try:
                year = int(cells["year"])
            except ValueError:
                raise self._fail(
                    _("year is not a whole number: {value!r}", value=cells["year"]), line
                ) from None
        self.indicator_ids[ind] = line
        self.indicators.setdefault(obj, []).append(
            Indicator(
                ind,
                cells.get("indicator_name", ""),
                self._number(cells["baseline"], _("baseline"), line),
                self._number(cells["target"], _("target"), line),
                unit=cells.get("unit", ""),
                year=year,
            )
        )

    def _number(self, text: str, what: str, line: int) -> object:
        try:
            return number(text, what=what)
        except ValidationError as exc:
            raise self._fail(exc.message, line, hint=exc.hint) from None

    def plan(self, *, name: str, vision: str, period: str) -> Plan:
        dims = tuple(Dimension(k, str(v["name"])) for k, v in self.dimensions.items())
        strat = tuple(
            StrategicObjective(k, str(v["name"]), str(v["dimension"]), v["sectors"])  # type: ignore[arg-type]
            for k, v in self.strategic.items()
        )
        spec = tuple(
            SpecificObjective(
                k,
                str(v["name"]),
                str(v["strategic"]),
                v["weight"] if v["weight"] != "" else 1,
                tuple(self.indicators.get(k, ())),
                v["sectors"],  # type: ignore[arg-type]
            )
            for k, v in self.specific.items()
        )
        return Plan(name, vision, dims, strat, spec, period)
