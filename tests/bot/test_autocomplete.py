from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.bot.autocomplete import complete, suggestions
from greatwork.bot.guilds import campaign_of
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import Choice, Lookup, Option, Reply, invoke
from greatwork.config import Settings
from greatwork.rules.constants import Faction
from greatwork.rules.ids import PlayerId, ScholarId
from tests.commands.local import T0, LocalGame, shared_content
from tests.commands.player_helpers import employ

ALICE = PlayerId("1001")
BOB = PlayerId("1002")
GUILD = 555_000_000_000_000_001


def _option(path: str, name: str) -> Option:
    option = CATALOGUE.find(path).option(name)
    assert option is not None
    return option


async def _run(game: LocalGame, path: str, who: PlayerId = ALICE, **options: object) -> Reply:
    reply = await invoke(
        CATALOGUE.find(path),
        game,
        player=who,
        display_name={ALICE: "Alice", BOB: "Bob"}[who],
        is_admin=True,
        raw_options=options,
    )
    assert reply.ok, reply.body
    return reply


def _valid(choices: tuple[Choice, ...]) -> None:
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice.name) <= 100
        assert not isinstance(choice.value, str) or 1 <= len(choice.value) <= 100


@pytest.fixture
async def game() -> LocalGame:
    """A campaign with one of everything a lookup can name."""
    game = LocalGame()
    await _run(game, "table_talk", ALICE, message="Alice sits down")
    await _run(game, "table_talk", BOB, message="Bob sits down")
    state = game.state()
    scholars = sorted(state.scholars)
    employ(game, scholars[0], ALICE, Faction.ACADEMIA)
    employ(game, scholars[1], BOB, Faction.INDUSTRY)
    await _run(game, "submit_theory", theory="Comets are ice", confidence="suspect")
    await _run(game, "submit_theory", BOB, theory="Tides follow the moon", confidence="suspect")
    await _run(
        game,
        "launch_expedition",
        code="ALPHA",
        objective="Chart the reef",
        expedition_type="think_tank",
        confidence="suspect",
    )
    await _run(game, "mentor", scholar_id=scholars[0])
    await _run(
        game, "poach", scholar_id=scholars[1], target_faction="academia", academia_influence=1
    )
    await _run(game, "symposium_propose", topic="Light", description="Is it a wave?")
    await _run(game, "gw_admin create_seasonal_commitment", player_id=ALICE, faction="academia")
    await _run(
        game,
        "gw_admin create_faction_project",
        name="Great Lens",
        faction="academia",
        target_progress=10,
    )
    game.add_press("theory", "Comets are ice, says Alice")
    game.add_press("expedition", "An expedition sets out for the reef")
    return game


@pytest.mark.parametrize(
    ("path", "name", "lookup", "prefix"),
    [
        ("recruit", "scholar_id", Lookup.SCHOLAR, "s."),
        ("conference", "theory_id", Lookup.THEORY, "T-"),
        ("counter", "offer_id", Lookup.OFFER, "OF-"),
        ("gw_admin cancel_expedition", "expedition_code", Lookup.EXPEDITION, "ALPHA"),
        ("gw_admin adjust_reputation", "player_id", Lookup.PLAYER, "100"),
        ("gw_admin cancel_order", "order_id", Lookup.ORDER, "O-"),
        ("gw_admin update_seasonal_commitment", "id", Lookup.COMMITMENT, "COM-"),
        ("gw_admin update_faction_project", "id", Lookup.PROJECT, "PRJ-"),
    ],
)
async def test_each_lookup_suggests_from_the_campaign(
    game: LocalGame, path: str, name: str, lookup: Lookup, prefix: str
) -> None:
    option = _option(path, name)
    assert option.lookup is lookup
    found = await suggestions(game, option, "", player=ALICE)
    _valid(found)
    assert found, f"no suggestions for {lookup}"
    assert all(str(c.value).startswith(prefix) for c in found)


