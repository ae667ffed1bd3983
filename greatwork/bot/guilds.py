"""Each Discord guild is its own campaign."""

from __future__ import annotations

import hashlib
from typing import Final

from greatwork.rules.ids import CampaignId, PlayerId

_PREFIX: Final = "guild-"


def campaign_of(guild_id: int) -> CampaignId:
    """The campaign of a guild: ``guild-<id>``."""
    if guild_id <= 0:
        raise ValueError(f"a guild id is a positive snowflake, got {guild_id}")
    return CampaignId(f"{_PREFIX}{guild_id}")


def guild_of(campaign_id: str) -> int | None:
    """The guild of a campaign made by :func:`campaign_of`, or None for any other campaign."""
    if not campaign_id.startswith(_PREFIX):
        return None
    digits = campaign_id.removeprefix(_PREFIX)
    return int(digits) if digits.isdigit() else None


def player_of(user_id: int) -> PlayerId:
    """The player of a Discord user: the user's snowflake, as text."""
    return PlayerId(str(user_id))


def seed_of(guild_id: int) -> int:
    """A campaign seed fixed by the guild id, so a guild's campaign is reproducible."""
    digest = hashlib.sha256(f"greatwork:{guild_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")
