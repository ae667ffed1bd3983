"""Helpers shared by the player-command tests: calling a command and checking its reply."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from greatwork.commands.player import PLAYER_COMMANDS
from greatwork.commands.spec import Catalogue, Reply, invoke
from greatwork.rules.constants import Faction
from greatwork.rules.ids import PlayerId, ScholarId
from greatwork.rules.state import Contract, EmployerKind
from tests.commands.local import LocalGame

PLAYERS = Catalogue(PLAYER_COMMANDS)
ALICE = PlayerId("1001")
BOB = PlayerId("1002")
NAMES = {ALICE: "Alice", BOB: "Bob"}


async def call(game: LocalGame, path: str, who: PlayerId = ALICE, /, **options: object) -> Reply:
    """Run a player command as ``who`` (Alice by default)."""
    return await invoke(
        PLAYERS.find(path),
        game,
        player=who,
        display_name=NAMES[who],
        is_admin=False,
        raw_options=options,
    )


def ok(reply: Reply) -> Mapping[str, Any]:
    """Assert the reply is a success with JSON-ready data; return the data."""
    assert reply.ok, reply.body
    assert reply.error is None
    json.dumps(reply.data)  # JSON-ready
    return reply.data


def refused(reply: Reply, code: str, *needles: str) -> None:
    """Assert an ephemeral refusal with this code and a message naming each needle."""
    assert not reply.ok
    assert reply.error == code, reply.body
    assert reply.ephemeral
    for needle in needles:
        assert needle in reply.body, reply.body


async def joined(*players: PlayerId) -> LocalGame:
    """A game the players have joined (each said something at the table)."""
    game = LocalGame()
    for player in players:
        ok(await call(game, "table_talk", player, message=f"{NAMES[player]} sits down"))
    return game


def employ(game: LocalGame, scholar: ScholarId, player: PlayerId, faction: Faction) -> None:
    """Set a contract directly (test setup stands in for a lucky /recruit)."""
    state = game.state()
    contract = Contract(
        employer=player, kind=EmployerKind.PLAYER, term_years=3, faction=faction, since=game.now()
    )
    record = dataclasses.replace(state.scholars[scholar], contract=contract)
    game._state = dataclasses.replace(state, scholars={**state.scholars, scholar: record})
