"""Running checks as a review: one report per project, every reason, and the eligible set.

Examples
--------
>>> from participa.model import Project
>>> from participa.feasibility.checks import CostPositive, Competence
>>> rev = Review((CostPositive(), Competence(sectors=("roads",))), name="demo")
>>> ps = [Project("P1", 100, categories=("roads",)), Project("P2", 0, categories=("army",))]
>>> rep = rev.run(ps)
>>> rep.eligible
('P1',)
>>> [r.check for r in rep.report("P2").problems]
['cost', 'competence']
>>> print(rep.to_text())
demo: 1 of 2 projects eligible
id  cost  verdict  reasons
--  ----  -------  ------------------------------------------------------------------------
P1  100   pass     all checks pass
P2  0     fail     cost: no budget: the cost is 0 (ask the technical team to cost the ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from participa import serialize
from participa._tabular import Tabular
from participa.boundary import checked, typed_fields
from participa.display import html_table
from participa.errors import ValidationError
from participa.feasibility._base import Check, CheckResult, ReviewContext, Status
from participa.i18n import N_, _, ngettext, use_language
from participa.model import Election, Project
from participa.money import Currency, check_currency, upgrade_loose_currency

__all__ = ["FeasibilityReport", "ProjectReport", "Review", "aggregate", "review"]


@checked
def aggregate(statuses: Iterable[Status]) -> Status:
    """A project's verdict: the worst status (``n/a`` counts as pass; no checks: pass).

    >>> aggregate([Status.PASS, Status.WARN, Status.NOT_APPLICABLE])
    <Status.WARN: 'warn'>
    >>> aggregate([Status.UNKNOWN, Status.FAIL])
    <Status.FAIL: 'fail'>
    """
    worst = Status.PASS
    for s in statuses:
        if s.severity > worst.severity:
            worst = s
    return worst


def _results(value: Iterable[CheckResult]) -> tuple[CheckResult, ...]:
    return tuple(value)


@serialize.register("participa.feasibility.ProjectReport")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class ProjectReport:
    """Every check's result on one project and the resulting verdict.

    Parameters
    ----------
    project_id, name, cost
        The project (cost in minor units).
    results
        One result per check, in the review's check order.
    verdict
        The worst status among the results (see :func:`aggregate`); computed when
        omitted and verified when given.
    """

    project_id: str
    name: str
    cost: int
    results: tuple[CheckResult, ...] = attrs.field(converter=_results)
    verdict: Status | None = None

    def __attrs_post_init__(self) -> None:
        want = aggregate(r.status for r in self.results)
        if self.verdict is None:
            object.__setattr__(self, "verdict", want)
        elif self.verdict is not want:
            raise ValidationError(
                _(
                    "verdict {value!r} disagrees with the results ({value2!r})",
                    value=self.verdict.value,
                    value2=want.value,
                ),
                project_id=self.project_id,
            )

    @property
    def status(self) -> Status:
        """The verdict (never ``None`` once built)."""
        assert self.verdict is not None
        return self.verdict

    @property
    def problems(self) -> tuple[CheckResult, ...]:
        """Results that are not pass or not applicable, worst first (stable)."""
        bad = [r for r in self.results if r.status.severity > 0]
        return tuple(sorted(bad, key=lambda r: -r.status.severity))

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every problem as ``"check: reason"``."""
        return tuple(f"{r.check}: {r.reason}" for r in self.problems)

    def result(self, check: str) -> CheckResult:
        """The result of one check by name."""
        for r in self.results:
            if r.check == check:
                return r
        raise ValidationError(
            _("no check named {check!r} in this report", check=check), project_id=self.project_id
        )


def _reports(value: Iterable[ProjectReport]) -> tuple[ProjectReport, ...]:
    return tuple(value)


def _statuses(value: Iterable[Status]) -> tuple[Status, ...]:
    return tuple(value)


