"""The Gateway half of the loopback Discord: sessions, dispatches, resume, reconnect requests.

One bot connects at a time. Each IDENTIFY opens a session whose dispatches are numbered and
kept, so a RESUME replays whatever the client missed; dispatches made while the socket is down
wait in the session (an interaction injected during a drop is delivered on RESUME). Frames go
out through one writer task per connection, which keeps zlib-stream compression in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import WSMsgType, web

from tests.discord.emulator_core import EmulatorError, Notifier
from tests.discord.emulator_state import World

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS: Final = 41_250
GUILDS: Final = 1 << 0
GUILD_MEMBERS: Final = 1 << 1
GUILD_PRESENCES: Final = 1 << 8
GUILD_MESSAGES: Final = 1 << 9
DIRECT_MESSAGES: Final = 1 << 12
MESSAGE_CONTENT: Final = 1 << 15
PRIVILEGED: Final = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
EVENT_INTENTS: Final = {
    "GUILD_CREATE": GUILDS,
    "CHANNEL_UPDATE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "GUILD_ROLE_CREATE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
}
"""The intent a bot needs to receive each event (unlisted events always go out); message
events outside a guild need DIRECT_MESSAGES instead, and the bot's own GUILD_MEMBER_UPDATE
needs none."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One gateway frame, as the emulator's log keeps it."""

    direction: str  # "in" (from the bot) or "out"
    op: int
    event: str | None = None
    seq: int | None = None
    replayed: bool = False


