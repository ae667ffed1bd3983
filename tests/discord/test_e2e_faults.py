"""Faults through the real disnake client: the gateway, Discord's HTTP errors, restarts, deadlines.

Each test plays in front of the loopback Discord (``running_world``) while something goes
wrong the way it does on Discord: the gateway socket drops, Discord asks the client to
reconnect or invalidates its session, a post meets a 429, a 500, a 400 or a 403 (it waits
for the permission, then posts), the process
restarts mid-season, a command outlives the 3-second deadline or its 15-minute token. Each
checks that every command is answered once, journaled once, and every post sent once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import disnake
import pytest

from greatwork.bot.render import COLOUR_OK
from greatwork.store import OutboxState
from tests.discord.emulator import Call, InteractionRecord
from tests.discord.test_e2e_scenarios import (
    CHANNELS,
    SEED,
    echoes,
    error_logs,
    eventually,
    headlines,
    launch,
    outbox_rows,
    outbox_settled,
    press_numbers,
    released_posted,
    take_error_logs,
)
from tests.discord.world import World, running_world, text_of

TOKEN_LIFE: Final = 15 * 60.0  # seconds an interaction token lives on Discord


def frames(world: World, op: int, direction: str = "in") -> int:
    """How many gateway frames of ``op`` went ``direction`` ("in": from the bot)."""
    return sum(1 for f in world.emu.gateway_log if f.op == op and f.direction == direction)


def dispatched(world: World, event: str) -> int:
    """How many dispatches of ``event`` the emulator sent (replays included)."""
    return sum(1 for f in world.emu.gateway_log if f.event == event)


def theories_saying(world: World, text: str) -> int:
    """How many theories of the campaign's committed state say ``text``."""
    state = world.service.server.committed_state(world.campaign_id)
    return sum(1 for t in state.theories.values() if t.text == text)


async def journaled(world: World, kind: str, text: str) -> int:
    """How many journaled events of ``kind`` carry ``text`` in their data."""
    entries = await world.service.server.journal(world.campaign_id, limit=500)
    return sum(1 for e in entries if e.kind == kind and text in str(e.data))


async def theory(world: World, who: str, text: str) -> InteractionRecord:
    """Submit a theory and check it was accepted."""
    record = await world.slash(who, "submit_theory", theory=text, confidence="suspect")
    assert record.original is not None
    assert record.original["embeds"][0]["color"] == COLOUR_OK, text_of(record.original)
    return record


def skip_identify_pause(world: World) -> None:
    """Let the bot IDENTIFY again at once after INVALID_SESSION.

    disnake's ``Client.before_identify_hook`` (documented for overriding) sleeps 5 s before
    every non-initial IDENTIFY; the instance attribute shadows it, as the emulator's own
    sample bot does by subclassing.
    """

    async def no_pause(_shard_id: int | None, *, initial: bool = False) -> None:
        del initial

    vars(world.bot)["before_identify_hook"] = no_pause


# 3. The gateway during play ----------------------------------------------------------------


async def test_a_gateway_drop_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        ada = world.member("Ada")
        await theory(world, "Ada", "Before the drop")
        await launch(world, "Ada", "AX-1", "T-1")

        await world.emu.drop_connection(hold=True)
        # The bot is back at the door (a second gateway connection, held before HELLO). The
        # command comes now, not at the drop: disnake's reconnect delay is random, and an
        # interaction not answered within 3 s expires, as on Discord.
        await world.wait_for(lambda: len(world.emu.gateway_urls) == 2)
        record = await world.emu.slash(
            world.guild, ada, "submit_theory", theory="During the drop", confidence="certain"
        )
        answered_while_down = record.callback is not None
        world.emu.release_gateway()
        await record.done(timeout=10)
        await world.wait_for(lambda: len(echoes(world)) == 3)
        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        await outbox_settled(world, "digest:1")
        await world.service.server.settle()
        rows = await outbox_settled(world, "digest:1")

        assert not answered_while_down
        assert frames(world, 6) == 1  # RESUME
        assert frames(world, 2) == 1  # no second IDENTIFY
        assert dispatched(world, "RESUMED") == 1
        assert any(f.event == "INTERACTION_CREATE" and f.replayed for f in world.emu.gateway_log)
        assert record.callback is not None
        assert record.callback["type"] == 4
        assert record.original is not None
        assert "During the drop" in text_of(record.original)
        assert theories_saying(world, "During the drop") == 1
        assert await journaled(world, "TheorySubmitted", "During the drop") == 1
        assert [text_of(m).count("During the drop") for m in echoes(world)] == [0, 0, 1]
        assert len(headlines(world.posts("gazette"), 1)) == 1
        numbers = press_numbers(world.posts("gazette"))
        assert len(numbers) == len(set(numbers))
        assert all(r.state is OutboxState.POSTED and r.attempts == 1 for r in rows)


