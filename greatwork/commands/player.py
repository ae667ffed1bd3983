"""The player commands (GAME_RULES.md section 5.1, with the defects of section 8 fixed).

Each handler parses its options into a rules command (or a view), asks the campaign, and
renders the reply. Refusals are the rules' own errors, with specifics added where the command
layer knows more (which option, where to look the valid values up). Free text a player writes
passes :func:`_screen` before anything is executed: that is where moderation (issue 5) plugs in.

Not here: ``/resolve_expeditions`` (Q-28: digests run by the clock or ``/gw_admin run_digest``)
and ``/export_web_archive`` (the web archive arrives with issue 7).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from greatwork.actors.types import Outcome
from greatwork.commands.lookup import (
    resolve_offer,
    resolve_scholar,
    resolve_scholars,
    resolve_theory,
)
from greatwork.commands.render import (
    bullets,
    clip,
    employer_text,
    event_of,
    events_of,
    faction_label,
    influence_data,
    influence_text,
    iso,
    journal_data,
    jsonable,
    percent,
    player_name,
    plural,
    press_data,
    press_ids,
    press_line,
    press_path,
    scholar_name,
    signed,
    when,
)
from greatwork.commands.spec import (
    Attachment,
    Choice,
    CommandSpec,
    Field,
    Invocation,
    Lookup,
    Option,
    OptionType,
    Reply,
)
from greatwork.rules.conference import (
    LAUNCH_COST,
    PER_SCHOLAR,
    ConferenceLaunched,
    LaunchConference,
)
from greatwork.rules.constants import (
    EXPEDITION_COSTS,
    EXPEDITION_GATES,
    FACTION_NAMES,
    FACTIONS,
    MAX_CODE_LENGTH,
    MAX_NICKNAME_LENGTH,
    MAX_OBJECTIVE_LENGTH,
    MAX_TEAM_SIZE,
    MAX_THEORY_LENGTH,
    RECRUIT_GATE,
    THEORY_DEFAULT_DEADLINE_DAYS,
    THEORY_MAX_DEADLINE_DAYS,
    WAGERS,
    Confidence,
    ExpeditionType,
    Faction,
)
from greatwork.rules.errors import Conflict, NotFound, PermissionDenied
from greatwork.rules.expedition import ExpeditionLaunched, LaunchExpedition
from greatwork.rules.ids import OfferId, PlayerId, ScholarId
from greatwork.rules.investment import (
    MAX_PROGRAM_LENGTH,
    MIN_ENDOWMENT,
    MIN_INVESTMENT,
    ArchiveEndowed,
    EndowArchive,
    Invest,
    Invested,
)
from greatwork.rules.mentorship import AssignLab, LabAssigned, Mentor, MentorshipQueued
from greatwork.rules.negotiation import odds
from greatwork.rules.offer import Counter, OfferCountered, OfferMade, Poach
from greatwork.rules.player import InfluenceChanged, ReputationChanged
from greatwork.rules.proposal import (
    MAX_PROPOSAL_DESCRIPTION,
    MAX_PROPOSAL_TOPIC,
    PROPOSAL_LIFETIME,
    ProposalSubmitted,
    SymposiumPropose,
    pending_proposals,
)
from greatwork.rules.recruitment import (
    COOLDOWN,
    Recruit,
    RecruitAttempted,
    recruit_odds,
)
from greatwork.rules.relationship import rel
from greatwork.rules.social import (
    MAX_TABLE_TALK_LENGTH,
    NicknameAdopted,
    PostTableTalk,
    SetNickname,
    SharePress,
)
from greatwork.rules.state import CampaignState, Offer, OfferKind, Terms
from greatwork.rules.symposium import OPTION_NAMES, SymposiumVote, SymposiumVoted
from greatwork.rules.theory import SubmitTheory, TheorySubmitted
from greatwork.rules.view import (
    ScholarProfile,
    commitments_view,
    offers_view,
    projects_view,
    roster,
    scholar_profile,
    status,
    symposium_backlog,
    symposium_standing,
    theory_reference,
    wager_table,
    with_new_player,
)

GAZETTE_DEFAULT: Final = 5
GAZETTE_MAX: Final = 20
EXPORT_DEFAULT: Final = 10
EXPORT_MAX: Final = 50
THEORY_REFERENCE_DEFAULT: Final = 8
THEORY_REFERENCE_MAX: Final = 20
ARCHIVE_MATCHES: Final = 5
ARCHIVE_SCAN: Final = 500  # released items searched for a headline match, newest first
MAX_SEARCH_LENGTH: Final = 100
MAX_OFFER_PER_FACTION: Final = 100
TERM_FLAGS: Final = ("guaranteed_funding", "exclusive_research", "leadership_role")


# --- shared pieces ---------------------------------------------------------------------------


async def _screen(inv: Invocation, surface: str, text: str) -> None:
    """Check free text a player wrote before anything is executed (the moderation hook).

    Issue 5 plugs its check in here (the blocklist, then ``override_for`` in the rules): it
    raises a RuleError to refuse the text, so nothing is recorded (Q-22). The surfaces are
    theory, objective, table_talk, nickname, symposium_topic and symposium_description.
    Until then every text passes; the rules still bound its length.
    """
    del inv, surface, text


def _who(inv: Invocation) -> dict[str, Any]:
    """The fields every rules command takes from the invocation."""
    return {"actor": inv.player, "at": inv.at, "actor_name": inv.display_name}


def _done(
    outcome: Outcome,
    title: str,
    body: str,
    data: Mapping[str, Any],
    fields: tuple[Field, ...] = (),
    *,
    public: bool = True,
    ephemeral: bool = False,
) -> Reply:
    """The reply to an accepted move: ``data`` plus the press it produced."""
    full = {**data, "press": press_ids(outcome)}
    return Reply(
        title=title,
        body=body,
        fields=fields,
        data=jsonable(full),
        public=public and not ephemeral,
        ephemeral=ephemeral,
    )


def _viewer_state(inv: Invocation) -> CampaignState:
    """The state, with the caller previewed as a new player if they have not joined."""
    return with_new_player(inv.game.state(), inv.player, inv.display_name, inv.at)


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


def _patron_only(state: CampaignState, offer: OfferId, player: PlayerId) -> None:
    """Refuse, naming the patron by display name, a counter from anyone else (/counter)."""
    record = state.offers[offer]
    if record.patron != player:
        raise PermissionDenied(
            f"Only {player_name(state, record.patron)}, who employs the scholar, may counter "
            f"{offer}.",
            offer=offer,
            patron=record.patron,
        )


def _choices(*pairs: tuple[str, str | int]) -> tuple[Choice, ...]:
    return tuple(Choice(name=name, value=value) for name, value in pairs)


FACTION_CHOICES: Final = tuple(
    Choice(name=f"{f} ({FACTION_NAMES[f]})", value=str(f)) for f in FACTIONS
)
CONFIDENCE_CHOICES: Final = tuple(
    Choice(name=f"{c.replace('_', ' ')} (+{r} / {p})", value=str(c)) for c, (r, p) in WAGERS.items()
)
TYPE_CHOICES: Final = tuple(
    Choice(
        name=(
            f"{t.replace('_', ' ')} (cost {EXPEDITION_COSTS[t]}, reputation {EXPEDITION_GATES[t]}+)"
        ),
        value=str(t),
    )
    for t in ExpeditionType
)
TRACK_CHOICES: Final = _choices(("Academia", "academia"), ("Industry", "industry"))
VOTE_CHOICES: Final = tuple(Choice(name=f"{n}: {OPTION_NAMES[n]}", value=n) for n in OPTION_NAMES)


def _scholar_option(
    name: str = "scholar_id", description: str = "The scholar: id or name"
) -> Option:
    return Option(
        name=name, description=description, required=True, max_length=100, lookup=Lookup.SCHOLAR
    )


def _panel_option(name: str, description: str) -> Option:
    return Option(
        name=name,
        description=description,
        lookup=Lookup.SCHOLAR,
        many=True,
        max_items=MAX_TEAM_SIZE,
        default=(),
    )


def _confidence_option() -> Option:
    return Option(
        name="confidence",
        description="The reputation wager: suspect, certain or stake_my_career",
        required=True,
        choices=CONFIDENCE_CHOICES,
    )


def _limit_option(default: int, most: int, what: str) -> Option:
    return Option(
        name="limit",
        description=f"How many {what} (1-{most}, default {default})",
        type=OptionType.INTEGER,
        default=default,
        min_value=1,
        max_value=most,
    )


def _offer_options() -> tuple[Option, ...]:
    amounts = tuple(
        Option(
            name=f"{f}_influence",
            description=f"{FACTION_NAMES[f]} influence offered, held in escrow (default 0)",
            type=OptionType.INTEGER,
            default=0,
            min_value=0,
            max_value=MAX_OFFER_PER_FACTION,
        )
        for f in FACTIONS
    )
    flags = (
        Option(
            name="guaranteed_funding",
            description="Promise guaranteed funding (+15% odds)",
            type=OptionType.BOOLEAN,
            default=False,
        ),
        Option(
            name="exclusive_research",
            description="Promise exclusive research rights (+10% odds)",
            type=OptionType.BOOLEAN,
            default=False,
        ),
        Option(
            name="leadership_role",
            description="Promise a leadership role (+20% odds)",
            type=OptionType.BOOLEAN,
            default=False,
        ),
    )
    return amounts + flags


def _offer_terms(options: Mapping[str, Any]) -> tuple[dict[Faction, int], Terms]:
    amounts = {f: int(options[f"{f}_influence"]) for f in FACTIONS}
    terms = Terms(**{flag: bool(options[flag]) for flag in TERM_FLAGS})
    return amounts, terms


def _terms_text(terms: Terms) -> str:
    chosen = [flag.replace("_", " ") for flag in TERM_FLAGS if getattr(terms, flag)]
    return ", ".join(chosen) or "none"


def _terms_data(terms: Terms) -> dict[str, bool]:
    return {flag: bool(getattr(terms, flag)) for flag in TERM_FLAGS}


def _offer_data(state: CampaignState, offer: Offer, probability: float) -> dict[str, Any]:
    return {
        "offer_id": offer.id,
        "chain": offer.chain,
        "kind": offer.kind,
        "scholar": offer.scholar,
        "rival": offer.rival,
        "patron": offer.patron,
        "faction": offer.faction,
        "influence": {str(f): n for f, n in offer.influence.items()},
        "terms": _terms_data(offer.terms),
        "status": offer.status,
        "deadline": iso(offer.deadline),
        "probability": probability,
        "scholar_name": scholar_name(state, offer.scholar),
    }


# --- theories and expeditions ----------------------------------------------------------------


async def _submit_theory(inv: Invocation) -> Reply:
    opts = inv.options
    await _screen(inv, "theory", opts["theory"])
    supporters = resolve_scholars(inv.game.state(), opts["supporters"])
    outcome = await inv.game.execute(
        SubmitTheory(
            **_who(inv),
            theory=opts["theory"],
            confidence=Confidence(opts["confidence"]),
            supporters=supporters,
            deadline_days=opts["deadline"],
        )
    )
    theory = event_of(outcome, TheorySubmitted).theory
    reward, penalty = WAGERS[theory.confidence]
    state = outcome.state
    named = ", ".join(scholar_name(state, s) for s in theory.supporters) or "none"
    body = (
        f"{inv.display_name} wagers **{theory.confidence}** on “{theory.text}”.\n"
        f"Supporters: {named}.\n"
        "An expedition citing it or a conference about it judges it: vindicated pays "
        f"{signed(reward)}, refuted costs {signed(penalty)}. Unjudged, it lapses on "
        f"{when(theory.deadline)} with no change."
    )
    return _done(
        outcome,
        f"Theory {theory.id} is on the record",
        body,
        {
            "theory_id": theory.id,
            "text": theory.text,
            "confidence": theory.confidence,
            "supporters": list(theory.supporters),
            "deadline": iso(theory.deadline),
            "reward": reward,
            "penalty": penalty,
        },
        (Field(name="Wager", value=f"{signed(reward)} / {signed(penalty)}", inline=True),),
    )


async def _launch_expedition(inv: Invocation) -> Reply:
    opts = inv.options
    await _screen(inv, "objective", opts["objective"])
    state = inv.game.state()
    team = resolve_scholars(state, opts["team"])
    theory = resolve_theory(state, opts["theory"]) if opts["theory"] else None
    outcome = await inv.game.execute(
        LaunchExpedition(
            **_who(inv),
            code=opts["code"],
            objective=opts["objective"],
            expedition_type=ExpeditionType(opts["expedition_type"]),
            confidence=Confidence(opts["confidence"]),
            team=team,
            funding=tuple(Faction(f) for f in opts["funding"]),
            theory=theory,
        )
    )
    e = event_of(outcome, ExpeditionLaunched).expedition
    after = outcome.state
    members = ", ".join(scholar_name(after, s) for s in e.team) or "none"
    cited = f"Cites theory {e.theory}." if e.theory else "Cites no theory."
    body = (
        f"{inv.display_name} launches a {e.type.replace('_', ' ')} expedition: “{e.objective}”.\n"
        f"Team: {members}. {cited}\n"
        f"Paid: {influence_text(e.paid)}.\n"
        f"Modifiers: preparation {signed(e.prep)}, expertise {signed(e.expertise)}, "
        f"friction {signed(e.friction)}: **{signed(e.modifier)}**, depth {e.depth}.\n"
        "It resolves at the next digest: d100 + modifier; under 40 fails, 40-64 partial, "
        "65-84 success, 85+ landmark."
    )
    return _done(
        outcome,
        f"Expedition {e.code} launched",
        body,
        {
            "code": e.code,
            "type": e.type,
            "objective": e.objective,
            "confidence": e.confidence,
            "team": list(e.team),
            "funding": list(e.funding),
            "paid": {str(f): n for f, n in e.paid.items()},
            "cost": sum(e.paid.values()),
            "theory": e.theory,
            "prep": e.prep,
            "expertise": e.expertise,
            "friction": e.friction,
            "modifier": e.modifier,
            "depth": e.depth,
        },
        (
            Field(name="Modifier", value=signed(e.modifier), inline=True),
            Field(name="Depth", value=str(e.depth), inline=True),
        ),
    )


async def _conference(inv: Invocation) -> Reply:
    opts = inv.options
    state = inv.game.state()
    theory = resolve_theory(state, opts["theory_id"])
    supporters = resolve_scholars(state, opts["supporters"])
    opposition = resolve_scholars(state, opts["opposition"])
    outcome = await inv.game.execute(
        LaunchConference(
            **_who(inv),
            theory=theory,
            confidence=Confidence(opts["confidence"]),
            supporters=supporters,
            opposition=opposition,
        )
    )
    c = event_of(outcome, ConferenceLaunched).conference
    after = outcome.state
    modifier = PER_SCHOLAR * (len(c.supporters) - len(c.opposition))
    body = (
        f"{inv.display_name} calls a conference on {c.theory} "
        f"(“{clip(after.theories[c.theory].text, 120)}”), wagering **{c.confidence}**.\n"
        f"Supporters: {', '.join(scholar_name(after, s) for s in c.supporters) or 'none'}.\n"
        f"Opposition: {', '.join(scholar_name(after, s) for s in c.opposition) or 'none'}.\n"
        f"Cost: {influence_text(LAUNCH_COST)}. At the next digest: d100 "
        f"{'-' if modifier < 0 else '+'} {abs(modifier)}; "
        "60+ success, 40-59 partial, under 40 failure."
    )
    return _done(
        outcome,
        f"Conference {c.code} called",
        body,
        {
            "code": c.code,
            "theory": c.theory,
            "confidence": c.confidence,
            "supporters": list(c.supporters),
            "opposition": list(c.opposition),
            "cost": {str(f): n for f, n in LAUNCH_COST.items()},
            "modifier": modifier,
        },
    )


async def _theory_reference(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines = theory_reference(state, inv.at, inv.options["limit"])
    rows = []
    for t in lines:
        standing = f"{t.days_left} days left" if t.days_left is not None else str(t.status)
        if t.conference:
            standing += f", conference {t.conference} pending"
        rows.append(
            f"{t.id} · {player_name(state, t.player)} · {t.confidence} · {standing}: "
            f"“{clip(t.text, 120)}”"
        )
    data = [
        {
            "id": t.id,
            "player": t.player,
            "text": t.text,
            "confidence": t.confidence,
            "status": t.status,
            "created_at": iso(t.created_at),
            "deadline": iso(t.deadline),
            "days_left": t.days_left,
            "conference": t.conference,
        }
        for t in lines
    ]
    return Reply(
        title="Theory reference",
        body=bullets(rows, "No theories yet: /submit_theory puts one on the record."),
        data=jsonable({"theories": data}),
    )


# --- scholars --------------------------------------------------------------------------------


async def _recruit(inv: Invocation) -> Reply:
    state = inv.game.state()
    scholar = resolve_scholar(state, inv.options["scholar_id"])
    _refuse_a_rivals_scholar(state, scholar, inv.player)
    faction = Faction(inv.options["faction"])
    outcome = await inv.game.execute(Recruit(**_who(inv), scholar=scholar, faction=faction))
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
        f"{_points(attempt.relationship)} points). "
        f"Recruitment cooldown: {plural(cooldown, 'digest')}."
    )
    return _done(
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
    state = _viewer_state(inv)
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
        notes.append(f"Your relationship adds {_points(relationship)} points.")
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
    outcome = await inv.game.execute(Mentor(**_who(inv), scholar=scholar, track=track))
    m = event_of(outcome, MentorshipQueued).mentorship
    name = outcome.state.scholars[scholar].name
    on_track = f" on the {m.track} track" if m.track else ""
    body = (
        f"{inv.display_name} takes {name} under their wing{on_track}. The mentorship "
        f"({m.id}) starts at the next digest; a rung every 3 digests after that."
    )
    return _done(
        outcome,
        f"Mentoring {name}",
        body,
        {"mentorship": m.id, "scholar": scholar, "track": m.track, "status": m.status},
    )


async def _assign_lab(inv: Invocation) -> Reply:
    state = inv.game.state()
    scholar = resolve_scholar(state, inv.options["scholar_id"])
    outcome = await inv.game.execute(
        AssignLab(**_who(inv), scholar=scholar, track=inv.options["career_track"])
    )
    e = event_of(outcome, LabAssigned)
    name = outcome.state.scholars[scholar].name
    body = f"{name} now works in the {e.career.track} lab as a {e.career.tier}."
    return _done(
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


def _feel(value: float) -> str:
    """A feeling for people: ``+2.5``."""
    return signed(round(value, 2))


def _points(chance: float) -> str:
    """A probability bonus in percentage points: ``+6``."""
    return signed(round(chance * 100, 1))


def _feeling_word(value: float) -> str:
    if value >= 3:
        return "devoted"
    if value >= 1:
        return "warm"
    if value > -1:
        return "indifferent"
    if value > -3:
        return "cool"
    return "hostile"


async def _scholar(inv: Invocation) -> Reply:
    state = inv.game.state()
    sid = resolve_scholar(state, inv.options["scholar_id"])
    profile = scholar_profile(state, sid, inv.player)
    s = profile.scholar
    st = s.stats
    m = profile.mentorship
    mentor = f"; mentored by {player_name(state, m.player)} ({m.status})" if m else ""
    facts = [
        f"{when(f.at)} · {f.kind} · {f.subject} {f.details}".rstrip() for f in profile.recent_facts
    ]
    scar = " (a scar: it never fades)" if profile.scarred else ""
    body = "\n".join(
        [
            f"{s.archetype}{' · legend' if s.legend else ''} · {', '.join(s.disciplines)}",
            f"Methods: {', '.join(s.methods)}. Drives: {', '.join(s.drives)}.",
            (
                f"Virtues: {', '.join(s.virtues)}. Vices: {', '.join(s.vices)}. "
                f"Taboos: {'; '.join(s.taboos)}."
            ),
            (
                f"Stats: talent {st.talent}, reliability {st.reliability}, "
                f"integrity {st.integrity}, theatrics {st.theatrics}, loyalty {st.loyalty}, "
                f"risk {st.risk}."
            ),
            (
                f"Politics: {', '.join(f'{f} {signed(s.politics.get(f, 0))}' for f in FACTIONS)} "
                f"(leans {s.primary_faction})."
            ),
            f"Career: {s.career.tier} ({s.career.track}){mentor}.",
            f"Employer: {employer_text(state, s.contract)}"
            + (f" under the {s.contract.faction} banner" if s.contract.faction else "")
            + ".",
            f"“{s.catchphrase}”",
            (
                f"Toward you: {_feeling_word(profile.feeling)} ({_feel(profile.feeling)}){scar}; "
                f"your recruitment bonus {_points(profile.relationship)} points."
            ),
            "Memory:\n" + bullets(facts, "Nothing remembered yet."),
        ]
    )
    if s.nicknames:
        body += "\nNicknames: " + ", ".join(f"“{n.nickname}”" for n in s.nicknames)
    return Reply(
        title=f"{s.name} ({s.id})",
        body=body,
        ephemeral=True,
        data=jsonable(_profile_data(state, profile)),
    )


def _profile_data(state: CampaignState, profile: ScholarProfile) -> dict[str, Any]:
    s = profile.scholar
    m = profile.mentorship
    return {
        "id": s.id,
        "name": s.name,
        "archetype": s.archetype,
        "region": s.region,
        "legend": s.legend,
        "disciplines": s.disciplines,
        "methods": s.methods,
        "drives": s.drives,
        "virtues": s.virtues,
        "vices": s.vices,
        "taboos": s.taboos,
        "stats": s.stats,
        "politics": s.politics,
        "primary_faction": s.primary_faction,
        "catchphrase": s.catchphrase,
        "career": s.career,
        "employer": {
            "id": s.contract.employer,
            "name": employer_text(state, s.contract),
            "kind": s.contract.kind,
            "faction": s.contract.faction,
            "term_years": s.contract.term_years,
        },
        "mentorship": None
        if m is None
        else {"id": m.id, "player": m.player, "status": m.status, "track": m.track},
        "facts": [
            {"at": iso(f.at), "kind": f.kind, "subject": f.subject, "details": f.details}
            for f in profile.recent_facts
        ],
        "scars": [{"kind": k, "subject": subj} for k, subj in sorted(s.memory.scars)],
        "feelings": [{"key": k, "value": v} for k, v in profile.strongest],
        "feeling": profile.feeling,
        "scarred": profile.scarred,
        "relationship": profile.relationship,
        "nicknames": [
            {"nickname": n.nickname, "player": n.player, "at": iso(n.at)} for n in s.nicknames
        ],
        "sidecast": s.sidecast,
        "resolve": s.resolve,
    }


async def _roster(inv: Invocation) -> Reply:
    state = inv.game.state()
    scholars = roster(state)
    rows = [
        f"{s.name} ({s.id}) · {s.career.tier}, {s.career.track} · "
        f"{employer_text(state, s.contract)}"
        for s in scholars
    ]
    data = [
        {
            "id": s.id,
            "name": s.name,
            "archetype": s.archetype,
            "legend": s.legend,
            "employer": employer_text(state, s.contract),
            "employer_id": s.contract.employer,
            "employer_kind": s.contract.kind,
            "faction": s.contract.faction,
            "tier": s.career.tier,
            "track": s.career.track,
        }
        for s in scholars
    ]
    return Reply(
        title=f"The roster: {plural(len(scholars), 'scholar')}",
        body=bullets(rows, "The roster is empty."),
        ephemeral=True,
        data=jsonable({"scholars": data}),
    )


async def _set_nickname(inv: Invocation) -> Reply:
    await _screen(inv, "nickname", inv.options["nickname"])
    scholar = resolve_scholar(inv.game.state(), inv.options["scholar_id"])
    outcome = await inv.game.execute(
        SetNickname(**_who(inv), scholar=scholar, nickname=inv.options["nickname"])
    )
    e = event_of(outcome, NicknameAdopted)
    record = outcome.state.scholars[scholar]
    names = [n.nickname for n in record.nicknames]
    body = (
        f"{inv.display_name} dubs {record.name} “{e.nickname}”.\n"
        f"Last nicknames: {', '.join(f'“{n}”' for n in names)}."
    )
    return _done(
        outcome,
        f"{record.name} is now “{e.nickname}”",
        body,
        {"scholar": scholar, "nickname": e.nickname, "nicknames": names},
    )


# --- the symposium ---------------------------------------------------------------------------


async def _symposium_vote(inv: Invocation) -> Reply:
    outcome = await inv.game.execute(SymposiumVote(**_who(inv), option=inv.options["option"]))
    e = event_of(outcome, SymposiumVoted)
    topic = outcome.state.topics[e.topic]
    body = (
        f"{inv.display_name} votes {e.option} ({OPTION_NAMES[e.option]}) on “{topic.title}”. "
        "A new vote replaces this one; votes are counted at the weekly symposium."
    )
    return _done(
        outcome,
        f"Vote cast: {OPTION_NAMES[e.option]}",
        body,
        {
            "topic": e.topic,
            "title": topic.title,
            "option": e.option,
            "choice": OPTION_NAMES[e.option],
        },
    )


async def _symposium_propose(inv: Invocation) -> Reply:
    opts = inv.options
    await _screen(inv, "symposium_topic", opts["topic"])
    await _screen(inv, "symposium_description", opts["description"])
    outcome = await inv.game.execute(
        SymposiumPropose(**_who(inv), topic=opts["topic"], description=opts["description"])
    )
    p = event_of(outcome, ProposalSubmitted).proposal
    expires = p.created_at + PROPOSAL_LIFETIME
    body = (
        f"{inv.display_name} proposes “{p.topic}”: {p.description}\n"
        f"It waits in the backlog until chosen or until {when(expires)}."
    )
    return _done(
        outcome,
        f"Proposal {p.id} submitted",
        body,
        {"proposal": p.id, "topic": p.topic, "description": p.description, "expires": iso(expires)},
    )


async def _symposium_proposals(inv: Invocation) -> Reply:
    state = inv.game.state()
    waiting = pending_proposals(state)
    rows = [
        f"{p.id} · {player_name(state, p.player)} · “{p.topic}”: {clip(p.description, 160)}"
        for p in waiting
    ]
    data = [
        {
            "id": p.id,
            "player": p.player,
            "topic": p.topic,
            "description": p.description,
            "created_at": iso(p.created_at),
            "expires": iso(p.created_at + PROPOSAL_LIFETIME),
        }
        for p in waiting
    ]
    return Reply(
        title=f"Symposium proposals: {len(waiting)} waiting",
        body=bullets(rows, "No proposals wait: /symposium_propose suggests one."),
        data=jsonable({"proposals": data}),
    )


async def _symposium_backlog(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines, debts = symposium_backlog(state, inv.at)
    rows = [
        f"{line.proposal.id} · score {line.score:.2f} · {line.age_days:.1f} days old · "
        f"“{line.proposal.topic}” ({player_name(state, line.proposal.player)})"
        for line in lines
    ]
    owing = [
        f"{player_name(state, d.player)}: {d.amount} {d.faction} (reprisals {d.reprisal_level})"
        for d in debts
    ]
    body = (
        "Next in line first (score: waiting time up to 1, +0.5 for a fresh voice, -0.75 for a "
        "recent proposer).\n"
        + bullets(rows, "The backlog is empty.")
        + "\nSymposium debts:\n"
        + bullets(owing, "Nobody owes the symposium anything.")
    )
    return Reply(
        title="Symposium backlog",
        body=body,
        data=jsonable(
            {
                "proposals": [
                    {
                        "id": line.proposal.id,
                        "player": line.proposal.player,
                        "topic": line.proposal.topic,
                        "score": line.score,
                        "age_days": line.age_days,
                        "expires": iso(line.expires_at),
                    }
                    for line in lines
                ],
                "debts": [
                    {
                        "player": d.player,
                        "faction": d.faction,
                        "amount": d.amount,
                        "reprisal_level": d.reprisal_level,
                    }
                    for d in debts
                ],
            }
        ),
    )


async def _symposium_status(inv: Invocation) -> Reply:
    state = _viewer_state(inv)
    view = symposium_standing(state, inv.player, inv.at)
    topic = view.topic
    lines = []
    if topic is None:
        lines.append("No topic is open for votes.")
    else:
        vote = (
            f"you voted {view.vote} ({OPTION_NAMES[view.vote]})"
            if view.vote
            else "you have not voted"
        )
        lines.append(f"Open: {topic.id} “{topic.title}”: {vote}.")
        if view.pledge is not None:
            where = f" {view.pledge.faction}" if view.pledge.faction else ""
            lines.append(f"Your pledge: {view.pledge.amount}{where} ({view.pledge.status}).")
        else:
            lines.append("You made no pledge on this topic.")
    grace = "spent" if view.grace_used else "available"
    if view.grace_resets_at is not None:
        grace += f" (back on {when(view.grace_resets_at)})"
    lines.append(f"Missed in a row: {view.miss_streak}. Free miss: {grace}.")
    lines.append(f"Symposium debt: {influence_text(view.debts)}. Next pledge: {view.next_pledge}.")
    pledge = view.pledge
    return Reply(
        title="Your symposium standing",
        body="\n".join(lines),
        ephemeral=True,
        data=jsonable(
            {
                "topic": None
                if topic is None
                else {"id": topic.id, "title": topic.title, "description": topic.description},
                "vote": view.vote,
                "pledge": None
                if pledge is None
                else {"amount": pledge.amount, "faction": pledge.faction, "status": pledge.status},
                "miss_streak": view.miss_streak,
                "grace_used": view.grace_used,
                "grace_resets_at": iso(view.grace_resets_at) if view.grace_resets_at else None,
                "debts": {str(f): n for f, n in view.debts.items()},
                "next_pledge": view.next_pledge,
            }
        ),
    )


# --- standing and the economy ----------------------------------------------------------------


async def _status(inv: Invocation) -> Reply:
    state = _viewer_state(inv)
    view = status(state, inv.player)
    joined = inv.player in inv.game.state().players
    gates = {"recruit": RECRUIT_GATE} | {f"expedition:{t}": g for t, g in EXPEDITION_GATES.items()}
    can = [
        f"{name.replace('expedition:', '').replace('_', ' ')} "
        + ("yes" if allowed else f"no (needs {gates[name]})")
        for name, allowed in view.gates.items()
    ]
    contracts = [
        f"{c.name} ({c.scholar}) · {c.faction or 'no banner'} · feeling {_feel(c.feeling)}"
        for c in view.contracts
    ]
    felt = [
        f"{r.name} ({r.scholar}) {_feel(r.feeling)}"
        + (" scar" if r.scarred else "")
        + f" · odds {_points(r.bonus)} points"
        for r in view.relationships
    ]
    commitments = [
        f"{c.commitment.id} · {c.commitment.faction} · next charge {c.next_cost} · "
        f"ends {when(c.commitment.ends_at)}"
        for c in view.commitments
    ]
    cooldowns = ", ".join(f"{k} {plural(v, 'digest')}" for k, v in view.cooldowns.items())
    debts = ", ".join(f"{k} {v}" for k, v in view.debts.items())
    body = "\n".join(
        [
            "You have not acted yet: these are a newcomer's numbers." if not joined else "",
            f"Can: {', '.join(can)}.",
            (
                f"Open theories: {', '.join(view.open_theories) or 'none'}. "
                f"Pending expeditions: {', '.join(view.pending_expeditions) or 'none'}."
            ),
            (
                f"Debts: {debts or 'none'}. Invested: {influence_text(view.invested)}. "
                f"Endowed: {influence_text(view.endowed)}."
            ),
            "Your scholars:\n" + bullets(contracts, "none"),
            "Strongest feelings about you:\n" + bullets(felt, "none yet"),
            "Seasonal commitments:\n" + bullets(commitments, "none"),
        ]
    ).strip()
    fields = (
        Field(name="Reputation", value=signed(view.reputation), inline=True),
        Field(name="Influence cap", value=str(view.cap), inline=True),
        Field(name="Influence", value=influence_text(view.influence, zeros=True)),
        Field(name="Cooldowns", value=cooldowns or "none"),
    )
    data = {
        "player": view.player,
        "display_name": view.display_name,
        "joined": joined,
        "reputation": view.reputation,
        "cap": view.cap,
        "influence": influence_data(view.influence),
        "cooldowns": dict(view.cooldowns),
        "gates": dict(view.gates),
        "scholars": list(view.scholars),
        "open_theories": list(view.open_theories),
        "pending_expeditions": list(view.pending_expeditions),
        "debts": dict(view.debts),
        "contracts": [
            {"scholar": c.scholar, "faction": c.faction, "feeling": c.feeling, "loyalty": c.loyalty}
            for c in view.contracts
        ],
        "relationships": [
            {"scholar": r.scholar, "feeling": r.feeling, "bonus": r.bonus, "scarred": r.scarred}
            for r in view.relationships
        ],
        "commitments": [
            {
                "id": c.commitment.id,
                "faction": c.commitment.faction,
                "next_cost": c.next_cost,
                "ends": iso(c.commitment.ends_at),
            }
            for c in view.commitments
        ],
        "invested": {str(f): n for f, n in view.invested.items()},
        "endowed": {str(f): n for f, n in view.endowed.items()},
    }
    return Reply(
        title=f"{view.display_name}: reputation {signed(view.reputation)}",
        body=body,
        fields=fields,
        ephemeral=True,
        data=jsonable(data),
    )


async def _wager(inv: Invocation) -> Reply:
    del inv
    rows = wager_table()
    lines = [
        f"{r.confidence}: success {signed(r.reward)}, partial {signed(r.partial)}, failure "
        f"{signed(r.penalty)}; breaks even at {percent(r.break_even)} success"
        + (" · starts a 2-digest recruitment cooldown" if r.sets_cooldown else "")
        for r in rows
    ]
    gates = {"recruit": RECRUIT_GATE} | {f"expedition:{t}": g for t, g in EXPEDITION_GATES.items()}
    body = (
        bullets(lines)
        + "\nMinimum reputation: "
        + ", ".join(
            f"{k.replace('expedition:', '').replace('_', ' ')} {v}" for k, v in gates.items()
        )
        + ".\nReputation stays between -50 and +50."
    )
    return Reply(
        title="The wager table",
        body=body,
        data=jsonable({"rows": rows, "gates": gates, "bounds": [-50, 50]}),
    )


async def _invest(inv: Invocation) -> Reply:
    opts = inv.options
    outcome = await inv.game.execute(
        Invest(
            **_who(inv),
            faction=Faction(opts["faction"]),
            amount=opts["amount"],
            program=opts["program"],
        )
    )
    e = event_of(outcome, Invested)
    warmed = ", ".join(scholar_name(outcome.state, s) for s in e.scholars) or "none yet"
    body = (
        f"{inv.display_name} invests {e.amount} {e.faction} influence"
        + (f" in “{e.program}”" if e.program else "")
        + f".\nScholars under that banner warming to you ({signed(e.feeling)}): {warmed}."
    )
    return _done(
        outcome,
        f"Invested {e.amount} in {FACTION_NAMES[e.faction]}",
        body,
        {
            "faction": e.faction,
            "amount": e.amount,
            "program": e.program,
            "scholars": list(e.scholars),
            "feeling": e.feeling,
        },
    )


async def _endow_archive(inv: Invocation) -> Reply:
    opts = inv.options
    outcome = await inv.game.execute(
        EndowArchive(
            **_who(inv),
            amount=opts["amount"],
            faction=Faction(opts["faction"]),
            program=opts["program"],
        )
    )
    e = event_of(outcome, ArchiveEndowed)
    gained = sum(r.delta for r in events_of(outcome, ReputationChanged) if r.player == inv.player)
    paid = []
    if e.symposium_paid:
        paid.append(f"{e.symposium_paid} symposium debt")
    if e.seasonal_paid:
        paid.append(f"{e.seasonal_paid} seasonal debt")
    body = (
        f"{inv.display_name} endows the archive with {e.amount} {e.faction} influence"
        + (f" for “{e.program}”" if e.program else "")
        + f". Reputation {signed(gained)}."
        + (f" Also paid off: {', '.join(paid)}." if paid else "")
    )
    return _done(
        outcome,
        f"Archive endowed with {e.amount}",
        body,
        {
            "faction": e.faction,
            "amount": e.amount,
            "program": e.program,
            "reputation_delta": gained,
            "symposium_paid": e.symposium_paid,
            "seasonal_paid": e.seasonal_paid,
        },
    )


async def _seasonal_commitments(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines = commitments_view(state, inv.player)
    rows = [
        f"{c.commitment.id} · {c.commitment.faction} · {c.commitment.tier} · "
        f"{c.commitment.status} · next charge {c.next_cost} · "
        f"{when(c.commitment.starts_at)} to {when(c.commitment.ends_at)}"
        for c in lines
    ]
    data = [
        {
            "id": c.commitment.id,
            "faction": c.commitment.faction,
            "tier": c.commitment.tier,
            "status": c.commitment.status,
            "base_cost": c.commitment.base_cost,
            "next_cost": c.next_cost,
            "relfac": c.relfac,
            "starts": iso(c.commitment.starts_at),
            "ends": iso(c.commitment.ends_at),
            "last_charged": iso(c.commitment.last_charged_at)
            if c.commitment.last_charged_at
            else None,
        }
        for c in lines
    ]
    return Reply(
        title="Your seasonal commitments",
        body=bullets(rows, "You have no seasonal commitments (admins set them)."),
        ephemeral=True,
        data=jsonable({"commitments": data}),
    )


async def _faction_projects(inv: Invocation) -> Reply:
    projects = projects_view(inv.game.state())
    rows = [
        f"{p.id} · {p.name} · {p.faction} · {p.status} · {p.progress:.1f}/{p.target:g}"
        + (" · you contribute" if inv.player in p.contributors else "")
        for p in projects
    ]
    data = [
        {
            "id": p.id,
            "name": p.name,
            "faction": p.faction,
            "status": p.status,
            "progress": round(p.progress, 4),
            "target": p.target,
            "contributors": sorted(p.contributors),
            "contributing": inv.player in p.contributors,
        }
        for p in projects
    ]
    return Reply(
        title="Faction projects",
        body=bullets(rows, "No faction projects yet (admins open them)."),
        data=jsonable({"projects": data}),
    )


# --- offers ----------------------------------------------------------------------------------


async def _poach(inv: Invocation) -> Reply:
    opts = inv.options
    scholar = resolve_scholar(inv.game.state(), opts["scholar_id"])
    amounts, terms = _offer_terms(opts)
    outcome = await inv.game.execute(
        Poach(
            **_who(inv),
            scholar=scholar,
            faction=Faction(opts["target_faction"]),
            influence=amounts,
            terms=terms,
        )
    )
    offer = event_of(outcome, OfferMade).offer
    after = outcome.state
    chance = odds(after, offer, inv.at).probability
    body = (
        f"{inv.display_name} offers {scholar_name(after, scholar)} "
        f"{influence_text(offer.influence)} (held in escrow) to serve under the "
        f"{offer.faction} banner. Terms: {_terms_text(terms)}.\n"
        f"{player_name(after, offer.patron)} may /counter before {when(offer.deadline)}. "
        f"Odds as things stand: {percent(chance)}."
    )
    return _done(outcome, f"Offer {offer.id} made", body, _offer_data(after, offer, chance))


async def _counter(inv: Invocation) -> Reply:
    opts = inv.options
    state = inv.game.state()
    target = resolve_offer(state, opts["offer_id"])
    _patron_only(state, target, inv.player)
    amounts, terms = _offer_terms(opts)
    outcome = await inv.game.execute(
        Counter(**_who(inv), offer=target, influence=amounts, terms=terms)
    )
    offer = event_of(outcome, OfferCountered).offer
    after = outcome.state
    chance = odds(after, offer, inv.at).probability
    body = (
        f"{inv.display_name} counters {target} with {influence_text(offer.influence)} "
        f"(held in escrow) to keep {scholar_name(after, offer.scholar)}. Terms: "
        f"{_terms_text(terms)}.\nThe scholar decides by {when(offer.deadline)}. "
        f"Odds of staying as things stand: {percent(chance)}."
    )
    data = _offer_data(after, offer, chance) | {"countered": target}
    return _done(outcome, f"Counter-offer {offer.id} made", body, data)


def _offer_move(state: CampaignState, offer: Offer, viewer: PlayerId) -> str:
    """Who put up what, from the viewer's side of the chain."""
    amount = influence_text(offer.influence)
    if offer.kind is OfferKind.COUNTER:
        if offer.patron == viewer:
            return f"you counter with {amount}"
        return f"{player_name(state, offer.patron)} counters with {amount}"
    if offer.rival == viewer:
        return f"you offer {amount}"
    return f"{player_name(state, offer.rival)} offers {amount} for your scholar"


