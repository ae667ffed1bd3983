"""Seeded randomness: every draw comes from an RNG derived from the campaign seed."""

from __future__ import annotations

import hashlib
import random

from greatwork.rules.state import CampaignState

GOLDEN: int = 0x9E3779B9
MASK32: int = 0xFFFFFFFF


def sub_seed(campaign_seed: int, index: int) -> int:
    """The design's sub-seed: ``(campaign ^ (index * 0x9E3779B9)) & 0xFFFFFFFF``."""
    return (campaign_seed ^ (index * GOLDEN)) & MASK32


def command_rng(state: CampaignState, salt: str = "") -> random.Random:
    """The RNG for the next command or digest: a function of (seed, seq, salt).

    The sequence number advances with every event, so the stream never repeats and needs no
    saved generator state to survive a restart (Q-24).
    """
    digest = hashlib.blake2b(f"{state.seed}:{state.seq}:{salt}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def scholar_rng(campaign_seed: int, index: int) -> random.Random:
    """The RNG that generates the scholar with this index."""
    return random.Random(sub_seed(campaign_seed, index))
