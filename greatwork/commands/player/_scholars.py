"""Hiring and shaping scholars: recruit, its odds, mentor, assign_lab, nicknames."""

from __future__ import annotations

from typing import Final

from greatwork.actors.types import Outcome
from greatwork.commands.lookup import resolve_scholar
from greatwork.commands.options import Choice, Option
from greatwork.commands.player._shared import (
    FACTION_CHOICES,
    done,
    points,
    scholar_option,
    screen,
    viewer_state,
    who,
)
from greatwork.commands.render import (
    bullets,
    event_of,
    events_of,
    faction_label,
    influence_text,
    jsonable,
    percent,
    player_name,
    plural,
)
from greatwork.commands.spec import CommandSpec, Field, Invocation, Reply
from greatwork.rules.constants import FACTION_NAMES, MAX_NICKNAME_LENGTH, Faction
from greatwork.rules.errors import Conflict, PermissionDenied
from greatwork.rules.ids import PlayerId, ScholarId
from greatwork.rules.mentorship import AssignLab, LabAssigned, Mentor, MentorshipQueued
from greatwork.rules.player import InfluenceChanged
from greatwork.rules.recruitment import COOLDOWN, Recruit, RecruitAttempted, recruit_odds
from greatwork.rules.relationship import rel
from greatwork.rules.social import NicknameAdopted, SetNickname
from greatwork.rules.state import CampaignState


def _choices(*pairs: tuple[str, str | int]) -> tuple[Choice, ...]:
    return tuple(Choice(name=name, value=value) for name, value in pairs)


TRACK_CHOICES: Final = _choices(("Academia", "academia"), ("Industry", "industry"))


def _gained(outcome: Outcome, player: PlayerId) -> dict[Faction, int]:
    """What the player's balances gained in an outcome, by faction."""
    gained: dict[Faction, int] = {}
    for change in events_of(outcome, InfluenceChanged):
        if change.player != player:
            continue
        for faction, delta in change.deltas.items():
            if delta > 0:
                gained[faction] = gained.get(faction, 0) + delta
    return gained


def _refuse_a_rivals_scholar(state: CampaignState, scholar: ScholarId, player: PlayerId) -> None:
    """Refuse, naming the employer by display name, a scholar another player employs (D7)."""
    record = state.scholars[scholar]
    employer = record.contract.player
    if employer is not None and employer != player:
        raise Conflict(
            f"{record.name} works for {player_name(state, employer)}; recruitment is only for "
            "scholars no player employs. Use /poach to make them an offer.",
            scholar=scholar,
            employer=employer,
        )


def _not_theirs_to_mentor(state: CampaignState, scholar: ScholarId, player: PlayerId) -> None:
    """Refuse, naming the employer by display name, another player's scholar (/mentor)."""
    record = state.scholars[scholar]
    employer = record.contract.player
    if employer is not None and employer != player:
        raise PermissionDenied(
            f"{record.name} works for {player_name(state, employer)}; only their employer may "
            "mentor them (anyone may mentor a scholar no player employs).",
            scholar=scholar,
            employer=employer,
        )


async def _recruit(inv: Invocation) -> Reply:
    state = inv.game.state()
    scholar = resolve_scholar(state, inv.options["scholar_id"])
    _refuse_a_rivals_scholar(state, scholar, inv.player)
    faction = Faction(inv.options["faction"])
    outcome = await inv.game.execute(Recruit(**who(inv), scholar=scholar, faction=faction))
    attempt = event_of(outcome, RecruitAttempted)
    after = outcome.state
    name = after.scholars[scholar].name
    gained = _gained(outcome, inv.player)
    cooldown = after.players[inv.player].cooldowns.get(COOLDOWN, 0)
    if attempt.success:
        title = f"{name} joins you"
        verdict = f"{name} signs under the {FACTION_NAMES[faction]} banner"
        if gained:
            verdict += f"; you gain {influence_text(gained)} influence"
    else:
        title = f"{name} turns you down"
        verdict = f"{name} declines, and will resent it a little more tomorrow"
    body = (
        f"{verdict}.\nChance {percent(attempt.chance)} (relationship "
        f"{points(attempt.relationship)} points). "
        f"Recruitment cooldown: {plural(cooldown, 'digest')}."
    )
    return done(
        outcome,
        title,
        body,
        {
            "scholar": scholar,
            "faction": faction,
            "success": attempt.success,
            "chance": attempt.chance,
            "roll": attempt.roll,
            "relationship": attempt.relationship,
            "influence_gained": {str(f): n for f, n in gained.items()},
            "cooldown": cooldown,
        },
        (Field(name="Chance", value=percent(attempt.chance), inline=True),),
    )


