"""Game control: pause, resume, and running the next digest now."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Final

from greatwork.actors.types import Outcome
from greatwork.commands.admin._shared import admin_spec, opt_text, reason_option, who
from greatwork.commands.render import bullets, event_of, events_of, iso, player_name, plural, signed
from greatwork.commands.spec import CommandSpec, Invocation, Reply
from greatwork.rules.conference import ConferenceResolved
from greatwork.rules.constants import DAY, HOUR
from greatwork.rules.defection import ScholarDefected
from greatwork.rules.digest import DigestCompleted
from greatwork.rules.expedition import ExpeditionResolved
from greatwork.rules.order import OrderCompleted
from greatwork.rules.pause import GameResumed, PauseGame, PauseStarted, ResumeGame
from greatwork.rules.player import ReputationChanged
from greatwork.rules.roster import ScholarRetired, ScholarSpawned
from greatwork.rules.theory import TheoryLapsed, TheorySettled
from greatwork.rules.timeline import YearsAdvanced

logger = logging.getLogger(__name__)


async def _pause_game(inv: Invocation) -> Reply:
    outcome = await inv.game.execute(PauseGame(**who(inv), reason=opt_text(inv, "reason")))
    event = event_of(outcome, PauseStarted)
    logger.info("campaign %s paused by %s: %s", inv.game.campaign_id, inv.player, event.reason)
    return Reply(
        title="Game paused",
        body=(
            f"Paused: {event.reason}. Player commands are refused and digests wait until "
            "/gw_admin resume_game."
        ),
        data={"paused": True, "reason": event.reason, "since": iso(event.at)},
    )


async def _resume_game(inv: Invocation) -> Reply:
    before = inv.game.state().pause
    outcome = await inv.game.execute(ResumeGame(**who(inv)))
    event = event_of(outcome, GameResumed)
    logger.info("campaign %s resumed by %s", inv.game.campaign_id, inv.player)
    data: dict[str, Any] = {"paused": False, "resumed_at": iso(event.at)}
    body = "The game is running again; waiting digests will be caught up."
    if before is not None:
        seconds = max(0, event.at - before.since)
        data.update(reason=before.reason, paused_since=iso(before.since), paused_seconds=seconds)
        body = f"Resumed after {_duration(seconds)} ({before.reason}). " + body
    return Reply(title="Game resumed", body=body, data=data)


def _duration(seconds: int) -> str:
    if seconds >= DAY:
        return f"{seconds / DAY:.1f} days"
    if seconds >= HOUR:
        return f"{seconds / HOUR:.1f} hours"
    return f"{seconds // 60} minutes"


async def _run_digest(inv: Invocation) -> Reply:
    outcome = await inv.game.run_digest(inv.player)
    data = _digest_summary(outcome)
    logger.info(
        "campaign %s: digest %s run by admin %s (%d events)",
        inv.game.campaign_id,
        data["digest"],
        inv.player,
        data["events"],
    )
    lines = [
        f"{e['code']} ({e['player']}): {e['outcome']}, roll {e['roll']} → {e['final']}, "
        f"reputation {signed(e['reputation_delta'])}"
        for e in data["expeditions"]
    ]
    lines += [
        f"conference {c['code']}: {c['outcome']}, roll {c['roll']} → {c['final']}"
        for c in data["conferences"]
    ]
    lines += [f"theory {t['theory']}: {t['status']}" for t in data["theories"]]
    lines += [
        f"net reputation {signed(n)} for {player_name(outcome.state, p)}"
        for p, n in data["reputation_changes"].items()
    ]
    parts = [
        f"Year {data['year']}.",
        (
            f"{plural(data['events'], 'event')}, {plural(data['press'], 'press release')}, "
            f"{plural(data['orders_completed'], 'order')} carried out."
        ),
    ]
    if data["scholars_joined"] or data["scholars_retired"]:
        parts.append(
            f"Scholars: {data['scholars_joined']} joined, {data['scholars_retired']} retired."
        )
    return Reply(
        title=f"Digest {data['digest']} complete",
        body=" ".join(parts) + "\n" + bullets(lines, "Nothing was due for resolution."),
        data=data,
    )


def _digest_summary(outcome: Outcome) -> dict[str, Any]:
    state = outcome.state
    expeditions = [
        {
            "code": e.code,
            "player": state.expeditions[e.code].player,
            "outcome": str(e.result.outcome),
            "roll": e.result.roll,
            "final": e.result.final,
            "reputation_delta": e.result.reputation_delta,
        }
        for e in events_of(outcome, ExpeditionResolved)
    ]
    conferences = [
        {
            "code": c.code,
            "outcome": str(c.outcome),
            "roll": c.roll,
            "final": c.final,
            "reputation_delta": c.reputation_delta,
        }
        for c in events_of(outcome, ConferenceResolved)
    ]
    theories = [
        {"theory": t.theory, "status": str(t.status), "reputation_delta": t.reputation_delta}
        for t in events_of(outcome, TheorySettled)
    ] + [
        {"theory": t.theory, "status": "lapsed", "reputation_delta": 0}
        for t in events_of(outcome, TheoryLapsed)
    ]
    reputation: Counter[str] = Counter()
    for change in events_of(outcome, ReputationChanged):
        reputation[change.player] += change.delta
    completed = events_of(outcome, DigestCompleted)
    return {
        "digest": completed[-1].number if completed else state.last_digest,
        "year": state.year,
        "years_advanced": sum(e.years for e in events_of(outcome, YearsAdvanced)),
        "events": len(outcome.events),
        "press": len(outcome.press),
        "expeditions": expeditions,
        "conferences": conferences,
        "theories": theories,
        "reputation_changes": {p: n for p, n in sorted(reputation.items()) if n},
        "scholars_joined": len(events_of(outcome, ScholarSpawned)),
        "scholars_retired": len(events_of(outcome, ScholarRetired)),
        "defections": len(events_of(outcome, ScholarDefected)),
        "orders_completed": len(events_of(outcome, OrderCompleted)),
        "kinds": dict(Counter(e.kind for e in outcome.events).most_common()),
    }


COMMANDS: Final[tuple[CommandSpec, ...]] = (
    admin_spec(
        "pause_game",
        "Pause the game: player commands are refused and digests wait",
        _pause_game,
        reason_option(required=False),
    ),
    admin_spec("resume_game", "Resume a paused game", _resume_game),
    admin_spec("run_digest", "Run the next digest now (exactly once)", _run_digest),
)
