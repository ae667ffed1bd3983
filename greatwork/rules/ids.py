"""Typed identifiers: every id in the game is a string with a NewType of its own."""

from __future__ import annotations

from typing import NewType

CampaignId = NewType("CampaignId", str)
PlayerId = NewType("PlayerId", str)
ScholarId = NewType("ScholarId", str)
TheoryId = NewType("TheoryId", str)
ExpeditionCode = NewType("ExpeditionCode", str)
ConferenceCode = NewType("ConferenceCode", str)
OfferId = NewType("OfferId", str)
OrderId = NewType("OrderId", str)
MentorshipId = NewType("MentorshipId", str)
ProposalId = NewType("ProposalId", str)
TopicId = NewType("TopicId", str)
CommitmentId = NewType("CommitmentId", str)
ProjectId = NewType("ProjectId", str)

# Epoch seconds, UTC. The rules never read a clock: every time is passed in.
Instant = NewType("Instant", int)
