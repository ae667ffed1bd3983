"""The moderation hook in the player commands: blocked texts are refused; overrides let them by."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from greatwork.commands.player._shared import blocked_message
from greatwork.llm.moderation import PASS, Blocklist, Chain, Verdict, installed
from greatwork.rules.admin import AdjustInfluence
from greatwork.rules.constants import HOUR, Faction
from greatwork.rules.moderation import SURFACES, text_hash
from greatwork.rules.pause import PauseGame
from greatwork.rules.state import CampaignState
from tests.commands.local import LocalGame
from tests.commands.player_helpers import ALICE, call, ok, refused
from tests.commands.test_admin import ADMIN, admin

THEORY = "We should k.i.l.l the rival's theory"
KEY = text_hash(THEORY)

# command, options, the surface of the blocked option
BLOCKED_MOVES: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("submit_theory", {"theory": THEORY, "confidence": "suspect"}, "theory"),
    (
        "launch_expedition",
        {
            "code": "DIG-1",
            "objective": "Find the b0mb shelter",
            "expedition_type": "think_tank",
            "confidence": "suspect",
        },
        "objective",
    ),
    ("table_talk", {"message": "You r@cist fool"}, "table_talk"),
    ("set_nickname", {"scholar_id": "zathras", "nickname": "Murder Machine"}, "nickname"),
    ("set_nickname", {"scholar_id": "zathras", "nickname": "Kíller? no: KILL"}, "nickname"),
    (
        "symposium_propose",
        {"topic": "Suicide in antiquity", "description": "A grave question."},
        "symposium_topic",
    ),
    (
        "symposium_propose",
        {"topic": "Ancient flight", "description": "Was it t3rrorists?"},
        "symposium_description",
    ),
    ("invest", {"faction": "industry", "amount": 3, "program": "Bombs for peace"}, "program"),
    ("endow_archive", {"amount": 4, "program": "The k1ll fund"}, "program"),
)


def unchanged_but_the_log(before: CampaignState, after: CampaignState) -> bool:
    """Whether the state is the same except for the moderation log (and the event counter)."""
    return (
        dataclasses.replace(after, moderation_log=before.moderation_log, seq=before.seq) == before
    )


async def rich_game() -> LocalGame:
    """A game where Alice could pay for any move (so only moderation can refuse one)."""
    game = LocalGame()
    ok(await call(game, "table_talk", message="Alice sits down"))
    for faction in Faction:
        await game.execute(
            AdjustInfluence(actor=ADMIN, at=game.now(), player=ALICE, faction=faction, delta=20)
        )
    return game


@pytest.mark.parametrize(
    ("path", "options", "surface"),
    BLOCKED_MOVES,
    ids=[f"{p}-{s}" for p, _, s in BLOCKED_MOVES],
)
async def test_a_blocked_text_is_refused_and_changes_nothing_but_the_log(
    path: str, options: dict[str, Any], surface: str
) -> None:
    game = await rich_game()
    before = game.state()
    reply = await call(game, path, **options)
    refused(reply, "blocked", "was blocked by moderation", "The move was not made")
    assert reply.data["surface"] == surface
    assert reply.data["stage"] == "blocklist"
    after = game.state()
    assert unchanged_but_the_log(before, after)
    (entry,) = after.moderation_log
    assert (entry.surface, entry.blocked, entry.stage, entry.override) == (
        surface,
        True,
        "blocklist",
        None,
    )
    assert reply.data["text_hash"] == entry.text_hash
    assert f"add_moderation_override text_hash:{entry.text_hash}" in reply.body


async def test_the_refusal_names_the_surface_the_word_and_the_appeal() -> None:
    game = LocalGame()
    reply = await call(game, "submit_theory", theory=f"  {THEORY} ", confidence="suspect")
    refused(
        reply,
        "blocked",
        "Your theory was blocked by moderation",
        "it contains “kill” (read in “k.i.l.l”), a word on the blocklist (violence)",
        "ask an admin to let this exact text through",
        f"/gw_admin add_moderation_override text_hash:{KEY}",
    )
    assert reply.data == {
        "surface": "theory",
        "stage": "blocklist",
        "category": "violence",
        "word": "kill",
        "text_hash": KEY,
    }
    state = game.state()
    assert state.theories == {}
    assert ALICE not in state.players  # a refused first move does not create the player


async def test_a_blocked_text_gets_no_id_so_the_next_one_takes_the_first() -> None:
    game = LocalGame()
    refused(await call(game, "submit_theory", theory=THEORY, confidence="suspect"), "blocked")
    data = ok(
        await call(
            game,
            "submit_theory",
            theory="A bombastic, therapeutic theory of skill",
            confidence="suspect",
        )
    )
    assert data["theory_id"] == "T-1"


@pytest.mark.parametrize(
    "text",
    [
        "A bombastic, therapeutic theory of skill",
        "The king was murdered in the harbour",
        "Scunthorpe's skilled therapists",
        "An assassin's creed, in Bombay",
    ],
)
async def test_innocent_texts_pass_and_are_not_logged(text: str) -> None:
    game = LocalGame()
    ok(await call(game, "submit_theory", theory=text, confidence="suspect"))
    ok(await call(game, "table_talk", message=text))
    assert game.state().moderation_log == ()


async def test_an_override_lets_the_text_pass_and_the_log_shows_it() -> None:
    game = LocalGame()
    blocked = await call(game, "submit_theory", theory=THEORY, confidence="suspect")
    refused(blocked, "blocked")
    added = ok(
        await admin(
            game,
            "gw_admin add_moderation_override",
            text_hash=blocked.data["text_hash"],
            surface="theory",
            notes="A figure of speech",
        )
    )
    assert added["override"] == "MOD-1"
    data = ok(await call(game, "submit_theory", theory=THEORY, confidence="suspect"))
    assert data["theory_id"] == "T-1"
    assert game.state().theories["T-1"].text == THEORY  # type: ignore[index]
    recent = await admin(game, "gw_admin moderation_recent")
    listed = ok(recent)
    assert (listed["count"], listed["blocked"]) == (2, 1)
    newest, oldest = listed["entries"]
    assert (newest["blocked"], newest["override"], newest["surface"]) == (False, "MOD-1", "theory")
    assert (newest["stage"], newest["category"]) == ("blocklist", "violence")
    assert (oldest["blocked"], oldest["override"]) == (True, None)
    assert "override MOD-1" in recent.body
    assert "BLOCKED (violence)" in recent.body


async def test_an_override_covers_only_its_surface_and_its_time() -> None:
    game = LocalGame()
    ok(
        await admin(
            game,
            "gw_admin add_moderation_override",
            text_hash=text_hash("Kill the lights"),
            surface="table_talk",
            expires_hours=1,
        )
    )
    ok(await call(game, "table_talk", message="Kill the lights"))
    refused(
        await call(game, "set_nickname", scholar_id="zathras", nickname="Kill the lights"),
        "blocked",
    )
    game.advance(2 * HOUR)
    refused(await call(game, "table_talk", message="Kill the lights"), "blocked")
    assert [(r.surface, r.blocked) for r in game.state().moderation_log] == [
        ("table_talk", False),
        ("nickname", True),
        ("table_talk", True),
    ]


async def test_an_override_scoped_to_another_stage_does_not_cover_a_block() -> None:
    game = LocalGame()
    ok(
        await admin(
            game,
            "gw_admin add_moderation_override",
            text_hash=text_hash("Kill the lights"),
            stage="classifier",
        )
    )
    refused(await call(game, "table_talk", message="Kill the lights"), "blocked")
    ok(
        await admin(
            game,
            "gw_admin add_moderation_override",
            text_hash=text_hash("Kill the lights"),
            category="violence",
        )
    )
    ok(await call(game, "table_talk", message="Kill the lights"))
    assert game.state().moderation_log[-1].override == "MOD-2"


async def test_a_blocked_text_is_refused_and_logged_while_paused() -> None:
    game = LocalGame()
    await game.execute(PauseGame(actor=ADMIN, at=game.now(), reason="Moving the server"))
    refused(await call(game, "table_talk", message="b0mb"), "blocked")
    refused(await call(game, "table_talk", message="bombastic"), "paused")
    assert [r.blocked for r in game.state().moderation_log] == [True]


async def test_an_empty_program_is_not_screened() -> None:
    game = await rich_game()
    ok(await call(game, "invest", faction="industry", amount=3))
    ok(await call(game, "endow_archive", amount=4, program="The bombastic fund"))
    assert game.state().moderation_log == ()


def test_program_is_the_last_surface() -> None:
    assert SURFACES[-1] == "program"
    assert SURFACES[:2] == ("theory", "table_talk")


class Heresy:
    """A plugged classifier: flags 'heresy' as abuse."""

    def check(self, text: str, surface: str) -> Verdict:
        del surface
        if "heresy" in text.lower():
            return Verdict(blocked=True, stage="classifier", category="abuse")
        return PASS


async def test_a_plugged_checker_refuses_through_the_commands() -> None:
    game = LocalGame()
    with installed(Chain(Blocklist(), Heresy())):
        reply = await call(game, "table_talk", message="Pure heresy")
        refused(
            reply,
            "blocked",
            "Your table talk message was blocked by moderation",
            "the classifier check flagged it (abuse)",
        )
        assert (reply.data["stage"], reply.data["word"]) == ("classifier", None)
        refused(await call(game, "table_talk", message="k i l l"), "blocked", "“kill”")
        ok(
            await admin(
                game,
                "gw_admin add_moderation_override",
                text_hash=text_hash("Pure heresy"),
                stage="classifier",
            )
        )
        ok(await call(game, "table_talk", message="Pure heresy"))
    ok(await call(game, "table_talk", message="More heresy"))  # the plug is gone
    log = game.state().moderation_log
    assert [(r.stage, r.category, r.blocked) for r in log] == [
        ("classifier", "abuse", True),
        ("blocklist", "violence", True),
        ("classifier", "abuse", False),
    ]


def test_the_message_says_which_check_found_a_word() -> None:
    by_list = Verdict(blocked=True, stage="blocklist", category="self_harm", matched="suicide")
    assert "it contains “suicide”, a word on the blocklist (self harm)" in blocked_message(
        "program", by_list, KEY
    )
    by_model = Verdict(blocked=True, stage="classifier", matched="heresy", found="h3resy")
    text = blocked_message("symposium_topic", by_model, KEY)
    assert text.startswith("Your symposium topic was blocked by moderation: it contains “heresy”")
    assert "(read in “h3resy”), flagged by the classifier check." in text
    assert text.endswith(f"/gw_admin add_moderation_override text_hash:{KEY}")
