"""Standing with a faction through the scholars under its banner (section 3.11 ``relfac``).

Also the validation the economy's admin commands share.
"""

from __future__ import annotations

from typing import Final, TypeVar

from greatwork.rules.constants import Faction
from greatwork.rules.errors import Conflict, InvalidInput, NotFound
from greatwork.rules.ids import PlayerId, ScholarId
from greatwork.rules.memory import feeling, player_key
from greatwork.rules.state import CampaignState, Commitment, EmployerKind, Project, RecordStatus

RELFAC_CAP: Final = 0.25
RELFAC_FALLBACK_CAP: Final = 0.1
_ENDINGS: Final = frozenset({RecordStatus.COMPLETED, RecordStatus.CANCELLED})

_Record = TypeVar("_Record", Commitment, Project)


def contracted(state: CampaignState, player: PlayerId, faction: Faction) -> list[ScholarId]:
    """The scholars ``player`` employs under ``faction``'s banner, in roster order."""
    return [
        s.id
        for s in state.scholars.values()
        if s.contract.kind is EmployerKind.PLAYER
        and s.contract.employer == player
        and s.contract.faction is faction
    ]


def relfac(state: CampaignState, player: PlayerId, faction: Faction, weight: float) -> float:
    """How well the player stands with a faction through the scholars under its banner.

    The mean over those scholars of feeling + the player's mentorship entries + 1 if the
    player sponsors them, times ``weight``, clamped to ±0.25. Without such scholars:
    ``clamp(max(0, influence) / 10 * weight, ±0.1)``.
    """
    scholars = [state.scholars[s] for s in contracted(state, player, faction)]
    if not scholars:
        balance = max(0, state.players[player].influence.get(faction, 0))
        return _clamp(balance / 10 * weight, RELFAC_FALLBACK_CAP)
    total = 0.0
    for s in scholars:
        entries = sum(1 for e in s.mentorship_history if e.player == player)
        sponsor = 1 if s.sidecast is not None and s.sidecast.sponsor == player else 0
        total += feeling(s, player_key(player)) + entries + sponsor
    return _clamp(total / len(scholars) * weight, RELFAC_CAP)


def _clamp(value: float, bound: float) -> float:
    return max(-bound, min(bound, value))


def ending_status(status: RecordStatus | str) -> RecordStatus:
    """``completed`` or ``cancelled``; anything else is refused."""
    try:
        parsed = RecordStatus(str(status).strip().lower())
    except ValueError:
        parsed = RecordStatus.ACTIVE
    if parsed not in _ENDINGS:
        raise InvalidInput("The new status must be completed or cancelled.", status=str(status))
    return parsed


def active_record(found: _Record | None, record_id: str, label: str) -> _Record:
    """The still-active commitment or project an admin wants to end, or the refusal."""
    if found is None:
        raise NotFound(f"No {label} {record_id!r}.", **{label: record_id})
    if found.status is not RecordStatus.ACTIVE:
        raise Conflict(
            f"{label.capitalize()} {found.id} is already {found.status}.", **{label: found.id}
        )
    return found
