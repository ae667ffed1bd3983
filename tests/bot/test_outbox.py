"""The Gazette outbox against a real server, a real journal and a fake Discord behind ``send``."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import disnake
import pytest

from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.bot.channels import ChannelBook
from greatwork.bot.directory import ChannelRole
from greatwork.bot.guilds import campaign_of
from greatwork.bot.limits import Post, check_post
from greatwork.bot.outbox import Outbox, nonce_of, part_nonce
from greatwork.bot.sender import SendError, send_post
from greatwork.config import Settings
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.mentorship import Mentor
from greatwork.rules.social import PostTableTalk
from greatwork.store import OutboxRow, OutboxState, PressRow, Store
from tests.bot.test_channels import TEXT, make_guild
from tests.commands.local import T0, shared_content

GUILD = 900_000_000_000_000_001
CID = campaign_of(GUILD)
GAZETTE = 900_000_000_000_000_010
TABLE = 900_000_000_000_000_011
ADMIN = 900_000_000_000_000_012
NEWS = 900_000_000_000_000_013
START = T0 + 9 * 3600  # 09:00 UTC, before the 13:00 digest
FOUNDING = "press:1-20"  # the 20 items a new campaign releases at once: one post
FAST: dict[str, Any] = {
    "first_wait": 0.001,
    "max_backoff": 0.005,
    "max_wait": 10.0,
    "recheck": 0.005,
    "cooldown": 0.01,
    "stop_timeout": 0.2,
}

Check = Callable[[], bool | Awaitable[bool]]


def unavailable(message: str = "Service Unavailable") -> SendError:
    return SendError(503, None, message, retryable=True)


def forbidden(code: int = 50013, message: str = "Missing Permissions") -> SendError:
    return SendError(403, code, message, retryable=False)


def bad_request() -> SendError:
    return SendError(400, 50035, "Invalid Form Body", retryable=False)


REFUSALS: dict[str, Callable[[], SendError]] = {  # refused for good: failed, not held
    "400-bad-payload": bad_request,
    "403-other-code": lambda: forbidden(50007, "Cannot send messages to this user"),
    "404-unknown-channel": lambda: SendError(404, 10003, "Unknown Channel", retryable=False),
}


@dataclasses.dataclass
class Message:
    channel_id: int
    post: Post
    nonce: str
    id: int


@dataclasses.dataclass
class Hold:
    """Calls matching ``when`` wait for ``gate`` (after Discord took the message if ``accept``)."""

    when: Callable[[int, str], bool]
    accept: bool
    gate: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    entered: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


class Discord:
    """Channels that keep messages, deduplicate by nonce, and fail or stall when told to.

    ``denied`` refuses every message to a channel with its error until the entry is removed.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[int, str, float]] = []  # channel, nonce, loop time
        self.messages: list[Message] = []
        self.denied: dict[int, SendError] = {}
        self._by_nonce: dict[tuple[int, str], int] = {}
        self._failures: dict[int, deque[SendError]] = {}
        self.hold: Hold | None = None

    def fail(self, channel_id: int, *errors: SendError) -> None:
        self._failures.setdefault(channel_id, deque()).extend(errors)

    def block(self, when: Callable[[int, str], bool], *, accept: bool) -> Hold:
        self.hold = Hold(when, accept)
        return self.hold

    async def send(self, channel_id: int, post: Post, nonce: str) -> int:
        self.calls.append((channel_id, nonce, asyncio.get_running_loop().time()))
        failures = self._failures.get(channel_id)
        if failures:
            raise failures.popleft()
        denial = self.denied.get(channel_id)
        if denial is not None:
            raise denial
        check_post(post)
        hold = self.hold
        held = hold is not None and hold.when(channel_id, nonce)
        if hold is not None and held and not hold.accept:
            hold.entered.set()
            await hold.gate.wait()
        known = self._by_nonce.get((channel_id, nonce))
        if known is None:  # enforce_nonce: a repeat answers with the first message
            known = 5_000 + len(self.messages)
            self._by_nonce[channel_id, nonce] = known
            self.messages.append(Message(channel_id, post, nonce, known))
        if hold is not None and held and hold.accept:
            hold.entered.set()
            await hold.gate.wait()
        return known

    def in_channel(self, channel_id: int) -> list[Message]:
        return [m for m in self.messages if m.channel_id == channel_id]