async def _recruit_odds(inv: Invocation) -> Reply:
    state = viewer_state(inv)
    scholar = resolve_scholar(state, inv.options["scholar_id"])
    _refuse_a_rivals_scholar(state, scholar, inv.player)
    table = recruit_odds(state, scholar, inv.player)
    cooldown = state.players[inv.player].cooldowns.get(COOLDOWN, 0) > 0
    relationship = rel(state, scholar, inv.player)
    rows = [f"{faction_label(f)}: {percent(p)}" for f, p in table]
    notes = []
    if cooldown:
        notes.append("Your recruitment cooldown halves the base chance.")
    if relationship:
        notes.append(f"Your relationship adds {points(relationship)} points.")
    body = bullets(rows) + ("\n" + " ".join(notes) if notes else "")
    return Reply(
        title=f"Recruitment odds for {state.scholars[scholar].name}",
        body=body,
        ephemeral=True,
        data=jsonable(
            {
                "scholar": scholar,
                "odds": [{"faction": f, "chance": p} for f, p in table],
                "cooldown": cooldown,
                "relationship": relationship,
            }
        ),
    )


async def _mentor(inv: Invocation) -> Reply:
    state = inv.game.state()
    scholar = resolve_scholar(state, inv.options["scholar_id"])
    _not_theirs_to_mentor(state, scholar, inv.player)
    track = inv.options["career_track"]
    outcome = await inv.game.execute(Mentor(**who(inv), scholar=scholar, track=track))
    m = event_of(outcome, MentorshipQueued).mentorship
    name = outcome.state.scholars[scholar].name
    on_track = f" on the {m.track} track" if m.track else ""
    body = (
        f"{inv.display_name} takes {name} under their wing{on_track}. The mentorship "
        f"({m.id}) starts at the next digest; a rung every 3 digests after that."
    )
    return done(
        outcome,
        f"Mentoring {name}",
        body,
        {"mentorship": m.id, "scholar": scholar, "track": m.track, "status": m.status},
    )


async def _assign_lab(inv: Invocation) -> Reply:
    state = inv.game.state()
    scholar = resolve_scholar(state, inv.options["scholar_id"])
    outcome = await inv.game.execute(
        AssignLab(**who(inv), scholar=scholar, track=inv.options["career_track"])
    )
    e = event_of(outcome, LabAssigned)
    name = outcome.state.scholars[scholar].name
    body = f"{name} now works in the {e.career.track} lab as a {e.career.tier}."
    return done(
        outcome,
        f"{name} assigned to the {e.career.track} lab",
        body,
        {
            "scholar": scholar,
            "mentorship": e.mentorship,
            "track": e.career.track,
            "tier": e.career.tier,
            "ticks": e.career.ticks,
        },
    )


async def _set_nickname(inv: Invocation) -> Reply:
    await screen(inv, "nickname", inv.options["nickname"])
    scholar = resolve_scholar(inv.game.state(), inv.options["scholar_id"])
    outcome = await inv.game.execute(
        SetNickname(**who(inv), scholar=scholar, nickname=inv.options["nickname"])
    )
    e = event_of(outcome, NicknameAdopted)
    record = outcome.state.scholars[scholar]
    names = [n.nickname for n in record.nicknames]
    body = (
        f"{inv.display_name} dubs {record.name} “{e.nickname}”.\n"
        f"Last nicknames: {', '.join(f'“{n}”' for n in names)}."
    )
    return done(
        outcome,
        f"{record.name} is now “{e.nickname}”",
        body,
        {"scholar": scholar, "nickname": e.nickname, "nicknames": names},
    )


RECRUIT: Final = CommandSpec(
    name="recruit",
    description="Try to hire a scholar no player employs, under a faction's banner",
    handler=_recruit,
    options=(
        scholar_option(),
        Option(
            name="faction",
            description="The banner they would serve under",
            required=True,
            choices=FACTION_CHOICES,
        ),
    ),
)


RECRUIT_ODDS: Final = CommandSpec(
    name="recruit_odds",
    description="Your chance of recruiting a scholar under each faction; changes nothing",
    handler=_recruit_odds,
    options=(scholar_option(),),
    ephemeral=True,
)


MENTOR: Final = CommandSpec(
    name="mentor",
    description="Mentor a scholar up a career ladder, from the next digest",
    handler=_mentor,
    options=(
        scholar_option(),
        Option(
            name="career_track",
            description="Academia or Industry (default: their current ladder)",
            choices=TRACK_CHOICES,
        ),
    ),
)


ASSIGN_LAB: Final = CommandSpec(
    name="assign_lab",
    description="Move a scholar you actively mentor to the Academia or Industry ladder",
    handler=_assign_lab,
    options=(
        scholar_option(),
        Option(
            name="career_track",
            description="Academia or Industry",
            required=True,
            choices=TRACK_CHOICES,
        ),
    ),
)


SET_NICKNAME: Final = CommandSpec(
    name="set_nickname",
    description="Give a scholar a nickname",
    handler=_set_nickname,
    options=(
        scholar_option(),
        Option(
            name="nickname",
            description=f"The nickname (1-{MAX_NICKNAME_LENGTH} characters)",
            required=True,
            min_length=1,
            max_length=MAX_NICKNAME_LENGTH,
        ),
    ),
)