async def _view_offers(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines = offers_view(state, inv.player, inv.at)
    rows = [
        f"{line.offer.id} ({line.offer.kind}, {line.offer.status}) · "
        f"{scholar_name(state, line.offer.scholar)} · {_offer_move(state, line.offer, inv.player)}"
        f" · odds {percent(line.probability)} · decides {when(line.resolves_at)}"
        for line in lines
    ]
    data = [
        _offer_data(state, line.offer, line.probability)
        | {"role": line.role, "resolves_at": iso(line.resolves_at)}
        for line in lines
    ]
    return Reply(
        title="Your open offers",
        body=bullets(rows, "No open offers involve you."),
        ephemeral=True,
        data=jsonable({"offers": data}),
    )


# --- press and the table ---------------------------------------------------------------------


async def _gazette(inv: Invocation) -> Reply:
    items = await inv.game.press(limit=inv.options["limit"])
    return Reply(
        title="The Gazette",
        body=bullets((press_line(i) for i in items), "The Gazette has printed nothing yet."),
        data=jsonable({"press": [press_data(i) for i in items]}),
    )


async def _export_log(inv: Invocation) -> Reply:
    limit = inv.options["limit"]
    entries = await inv.game.journal(limit=limit)
    items = await inv.game.press(limit=limit)
    events = [journal_data(e) for e in entries]
    press = [press_data(i, body=True) for i in items]
    export = {"campaign": inv.game.campaign_id, "events": events, "press": press}
    first = entries[-1].seq if entries else 0
    last = entries[0].seq if entries else 0
    body = (
        "Events, newest first:\n"
        + bullets((f"{e['at']} {e['kind']}" for e in events), "none")
        + "\nPress, newest first:\n"
        + bullets((f"{p['at']} | {p['headline']}" for p in press), "none")
    )
    return Reply(
        title=f"The last {plural(len(events), 'event')} and {len(press)} press",
        body=body,
        ephemeral=True,
        data=jsonable(export),
        files=(
            Attachment(
                filename=f"greatwork-log-{inv.game.campaign_id}-{first}-{last}.json",
                content=json.dumps(jsonable(export), indent=2, ensure_ascii=False),
            ),
        ),
    )


async def _archive_link(inv: Invocation) -> Reply:
    wanted = inv.options["headline_search"]
    found = await inv.game.press(limit=ARCHIVE_SCAN, query=wanted)
    key = wanted.casefold()
    matches = [i for i in found if key in i.headline.casefold()][:ARCHIVE_MATCHES]
    if not matches:
        raise NotFound(
            f"No released headline contains `{wanted}`; /gazette lists recent ones.",
            headline_search=wanted,
        )
    rows = [f"#{i.id} · {i.headline} · {press_path(i.id)}" for i in matches]
    return Reply(
        title=f"Archive links: {plural(len(matches), 'match', 'matches')}",
        body=bullets(rows),
        data=jsonable({"matches": [press_data(i) for i in matches]}),
    )


async def _share_press(inv: Invocation) -> Reply:
    press_id = inv.options["press_id"]
    item = await inv.game.press_item(press_id)
    if item is None:
        raise NotFound(
            f"Press item #{press_id} does not exist or is not released yet; /gazette lists "
            "recent ones.",
            press_id=press_id,
        )
    outcome = await inv.game.execute(SharePress(**_who(inv), press_id=item.id))
    body = f"{inv.display_name} shares #{item.id}: **{item.headline}**\n{clip(item.body, 1500)}"
    return _done(
        outcome,
        f"Shared press #{item.id}",
        body,
        {"press_id": item.id} | press_data(item, body=True),
    )


async def _table_talk(inv: Invocation) -> Reply:
    await _screen(inv, "table_talk", inv.options["message"])
    outcome = await inv.game.execute(PostTableTalk(**_who(inv), message=inv.options["message"]))
    return _done(
        outcome,
        "Posted to table-talk",
        f"{inv.display_name}: {inv.options['message'].strip()}",
        {"message": inv.options["message"].strip()},
        public=False,
        ephemeral=True,
    )


# --- help ------------------------------------------------------------------------------------


def _usage(spec: CommandSpec) -> str:
    parts = [f"/{spec.path}"]
    for option in spec.options:
        if option.choices:
            shape = "|".join(str(c.value) for c in option.choices)
        elif option.many:
            shape = f"<{option.lookup or 'value'},...>"
        elif option.lookup:
            shape = f"<{option.lookup}>"
        else:
            shape = {
                "string": "<text>",
                "integer": "<n>",
                "number": "<x>",
                "boolean": "true|false",
            }[option.type]
        part = f"{option.name}:{shape}"
        parts.append(part if option.required else f"[{part}]")
    return " ".join(parts)


def _option_data(option: Option) -> dict[str, Any]:
    return {
        "name": option.name,
        "description": option.description,
        "type": option.type,
        "required": option.required,
        "default": option.default,
        "choices": [c.value for c in option.choices],
        "min_value": option.min_value,
        "max_value": option.max_value,
        "min_length": option.min_length,
        "max_length": option.max_length,
        "lookup": option.lookup,
        "many": option.many,
        "max_items": option.max_items,
    }


def _visible(specs: Sequence[CommandSpec], is_admin: bool) -> list[CommandSpec]:  # noqa: FBT001
    return [s for s in specs if is_admin or not s.admin]


async def _help(inv: Invocation) -> Reply:
    from greatwork.commands.catalogue import CATALOGUE  # noqa: PLC0415 (catalogue imports us)

    wanted = inv.options["command"]
    if wanted:
        path = " ".join(wanted.lstrip("/").split())
        group = CATALOGUE.group(path)
        if group and not CATALOGUE.get(path):
            specs = _visible(group, inv.is_admin)
            return _listing(f"/{path} subcommands", specs, inv.is_admin)
        spec = CATALOGUE.find(path)
        lines = [spec.description, f"Usage: {_usage(spec)}"]
        lines += [
            f"{o.name}{'' if o.required else ' (optional)'}: {o.description}" for o in spec.options
        ]
        if spec.admin:
            lines.append("For admins only.")
        return Reply(
            title=f"/{spec.path}",
            body="\n".join(lines),
            ephemeral=True,
            data=jsonable(
                {
                    "command": spec.path,
                    "description": spec.description,
                    "admin": spec.admin,
                    "usage": _usage(spec),
                    "options": [_option_data(o) for o in spec.options],
                }
            ),
        )
    specs = _visible(CATALOGUE.top_level(), inv.is_admin)
    if inv.is_admin:
        specs += CATALOGUE.group("gw_admin")
    return _listing("Commands", specs, inv.is_admin)


def _listing(title: str, specs: Sequence[CommandSpec], is_admin: bool) -> Reply:  # noqa: FBT001
    rows = [f"/{s.path}: {s.description}" for s in specs]
    footer = "\n/help command:<name> shows a command's options."
    return Reply(
        title=title,
        body=bullets(rows) + footer,
        ephemeral=True,
        data=jsonable(
            {
                "commands": [
                    {"name": s.path, "description": s.description, "admin": s.admin} for s in specs
                ],
                "admin": is_admin,
            }
        ),
    )


# --- the catalogue ---------------------------------------------------------------------------

PLAYER_COMMANDS: Final[tuple[CommandSpec, ...]] = (
    CommandSpec(
        name="submit_theory",
        description="Put a theory on the record and wager reputation on it",
        handler=_submit_theory,
        options=(
            Option(
                name="theory",
                description=f"The claim (1-{MAX_THEORY_LENGTH} characters)",
                required=True,
                min_length=1,
                max_length=MAX_THEORY_LENGTH,
            ),
            _confidence_option(),
            _panel_option("supporters", "Scholars who back it, comma-separated (at most 6)"),
            Option(
                name="deadline",
                description=(
                    f"Days until it lapses unjudged (1-{THEORY_MAX_DEADLINE_DAYS}, "
                    f"default {THEORY_DEFAULT_DEADLINE_DAYS})"
                ),
                type=OptionType.INTEGER,
                default=THEORY_DEFAULT_DEADLINE_DAYS,
                min_value=1,
                max_value=THEORY_MAX_DEADLINE_DAYS,
            ),
        ),
    ),
    CommandSpec(
        name="launch_expedition",
        description="Launch an expedition; it resolves at the next digest",
        handler=_launch_expedition,
        options=(
            Option(
                name="code",
                description=f"Your name for it: 1-{MAX_CODE_LENGTH} letters, digits, - or _",
                required=True,
                min_length=1,
                max_length=MAX_CODE_LENGTH,
                lookup=Lookup.EXPEDITION,
            ),
            Option(
                name="objective",
                description=f"What it sets out to find (1-{MAX_OBJECTIVE_LENGTH} characters)",
                required=True,
                min_length=1,
                max_length=MAX_OBJECTIVE_LENGTH,
            ),
            Option(
                name="expedition_type",
                description="think_tank, field or great_project",
                required=True,
                choices=TYPE_CHOICES,
            ),
            _confidence_option(),
            _panel_option("team", "Scholars you employ, comma-separated (at most 6)"),
            Option(
                name="funding",
                description="Factions that pay, comma-separated (at most 3; default by type)",
                choices=FACTION_CHOICES,
                many=True,
                max_items=3,
                default=(),
            ),
            Option(
                name="theory",
                description="One of your open theories for the outcome to judge",
                max_length=32,
                lookup=Lookup.THEORY,
            ),
        ),
    ),
    CommandSpec(
        name="recruit",
        description="Try to hire a scholar no player employs, under a faction's banner",
        handler=_recruit,
        options=(
            _scholar_option(),
            Option(
                name="faction",
                description="The banner they would serve under",
                required=True,
                choices=FACTION_CHOICES,
            ),
        ),
    ),
    CommandSpec(
        name="recruit_odds",
        description="Your chance of recruiting a scholar under each faction; changes nothing",
        handler=_recruit_odds,
        options=(_scholar_option(),),
        ephemeral=True,
    ),
    CommandSpec(
        name="mentor",
        description="Mentor a scholar up a career ladder, from the next digest",
        handler=_mentor,
        options=(
            _scholar_option(),
            Option(
                name="career_track",
                description="Academia or Industry (default: their current ladder)",
                choices=TRACK_CHOICES,
            ),
        ),
    ),
    CommandSpec(
        name="assign_lab",
        description="Move a scholar you actively mentor to the Academia or Industry ladder",
        handler=_assign_lab,
        options=(
            _scholar_option(),
            Option(
                name="career_track",
                description="Academia or Industry",
                required=True,
                choices=TRACK_CHOICES,
            ),
        ),
    ),
    CommandSpec(
        name="conference",
        description="Debate one of your open theories at the next digest (1 academia)",
        handler=_conference,
        options=(
            Option(
                name="theory_id",
                description="Your open theory (T-3)",
                required=True,
                max_length=32,
                lookup=Lookup.THEORY,
            ),
            _confidence_option(),
            _panel_option("supporters", "Scholars for it, comma-separated (+5 each, at most 6)"),
            _panel_option(
                "opposition", "Scholars against it, comma-separated (-5 each, at most 6)"
            ),
        ),
    ),
    CommandSpec(
        name="symposium_vote",
        description="Vote on the open symposium topic: 1 support, 2 oppose, 3 further study",
        handler=_symposium_vote,
        options=(
            Option(
                name="option",
                description="1 support, 2 oppose, 3 further study",
                type=OptionType.INTEGER,
                required=True,
                choices=VOTE_CHOICES,
            ),
        ),
    ),
    CommandSpec(
        name="symposium_propose",
        description="Suggest a topic for a future symposium",
        handler=_symposium_propose,
        options=(
            Option(
                name="topic",
                description=f"The question (1-{MAX_PROPOSAL_TOPIC} characters)",
                required=True,
                min_length=1,
                max_length=MAX_PROPOSAL_TOPIC,
            ),
            Option(
                name="description",
                description=f"What it is about (1-{MAX_PROPOSAL_DESCRIPTION} characters)",
                required=True,
                min_length=1,
                max_length=MAX_PROPOSAL_DESCRIPTION,
            ),
        ),
    ),
    CommandSpec(
        name="symposium_proposals",
        description="The symposium proposals waiting, oldest first",
        handler=_symposium_proposals,
    ),
    CommandSpec(
        name="symposium_backlog",
        description="How the next symposium would rank the proposals, and who owes debts",
        handler=_symposium_backlog,
    ),
    CommandSpec(
        name="symposium_status",
        description="Your vote, pledge, free miss and symposium debts",
        handler=_symposium_status,
        ephemeral=True,
    ),
    CommandSpec(
        name="status",
        description="Your reputation, influence, cap, cooldowns, scholars and commitments",
        handler=_status,
        ephemeral=True,
    ),
    CommandSpec(
        name="wager",
        description="The wager table, reputation gates and bounds",
        handler=_wager,
    ),
    CommandSpec(
        name="invest",
        description="Invest influence in a faction; its scholars in your employ warm to you",
        handler=_invest,
        options=(
            Option(
                name="faction",
                description="The faction to invest in",
                required=True,
                choices=FACTION_CHOICES,
            ),
            Option(
                name="amount",
                description=f"Influence to invest (at least {MIN_INVESTMENT})",
                type=OptionType.INTEGER,
                required=True,
                min_value=MIN_INVESTMENT,
            ),
            Option(
                name="program",
                description=f"A name for the programme (up to {MAX_PROGRAM_LENGTH} characters)",
                default="",
                max_length=MAX_PROGRAM_LENGTH,
            ),
        ),
    ),
    CommandSpec(
        name="endow_archive",
        description="Endow the archive: +1 reputation per 12, and it pays off debts",
        handler=_endow_archive,
        options=(
            Option(
                name="amount",
                description=f"Influence to give (at least {MIN_ENDOWMENT})",
                type=OptionType.INTEGER,
                required=True,
                min_value=MIN_ENDOWMENT,
            ),
            Option(
                name="faction",
                description="The faction it comes from (default academia)",
                default=str(Faction.ACADEMIA),
                choices=FACTION_CHOICES,
            ),
            Option(
                name="program",
                description=f"A name for the endowment (up to {MAX_PROGRAM_LENGTH} characters)",
                default="",
                max_length=MAX_PROGRAM_LENGTH,
            ),
        ),
    ),
    CommandSpec(
        name="seasonal_commitments",
        description="Your seasonal commitments and their next charge",
        handler=_seasonal_commitments,
        ephemeral=True,
    ),
    CommandSpec(
        name="faction_projects",
        description="The faction projects and their progress",
        handler=_faction_projects,
    ),
    CommandSpec(
        name="set_nickname",
        description="Give a scholar a nickname",
        handler=_set_nickname,
        options=(
            _scholar_option(),
            Option(
                name="nickname",
                description=f"The nickname (1-{MAX_NICKNAME_LENGTH} characters)",
                required=True,
                min_length=1,
                max_length=MAX_NICKNAME_LENGTH,
            ),
        ),
    ),
    CommandSpec(
        name="share_press",
        description="Share a released press item with the table",
        handler=_share_press,
        options=(
            Option(
                name="press_id",
                description="The press item's number (#12)",
                type=OptionType.INTEGER,
                required=True,
                min_value=1,
                lookup=Lookup.PRESS,
            ),
        ),
    ),
    CommandSpec(
        name="gazette",
        description="The latest Gazette headlines",
        handler=_gazette,
        options=(_limit_option(GAZETTE_DEFAULT, GAZETTE_MAX, "headlines"),),
    ),
    CommandSpec(
        name="export_log",
        description="The latest events and press, with the full JSON attached",
        handler=_export_log,
        options=(_limit_option(EXPORT_DEFAULT, EXPORT_MAX, "events and press items"),),
        ephemeral=True,
    ),
    CommandSpec(
        name="archive_link",
        description="Find press by headline: up to 5 matches with their archive links",
        handler=_archive_link,
        options=(
            Option(
                name="headline_search",
                description="Words the headline contains (any case)",
                required=True,
                min_length=1,
                max_length=MAX_SEARCH_LENGTH,
            ),
        ),
    ),
    CommandSpec(
        name="table_talk",
        description="Say something to the table",
        handler=_table_talk,
        options=(
            Option(
                name="message",
                description=f"What you say (1-{MAX_TABLE_TALK_LENGTH} characters)",
                required=True,
                min_length=1,
                max_length=MAX_TABLE_TALK_LENGTH,
            ),
        ),
    ),
    CommandSpec(
        name="poach",
        description="Offer influence to another player's scholar; they decide in 24 hours",
        handler=_poach,
        options=(
            _scholar_option(),
            Option(
                name="target_faction",
                description="The banner they would serve under with you",
                required=True,
                choices=FACTION_CHOICES,
            ),
            *_offer_options(),
        ),
    ),
    CommandSpec(
        name="counter",
        description="Counter a rival's offer for your scholar; escrowed like the offer",
        handler=_counter,
        options=(
            Option(
                name="offer_id",
                description="The rival's offer (OF-3)",
                required=True,
                max_length=32,
                lookup=Lookup.OFFER,
            ),
            *_offer_options(),
        ),
    ),
    CommandSpec(
        name="view_offers",
        description="Open offers you made or must answer, with their odds",
        handler=_view_offers,
        ephemeral=True,
    ),
    CommandSpec(
        name="theory_reference",
        description="Recent theories: open ones with days left, settled and lapsed ones",
        handler=_theory_reference,
        options=(_limit_option(THEORY_REFERENCE_DEFAULT, THEORY_REFERENCE_MAX, "theories"),),
    ),
    CommandSpec(
        name="scholar",
        description="One scholar's profile: traits, career, employer, memory, feeling for you",
        handler=_scholar,
        options=(_scholar_option(),),
        ephemeral=True,
    ),
    CommandSpec(
        name="roster",
        description="Every scholar, with employer and career",
        handler=_roster,
        ephemeral=True,
    ),
    CommandSpec(
        name="help",
        description="The commands, or one command's options",
        handler=_help,
        options=(
            Option(
                name="command",
                description="A command name (submit_theory, gw_admin run_digest)",
                max_length=64,
            ),
        ),
        ephemeral=True,
    ),
)
