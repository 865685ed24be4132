"""The error hierarchy: every error participa raises on purpose is a :class:`ParticipaError`.

Each subclass also subclasses the matching built-in exception, so code that
already catches ``ValueError`` or ``KeyError`` keeps working. Every error
carries *where* the problem is (file, line, project id, voter id) as
attributes and in its message, and when possible a *hint* saying what to do.

Examples
--------
>>> err = ParseError("cost is not a number: 'abc'", file="x.pb", line=12, project_id="P1",
...                  hint="write costs as integers, e.g. 120000")
>>> str(err)
"x.pb:12: cost is not a number: 'abc' [project 'P1'] (write costs as integers, e.g. 120000)"
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConcurrencyError",
    "IntegrityError",
    "ParseError",
    "ParticipaError",
    "RuleError",
    "TieError",
    "TransitionNotAllowed",
    "ValidationError",
]


class ParticipaError(Exception):
    """Base class of every error participa raises on purpose.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    file, line
        Where, for errors found while reading a file (``line`` is 1-based).
    project_id, voter_id
        Which project or voter the problem concerns, if any.
    hint
        What to do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        project_id: str | None = None,
        voter_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.project_id = project_id
        self.voter_id = voter_id
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        # rendered when shown, in the language current then (i18n imports this module)
        from participa.i18n import _

        where = ""
        if self.file is not None:
            where = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = _("line {line}: ", line=self.line)
        text = where + self.message
        if self.project_id is not None:
            text += _(" [project {project_id!r}]", project_id=self.project_id)
        if self.voter_id is not None:
            text += _(" [voter {voter_id!r}]", voter_id=self.voter_id)
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return self._render()


class ValidationError(ParticipaError, ValueError):
    """A value is invalid: negative cost, duplicate id, weights not summing to 1, ..."""


class ParseError(ParticipaError, ValueError):
    """A file (pabulib ``.pb``, JSON) is malformed; ``file`` and ``line`` say where."""


class RuleError(ParticipaError, ValueError):
    """A rule cannot run on this input (wrong ballot kind, undeclared or unknown rule, ...)."""


class TieError(ParticipaError, RuntimeError):
    """A tie was met under the ``refuse`` tie-breaking; ``tied`` lists the tied project ids."""

    def __init__(self, message: str, *, tied: Sequence[str], hint: str | None = None) -> None:
        self.tied = tuple(tied)
        super().__init__(message, hint=hint)


class TransitionNotAllowed(ParticipaError, RuntimeError):  # noqa: N818 - name fixed by the API
    """A phase-machine event cannot be applied in the current phase.

    ``event`` and ``phase`` name what was tried and where; ``failed_guards`` holds
    the reasons of every guard that blocked it.
    """

    def __init__(
        self,
        message: str,
        *,
        event: str,
        phase: str,
        failed_guards: Sequence[str] = (),
        hint: str | None = None,
    ) -> None:
        self.event = event
        self.phase = phase
        self.failed_guards = tuple(failed_guards)
        super().__init__(message, hint=hint)


class IntegrityError(ParticipaError, ValueError):
    """Stored data failed verification (a broken hash chain, money not conserved, ...)."""


class ConcurrencyError(ParticipaError, RuntimeError):
    """An optimistic-concurrency check failed: someone else changed the data first."""
