"""participa: typed, exact, property-tested participatory budgeting rules.

Values in, values out: frozen ``attrs`` values, money in integer minor units,
numpy inside the rules, tie-breaking and randomness as explicit arguments.

The most used names are importable from here; each stage also has its module:
:mod:`participa.allocation`, :mod:`participa.cofinancing`,
:mod:`participa.feasibility`, :mod:`participa.rules`, :mod:`participa.analysis`,
:mod:`participa.phases`, :mod:`participa.process`, :mod:`participa.ledger`,
:mod:`participa.store`, :mod:`participa.io`, :mod:`participa.batch`.
Names and stages load lazily, on first use (PEP 562), so ``import participa`` is
cheap; :func:`participa.loads` imports whatever module a document's type needs.

>>> import participa
>>> issubclass(participa.ValidationError, participa.ParticipaError)
True
>>> participa.Project("P1", 100).cost
100
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from participa.errors import (
    ConcurrencyError,
    IntegrityError,
    ParseError,
    ParticipaError,
    RuleError,
    TieError,
    TransitionNotAllowed,
    ValidationError,
)
from participa.i18n import _

if TYPE_CHECKING:
    from participa import (
        allocation,
        analysis,
        cofinancing,
        feasibility,
        io,
        ledger,
        phases,
        process,
        rules,
        store,
    )
    from participa.allocation import (
        Allocation,
        Envelope,
        Formula,
        allocate,
    )
    from participa.analysis import (
        check_ejr,
        check_jr,
        check_pjr,
        compare_rules,
        find_price_system,
        satisfaction,
        shares,
    )
    from participa.cofinancing import (
        CofinancingPlan,
        Pledge,
        RequiredShare,
        net_election,
        shortfalls,
    )
    from participa.feasibility import (
        FeasibilityReport,
        Review,
        ReviewContext,
    )

    # Functions named like their own module: imported from it (mypy sees the
    # package attribute and the submodule as two definitions otherwise).
    from participa.feasibility.review import review
    from participa.io import (
        load_election,
        read_pabulib,
        write_pabulib,
    )
    from participa.ledger import (
        Ledger,
        accountability_report,
    )
    from participa.model import (
        BallotConstraints,
        BallotKind,
        Election,
        Profile,
        Project,
        Territory,
        Voters,
    )
    from participa.money import (
        Currency,
        format_amount,
        largest_remainder,
        parse_amount,
    )
    from participa.outcome import (
        Outcome,
        TraceStep,
    )
    from participa.phases import (
        Machine,
        MachineSpec,
        Phase,
        Round,
        Transition,
    )
    from participa.rules import (
        equal_split,
        max_welfare,
        per_head,
        run_rule,
    )
    from participa.rules.declared import declared
    from participa.rules.greedy import greedy
    from participa.rules.mes import (
        equal_shares,
    )
    from participa.rules.phragmen import phragmen
    from participa.serialize import (
        dumps,
        loads,
    )
    from participa.store import (
        SQLiteStore,
    )
    from participa.tiebreak import (
        DEFAULT_TIE_BREAK,
        TieBreak,
        TieCriterion,
    )

__version__ = "0.1.0"

# Public name → the module it comes from ("" for a stage module itself); loaded on
# first access by __getattr__ below. One name per line.
_LAZY: dict[str, str] = {
    "Allocation": "participa.allocation",
    "BallotConstraints": "participa.model",
    "BallotKind": "participa.model",
    "CofinancingPlan": "participa.cofinancing",
    "Currency": "participa.money",
    "Election": "participa.model",
    "Envelope": "participa.allocation",
    "FeasibilityReport": "participa.feasibility",
    "Formula": "participa.allocation",
    "Ledger": "participa.ledger",
    "Machine": "participa.phases",
    "MachineSpec": "participa.phases",
    "Outcome": "participa.outcome",
    "Phase": "participa.phases",
    "Pledge": "participa.cofinancing",
    "Profile": "participa.model",
    "Project": "participa.model",
    "RequiredShare": "participa.cofinancing",
    "Review": "participa.feasibility",
    "ReviewContext": "participa.feasibility",
    "Round": "participa.phases",
    "SQLiteStore": "participa.store",
    "Territory": "participa.model",
    "DEFAULT_TIE_BREAK": "participa.tiebreak",
    "TieBreak": "participa.tiebreak",
    "TieCriterion": "participa.tiebreak",
    "TraceStep": "participa.outcome",
    "Transition": "participa.phases",
    "Voters": "participa.model",
    "accountability_report": "participa.ledger",
    "allocate": "participa.allocation",
    "check_ejr": "participa.analysis",
    "check_jr": "participa.analysis",
    "check_pjr": "participa.analysis",
    "compare_rules": "participa.analysis",
    "declared": "participa.rules",
    "dumps": "participa.serialize",
    "equal_shares": "participa.rules.mes",
    "equal_split": "participa.rules",
    "find_price_system": "participa.analysis",
    "format_amount": "participa.money",
    "greedy": "participa.rules",
    "largest_remainder": "participa.money",
    "load_election": "participa.io",
    "loads": "participa.serialize",
    "max_welfare": "participa.rules",
    "net_election": "participa.cofinancing",
    "parse_amount": "participa.money",
    "per_head": "participa.rules",
    "phragmen": "participa.rules",
    "read_pabulib": "participa.io",
    "review": "participa.feasibility",
    "run_rule": "participa.rules",
    "satisfaction": "participa.analysis",
    "shares": "participa.analysis",
    "shortfalls": "participa.cofinancing",
    "write_pabulib": "participa.io",
    "allocation": "",
    "analysis": "",
    "cofinancing": "",
    "feasibility": "",
    "io": "",
    "ledger": "",
    "phases": "",
    "process": "",
    "rules": "",
    "store": "",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        # Any submodule (participa.model, participa.batch, ...) as an attribute, as
        # when 0.1.0 imported them all eagerly.
        if not name.startswith("_") and importlib.util.find_spec(f"participa.{name}"):
            module = ""
        else:
            raise AttributeError(_("module 'participa' has no attribute {name!r}", name=name))
    value = (
        importlib.import_module(f"participa.{name}")
        if not module
        else getattr(importlib.import_module(module), name)
    )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "DEFAULT_TIE_BREAK",
    "Allocation",
    "BallotConstraints",
    "BallotKind",
    "CofinancingPlan",
    "ConcurrencyError",
    "Currency",
    "Election",
    "Envelope",
    "FeasibilityReport",
    "Formula",
    "IntegrityError",
    "Ledger",
    "Machine",
    "MachineSpec",
    "Outcome",
    "ParseError",
    "ParticipaError",
    "Phase",
    "Pledge",
    "Profile",
    "Project",
    "RequiredShare",
    "Review",
    "ReviewContext",
    "Round",
    "RuleError",
    "SQLiteStore",
    "Territory",
    "TieBreak",
    "TieCriterion",
    "TieError",
    "TraceStep",
    "Transition",
    "TransitionNotAllowed",
    "ValidationError",
    "Voters",
    "__version__",
    "accountability_report",
    "allocate",
    "allocation",
    "analysis",
    "check_ejr",
    "check_jr",
    "check_pjr",
    "cofinancing",
    "compare_rules",
    "declared",
    "dumps",
    "equal_shares",
    "equal_split",
    "feasibility",
    "find_price_system",
    "format_amount",
    "greedy",
    "io",
    "largest_remainder",
    "ledger",
    "load_election",
    "loads",
    "max_welfare",
    "net_election",
    "parse_amount",
    "per_head",
    "phases",
    "phragmen",
    "process",
    "read_pabulib",
    "review",
    "rules",
    "run_rule",
    "satisfaction",
    "shares",
    "shortfalls",
    "store",
    "write_pabulib",
]