async def test_reconnect_and_invalid_session_during_play(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        skip_identify_pause(world)
        await theory(world, "Ada", "Before op 7")

        await world.emu.send_reconnect()
        await world.wait_for(lambda: dispatched(world, "RESUMED") == 1 and world.emu.connected)
        after_reconnect = await theory(world, "Ada", "After op 7")
        await world.emu.invalidate_session()
        await world.wait_for(lambda: frames(world, 2) == 2 and world.emu.connected)
        await world.wait_for(lambda: dispatched(world, "GUILD_CREATE") >= 2)
        after_invalid = await theory(world, "Bo", "After op 9")
        await world.wait_for(lambda: len(echoes(world)) == 3)

        assert frames(world, 6) == 1  # op 7: RESUME, not a new session
        assert frames(world, 2) == 2  # op 9 (not resumable): a fresh IDENTIFY
        for record, text in ((after_reconnect, "After op 7"), (after_invalid, "After op 9")):
            assert record.callback is not None
            assert record.callback["type"] == 4
            assert theories_saying(world, text) == 1
        assert [m["embeds"][0]["author"]["name"] for m in echoes(world)] == ["Ada", "Ada", "Bo"]
        state = world.service.server.committed_state(world.campaign_id)
        assert sorted(state.theories) == ["T-1", "T-2", "T-3"]


# 4. Discord's HTTP errors on Gazette posts -----------------------------------------------------


async def _digest_ready(world: World) -> None:
    """A theory and an expedition (so digest 1 has stories), every post so far sent."""
    await theory(world, "Ada", "Bronze Age flight")
    await launch(world, "Ada", "AX-1", "T-1")
    await released_posted(world)


def _gazette_calls(world: World) -> list[Call]:
    path = f"/channels/{world.channel('gazette')}/messages"
    return [c for c in world.emu.calls if c.method == "POST" and c.path == path]


async def test_a_rate_limited_gazette_post_is_retried_and_posted_once(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        await _digest_ready(world)
        seen = len(_gazette_calls(world))
        world.emu.rate_limit_next(
            "POST", rf"/channels/{world.channel('gazette')}/messages", retry_after=0.2
        )
        world.expected_rejections += 1

        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        rows = await outbox_settled(world, "digest:1")

        calls = _gazette_calls(world)[seen:]
        assert [c.status for c in calls][:2] == [429, 200]
        assert calls[0].json == calls[1].json  # the same message, nonce and all
        assert [c.status for c in calls].count(429) == 1
        assert len(headlines(world.posts("gazette"), 1)) == 1
        numbers = press_numbers(world.posts("gazette"))
        assert len(numbers) == len(set(numbers))
        assert all(r.state is OutboxState.POSTED and r.attempts == 1 for r in rows)


async def test_a_gazette_post_that_meets_a_500_is_retried_and_posted_once(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        await _digest_ready(world)
        seen = len(_gazette_calls(world))
        # One-shot: disnake sleeps 1 s before it retries a 5xx (http.py), then succeeds.
        world.emu.fail_next("POST", rf"/channels/{world.channel('gazette')}/messages", 500)

        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        rows = await outbox_settled(world, "digest:1")

        calls = _gazette_calls(world)[seen:]
        assert [c.status for c in calls][:2] == [500, 200]
        assert calls[0].json == calls[1].json
        assert len(headlines(world.posts("gazette"), 1)) == 1
        numbers = press_numbers(world.posts("gazette"))
        assert len(numbers) == len(set(numbers))
        assert all(r.state is OutboxState.POSTED for r in rows)


def _refusals(world: World) -> int:
    """How many 403s the emulator answered; each one is expected by the test that counts it."""
    return sum(1 for r in world.emu.rejections if r.status == 403)


async def _deny_gazette(world: World, *, denied: bool = True) -> int:
    """Deny (or allow again) the bot's posting in #gazette and wait until the bot saw it."""
    gazette = world.channel("gazette")
    world.emu.deny_posting(gazette, denied=denied)

    def seen() -> bool:
        channel = world.bot.get_channel(gazette)
        guild = world.bot.get_guild(world.guild.id)
        if not isinstance(channel, disnake.TextChannel) or guild is None:
            return False
        return channel.permissions_for(guild.me).send_messages is not denied

    await eventually(seen, "the bot saw #gazette's permissions change")
    return gazette


def _logged(world: World, level: int, text: str) -> list[str]:
    """The greatwork records logged at exactly ``level`` that contain ``text``."""
    return [
        r.getMessage()
        for r in world.logs.records
        if r.levelno == level and r.name.startswith("greatwork") and text in r.getMessage()
    ]


async def _held(world: World, seen: int) -> None:
    """Wait until digest 1 was refused in #gazette and the admins were told."""
    await world.wait_for(
        lambda: (
            bool(world.posts("gw-admin"))
            and any(c.status == 403 for c in _gazette_calls(world)[seen:])
        )
    )


async def test_a_gazette_denied_posting_waits_then_posts_everything_once_in_order(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        await _digest_ready(world)
        posted_before = len(world.posts("gazette"))
        seen = len(_gazette_calls(world))
        await _deny_gazette(world)

        await world.service.server.advance_to_next_digest()
        await _held(world, seen)
        await theory(world, "Bo", "Written while the Gazette waits")  # a release behind it
        released = {p.id for p in await world.service.server.press(world.campaign_id, limit=1000)}
        waiting = {r.key: r for r in await outbox_rows(world)}
        shown_while_held = len(world.posts("gazette"))
        await _deny_gazette(world, denied=False)  # CHANNEL_UPDATE: the bot wakes the outbox
        await world.wait_for(
            lambda: any(
                "Written while the Gazette waits" in text_of(m) for m in world.posts("gazette")
            )
        )
        rows = {r.key: r for r in await outbox_settled(world, "digest:1")}
        calls = _gazette_calls(world)[seen:]
        world.expected_rejections += _refusals(world)

        assert waiting["digest:1"].state is OutboxState.SENDING
        assert "Missing Permissions" in waiting["digest:1"].last_error
        assert waiting["digest:1"].message_ids == ()
        assert shown_while_held == posted_before  # nothing posted while held
        assert [c.status for c in calls][:2] == [403, 200]  # refused once, then waited
        assert calls[0].json == calls[1].json  # the same message, nonce and all
        assert all(r.state is OutboxState.POSTED for r in rows.values())
        gazette = world.posts("gazette")
        [headline] = headlines(gazette, 1)
        late = next(m for m in gazette if "Written while the Gazette waits" in text_of(m))
        assert gazette.index(headline) < gazette.index(late)  # in release order
        numbers = press_numbers(gazette)
        assert len(numbers) == len(set(numbers))
        assert released <= set(numbers)
        [told] = world.posts("gw-admin")
        assert told["embeds"][0]["title"] == "The Gazette is waiting for permissions"
        assert "digest No. 1" in text_of(told)
        assert f"<#{world.channel('gazette')}>" in text_of(told)
        assert "the bot lacks Send Messages there" in text_of(told)
        assert "resumes by itself, in order" in text_of(told)
        assert len(_logged(world, logging.WARNING, "the Gazette waits")) == 1
        assert len(_logged(world, logging.INFO, "the Gazette resumed")) == 1


async def test_a_restart_while_the_gazette_is_held_resumes_it_and_posts_once(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        await _digest_ready(world)
        seen = len(_gazette_calls(world))
        await _deny_gazette(world)
        await world.service.server.advance_to_next_digest()
        await _held(world, seen)

        await world.restart()  # still denied: the new outbox tries digest 1 again at start
        await world.wait_for(lambda: sum(c.status == 403 for c in _gazette_calls(world)) == 2)
        await eventually(
            lambda: len(_logged(world, logging.WARNING, "the Gazette waits")) == 2,
            "the new outbox found digest 1 held",
        )
        held = {r.key: r for r in await outbox_rows(world)}
        await _deny_gazette(world, denied=False)
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        rows = {r.key: r for r in await outbox_settled(world, "digest:1")}
        calls = [
            c for c in _gazette_calls(world)[seen:] if c.json == _gazette_calls(world)[seen].json
        ]
        world.expected_rejections += _refusals(world)

        assert held["digest:1"].state is OutboxState.SENDING
        assert [c.status for c in calls] == [403, 403, 200]  # before, at start, after the fix
        assert all(r.state is OutboxState.POSTED for r in rows.values())
        assert len(headlines(world.posts("gazette"), 1)) == 1
        numbers = press_numbers(world.posts("gazette"))
        assert len(numbers) == len(set(numbers))
        [told] = world.posts("gw-admin")  # the notice's row remembers it across the restart
        assert told["embeds"][0]["title"] == "The Gazette is waiting for permissions"


@pytest.mark.parametrize("event", ["GUILD_ROLE_UPDATE", "own member_update"])
async def test_a_role_change_lets_a_held_gazette_through_at_once(
    tmp_path: Path, event: str
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        await _digest_ready(world)
        seen = len(_gazette_calls(world))
        gazette = await _deny_gazette(world)
        await world.service.server.advance_to_next_digest()
        await _held(world, seen)

        # An admin gives the bot's role what it lacked: Discord sends only the role (or the
        # bot's member) update, no CHANNEL_UPDATE. The outbox waits 30 s between tries on its
        # own, longer than this wait: only the bot's wake lets the post through in time.
        state = world.emu.world
        state.channels[gazette].posting_denied = False
        if event == "GUILD_ROLE_UPDATE":
            role = state.roles[world.guild.roles["greatwork"]]
            world.emu.gateway.dispatch(
                event, {"guild_id": str(world.guild.id), "role": state.role_json(role)}
            )
        else:  # Discord sends the bot's own member update without the Server Members intent
            me = state.bot_member(world.guild.id)
            member = {"guild_id": str(world.guild.id), **state.member_json(me)}
            assert world.emu.gateway.dispatch("GUILD_MEMBER_UPDATE", member)
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)), timeout=10)
        rows = await outbox_settled(world, "digest:1")
        world.expected_rejections += _refusals(world)

        assert all(r.state is OutboxState.POSTED for r in rows)
        assert len(world.posts("gw-admin")) == 1


async def test_a_post_discord_finds_malformed_is_marked_failed_and_told_once(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        await _digest_ready(world)
        gazette = world.channel("gazette")
        body = {"message": "Invalid Form Body", "code": 50035}
        world.emu.fail_next("POST", rf"/channels/{gazette}/messages", 400, body)
        world.expected_rejections += 1

        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(world.posts("gw-admin")))
        rows = {r.key: r for r in await outbox_settled(world, "digest:1")}
        await theory(world, "Bo", "After the refusal")  # the next post goes on
        await world.wait_for(
            lambda: any("After the refusal" in text_of(m) for m in world.posts("gazette"))
        )
        logged = world.take_errors(r"Discord refused digest:1 for good")

        assert rows["digest:1"].state is OutboxState.FAILED
        assert "Invalid Form Body" in rows["digest:1"].last_error
        assert len(logged) == 1
        [told] = world.posts("gw-admin")
        assert told["embeds"][0]["title"] == "A Gazette post was refused"
        assert "digest No. 1" in text_of(told)
        assert headlines(world.posts("gazette"), 1) == []


# 8. A restart mid-season ---------------------------------------------------------------------


def rename_channel(world: World, old: str, new: str) -> None:
    """Rename a text channel on the emulator and tell a connected bot (CHANNEL_UPDATE)."""
    channel_id = world.guild.channels.pop(old)
    world.guild.channels[new] = channel_id
    channel = world.emu.world.channels[channel_id]
    channel.name = new
    world.emu.gateway.dispatch("CHANNEL_UPDATE", world.emu.world.channel_json(channel))


async def test_a_restart_mid_season_posts_nothing_twice_and_loses_nothing(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        await theory(world, "Ada", "Bronze Age flight")
        await launch(world, "Ada", "AX-1", "T-1")
        before = {r.key: r for r in await released_posted(world)}
        gazette_id = world.channel("gazette")
        # An admin renames #gazette: digest 1 waits for a channel, the admins are told.
        rename_channel(world, "gazette", "old-news")
        await eventually(
            lambda: getattr(world.bot.get_channel(gazette_id), "name", "") == "old-news",
            "the bot saw #gazette renamed",
        )
        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(world.posts("gw-admin")))
        await theory(world, "Bo", "The harbour was a temple")
        await world.wait_for(lambda: len(echoes(world)) == 3)
        waiting = {r.key for r in await outbox_rows(world)}

        rename_channel(world, "old-news", "gazette")  # while the bot is away
        await world.restart()
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        await outbox_settled(world, "digest:1")
        after = await theory(world, "Ada", "Flight predates the wheel")
        await world.wait_for(lambda: len(echoes(world)) == 4)
        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 2)))
        rows = {r.key: r for r in await outbox_settled(world, "digest:1", "digest:2")}
        await world.service.server.settle()
        rows_again = {r.key: r for r in await outbox_settled(world, "digest:1", "digest:2")}
        texts = ("Bronze Age flight", "The harbour was a temple", "Flight predates the wheel")
        kept = [theories_saying(world, text) for text in texts]

        assert "digest:1" not in waiting
        assert "Flight predates the wheel" in text_of(after.original or {})
        assert kept == [1, 1, 1]  # the journal kept every move, once
        for key, row in before.items():
            assert rows[key] == row  # posted before the stop: untouched, not posted again
        assert rows == rows_again
        assert all(r.state is OutboxState.POSTED for r in rows.values())
        assert [m["embeds"][0]["title"] for m in world.posts("gw-admin")] == ["No #gazette channel"]
        gazette = world.posts("gazette")
        assert len(headlines(gazette, 1)) == len(headlines(gazette, 2)) == 1
        numbers = press_numbers(gazette)
        assert len(numbers) == len(set(numbers))
        posted = [i for r in rows.values() if r.channel_id == gazette_id for i in r.message_ids]
        assert sorted(int(m["id"]) for m in gazette) == sorted(posted)
        assert [m["embeds"][0]["author"]["name"] for m in echoes(world)] == [
            "Ada",
            "Ada",
            "Bo",
            "Ada",
        ]


