"""Turn what a player types into the ids the rules use, and suggest ids as they type.

Every resolver accepts an id in any case (``s.IRONQUILL``, ``t-3``), and the numbered ids
also their bare number (``3`` for ``T-3``). A scholar may also be named (``Ironquill``), a
player by their display name. An unknown or ambiguous value is refused with a message that
names it and says where the valid ones are listed; nothing is changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final, TypeVar

from greatwork.commands.options import Choice, Lookup
from greatwork.rules.constants import FACTION_NAMES, FACTIONS, Faction
from greatwork.rules.errors import InvalidInput, NotFound
from greatwork.rules.ids import (
    CommitmentId,
    ExpeditionCode,
    OfferId,
    OrderId,
    PlayerId,
    ProjectId,
    ProposalId,
    ScholarId,
    TheoryId,
)
from greatwork.rules.player import parse_faction
from greatwork.rules.state import CampaignState

__all__ = [
    "MAX_SUGGESTIONS",
    "resolve_commitment",
    "resolve_expedition",
    "resolve_faction",
    "resolve_offer",
    "resolve_order",
    "resolve_player",
    "resolve_project",
    "resolve_proposal",
    "resolve_scholar",
    "resolve_scholars",
    "resolve_theory",
    "suggest",
]

MAX_SUGGESTIONS: Final = 25  # Discord shows at most 25 autocomplete choices
_LABEL_LIMIT: Final = 100  # Discord's limit on a choice's name
_NUMBERED: Final = re.compile(r"(?P<prefix>[A-Za-z]+)?-?(?P<number>\d+)")

_K = TypeVar("_K", bound=str)


def _typed(text: str, what: str) -> str:
    cleaned = " ".join(str(text).split())
    if not cleaned:
        raise InvalidInput(f"Name a {what}.", field=what)
    return cleaned


# --- scholars ---------------------------------------------------------------------------------


def resolve_scholar(state: CampaignState, text: str) -> ScholarId:
    """The scholar a player named: by id (``s.ironquill``, ``ironquill``) or by name.

    A name matches when it is the scholar's full name or when every word typed starts a word
    of the name (``Ironquill``, ``elara iron``), any case.

    Raises:
        NotFound: no scholar on the roster fits (a retired one is named as such).
        InvalidInput: the name fits several scholars (their ids are listed).
    """
    typed = _typed(text, "scholar")
    key = typed.lower()
    for candidate in (key, f"s.{key}"):
        for sid in state.scholars:
            if sid.lower() == candidate:
                return sid
    exact = [s.id for s in state.scholars.values() if s.name.lower() == key]
    found = exact or [s.id for s in state.scholars.values() if _name_fits(s.name, key)]
    if len(found) == 1:
        return found[0]
    if found:
        listed = ", ".join(f"{sid} ({state.scholars[sid].name})" for sid in found[:6])
        raise InvalidInput(
            f"`{typed}` fits several scholars: {listed}. Use the id.",
            scholar=typed,
            matches=list(found),
        )
    for sid, record in state.retired.items():
        if sid.lower() in {key, f"s.{key}"} or record.name.lower() == key:
            raise NotFound(
                f"Scholar `{sid}` ({record.name}) has retired; /roster lists the current ones.",
                scholar=sid,
            )
    raise NotFound(f"Scholar `{typed}` does not exist; /roster lists them.", scholar=typed)


def _name_fits(name: str, typed: str) -> bool:
    words = re.findall(r"[\w'-]+", name.lower())
    wanted = typed.split()
    return bool(wanted) and all(any(w.startswith(part) for w in words) for part in wanted)


def resolve_scholars(state: CampaignState, texts: Iterable[str]) -> tuple[ScholarId, ...]:
    """Resolve each of a list of scholars (team, supporters), keeping their order.

    Repeats are kept: the rules refuse them with a message naming the scholar.
    """
    return tuple(resolve_scholar(state, text) for text in texts)


# --- numbered records -------------------------------------------------------------------------


def _numbered(
    records: Mapping[_K, object],
    text: str,
    *,
    prefix: str,
    label: str,
    hint: str,
    make: Callable[[str], _K],
) -> _K:
    typed = _typed(text, label.lower())
    match = _NUMBERED.fullmatch(typed)
    if match is not None and (match["prefix"] or prefix).upper() == prefix:
        key = make(f"{prefix}-{int(match['number'])}")
        if key in records:
            return key
    for record_id in records:
        if record_id.lower() == typed.lower():
            return record_id
    raise NotFound(f"{label} `{typed}` does not exist; {hint}.", **{label.lower(): typed})


def resolve_theory(state: CampaignState, text: str) -> TheoryId:
    """A theory id: ``T-3``, ``t3`` or ``3``.

    Raises:
        NotFound: no such theory (the message points to /theory_reference).
    """
    return _numbered(
        state.theories,
        text,
        prefix="T",
        label="Theory",
        hint="/theory_reference lists recent ones",
        make=TheoryId,
    )


def resolve_offer(state: CampaignState, text: str) -> OfferId:
    """An offer id: ``OF-2`` or ``2``.

    Raises:
        NotFound: no such offer (the message points to /view_offers).
    """
    return _numbered(
        state.offers,
        text,
        prefix="OF",
        label="Offer",
        hint="/view_offers lists yours",
        make=OfferId,
    )


def resolve_order(state: CampaignState, text: str) -> OrderId:
    """An order id: ``O-12`` or ``12``.

    Raises:
        NotFound: no such order (the message points to /gw_admin list_orders).
    """
    return _numbered(
        state.orders,
        text,
        prefix="O",
        label="Order",
        hint="/gw_admin list_orders lists them",
        make=OrderId,
    )


def resolve_commitment(state: CampaignState, text: str) -> CommitmentId:
    """A seasonal commitment id: ``COM-1`` or ``1``.

    Raises:
        NotFound: no such commitment (the message points to /seasonal_commitments).
    """
    return _numbered(
        state.commitments,
        text,
        prefix="COM",
        label="Commitment",
        hint="/seasonal_commitments lists them",
        make=CommitmentId,
    )


def resolve_project(state: CampaignState, text: str) -> ProjectId:
    """A faction project id: ``PRJ-1`` or ``1``.

    Raises:
        NotFound: no such project (the message points to /faction_projects).
    """
    return _numbered(
        state.projects,
        text,
        prefix="PRJ",
        label="Project",
        hint="/faction_projects lists them",
        make=ProjectId,
    )


def resolve_proposal(state: CampaignState, text: str) -> ProposalId:
    """A symposium proposal id: ``PROP-4`` or ``4``.

    Raises:
        NotFound: no such proposal (the message points to /symposium_proposals).
    """
    return _numbered(
        state.proposals,
        text,
        prefix="PROP",
        label="Proposal",
        hint="/symposium_proposals lists them",
        make=ProposalId,
    )


def resolve_expedition(state: CampaignState, text: str) -> ExpeditionCode:
    """An expedition code, any case.

    Raises:
        NotFound: no expedition has this code.
    """
    typed = _typed(text, "expedition code")
    code = ExpeditionCode(typed.upper())
    if code not in state.expeditions:
        raise NotFound(
            f"Expedition `{code}` does not exist; /status lists your pending ones.",
            expedition=code,
        )
    return code


# --- players and factions ---------------------------------------------------------------------


def resolve_player(state: CampaignState, text: str) -> PlayerId:
    """A player by id or display name, any case.

    When several display names differ only in case, the one written exactly as typed wins;
    otherwise the name is ambiguous and the error lists each player with their id.

    Raises:
        NotFound: nobody in this campaign has that id or name.
        InvalidInput: the display name is shared by several players (their ids are listed).
    """
    typed = _typed(text, "player")
    if PlayerId(typed) in state.players:
        return PlayerId(typed)
    key = typed.lower()
    by_id = [p.id for p in state.players.values() if p.id.lower() == key]
    if len(by_id) == 1:
        return by_id[0]
    named = sorted(
        (p for p in state.players.values() if p.display_name.lower() == key), key=lambda p: p.id
    )
    if len(named) == 1:
        return named[0].id
    exact = [p for p in named if p.display_name == typed]
    if len(exact) == 1:  # "Ada" and "ada" both play: "Ada" names the one written that way
        return exact[0].id
    if named:
        listed = ", ".join(f"{p.display_name} (id {p.id})" for p in named)
        raise InvalidInput(
            f"Several players are called `{typed}`: {listed}. Use the id.",
            player=typed,
            matches=[p.id for p in named],
        )
    raise NotFound(
        f"No player `{typed}` in this campaign (by id or display name); a player joins with "
        "their first command.",
        player=typed,
    )


def resolve_faction(text: str) -> Faction:
    """One of the five faction keys (aliases such as ``religious`` accepted).

    Raises:
        InvalidInput: anything else, with the five choices listed.
    """
    return parse_faction(text)


# --- autocompletion ---------------------------------------------------------------------------


def suggest(
    state: CampaignState,
    lookup: Lookup,
    typed: str = "",
    *,
    player: PlayerId | None = None,
    limit: int = MAX_SUGGESTIONS,
) -> tuple[Choice, ...]:
    """Choices for an option being typed: ids whose id or label contains ``typed``, any case.

    Theories and offers list the caller's own first. Press items live outside the state, so
    :attr:`Lookup.PRESS` suggests nothing here (front ends ask ``Game.press``).
    """
    candidates = _candidates(state, lookup, player)
    wanted = typed.strip().lower()
    found = [
        Choice(name=_clip(f"{value} · {label}" if label else value), value=value)
        for value, label in candidates
        if not wanted or wanted in value.lower() or wanted in label.lower()
    ]
    return tuple(found[: max(0, limit)])


def _clip(text: str) -> str:
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def _candidates(  # noqa: C901, PLR0911 (one case per kind of id)
    state: CampaignState, lookup: Lookup, player: PlayerId | None
) -> Sequence[tuple[str, str]]:
    match lookup:
        case Lookup.SCHOLAR:
            return [(s.id, s.name) for s in sorted(state.scholars.values(), key=lambda s: s.name)]
        case Lookup.THEORY:
            theories = sorted(
                state.theories.values(),
                key=lambda t: (t.player != player, t.status != "open", -t.created_at),
            )
            return [(t.id, f"[{t.status}] {t.text}") for t in theories]
        case Lookup.OFFER:
            offers = [o for o in state.offers.values() if player in {None, o.rival, o.patron}]
            return [(o.id, f"{o.status} · {o.scholar}") for o in offers]
        case Lookup.EXPEDITION:
            return [(e.code, f"{e.status} · {e.objective}") for e in state.expeditions.values()]
        case Lookup.FACTION:
            return [(str(f), FACTION_NAMES[f]) for f in FACTIONS]
        case Lookup.PLAYER:
            return [(p.id, p.display_name) for p in state.players.values()]
        case Lookup.ORDER:
            return [(o.id, f"{o.status} · {o.type}") for o in state.orders.values()]
        case Lookup.PROPOSAL:
            return [(p.id, f"{p.status} · {p.topic}") for p in state.proposals.values()]
        case Lookup.COMMITMENT:
            return [(c.id, f"{c.status} · {c.faction}") for c in state.commitments.values()]
        case Lookup.PROJECT:
            return [(p.id, f"{p.status} · {p.name}") for p in state.projects.values()]
        case Lookup.PRESS:
            return []
