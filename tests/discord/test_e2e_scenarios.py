"""Scenarios through the real disnake client: admins, a full round, mentions, setup, autocomplete.

Each test starts the production wiring (:class:`greatwork.serve.Service`) in front of the
loopback Discord with :func:`~tests.discord.world.running_world`, plays through injected slash
commands, and reads back what Discord would show. Commands are used in #general, the guild's
first channel, so #orders holds only the bot's echoes of public moves. The helpers at the top
are shared with ``test_e2e_faults.py``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, Final

import pytest

from greatwork.bot.render import COLOUR_ERROR, COLOUR_OK
from greatwork.store import OutboxRow, OutboxState
from tests.discord.emulator import EmulatorError, Member
from tests.discord.world import LogRecorder, World, running_world, text_of

CHANNELS: Final = ("general", "orders", "gazette", "table-talk", "gw-admin")
"""The default channels plus #general first: commands are used there, not in #orders."""
SEED: Final = 42
"""The seed of ``tests/play/scripts``: scholars ``zathras``, ``proc-004``... exist."""
_POLL: Final = 0.01  # seconds between two looks at the journal (it wakes no emulator waiter)


# Shared helpers ------------------------------------------------------------------------------


async def eventually(
    check: Callable[[], bool | Awaitable[bool]],
    what: str,
    timeout: float = 10.0,  # noqa: ASYNC109 (one deadline for the whole poll)
) -> None:
    """Poll ``check`` (plain or async) until it holds; fail with ``what`` after ``timeout`` s.

    For what the emulator's ``wait_for`` cannot see: the journal, the logs, a test's events.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if await result if inspect.isawaitable(result) else result:
            return
        if loop.time() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        await asyncio.sleep(_POLL)


async def outbox_rows(world: World) -> list[OutboxRow]:
    """The campaign's Gazette outbox rows, in release order."""
    store = world.service.server.store
    assert store is not None
    return await store.outbox_rows(world.campaign_id)


async def outbox_settled(world: World, *keys: str) -> list[OutboxRow]:
    """Wait until ``keys`` have rows and no row is still sending; return the rows."""

    async def settled() -> bool:
        rows = {r.key: r for r in await outbox_rows(world)}
        return all(k in rows for k in keys) and all(
            r.state is not OutboxState.SENDING for r in rows.values()
        )

    await eventually(settled, f"the outbox rows {keys} finished, none still sending")
    return await outbox_rows(world)


async def released_posted(world: World) -> list[OutboxRow]:
    """Wait until the bot posted every press item released so far, and no post is half sent.

    A press item is posted when its number is in the footer of one of the bot's channel
    posts (alone, grouped with others, or in a digest); returns the outbox rows then.
    """
    released = {item.id for item in await world.service.server.press(world.campaign_id, limit=1000)}

    async def posted() -> bool:
        shown = set(press_numbers(channel_posts(world)))
        rows = await outbox_rows(world)
        return released <= shown and all(r.state is not OutboxState.SENDING for r in rows)

    await eventually(posted, f"press items {sorted(released)} posted")
    return await outbox_rows(world)


def channel_posts(world: World) -> list[dict[str, Any]]:
    """The bot's own posts in channels (not its answers to interactions)."""
    return [m for m in bot_messages(world) if "interaction_metadata" not in m]


def bot_messages(world: World) -> list[dict[str, Any]]:
    """Every message the bot sent that still exists, ephemeral answers included."""
    bot_id = str(world.emu.bot_user_id)
    return [m for m in world.emu.store.by_id.values() if m["author"]["id"] == bot_id]


def echoes(world: World) -> list[dict[str, Any]]:
    """The bot's own posts in #orders (not interaction answers)."""
    return [m for m in world.posts("orders") if "interaction_metadata" not in m]


def press_numbers(messages: Iterable[dict[str, Any]]) -> list[int]:
    """The press item numbers in the footers (``No. 12 · Academic Gossip``), in order."""
    found: list[int] = []
    for message in messages:
        for embed in message.get("embeds") or []:
            match = re.match(r"No\. (\d+) · ", embed.get("footer", {}).get("text", ""))
            if match:
                found.append(int(match.group(1)))
    return found