@serialize.register("participa.feasibility.FeasibilityReport")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class FeasibilityReport(Tabular):
    """The outcome of a review: a report per project, and which are eligible.

    Parameters
    ----------
    name
        The review's name (``"SNIP (2000–2016)"``).
    projects
        One :class:`ProjectReport` per reviewed project, in the order given.
    eligible_statuses
        Verdicts that make a project eligible (default: pass and warn).
    currency
        How to show amounts (the reviewed election's :class:`~participa.money.Currency`).

    Notes
    -----
    Hand the eligible set to a rule with ``election.restrict(report.eligible)``.
    """

    name: str
    projects: tuple[ProjectReport, ...] = attrs.field(converter=_reports)
    eligible_statuses: tuple[Status, ...] = attrs.field(
        default=(Status.PASS, Status.WARN), converter=_statuses
    )
    currency: Currency = attrs.field(factory=Currency, validator=check_currency)

    __participa_upgrade__ = staticmethod(upgrade_loose_currency)  # older JSON: a loose number

    @property
    def minor_per_unit(self) -> int:
        """Minor units per currency unit (the :attr:`currency`'s)."""
        return self.currency.minor_per_unit

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for r in self.projects:
            if r.project_id in seen:
                raise ValidationError(_("project reviewed twice"), project_id=r.project_id)
            seen.add(r.project_id)

    @property
    def project_ids(self) -> tuple[str, ...]:
        """Every reviewed project, in order."""
        return tuple(r.project_id for r in self.projects)

    @property
    def eligible(self) -> tuple[str, ...]:
        """Ids of eligible projects, in review order."""
        return tuple(r.project_id for r in self.projects if r.status in self.eligible_statuses)

    @property
    def ineligible(self) -> tuple[str, ...]:
        """Ids of the others (failed or not assessable), in review order."""
        return tuple(r.project_id for r in self.projects if r.status not in self.eligible_statuses)

    def report(self, project_id: str) -> ProjectReport:
        """One project's report."""
        for r in self.projects:
            if r.project_id == project_id:
                return r
        raise ValidationError(_("project not in this review"), project_id=project_id)

    def verdicts(self) -> dict[str, Status]:
        """Each project's verdict, in review order."""
        return {r.project_id: r.status for r in self.projects}

    def with_status(self, status: Status) -> tuple[str, ...]:
        """Ids of projects with this verdict."""
        return tuple(r.project_id for r in self.projects if r.status is status)

    def counts(self) -> dict[str, int]:
        """Number of projects per verdict (every status listed, best first)."""
        out = {s.value: 0 for s in Status}
        for r in self.projects:
            out[r.status.value] += 1
        return out

    def _money(self, amount: int) -> str:
        return self.currency.format(amount)

    def __repr__(self) -> str:
        from participa.display import summary

        return summary("FeasibilityReport", None, [self.caption])

    def rows(self, *, width: int | None = 72) -> list[tuple[str, str, str, str]]:
        """Table rows ``(id, cost, verdict, reasons)``; reasons cut to ``width`` characters."""
        out = []
        for r in self.projects:
            text = "; ".join(r.reasons) or _("all checks pass")
            if width is not None and len(text) > width:
                text = text[: width - 4].rstrip() + " ..."
            out.append((r.project_id, self._money(r.cost), _verdict(r.status), text))
        return out

    @property
    def caption(self) -> str:
        """``NAME: k of n projects eligible``."""
        return _(
            "{name}: {eligible} of {projects} eligible",
            name=self.name,
            eligible=len(self.eligible),
            projects=ngettext("{n} project", "{n} projects", len(self.projects)),
        )

    def to_text(
        self, *, detail: bool = False, width: int | None = 72, lang: str | None = None
    ) -> str:
        """A plain-text table; ``detail=True`` lists every check of every project below it.

        ``lang`` picks the language of the captions and headers (``None``: the current one).
        """
        with use_language(lang):
            header = (_("id"), _("cost"), _("verdict"), _("reasons"))
            rows = self.rows(width=width)
            widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(header)]

            def line(cells: Sequence[str]) -> str:
                return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

            lines = [self.caption, line(header), line(["-" * w for w in widths])]
            lines += [line(row) for row in rows]
            if detail:
                for r in self.projects:
                    lines.append("")
                    lines.append(f"{r.project_id} {r.name}".rstrip() + f": {_verdict(r.status)}")
                    lines += [
                        f"  {_verdict(res.status):<7} {res.check}: {res.reason}"
                        for res in r.results
                    ]
            return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_html(self, *, lang: str | None = None) -> str:
        """The report as an HTML table (``lang``: the language of captions and headers)."""
        with use_language(lang):
            return html_table(
                (_("id"), _("name"), _("cost"), _("verdict"), _("reasons")),
                (
                    (
                        r.project_id,
                        r.name,
                        self._money(r.cost),
                        _verdict(r.status),
                        "; ".join(r.reasons) or _("all checks pass"),
                    )
                    for r in self.projects
                ),
                caption=self.caption,
            )

    def _repr_html_(self) -> str:
        return self.to_html()


_VERDICTS: dict[str, str] = {
    "pass": N_("pass"),
    "n/a": N_("n/a"),
    "warn": N_("warn"),
    "unknown": N_("unknown"),
    "fail": N_("fail"),
}


