"""The emulator driven by the real disnake client: sync, commands, responses, deadlines, 429s."""

from __future__ import annotations

import aiohttp
import disnake
import pytest
from disnake.http import Route

from tests.discord.emulator import DiscordEmulator, EmulatorError
from tests.discord.emulator_fixtures import (
    SampleWorld,
    academy,
    running_bot,
    sample_bot,
)


def gateway_interactions(world: SampleWorld) -> int:
    return sum(1 for f in world.emu.gateway_log if f.event == "INTERACTION_CREATE")


# Start-up and sync -----------------------------------------------------------------------------


async def test_start_up_logs_in_and_syncs_the_commands_once(world: SampleWorld) -> None:
    app = world.emu.application_id
    steps = [(c.method, c.path) for c in world.emu.calls]

    assert steps == [
        ("GET", "/users/@me"),
        ("GET", "/gateway/bot"),
        ("GET", "/oauth2/applications/@me"),
        ("GET", f"/applications/{app}/commands"),
        ("PUT", f"/applications/{app}/commands"),
    ]
    names = {c["name"] for c in world.emu.commands()}
    assert names == {"theory", "admin", "wait", "recruit", "announce", "ping", "where", "local"}
    assert world.bot.get_guild(world.guild.id) is not None
    assert world.emu.api_base == Route.BASE


async def test_a_second_start_finds_the_commands_in_sync_and_sends_no_put(
    world: SampleWorld,
) -> None:
    await world.bot.close()
    seen = len(world.emu.calls)

    async with running_bot(world.emu, sample_bot()) as again:
        rec = await world.emu.slash(world.guild, world.alice, "ping")
        await rec.done()
        assert again.errors == []

    methods = [c.method for c in world.emu.calls[seen:]]
    assert "PUT" not in methods
    assert rec.callback == {"type": 4, "data": {"tts": False, "content": "pong"}}


async def test_guild_commands_are_registered_per_guild_and_invoked_with_their_ids(
    live: DiscordEmulator,
) -> None:
    guild, alice, _ = academy(live)
    async with running_bot(live, sample_bot(test_guilds=[guild.id])) as run:
        rec = await live.slash(guild, alice, "ping")
        await rec.done()
        with pytest.raises(EmulatorError, match="no command /ping is registered globally"):
            await live.slash_dm(alice, "ping")  # a DM offers global commands only
    puts = [c.path for c in live.calls if c.method == "PUT"]
    [ping] = [c for c in live.commands(guild) if c["name"] == "ping"]

    assert run.errors == []
    assert puts == [f"/applications/{live.application_id}/guilds/{guild.id}/commands"]
    assert live.commands() == []
    assert rec.payload["data"]["id"] == ping["id"]
    assert rec.payload["data"]["guild_id"] == str(guild.id)
    assert rec.callback is not None
    assert rec.callback["data"]["content"] == "pong"


# Slash commands --------------------------------------------------------------------------------


async def test_a_command_with_options_and_choices_is_answered(world: SampleWorld) -> None:
    rec = await world.emu.slash(
        world.guild,
        world.alice,
        "theory",
        text="Bronze Age flight",
        confidence="certain",
        stake=3,
        rival=world.bob,
    )

    response = await rec.first_response()

    assert response["type"] == 4
    [embed] = response["data"]["embeds"]
    assert embed["description"] == "Bronze Age flight"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {"Confidence": "certain", "Stake": "3", "Rival": "Bob"}
    assert rec.payload["data"]["resolved"]["users"][str(world.bob.id)]["username"] == "Bob"
    assert rec.ephemeral is False
    assert rec.latency is not None
    assert 0 < rec.latency < 1
    assert world.emu.messages(world.guild.channels["orders"]) == [rec.original]
    assert rec.original is not None
    assert rec.original["interaction_metadata"]["name"] == "theory"


@pytest.mark.parametrize(
    ("command", "options", "reason"),
    [
        ("unknown", {}, "no command /unknown"),
        ("theory", {"text": "x", "confidence": "certain", "colour": "red"}, "unknown option"),
        ("theory", {"confidence": "certain"}, "required option 'text' is missing"),
        ("theory", {"text": "x", "confidence": "sure"}, "'sure' is not a choice"),
        ("theory", {"text": "x", "confidence": "certain", "stake": 11}, "takes 1 to 10"),
        ("theory", {"text": 5, "confidence": "certain"}, "takes text"),
        ("admin", {}, "needs a sub-command"),
        ("admin game stop", {}, "no sub-command 'stop'"),
        ("admin game pause", {"reason": "x", "until": "y"}, "unknown option"),
    ],
)
async def test_what_the_discord_client_would_not_send_is_refused(
    world: SampleWorld, command: str, options: dict[str, object], reason: str
) -> None:
    with pytest.raises(EmulatorError, match=reason):
        await world.emu.invoke(world.guild, world.boss, command, options)

    assert gateway_interactions(world) == 0


