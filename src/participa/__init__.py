"""participa: typed, exact, property-tested participatory budgeting rules.

Values in, values out: frozen ``attrs`` values, money in integer minor units,
numpy inside the rules, tie-breaking and randomness as explicit arguments.

The most used names are importable from here; each stage also has its module:
:mod:`participa.allocation`, :mod:`participa.cofinancing`,
:mod:`participa.feasibility`, :mod:`participa.rules`, :mod:`participa.analysis`,
:mod:`participa.phases`, :mod:`participa.process`, :mod:`participa.ledger`,
:mod:`participa.store`, :mod:`participa.io`, :mod:`participa.batch`.
Importing ``participa`` registers every public value with the JSON codec, so
:func:`participa.loads` can rebuild any of them.

>>> import participa
>>> issubclass(participa.ValidationError, participa.ParticipaError)
True
"""

from __future__ import annotations

from participa import serialize as _serialize
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
from participa.model import (
    BallotConstraints,
    BallotKind,
    Election,
    Profile,
    Project,
    Territory,
    Voters,
)
from participa.money import Currency, format_amount, largest_remainder, parse_amount
from participa.outcome import Outcome, TraceStep
from participa.serialize import dumps, loads
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak, TieCriterion

for _cls in (
    Currency,
    BallotConstraints,
    Election,
    Profile,
    Project,
    Territory,
    Voters,
    Outcome,
    TraceStep,
    TieBreak,
):
    _serialize.register(_cls)

# The stage modules register their own values with the JSON codec when imported.
from participa import (  # noqa: E402 - after the core registrations above
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
from participa.allocation import Allocation, Envelope, Formula, allocate  # noqa: E402
from participa.analysis import (  # noqa: E402
    check_ejr,
    check_jr,
    check_pjr,
    compare_rules,
    find_price_system,
    satisfaction,
    shares,
)
from participa.cofinancing import (  # noqa: E402
    CofinancingPlan,
    Pledge,
    RequiredShare,
    net_election,
    shortfalls,
)
from participa.feasibility import FeasibilityReport, Review, ReviewContext, review  # noqa: E402
from participa.io import load_election, read_pabulib, write_pabulib  # noqa: E402
from participa.ledger import Ledger, accountability_report  # noqa: E402
from participa.phases import Machine, MachineSpec, Phase, Round, Transition  # noqa: E402
from participa.rules import (  # noqa: E402
    declared,
    equal_split,
    greedy,
    max_welfare,
    per_head,
    phragmen,
    run_rule,
)
from participa.rules.mes import equal_shares  # noqa: E402
from participa.store import SQLiteStore  # noqa: E402

__version__ = "0.1.0"

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
