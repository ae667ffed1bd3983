"""Pause and resume (section 3.14): admin commands and the LLM failure streak (scenario 19).

Section 0 (D14) changes the reference: every failed LLM call counts toward the pause, fallback
or not, and (as in [H]) a success lifts a pause the LLM caused when ``llm_auto_resume`` is on.
Only the start of a streak, the pause, the end of a streak and the resume are journaled.
"""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.constants import Confidence
from greatwork.rules.errors import Conflict, GamePaused, InvalidInput
from greatwork.rules.event import Event, apply_all
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.pause import (
    GameResumed,
    LlmFailureRecorded,
    LlmRecovered,
    PauseGame,
    PauseStarted,
    RecordLlmOutcome,
    ResumeGame,
    llm_failed,
    llm_succeeded,
)
from greatwork.rules.state import CampaignState, Pause
from greatwork.rules.text import clean_reason
from greatwork.rules.theory import SubmitTheory
from tests.rules.builders import T0, make_player, make_state, run

ADMIN = PlayerId("admin")
P1 = PlayerId("p1")
ADMIN_PAUSE = Pause(reason="maintenance", source="admin", since=T0)
LLM_PAUSE = Pause(reason="The language model has failed for 10 minutes", source="llm", since=T0)


def _at(seconds: int) -> Instant:
    return Instant(T0 + seconds)


def _replays(state: CampaignState, events: tuple[Event, ...]) -> CampaignState:
    for event in events:
        assert decode_event(encode_event(event)) == event
    return apply_all(state, events)


# --- admin commands --------------------------------------------------------------------------


def test_pause_game() -> None:
    state = make_state()
    result = run(state, PauseGame(actor=ADMIN, at=T0, reason="  tea   break "))
    assert result.events == (PauseStarted(at=T0, reason="tea break", source="admin", by=ADMIN),)
    assert result.state.pause == Pause(reason="tea break", source="admin", since=T0)
    assert result.state.paused
    assert ADMIN not in result.state.players
    assert _replays(state, result.events) == result.state


def test_pause_game_default_reason() -> None:
    result = run(make_state(), PauseGame(actor=ADMIN, at=T0))
    assert result.state.pause == Pause(reason="Paused for maintenance", source="admin", since=T0)


def test_pause_game_refuses_a_long_reason() -> None:
    with pytest.raises(InvalidInput, match="at most 200 characters"):
        run(make_state(), PauseGame(actor=ADMIN, at=T0, reason="y" * 201))


@pytest.mark.parametrize("pause", [ADMIN_PAUSE, LLM_PAUSE])
def test_pause_game_refuses_when_already_paused(pause: Pause) -> None:
    state = make_state(pause=pause)
    with pytest.raises(Conflict) as info:
        run(state, PauseGame(actor=ADMIN, at=T0))
    assert str(info.value) == f"The game is already paused: {pause.reason}."


@pytest.mark.parametrize("pause", [ADMIN_PAUSE, LLM_PAUSE])
def test_resume_game_clears_the_pause_and_the_streak(pause: Pause) -> None:
    state = make_state(pause=pause, llm_failing_since=T0)
    result = run(state, ResumeGame(actor=ADMIN, at=_at(60)))
    assert result.events == (GameResumed(at=_at(60), by=ADMIN, source="admin"),)
    assert result.state.pause is None
    assert result.state.llm_failing_since is None
    assert _replays(state, result.events) == result.state


def test_resume_game_refuses_when_not_paused() -> None:
    with pytest.raises(Conflict) as info:
        run(make_state(), ResumeGame(actor=ADMIN, at=T0))
    assert str(info.value) == "The game is not paused."


def test_player_commands_are_refused_while_paused() -> None:
    state = make_state([make_player("p1")], pause=ADMIN_PAUSE)
    cmd = SubmitTheory(actor=P1, at=T0, theory="Bronze came by sea", confidence=Confidence.SUSPECT)
    with pytest.raises(GamePaused) as info:
        run(state, cmd)
    assert str(info.value) == "The game is paused: maintenance."
    assert info.value.data == {"reason": "maintenance"}
    assert info.value.code == "paused"
    resumed = run(state, ResumeGame(actor=ADMIN, at=T0)).state
    assert len(run(resumed, cmd).state.theories) == 1


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [("", "dflt", "dflt"), ("  \t ", "dflt", "dflt"), (" a  b\nc ", "dflt", "a b c")],
)
def test_clean_reason(text: str, default: str, expected: str) -> None:
    assert clean_reason(text, default) == expected


# --- the LLM streak (scenario 19) ------------------------------------------------------------


