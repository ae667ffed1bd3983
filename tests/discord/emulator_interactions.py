"""Interactions: their records, the 3-second first response and the 15-minute token.

An :class:`InteractionRecord` is what a test holds after injecting a slash command: the
callback the bot sent, the original response after every edit, the followups. The
:class:`InteractionBook` answers the callback and webhook routes for all of them, enforcing
Discord's rules (one initial response, within 3 s; followups and edits for 15 minutes).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from tests.discord.emulator_checks import FormErrors
from tests.discord.emulator_core import DiscordHTTPError, Notifier, Rejection, Upload
from tests.discord.emulator_limits import check_autocomplete, check_message
from tests.discord.emulator_messages import EPHEMERAL, LOADING, MessageStore
from tests.discord.emulator_state import Channel, Member, User, World

RESPONSE_DEADLINE: Final = 3.0
TOKEN_LIFE: Final = 15 * 60.0
CHANNEL_MESSAGE: Final = 4
DEFERRED_MESSAGE: Final = 5
DEFERRED_UPDATE: Final = 6
UPDATE_MESSAGE: Final = 7
AUTOCOMPLETE_RESULT: Final = 8
MODAL: Final = 9
ALLOWED_CALLBACKS: Final[Mapping[int, tuple[int, ...]]] = {
    2: (CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL),
    3: (CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL),
    4: (AUTOCOMPLETE_RESULT,),
    5: (CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE),
}
"""Which callback types Discord accepts for each interaction type."""


class InteractionRecord:
    """One injected interaction and everything the bot answered to it."""

    def __init__(
        self,
        payload: dict[str, Any],
        *,
        created: float,
        channel: Channel,
        user: Member | User,
        focused_type: int | None,
        notifier: Notifier,
        rejections: Sequence[Rejection],
    ) -> None:
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.created = created
        self.injected = asyncio.get_running_loop().time()
        self.channel = channel
        self.user = user
        """Who used the command: a guild member, or a user in a DM with the bot."""
        self.focused_type = focused_type
        self.callback: dict[str, Any] | None = None
        self.original: dict[str, Any] | None = None
        self.followups: list[dict[str, Any]] = []
        self.answered_at: float | None = None
        self.original_deleted = False
        self._notifier = notifier
        self._rejections = rejections

    @property
    def name(self) -> str:
        """The command as typed, e.g. ``gw_admin pause_game``."""
        parts = [self.payload["data"]["name"]]
        options = self.payload["data"].get("options") or []
        while options and options[0]["type"] in (1, 2):
            parts.append(options[0]["name"])
            options = options[0].get("options") or []
        return " ".join(parts)

    @property
    def in_dm(self) -> bool:
        """Whether the command was used in a DM with the bot (no guild)."""
        return self.channel.guild_id is None

    @property
    def ephemeral(self) -> bool:
        """Whether the initial response is only visible to the invoking member (flag 64)."""
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The original response (if any) then the followups."""
        head = [] if self.original is None else [self.original]
        return head + self.followups

    @property
    def latency(self) -> float | None:
        """Seconds from injection to the first callback (None before it)."""
        return None if self.answered_at is None else self.answered_at - self.injected

    @property
    def choices(self) -> list[dict[str, Any]]:
        """The autocomplete choices of a type 8 answer."""
        data = (self.callback or {}).get("data") or {}
        return list(data.get("choices") or [])

    @property
    def final(self) -> bool:
        """Whether the response is complete: a message, or a deferral since resolved."""
        if self.callback is None:
            return False
        if self.callback["type"] not in (DEFERRED_MESSAGE, DEFERRED_UPDATE):
            return True
        loading = self.original is not None and self.original["flags"] & LOADING
        return self.original_deleted or bool(self.followups) or not loading

    async def first_response(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 (the documented API: rec.first_response(timeout=5))
    ) -> dict[str, Any]:
        """Wait for the bot's callback (type 4 message, 5 defer, 8 choices...) and return it."""
        await self._wait(lambda: self.callback is not None, timeout, "no response")
        assert self.callback is not None  # the wait above guarantees it
        return self.callback

    async def done(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 (the documented API: rec.done(timeout=5))
    ) -> InteractionRecord:
        """Wait until the response is final (a deferral edited or followed up); return self."""
        await self._wait(lambda: self.final, timeout, "no final response")
        return self

    async def _wait(self, predicate: Callable[[], bool], seconds: float, what: str) -> None:
        try:
            await self._notifier.wait_for(predicate, seconds)
        except TimeoutError:
            refused = "; ".join(
                f"{r.method} {r.path} -> {r.status} {r.message}" for r in self._rejections
            )
            raise TimeoutError(
                f"{what} to /{self.name} within {seconds} s (callback: {self.callback}); "
                f"the emulator refused: {refused or 'nothing'}"
            ) from None

    def __repr__(self) -> str:
        return f"<InteractionRecord /{self.name} id={self.id} callback={self.callback}>"


