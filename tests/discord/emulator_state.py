"""The loopback Discord's world: guilds, roles, channels, members, users, and their JSON.

Everything here is plain data owned by one :class:`World`; the REST routes, the gateway and
the interaction book read and change it. Objects are mutable on purpose: they are the live
state of a fake Discord that tests grow (a role created by ``add_member``, a thread created by
the bot), not messages passed between layers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from tests.discord.emulator_core import Clock, DiscordHTTPError, EmulatorError, Snowflakes

CREATE_INSTANT_INVITE: Final = 1 << 0
ADMINISTRATOR: Final = 1 << 3
ADD_REACTIONS: Final = 1 << 6
VIEW_CHANNEL: Final = 1 << 10
SEND_MESSAGES: Final = 1 << 11
EMBED_LINKS: Final = 1 << 14
ATTACH_FILES: Final = 1 << 15
READ_MESSAGE_HISTORY: Final = 1 << 16
MENTION_EVERYONE: Final = 1 << 17
USE_EXTERNAL_EMOJIS: Final = 1 << 18
CHANGE_NICKNAME: Final = 1 << 26
USE_APPLICATION_COMMANDS: Final = 1 << 31
CREATE_PUBLIC_THREADS: Final = 1 << 35
SEND_MESSAGES_IN_THREADS: Final = 1 << 38
ALL_PERMISSIONS: Final = (1 << 53) - 1
EVERYONE_PERMISSIONS: Final = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
"""What a new server's @everyone may do (a subset of Discord's default)."""
BOT_PERMISSIONS: Final = EVERYONE_PERMISSIONS | MENTION_EVERYONE | CREATE_PUBLIC_THREADS
"""The bot's own managed role, as if invited with the permissions a posting bot asks for."""

DM_APP_PERMISSIONS: Final = ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE | USE_EXTERNAL_EMOJIS
"""``app_permissions`` of an interaction in a DM with the bot, as Discord documents them."""

GUILD_TEXT: Final = 0
DM: Final = 1
PUBLIC_THREAD: Final = 11
PRIVATE_THREAD: Final = 12
ATTACHMENT_SIZE_LIMIT: Final = 10 * 1024 * 1024
"""Discord's default upload limit per file (10 MiB since 2024; boosts and Nitro raise it)."""


@dataclass(slots=True)
class User:
    """A Discord account."""

    id: int
    name: str
    bot: bool = False