async def test_a_sub_command_in_a_group_is_answered_ephemerally(world: SampleWorld) -> None:
    rec = await world.emu.slash(world.guild, world.boss, "admin game pause", reason="maintenance")

    await rec.done()

    assert rec.name == "admin game pause"
    assert rec.ephemeral is True
    assert rec.original is not None
    assert rec.original["content"] == "Paused: maintenance"
    assert world.emu.messages(world.guild.channels["orders"]) == []
    [group] = rec.payload["data"]["options"]
    assert (group["name"], group["type"]) == ("game", 2)
    assert group["options"][0]["options"] == [{"name": "reason", "type": 3, "value": "maintenance"}]


async def test_default_member_permissions_hide_a_command_unless_disabled(
    world: SampleWorld,
) -> None:
    with pytest.raises(EmulatorError, match="does not offer /admin to 'Alice'"):
        await world.emu.slash(world.guild, world.alice, "admin status")
    world.emu.enforce_default_member_permissions = False

    rec = await world.emu.slash(world.guild, world.alice, "admin status")

    await rec.done()
    assert rec.original is not None
    assert rec.original["content"] == "All well"
    assert rec.payload["member"]["permissions"] != rec.payload["app_permissions"]


# Direct messages -----------------------------------------------------------------------------


async def test_a_command_in_a_dm_reaches_disnake_from_a_user_in_a_dm_channel(
    world: SampleWorld,
) -> None:
    in_dm = await world.emu.slash_dm(world.alice, "where")
    in_guild = await world.emu.slash(world.guild, world.alice, "where")
    await in_dm.done()
    await in_guild.done()

    assert in_dm.in_dm
    assert not in_guild.in_dm
    assert in_dm.original is not None
    assert in_dm.original["content"] == "User in DMChannel, no guild"
    assert in_guild.original is not None
    assert in_guild.original["content"] == f"Member in TextChannel, guild {world.guild.id}"
    assert world.emu.messages(world.emu.dm_channel(world.alice)) == [in_dm.original]
    assert "guild_id" not in in_dm.original
    assert world.emu.messages(world.guild.channels["orders"]) == [in_guild.original]


async def test_a_dm_offers_what_discord_offers_there(world: SampleWorld) -> None:
    # In a guild /admin needs Manage Server; in a DM member permissions do not apply.
    status = await world.emu.slash_dm(world.alice, "admin status")
    await status.done()

    with pytest.raises(EmulatorError, match=r"/local in a DM with the bot: its contexts are \[0\]"):
        await world.emu.slash_dm(world.alice, "local")
    with pytest.raises(EmulatorError, match="option 'channel' needs a guild"):
        await world.emu.slash_dm(world.alice, "announce", channel="orders", text="hello")
    assert status.original is not None
    assert status.original["content"] == "All well"
    assert status.ephemeral
    assert world.emu.messages(world.emu.dm_channel(world.alice)) == []  # ephemeral: not shown


# Deferring, followups, autocomplete, channel posts -----------------------------------------------


async def test_defer_then_edit_is_final_only_after_the_edit(world: SampleWorld) -> None:
    rec = await world.emu.slash(world.guild, world.alice, "wait", mode="defer")

    first = await rec.first_response()
    loading = rec.final
    world.bot.gate.set()
    await rec.done()

    assert first["type"] == 5
    assert loading is False
    assert rec.original is not None
    assert rec.original["content"] == "finished"
    assert rec.original["flags"] == 0
    assert rec.original["edited_timestamp"] is not None
    assert rec.messages == [rec.original]


async def test_the_first_followup_after_a_defer_replaces_the_thinking_message(
    world: SampleWorld,
) -> None:
    rec = await world.emu.slash(world.guild, world.alice, "wait", mode="followup")
    await rec.first_response()
    world.bot.gate.set()

    await rec.done()

    assert rec.original is not None
    assert rec.original["content"] == "followed up"
    assert rec.followups == []
    assert world.emu.messages(world.guild.channels["orders"]) == [rec.original]


async def test_autocomplete_returns_the_bots_choices(world: SampleWorld) -> None:
    choices = await world.emu.autocomplete(
        world.guild, world.alice, "recruit", focused="scholar", value="ir", faction="guild"
    )

    assert choices == [
        {"name": "Ironside", "value": "Ironside"},
        {"name": "Irving", "value": "Irving"},
    ]


async def test_autocomplete_refuses_an_option_that_does_not_autocomplete(
    world: SampleWorld,
) -> None:
    with pytest.raises(EmulatorError, match="'faction' does not autocomplete"):
        await world.emu.autocomplete(
            world.guild, world.alice, "recruit", focused="faction", value="g"
        )


