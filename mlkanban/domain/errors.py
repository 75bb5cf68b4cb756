"""Errors every layer raises and the CLI and TUI turn into one-line messages.

Each error carries the process exit code of DESIGN.md §6 so that the command line
never has to guess: 1 when a rule refused the change, 2 for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping


class MlkanbanError(Exception):
    """Base of every error a user can cause; never shown as a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        """What to do instead (such as ``"split"``), for each front end to say in its own
        terms: a command to type, a key to press."""

    def __str__(self) -> str:
        return self.message

    def worded(self, remedies: Mapping[str, str]) -> str:
        """The message, and the remedy as one front end words it (if it words it)."""
        remedy = remedies.get(self.remedy or "")
        return f"{self.message} ({remedy})" if remedy else self.message


class BadInput(MlkanbanError):
    """Malformed or out-of-range input: an unknown phase, a future date, ..."""


class NotFound(BadInput):
    """A person, project or task that does not exist."""


class RuleRefused(MlkanbanError):
    """A board rule (WIP limit, size limit, allowed transitions) said no."""

    exit_code = 1


class WipRefused(RuleRefused):
    """Starting would put a person over their WIP limit; an override with a reason may."""


class SchemaError(MlkanbanError):
    """The database cannot be used by this version of mlkanban."""
