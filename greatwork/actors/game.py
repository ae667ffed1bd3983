"""One campaign as the command catalogue sees it: ``greatwork.commands.spec.Game``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from greatwork.actors.types import JournalEntry, Outcome
from greatwork.press.item import PressItem
from greatwork.rules.content import Content
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.state import CampaignState

if TYPE_CHECKING:
    from greatwork.actors.runtime import GameServer
    from greatwork.metrics import Metrics


class CampaignGame:
    """One campaign as the command catalogue sees it (``greatwork.commands.spec.Game``)."""

    def __init__(self, server: GameServer, campaign_id: CampaignId) -> None:
        self._server = server
        self._campaign_id = campaign_id

    @property
    def campaign_id(self) -> CampaignId:
        """The campaign."""
        return self._campaign_id

    @property
    def metrics(self) -> Metrics:
        """The server's metrics (the command path counts each command there)."""
        return self._server.metrics

    @property
    def content(self) -> Content:
        """The game's content."""
        return self._server.content

    def now(self) -> Instant:
        """The server clock's time."""
        return self._server.clock.now()

    def state(self) -> CampaignState:
        """The latest committed state."""
        return self._server.committed_state(self._campaign_id)

    async def execute(self, command: Any) -> Outcome:  # noqa: ANN401 (any rules Command)
        """Decide and commit a command."""
        return await self._server.execute(self._campaign_id, command)

    async def run_digest(self, by: PlayerId) -> Outcome:
        """Run the next digest now."""
        return await self._server.run_digest(self._campaign_id, by)

    async def press(
        self, *, limit: int, query: str | None = None, kinds: Sequence[str] = ()
    ) -> list[PressItem]:
        """Released press, newest first."""
        return await self._server.press(self._campaign_id, limit=limit, query=query, kinds=kinds)

    async def press_item(self, press_id: int) -> PressItem | None:
        """One released press item."""
        return await self._server.press_item(self._campaign_id, press_id)

    async def journal(self, *, limit: int) -> list[JournalEntry]:
        """The last journaled events, newest first."""
        return await self._server.journal(self._campaign_id, limit=limit)