def headlines(messages: Iterable[dict[str, Any]], number: int) -> list[dict[str, Any]]:
    """The headline messages of digest ``number``."""
    wanted = f"Digest No. {number}"
    return [m for m in messages if m["embeds"] and wanted in m["embeds"][0].get("title", "")]


def after_headline(messages: list[dict[str, Any]], number: int) -> list[dict[str, Any]]:
    """The messages that follow digest ``number``'s headline, up to the next digest."""
    [head] = headlines(messages, number)
    rest = messages[messages.index(head) + 1 :]
    nxt = headlines(rest, number + 1)
    return rest[: rest.index(nxt[0])] if nxt else rest


def story_count(headline: dict[str, Any]) -> int:
    """How many stories the headline announces (``3 stories in this issue.``)."""
    match = re.search(r"(\d+) stor(?:y|ies) in this issue", text_of(headline))
    return int(match.group(1)) if match else 0


def _recorder() -> LogRecorder:
    """The log recorder of the running world (``running_world`` puts it on ``greatwork``)."""
    for handler in logging.getLogger("greatwork").handlers:
        if isinstance(handler, LogRecorder):
            return handler
    pytest.fail("running_world's log recorder is not on the greatwork logger")


def error_logs() -> list[str]:
    """The unclaimed greatwork ERROR logs: as :meth:`World.logged_errors`, without the world.

    Kept for ``test_e2e_faults.py``; new tests use the world's method.
    """
    return _recorder().errors()


def take_error_logs(pattern: str) -> list[str]:
    """Claim greatwork ERROR logs: :meth:`World.take_errors`, without the world.

    Kept for ``test_e2e_faults.py``; new tests use the world's method.
    """
    return _recorder().take(pattern)


async def launch(world: World, who: str, code: str, theory: str) -> None:
    """Launch a think-tank expedition citing ``theory`` (it resolves at the next digest)."""
    record = await world.slash(
        who,
        "launch_expedition",
        code=code,
        objective=f"Test {theory}",
        expedition_type="think_tank",
        confidence="suspect",
        theory=theory,
    )
    assert record.original is not None
    assert record.original["embeds"][0]["color"] == COLOUR_OK, text_of(record.original)


def join(world: World, name: str, *, roles: tuple[str, ...] = ()) -> Member:
    """A member with roles (``world.member`` only knows the Admin role)."""
    member = world.emu.add_member(world.guild, name, roles=roles)
    world.members[name] = member
    return member


def is_refusal(answer: dict[str, Any] | None, *words: str) -> bool:
    """Whether an answer is a red refusal whose text holds every one of ``words``."""
    if answer is None:
        return False
    text = text_of(answer)
    return answer["embeds"][0]["color"] == COLOUR_ERROR and all(w in text for w in words)


# 0. The harness -------------------------------------------------------------------------------


async def test_an_error_log_a_test_claims_passes_the_exit_check_and_the_rest_fail_it(
    tmp_path: Path,
) -> None:
    log = logging.getLogger("greatwork.e2e")
    seen: dict[str, list[str]] = {}

    async def play() -> None:
        async with running_world(tmp_path) as world:
            log.error("provoked on purpose")
            log.warning("provoked on purpose, but only a warning")
            log.error("left for the exit check")
            seen["taken"] = world.take_errors(r"on purpose")
            seen["again"] = world.take_errors(r"on purpose")
            seen["remaining"] = world.logged_errors()

    with pytest.raises(AssertionError, match="left for the exit check") as failed:
        await play()

    assert seen == {
        "taken": ["provoked on purpose"],
        "again": [],
        "remaining": ["greatwork.e2e: left for the exit check"],
    }
    assert "provoked on purpose" not in str(failed.value)


# 1. Admin subcommands --------------------------------------------------------------------------