async def test_proposals_and_factions_are_suggested_too(game: LocalGame) -> None:
    proposals = await suggestions(
        game, Option(name="p", description="p", lookup=Lookup.PROPOSAL), "", player=ALICE
    )
    assert [c.value for c in proposals] == ["PROP-1"]
    assert "Light" in proposals[0].name
    factions = await suggestions(
        game, Option(name="f", description="f", lookup=Lookup.FACTION), "rel", player=ALICE
    )
    assert [c.value for c in factions] == ["religion"]


async def test_typing_narrows_the_suggestions(game: LocalGame) -> None:
    option = _option("recruit", "scholar_id")
    everyone = await suggestions(game, option, "", player=ALICE)
    assert len(everyone) == min(25, len(game.state().scholars))
    scholar = game.state().scholars[ScholarId(str(everyone[3].value))]
    word = scholar.name.split()[-1]
    narrowed = await suggestions(game, option, word.upper(), player=ALICE)
    assert scholar.id in [c.value for c in narrowed]
    assert all(word.lower() in c.name.lower() for c in narrowed)


async def test_own_theories_come_first(game: LocalGame) -> None:
    option = _option("conference", "theory_id")
    for_alice = await suggestions(game, option, "", player=ALICE)
    for_bob = await suggestions(game, option, "", player=BOB)
    assert "Comets" in for_alice[0].name
    assert "Tides" in for_bob[0].name


async def test_a_list_completes_its_last_item_and_keeps_the_rest(game: LocalGame) -> None:
    option = _option("launch_expedition", "team")
    first = (await suggestions(game, option, "", player=ALICE))[0]
    found = await suggestions(game, option, f"{first.value},", player=ALICE)
    _valid(found)
    assert found
    assert all(str(c.value).startswith(f"{first.value}, s.") for c in found)
    assert f"{first.value}, {first.value}" not in [c.value for c in found]  # no repeats
    funding = await suggestions(
        game, _option("launch_expedition", "funding"), "academia, in", player=ALICE
    )
    assert [c.value for c in funding] == ["academia, industry"]


async def test_press_is_suggested_by_number_or_headline(game: LocalGame) -> None:
    option = _option("share_press", "press_id")
    by_word = await suggestions(game, option, "reef", player=ALICE)
    assert [(c.value, c.name) for c in by_word] == [(2, "#2 · An expedition sets out for the reef")]
    by_number = await suggestions(game, option, "1", player=ALICE)
    assert [c.value for c in by_number] == [1]
    assert all(isinstance(c.value, int) for c in await suggestions(game, option, "", player=ALICE))


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[GameServer]:
    settings = Settings(db_path=tmp_path / "greatwork.db")
    server = GameServer(settings, shared_content(), clock=VirtualClock(T0))
    await server.start()
    yield server
    await server.stop()


async def test_a_guild_without_a_campaign_gets_no_suggestions(server: GameServer) -> None:
    option = _option("recruit", "scholar_id")
    assert await complete(server, GUILD, 1, option, "") == ()
    assert await complete(server, None, 1, option, "") == ()
    assert campaign_of(GUILD) not in server.campaign_ids()  # asking created nothing


async def test_a_running_campaign_answers_from_its_committed_state(server: GameServer) -> None:
    await server.ensure_campaign(campaign_of(GUILD), seed=3)
    option = _option("recruit", "scholar_id")
    found = await complete(server, GUILD, 1, option, "")
    _valid(found)
    assert [c.value for c in found] == [
        c.value
        for c in await suggestions(
            server.game(campaign_of(GUILD)), option, "", player=PlayerId("1")
        )
    ]
    assert found


async def test_suggestions_never_raise(
    server: GameServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await server.ensure_campaign(campaign_of(GUILD), seed=3)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the state is unreadable")

    monkeypatch.setattr(server, "committed_state", broken)
    with caplog.at_level(logging.WARNING, logger="greatwork.bot.autocomplete"):
        found = await complete(server, GUILD, 1, _option("recruit", "scholar_id"), "")
    assert found == ()
    assert "no suggestions for option scholar_id" in caplog.text
