from __future__ import annotations

from dataclasses import dataclass

import disnake
import pytest

from greatwork.actors.types import ActorFailedError, UnavailableError
from greatwork.bot.errors import (
    failure_reply,
    guild_unknown_reply,
    in_dm_reply,
    table_talk_missing_reply,
)
from greatwork.bot.interactions import is_admin_member
from greatwork.commands.spec import Reply


@dataclass
class _Response:
    """What disnake's HTTPException reads from an aiohttp response."""

    status: int
    reason: str = "refused"


def _http(cls: type[disnake.HTTPException], status: int, code: int) -> disnake.HTTPException:
    return cls(_Response(status), {"message": "Missing Access", "code": code})


@pytest.mark.parametrize(
    ("error", "code", "words"),
    [
        (UnavailableError("Campaign c is restarting."), "unavailable", "Nothing changed"),
        (ActorFailedError("boom"), "internal_error", "was not applied"),
        (TimeoutError(), "timeout", "may still go through: check /status"),
        (_http(disnake.Forbidden, 403, 50001), "discord_forbidden", "Missing Access"),
        (_http(disnake.HTTPException, 400, 50035), "discord_error", "HTTP 400"),
        (KeyError("x"), "unexpected", "unexpected error (KeyError)"),
    ],
)
def test_each_failure_has_its_own_ephemeral_answer(
    error: BaseException, code: str, words: str
) -> None:
    reply = failure_reply(error, "gw_admin run_digest")
    assert (reply.ok, reply.ephemeral, reply.error) == (False, True, code)
    assert words in reply.body
    assert "/gw_admin run_digest" in reply.body


def test_the_unavailable_answer_keeps_the_servers_reason() -> None:
    reply = failure_reply(UnavailableError("Campaign c is restarting."), "status")
    assert reply.body.startswith("Campaign c is restarting.")


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (in_dm_reply(), "not_in_guild"),
        (guild_unknown_reply(), "guild_unknown"),
        (table_talk_missing_reply(), "channel_missing"),
    ],
)
def test_where_answers_are_ephemeral_refusals(reply: Reply, code: str) -> None:
    assert (reply.ok, reply.ephemeral, reply.error) == (False, True, code)
    assert reply.title
    assert reply.body


GM = (42, "Game Master")
MOD = (43, "Moderator")


@pytest.mark.parametrize(
    ("administrator", "roles", "admin_role", "expected"),
    [
        (True, [], None, True),
        (True, [MOD], "Game Master", True),
        (False, [GM], "Game Master", True),
        (False, [GM], "GAME MASTER", True),
        (False, [GM], "@game master", True),
        (False, [GM], "42", True),
        (False, [(7, "42")], "42", True),  # a role named with digits
        (False, [MOD], "42", False),
        (False, [MOD], "Game Master", False),
        (False, [GM], None, False),
        (False, [GM], "  ", False),
        (False, [], "Game Master", False),
    ],
)
def test_admins_have_the_administrator_bit_or_the_admin_role(
    administrator: bool, roles: list[tuple[int, str]], admin_role: str | None, expected: bool
) -> None:
    assert (
        is_admin_member(administrator=administrator, roles=roles, admin_role=admin_role) is expected
    )