async def test_a_post_to_a_channel_is_stored_there_and_pings_nobody(world: SampleWorld) -> None:
    gazette = world.guild.channels["gazette"]

    rec = await world.emu.slash(
        world.guild, world.alice, "announce", channel="gazette", text="@everyone **read**"
    )
    await rec.done()

    [post] = world.emu.messages(gazette)
    assert post["content"] == "@everyone **read**"
    assert (post["mention_everyone"], post["mentions"], post["mention_roles"]) == (False, [], [])
    assert rec.ephemeral is True
    assert rec.payload["data"]["resolved"]["channels"][str(gazette)]["name"] == "gazette"


async def test_a_post_allowing_mentions_pings_everyone(world: SampleWorld) -> None:
    rec = await world.emu.slash(
        world.guild, world.alice, "announce", channel="gazette", text="@everyone", quiet=False
    )
    await rec.done()

    [post] = world.emu.messages(world.guild.channels["gazette"])
    assert post["mention_everyone"] is True


# Discord's deadlines ---------------------------------------------------------------------------


async def test_a_first_response_after_three_seconds_is_unknown_interaction(
    world: SampleWorld,
) -> None:
    rec = await world.emu.slash(world.guild, world.alice, "wait", mode="reply")
    world.emu.advance(3.1)
    world.bot.gate.set()

    await world.emu.wait_for(lambda: world.run.errors)

    assert rec.callback is None
    [rejection] = world.take_rejections()
    assert (rejection.status, rejection.code) == (404, 10062)
    [error] = world.take_errors()
    assert "InteractionTimedOut" in error  # disnake's name for a 10062 answer


async def test_the_token_dies_after_fifteen_minutes(world: SampleWorld) -> None:
    rec = await world.emu.slash(world.guild, world.alice, "wait", mode="defer")
    await rec.first_response()
    world.emu.advance(15 * 60 + 1)
    world.bot.gate.set()

    await world.emu.wait_for(lambda: world.run.errors)

    assert rec.final is False
    [rejection] = world.take_rejections()
    assert (rejection.method, rejection.status, rejection.code) == ("PATCH", 401, 50027)
    assert rejection.path.endswith("/messages/@original")
    [error] = world.take_errors()
    assert "50027" in error


async def test_a_second_initial_response_is_already_acknowledged(world: SampleWorld) -> None:
    rec = await world.emu.slash(world.guild, world.alice, "ping")
    await rec.done()
    url = f"{world.emu.api_base}/interactions/{rec.id}/{rec.token}/callback"

    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"type": 4, "data": {"content": "again"}}) as response,
    ):
        body = await response.json(content_type="application/json")

    assert (response.status, body["code"]) == (400, 40060)
    assert world.take_rejections()[0].message == "Interaction has already been acknowledged."
    assert rec.callback is not None
    assert rec.callback["data"]["content"] == "pong"


# Errors and retries through disnake ------------------------------------------------------------


async def test_a_429_is_retried_by_disnake_and_the_message_posted_once(
    world: SampleWorld,
) -> None:
    gazette = world.guild.channels["gazette"]
    world.emu.rate_limit_next("POST", rf"^/channels/{gazette}/messages$", retry_after=0.05)

    rec = await world.emu.slash(world.guild, world.alice, "announce", channel=gazette, text="hi")
    await rec.done()

    posts = [c.status for c in world.emu.calls if c.path == f"/channels/{gazette}/messages"]
    assert posts == [429, 200]
    assert [m["content"] for m in world.emu.messages(gazette)] == ["hi"]
    assert [r.status for r in world.take_rejections()] == [429]


async def test_an_enforced_nonce_through_disnake_posts_once(world: SampleWorld) -> None:
    gazette = world.guild.channels["gazette"]
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=gazette)
    body = {"content": "Digest 12", "nonce": "gw-digest-12", "enforce_nonce": True}

    first = await world.bot.http.request(route, json=body)
    second = await world.bot.http.request(route, json=body)

    assert second["id"] == first["id"]
    assert len(world.emu.messages(gazette)) == 1


async def test_disnake_sees_discords_errors(world: SampleWorld) -> None:
    channel = world.bot.get_channel(world.guild.channels["orders"])
    assert isinstance(channel, disnake.TextChannel)
    world.emu.deny_posting(world.guild.channels["table-talk"])
    denied = world.bot.get_channel(world.guild.channels["table-talk"])
    assert isinstance(denied, disnake.TextChannel)

    with pytest.raises(disnake.HTTPException) as too_long:
        await channel.send("x" * 2001)
    with pytest.raises(disnake.NotFound) as unknown:
        await world.bot.http.send_message(4242, "lost")
    with pytest.raises(disnake.Forbidden) as forbidden:
        await denied.send("nope")

    assert (too_long.value.status, too_long.value.code) == (400, 50035)
    assert unknown.value.code == 10003
    assert forbidden.value.code == 50013
    assert not denied.permissions_for(denied.guild.me).send_messages
    assert [r.code for r in world.take_rejections()] == [50035, 10003, 50013]
