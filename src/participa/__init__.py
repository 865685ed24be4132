"""participa: typed, exact, property-tested participatory budgeting rules.

Values in, values out: frozen ``attrs`` values, money in integer minor units,
numpy inside the rules, tie-breaking and randomness as explicit arguments.

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
from participa.money import format_amount, largest_remainder, parse_amount
from participa.outcome import Outcome, TraceStep
from participa.serialize import dumps, loads
from participa.tiebreak import Criterion, TieBreak

for _cls in (
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

__version__ = "0.1.0"

__all__ = [
    "BallotConstraints",
    "BallotKind",
    "ConcurrencyError",
    "Criterion",
    "Election",
    "IntegrityError",
    "Outcome",
    "ParseError",
    "ParticipaError",
    "Profile",
    "Project",
    "RuleError",
    "Territory",
    "TieBreak",
    "TieError",
    "TraceStep",
    "TransitionNotAllowed",
    "ValidationError",
    "Voters",
    "__version__",
    "dumps",
    "format_amount",
    "largest_remainder",
    "loads",
    "parse_amount",
]
