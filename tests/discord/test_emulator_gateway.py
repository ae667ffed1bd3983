"""The emulator's Gateway with the real disnake client: resume, RECONNECT, INVALID_SESSION."""

from __future__ import annotations

import disnake
import pytest

from tests.discord.emulator import DiscordEmulator, EmulatorError
from tests.discord.emulator_fixtures import (
    SampleWorld,
    academy,
    running_bot,
    sample_bot,
    start_bot,
)


def received(world: SampleWorld, op: int) -> int:
    return sum(1 for f in world.emu.gateway_log if f.direction == "in" and f.op == op)


def sent(world: SampleWorld, event: str) -> int:
    return sum(1 for f in world.emu.gateway_log if f.direction == "out" and f.event == event)


async def ping_answered(world: SampleWorld) -> None:
    rec = await world.emu.slash(world.guild, world.alice, "ping")
    await rec.done()
    assert rec.original is not None
    assert rec.original["content"] == "pong"


async def test_the_first_connection_identifies_with_zlib_and_gets_every_guild(
    world: SampleWorld,
) -> None:
    assert world.emu.connected
    assert (received(world, 2), received(world, 6)) == (1, 0)
    assert (sent(world, "READY"), sent(world, "GUILD_CREATE")) == (1, 1)
    [url] = world.emu.gateway_urls
    assert url.startswith("/gateway?")
    assert "compress=zlib-stream" in url
    assert received(world, 1) >= 1  # the heartbeat disnake sends right after HELLO


async def test_an_interaction_sent_while_dropped_is_delivered_on_resume(world: SampleWorld) -> None:
    await world.emu.drop_connection(hold=True)
    assert not world.emu.connected

    rec = await world.emu.slash(world.guild, world.alice, "ping")
    world.emu.release_gateway()
    await rec.done()

    assert (received(world, 2), received(world, 6)) == (1, 1)
    assert world.emu.gateway_urls[-1].startswith("/gateway/resume?")
    [delivery] = [f for f in world.emu.gateway_log if f.event == "INTERACTION_CREATE"]
    assert delivery.replayed
    assert sent(world, "RESUMED") == 1
    assert world.bot.seen == ["ping"]
    assert rec.original is not None
    assert rec.original["content"] == "pong"


async def test_a_drop_is_resumed_at_once_without_hold(world: SampleWorld) -> None:
    await world.emu.drop_connection()

    await world.emu.wait_for(lambda: world.emu.connected and sent(world, "RESUMED"))

    await ping_answered(world)
    assert received(world, 2) == 1


async def test_op_7_reconnect_is_resumed(world: SampleWorld) -> None:
    await world.emu.send_reconnect()

    await world.emu.wait_for(lambda: sent(world, "RESUMED"))

    await ping_answered(world)
    assert (received(world, 2), received(world, 6)) == (1, 1)


async def test_op_9_not_resumable_makes_the_bot_identify_again(world: SampleWorld) -> None:
    await world.emu.invalidate_session(resumable=False)

    await world.emu.wait_for(lambda: sent(world, "READY") == 2 and world.emu.connected)

    await ping_answered(world)
    assert received(world, 6) == 0
    assert sent(world, "GUILD_CREATE") == 2
    assert world.bot.get_guild(world.guild.id) is not None


async def test_op_9_resumable_is_resumed(world: SampleWorld) -> None:
    await world.emu.invalidate_session(resumable=True)

    await world.emu.wait_for(lambda: sent(world, "RESUMED"))

    await ping_answered(world)
    assert received(world, 2) == 1


async def test_gateway_controls_refuse_when_no_bot_is_connected(live: DiscordEmulator) -> None:
    guild, alice, _ = academy(live)

    with pytest.raises(EmulatorError, match="no bot has identified"):
        await live.slash(guild, alice, "ping")
    with pytest.raises(EmulatorError, match="no bot has identified"):
        await live.slash_dm(alice, "ping")
    with pytest.raises(EmulatorError, match="no bot is connected"):
        await live.send_reconnect()


async def test_a_guild_added_later_reaches_the_bot_before_its_interactions(
    world: SampleWorld,
) -> None:
    second = world.emu.add_guild("Second academy", channels=("orders",))
    carol = world.emu.add_member(second, world.alice)

    rec = await world.emu.slash(second, carol, "ping")
    await rec.done()

    assert world.bot.get_guild(second.id) is not None
    assert carol.id == world.alice.id
    assert rec.payload["guild_id"] == str(second.id)


async def test_plain_text_frames_without_zlib(live: DiscordEmulator) -> None:
    guild, alice, _ = academy(live)
    bot = sample_bot(gateway_params=disnake.GatewayParams(zlib=False))
    async with running_bot(live, bot) as run:
        rec = await live.slash(guild, alice, "ping")
        await rec.done()

    assert run.errors == []
    assert "compress" not in live.gateway_urls[0]


async def test_privileged_intents_are_refused_when_not_enabled(live: DiscordEmulator) -> None:
    live.allow_privileged_intents = False

    with pytest.raises(disnake.PrivilegedIntentsRequired):
        await start_bot(live, sample_bot(intents=disnake.Intents.all()))


async def test_a_wrong_token_fails_login(live: DiscordEmulator) -> None:
    with pytest.raises(disnake.LoginFailure):
        await start_bot(live, sample_bot(), token="stolen")  # noqa: S106 (a wrong fake token)

    assert [(r.path, r.status) for r in live.rejections] == [("/users/@me", 401)]


async def test_with_the_members_intent_a_new_member_reaches_the_bot(
    world: SampleWorld,
) -> None:
    await world.bot.close()
    intents = disnake.Intents.default() | disnake.Intents(members=True)
    async with running_bot(world.emu, sample_bot(intents=intents)) as run:
        carol = world.emu.add_member(world.guild, "Carol", roles=("Archivist",))
        rec = await world.emu.slash(world.guild, carol, "ping")
        await rec.done()
        guild = run.bot.get_guild(world.guild.id)
        assert guild is not None
        member = guild.get_member(carol.id)
        assert run.errors == []

    assert member is not None
    assert [r.name for r in member.roles] == ["@everyone", "Archivist"]
    assert sent(world, "GUILD_MEMBER_ADD") == 1
    assert received(world, 8) == 0  # GUILD_CREATE held every member: nothing to request


async def test_a_malformed_dispatch_is_recorded_as_a_gateway_error(world: SampleWorld) -> None:
    role = {"id": "1", "name": "no colours"}  # disnake 2.12 needs "colors" on a role

    world.emu.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(world.guild.id), "role": role})
    await world.emu.wait_for(lambda: world.run.errors)

    [error] = world.take_errors()
    assert error.startswith("gateway GUILD_ROLE_CREATE: KeyError('colors')")


async def test_without_the_members_intent_only_the_bots_own_member_update_goes_out(
    world: SampleWorld,
) -> None:
    state = world.emu.world
    guild_id = str(world.guild.id)
    alice = state.guilds[world.guild.id].members[world.alice.id]
    mine = {"guild_id": guild_id, **state.member_json(state.bot_member(world.guild.id))}
    theirs = {"guild_id": guild_id, **state.member_json(alice)}

    assert not world.emu.gateway.dispatch("GUILD_MEMBER_UPDATE", theirs)
    assert world.emu.gateway.dispatch("GUILD_MEMBER_UPDATE", mine)
    await world.emu.wait_for(lambda: sent(world, "GUILD_MEMBER_UPDATE") == 1)
    await ping_answered(world)  # the bot parsed it and goes on
    assert world.run.errors == []
