"""Commands, the deciders that turn them into events, and :func:`execute`.

A decider reads the state, checks the rules, draws from the RNG and emits events through a
:class:`~greatwork.rules.event.Tx`. It raises a :class:`~greatwork.rules.errors.RuleError`
before emitting anything when a command is refused, so a refusal changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from greatwork.rules.content import Content
from greatwork.rules.errors import GamePaused
from greatwork.rules.event import Event, Tx
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.player import ensure_player, note_activity
from greatwork.rules.state import CampaignState


@dataclass(frozen=True, slots=True)
class Context:
    """What a decider may consult besides the state: content, the seeded RNG and the time.

    ``now`` is set for order handlers: the time of the digest that runs them.
    """

    content: Content
    rng: random.Random
    now: Instant = Instant(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A request from a player or an admin.

    Attributes:
        actor: who asks (a player id; for admin commands, the admin's id).
        at: when (epoch seconds, UTC).
        actor_name: the display name, used when the command creates the player.
    """

    actor: PlayerId
    at: Instant
    actor_name: str = ""

    # Player commands create their player on first use and are refused while paused.
    player_command: ClassVar[bool] = True
    allowed_while_paused: ClassVar[bool] = False


_C = TypeVar("_C", bound=Command)
Decider = Callable[[Tx, Any, Context], None]
_DECIDERS: dict[type[Command], Decider] = {}


def decides(command_type: type[_C]) -> Callable[[Callable[[Tx, _C, Context], None]], Any]:
    """Register the decider of one command type."""

    def register(fn: Callable[[Tx, _C, Context], None]) -> Any:  # noqa: ANN401
        if command_type in _DECIDERS:
            raise RuntimeError(f"two deciders for {command_type.__name__}")
        _DECIDERS[command_type] = fn
        return fn

    return register


def registered_commands() -> frozenset[type[Command]]:
    """Every command type that has a decider."""
    return frozenset(_DECIDERS)


@dataclass(frozen=True, slots=True)
class Result:
    """The state after a command and the events that led there."""

    state: CampaignState
    events: tuple[Event, ...]


def execute(state: CampaignState, command: Command, ctx: Context) -> Result:
    """Decide a command against the state.

    Raises:
        RuleError: the command was refused; nothing changed.
    """
    decider = _DECIDERS[type(command)]
    if state.paused and not command.allowed_while_paused:
        raise GamePaused(f"The game is paused: {state.pause.reason}.", reason=state.pause.reason)  # type: ignore[union-attr]
    tx = Tx(state)
    if command.player_command:
        ensure_player(tx, command.actor, command.actor_name, command.at)
    decider(tx, command, ctx)
    if command.player_command:
        note_activity(tx, command.actor, command.at)
    return Result(tx.state, tuple(tx.events))