# 9. Deadlines: 3 seconds for the first answer, 15 minutes for the token -------------------------


def gate_method(
    monkeypatch: pytest.MonkeyPatch, target: object, name: str
) -> tuple[asyncio.Event, asyncio.Event]:
    """Make ``target.name`` wait for a gate before it runs; return (entered, gate)."""
    original: Callable[..., Any] = getattr(target, name)
    entered, gate = asyncio.Event(), asyncio.Event()

    async def slow(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await gate.wait()
        return await original(*args, **kwargs)

    monkeypatch.setattr(target, name, slow)
    return entered, gate


async def test_a_slow_command_is_deferred_in_time_then_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        entered, gate = gate_method(monkeypatch, world.service.server, "execute")
        record = await world.emu.slash(
            world.guild, world.member("Ada"), "submit_theory", theory="Slow", confidence="certain"
        )
        first = await record.first_response(timeout=3)
        thinking = record.final
        # Let the command run well past Discord's 3 seconds before it answers.
        world.emu.advance(10)
        gate.set()
        await record.done()
        await world.wait_for(lambda: len(echoes(world)) == 1)

        assert entered.is_set()
        assert first["type"] == 5  # deferred: "thinking..."
        assert record.latency is not None
        assert 1.0 <= record.latency < 3.0
        assert not thinking
        assert record.original is not None
        assert record.original["embeds"][0]["title"] == "Theory T-1 is on the record"
        assert record.followups == []
        assert theories_saying(world, "Slow") == 1


async def test_an_answer_after_the_token_expired_fails_cleanly_and_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        world.member("Root", admin=True)
        entered, gate = gate_method(monkeypatch, world.service.server, "run_digest")
        record = await world.emu.slash(world.guild, world.member("Root"), "gw_admin run_digest")
        first = await record.first_response(timeout=3)
        await eventually(entered.is_set, "run_digest was called")
        world.emu.advance(TOKEN_LIFE + 1)
        gate.set()
        await eventually(
            lambda: any("could not tell the player" in m for m in error_logs()),
            "the lost answer was logged",
        )
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        status = await world.slash("Ada", "status")
        expired = [r for r in world.emu.rejections if r.code == 50027]
        world.expected_rejections += len(expired)
        logged = take_error_logs(r"gw_admin run_digest")

        assert first["type"] == 5
        assert first["data"]["flags"] == 64  # an admin's answer is private
        assert not record.final
        assert expired
        assert all(r.status == 401 for r in expired)
        assert len(logged) == 2  # the lost answer, then the lost refusal
        assert world.service.server.committed_state(world.campaign_id).last_digest == 1
        assert status.original is not None
        assert status.original["embeds"][0]["color"] == COLOUR_OK
        assert world.errors == []