class World:
    """A running server with one guild's campaign, its channels and a fake Discord."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.discord = Discord()
        self.guild: disnake.Guild | None = None
        self.lookups = 0
        self.server: GameServer | None = None
        self.book: ChannelBook | None = None
        self.outboxes: list[Outbox] = []

    async def start(self, at: int = START) -> GameServer:
        server = GameServer(self.settings, shared_content(), clock=VirtualClock(at))  # type: ignore[arg-type]
        await server.start()
        self.server = server
        self.book = ChannelBook(self.store, now=server.clock.now)
        await self.book.load()
        return server

    @property
    def store(self) -> Store:
        assert self.server is not None
        assert self.server.store is not None
        return self.server.store

    def guilds(self, guild_id: int) -> disnake.Guild | None:
        self.lookups += 1
        return self.guild if guild_id == GUILD else None

    async def outbox(self, **changes: Any) -> Outbox:
        assert self.server is not None
        assert self.book is not None
        outbox = Outbox(
            self.server,
            self.store,
            self.book,
            self.discord.send,
            self.guilds,
            **(FAST | changes),
        )
        self.outboxes.append(outbox)
        await outbox.start()
        return outbox

    async def restart(self) -> None:
        for outbox in self.outboxes:
            await outbox.stop()
        assert self.server is not None
        now = self.server.clock.now()
        await self.server.stop()
        await self.start(at=now)

    async def close(self) -> None:
        for outbox in self.outboxes:
            await outbox.stop()
        if self.server is not None:
            await self.server.stop()

    # --- play --------------------------------------------------------------------------------

    async def later(self, seconds: int = 60) -> None:
        """Move the game clock on, so the next release is a moment of its own."""
        assert self.server is not None
        await self.server.advance(Instant(self.server.clock.now() + seconds))

    async def mentor(self, players: int = 3, *, apart: bool = True) -> None:
        """Each of ``players`` mentors a scholar: one press item each, a minute apart or not."""
        server = self.server
        assert server is not None
        state = server.committed_state(CID)
        free = [sid for sid, r in sorted(state.scholars.items()) if r.contract.player is None]
        for n, scholar in enumerate(free[:players]):
            if apart:
                await self.later()
            who = PlayerId(f"p{n}")
            await server.execute(
                CID, Mentor(actor=who, at=server.clock.now(), scholar=scholar, track="Academia")
            )

    async def talk(self, text: str) -> None:
        server = self.server
        assert server is not None
        await self.later()
        await server.execute(
            CID, PostTableTalk(actor=PlayerId("p0"), at=server.clock.now(), message=text)
        )

    async def rows(self) -> dict[str, OutboxRow]:
        return {r.key: r for r in await self.store.outbox_rows(CID)}

    async def expected_keys(self) -> list[str]:
        """Every post the released journal calls for, in release order.

        Written apart from the outbox's own planning: press a digest does not carry goes out
        in runs of consecutive numbers released at one moment to one channel.
        """
        assert self.server is not None
        now = self.server.clock.now()
        digests = {r.at: json.loads(r.data)["number"] for r in await self.store.digests(CID)}
        keys: list[tuple[int, int, str]] = [(at, 0, f"digest:{n}") for at, n in digests.items()]
        runs: list[list[PressRow]] = []
        for row in await self.store.press_between(CID, -1, now):
            if digests.get(row.release_at) == row.digest:
                continue  # in that digest
            last = runs[-1][-1] if runs else None
            if (
                last is not None
                and row.id == last.id + 1
                and row.release_at == last.release_at
                and is_talk(row) == is_talk(last)
            ):
                runs[-1].append(row)
            else:
                runs.append([row])
        for run in runs:
            low, high = run[0].id, run[-1].id
            key = f"press:{low}" if low == high else f"press:{low}-{high}"
            keys.append((run[0].release_at, 1 + low, key))
        return [key for *_, key in sorted(keys)]

    async def settled(self) -> bool:
        """Whether every post the journal calls for has a row, and none is still sending."""
        rows = await self.rows()
        keys = await self.expected_keys()
        unsettled = [r for r in rows.values() if r.state is OutboxState.SENDING]
        return all(k in rows for k in keys) and not unsettled

    async def all_posted(self) -> bool:
        rows = await self.rows()
        wanted = await self.expected_keys()
        return all(k in rows and rows[k].state is OutboxState.POSTED for k in wanted)


def is_talk(row: PressRow) -> bool:
    return bool(json.loads(row.meta).get("occasion") == "table_talk")


def full_guild() -> disnake.Guild:
    return make_guild(
        GUILD,
        {GAZETTE: ("gazette", TEXT), TABLE: ("table-talk", TEXT), ADMIN: ("gw-admin", TEXT)},
    )


async def until(check: Check, what: str, within: float = 10.0) -> None:
    """Poll ``check`` until it holds, failing after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    made = World(Settings(db_path=tmp_path / "journal" / "greatwork.db"))
    server = await made.start()
    made.guild = full_guild()
    try:
        await server.ensure_campaign(CID, seed=5)
        await server.ensure_campaign(CampaignId("c1"), seed=6)  # not a guild's: never posted
        yield made
    finally:
        await made.close()