class InteractionBook:
    """Every interaction by id and token; answers callbacks and the webhook routes."""

    def __init__(self, world: World, messages: MessageStore) -> None:
        self._world = world
        self._messages = messages
        self.by_id: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}

    def add(self, record: InteractionRecord) -> None:
        """Remember an injected interaction."""
        self.by_id[record.id] = record
        self.by_token[record.token] = record

    def callback(
        self, interaction_id: int, token: str, body: Any, uploads: Sequence[Upload]
    ) -> None:
        """``POST /interactions/{id}/{token}/callback``: the one initial response."""
        record = self.by_id.get(interaction_id)
        if record is None or record.token != token:
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        if record.callback is not None:
            raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        if self._world.clock.monotonic() - record.created > RESPONSE_DEADLINE:
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        if not isinstance(body, dict):
            raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.")
        kind = body.get("type")
        allowed = ALLOWED_CALLBACKS[record.payload["type"]]
        if kind not in allowed:
            errors = FormErrors()
            errors.add(["type"], "BASE_TYPE_CHOICES", f"Value must be one of {allowed}.")
            errors.raise_if_any()
        data = body.get("data") or {}
        if kind == CHANNEL_MESSAGE:
            check_message(data, ("data",), files=len(uploads)).raise_if_any()
            record.original = self._respond(record, data, uploads)
        elif kind == DEFERRED_MESSAGE:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            record.original = self._respond(record, {"flags": flags}, ())
        elif kind == AUTOCOMPLETE_RESULT:
            check_autocomplete(data, record.focused_type or 3).raise_if_any()
        record.callback = copy.deepcopy(body)
        record.answered_at = asyncio.get_running_loop().time()

    def _respond(
        self,
        record: InteractionRecord,
        data: Mapping[str, Any],
        uploads: Sequence[Upload],
        *,
        followup: bool = False,
    ) -> dict[str, Any]:
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        extra = {
            "type": 20 if not followup else 0,
            "webhook_id": str(self._world.application_id),
            "application_id": str(self._world.application_id),
            "interaction_metadata": {
                "id": str(record.id),
                "type": record.payload["type"],
                "user": self._world.user_json(record.user),
                "authorizing_integration_owners": record.payload["authorizing_integration_owners"],
                "name": record.name,
            },
        }
        return self._messages.post(
            record.channel,
            data,
            uploads,
            author=self._world.bot,
            extra=extra,
            visible=not ephemeral,
        )

    def webhook(self, application_id: int, token: str) -> InteractionRecord:
        """The interaction behind ``/webhooks/{app}/{token}`` while its token is alive."""
        record = self.by_token.get(token)
        if application_id != self._world.application_id or record is None:
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        if self._world.clock.monotonic() - record.created > TOKEN_LIFE:
            raise DiscordHTTPError(401, 50027, "Invalid Webhook Token")
        return record

    def message(self, record: InteractionRecord, message_id: str) -> dict[str, Any]:
        """``@original`` or one followup of an interaction (404 Unknown Message otherwise)."""
        if message_id == "@original":
            if record.original is None:
                raise DiscordHTTPError(404, 10008, "Unknown Message")
            return record.original
        for message in record.followups:
            if message["id"] == message_id:
                return message
        if record.original is not None and record.original["id"] == message_id:
            return record.original
        raise DiscordHTTPError(404, 10008, "Unknown Message")

    def edit(
        self, record: InteractionRecord, message_id: str, body: Any, uploads: Sequence[Upload]
    ) -> dict[str, Any]:
        """Edit ``@original`` or a followup."""
        message = self.message(record, message_id)
        if not isinstance(body, dict):
            raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.")
        check_message(body, files=len(uploads)).raise_if_any()
        return self._messages.edit(message, body, uploads)

    def delete(self, record: InteractionRecord, message_id: str) -> None:
        """Delete ``@original`` or a followup."""
        message = self.message(record, message_id)
        self._messages.delete(message)
        if message is record.original:
            record.original = None
            record.original_deleted = True
        else:
            record.followups.remove(message)

    def followup(
        self, record: InteractionRecord, body: Any, uploads: Sequence[Upload]
    ) -> dict[str, Any]:
        """``POST /webhooks/{app}/{token}``: a followup (the first after a defer resolves it)."""
        if record.callback is None or record.callback["type"] == AUTOCOMPLETE_RESULT:
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        if not isinstance(body, dict):
            raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.")
        check_message(body, files=len(uploads)).raise_if_any()
        original = record.original
        if original is not None and original["flags"] & LOADING and not record.followups:
            # Discord turns the "thinking..." message into the first followup.
            return self._messages.edit(original, body, uploads)
        message = self._respond(record, body, uploads, followup=True)
        record.followups.append(message)
        return message
