"""Admin alerts from committed events and from the clock: keys, texts, once per pause."""

from __future__ import annotations

from greatwork.actors.alerts import AdminAlert, alerts_for, waiting_alert, when
from greatwork.actors.schedule import Schedule
from greatwork.config import Settings
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.moderation import moderation_event
from greatwork.rules.pause import GameResumed, LlmFailureRecorded, PauseStarted
from greatwork.rules.state import Pause
from tests.rules.builders import T0, make_player, make_state

CID = CampaignId("guild-1")
HOUR = 3600


def _at(seconds: int) -> Instant:
    return Instant(T0 + seconds)


def test_a_pause_by_an_admin_names_who_and_why() -> None:
    state = make_state([make_player("p1")])
    pause = PauseStarted(at=_at(60), reason="Moving house", source="admin", by=PlayerId("p1"))
    [alert] = alerts_for(CID, 7, [pause], None, state, auto_resume=True)
    assert alert.key == "alert:paused:7"
    assert alert.title == "The game is paused"
    assert alert.body.startswith("P1 paused the game at 2026-01-01 00:01 UTC: Moving house.")
    assert "`/gw_admin resume_game` resumes it" in alert.body
    assert not alert.ok


def test_a_pause_by_the_model_says_how_it_ends() -> None:
    state = make_state()
    pause = PauseStarted(
        at=_at(700), reason="The language model has failed for 11 minutes", source="llm"
    )
    [auto] = alerts_for(CID, 3, [pause], None, state, auto_resume=True)
    [manual] = alerts_for(CID, 3, [pause], None, state, auto_resume=False)
    assert auto.title == manual.title == "The game paused itself: the language model is down"
    assert "resumes by itself as soon as the model answers again" in auto.body
    assert "only an admin resumes it" in manual.body
    assert "The language model has failed for 11 minutes" in auto.body


def test_a_resume_says_how_long_the_pause_lasted() -> None:
    before = make_state(pause=Pause(reason="x", source="admin", since=T0))
    after = make_state()
    resumed = GameResumed(at=_at(2 * HOUR + 5 * 60), by=PlayerId("123456"), source="admin")
    [alert] = alerts_for(CID, 9, [resumed], before, after, auto_resume=True)
    assert alert.key == "alert:resumed:9"
    assert alert.ok
    assert "resumed by <@123456> after 2 h 05 min" in alert.body
    by_model = GameResumed(at=_at(90), source="llm")
    [again] = alerts_for(CID, 10, [by_model], before, after, auto_resume=True)
    assert "by itself: the language model answers again after 1 minute" in again.body


def test_only_blocked_texts_are_told_each_under_its_own_seq() -> None:
    blocked = moderation_event(
        "kill it", "llm_output", _at(5), blocked=True, category="violence", stage="blocklist"
    )
    passed = moderation_event("kill it", "theory", _at(5), blocked=False, override="MOD-1")
    streak = LlmFailureRecorded(at=_at(5), since=_at(5))
    alerts = alerts_for(CID, 20, [streak, passed, blocked], None, make_state(), auto_resume=True)
    assert [a.key for a in alerts] == ["alert:blocked:22"]
    [alert] = alerts
    assert "the language model's rewrite of a press release (violence, blocklist)" in alert.body
    assert "The template text was printed instead." in alert.body
    assert f"text_hash:{blocked.text_hash}`" in alert.body


def test_a_digest_waits_once_per_pause() -> None:
    schedule = Schedule.from_settings(Settings())  # digests at 13:00 and 21:00 UTC
    pause = Pause(reason="Moving house", source="admin", since=_at(9 * HOUR))
    state = make_state(pause=pause)
    assert waiting_alert(CID, state, schedule, _at(12 * HOUR)) is None  # not due yet
    due = waiting_alert(CID, state, schedule, _at(13 * HOUR))
    later = waiting_alert(CID, state, schedule, _at(22 * HOUR))
    assert isinstance(due, AdminAlert)
    assert isinstance(later, AdminAlert)
    assert due.key == later.key == f"alert:waiting:{pause.since}"
    assert f"Digest No. 1, due at {when(_at(13 * HOUR))}, waits" in due.body
    assert waiting_alert(CID, make_state(), schedule, _at(22 * HOUR)) is None  # not paused
