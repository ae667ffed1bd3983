"""Pure expedition rules: launch checks (3.3), the D5 cost split, D4 modifiers, bands, wagers.

Nothing here emits events; ``rules.expedition`` calls these and records the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from greatwork.rules.constants import (
    DEFAULT_FUNDING,
    DEPTH_DEEP_AT,
    DEPTH_STANDARD_AT,
    EXPEDITION_GATES,
    EXPERTISE_CAP,
    EXPERTISE_PER_SCHOLAR,
    FRICTION_FLOOR,
    LANDMARK_AT,
    MAX_CODE_LENGTH,
    MAX_FUNDERS,
    MAX_OBJECTIVE_LENGTH,
    MAX_TEAM_SIZE,
    PARTIAL_AT,
    POLITICAL_FRICTION_PER_FACTION,
    POLITICAL_FRICTION_THRESHOLD,
    PREP_CAP,
    PREP_PER_THINK_TANK,
    PREP_WINDOW,
    SITE_FRICTION,
    SUCCESS_AT,
    WAGERS,
    Confidence,
    Depth,
    ExpeditionType,
    Faction,
    Outcome,
)
from greatwork.rules.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.memory import get_scholar
from greatwork.rules.state import CampaignState, ExpeditionStatus, Scholar, TheoryStatus

_CODE = re.compile(r"[A-Za-z0-9_-]+")

# --- costs, bands, wagers ---------------------------------------------------------------------


def split_cost(total: int, funders: tuple[Faction, ...]) -> dict[Faction, int]:
    """D5: split a cost over the funders as evenly as possible, the remainder from the first.

    The remainder is spread one unit at a time from the first listed funder on, so 2 over
    three funders is 1 and 1 (the third pays nothing), never 2 from the first alone. Zero
    shares are left out.
    """
    share, remainder = divmod(total, len(funders))
    paid = {faction: share + (1 if i < remainder else 0) for i, faction in enumerate(funders)}
    return {faction: amount for faction, amount in paid.items() if amount}


def outcome_for(final: int) -> Outcome:
    """The band of a final score: <40 failure, 40-64 partial, 65-84 success, >=85 landmark."""
    if final >= LANDMARK_AT:
        return Outcome.LANDMARK
    if final >= SUCCESS_AT:
        return Outcome.SUCCESS
    if final >= PARTIAL_AT:
        return Outcome.PARTIAL
    return Outcome.FAILURE


def wager_delta(confidence: Confidence, outcome: Outcome) -> int:
    """Section 3.1: reward on success or landmark, ``max(1, reward // 2)`` on partial."""
    reward, penalty = WAGERS[confidence]
    if outcome is Outcome.FAILURE:
        return penalty
    if outcome is Outcome.PARTIAL:
        return max(1, reward // 2)
    return reward


# --- launch checks, in the order the launch makes them ----------------------------------------


def check_code(state: CampaignState, text: str) -> ExpeditionCode:
    """The upper-cased code, refused if malformed or ever used before (Q-47)."""
    code = text.strip()
    if not code or len(code) > MAX_CODE_LENGTH or not _CODE.fullmatch(code):
        raise InvalidInput(
            f"An expedition code is 1 to {MAX_CODE_LENGTH} letters, digits, '-' or '_'.",
            field="code",
            limit=MAX_CODE_LENGTH,
            value=text,
        )
    upper = ExpeditionCode(code.upper())
    if upper in state.expeditions:
        raise Conflict(f"The code {upper} is already taken; choose another.", code=upper)
    return upper


def check_objective(text: str) -> str:
    """The stripped objective, refused if empty or longer than the limit."""
    objective = text.strip()
    if not objective:
        raise InvalidInput("An expedition needs an objective.", field="objective")
    if len(objective) > MAX_OBJECTIVE_LENGTH:
        raise InvalidInput(
            f"An objective is at most {MAX_OBJECTIVE_LENGTH} characters "
            f"(this one has {len(objective)}).",
            field="objective",
            limit=MAX_OBJECTIVE_LENGTH,
            length=len(objective),
        )
    return objective


def check_gate(state: CampaignState, player: PlayerId, kind: ExpeditionType) -> None:
    """Refuse, naming the gate, a leader whose reputation is below the type's minimum."""
    gate = EXPEDITION_GATES[kind]
    reputation = state.players[player].reputation
    if reputation < gate:
        raise PermissionDenied(
            f"A {kind} expedition needs reputation {gate} or more; you have {reputation}.",
            gate=f"{kind}_expedition",
            minimum=gate,
            reputation=reputation,
        )


def check_team(state: CampaignState, player: PlayerId, team: tuple[ScholarId, ...]) -> None:
    """Team members exist, appear once, number at most 6, and are employed by the leader."""
    seen: set[ScholarId] = set()
    for sid in team:
        get_scholar(state, sid)
        if sid in seen:
            raise InvalidInput(f"Scholar {sid} is named twice in the team.", scholar=sid)
        seen.add(sid)
    if len(team) > MAX_TEAM_SIZE:
        raise InvalidInput(
            f"A team has at most {MAX_TEAM_SIZE} scholars (not {len(team)}).",
            field="team",
            limit=MAX_TEAM_SIZE,
        )
    for sid in team:
        if state.scholars[sid].contract.player != player:
            raise PermissionDenied(
                f"{state.scholars[sid].name} does not work for you and cannot join your team.",
                scholar=sid,
            )


def check_theory(state: CampaignState, player: PlayerId, theory: TheoryId | None) -> None:
    """A cited theory must exist, be the leader's own and still be open (D2)."""
    if theory is None:
        return
    record = state.theories.get(theory)
    if record is None:
        raise NotFound(f"No theory {theory!r}.", theory=theory)
    if record.player != player:
        raise PermissionDenied(f"Theory {theory} is not yours to test.", theory=theory)
    if record.status is not TheoryStatus.OPEN:
        raise Conflict(f"Theory {theory} is already {record.status}.", theory=theory)


def funders_for(kind: ExpeditionType, funding: tuple[Faction, ...]) -> tuple[Faction, ...]:
    """D5: the listed factions (distinct, at most 3), or the type's defaults if none."""
    if not funding:
        return DEFAULT_FUNDING[kind]
    seen: set[Faction] = set()
    for faction in funding:
        if faction in seen:
            raise InvalidInput(
                f"{faction} is listed twice in the funding; each faction pays once.",
                faction=faction,
            )
        seen.add(faction)
    if len(funding) > MAX_FUNDERS:
        raise InvalidInput(
            f"At most {MAX_FUNDERS} factions can fund an expedition (not {len(funding)}).",
            field="funding",
            limit=MAX_FUNDERS,
        )
    return funding


# --- D4: computed modifiers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Modifiers:
    """The computed d100 modifiers of an expedition and the depth they earn.

    Attributes:
        prep: think-tank preparation, 0 to +30.
        expertise: matching team scholars, 0 to +15.
        friction: site and political friction, 0 to -25.
        depth: shallow below 15 (prep + expertise), standard below 30, deep from 30.
    """

    prep: int
    expertise: int
    friction: int
    depth: Depth

    @property
    def total(self) -> int:
        """What is added to the d100 roll."""
        return self.prep + self.expertise + self.friction


def depth_for(prep: int, expertise: int) -> Depth:
    """D4: depth is earned by preparation and expertise."""
    earned = prep + expertise
    if earned < DEPTH_STANDARD_AT:
        return Depth.SHALLOW
    if earned < DEPTH_DEEP_AT:
        return Depth.STANDARD
    return Depth.DEEP


def prep_bonus(state: CampaignState, player: PlayerId, theory: TheoryId | None, at: Instant) -> int:
    """+10 per think tank of the leader citing ``theory`` that resolved partial or better.

    Only think tanks resolved in the 7 days up to ``at`` count; nothing counts when the new
    expedition cites no theory. Capped at +30.
    """
    if theory is None:
        return 0
    count = 0
    for expedition in state.expeditions.values():
        result = expedition.result
        if (
            expedition.player == player
            and expedition.type is ExpeditionType.THINK_TANK
            and expedition.theory == theory
            and expedition.status is ExpeditionStatus.RESOLVED
            and result is not None
            and result.outcome is not Outcome.FAILURE
            and at - PREP_WINDOW <= result.resolved_at <= at
        ):
            count += 1
    return min(PREP_CAP, PREP_PER_THINK_TANK * count)


def names_expertise(scholar: Scholar, objective: str) -> bool:
    """Whether the objective names one of the scholar's disciplines or methods.

    Matching is case-insensitive and on whole words: "archaeology" matches "Archaeology" and
    "experimental archaeology", but "art" does not match "cartography".
    """
    text = objective.casefold()
    for term in (*scholar.disciplines, *scholar.methods):
        needle = term.strip().casefold()
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text):
            return True
    return False


def expertise_bonus(state: CampaignState, team: tuple[ScholarId, ...], objective: str) -> int:
    """+5 per team scholar whose discipline or method the objective names, capped at +15.

    The expedition has no discipline field: its discipline is what its objective says, so a
    scholar brings expertise when the objective names one of their disciplines or methods.
    """
    matches = sum(
        1
        for sid in team
        if sid in state.scholars and names_expertise(state.scholars[sid], objective)
    )
    return min(EXPERTISE_CAP, EXPERTISE_PER_SCHOLAR * matches)


def friction_malus(
    state: CampaignState,
    player: PlayerId,
    expedition_type: ExpeditionType,
    funding: tuple[Faction, ...],
) -> int:
    """Site friction plus -5 per funder in which the leader holds under 2; floor -25.

    Balances are read before the launch pays its cost.
    """
    balances = state.players[player].influence
    political = sum(
        POLITICAL_FRICTION_PER_FACTION
        for faction in funding
        if balances.get(faction, 0) < POLITICAL_FRICTION_THRESHOLD
    )
    return max(FRICTION_FLOOR, SITE_FRICTION[expedition_type] + political)


def compute_modifiers(
    state: CampaignState,
    player: PlayerId,
    expedition_type: ExpeditionType,
    team: tuple[ScholarId, ...],
    funding: tuple[Faction, ...],
    at: Instant,
    *,
    theory: TheoryId | None = None,
    objective: str = "",
) -> Modifiers:
    """D4: compute prep, expertise and friction, and the depth they earn.

    Args:
        state: the campaign before the launch pays its cost.
        player: the leader.
        expedition_type: the type (sets the site friction).
        team: the team's scholar ids.
        funding: the funding factions actually paying (the defaults if none were listed).
        at: the launch time (the prep window ends here).
        theory: the cited theory, if any (prep counts only think tanks citing it).
        objective: the objective text (expertise looks for disciplines and methods in it).

    Returns:
        The modifiers and the earned depth.
    """
    prep = prep_bonus(state, player, theory, at)
    expertise = expertise_bonus(state, team, objective)
    friction = friction_malus(state, player, expedition_type, funding)
    return Modifiers(
        prep=prep, expertise=expertise, friction=friction, depth=depth_for(prep, expertise)
    )