class Connection:
    """One websocket and the task that writes to it, in order."""

    def __init__(self, ws: web.WebSocketResponse, *, compress: bool) -> None:
        self.ws = ws
        self.identified = False
        self._compressor = zlib.compressobj() if compress else None
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._writer = asyncio.get_running_loop().create_task(self._write())

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame."""
        self._queue.put_nowait(frame)

    async def close(self, code: int, reason: str = "") -> None:
        """Send what is queued, then close the socket with ``code``."""
        self._queue.put_nowait(None)
        # wait() rather than await: the writer may be cancelled by the socket's own end.
        await asyncio.wait([self._writer])
        await self.ws.close(code=code, message=reason.encode())

    async def stop(self) -> None:
        """Stop writing (the socket is gone)."""
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer

    async def _write(self) -> None:
        while (frame := await self._queue.get()) is not None:
            if self.ws.closed:
                continue
            text = json.dumps(frame)
            try:
                if self._compressor is None:
                    await self.ws.send_str(text)
                else:
                    data = self._compressor.compress(text.encode())
                    data += self._compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
            except ConnectionError:
                logger.debug("gateway socket closed while sending op %s", frame.get("op"))


@dataclass(slots=True)
class Session:
    """A gateway session: numbered dispatches kept for RESUME."""

    id: str
    intents: int
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None
    resumable: bool = True


class Gateway:
    """The Gateway websocket endpoint and the bot's sessions."""

    def __init__(self, world: World, notifier: Notifier, token: str) -> None:
        self.world = world
        self.notifier = notifier
        self.token = token
        self.url = ""
        self.resume_url = ""
        self.allow_privileged_intents = True
        self.log: list[Frame] = []
        self.urls: list[str] = []
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self.open = asyncio.Event()
        self.open.set()
        self._connections: set[Connection] = set()

    @property
    def connected(self) -> bool:
        """Whether a bot holds a live, identified or resumed connection."""
        return self.current is not None and self.current.connection is not None

    def _is_bot(self, data: dict[str, Any]) -> bool:
        user = data.get("user")
        return isinstance(user, dict) and user.get("id") == str(self.world.bot.id)

    def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Number and send (or keep for RESUME) an event; False if no session would get it."""
        session = self.current
        if session is None or not session.resumable:
            return False
        needed = EVENT_INTENTS.get(event, 0)
        if needed == GUILD_MESSAGES and "guild_id" not in data:
            needed = DIRECT_MESSAGES
        if event == "GUILD_MEMBER_UPDATE" and self._is_bot(data):
            needed = 0  # Discord sends the bot's own member update without GUILD_MEMBERS
        if needed and not session.intents & needed:
            return False
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.connection is not None:
            session.connection.send(frame)
            self._note("out", 0, event, session.seq)
        return True

    async def drop(self, *, hold: bool) -> None:
        """Close the live socket with 4000 (the client resumes); ``hold`` delays new HELLOs."""
        session = self.current
        if session is None or session.connection is None:
            raise EmulatorError("no bot is connected to the gateway")
        if hold:
            self.open.clear()
        connection, session.connection = session.connection, None
        await connection.close(4000, "dropped by the emulator")

    def release(self) -> None:
        """Let held connections receive HELLO again."""
        self.open.set()

    def send_op(self, op: int, data: object) -> None:
        """Send a non-dispatch op (7 RECONNECT, 9 INVALID_SESSION) on the live socket."""
        session = self.current
        if session is None or session.connection is None:
            raise EmulatorError("no bot is connected to the gateway")
        session.connection.send({"op": op, "d": data, "s": None, "t": None})
        self._note("out", op)

    def invalidate(self, *, resumable: bool) -> None:
        """Send op 9; a non-resumable session is forgotten and its pending events lost."""
        session = self.current
        self.send_op(9, resumable)
        if session is not None and not resumable:
            session.resumable = False
            self.sessions.pop(session.id, None)

    async def close_all(self) -> None:
        """Close every socket (emulator shutdown)."""
        self.open.set()
        for connection in list(self._connections):
            await connection.close(1001, "emulator stopping")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The websocket endpoint (both the gateway URL and the resume URL)."""
        self.urls.append(request.path_qs)
        self.notifier.poke()  # a held connection sends nothing more: waiters must see it now
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = Connection(ws, compress=request.query.get("compress") == "zlib-stream")
        self._connections.add(connection)
        try:
            await self.open.wait()
            if (
                request.query.get("v", "10") != "10"
                or request.query.get("encoding", "json") != "json"
            ):
                await connection.close(4012, "Invalid API version")
                return ws
            connection.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            self._note("out", 10)
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(message.data)
                except ValueError:
                    frame = None
                if not isinstance(frame, dict) or not isinstance(frame.get("op"), int):
                    await connection.close(4002, "Decode error")
                    break
                await self._receive(connection, frame)
        finally:
            self._connections.discard(connection)
            for session in self.sessions.values():
                if session.connection is connection:
                    session.connection = None
            await connection.stop()
            self.notifier.poke()
        return ws

    async def _receive(self, connection: Connection, frame: dict[str, Any]) -> None:
        op, data = frame["op"], frame.get("d")
        self._note("in", op)
        if op == 1:
            connection.send({"op": 11})
            self._note("out", 11)
        elif op == 2:
            await self._identify(connection, data or {})
        elif op == 6:
            await self._resume(connection, data or {})
        elif op == 8:
            self._members_chunk(data or {})
        elif op not in (3, 4):
            await connection.close(4001, "Unknown opcode")

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> None:
        if connection.identified:
            await connection.close(4005, "Already authenticated")
            return
        if data.get("token") != self.token:
            await connection.close(4004, "Authentication failed")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED and not self.allow_privileged_intents:
            await connection.close(4014, "Disallowed intent(s)")
            return
        connection.identified = True
        session = Session(secrets.token_hex(16), intents, connection=connection)
        self.sessions[session.id] = session
        self.current = session
        self.dispatch("READY", self._ready(session))
        for guild in self.world.guilds.values():
            self.dispatch("GUILD_CREATE", self.world.guild_create_json(guild))

    async def _resume(self, connection: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self.token or not session.resumable:
            connection.send({"op": 9, "d": False})
            self._note("out", 9)
            return
        if session.connection is not None and session.connection is not connection:
            await session.connection.close(4000, "session resumed elsewhere")
        connection.identified = True
        session.connection = connection
        self.current = session
        seen = int(data.get("seq") or 0)
        for frame in session.sent:
            if frame["s"] > seen:
                connection.send(frame)
                self._note("out", 0, frame["t"], frame["s"], replayed=True)
        self.dispatch("RESUMED", {"_trace": ["loopback-discord"]})

    def _ready(self, session: Session) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.world.bot_user_json(),
            "guilds": [{"id": str(g), "unavailable": True} for g in self.world.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_url,
            "shard": [0, 1],
            "application": {"id": str(self.world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["loopback-discord"],
        }

    def _members_chunk(self, data: dict[str, Any]) -> None:
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        members = [self.world.member_json(m) for m in guild.members.values()]
        chunk = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _note(
        self,
        direction: str,
        op: int,
        event: str | None = None,
        seq: int | None = None,
        *,
        replayed: bool = False,
    ) -> None:
        self.log.append(Frame(direction, op, event, seq, replayed))
        self.notifier.poke()
