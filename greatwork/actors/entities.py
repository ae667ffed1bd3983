"""Scholar, faction and negotiation actors: the campaign's entities, each in its own actor.

The campaign actor stays the only decider and the only writer: a defection, an offer's
resolution or a faction's payout changes several records at once and must be journaled as one
batch and replayed identically, so those decisions run inside the campaign's transaction
(docs/architecture.md says why). Each entity actor holds the committed-or-applied record of
one scholar, faction or open offer chain, is kept current by the campaign (tell only, never an
ask back, so no cycle can deadlock), and answers reads about its entity without queueing
behind the campaign's writes. They are the place for per-entity work that must not hold up the
campaign: a scholar's persona voice, a faction's statements.

Key scheme: ``scholar:<campaign>:<id>``, ``faction:<campaign>:<faction>``,
``negotiation:<campaign>:<chain>``. The supervisor restarts a failed entity by asking its
campaign (:class:`~greatwork.actors.messages.RestartEntity`), which rebuilds it from the
campaign's state, itself rebuilt from the journal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pykka

from greatwork.actors import messages as m
from greatwork.actors.base import FailureHook, GreatworkActor
from greatwork.rules.constants import FACTIONS, Faction
from greatwork.rules.ids import CampaignId, OfferId, PlayerId
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    Commitment,
    Negotiation,
    Offer,
    Project,
    RecordStatus,
    Scholar,
)

log = logging.getLogger(__name__)
_STOP_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class FactionRecord:
    """What a faction actor holds: its balances with each player, its projects, commitments."""

    faction: Faction
    influence: Mapping[PlayerId, int]
    projects: tuple[Project, ...]
    commitments: tuple[Commitment, ...]


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """What a negotiation actor holds: the chain and its offers."""

    negotiation: Negotiation
    offers: tuple[Offer, ...]


class EntityActor(GreatworkActor):
    """Holds one entity's record; ``Update`` replaces it, ``Get`` returns it."""

    def __init__(self, key: str, record: object, failure_hook: FailureHook | None) -> None:
        super().__init__(key, failure_hook)
        self.record = record

    def handle(self, message: object) -> object:
        """Keep the record current and answer reads."""
        match message:
            case m.Update(record=record):
                self.record = record
                return None
            case m.Get():
                return self.record
        raise TypeError(f"{self.key} does not handle {type(message).__name__}")


class ScholarActor(EntityActor):
    """One scholar: traits, stats, career, contract and memory."""


class FactionActor(EntityActor):
    """One faction of one campaign."""


class NegotiationActor(EntityActor):
    """One open offer chain: started when it opens, stopped when it resolves."""


def faction_record(state: CampaignState, faction: Faction) -> FactionRecord:
    """A faction's slice of the campaign state."""
    return FactionRecord(
        faction=faction,
        influence={p.id: p.influence.get(faction, 0) for p in state.players.values()},
        projects=tuple(p for p in state.projects.values() if p.faction is faction),
        commitments=tuple(
            c
            for c in state.commitments.values()
            if c.faction is faction and c.status is RecordStatus.ACTIVE
        ),
    )


def chain_record(state: CampaignState, chain: Negotiation) -> ChainRecord:
    """An offer chain and its offers."""
    return ChainRecord(
        negotiation=chain,
        offers=tuple(state.offers[o] for o in chain.offers if o in state.offers),
    )


class EntityMirror:
    """The entity actors of one campaign, owned and updated by its campaign actor."""

    def __init__(self, campaign_id: CampaignId, owner: str, hook: FailureHook | None) -> None:
        self.campaign_id = campaign_id
        self._owner = owner
        self._hook = hook
        self.refs: dict[str, pykka.ActorRef[Any]] = {}
        self._factions: dict[Faction, FactionRecord] = {}

    def key(self, kind: str, ident: str) -> str:
        """The supervisor key of an entity."""
        return f"{kind}:{self.campaign_id}:{ident}"

    def sync(self, before: CampaignState | None, after: CampaignState) -> None:
        """Start, update and stop entity actors to match ``after``."""
        self._sync_scholars(before, after)
        if (
            before is None
            or before.players is not after.players
            or before.projects is not after.projects
            or before.commitments is not after.commitments
        ):
            for faction in FACTIONS:
                record = faction_record(after, faction)
                if self._factions.get(faction) != record:
                    self._factions[faction] = record
                    self._put(FactionActor, self.key("faction", faction), record)
        if (
            before is None
            or before.negotiations is not after.negotiations
            or before.offers is not after.offers
        ):
            self._sync_chains(after)

    def _sync_scholars(self, before: CampaignState | None, after: CampaignState) -> None:
        old: Mapping[Any, Scholar] = {} if before is None else before.scholars
        if before is not None and old is after.scholars:
            return
        for sid, scholar in after.scholars.items():
            if old.get(sid) is not scholar or self.key("scholar", sid) not in self.refs:
                self._put(ScholarActor, self.key("scholar", sid), scholar)
        for sid in set(old) - set(after.scholars):
            self._stop(self.key("scholar", sid))

    def _sync_chains(self, after: CampaignState) -> None:
        open_keys = set()
        for chain in after.negotiations.values():
            if chain.status is not ChainStatus.OPEN:
                continue
            key = self.key("negotiation", chain.id)
            open_keys.add(key)
            self._put(NegotiationActor, key, chain_record(after, chain))
        prefix = self.key("negotiation", "")
        for key in [k for k in self.refs if k.startswith(prefix) and k not in open_keys]:
            self._stop(key)

    def _put(self, cls: type[EntityActor], key: str, record: object) -> None:
        ref = self.refs.get(key)
        if ref is not None:
            try:
                ref.tell(m.Update(record))
            except pykka.ActorDeadError:
                pass  # it failed; the supervisor restarts it from the current record
            else:
                return
        self.refs[key] = cls.start(key, record, self._hook)

    def _stop(self, key: str) -> None:
        ref = self.refs.pop(key, None)
        if ref is not None:
            ref.stop(block=False)

    def restart(self, key: str, state: CampaignState) -> pykka.ActorRef[Any] | None:
        """Start a fresh actor for ``key`` from ``state``; None if the entity is gone."""
        kind, _, ident = key.split(":", 2)
        old = self.refs.pop(key, None)
        if old is not None:
            old.stop(block=False)
        match kind:
            case "scholar" if ident in state.scholars:
                scholar = state.scholars[ident]  # type: ignore[index]
                self.refs[key] = ScholarActor.start(key, scholar, self._hook)
            case "faction" if ident in FACTIONS:
                record = faction_record(state, Faction(ident))
                self._factions[Faction(ident)] = record
                self.refs[key] = FactionActor.start(key, record, self._hook)
            case "negotiation" if ident in state.negotiations:
                chain = state.negotiations[OfferId(ident)]
                if chain.status is ChainStatus.OPEN:
                    self.refs[key] = NegotiationActor.start(
                        key, chain_record(state, chain), self._hook
                    )
        return self.refs.get(key)

    def stop_all(self) -> None:
        """Stop every entity actor and wait for them (called as the campaign stops)."""
        refs, self.refs = list(self.refs.values()), {}
        futures = []
        for ref in refs:
            try:
                futures.append(ref.stop(block=False))
            except pykka.ActorDeadError:  # pragma: no cover (stop() of a dead actor is False)
                continue
        for future in futures:
            try:
                future.get(timeout=_STOP_TIMEOUT)
            except pykka.Timeout:  # pragma: no cover (entity handlers are quick)
                log.warning("%s: an entity actor did not stop in time", self._owner)
