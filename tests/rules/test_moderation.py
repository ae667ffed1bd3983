"""Moderation overrides and the moderation log (section 3.13, D15)."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from greatwork.rules.codec import decode, decode_event, encode, encode_event
from greatwork.rules.command import Result
from greatwork.rules.constants import HOUR
from greatwork.rules.errors import Conflict, InvalidInput, NotFound, RuleError
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.moderation import (
    LOG_SIZE,
    MAX_EXPIRY_HOURS,
    SURFACE_NAMES,
    SURFACES,
    AddModerationOverride,
    ModerationOverrideAdded,
    ModerationOverrideRemoved,
    RecordModeration,
    RemoveModerationOverride,
    TextBlocked,
    TextModerated,
    is_expired,
    moderation_event,
    override_for,
    overrides,
    parse_hash,
    recent,
    snippet,
    surface_name,
    text_hash,
)
from greatwork.rules.state import CampaignState, ModerationOverride, Pause
from tests.rules.builders import T0, make_player, make_state, run

ADMIN = PlayerId("admin")
TEXT = "  The bombastic theory of skill  "
KEY = hashlib.sha256(b"The bombastic theory of skill").hexdigest()


def _add(state: CampaignState, **fields: object) -> CampaignState:
    values: dict[str, object] = {"text_hash": KEY, "actor": ADMIN, "at": T0}
    values.update(fields)
    return run(state, AddModerationOverride(**values)).state  # type: ignore[arg-type]


def _state() -> CampaignState:
    return make_state([make_player("p1")])


# --- hashing and parsing ---------------------------------------------------------------------


def test_text_hash_is_the_sha256_of_the_stripped_text() -> None:
    assert text_hash(TEXT) == KEY
    assert text_hash("x") != text_hash("X")  # only whitespace at the ends is ignored


def test_parse_hash_accepts_any_case_and_surrounding_space() -> None:
    assert parse_hash(f"  {KEY.upper()} ") == KEY


@pytest.mark.parametrize(
    ("value", "length"),
    [("abc", 3), ("g" * 64, 64), ("a" * 63, 63), ("a" * 65, 65), ("", 0)],
)
def test_parse_hash_refuses_anything_but_64_hex_characters(value: str, length: int) -> None:
    with pytest.raises(InvalidInput, match="64 hexadecimal characters") as info:
        parse_hash(value)
    assert f"got {length} characters" in info.value.message
    assert info.value.data["field"] == "text_hash"


def test_snippet_is_one_line_and_capped() -> None:
    assert snippet("a\n  b\tc") == "a b c"
    long = snippet("word " * 40)
    assert len(long) == 80
    assert long.endswith("…")


# --- adding ----------------------------------------------------------------------------------


def test_add_records_a_scoped_expiring_override() -> None:
    state = _state()
    result = run(
        state,
        AddModerationOverride(
            actor=ADMIN,
            at=T0,
            text_hash=KEY.upper(),
            surface="Theory",
            stage="blocklist",
            category="violence",
            notes="  a  false   positive ",
            expires_hours=2,
        ),
    )
    (event,) = result.events
    assert isinstance(event, ModerationOverrideAdded)
    override = result.state.moderation_overrides["MOD-1"]
    assert override == ModerationOverride(
        id="MOD-1",
        text_hash=KEY,
        created_at=T0,
        created_by=ADMIN,
        surface="theory",
        stage="blocklist",
        category="violence",
        notes="a false positive",
        expires_at=Instant(T0 + 2 * HOUR),
    )
    assert result.state.counters["moderation_override"] == 1
    assert ADMIN not in result.state.players  # an admin command creates no player
    assert apply_all(state, result.events) == result.state
    assert decode_event(encode_event(event)) == event


def test_ids_count_up() -> None:
    state = _add(_state(), surface="theory")
    state = _add(state, surface="nickname")
    assert sorted(state.moderation_overrides) == ["MOD-1", "MOD-2"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text_hash": "nothex"}, "64 hexadecimal characters"),
        ({"surface": "forum"}, "Unknown surface 'forum': choose one of theory"),
        ({"stage": "guardian"}, "Unknown stage 'guardian'"),
        ({"category": "rude"}, "Unknown category 'rude'"),
        ({"notes": "n" * 201}, "notes is too long: at most 200"),
        ({"expires_hours": 0}, "between 1 and 8760 hours; got 0"),
        ({"expires_hours": MAX_EXPIRY_HOURS + 1}, "got 8761"),
    ],
)
def test_add_refuses_bad_input(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _add(_state(), **fields)


def test_add_refuses_a_duplicate_of_an_override_in_force() -> None:
    state = _add(_state(), surface="theory")
    with pytest.raises(Conflict, match="Override MOD-1 already covers this text"):
        _add(state, surface="theory", at=Instant(T0 + 10))
    # A different scope is a different override.
    assert "MOD-2" in _add(state, surface="nickname").moderation_overrides


def test_an_expired_override_does_not_block_a_new_one() -> None:
    state = _add(_state(), expires_hours=1)
    later = _add(state, at=Instant(T0 + HOUR))
    assert sorted(later.moderation_overrides) == ["MOD-1", "MOD-2"]


def test_admin_commands_run_while_paused() -> None:
    paused = dataclasses.replace(_state(), pause=Pause(reason="r", source="admin", since=T0))
    state = _add(paused)
    assert "MOD-1" in state.moderation_overrides


# --- removing --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["MOD-1", "mod-1", " 1 "])
def test_remove_by_id_or_number(typed: str) -> None:
    state = _add(_state())
    result = run(state, RemoveModerationOverride(actor=ADMIN, at=T0, override=typed))
    assert result.events == (ModerationOverrideRemoved(at=T0, override="MOD-1", by=ADMIN),)
    assert result.state.moderation_overrides == {}
    assert apply_all(state, result.events) == result.state


def test_remove_refuses_an_unknown_id() -> None:
    state = _add(_state())
    with pytest.raises(NotFound, match="No moderation override 'MOD-9'; /gw_admin moderation_"):
        run(state, RemoveModerationOverride(actor=ADMIN, at=T0, override="MOD-9"))


def test_a_removed_id_is_never_reused() -> None:
    state = _add(_state())
    state = run(state, RemoveModerationOverride(actor=ADMIN, at=T0, override="1")).state
    assert list(_add(state).moderation_overrides) == ["MOD-2"]


# --- override_for ----------------------------------------------------------------------------


def test_override_for_matches_the_stripped_text_on_any_surface() -> None:
    state = _add(_state())
    found = override_for(state, TEXT.strip(), "table_talk", T0)
    assert found is not None
    assert found.id == "MOD-1"
    assert override_for(state, "another text", "table_talk", T0) is None


def test_override_for_respects_the_surface_scope() -> None:
    state = _add(_state(), surface="nickname")
    assert override_for(state, TEXT, "theory", T0) is None
    assert override_for(state, TEXT, "nickname", T0) is not None


def test_a_stage_or_category_scope_applies_only_when_the_caller_names_it() -> None:
    state = _add(_state(), stage="blocklist", category="violence")
    assert override_for(state, TEXT, "theory", T0) is None
    assert override_for(state, TEXT, "theory", T0, stage="blocklist") is None
    assert override_for(state, TEXT, "theory", T0, stage="classifier", category="violence") is None
    found = override_for(state, TEXT, "theory", T0, stage="blocklist", category="violence")
    assert found is not None


def test_override_for_ignores_expired_overrides() -> None:
    state = _add(_state(), expires_hours=1)
    assert override_for(state, TEXT, "theory", Instant(T0 + HOUR - 1)) is not None
    assert override_for(state, TEXT, "theory", Instant(T0 + HOUR)) is None


def test_the_most_specific_then_the_newest_override_wins() -> None:
    state = _add(_state())
    state = _add(state, surface="theory")
    state = _add(state, surface="theory", category="violence")
    picked = override_for(state, TEXT, "theory", T0, category="violence")
    assert picked is not None
    assert picked.id == "MOD-3"
    plain = override_for(state, TEXT, "theory", T0)
    assert plain is not None
    assert plain.id == "MOD-2"
    state = _add(state, surface="theory", stage="blocklist", at=Instant(T0 + 5))
    newest = override_for(state, TEXT, "theory", T0, stage="blocklist")
    assert newest is not None
    assert newest.id == "MOD-4"


def test_overrides_lists_in_id_order_and_hides_expired_ones() -> None:
    state = _state()
    for n in range(1, 12):  # MOD-10 sorts after MOD-9
        state = _add(state, text_hash=text_hash(f"text {n}"))
    state = _add(state, expires_hours=1, category="hate")
    later = Instant(T0 + 2 * HOUR)
    shown = overrides(state, later)
    assert [o.id for o in shown] == [f"MOD-{n}" for n in range(1, 12)]
    everything = overrides(state, later, include_expired=True)
    assert everything[-1].id == "MOD-12"
    assert is_expired(everything[-1], later)


# --- the moderation log ----------------------------------------------------------------------


def test_text_moderated_is_logged_with_hash_and_snippet() -> None:
    event = moderation_event(
        TEXT, "theory", T0, blocked=True, category="violence", stage="blocklist"
    )
    assert event.text_hash == KEY
    assert event.snippet == "The bombastic theory of skill"
    tx = Tx(_state())
    tx.emit(event)
    (record,) = tx.state.moderation_log
    assert (record.surface, record.blocked, record.category, record.stage) == (
        "theory",
        True,
        "violence",
        "blocklist",
    )
    assert decode_event(encode_event(event)) == event


def test_the_log_keeps_the_last_50_and_recent_lists_newest_first() -> None:
    state = _state()
    events = [
        TextModerated(
            at=Instant(T0 + n), surface="table_talk", text_hash=KEY, snippet=f"t{n}", blocked=False
        )
        for n in range(LOG_SIZE + 5)
    ]
    state = apply_all(state, events)
    assert len(state.moderation_log) == LOG_SIZE
    assert state.moderation_log[0].snippet == "t5"
    assert [r.snippet for r in recent(state, 3)] == ["t54", "t53", "t52"]
    assert recent(state, 0) == ()
    assert len(recent(state, 500)) == LOG_SIZE


def test_moderation_fields_round_trip_through_the_codec() -> None:
    state = _add(_state(), surface="theory", expires_hours=3)
    state = apply_all(
        state, [moderation_event("hello", "nickname", T0, blocked=True, override="MOD-1")]
    )
    assert decode(CampaignState, encode(state)) == state


# --- the hook's decisions: RecordModeration ----------------------------------------------------

WRITER = PlayerId("p1")


def _flagged(state: CampaignState, **fields: object) -> Result:
    values: dict[str, object] = {
        "actor": WRITER,
        "at": T0,
        "text": TEXT,
        "surface": "theory",
        "stage": "blocklist",
        "category": "violence",
    }
    values.update(fields)
    return run(state, RecordModeration(**values))  # type: ignore[arg-type]


def _decision(state: CampaignState, **fields: object) -> TextModerated:
    (event,) = _flagged(state, **fields).events
    assert isinstance(event, TextModerated)
    return event


def test_a_flagged_text_without_an_override_is_logged_as_blocked() -> None:
    state = _state()
    result = _flagged(state)
    (event,) = result.events
    assert event == moderation_event(
        TEXT, "theory", T0, blocked=True, category="violence", stage="blocklist"
    )
    (record,) = result.state.moderation_log
    assert (record.blocked, record.override, record.snippet) == (
        True,
        None,
        "The bombastic theory of skill",
    )
    assert result.state.players == state.players
    assert apply_all(state, result.events) == result.state


def test_a_flagged_text_with_an_override_is_logged_as_passed() -> None:
    state = _add(_state(), surface="theory")
    event = _decision(state)
    assert (event.blocked, event.override) == (False, "MOD-1")


def test_the_override_is_matched_with_the_flag_s_stage_and_category() -> None:
    state = _add(_state(), stage="classifier")
    assert _decision(state).blocked
    state = _add(state, category="violence")
    event = _decision(state)
    assert (event.blocked, event.override) == (False, "MOD-2")
    assert _decision(state, category="hate").blocked


def test_an_expired_override_no_longer_lets_a_text_pass() -> None:
    state = _add(_state(), expires_hours=1)
    assert not _decision(state).blocked
    assert _decision(state, at=Instant(T0 + 2 * HOUR)).blocked


def test_record_moderation_needs_no_player_and_runs_while_paused() -> None:
    state = dataclasses.replace(_state(), pause=Pause(reason="Moving", source="admin", since=T0))
    result = _flagged(state, actor=PlayerId("stranger"))
    assert PlayerId("stranger") not in result.state.players
    assert len(result.state.moderation_log) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"surface": "email"}, "Unknown moderation surface 'email'"),
        ({"stage": "human"}, "Unknown moderation stage 'human': use one of blocklist"),
        ({"stage": ""}, "Unknown moderation stage ''"),
        ({"category": "rude"}, "Unknown moderation category 'rude': use one of hate"),
    ],
)
def test_record_moderation_refuses_unknown_names(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _flagged(_state(), **fields)


def test_a_flag_without_a_category_is_logged_without_one() -> None:
    event = _decision(_state(), category=None, stage="classifier")
    assert (event.category, event.stage) == (None, "classifier")


def test_program_is_a_surface_appended_last() -> None:
    assert SURFACES[-1] == "program"
    state = _add(_state(), surface="program")
    event = _decision(state, surface="program")
    assert (event.surface, event.blocked) == ("program", False)


def test_text_blocked_is_a_refusal_with_its_own_code() -> None:
    error = TextBlocked("Blocked.", surface="theory")
    assert isinstance(error, RuleError)
    assert (error.code, error.data["surface"]) == ("blocked", "theory")


def test_every_surface_has_a_name_with_and_without_its_article() -> None:
    assert set(SURFACE_NAMES) == set(SURFACES)
    assert surface_name("objective") == "an expedition objective"
    assert surface_name("objective", article=False) == "expedition objective"
    assert surface_name("llm_output", article=False).startswith("language model's")
    assert surface_name("new_surface") == "new surface"
