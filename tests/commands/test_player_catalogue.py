"""The player catalogue as a whole, /help, and the lookup and render helpers it uses."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re

import pytest

from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.lookup import (
    resolve_expedition,
    resolve_faction,
    resolve_offer,
    resolve_player,
    resolve_scholar,
    resolve_scholars,
    resolve_theory,
    suggest,
)
from greatwork.commands.player import PLAYER_COMMANDS
from greatwork.commands.render import (
    influence_text,
    iso,
    percent,
    press_path,
    signed,
    when,
)
from greatwork.commands.spec import Catalogue, CommandSpec, Lookup, OptionType, Reply, invoke
from greatwork.rules.constants import Confidence, Faction
from greatwork.rules.errors import InvalidInput, NotFound
from greatwork.rules.ids import Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.theory import SubmitTheory
from tests.commands.local import T0, LocalGame
from tests.rules.builders import make_player, make_state

NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
PLAYERS = Catalogue(PLAYER_COMMANDS)
ALICE = PlayerId("1001")

EXPECTED = {
    "submit_theory",
    "launch_expedition",
    "recruit",
    "recruit_odds",
    "mentor",
    "assign_lab",
    "conference",
    "symposium_vote",
    "symposium_propose",
    "symposium_proposals",
    "symposium_backlog",
    "symposium_status",
    "status",
    "wager",
    "invest",
    "endow_archive",
    "seasonal_commitments",
    "faction_projects",
    "set_nickname",
    "share_press",
    "gazette",
    "export_log",
    "archive_link",
    "table_talk",
    "poach",
    "counter",
    "view_offers",
    "theory_reference",
    "scholar",
    "roster",
    "help",
}
ID_OPTIONS = {
    "scholar_id": Lookup.SCHOLAR,
    "theory_id": Lookup.THEORY,
    "offer_id": Lookup.OFFER,
    "press_id": Lookup.PRESS,
    "team": Lookup.SCHOLAR,
    "supporters": Lookup.SCHOLAR,
    "opposition": Lookup.SCHOLAR,
    "theory": None,  # free text in /submit_theory, an id in /launch_expedition (checked below)
}


async def call(game: LocalGame, path: str, *, admin: bool = False, **options: object) -> Reply:
    return await invoke(
        CATALOGUE.find(path),
        game,
        player=ALICE,
        display_name="Alice",
        is_admin=admin,
        raw_options=options,
    )


# --- the catalogue -----------------------------------------------------------------------------


def test_the_player_catalogue_has_every_command_of_section_5_1() -> None:
    assert {s.name for s in PLAYER_COMMANDS} == EXPECTED
    assert len(PLAYER_COMMANDS) == len(EXPECTED)  # no duplicates
    assert "resolve_expeditions" not in {s.name for s in CATALOGUE}
    assert "export_web_archive" not in {s.name for s in CATALOGUE}  # issue 7


@pytest.mark.parametrize("spec", PLAYER_COMMANDS, ids=lambda s: s.name)
def test_each_command_fits_discords_limits(spec: CommandSpec) -> None:
    assert NAME.fullmatch(spec.name)
    assert 1 <= len(spec.description) <= 100
    assert spec.group is None
    assert not spec.admin
    assert inspect.iscoroutinefunction(spec.handler)
    assert len(spec.options) <= 25
    names = [o.name for o in spec.options]
    assert len(names) == len(set(names))
    required = [o.required for o in spec.options]
    assert required == sorted(required, reverse=True), "required options come first"
    for option in spec.options:
        assert NAME.fullmatch(option.name), option.name
        assert 1 <= len(option.description) <= 100, option.name
        assert len(option.choices) <= 25
        for choice in option.choices:
            assert 1 <= len(choice.name) <= 100
        if option.many:
            assert option.max_items is not None
        if not option.required and option.default is not None:
            # The default itself passes the option's own checks.
            default = option.default
            raw = ",".join(default) if option.many else default
            if option.many and not default:
                continue
            assert option.parse(raw) == default


def test_ids_the_player_types_can_be_autocompleted() -> None:
    for spec in PLAYER_COMMANDS:
        for option in spec.options:
            if option.name in ID_OPTIONS and ID_OPTIONS[option.name] is not None:
                assert option.lookup is ID_OPTIONS[option.name], (spec.name, option.name)
    expedition = PLAYERS.find("launch_expedition")
    theory, code = expedition.option("theory"), expedition.option("code")
    assert theory is not None
    assert code is not None
    assert theory.lookup is Lookup.THEORY
    assert code.lookup is Lookup.EXPEDITION


def test_factions_confidence_and_lists_follow_the_brief() -> None:
    faction = PLAYERS.find("recruit").option("faction")
    assert faction is not None
    assert faction.type is OptionType.STRING
    assert [c.value for c in faction.choices] == [
        "academia",
        "government",
        "industry",
        "religion",
        "foreign",
    ]
    confidence = PLAYERS.find("submit_theory").option("confidence")
    assert confidence is not None
    assert [c.value for c in confidence.choices] == ["suspect", "certain", "stake_my_career"]
    launch = PLAYERS.find("launch_expedition")
    assert [o.name for o in launch.options] == [
        "code",
        "objective",
        "expedition_type",
        "confidence",
        "team",
        "funding",
        "theory",
    ]
    for name, most in (("team", 6), ("funding", 3)):
        option = launch.option(name)
        assert option is not None
        assert option.many
        assert option.max_items == most
    limits = {
        "gazette": (5, 20),
        "export_log": (10, 50),
        "theory_reference": (8, 20),
    }
    for path, (default, most) in limits.items():
        option = PLAYERS.find(path).option("limit")
        assert option is not None
        assert (option.default, option.min_value, option.max_value) == (default, 1, most)


def test_private_views_are_ephemeral() -> None:
    private = {s.name for s in PLAYER_COMMANDS if s.ephemeral}
    assert {"status", "roster", "recruit_odds", "symposium_status", "view_offers"} <= private
    assert "submit_theory" not in private


# --- /help -------------------------------------------------------------------------------------


async def test_help_lists_the_player_commands_only_to_players() -> None:
    game = LocalGame()
    reply = await call(game, "help")
    assert reply.ok
    assert reply.ephemeral
    names = [c["name"] for c in reply.data["commands"]]
    assert names == [s.name for s in PLAYER_COMMANDS]
    assert "/submit_theory: Put a theory on the record" in reply.body
    assert "gw_admin" not in reply.body
    json.dumps(reply.data)


async def test_help_shows_admins_the_admin_subcommands_too() -> None:
    game = LocalGame()
    reply = await call(game, "help", admin=True)
    names = [c["name"] for c in reply.data["commands"]]
    assert "gw_admin run_digest" in names
    assert names[: len(PLAYER_COMMANDS)] == [s.name for s in PLAYER_COMMANDS]
    group = await call(game, "help", admin=True, command="gw_admin")
    assert group.ok
    assert all(c["admin"] for c in group.data["commands"])
    assert "/gw_admin run_digest" in group.body


async def test_help_on_one_command_lists_its_options() -> None:
    game = LocalGame()
    reply = await call(game, "help", command="/launch_expedition")
    assert reply.ok
    assert reply.data["command"] == "launch_expedition"
    assert [o["name"] for o in reply.data["options"]][:2] == ["code", "objective"]
    assert reply.data["usage"].startswith("/launch_expedition code:<expedition> objective:<text>")
    assert "[team:<scholar,...>]" in reply.data["usage"]
    assert "expedition_type:think_tank|field|great_project" in reply.data["usage"]
    json.dumps(reply.data)


async def test_help_on_an_unknown_command_is_refused_with_a_suggestion() -> None:
    game = LocalGame()
    before = game.state()
    reply = await call(game, "help", command="recru")
    assert not reply.ok
    assert reply.error == "invalid_input"
    assert "There is no command /recru" in reply.body
    assert "Did you mean /recruit" in reply.body
    assert game.state() is before


# --- lookups ------------------------------------------------------------------------------------


async def _with_theory(game: LocalGame) -> TheoryId:
    await game.execute(
        SubmitTheory(
            actor=ALICE,
            at=game.now(),
            actor_name="Alice",
            theory="Bronze Age flight",
            confidence=Confidence.SUSPECT,
        )
    )
    return TheoryId("T-1")


@pytest.mark.parametrize(
    "typed",
    ["s.ironquill", "S.IRONQUILL", "ironquill", "Ironquill", "Dr Elara Ironquill", "elara iron"],
)
def test_a_scholar_is_found_by_id_or_name(typed: str) -> None:
    assert resolve_scholar(LocalGame().state(), typed) == ScholarId("s.ironquill")


def test_an_unknown_scholar_is_refused_pointing_to_the_roster() -> None:
    with pytest.raises(NotFound, match=r"Scholar `s\.12` does not exist; /roster lists them"):
        resolve_scholar(LocalGame().state(), "s.12")


def test_an_ambiguous_scholar_name_lists_the_candidates() -> None:
    state = LocalGame().state()
    with pytest.raises(InvalidInput, match="fits several scholars") as caught:
        resolve_scholar(state, "dr")
    assert "Use the id" in caught.value.message
    assert len(caught.value.data["matches"]) > 1


def test_a_retired_scholar_is_named_as_retired() -> None:
    state = LocalGame().state()
    record = state.scholars[ScholarId("s.zathras")]
    scholars = {k: v for k, v in state.scholars.items() if k != record.id}
    retired = dataclasses.replace(state, scholars=scholars, retired={record.id: record})
    with pytest.raises(NotFound, match="has retired"):
        resolve_scholar(retired, "zathras")


def test_a_list_of_scholars_keeps_order_and_repeats() -> None:
    state = LocalGame().state()
    found = resolve_scholars(state, ["zathras", "s.ironquill", "Zathras"])
    assert found == (ScholarId("s.zathras"), ScholarId("s.ironquill"), ScholarId("s.zathras"))


async def test_numbered_ids_accept_the_bare_number_any_case() -> None:
    game = LocalGame()
    await _with_theory(game)
    state = game.state()
    for typed in ("T-1", "t-1", "t1", "1", " T-1 "):
        assert resolve_theory(state, typed) == TheoryId("T-1")
    with pytest.raises(NotFound, match="Theory `T-9` does not exist; /theory_reference"):
        resolve_theory(state, "T-9")
    with pytest.raises(NotFound, match="Offer `3` does not exist; /view_offers lists yours"):
        resolve_offer(state, "3")
    with pytest.raises(InvalidInput, match="Name a theory"):
        resolve_theory(state, "  ")


async def test_players_are_found_by_id_or_display_name_any_case() -> None:
    game = LocalGame()
    await _with_theory(game)
    state = game.state()
    assert resolve_player(state, "1001") == ALICE
    assert resolve_player(state, "alice") == ALICE
    assert resolve_player(state, "ALICE") == ALICE
    with pytest.raises(NotFound, match="No player `bob` in this campaign"):
        resolve_player(state, "bob")


def test_names_that_differ_in_case_resolve_exactly_or_are_ambiguous() -> None:
    base = make_state(
        [make_player("111", display_name="Ada"), make_player("222", display_name="ada")]
    )
    assert resolve_player(base, "Ada") == "111"
    assert resolve_player(base, "ada") == "222"
    assert resolve_player(base, "222") == "222"
    with pytest.raises(InvalidInput, match=r"called `ADA`: Ada \(id 111\), ada \(id 222\)"):
        resolve_player(base, "ADA")


def test_an_expedition_code_is_found_any_case_or_refused() -> None:
    with pytest.raises(NotFound, match="Expedition `NOPE` does not exist"):
        resolve_expedition(LocalGame().state(), "nope")


def test_factions_accept_aliases_and_refuse_the_rest() -> None:
    assert resolve_faction("Religious") is Faction.RELIGION
    with pytest.raises(InvalidInput, match="Unknown faction 'church'"):
        resolve_faction("church")


async def test_suggestions_filter_by_what_is_typed() -> None:
    game = LocalGame()
    await _with_theory(game)
    state = game.state()
    quill = suggest(state, Lookup.SCHOLAR, "quill")
    assert [c.value for c in quill] == ["s.ironquill"]
    assert quill[0].name == "s.ironquill · Dr Elara Ironquill"
    assert len(suggest(state, Lookup.SCHOLAR)) == 20
    assert len(suggest(state, Lookup.SCHOLAR, limit=3)) == 3
    assert [c.value for c in suggest(state, Lookup.THEORY, "bronze", player=ALICE)] == ["T-1"]
    assert [c.value for c in suggest(state, Lookup.FACTION, "relig")] == ["religion"]
    assert [c.value for c in suggest(state, Lookup.PLAYER, "ali")] == ["1001"]
    assert suggest(state, Lookup.PRESS, "1") == ()


# --- render -------------------------------------------------------------------------------------


def test_render_helpers() -> None:
    assert iso(T0) == "2026-01-01T00:00:00Z"
    assert when(Instant(T0 + 13 * 3600)) == "2026-01-01 13:00 UTC"
    assert [signed(v) for v in (5, -7, 0, 0.75, -1.5)] == ["+5", "-7", "0", "+0.75", "-1.5"]
    assert [percent(p) for p in (0.8, 0.625, 0.05, 1.0)] == ["80%", "62.5%", "5%", "100%"]
    assert influence_text({Faction.INDUSTRY: 1, Faction.ACADEMIA: 2}) == "academia 2, industry 1"
    assert influence_text({}) == "none"
    assert press_path(12) == "/archive/press/12.html"