@dataclass(slots=True)
class Role:
    """A role of one guild (the @everyone role has the guild's id)."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    mentionable: bool = False


@dataclass(slots=True)
class Channel:
    """A guild text channel, a public thread, or a DM with the bot (no guild, a recipient)."""

    id: int
    guild_id: int | None
    name: str
    type: int = GUILD_TEXT
    position: int = 0
    parent_id: int | None = None
    owner_id: int | None = None
    posting_denied: bool = False
    created: str = ""
    recipient_id: int | None = None


@dataclass(slots=True)
class Member:
    """A user's membership of one guild; ``id`` is the user's id."""

    id: int
    name: str
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    bot: bool = False
    joined_at: str = ""


@dataclass(slots=True)
class Guild:
    """A guild: channels and roles by name (ids as values), members by user id."""

    id: int
    name: str
    owner_id: int
    channels: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    def channel(self, name: str) -> int:
        """The id of the channel called ``name``."""
        try:
            return self.channels[name]
        except KeyError:
            known = ", ".join(sorted(self.channels)) or "none"
            raise EmulatorError(f"guild {self.name!r} has no channel {name!r} ({known})") from None


class World:
    """Every guild, channel, role, user and member the emulator knows."""

    def __init__(self, clock: Clock, *, bot_name: str = "greatwork") -> None:
        self.clock = clock
        self.ids = Snowflakes(clock)
        self.application_id = self.ids.next()
        self.bot = User(self.application_id, bot_name, bot=True)
        self.owner = User(self.ids.next(), "app-owner")
        self.users: dict[int, User] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.roles: dict[int, Role] = {}
        self.dms: dict[int, Channel] = {}
        """The DM channel between the bot and each user, by user id (opened on first use)."""

    def add_guild(self, name: str, channels: Iterable[str]) -> Guild:
        """Create a guild with an owner, @everyone, the bot's role and the named channels."""
        guild_id = self.ids.next()
        owner = User(self.ids.next(), f"{name} owner")
        self.users[owner.id] = owner
        guild = Guild(guild_id, name, owner.id)
        self.guilds[guild_id] = guild
        self.roles[guild_id] = Role(guild_id, guild_id, "@everyone", EVERYONE_PERMISSIONS)
        bot_role = self.add_role(guild, self.bot.name, BOT_PERMISSIONS, managed=True)
        for position, channel_name in enumerate(channels):
            self.add_channel(guild, channel_name, position=position)
        self._join(guild, owner, [])
        self._join(guild, self.bot, [bot_role.id])
        return guild

    def add_role(
        self, guild: Guild, name: str, permissions: int = 0, *, managed: bool = False
    ) -> Role:
        """Create a role in a guild (refused if the name is taken)."""
        if name in guild.roles or name == "@everyone":
            raise EmulatorError(f"guild {guild.name!r} already has a role {name!r}")
        role = Role(self.ids.next(), guild.id, name, permissions, len(guild.roles) + 1, managed)
        self.roles[role.id] = role
        guild.roles[name] = role.id
        return role

    def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        position: int = 0,
        kind: int = GUILD_TEXT,
        parent_id: int | None = None,
        owner_id: int | None = None,
        channel_id: int | None = None,
    ) -> Channel:
        """Create a text channel (or a thread under ``parent_id``)."""
        if kind == GUILD_TEXT and name in guild.channels:
            raise EmulatorError(f"guild {guild.name!r} already has a channel {name!r}")
        new_id = self.ids.next() if channel_id is None else channel_id
        channel = Channel(new_id, guild.id, name, kind, position, parent_id, owner_id)
        channel.created = self.clock.iso()
        self.channels[channel.id] = channel
        if kind == GUILD_TEXT:
            guild.channels[name] = channel.id
        return channel

    def add_member(
        self, guild: Guild, who: str | Member | User, *, admin: bool, roles: Iterable[str]
    ) -> Member:
        """Add a user (new, or one known from another guild) to a guild with roles."""
        if isinstance(who, str):
            user = User(self.ids.next(), who)
            self.users[user.id] = user
        else:
            user = self.users[who.id]
            if user.id in guild.members:
                raise EmulatorError(f"{user.name!r} is already a member of {guild.name!r}")
        role_ids: list[int] = []
        if admin:
            admin_id = guild.roles.get("Admin")
            if admin_id is None:
                admin_id = self.add_role(guild, "Admin", ADMINISTRATOR).id
            role_ids.append(admin_id)
        for role_name in roles:
            role_id = guild.roles.get(role_name)
            if role_id is None:
                role_id = self.add_role(guild, role_name).id
            role_ids.append(role_id)
        return self._join(guild, user, role_ids)

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and ``user``, opened on first use (as Discord does)."""
        channel = self.dms.get(user.id)
        if channel is None:
            channel = Channel(self.ids.next(), None, "", DM, recipient_id=user.id)
            channel.created = self.clock.iso()
            self.channels[channel.id] = channel
            self.dms[user.id] = channel
        return channel

    def _join(self, guild: Guild, user: User, role_ids: list[int]) -> Member:
        member = Member(user.id, user.name, guild.id, role_ids, user.bot, self.clock.iso())
        guild.members[user.id] = member
        return member

    def guild(self, guild_id: int) -> Guild:
        """The guild with this id (404 Unknown Guild otherwise)."""
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise DiscordHTTPError(404, 10004, "Unknown Guild") from None

    def channel(self, channel_id: int) -> Channel:
        """The channel with this id (404 Unknown Channel otherwise)."""
        try:
            return self.channels[channel_id]
        except KeyError:
            raise DiscordHTTPError(404, 10003, "Unknown Channel") from None

    def permissions(self, member: Member) -> int:
        """A member's guild permissions, as Discord computes them from roles and ownership."""
        guild = self.guilds[member.guild_id]
        if member.id == guild.owner_id:
            return ALL_PERMISSIONS
        value = self.roles[guild.id].permissions
        for role_id in member.role_ids:
            value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def bot_member(self, guild_id: int) -> Member:
        """The bot's membership of a guild."""
        return self.guilds[guild_id].members[self.bot.id]

    # JSON, in the shapes the gateway and REST send -----------------------------------------

    def user_json(self, user: User | Member) -> dict[str, Any]:
        """A user object."""
        return {
            "id": str(user.id),
            "username": user.name,
            "discriminator": "0",
            "global_name": user.name,
            "avatar": None,
            "bot": user.bot,
            "flags": 0,
            "public_flags": 0,
        }

    def bot_user_json(self) -> dict[str, Any]:
        """The bot's own user object, as ``GET /users/@me`` and READY give it."""
        return self.user_json(self.bot) | {"verified": True, "mfa_enabled": False}

    def member_json(self, member: Member, *, with_user: bool = True) -> dict[str, Any]:
        """A guild member object (with ``user`` unless asked not to)."""
        body: dict[str, Any] = {
            "roles": [str(r) for r in member.role_ids],
            "nick": None,
            "avatar": None,
            "joined_at": member.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }
        if with_user:
            body["user"] = self.user_json(member)
        return body

    def interaction_member_json(self, member: Member, *, with_user: bool = True) -> dict[str, Any]:
        """A member as interactions carry it: with its computed ``permissions``."""
        permissions = str(self.permissions(member))
        return self.member_json(member, with_user=with_user) | {"permissions": permissions}

    def role_json(self, role: Role) -> dict[str, Any]:
        """A role object, with the ``colors`` disnake 2.12 requires."""
        body: dict[str, Any] = {
            "id": str(role.id),
            "name": role.name,
            "permissions": str(role.permissions),
            "position": role.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": role.managed,
            "mentionable": role.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if role.managed:
            body["tags"] = {"bot_id": str(self.bot.id)}
        return body

    def roles_json(self, guild: Guild) -> list[dict[str, Any]]:
        """Every role of a guild, @everyone first."""
        roles = [self.roles[guild.id], *(self.roles[r] for r in guild.roles.values())]
        return [self.role_json(r) for r in roles]

    def channel_json(self, channel: Channel) -> dict[str, Any]:
        """A channel object (a thread carries its metadata, a DM its recipient)."""
        if channel.type == DM:
            recipient = self.users[channel.recipient_id or 0]
            return {
                "id": str(channel.id),
                "type": DM,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.user_json(recipient)],
            }
        overwrites = []
        if channel.posting_denied:
            overwrites.append(
                {"id": str(self.bot.id), "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
            )
        body: dict[str, Any] = {
            "id": str(channel.id),
            "type": channel.type,
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": channel.position,
            "permission_overwrites": overwrites,
            "nsfw": False,
            "topic": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "parent_id": None if channel.parent_id is None else str(channel.parent_id),
            "flags": 0,
        }
        if channel.type == PUBLIC_THREAD:
            body["owner_id"] = str(channel.owner_id)
            body["message_count"] = 0
            body["member_count"] = 1
            body["total_message_sent"] = 0
            body["thread_metadata"] = {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": channel.created,
                "locked": False,
            }
        return body

    def guild_channels(self, guild: Guild, kind: int = GUILD_TEXT) -> list[Channel]:
        """A guild's channels of one type (text channels, or threads), in creation order."""
        return [c for c in self.channels.values() if c.guild_id == guild.id and c.type == kind]

    def guild_json(self, guild: Guild) -> dict[str, Any]:
        """The guild object (``GET /guilds/{id}``)."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.owner_id),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "features": [],
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "roles": self.roles_json(guild),
            "emojis": [],
            "stickers": [],
        }

    def guild_create_json(self, guild: Guild) -> dict[str, Any]:
        """The GUILD_CREATE payload: the guild object plus channels, threads, every member."""
        return self.guild_json(guild) | {
            "channels": [self.channel_json(c) for c in self.guild_channels(guild)],
            "threads": [self.channel_json(c) for c in self.guild_channels(guild, PUBLIC_THREAD)],
            "members": [self.member_json(m) for m in guild.members.values()],
            "member_count": len(guild.members),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": self.bot_member(guild.id).joined_at,
        }