def posted_order(world: World, rows: dict[str, OutboxRow]) -> list[str]:
    """The keys of the messages Discord holds, in the order they arrived (each key once)."""
    owner = {mid: key for key, row in rows.items() for mid in row.message_ids}
    order: list[str] = []
    for message in world.discord.messages:
        key = owner[message.id]
        if not order or order[-1] != key:
            order.append(key)
    return order


# --- the tests -------------------------------------------------------------------------------


async def test_every_release_is_posted_once_in_order_to_its_channel(world: World) -> None:
    await world.outbox()
    await world.mentor(3)
    await world.talk("@everyone **hear** this")
    assert world.server is not None
    await world.server.advance_to_next_digest()
    await until(world.all_posted, "every release posted")

    rows = await world.rows()
    expected = await world.expected_keys()
    assert posted_order(world, rows) == expected
    assert sorted(rows) == sorted(expected)  # nothing else: the digest's stories are in it
    assert len(world.discord.calls) == len(world.discord.messages)  # no retry, no repeat
    assert all(r.attempts == 1 and r.nonce == nonce_of(CID, k) for k, r in rows.items())

    talk = [m for m in world.discord.messages if m.channel_id == TABLE]
    assert len(talk) == 1
    assert "@everyone **hear** this" in talk[0].post.embeds[0]["description"]
    assert talk[0].post.payload()["allowed_mentions"] == {"parse": [], "replied_user": False}

    digest = rows["digest:1"]
    first, *stories = [m for m in world.discord.messages if m.id in digest.message_ids]
    assert first.post.embeds[0]["title"] == "The Great Work Gazette · Digest No. 1 · Anno 1920"
    assert [m.nonce for m in (first, *stories)] == [
        part_nonce(digest.nonce, n) for n in range(len(digest.message_ids))
    ]
    footers = [e["footer"]["text"] for m in stories for e in m.post.embeds if "footer" in e]
    assert len(footers) == 3  # the three mentorships the digest activated
    assert all(m.channel_id == GAZETTE for m in world.discord.messages if m.channel_id != TABLE)


