"""Tab completion in the terminal: commands, subcommands, option names and choice values."""

from __future__ import annotations

import pytest

from greatwork.commands.catalogue import CATALOGUE
from greatwork.play.terminal import complete

DIRECTIVES = ["!admin", "!advance", "!digest", "!quit", "!roll", "!who"]


def test_an_empty_line_offers_every_command_and_directive() -> None:
    offered = complete("", "")
    commands = sorted(f"/{spec.name}" for spec in CATALOGUE.top_level())
    assert offered == sorted([*commands, "/gw_admin", *DIRECTIVES])
    assert len(offered) == len(set(offered))
    assert "/telemetry_report" in offered
    assert "/adjust_reputation" not in offered, "subcommands only after /gw_admin"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("/sub", ["/submit_theory"]),
        ("/symposium_p", ["/symposium_proposals", "/symposium_propose"]),
        ("/gw", ["/gw_admin"]),
        ("/rec", ["/recruit", "/recruit_odds"]),
        ("!", DIRECTIVES),
        ("!d", ["!digest"]),
        ("/zz", []),
        ("submit", []),
    ],
)
def test_the_first_word_completes_commands_and_directives(word: str, expected: list[str]) -> None:
    assert complete("", word) == expected
    assert complete("   ", word) == expected


def test_gw_admin_offers_its_subcommands() -> None:
    subcommands = sorted(spec.name for spec in CATALOGUE.group("gw_admin"))
    assert len(subcommands) == 19
    assert complete("/gw_admin ", "") == subcommands
    assert complete("/gw_admin ", "adj") == ["adjust_influence", "adjust_reputation"]
    assert complete("/gw_admin ", "moderation") == ["moderation_overrides", "moderation_recent"]
    assert complete("/gw_admin ", "zz") == []


@pytest.mark.parametrize(
    ("before", "word", "expected"),
    [
        ("/submit_theory ", "", ["confidence:", "deadline:", "supporters:", "theory:"]),
        ("/submit_theory ", "con", ["confidence:"]),
        ("/submit_theory ", "x", []),
        ("/help ", "", ["command:"]),
        ("/roster ", "", []),
        ("/gw_admin run_digest ", "", []),
        (
            "/gw_admin adjust_influence ",
            "",
            ["delta:", "faction:", "player_id:", "reason:"],
        ),
        ("/gw_admin list_orders ", "o", ["older_than_hours:", "order_type:"]),
    ],
)
def test_option_names_end_with_a_colon(before: str, word: str, expected: list[str]) -> None:
    assert complete(before, word) == expected


@pytest.mark.parametrize(
    ("before", "word", "expected"),
    [
        (
            "/submit_theory ",
            "confidence:",
            ["confidence:certain", "confidence:stake_my_career", "confidence:suspect"],
        ),
        ("/submit_theory ", "confidence:s", ["confidence:stake_my_career", "confidence:suspect"]),
        ("/submit_theory ", "confidence:x", []),
        ("/symposium_vote ", "option:", ["option:1", "option:2", "option:3"]),
        ("/mentor scholar_id:zathras ", "career_track:i", ["career_track:industry"]),
        ("/gw_admin adjust_influence ", "faction:re", ["faction:religion"]),
        (
            "/gw_admin update_faction_project id:1 ",
            "status:",
            ["status:cancelled", "status:completed"],
        ),
        ("/gw_admin list_orders ", "status:a", ["status:any"]),
        ("/launch_expedition ", "expedition_type:g", ["expedition_type:great_project"]),
    ],
)
def test_choice_values_complete_after_the_colon(
    before: str, word: str, expected: list[str]
) -> None:
    assert complete(before, word) == expected


@pytest.mark.parametrize(
    ("before", "word"),
    [
        ("/submit_theory ", "theory:"),
        ("/submit_theory ", "nope:"),
        ("/nonsense ", ""),
        ("/nonsense ", "limit:"),
        ("/gw_admin nonsense ", ""),
        ("!digest ", ""),
    ],
)
def test_nothing_to_offer(before: str, word: str) -> None:
    assert complete(before, word) == []


def test_options_already_given_are_not_offered_again() -> None:
    assert complete("/submit_theory confidence:suspect ", "") == [
        "deadline:",
        "supporters:",
        "theory:",
    ]
    assert complete('/submit_theory theory:"Bronze Age flight" confidence:certain ', "") == [
        "deadline:",
        "supporters:",
    ]
    assert complete("/symposium_vote option:1 ", "") == []
    assert complete("/gw_admin adjust_influence faction:foreign delta:1 ", "") == [
        "player_id:",
        "reason:",
    ]
