"""The supervisor: restarts failed actors, rebuilt from the journal, within a budget.

pykka has no supervision, so this actor provides it. Campaigns are watched with a ``restart``
function that rebuilds the campaign from the journal and starts a new actor. An entity actor
(scholar, faction, negotiation) is restarted by its campaign, which rebuilds it from its own
state; the supervisor finds the campaign from the entity's key. Each key may restart
``budget`` times within ``window`` seconds; past that it stays down, the server is told, and
callers get a clear error instead of a hang.

The supervisor may block on the event loop (to read the journal) and on a campaign (to restart
an entity); neither ever waits on the supervisor, so no cycle can deadlock.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pykka

from greatwork.actors import messages as m
from greatwork.actors.base import GreatworkActor

log = logging.getLogger(__name__)

Restarter = Callable[[], "pykka.ActorRef[Any] | None"]
"""Rebuilds an actor from the journal and starts it; None when there is nothing to restart."""


@dataclass(slots=True)
class _Child:
    ref: pykka.ActorRef[Any]
    restart: Restarter
    restarts: deque[float] = field(default_factory=deque)


@dataclass(frozen=True, slots=True, kw_only=True)
class SupervisorHooks:
    """How the supervisor tells the server what happened (thread-safe callables).

    Attributes:
        restarted: ``(key, new_ref)`` after a successful restart.
        gave_up: ``(key, reason)`` when the budget is spent or a restart failed.
    """

    restarted: Callable[[str, pykka.ActorRef[Any]], None]
    gave_up: Callable[[str, str], None]


class SupervisorActor(GreatworkActor):
    """Restarts failed actors within a restart budget."""

    def __init__(
        self,
        hooks: SupervisorHooks,
        *,
        budget: int = 3,
        window: float = 60.0,
        ask_timeout: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__("supervisor")
        self._hooks = hooks
        self._budget = budget
        self._window = window
        self._ask_timeout = ask_timeout
        self._monotonic = monotonic
        self._children: dict[str, _Child] = {}
        self._entity_restarts: dict[str, deque[float]] = {}
        self.restart_count = 0

    def handle(self, message: object) -> object:
        """Track children and restart the failed ones."""
        match message:
            case m.Watch(key=key, ref=ref, restart=restart):
                self._children[key] = _Child(ref=ref, restart=restart)  # type: ignore[arg-type]
                return None
            case m.Forget(key=key):
                self._children.pop(key, None)
                return None
            case m.Failed(key=key, urn=urn, error=error):
                self._child_failed(key, urn, error)
                return None
            case m.Barrier():
                return self.restart_count
        raise TypeError(f"supervisor does not handle {type(message).__name__}")

    def _spend(self, history: deque[float], key: str) -> bool:
        """Count one restart; False when the budget for the window is spent."""
        now = self._monotonic()
        while history and now - history[0] > self._window:
            history.popleft()
        if len(history) >= self._budget:
            return False
        history.append(now)
        self.restart_count += 1
        log.warning("restarting %s (%d in the last %g s)", key, len(history), self._window)
        return True

    def _child_failed(self, key: str, urn: str, error: str) -> None:
        child = self._children.get(key)
        if child is not None:
            if child.ref.actor_urn != urn:
                return  # an older incarnation, already replaced
            self._restart_child(key, child, error)
            return
        kind, _, rest = key.partition(":")
        if kind in {"scholar", "faction", "negotiation"}:
            campaign_id = rest.split(":", 1)[0]
            self._restart_entity(key, urn, f"campaign:{campaign_id}", error)
            return
        log.error("%s failed (%s) and nobody supervises it", key, error)

    def _restart_child(self, key: str, child: _Child, error: str) -> None:
        if not self._spend(child.restarts, key):
            self._children.pop(key, None)
            self._give_up(key, f"restarted {self._budget} times in {self._window:g} s; {error}")
            return
        try:
            child.ref.stop(block=True, timeout=self._ask_timeout)
        except pykka.Timeout:
            log.error("%s did not stop in time; starting its successor anyway", key)  # noqa: TRY400 (a timeout, no traceback worth logging)
        try:
            ref = child.restart()
        except Exception as exc:
            log.exception("could not restart %s", key)
            self._children.pop(key, None)
            self._give_up(key, f"restart failed: {exc}")
            return
        if ref is None:
            self._children.pop(key, None)
            return
        child.ref = ref
        self._hooks.restarted(key, ref)

    def _restart_entity(self, key: str, urn: str, campaign_key: str, error: str) -> None:
        campaign = self._children.get(campaign_key)
        if campaign is None:
            log.error("%s failed (%s) but its campaign is not running", key, error)
            return
        history = self._entity_restarts.setdefault(key, deque())
        if not self._spend(history, key):
            self._give_up(key, f"restarted {self._budget} times in {self._window:g} s; {error}")
            return
        try:
            ref = campaign.ref.ask(m.RestartEntity(key, urn), block=True, timeout=self._ask_timeout)
        except (pykka.ActorDeadError, pykka.Timeout) as exc:
            log.error("could not restart %s: its campaign did not answer (%s)", key, exc)  # noqa: TRY400 (see above)
            return
        if ref is not None:
            self._hooks.restarted(key, ref)

    def _give_up(self, key: str, reason: str) -> None:
        log.critical("giving up on %s: %s", key, reason)
        self._hooks.gave_up(key, reason)
