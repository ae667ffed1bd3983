"""Answering one interaction: the first response (or a deferral), then followups.

An :class:`Exchange` remembers how far the answer went, so whatever happens later (a slow
command, an error after a deferral, a multi-message reply) goes the one way Discord still
accepts: the first response while none was sent, an edit of the deferred "thinking" message,
or a followup. The :class:`Responder` protocol is the only place that touches disnake's
interaction API; tests drive an :class:`Exchange` with a fake one.
"""

from __future__ import annotations

import enum
import io
import logging
from collections.abc import Sequence
from typing import Any, Protocol

import disnake
from disnake.interactions.application_command import ApplicationCommandInteraction

from greatwork.bot.limits import Post

__all__ = ["Exchange", "InteractionResponder", "Responder", "Stage"]

log = logging.getLogger(__name__)


class Responder(Protocol):
    """The ways to answer one interaction."""

    async def defer(self, *, ephemeral: bool) -> None:
        """Acknowledge now ("thinking..."), answer later with :meth:`edit_original`."""
        ...

    async def send(self, post: Post, *, ephemeral: bool) -> None:
        """Send the first response."""
        ...

    async def edit_original(self, post: Post) -> None:
        """Replace the deferred (or first) response."""
        ...

    async def delete_original(self) -> None:
        """Delete the deferred (or first) response."""
        ...

    async def followup(self, post: Post, *, ephemeral: bool) -> None:
        """Send one more message after the first response."""
        ...


class Stage(enum.Enum):
    """How far an interaction's answer went."""

    NEW = "new"  # nothing sent: the first response is still owed (within 3 seconds)
    DEFERRED = "deferred"  # acknowledged; the answer replaces the "thinking" message
    ANSWERED = "answered"  # the first response is there: anything more is a followup


class Exchange:
    """One interaction's answer, whatever path it takes."""

    def __init__(self, responder: Responder, *, stage: Stage = Stage.NEW) -> None:
        self._responder = responder
        self.stage = stage
        self._deferred_ephemeral = False

    async def defer(self, *, ephemeral: bool) -> None:
        """Acknowledge the interaction unless it already was."""
        if self.stage is Stage.NEW:
            await self._responder.defer(ephemeral=ephemeral)
            self.stage = Stage.DEFERRED
            self._deferred_ephemeral = ephemeral

    async def deliver(self, posts: Sequence[Post], *, ephemeral: bool) -> None:
        """Send the posts of one reply: the first as the answer, the others as followups.

        An ephemeral answer after a public deferral removes the public "thinking" message and
        answers in an ephemeral followup, so a refusal is never shown to the channel.
        """
        if not posts:
            return
        first, rest = posts[0], posts[1:]
        if self.stage is Stage.NEW:
            await self._responder.send(first, ephemeral=ephemeral)
        elif self.stage is Stage.DEFERRED and ephemeral and not self._deferred_ephemeral:
            try:
                await self._responder.delete_original()
            except disnake.HTTPException:
                log.warning("could not delete a deferred response", exc_info=True)
            await self._responder.followup(first, ephemeral=True)
        elif self.stage is Stage.DEFERRED:
            await self._responder.edit_original(first)
        else:
            await self._responder.followup(first, ephemeral=ephemeral)
        self.stage = Stage.ANSWERED
        for post in rest:
            await self._responder.followup(post, ephemeral=ephemeral)


class InteractionResponder:
    """:class:`Responder` over a disnake interaction; every message with mentions disabled."""

    def __init__(self, interaction: ApplicationCommandInteraction[Any]) -> None:
        self._inter = interaction

    async def defer(self, *, ephemeral: bool) -> None:
        """``inter.response.defer``."""
        await self._inter.response.defer(ephemeral=ephemeral)

    async def send(self, post: Post, *, ephemeral: bool) -> None:
        """``inter.response.send_message``."""
        await self._inter.response.send_message(**_message(post), ephemeral=ephemeral)

    async def edit_original(self, post: Post) -> None:
        """``inter.edit_original_response``."""
        await self._inter.edit_original_response(**_message(post))

    async def delete_original(self) -> None:
        """``inter.delete_original_response``."""
        await self._inter.delete_original_response()

    async def followup(self, post: Post, *, ephemeral: bool) -> None:
        """``inter.followup.send``."""
        await self._inter.followup.send(**_message(post), ephemeral=ephemeral)


def _message(post: Post) -> dict[str, Any]:
    """A post as disnake's keyword arguments (fresh file objects each time: disnake closes them)."""
    kwargs: dict[str, Any] = {
        "content": post.content or None,
        "embeds": [disnake.Embed.from_dict(dict(e)) for e in post.embeds],  # type: ignore[arg-type]
        "allowed_mentions": disnake.AllowedMentions.none(),
    }
    if post.files:
        kwargs["files"] = [
            disnake.File(io.BytesIO(a.content.encode()), filename=a.filename) for a in post.files
        ]
    return kwargs