async def test_what_was_released_while_no_outbox_ran_is_posted_at_start(world: World) -> None:
    await world.mentor(3)
    assert world.server is not None
    await world.server.advance_to_next_digest()
    await world.talk("said while the bot was away")
    await world.restart()
    await world.outbox()
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    assert posted_order(world, rows) == await world.expected_keys()
    digest = rows["digest:1"]
    first, *stories = [m for m in world.discord.messages if m.id in digest.message_ids]
    assert first.post.embeds[0]["title"] == "The Great Work Gazette · Digest No. 1 · Anno 1920"
    footers = [e["footer"]["text"] for m in stories for e in m.post.embeds if "footer" in e]
    assert len(footers) == 3
    assert len(world.discord.calls) == len(world.discord.messages)


async def test_a_second_outbox_on_the_same_journal_posts_nothing_again(world: World) -> None:
    first = await world.outbox()
    await world.mentor(2)
    await until(world.all_posted, "the first posts")
    await first.stop()
    await first.stop()  # idempotent
    sent = len(world.discord.calls)
    second = await world.outbox()
    await world.talk("after the restart")
    await until(world.all_posted, "the new post")
    assert len(world.discord.calls) == sent + 1
    await second.stop()
    with pytest.raises(RuntimeError, match="this outbox was stopped"):
        await second.start()


async def test_a_retryable_error_is_retried_then_posted_once(world: World) -> None:
    world.discord.fail(GAZETTE, unavailable("Service Unavailable"), unavailable("Bad Gateway"))
    await world.outbox()
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    first = rows[FOUNDING]
    assert (first.attempts, first.last_error) == (3, "Bad Gateway (HTTP 503, code None)")
    nonces = [nonce for _, nonce, _ in world.discord.calls]
    assert nonces[:3] == [first.nonce] * 3  # one nonce for every retry
    assert len(world.discord.messages) == sum(len(r.message_ids) for r in rows.values())
    assert len(world.discord.calls) == len(world.discord.messages) + 2


async def test_a_rate_limit_waits_at_least_what_discord_asked(world: World) -> None:
    world.discord.fail(GAZETTE, SendError(429, None, "slow down", retryable=True, retry_after=0.05))
    await world.outbox()
    await until(world.all_posted, "every release posted")
    (_, _, refused), (_, _, again) = world.discord.calls[:2]
    assert again - refused >= 0.05


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
async def test_a_fatal_error_fails_the_post_tells_admins_once_per_post_and_moves_on(
    world: World, refusal: Callable[[], SendError], caplog: pytest.LogCaptureFixture
) -> None:
    world.discord.fail(GAZETTE, refusal(), refusal())
    with caplog.at_level(logging.WARNING, logger="greatwork.bot.outbox"):
        await world.outbox()
        await until(lambda: bool(world.discord.in_channel(ADMIN)), "the admins told")
        await world.mentor(1)  # a second post, refused too: told again (once per post)
        await until(lambda: len(world.discord.in_channel(ADMIN)) == 2, "the admins told twice")
        await until(world.settled, "every release settled")
    rows = await world.rows()
    failed = sorted(k for k, r in rows.items() if r.state is OutboxState.FAILED)
    [second] = [k for k in await world.expected_keys() if k not in {FOUNDING, "digest:1"}]
    assert failed == sorted([FOUNDING, second])
    assert refusal().message in rows[FOUNDING].last_error
    assert rows[FOUNDING].attempts == 1  # refused for good: not retried
    assert all(r.state is OutboxState.POSTED for k, r in rows.items() if k not in failed)
    notices = world.discord.in_channel(ADMIN)
    assert [n.post.embeds[0]["title"] for n in notices] == ["A Gazette post was refused"] * 2
    assert "press items No. 1 to 20" in notices[0].post.embeds[0]["description"]
    assert rows[f"notice:failed:{FOUNDING}"].state is OutboxState.POSTED
    assert rows[f"notice:failed:{second}"].state is OutboxState.POSTED
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert all("for good" in e for e in errors)

    calls = len(world.discord.calls)
    await world.restart()
    await world.outbox()
    await world.talk("still here")
    await until(world.settled, "the new post")
    assert len(world.discord.calls) == calls + 1  # the failed posts and notices: not again
    assert len(world.discord.in_channel(ADMIN)) == 2


