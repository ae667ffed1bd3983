"""Social moves: nicknames, table talk and press shares (rules.social)."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.errors import Conflict, InvalidInput, NotFound
from greatwork.rules.event import apply_all
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.player import PlayerActive, PlayerJoined
from greatwork.rules.social import (
    NICKNAMES_KEPT,
    NicknameAdopted,
    PostTableTalk,
    PressShared,
    SetNickname,
    SharePress,
    TableTalkPosted,
)
from greatwork.rules.state import CampaignState, Nickname
from tests.rules.builders import T0, make_player, make_scholar, make_state, run

P1 = PlayerId("p1")
SID = ScholarId("s.test")


def _state() -> CampaignState:
    return make_state([make_player("p1")], [make_scholar("s.test")])


def _nickname(text: str, at: int = T0, actor: str = "p1") -> SetNickname:
    return SetNickname(actor=PlayerId(actor), at=Instant(at), scholar=SID, nickname=text)


def test_a_nickname_is_kept_on_the_scholar() -> None:
    result = run(_state(), _nickname("  The   Quill  "))
    assert result.events == (NicknameAdopted(at=T0, scholar=SID, player=P1, nickname="The Quill"),)
    assert result.state.scholars[SID].nicknames == (
        Nickname(player=P1, nickname="The Quill", at=T0),
    )


def test_only_the_last_five_nicknames_are_kept() -> None:
    state = _state()
    for i in range(NICKNAMES_KEPT + 2):
        state = run(state, _nickname(f"name {i}", T0 + i)).state
    kept = [n.nickname for n in state.scholars[SID].nicknames]
    assert kept == [f"name {i}" for i in range(2, NICKNAMES_KEPT + 2)]


def test_a_new_player_joins_by_naming_a_scholar() -> None:
    state = make_state([], [make_scholar("s.test")])
    result = run(state, _nickname("Quill", actor="newcomer"))
    assert isinstance(result.events[0], PlayerJoined)
    assert result.state.scholars[SID].nicknames[0].player == PlayerId("newcomer")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nickname must not be empty"),
        ("   \n ", "nickname must not be empty"),
        ("x" * 65, "at most 64 characters"),
    ],
)
def test_a_bad_nickname_is_refused(text: str, message: str) -> None:
    state = _state()
    with pytest.raises(InvalidInput, match=message):
        run(state, _nickname(text))


def test_a_nickname_of_exactly_64_characters_is_accepted() -> None:
    result = run(_state(), _nickname("q" * 64))
    assert result.state.scholars[SID].nicknames[-1].nickname == "q" * 64


def test_a_nickname_for_an_unknown_scholar_is_refused() -> None:
    cmd = SetNickname(actor=P1, at=T0, scholar=ScholarId("s.ghost"), nickname="Boo")
    with pytest.raises(NotFound, match=r"s\.ghost"):
        run(_state(), cmd)


def test_repeating_the_current_nickname_is_refused_any_case() -> None:
    state = run(_state(), _nickname("The Quill")).state
    with pytest.raises(Conflict, match="already known as 'The Quill'"):
        run(state, _nickname("the quill", T0 + 5))
    # A different nickname, and later the old one again, are both fine.
    state = run(state, _nickname("Inky", T0 + 6)).state
    state = run(state, _nickname("The Quill", T0 + 7)).state
    assert [n.nickname for n in state.scholars[SID].nicknames] == ["The Quill", "Inky", "The Quill"]


def test_table_talk_records_the_message_and_nothing_else() -> None:
    state = _state()
    result = run(state, PostTableTalk(actor=P1, at=T0, message="  Hello, table!\nAll well?  "))
    assert result.events == (TableTalkPosted(at=T0, player=P1, message="Hello, table!\nAll well?"),)
    assert result.state == dataclasses.replace(state, seq=state.seq + 1)


def test_table_talk_notes_activity_once_a_day() -> None:
    state = _state()
    later = Instant(T0 + 86_400)
    result = run(state, PostTableTalk(actor=P1, at=later, message="A day on"))
    assert result.events[-1] == PlayerActive(at=later, player=P1)
    assert result.state.players[P1].last_active_at == later


@pytest.mark.parametrize(("text", "message"), [(" ", "must not be empty"), ("y" * 1001, "1000")])
def test_bad_table_talk_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        run(_state(), PostTableTalk(actor=P1, at=T0, message=text))


def test_table_talk_of_1000_characters_is_accepted() -> None:
    result = run(_state(), PostTableTalk(actor=P1, at=T0, message="z" * 1000))
    assert result.events[-1] == TableTalkPosted(at=T0, player=P1, message="z" * 1000)


def test_sharing_press_records_who_shared_what() -> None:
    state = _state()
    result = run(state, SharePress(actor=P1, at=T0, press_id=12))
    assert result.events == (PressShared(at=T0, player=P1, press_id=12),)
    assert result.state.seq == state.seq + 1


@pytest.mark.parametrize("press_id", [0, -3])
def test_sharing_a_press_id_below_1_is_refused(press_id: int) -> None:
    with pytest.raises(InvalidInput, match=f"not {press_id}"):
        run(_state(), SharePress(actor=P1, at=T0, press_id=press_id))


def test_social_events_round_trip_and_replay() -> None:
    state = _state()
    events = [
        *run(state, _nickname("Quill")).events,
        TableTalkPosted(at=Instant(T0 + 1), player=P1, message="hi"),
        PressShared(at=Instant(T0 + 2), player=P1, press_id=3),
    ]
    decoded = [decode_event(encode_event(e)) for e in events]
    assert decoded == events
    replayed = apply_all(state, decoded)
    assert replayed.scholars[SID].nicknames == (Nickname(player=P1, nickname="Quill", at=T0),)
    assert replayed.seq == state.seq + 3
