"""A new campaign: its initial state, then the legends and a generated roster of 20."""

from __future__ import annotations

from greatwork.rules.command import Context
from greatwork.rules.constants import DAY
from greatwork.rules.event import Tx
from greatwork.rules.generation import legend_scholar
from greatwork.rules.ids import CampaignId, Instant
from greatwork.rules.roster import ScholarSpawned, maintain_roster
from greatwork.rules.state import CampaignState


def new_campaign(campaign_id: CampaignId, seed: int, at: Instant) -> CampaignState:
    """An empty campaign in 1920, its calendar anchored on the day it starts.

    Args:
        campaign_id: the campaign's id (one per guild).
        seed: the campaign seed every generated scholar derives from (Q-24).
        at: when it starts.
    """
    return CampaignState(id=campaign_id, seed=seed, created_at=at, anchor_day=at // DAY)


def start_campaign(tx: Tx, ctx: Context, at: Instant) -> None:
    """Spawn every legend not yet present, then generated scholars up to 20.

    Running it again changes nothing once the roster is full (legends are never duplicated,
    retired ones do not come back).
    """
    for legend in ctx.content.legends:
        sid = legend.id
        if sid in tx.state.scholars or sid in tx.state.retired:
            continue
        tx.emit(ScholarSpawned(at=at, scholar=legend_scholar(legend, at), reason="legend"))
    maintain_roster(tx, ctx, at)