async def test_an_admin_subcommand_is_hidden_then_refused_on_the_server(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        [group] = [c for c in world.emu.commands() if c["name"] == "gw_admin"]
        assert group["default_member_permissions"] == "8"  # Administrator
        before = world.service.server.committed_state(world.campaign_id)

        with pytest.raises(EmulatorError, match="does not offer /gw_admin to 'Bo'"):
            await world.slash("Bo", "gw_admin pause_game", reason="a coup")
        # A server can grant the command to everyone in its settings; the bot checks anyway.
        world.emu.enforce_default_member_permissions = False
        pause = await world.slash("Bo", "gw_admin pause_game", reason="a coup")
        setup = await world.slash("Bo", "gw_admin setup", gazette="general")

        assert pause.ephemeral
        assert is_refusal(pause.original, "/gw_admin pause_game is for admins only")
        assert setup.ephemeral
        assert is_refusal(setup.original, "/gw_admin setup is for admins only")
        after = world.service.server.committed_state(world.campaign_id)
        assert not after.paused
        assert after.seq == before.seq
        assert world.service.channels is not None
        assert world.service.channels.configured(world.guild.id) == {}
        assert echoes(world) == []


async def test_the_admin_role_and_the_administrator_permission_are_admins(
    tmp_path: Path,
) -> None:
    async with running_world(
        tmp_path, seed=SEED, channels=CHANNELS, settings={"admin_role": "Archivist"}
    ) as world:
        join(world, "Cleo", roles=("Archivist",))
        join(world, "Dan", roles=("Librarian",))
        world.member("Root", admin=True)
        # The guild granted /gw_admin to the Archivist role in its integration settings.
        world.emu.enforce_default_member_permissions = False

        refused = await world.slash("Dan", "gw_admin pause_game", reason="not mine to pause")
        paused = await world.slash("Cleo", "gw_admin pause_game", reason="Moving the server")
        state = world.service.server.committed_state(world.campaign_id)
        assert state.pause is not None
        reason = state.pause.reason
        resumed = await world.slash("Root", "gw_admin resume_game")

        assert is_refusal(refused.original, "for admins only")
        assert paused.original is not None
        assert paused.original["embeds"][0]["color"] == COLOUR_OK
        assert reason == "Moving the server"
        assert resumed.original is not None
        assert resumed.original["embeds"][0]["color"] == COLOUR_OK
        assert not world.service.server.committed_state(world.campaign_id).paused


# 2. A full round ------------------------------------------------------------------------------


async def test_a_full_round_is_answered_echoed_and_printed_once(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        initial = await released_posted(world)
        theory = await world.slash(
            "Ada", "submit_theory", theory="Bronze Age flight", confidence="certain"
        )
        expedition = await world.slash(
            "Ada",
            "launch_expedition",
            code="AX-1",
            objective="Find the bronze wing",
            expedition_type="think_tank",
            confidence="suspect",
            theory="T-1",
        )
        recruit = await world.slash("Bo", "recruit", scholar_id="proc-004", faction="academia")
        moves = (theory, expedition, recruit)
        await world.wait_for(lambda: len(echoes(world)) == len(moves))

        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        rows = await outbox_settled(world, "digest:1")
        # A second look, after the server and the outbox have nothing left to do.
        await world.service.server.settle()
        rows_again = await outbox_settled(world, "digest:1")
        gazette = world.posts("gazette")

        for record, title in zip(
            moves,
            ("Theory T-1 is on the record", "Expedition AX-1 launched", "joins"),
            strict=True,
        ):
            assert record.callback is not None
            assert record.callback["type"] == 4
            assert not record.ephemeral
            assert record.original is not None
            assert record.original["embeds"][0]["color"] == COLOUR_OK
            assert title in record.original["embeds"][0]["title"]
        orders = echoes(world)
        assert [m["embeds"][0]["footer"]["text"] for m in orders] == [
            "/submit_theory",
            "/launch_expedition",
            "/recruit",
        ]
        assert [m["embeds"][0]["author"]["name"] for m in orders] == ["Ada", "Ada", "Bo"]
        assert [m["embeds"][0]["title"] for m in orders] == [
            r.original["embeds"][0]["title"] for r in moves if r.original is not None
        ]

        [head] = headlines(gazette, 1)
        assert head["embeds"][0]["title"].startswith("The Great Work Gazette · Digest No. 1")
        stories = after_headline(gazette, 1)
        assert sum(len(m["embeds"]) for m in stories) == story_count(head) > 0
        assert "AX-1" in "\n".join(text_of(m) for m in stories)
        printed = "\n".join(text_of(m) for m in gazette)
        assert "Bronze Age flight" in printed
        numbers = press_numbers(gazette)
        assert len(numbers) == len(set(numbers))
        assert numbers == sorted(numbers)
        assert rows == rows_again
        assert len(rows) > len(initial)
        assert all(r.state is OutboxState.POSTED for r in rows)
        posted = [i for r in rows for i in r.message_ids]
        assert len(posted) == len(set(posted))
        assert sorted(int(m["id"]) for m in gazette) == sorted(posted)
        assert all(r.attempts == 1 for r in rows)


async def test_a_move_made_in_orders_is_not_echoed_beside_its_own_answer(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED) as world:  # #orders is the first channel
        in_orders = await world.slash(
            "Ada", "submit_theory", theory="Bronze Age flight", confidence="certain"
        )
        await world.slash(
            "Ada",
            "submit_theory",
            channel="gazette",
            theory="The harbour was a temple",
            confidence="suspect",
        )
        # The second move's echo comes after the first one's would have.
        await world.wait_for(lambda: any("T-2" in text_of(m) for m in echoes(world)))
        await world.service.server.settle()

        assert in_orders.original is not None
        first = in_orders.original["embeds"][0]["title"]
        shown = [m for m in world.posts("orders") if m["embeds"][0]["title"] == first]
        assert shown == [in_orders.original]


# 5. Player text pings nobody ----------------------------------------------------------------


async def test_player_text_with_mentions_and_markdown_pings_nobody(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        bo = world.member("Bo")
        role = world.emu.world.add_role(world.guild, "Scholars")
        role.mentionable = True
        ping = f"@everyone @here <@{bo.id}> <@&{role.id}> **bold** `code` [link](http://x)"
        nickname = f"@here <@{bo.id}> **Oracle**"

        theory = await world.slash("Ada", "submit_theory", theory=ping, confidence="certain")
        talk = await world.slash("Ada", "table_talk", message=ping)
        nick = await world.slash("Ada", "set_nickname", scholar_id="zathras", nickname=nickname)
        await world.wait_for(lambda: len(echoes(world)) == 2)
        await world.wait_for(lambda: any(ping in text_of(m) for m in world.posts("table-talk")))
        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(headlines(world.posts("gazette"), 1)))
        await outbox_settled(world, "digest:1")

        for record in (theory, talk, nick):
            assert record.original is not None
            assert record.original["embeds"][0]["color"] == COLOUR_OK
        sent = bot_messages(world)
        carrying = [m for m in sent if ping in text_of(m) or nickname in text_of(m)]
        where = {m["channel_id"] for m in carrying}
        assert {world.channel(c) for c in ("general", "orders", "table-talk", "gazette")} <= {
            int(c) for c in where
        }
        assert any(m["flags"] & 64 for m in carrying)  # the ephemeral table-talk answer
        for message in sent:
            assert message["mention_everyone"] is False, text_of(message)
            assert message["mentions"] == [], text_of(message)
            assert message["mention_roles"] == [], text_of(message)
        # Whatever a message holds, the bot asked Discord to parse no mention at all.
        writes = [
            (c.json.get("data") if c.path.endswith("/callback") else c.json)
            for c in world.emu.calls
            if c.method in {"POST", "PATCH"} and isinstance(c.json, dict)
        ]
        bodies = [w for w in writes if isinstance(w, dict) and ("embeds" in w or "content" in w)]
        assert bodies
        for body in bodies:
            allowed = body.get("allowed_mentions") or {}
            assert allowed.get("parse") == [], body
            assert not allowed.get("users")
            assert not allowed.get("roles")


# 6. Channels: /gw_admin setup and missing channels ---------------------------------------------


async def test_setup_shows_the_channels_and_moves_the_gazette(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=(*CHANNELS, "news")) as world:
        world.member("Root", admin=True)
        shown = await world.slash("Root", "gw_admin setup")
        before = await released_posted(world)
        moved = await world.slash("Root", "gw_admin setup", gazette="news")
        await world.slash(
            "Ada", "submit_theory", theory="Flight predates the wheel", confidence="certain"
        )
        await launch(world, "Ada", "AX-1", "T-1")
        await world.service.server.advance_to_next_digest()
        await world.wait_for(lambda: bool(headlines(world.posts("news"), 1)))
        await outbox_settled(world, "digest:1")
        store = world.service.server.store
        assert store is not None
        journaled = await store.channels(world.campaign_id)

        assert shown.ephemeral
        assert shown.original is not None
        fields = {f["name"]: f["value"] for f in shown.original["embeds"][0]["fields"]}
        assert fields == {
            "Gazette (digests)": f"<#{world.channel('gazette')}> (found by its name #gazette)",
            "Orders (public moves)": f"<#{world.channel('orders')}> (found by its name #orders)",
            "Table talk": f"<#{world.channel('table-talk')}> (found by its name #table-talk)",
            "Admin notices": f"<#{world.channel('gw-admin')}> (found by its name #gw-admin)",
        }
        assert moved.original is not None
        assert moved.original["embeds"][0]["title"] == "Channels updated"
        moved_fields = {f["name"]: f["value"] for f in moved.original["embeds"][0]["fields"]}
        assert (
            moved_fields["Gazette (digests)"] == f"<#{world.channel('news')}> (chosen with setup)"
        )
        assert [(r.role, r.channel_id) for r in journaled] == [("gazette", world.channel("news"))]
        assert headlines(world.posts("gazette"), 1) == []
        assert len(world.posts("gazette")) == sum(len(r.message_ids) for r in before)
        news = world.posts("news")
        assert "Flight predates the wheel" in "\n".join(text_of(m) for m in news)
        [head] = headlines(news, 1)
        assert sum(len(m["embeds"]) for m in after_headline(news, 1)) == story_count(head) > 0


async def test_table_talk_without_its_channel_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    channels = tuple(c for c in CHANNELS if c != "table-talk")
    async with running_world(tmp_path, seed=SEED, channels=channels) as world:
        before = world.service.server.committed_state(world.campaign_id)
        press_before = await world.service.server.press(world.campaign_id, limit=100)

        record = await world.slash("Ada", "table_talk", message="Is anyone listening?")

        assert record.ephemeral
        assert is_refusal(
            record.original, "No table-talk channel", "#table-talk", "Nothing was sent"
        )
        after = world.service.server.committed_state(world.campaign_id)
        assert after.seq == before.seq
        assert await world.service.server.press(world.campaign_id, limit=100) == press_before
        assert echoes(world) == []


async def test_a_missing_gazette_is_reported_once_and_posted_after_setup(tmp_path: Path) -> None:
    channels = (*(c for c in CHANNELS if c != "gazette"), "news")
    async with running_world(tmp_path, seed=SEED, channels=channels) as world:
        world.member("Root", admin=True)
        await world.wait_for(lambda: bool(world.posts("gw-admin")))
        await world.slash(
            "Ada", "submit_theory", theory="The harbour was a temple", confidence="certain"
        )
        await launch(world, "Ada", "DIG-1", "T-1")
        await world.service.server.advance_to_next_digest()
        released = await world.service.server.press(world.campaign_id, limit=100)
        waiting = await outbox_rows(world)

        await world.slash("Root", "gw_admin setup", gazette="news")
        await world.wait_for(lambda: bool(headlines(world.posts("news"), 1)))
        rows = await outbox_settled(world, "digest:1")
        news = world.posts("news")

        [told] = world.posts("gw-admin")
        assert told["embeds"][0]["title"] == "No #gazette channel"
        assert "/gw_admin setup" in text_of(told)
        assert [r.key for r in waiting] == [r.key for r in rows if r.key.startswith("notice:")]
        assert all(r.state is OutboxState.POSTED for r in rows)
        numbers = press_numbers(news)
        assert len(numbers) == len(set(numbers))
        assert set(numbers) == {item.id for item in released}
        assert "The harbour was a temple" in "\n".join(text_of(m) for m in news)
        [head] = headlines(news, 1)
        assert sum(len(m["embeds"]) for m in after_headline(news, 1)) == story_count(head) > 0


# 7. Autocomplete through the client ------------------------------------------------------------


def _valid(choices: list[dict[str, Any]]) -> bool:
    return len(choices) <= 25 and all(1 <= len(c["name"]) <= 100 for c in choices)


async def test_autocomplete_offers_scholars_own_theories_and_factions(tmp_path: Path) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        ada, bo = world.member("Ada"), world.member("Bo")
        long_text = "A very long theory about the bronze wing " * 7
        await world.slash("Bo", "submit_theory", theory="Bo's harbour theory", confidence="suspect")
        for n in range(27):
            await world.slash(
                "Ada", "submit_theory", theory=f"{n:02} {long_text}"[:300], confidence="suspect"
            )
        expedition = {
            "code": "AX-1",
            "objective": "Find the wing",
            "expedition_type": "field",
            "confidence": "certain",
        }

        async def typed(
            member: Member, command: str, focused: str, value: str, **more: Any
        ) -> list[dict[str, Any]]:
            return await world.emu.autocomplete(
                world.guild, member, command, focused=focused, value=value, **more
            )

        everyone = await typed(ada, "recruit", "scholar_id", "", faction="academia")
        by_id = await typed(ada, "recruit", "scholar_id", "zath")
        by_name = await typed(ada, "recruit", "scholar_id", "Yasmin Darw")
        theories_ada = await typed(ada, "launch_expedition", "theory", "", **expedition)
        theories_bo = await typed(bo, "launch_expedition", "theory", "", **expedition)
        funding = await typed(ada, "launch_expedition", "funding", "academia, gov", **expedition)
        nothing = await typed(ada, "recruit", "scholar_id", "no such scholar at all")

        scholars = world.service.server.committed_state(world.campaign_id).scholars
        for choices in (everyone, by_id, by_name, theories_ada, theories_bo, funding):
            assert choices
            assert _valid(choices), choices
        assert {c["value"] for c in everyone} <= set(scholars)
        assert len(everyone) == min(25, len(scholars))
        assert [c["value"] for c in by_id] == ["s.zathras"]
        assert [c["value"] for c in by_name] == ["s.proc-004"]
        assert "Yasmin Darwish" in by_name[0]["name"]
        assert len(theories_ada) == 25  # 28 theories: Discord takes 25 at most
        assert theories_ada[0]["value"].startswith("T-")
        assert "T-1" not in {c["value"] for c in theories_ada}  # Bo's comes after Ada's own
        assert theories_bo[0]["value"] == "T-1"
        assert any(len(c["name"]) == 100 and c["name"].endswith("…") for c in theories_ada)
        assert [c["value"] for c in funding] == ["academia, government"]
        assert nothing == []


# 8. A direct message to the bot ----------------------------------------------------------------


async def test_a_command_in_a_dm_is_told_to_play_in_a_server_and_changes_nothing(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, seed=SEED, channels=CHANNELS) as world:
        ada = world.member("Ada")
        await released_posted(world)  # the seeded campaign's roster is in #gazette
        registered = world.emu.commands()
        before = world.service.server.committed_state(world.campaign_id)
        press_before = await world.service.server.press(world.campaign_id, limit=100)
        campaigns = world.service.server.campaign_ids()
        posted = {name: world.posts(name) for name in CHANNELS}

        theory = await world.emu.slash_dm(
            ada, "submit_theory", theory="Whispered to the bot", confidence="certain"
        )
        # Admin commands too: Discord does not apply member permissions in a DM.
        pause = await world.emu.slash_dm(ada, "gw_admin pause_game", reason="a coup by DM")
        for record in (theory, pause):
            await record.done()
        await world.service.server.settle()

        # The bot registers global commands that Discord offers in its DM (no contexts,
        # dm_permission true), so a DM command must be answered, not left to fail.
        assert registered
        for command in registered:
            assert "guild_id" not in command
            assert command.get("contexts") is None
            assert command.get("dm_permission") is not False
        dm = str(world.emu.dm_channel(ada))
        for record in (theory, pause):
            assert record.in_dm
            assert record.ephemeral
            assert is_refusal(
                record.original, "Play in a server", "each server is its own campaign"
            )
            assert record.original is not None
            assert record.original["channel_id"] == dm
        after = world.service.server.committed_state(world.campaign_id)
        assert after.seq == before.seq
        assert not after.paused
        assert await world.service.server.press(world.campaign_id, limit=100) == press_before
        assert world.service.server.campaign_ids() == campaigns
        assert {name: world.posts(name) for name in CHANNELS} == posted
