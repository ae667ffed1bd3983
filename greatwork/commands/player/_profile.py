"""Looking scholars up: one scholar's profile and the roster."""

from __future__ import annotations

from random import Random
from typing import Any, Final

from greatwork.commands.lookup import resolve_scholar
from greatwork.commands.player._shared import feel, points, scholar_option
from greatwork.commands.render import (
    bullets,
    employer_text,
    iso,
    jsonable,
    player_name,
    plural,
    signed,
    when,
)
from greatwork.commands.spec import CommandSpec, Invocation, Reply
from greatwork.rules.constants import FACTIONS
from greatwork.rules.generation import fill_catchphrase
from greatwork.rules.ids import PlayerId
from greatwork.rules.state import CampaignState
from greatwork.rules.view import ScholarProfile, roster, scholar_profile


def _catchphrase(inv: Invocation, pattern: str, seed: int) -> str:
    """The scholar's catchphrase, its pattern filled the same way every time for them."""
    return fill_catchphrase(pattern, inv.game.content.catchphrase_fills, Random(seed))


def _subject(state: CampaignState, key: str) -> str:
    """A memory's subject as a reader knows it: a player's name, a faction, an institution."""
    kind, sep, rest = key.partition(":")
    if not sep:
        return key
    if kind == "p":
        return player_name(state, PlayerId(rest))
    if kind == "f":
        return rest.title()
    return rest


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
        f"{when(f.at)} · {f.kind} · {_subject(state, f.subject)} {f.details}".rstrip()
        for f in profile.recent_facts
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
            f"“{_catchphrase(inv, s.catchphrase, s.seed)}”",
            (
                f"Toward you: {_feeling_word(profile.feeling)} ({feel(profile.feeling)}){scar}; "
                f"your recruitment bonus {points(profile.relationship)} points."
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


SCHOLAR: Final = CommandSpec(
    name="scholar",
    description="One scholar's profile: traits, career, employer, memory, feeling for you",
    handler=_scholar,
    options=(scholar_option(),),
    ephemeral=True,
)


ROSTER: Final = CommandSpec(
    name="roster",
    description="Every scholar, with employer and career",
    handler=_roster,
    ephemeral=True,
)
