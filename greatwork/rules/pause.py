"""Pausing and resuming the game (section 3.14): by an admin, or after sustained LLM failure."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.errors import Conflict
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState, Pause
from greatwork.rules.text import clean_reason

LLM_PAUSE_AFTER: Final = 600  # seconds of continuous LLM failure before the game pauses
SOURCE_ADMIN: Final = "admin"
SOURCE_LLM: Final = "llm"


@dataclass(frozen=True, slots=True, kw_only=True)
class PauseStarted(Event):
    """Player actions now fail and digests wait."""

    reason: str
    source: str
    by: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GameResumed(Event):
    """The pause is over; waiting digests can be caught up."""

    by: str = ""
    source: str = SOURCE_ADMIN


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmFailureRecorded(Event):
    """A language-model call failed; ``since`` is when the current failure streak began."""

    since: Instant


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmRecovered(Event):
    """A language-model call succeeded: the failure streak is cleared."""


@applies(PauseStarted)
def _paused(state: CampaignState, e: PauseStarted) -> CampaignState:
    return dataclasses.replace(state, pause=Pause(reason=e.reason, source=e.source, since=e.at))


@applies(GameResumed)
def _resumed(state: CampaignState, e: GameResumed) -> CampaignState:
    del e
    return dataclasses.replace(state, pause=None, llm_failing_since=None)


@applies(LlmFailureRecorded)
def _llm_failed(state: CampaignState, e: LlmFailureRecorded) -> CampaignState:
    return dataclasses.replace(state, llm_failing_since=e.since)


@applies(LlmRecovered)
def _llm_recovered(state: CampaignState, e: LlmRecovered) -> CampaignState:
    del e
    return dataclasses.replace(state, llm_failing_since=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class PauseGame(Command):
    """Admin: pause the game."""

    reason: str = ""

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ResumeGame(Command):
    """Admin: resume a paused game."""

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@decides(PauseGame)
def _pause(tx: Tx, cmd: PauseGame, ctx: Context) -> None:
    del ctx
    if tx.state.pause is not None:
        raise Conflict(f"The game is already paused: {tx.state.pause.reason}.")
    reason = clean_reason(cmd.reason, "Paused for maintenance")
    tx.emit(PauseStarted(at=cmd.at, reason=reason, source=SOURCE_ADMIN, by=cmd.actor))


@decides(ResumeGame)
def _resume(tx: Tx, cmd: ResumeGame, ctx: Context) -> None:
    del ctx
    if tx.state.pause is None:
        raise Conflict("The game is not paused.")
    tx.emit(GameResumed(at=cmd.at, by=cmd.actor, source=SOURCE_ADMIN))


def llm_failed(state: CampaignState, at: Instant) -> tuple[Event, ...]:
    """Events for one LLM failure: start the streak, or pause after 600 s of failures.

    D14: every failure counts, whether or not the template stood in for the output.
    """
    since = state.llm_failing_since
    if since is None:
        return (LlmFailureRecorded(at=at, since=at),)
    if at - since >= LLM_PAUSE_AFTER and state.pause is None:
        minutes = (at - since) // 60
        reason = f"The language model has failed for {minutes} minutes"
        return (
            LlmFailureRecorded(at=at, since=since),
            PauseStarted(at=at, reason=reason, source=SOURCE_LLM),
        )
    return (LlmFailureRecorded(at=at, since=since),)


def llm_succeeded(state: CampaignState, at: Instant) -> tuple[Event, ...]:
    """Events for one LLM success: clear the streak and lift a pause the LLM caused."""
    events: list[Event] = []
    if state.llm_failing_since is not None:
        events.append(LlmRecovered(at=at))
    if state.pause is not None and state.pause.source == SOURCE_LLM:
        events.append(GameResumed(at=at, source=SOURCE_LLM))
    return tuple(events)
