"""Messages as Discord stores them: attachments, mentions, nonces, edits, deletions.

Callers validate a request first (``emulator_checks``); this module turns it into the message
object Discord would return and keeps it per channel, in order. Mentions are computed from the
content and ``allowed_mentions`` as Discord does, so a test can see who a message would ping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from tests.discord.emulator_core import DiscordHTTPError, Upload
from tests.discord.emulator_limits import MENTION_KINDS, refuse_empty
from tests.discord.emulator_state import (
    ATTACHMENT_SIZE_LIMIT,
    MENTION_EVERYONE,
    Channel,
    User,
    World,
)

USER_MENTION: Final = re.compile(r"<@!?(\d+)>")
ROLE_MENTION: Final = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION: Final = re.compile(r"@(everyone|here)\b")
NONCE_WINDOW: Final = 300.0
"""Seconds (emulator clock) during which an enforced nonce deduplicates ("a few minutes")."""
EPHEMERAL: Final = 1 << 6
LOADING: Final = 1 << 7

Dispatch = Callable[[str, dict[str, Any]], object]


class MessageStore:
    """Every message the emulator holds, by id and by channel (in posting order)."""

    def __init__(self, world: World, dispatch: Dispatch) -> None:
        self._world = world
        self._dispatch = dispatch
        self.by_id: dict[int, dict[str, Any]] = {}
        self.by_channel: dict[int, list[dict[str, Any]]] = {}
        self._nonces: dict[tuple[int, str], tuple[float, dict[str, Any]]] = {}

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """The visible messages of a channel, oldest first."""
        return list(self.by_channel.get(channel_id, []))

    def find(self, channel_id: int, message_id: int) -> dict[str, Any]:
        """A message of a channel (404 Unknown Message otherwise)."""
        message = self.by_id.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            raise DiscordHTTPError(404, 10008, "Unknown Message")
        return message

    def duplicate(self, author: User, body: Mapping[str, Any]) -> dict[str, Any] | None:
        """The earlier message this one repeats, when it enforces a nonce seen recently."""
        nonce = body.get("nonce")
        if not body.get("enforce_nonce") or nonce is None:
            return None
        hit = self._nonces.get((author.id, str(nonce)))
        if hit is None:
            return None
        at, message = hit
        fresh = self._world.clock.monotonic() - at <= NONCE_WINDOW
        return message if fresh and int(message["id"]) in self.by_id else None

    def post(
        self,
        channel: Channel,
        body: Mapping[str, Any],
        uploads: Sequence[Upload],
        *,
        author: User,
        extra: Mapping[str, Any] | None = None,
        visible: bool = True,
    ) -> dict[str, Any]:
        """Create a message (already validated) and announce it on the gateway if visible."""
        message: dict[str, Any] = {
            "id": str(self._world.ids.next()),
            "channel_id": str(channel.id),
            "author": self._world.user_json(author),
            "content": body.get("content") or "",
            "timestamp": self._world.clock.iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "attachments": self._attachments(channel, body, uploads, []),
            "embeds": [_rich(e) for e in body.get("embeds") or []],
            "components": list(body.get("components") or []),
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
        }
        if channel.guild_id is not None:
            message["guild_id"] = str(channel.guild_id)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        message.update(extra or {})
        self._mention(message, channel, body.get("allowed_mentions"), author)
        if not message["flags"] & LOADING:
            refuse_empty(message)
        self.by_id[int(message["id"])] = message
        if body.get("nonce") is not None:
            self._nonces[author.id, str(body["nonce"])] = (self._world.clock.monotonic(), message)
        if visible:
            self.by_channel.setdefault(channel.id, []).append(message)
            self._dispatch("MESSAGE_CREATE", self._with_member(message, author))
        return message

    def edit(
        self, message: dict[str, Any], body: Mapping[str, Any], uploads: Sequence[Upload]
    ) -> dict[str, Any]:
        """Apply an edit (already validated); a deferred response stops loading."""
        channel = self._world.channel(int(message["channel_id"]))
        author = self._world.users[int(message["author"]["id"])]
        edited = dict(message)
        if "content" in body:
            edited["content"] = body["content"] or ""
        if "embeds" in body:
            edited["embeds"] = [_rich(e) for e in body["embeds"] or []]
        if "components" in body:
            edited["components"] = list(body["components"] or [])
        if "attachments" in body or uploads:
            edited["attachments"] = self._attachments(
                channel, body, uploads, message["attachments"]
            )
        if "content" in body:
            # Discord re-parses mentions on a content edit, with the default rules when the
            # edit carries no allowed_mentions of its own.
            self._mention(edited, channel, body.get("allowed_mentions"), author)
        edited["flags"] = message["flags"] & ~LOADING
        edited["edited_timestamp"] = self._world.clock.iso()
        refuse_empty(edited)
        message.clear()
        message.update(edited)
        if message in self.by_channel.get(channel.id, []):
            self._dispatch("MESSAGE_UPDATE", self._with_member(message, author))
        return message

    def delete(self, message: dict[str, Any]) -> None:
        """Delete a message."""
        self.by_id.pop(int(message["id"]), None)
        listing = self.by_channel.get(int(message["channel_id"]), [])
        if message in listing:
            listing.remove(message)
            deleted = {"id": message["id"], "channel_id": message["channel_id"]}
            if "guild_id" in message:
                deleted["guild_id"] = message["guild_id"]
            self._dispatch("MESSAGE_DELETE", deleted)

    def _with_member(self, message: dict[str, Any], author: User) -> dict[str, Any]:
        """A MESSAGE_CREATE or MESSAGE_UPDATE payload: in a guild, the author's member too."""
        guild = self._world.guilds.get(int(message.get("guild_id") or 0))
        member = None if guild is None else guild.members.get(author.id)
        if member is None:
            return dict(message)
        return {**message, "member": self._world.member_json(member, with_user=False)}

    def _attachments(
        self,
        channel: Channel,
        body: Mapping[str, Any],
        uploads: Sequence[Upload],
        existing: Sequence[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        described = {
            str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)
        }
        if "attachments" in body:
            kept = [a for a in existing if a["id"] in described]
        else:
            kept = list(existing)
        for upload in uploads:
            if len(upload.data) > ATTACHMENT_SIZE_LIMIT:
                raise DiscordHTTPError(413, 40005, "Request entity too large")
            index = upload.field.removeprefix("files[").removesuffix("]")
            meta = described.get(index, {})
            attachment_id = self._world.ids.next()
            filename = str(meta.get("filename") or upload.filename)
            url = f"https://cdn.discordapp.com/attachments/{channel.id}/{attachment_id}/{filename}"
            kept.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "description": meta.get("description"),
                    "content_type": upload.content_type,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
                }
            )
        return kept

    def _mention(
        self,
        message: dict[str, Any],
        channel: Channel,
        allowed: Mapping[str, Any] | None,
        author: User,
    ) -> None:
        """Fill mention_everyone, mentions and mention_roles as Discord would.

        In a DM there is no @everyone and no role; only the two people in it can be pinged.
        """
        if channel.guild_id is None:
            self._mention_in_dm(message, channel, allowed)
            return
        guild = self._world.guilds[channel.guild_id]
        author_member = guild.members.get(author.id)
        power = self._world.permissions(author_member) if author_member else 0
        if allowed is None:
            parse, users, roles = set(MENTION_KINDS), set[int](), set[int]()
        else:
            parse = set(allowed.get("parse") or [])
            users = {int(u) for u in allowed.get("users") or []}
            roles = {int(r) for r in allowed.get("roles") or []}
        content = str(message.get("content") or "")
        message["mention_everyone"] = bool(
            "everyone" in parse and power & MENTION_EVERYONE and EVERYONE_MENTION.search(content)
        )
        mentioned: list[dict[str, Any]] = []
        for match in USER_MENTION.finditer(content):
            user_id = int(match.group(1))
            member = guild.members.get(user_id)
            allowed_user = "users" in parse or user_id in users
            if member and allowed_user and all(m["id"] != str(user_id) for m in mentioned):
                mentioned.append(
                    {
                        **self._world.user_json(member),
                        "member": self._world.member_json(member, with_user=False),
                    }
                )
        message["mentions"] = mentioned
        role_ids: list[str] = []
        for match in ROLE_MENTION.finditer(content):
            role = self._world.roles.get(int(match.group(1)))
            if role is None or role.guild_id != guild.id or str(role.id) in role_ids:
                continue
            pingable = role.mentionable or power & MENTION_EVERYONE
            if pingable and ("roles" in parse or role.id in roles):
                role_ids.append(str(role.id))
        message["mention_roles"] = role_ids

    def _mention_in_dm(
        self, message: dict[str, Any], channel: Channel, allowed: Mapping[str, Any] | None
    ) -> None:
        parse = set(MENTION_KINDS) if allowed is None else set(allowed.get("parse") or [])
        listed = set() if allowed is None else {int(u) for u in allowed.get("users") or []}
        present = {self._world.bot.id, channel.recipient_id}
        pinged: list[int] = []
        for match in USER_MENTION.finditer(str(message.get("content") or "")):
            user_id = int(match.group(1))
            if user_id in present and ("users" in parse or user_id in listed):
                pinged.append(user_id)
        message["mention_everyone"] = False
        message["mentions"] = [
            self._world.user_json(self._world.users[u]) for u in dict.fromkeys(pinged)
        ]
        message["mention_roles"] = []


def _rich(embed: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "rich", **embed}