def test_scenario_19_llm_failures_pause_after_600_seconds() -> None:
    """Scenario 19: a failure at t=0 does not pause; one at t=601 s pauses with source llm."""
    state = make_state()
    first = llm_failed(state, T0)
    assert first == (LlmFailureRecorded(at=T0, since=T0),)
    state = _replays(state, first)
    assert state.llm_failing_since == T0
    assert not state.paused

    # Failures inside the streak journal nothing.
    assert llm_failed(state, _at(300)) == ()

    second = llm_failed(state, _at(601))
    assert second == (
        PauseStarted(
            at=_at(601), reason="The language model has failed for 10 minutes", source="llm"
        ),
    )
    state = _replays(state, second)
    assert state.pause == Pause(
        reason="The language model has failed for 10 minutes", source="llm", since=_at(601)
    )
    assert state.llm_failing_since == T0

    # While paused, more failures journal nothing.
    assert llm_failed(state, _at(1300)) == ()

    # A success lifts the llm pause and clears the streak.
    recovered = llm_succeeded(state, _at(700))
    assert recovered == (LlmRecovered(at=_at(700)), GameResumed(at=_at(700), source="llm"))
    state = _replays(state, recovered)
    assert state.pause is None
    assert state.llm_failing_since is None


@pytest.mark.parametrize(("elapsed", "pauses"), [(1, False), (599, False), (600, True)])
def test_llm_pause_threshold(elapsed: int, pauses: bool) -> None:
    state = make_state(llm_failing_since=T0)
    events = llm_failed(state, _at(elapsed))
    assert len(events) == (1 if pauses else 0)
    assert _replays(state, events).paused is pauses
    assert _replays(state, events).llm_failing_since == T0


def test_llm_failure_while_admin_paused_keeps_the_admin_pause() -> None:
    state = make_state(llm_failing_since=T0, pause=ADMIN_PAUSE)
    assert llm_failed(state, _at(1200)) == ()


def test_llm_first_failure_while_admin_paused_starts_the_streak() -> None:
    state = make_state(pause=ADMIN_PAUSE)
    events = llm_failed(state, _at(5))
    assert events == (LlmFailureRecorded(at=_at(5), since=_at(5)),)
    assert _replays(state, events).pause == ADMIN_PAUSE


def test_llm_success_without_streak_or_pause_changes_nothing() -> None:
    assert llm_succeeded(make_state(), T0) == ()


def test_llm_success_clears_the_streak_but_not_an_admin_pause() -> None:
    state = make_state(llm_failing_since=T0, pause=ADMIN_PAUSE)
    events = llm_succeeded(state, _at(30))
    assert events == (LlmRecovered(at=_at(30)),)
    after = _replays(state, events)
    assert after.pause == ADMIN_PAUSE
    assert after.llm_failing_since is None


def test_llm_success_lifts_an_llm_pause_even_without_a_streak() -> None:
    state = make_state(pause=LLM_PAUSE)
    events = llm_succeeded(state, _at(30))
    assert events == (GameResumed(at=_at(30), source="llm"),)
    assert _replays(state, events) == dataclasses.replace(state, pause=None, seq=1)


def test_llm_success_without_auto_resume_keeps_the_llm_pause() -> None:
    state = make_state(pause=LLM_PAUSE, llm_failing_since=T0)
    events = llm_succeeded(state, _at(30), auto_resume=False)
    assert events == (LlmRecovered(at=_at(30)),)
    after = _replays(state, events)
    assert after.pause == LLM_PAUSE
    assert after.llm_failing_since is None


# --- RecordLlmOutcome ---------------------------------------------------------------------------

SERVER = PlayerId("server")


def _outcome(at: int, *, ok: bool, auto_resume: bool = True) -> RecordLlmOutcome:
    return RecordLlmOutcome(actor=SERVER, at=_at(at), ok=ok, auto_resume=auto_resume)


def test_record_llm_outcome_journals_the_streak_the_pause_and_the_resume() -> None:
    state = make_state()
    result = run(state, _outcome(0, ok=False))
    assert result.events == (LlmFailureRecorded(at=T0, since=T0),)
    assert SERVER not in result.state.players  # no player is made for the server
    state = result.state
    assert run(state, _outcome(120, ok=False)).events == ()
    result = run(state, _outcome(600, ok=False))
    assert result.events == (
        PauseStarted(
            at=_at(600), reason="The language model has failed for 10 minutes", source="llm"
        ),
    )
    state = result.state
    # Allowed while paused: a failure changes nothing, a success resumes.
    assert run(state, _outcome(660, ok=False)).events == ()
    result = run(state, _outcome(720, ok=True))
    assert result.events == (LlmRecovered(at=_at(720)), GameResumed(at=_at(720), source="llm"))
    assert not result.state.paused


def test_record_llm_outcome_without_auto_resume_leaves_the_pause_to_an_admin() -> None:
    state = make_state(pause=LLM_PAUSE, llm_failing_since=T0)
    result = run(state, _outcome(60, ok=True, auto_resume=False))
    assert result.events == (LlmRecovered(at=_at(60)),)
    assert result.state.pause == LLM_PAUSE
    resumed = run(result.state, ResumeGame(actor=ADMIN, at=_at(90)))
    assert resumed.events == (GameResumed(at=_at(90), by=ADMIN, source="admin"),)


def test_record_llm_outcome_success_without_streak_journals_nothing() -> None:
    state = make_state([make_player("p1")])
    result = run(state, _outcome(5, ok=True))
    assert result.events == ()
    assert result.state == state
