"""Errors of the rules layer; the project's root error lives here so every layer can extend it.

A rule error means the command was refused and nothing changed. Each carries a short code
and the data a renderer needs, besides a message a player can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class GreatworkError(Exception):
    """The root of every error the project raises on purpose."""


class RuleError(GreatworkError):
    """A command broke a rule; the state is unchanged.

    Attributes:
        code: a stable, machine-readable reason (``"insufficient_influence"``).
        data: details for renderers (the faction, the shortfall...).
    """

    code = "rule"

    def __init__(self, message: str, **data: Any) -> None:  # noqa: ANN401 (data is free-form)
        super().__init__(message)
        self.message = message
        self.data: Mapping[str, Any] = MappingProxyType(dict(data))


class InvalidInput(RuleError):  # noqa: N818 (a refusal, not a crash; reads better in handlers)
    """An argument is malformed, out of range or unknown."""

    code = "invalid_input"


class NotFound(RuleError):  # noqa: N818 (see InvalidInput)
    """A referenced player, scholar, theory, expedition or offer does not exist."""

    code = "not_found"


class PermissionDenied(RuleError):  # noqa: N818 (see InvalidInput)
    """The actor may not do this: a reputation gate, not the owner, not an admin."""

    code = "permission_denied"


class InsufficientInfluence(RuleError):  # noqa: N818 (see InvalidInput)
    """A faction balance cannot cover a cost; the shortfall is named."""

    code = "insufficient_influence"


class Conflict(RuleError):  # noqa: N818 (see InvalidInput)
    """The action clashes with current state: a duplicate code, an already settled theory."""

    code = "conflict"


class GamePaused(RuleError):  # noqa: N818 (see InvalidInput)
    """Player actions are refused while the game is paused."""

    code = "paused"


class ReplayError(GreatworkError):
    """An event cannot be applied to the state it was given (a corrupt or foreign journal)."""
