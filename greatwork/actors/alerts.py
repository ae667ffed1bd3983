"""Admin alerts: what a campaign's admins are told in their admin channel, and when.

The server reads each committed batch of events (:func:`alerts_for`) and tells the admins of a
pause (who and why), of a resume, and of every text moderation blocked (a player's or the
model's: its surface, a snippet, the full hash and the command that lets it through). On the
clock's ticks it tells them once per pause that a digest waits (:func:`waiting_alert`).

Each alert has a key of its own (``alert:paused:<seq>``, ``alert:resumed:<seq>``,
``alert:blocked:<seq>`` with the seq of the event, ``alert:waiting:<since>`` with the time the
pause began), so the Discord outbox posts it once, also across restarts. Everything here is
pure: the same events and state always give the same alerts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from greatwork.actors.schedule import Schedule, SlotKind
from greatwork.rules.event import Event
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.moderation import TextModerated, surface_name
from greatwork.rules.pause import SOURCE_LLM, GameResumed, PauseStarted
from greatwork.rules.state import CampaignState

__all__ = ["PROBE_EVERY", "AdminAlert", "alerts_for", "waiting_alert", "when"]

PROBE_EVERY: Final = 60
"""Seconds between two probes of the model while it keeps the game paused (auto-resume)."""


@dataclass(frozen=True, slots=True)
class AdminAlert:
    """Something the campaign's admins should know, for the admin channel.

    Attributes:
        campaign_id: the campaign.
        key: the alert's outbox key (posted once): ``alert:paused:12`` and the like.
        title: a short title.
        body: what happened and what an admin can do.
        at: when it happened (epoch seconds).
        ok: True for good news (a resume), False for a problem.
    """

    campaign_id: CampaignId
    key: str
    title: str
    body: str
    at: Instant
    ok: bool = False


def when(at: int) -> str:
    """An instant as admins read it: ``2026-01-01 13:00 UTC``."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _who(state: CampaignState, player: str) -> str:
    """A player by display name, a Discord user as a mention (posted without pinging)."""
    record = state.players.get(PlayerId(player))
    if record is not None:
        return record.display_name
    return f"<@{player}>" if player.isdigit() else player


def _minutes(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min"


def alerts_for(
    campaign_id: CampaignId,
    first_seq: int,
    events: Iterable[Event],
    before: CampaignState | None,
    after: CampaignState,
    *,
    auto_resume: bool,
) -> list[AdminAlert]:
    """The alerts one committed batch of events calls for, in event order.

    Args:
        campaign_id: the campaign.
        first_seq: the seq of the batch's first event.
        events: the batch's events.
        before: the committed state before the batch (for how long a pause lasted), if known.
        after: the state after it (for names).
        auto_resume: whether a model's success lifts a pause the model caused.
    """
    alerts: list[AdminAlert] = []
    for seq, event in enumerate(events, start=first_seq):
        if isinstance(event, PauseStarted):
            alerts.append(_paused(campaign_id, seq, event, after, auto_resume=auto_resume))
        elif isinstance(event, GameResumed):
            alerts.append(_resumed(campaign_id, seq, event, before, after))
        elif isinstance(event, TextModerated) and event.blocked:
            alerts.append(_blocked(campaign_id, seq, event))
    return alerts


def _paused(
    campaign_id: CampaignId,
    seq: int,
    event: PauseStarted,
    state: CampaignState,
    *,
    auto_resume: bool,
) -> AdminAlert:
    effects = (
        "Player commands answer that the game is paused, and digests wait; they are caught up "
        "in order after the resume. Views, /gazette and admin commands still work."
    )
    if event.source == SOURCE_LLM:
        title = "The game paused itself: the language model is down"
        recover = (
            "The game resumes by itself as soon as the model answers again (it is asked "
            f"once every {PROBE_EVERY} s)"
            if auto_resume
            else "llm_auto_resume is off, so only an admin resumes it"
        )
        body = (
            f"{event.reason} (paused at {when(event.at)}). The Gazette prints its template "
            f"text meanwhile. {effects} {recover}; `/gw_admin resume_game` resumes it now. "
            "Check the model server (llm_url) and the server's log."
        )
    else:
        who = _who(state, event.by) if event.by else "An admin"
        title = "The game is paused"
        body = (
            f"{who} paused the game at {when(event.at)}: {event.reason}. {effects} "
            "`/gw_admin resume_game` resumes it."
        )
    return AdminAlert(campaign_id, f"alert:paused:{seq}", title, body, event.at)


def _resumed(
    campaign_id: CampaignId,
    seq: int,
    event: GameResumed,
    before: CampaignState | None,
    after: CampaignState,
) -> AdminAlert:
    pause = before.pause if before is not None else None
    lasted = f" after {_minutes(event.at - pause.since)}" if pause is not None else ""
    if event.source == SOURCE_LLM:
        how = "by itself: the language model answers again"
    else:
        how = f"by {_who(after, event.by)}" if event.by else "by an admin"
    body = (
        f"The game was resumed {how}{lasted}, at {when(event.at)}. Player commands work again; "
        "digests that waited are run in order at the next tick of the clock."
    )
    return AdminAlert(
        campaign_id, f"alert:resumed:{seq}", "The game resumed", body, event.at, ok=True
    )


def _blocked(campaign_id: CampaignId, seq: int, event: TextModerated) -> AdminAlert:
    what = surface_name(event.surface)
    flagged = ", ".join(x.replace("_", " ") for x in (event.category, event.stage) if x)
    consequence = (
        "The template text was printed instead."
        if event.surface == "llm_output"
        else "The move was refused and cost nothing."
    )
    body = (
        f"Moderation blocked {what}" + (f" ({flagged})" if flagged else "") + f": "
        f"“{event.snippet}”. {consequence} Text hash: `{event.text_hash}`. If this text "
        "should pass, let this exact text through with "
        f"`/gw_admin add_moderation_override text_hash:{event.text_hash}`."
    )
    return AdminAlert(
        campaign_id, f"alert:blocked:{seq}", "Moderation blocked a text", body, event.at
    )


def waiting_alert(
    campaign_id: CampaignId, state: CampaignState, schedule: Schedule, now: Instant
) -> AdminAlert | None:
    """The alert that a digest waits because the game is paused, or None if none waits.

    Its key names the pause (``alert:waiting:<since>``), so it is told once per pause however
    many digest slots pass.
    """
    pause = state.pause
    if pause is None:
        return None
    last = Instant(max(state.created_at, state.last_digest_at or 0))
    slot = schedule.next_slot(last, SlotKind.DIGEST)
    if slot.at > now:
        return None
    number = state.last_digest + 1
    body = (
        f"Digest No. {number}, due at {when(slot.at)}, waits: the game is paused "
        f"({pause.reason}). It runs, with any other digest that falls due meanwhile, in "
        "order, at the first tick of the clock after the resume (`/gw_admin resume_game`)."
    )
    return AdminAlert(
        campaign_id, f"alert:waiting:{pause.since}", "A digest waits for the pause", body, now
    )