def _verdict(status: Status) -> str:
    label = _VERDICTS.get(status.value)
    return _(label) if label is not None else status.value


def _checks(value: Iterable[Check]) -> tuple[Check, ...]:
    return tuple(value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Review:
    """A named bundle of checks.

    Parameters
    ----------
    checks
        The checks, run in order on every project; names must be unique.
    name
        Shown in reports.
    eligible_statuses
        Verdicts that make a project eligible (default: pass and warn; add
        ``Status.UNKNOWN`` to let unassessed projects through).
    """

    checks: tuple[Check, ...] = attrs.field(converter=_checks)
    name: str = "review"
    eligible_statuses: tuple[Status, ...] = attrs.field(
        default=(Status.PASS, Status.WARN), converter=_statuses
    )

    def __attrs_post_init__(self) -> None:
        names: set[str] = set()
        for c in self.checks:
            if not isinstance(c, Check):
                raise ValidationError(
                    _(
                        "{c!r} is not a check (it needs a name and a __call__(project, context))",
                        c=c,
                    )
                )
            if c.name in names:
                raise ValidationError(
                    _(
                        "two checks named {name!r} in review {name2!r}",
                        name=c.name,
                        name2=self.name,
                    ),
                    hint=_("give each check its own name= "),
                )
            names.add(c.name)
        if Status.FAIL in self.eligible_statuses:
            raise ValidationError(_("a failed project can never be eligible"))

    def __repr__(self) -> str:
        from participa.display import summary

        names = ", ".join(c.name for c in self.checks[:4]) + (", …" if len(self.checks) > 4 else "")
        return summary(
            "Review", self.name, [ngettext("{n} check", "{n} checks", len(self.checks)), names]
        )

    @property
    def check_names(self) -> tuple[str, ...]:
        """The checks' names, in order."""
        return tuple(c.name for c in self.checks)

    def with_check(self, check: Check) -> Review:
        """The same review with one more check at the end."""
        return attrs.evolve(self, checks=(*self.checks, check))

    def without(self, name: str) -> Review:
        """The same review without the named check."""
        if name not in self.check_names:
            raise ValidationError(
                _("no check named {name!r} in review {name2!r}", name=name, name2=self.name)
            )
        return attrs.evolve(self, checks=tuple(c for c in self.checks if c.name != name))

    def run(
        self,
        projects: Election | Iterable[Project],
        context: ReviewContext | None = None,
    ) -> FeasibilityReport:
        """Review every project: each gets every check's result and a verdict.

        Parameters
        ----------
        projects
            The proposals, or an election (its projects, money scale and currency).
        context
            Details, territories, co-financing; its ``projects`` are replaced by the
            projects reviewed here.
        """
        ctx = ReviewContext() if context is None else context
        if isinstance(projects, Election):
            ps = projects.projects
            if ctx.currency is None:  # the election says how its amounts read
                ctx = attrs.evolve(ctx, currency=projects.money)
            elif ctx.minor_per_unit != projects.minor_per_unit:
                raise ValidationError(
                    _(
                        "the review context's currency counts 1/{context} units but the "
                        "election counts 1/{election}",
                        context=ctx.minor_per_unit,
                        election=projects.minor_per_unit,
                    ),
                    hint=_("leave the context's currency out: the election's is used"),
                )
        else:
            ps = tuple(projects)
        ctx = ctx.with_projects(ps)
        seen: set[str] = set()
        reports = []
        for p in ps:
            if p.id in seen:
                raise ValidationError(_("project given twice"), project_id=p.id)
            seen.add(p.id)
            results = []
            for c in self.checks:
                res = c(p, ctx)
                if not isinstance(res, CheckResult):
                    raise ValidationError(
                        _(
                            "check {name!r} returned {name2}, not a CheckResult",
                            name=c.name,
                            name2=type(res).__name__,
                        ),
                        project_id=p.id,
                    )
                if res.check != c.name:
                    res = attrs.evolve(res, check=c.name)
                results.append(res)
            reports.append(ProjectReport(p.id, p.name, p.cost, results))
        return FeasibilityReport(self.name, reports, self.eligible_statuses, ctx.money)


@checked
def review(
    projects: Election | Iterable[Project],
    checks: Iterable[Check],
    *,
    context: ReviewContext | None = None,
    name: str = "review",
) -> FeasibilityReport:
    """Run ``checks`` on ``projects``: shorthand for ``Review(checks, name=name).run(...)``."""
    return Review(tuple(checks), name=name).run(projects, context)