async def test_a_persistent_error_stalls_tells_admins_once_and_resumes(world: World) -> None:
    world.discord.fail(GAZETTE, *(unavailable() for _ in range(5)))
    await world.outbox(attempts=2)
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    assert rows[FOUNDING].attempts == 6  # 2 + 2 + 2 sends, the last one taken
    assert len(world.discord.in_channel(ADMIN)) == 1
    text = world.discord.in_channel(ADMIN)[0].post.embeds[0]["description"]
    assert "keeps failing to take press items No. 1 to 20" in text
    assert posted_order(world, rows) == [
        f"notice:stalled:{FOUNDING}",
        *await world.expected_keys(),
    ]


@pytest.mark.parametrize("accepted", [True, False], ids=["accepted", "not-accepted"])
async def test_after_a_crash_the_post_is_sent_again_with_the_same_nonce(
    world: World, accepted: bool
) -> None:
    hold = world.discord.block(lambda channel, _nonce: channel == GAZETTE, accept=accepted)
    await world.outbox(stop_timeout=0.01)
    await hold.entered.wait()
    await world.restart()  # the post in flight is cancelled: its row stays "sending"
    rows = await world.rows()
    [stuck] = [r for r in rows.values() if r.state is OutboxState.SENDING]
    assert stuck.key == FOUNDING
    assert stuck.message_ids == ()

    world.discord.hold = None
    await world.outbox()
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    nonces = [nonce for _, nonce, _ in world.discord.calls]
    assert nonces.count(stuck.nonce) == 2  # once before the crash, once after: the same nonce
    assert [m.nonce for m in world.discord.messages].count(stuck.nonce) == 1
    assert len(world.discord.messages) == sum(len(r.message_ids) for r in rows.values())
    assert posted_order(world, rows) == await world.expected_keys()


async def test_a_digest_cut_short_resumes_after_its_accepted_messages(world: World) -> None:
    await world.outbox(stop_timeout=0.01)
    await world.mentor(2)
    await until(world.all_posted, "the first posts")
    hold = world.discord.block(lambda _channel, nonce: nonce.endswith("-1"), accept=False)
    assert world.server is not None
    await world.server.advance_to_next_digest()
    await hold.entered.wait()
    await world.restart()
    digest = (await world.rows())["digest:1"]
    assert digest.state is OutboxState.SENDING
    assert len(digest.message_ids) == 1  # the headline was accepted and recorded

    world.discord.hold = None
    await world.outbox()
    await until(world.all_posted, "the digest")
    digest = (await world.rows())["digest:1"]
    nonces = [nonce for _, nonce, _ in world.discord.calls]
    assert nonces.count(digest.nonce) == 1  # the headline was not sent again
    assert nonces.count(part_nonce(digest.nonce, 1)) == 2
    assert len(digest.message_ids) == 2
    headline = next(m for m in world.discord.messages if m.id == digest.message_ids[0])
    assert headline.post.embeds[0]["title"].startswith("The Great Work Gazette · Digest No. 1")


async def test_a_missing_channel_waits_tells_admins_once_and_resumes_when_set(
    world: World,
) -> None:
    world.guild = make_guild(GUILD, {TABLE: ("table-talk", TEXT), ADMIN: ("gw-admin", TEXT)})
    await world.outbox()
    await until(lambda: world.lookups > 30, "many looks for the channel")
    assert world.discord.in_channel(GAZETTE) == []
    [told] = world.discord.in_channel(ADMIN)
    assert "no #gazette channel" in told.post.embeds[0]["description"]
    assert FOUNDING not in await world.rows()  # unposted: it waits

    world.guild = make_guild(
        GUILD,
        {NEWS: ("news", TEXT), TABLE: ("table-talk", TEXT), ADMIN: ("gw-admin", TEXT)},
    )
    assert world.book is not None
    await world.book.set(GUILD, ChannelRole.GAZETTE, NEWS, by="user:7")
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    assert posted_order(world, rows)[1:] == await world.expected_keys()
    assert all(m.channel_id == NEWS for m in world.discord.messages if m.channel_id != ADMIN)
    assert len(world.discord.in_channel(ADMIN)) == 1


