"""Pausing and resuming the game (section 3.14): by an admin, or after sustained LLM failure.

The server reports each persona-voice call's outcome with :class:`RecordLlmOutcome`. Only what
changes something is journaled: the start of a failure streak, the pause it causes after
:data:`LLM_PAUSE_AFTER` seconds, the end of a streak, and the resume a success brings when
``llm_auto_resume`` is on. Failures in the middle of a streak record nothing.
"""

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
    """A language-model failure streak began at ``since`` (later failures are not journaled)."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordLlmOutcome(Command):
    """The server: one persona-voice call failed (``ok`` False) or succeeded (``ok`` True).

    It needs no player and runs while the game is paused (a success may lift an ``llm``
    pause). A failure is a call that failed (a timeout, a refused connection, a 429 or 5xx
    after the retries, an invalid answer); an answer discarded by moderation, the facts check
    or the caps is not an outage and is not reported.

    Attributes:
        ok: whether the model answered.
        auto_resume: whether a success lifts a pause the model caused (``llm_auto_resume``).
    """

    ok: bool
    auto_resume: bool = True

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@decides(RecordLlmOutcome)
def _record_llm_outcome(tx: Tx, cmd: RecordLlmOutcome, ctx: Context) -> None:
    del ctx
    if cmd.ok:
        events = llm_succeeded(tx.state, cmd.at, auto_resume=cmd.auto_resume)
    else:
        events = llm_failed(tx.state, cmd.at)
    for event in events:
        tx.emit(event)


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

    The first failure journals the streak's start; a failure :data:`LLM_PAUSE_AFTER` seconds
    or more after it pauses the game with the source ``llm`` (unless it is paused already).
    Any other failure changes nothing and journals nothing.
    """
    since = state.llm_failing_since
    if since is None:
        return (LlmFailureRecorded(at=at, since=at),)
    if at - since >= LLM_PAUSE_AFTER and state.pause is None:
        minutes = (at - since) // 60
        reason = f"The language model has failed for {minutes} minutes"
        return (PauseStarted(at=at, reason=reason, source=SOURCE_LLM),)
    return ()


def llm_succeeded(
    state: CampaignState, at: Instant, *, auto_resume: bool = True
) -> tuple[Event, ...]:
    """Events for one LLM success: clear the streak; lift an ``llm`` pause if ``auto_resume``.

    A pause an admin started is never lifted by the model; nor is an ``llm`` pause when
    ``auto_resume`` is off (then only ``/gw_admin resume_game`` lifts it).
    """
    events: list[Event] = []
    if state.llm_failing_since is not None:
        events.append(LlmRecovered(at=at))
    if auto_resume and state.pause is not None and state.pause.source == SOURCE_LLM:
        events.append(GameResumed(at=at, source=SOURCE_LLM))
    return tuple(events)
