"""Scholar, faction and negotiation actors: the campaign's entities, each in its own actor.

The campaign actor stays the only decider and the only writer: a defection, an offer's
resolution or a faction's payout changes several records at once and must be journaled as one
batch and replayed identically, so those decisions run inside the campaign's transaction
(docs/architecture.md says why). Each entity actor holds the record of one scholar, faction
or open offer chain as of the campaign's last applied event, is kept current by the campaign
(tell only, never an ask back, so no cycle can deadlock), and answers ``Get``. They are
virtual, as in Orleans: activated on first use (:class:`~greatwork.actors.messages.Entity`),
so an idle campaign runs one thread, not forty. They are the place for per-entity work that
must not hold up the campaign: a scholar's persona voice, a faction's statements.

Key scheme: ``scholar:<campaign>:<id>``, ``faction:<campaign>:<faction>``,
``negotiation:<campaign>:<chain>``. The supervisor restarts a failed entity by asking its
campaign (:class:`~greatwork.actors.messages.RestartEntity`), which rebuilds it from the
campaign's state, itself rebuilt from the journal.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pykka

from greatwork.actors import messages as m
from greatwork.actors.base import FailureHook, GreatworkActor
from greatwork.rules.constants import FACTIONS, Faction
from greatwork.rules.ids import CampaignId, OfferId, PlayerId, ScholarId
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    Commitment,
    Negotiation,
    Offer,
    Project,
    RecordStatus,
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
    """The entity actors of one campaign, owned and kept current by its campaign actor.

    Entity actors are virtual, as in Orleans: every scholar, faction and open offer chain has
    one, but it runs only once someone asks for it (:meth:`activate`); the campaign then keeps
    it current. An idle campaign costs one thread, not forty.
    """

    def __init__(self, campaign_id: CampaignId, owner: str, hook: FailureHook | None) -> None:
        self.campaign_id = campaign_id
        self._owner = owner
        self._hook = hook
        self.refs: dict[str, pykka.ActorRef[Any]] = {}
        self._records: dict[str, object] = {}

    def key(self, kind: str, ident: str) -> str:
        """The supervisor key of an entity."""
        return f"{kind}:{self.campaign_id}:{ident}"

    def record(self, key: str, state: CampaignState) -> object | None:
        """The entity's record in ``state``; None if it does not exist (or its chain closed)."""
        kind = key.split(":", 1)[0]
        ident = key.removeprefix(f"{kind}:{self.campaign_id}:")
        match kind:
            case "scholar":
                return state.scholars.get(ScholarId(ident))
            case "faction" if ident in FACTIONS:
                return faction_record(state, Faction(ident))
            case "negotiation":
                chain = state.negotiations.get(OfferId(ident))
                if chain is not None and chain.status is ChainStatus.OPEN:
                    return chain_record(state, chain)
        return None

    def sync(self, before: CampaignState | None, after: CampaignState) -> None:
        """Bring every running entity actor up to date with ``after``; stop the gone ones."""
        if before is after or not self.refs:
            return
        for key in list(self.refs):
            record = self.record(key, after)
            if record is None:
                self._stop(key)
            elif record is not self._records.get(key) and record != self._records.get(key):
                self._records[key] = record
                # A dead one failed: the supervisor restarts it from the current record.
                with contextlib.suppress(pykka.ActorDeadError):
                    self.refs[key].tell(m.Update(record))

    def activate(self, key: str, state: CampaignState) -> pykka.ActorRef[Any] | None:
        """The entity's running actor, started from ``state`` if need be; None if no entity."""
        ref = self.refs.get(key)
        if ref is not None and ref.is_alive():
            return ref
        return self.restart(key, state)

    def restart(
        self, key: str, state: CampaignState, failed: str = ""
    ) -> pykka.ActorRef[Any] | None:
        """Start a fresh actor for ``key`` from ``state``; None if the entity is gone.

        With ``failed`` (the urn of the incarnation that failed), an entity already started
        again on demand is kept as it is.
        """
        current = self.refs.get(key)
        if failed and current is not None and current.actor_urn != failed and current.is_alive():
            return current
        self._stop(key)
        record = self.record(key, state)
        if record is None:
            return None
        cls = _ACTORS[key.split(":", 1)[0]]
        self._records[key] = record
        self.refs[key] = cls.start(key, record, self._hook)
        return self.refs[key]

    def _stop(self, key: str) -> None:
        self._records.pop(key, None)
        ref = self.refs.pop(key, None)
        if ref is not None:
            ref.stop(block=False)

    def stop_all(self) -> None:
        """Stop every entity actor and wait for them (called as the campaign stops)."""
        refs, self.refs = list(self.refs.values()), {}
        self._records.clear()
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


_ACTORS: dict[str, type[EntityActor]] = {
    "scholar": ScholarActor,
    "faction": FactionActor,
    "negotiation": NegotiationActor,
}
