"""The messages actors exchange. All frozen: pykka hands the same object to the receiver."""

from __future__ import annotations

from dataclasses import dataclass, field

import pykka

from greatwork.press.item import PressItem
from greatwork.rules.command import Command
from greatwork.rules.event import Event
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.state import CampaignState

# --- to a campaign ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Execute:
    """Decide, journal and apply one command. Replies with :class:`Accepted`."""

    command: Command


@dataclass(frozen=True, slots=True)
class RunDigest:
    """Run the next digest now (an admin's ``run_digest``). Replies with :class:`Accepted`."""

    at: Instant
    by: PlayerId


@dataclass(frozen=True, slots=True)
class Tick:
    """The clock's time: run every digest and symposium slot due by ``now``, in order."""

    now: Instant


@dataclass(frozen=True, slots=True)
class Barrier:
    """Reply once every earlier message is handled; replies with the campaign's next seq."""


@dataclass(frozen=True, slots=True)
class ForceRoll:
    """Fix the next d100 roll (``!roll N`` in scripts; never reachable from Discord)."""

    value: int


@dataclass(frozen=True, slots=True)
class GetState:
    """Reply with the campaign's current state (tests and diagnostics)."""


@dataclass(frozen=True, slots=True)
class Entity:
    """Reply with an entity's running actor, started from the campaign's state if need be.

    ``key`` is ``scholar:<campaign>:<id>``, ``faction:...`` or ``negotiation:...``; the reply is
    None if there is no such entity (or the chain has closed).
    """

    key: str


@dataclass(frozen=True, slots=True)
class RestartEntity:
    """Restart a failed entity actor from the campaign's state; replies with its new ref.

    ``urn`` names the incarnation that failed: if the entity was already started again on
    demand meanwhile, that one is kept.
    """

    key: str
    urn: str = ""


@dataclass(frozen=True, slots=True)
class DigestDone:
    """A digest that ran, for front ends (the Gazette masthead)."""

    campaign_id: CampaignId
    number: int
    year: int
    at: Instant


@dataclass(frozen=True, slots=True)
class Accepted:
    """A command or digest the campaign applied and handed to the journal.

    The reply is sent before the journal commits; the caller waits for ``last_seq`` to be
    durable before it shows anything (confirmed means committed).
    """

    campaign_id: CampaignId
    first_seq: int
    last_seq: int
    events: tuple[Event, ...]
    state: CampaignState
    press: tuple[PressItem, ...]
    digests: tuple[DigestDone, ...] = ()


# --- to a press desk -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Publish:
    """A committed batch's digests and press: announce, release what is due, hold the rest.

    One desk orders everything a campaign publishes, so subscribers see it in one order.
    """

    items: tuple[PressItem, ...]
    now: Instant
    digests: tuple[DigestDone, ...] = ()


# --- to entity actors ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Update:
    """The entity's record changed (a committed event touched it)."""

    record: object


@dataclass(frozen=True, slots=True)
class Get:
    """Reply with the entity's current record."""


# --- to the clock ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Register:
    """Send this campaign the clock's ticks."""

    key: str
    ref: pykka.ActorRef[pykka.Actor]


@dataclass(frozen=True, slots=True)
class Unregister:
    """Stop sending this campaign ticks."""

    key: str


@dataclass(frozen=True, slots=True)
class Advance:
    """Move the virtual clock to ``to`` and tick every campaign (tests, scripts, simulate)."""

    to: Instant


@dataclass(frozen=True, slots=True)
class Wake:
    """The real clock's timer fired."""


# --- to the supervisor -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Watch:
    """Supervise ``ref`` under ``key``; ``restart()`` rebuilds it from the journal."""

    key: str
    ref: pykka.ActorRef[pykka.Actor]
    restart: object = field(compare=False)  # Callable[[], ActorRef]: typed where it is used


@dataclass(frozen=True, slots=True)
class Forget:
    """Stop supervising ``key`` (the actor was stopped on purpose)."""

    key: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The actor ``urn`` under ``key`` failed; restart it if the budget allows."""

    key: str
    urn: str
    error: str