async def test_with_no_admin_channel_either_the_log_is_told_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.guild = make_guild(GUILD, {TABLE: ("table-talk", TEXT)})
    with caplog.at_level(logging.WARNING, logger="greatwork.bot.outbox"):
        outbox = await world.outbox()
        await until(lambda: world.lookups > 30, "many looks for the channel")
        await outbox.stop()
    told = [r.getMessage() for r in caplog.records if "no admin channel to tell" in r.getMessage()]
    assert len(told) == 1
    assert "No #gazette channel" in told[0]
    assert world.discord.calls == []


async def test_a_guild_the_bot_cannot_see_waits_until_woken(world: World) -> None:
    guild, world.guild = world.guild, None
    outbox = await world.outbox(recheck=60.0)
    await until(lambda: world.lookups >= 1, "a first look")
    assert world.discord.calls == []
    world.guild = guild
    outbox.wake(GUILD)
    await until(world.all_posted, "every release posted")


async def test_stop_finishes_the_post_in_flight_then_ends(world: World) -> None:
    hold = world.discord.block(lambda channel, _nonce: channel == GAZETTE, accept=True)
    outbox = await world.outbox(stop_timeout=10.0)
    await hold.entered.wait()
    stopping = asyncio.ensure_future(outbox.stop())
    await until(lambda: outbox._stopper.stopping, "the stop began")
    assert not stopping.done()
    hold.gate.set()
    await stopping
    rows = await world.rows()
    assert [(k, r.state) for k, r in rows.items()] == [(FOUNDING, OutboxState.POSTED)]
    assert len(world.discord.calls) == 2  # the post in flight, both its messages; nothing after


async def test_bad_settings_are_refused(world: World) -> None:
    assert world.server is not None
    assert world.book is not None
    with pytest.raises(ValueError, match="attempts=0"):
        Outbox(world.server, world.store, world.book, world.discord.send, world.guilds, attempts=0)
    with pytest.raises(ValueError, match="cooldown=0"):
        Outbox(world.server, world.store, world.book, world.discord.send, world.guilds, cooldown=0)


class RecordingHttp:
    """disnake's HTTP client as ``send_post`` uses it: records each request, answers an id."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def request(self, route: Any, **kwargs: Any) -> Any:
        assert route.path == "/channels/{channel_id}/messages"
        self.bodies.append(kwargs["json"])
        return {"id": str(7_000 + len(self.bodies))}


class FakeBot:
    def __init__(self) -> None:
        self.http = RecordingHttp()


async def test_the_bots_send_post_fits_the_outbox(world: World) -> None:
    bot = FakeBot()
    assert world.server is not None
    assert world.book is not None
    outbox = Outbox(
        world.server,
        world.store,
        world.book,
        functools.partial(send_post, bot),
        world.guilds,
        **FAST,
    )
    world.outboxes.append(outbox)
    await outbox.start()
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    first = bot.http.bodies[0]
    assert first["nonce"] == rows[FOUNDING].nonce
    assert first["enforce_nonce"] is True
    assert first["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert rows[FOUNDING].message_ids == (7_001, 7_002)
    assert bot.http.bodies[1]["nonce"] == part_nonce(rows[FOUNDING].nonce, 1)


def test_nonces_fit_discord_and_differ_per_post() -> None:
    first, second = nonce_of(CID, "press:1"), nonce_of(CID, "press:2")
    assert len(first) == 20
    assert first != second
    assert first != nonce_of("guild-2", "press:1")
    assert first == nonce_of(CID, "press:1")
    assert part_nonce(first, 0) == first
    assert part_nonce(first, 1) == f"{first}-1"
    assert len(part_nonce(first, 9999)) == 25
