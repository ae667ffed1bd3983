"""The social moves (section 5.1 [H]): nicknames for scholars, table talk, sharing press.

None of them costs anything or moves a balance. Moderation of the texts arrives with issue 5;
it runs in the command layer before these commands are executed (Q-22: nothing is recorded
before the text is checked), so the rules only clean and bound the text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import MAX_NICKNAME_LENGTH
from greatwork.rules.errors import Conflict, InvalidInput
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import PlayerId, ScholarId
from greatwork.rules.memory import get_scholar, update_scholar
from greatwork.rules.state import CampaignState, Nickname
from greatwork.rules.text import clean_text

MAX_TABLE_TALK_LENGTH: Final = 1_000
NICKNAMES_KEPT: Final = 5  # a scholar keeps (and shows) their last 5 nicknames


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NicknameAdopted(Event):
    """A player gave a scholar a nickname; the scholar keeps the last five."""

    scholar: ScholarId
    player: PlayerId
    nickname: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TableTalkPosted(Event):
    """A player said something at the table (the press desk prints it in #table-talk)."""

    player: PlayerId
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PressShared(Event):
    """A player shared a released press item with the table."""

    player: PlayerId
    press_id: int


@applies(NicknameAdopted)
def _nickname(state: CampaignState, e: NicknameAdopted) -> CampaignState:
    scholar = state.scholars[e.scholar]
    nickname = Nickname(player=e.player, nickname=e.nickname, at=e.at)
    kept = (*scholar.nicknames, nickname)[-NICKNAMES_KEPT:]
    return update_scholar(state, dataclasses.replace(scholar, nicknames=kept))


@applies(TableTalkPosted)
def _table_talk(state: CampaignState, e: TableTalkPosted) -> CampaignState:
    del e  # a record for the press desk and the archive; nothing in the state changes
    return state


@applies(PressShared)
def _shared(state: CampaignState, e: PressShared) -> CampaignState:
    del e  # a record for the press desk and the archive; nothing in the state changes
    return state


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SetNickname(Command):
    """``/set_nickname scholar nickname``: give a scholar a nickname (1 to 64 characters).

    Attributes:
        scholar: a scholar on the roster.
        nickname: the name; whitespace runs collapse to one space.
    """

    scholar: ScholarId
    nickname: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PostTableTalk(Command):
    """``/table_talk message``: say something to the table (1 to 1,000 characters)."""

    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SharePress(Command):
    """``/share_press press_id``: share a released press item with the table.

    The press lives outside the campaign state: the command layer checks that the item
    exists and is released before it executes this.
    """

    press_id: int


def clean_nickname(text: str) -> str:
    """The nickname on one line (whitespace collapsed), 1 to 64 characters, or InvalidInput."""
    return clean_text(" ".join(text.split()), "nickname", MAX_NICKNAME_LENGTH)


def clean_table_talk(text: str) -> str:
    """The stripped message, 1 to 1,000 characters, or InvalidInput naming the limit."""
    return clean_text(text, "message", MAX_TABLE_TALK_LENGTH)


@decides(SetNickname)
def _set_nickname(tx: Tx, cmd: SetNickname, ctx: Context) -> None:
    del ctx
    nickname = clean_nickname(cmd.nickname)
    scholar = get_scholar(tx.state, cmd.scholar)
    latest = scholar.nicknames[-1].nickname if scholar.nicknames else None
    if latest is not None and latest.casefold() == nickname.casefold():
        raise Conflict(
            f"{scholar.name} is already known as {latest!r}.",
            scholar=scholar.id,
            nickname=latest,
        )
    tx.emit(NicknameAdopted(at=cmd.at, scholar=scholar.id, player=cmd.actor, nickname=nickname))


@decides(PostTableTalk)
def _post_table_talk(tx: Tx, cmd: PostTableTalk, ctx: Context) -> None:
    del ctx
    message = clean_table_talk(cmd.message)
    tx.emit(TableTalkPosted(at=cmd.at, player=cmd.actor, message=message))


@decides(SharePress)
def _share_press(tx: Tx, cmd: SharePress, ctx: Context) -> None:
    del ctx
    if cmd.press_id < 1:
        raise InvalidInput(
            f"A press id is a whole number from 1 (not {cmd.press_id!r}).",
            press_id=str(cmd.press_id),
        )
    tx.emit(PressShared(at=cmd.at, player=cmd.actor, press_id=cmd.press_id))
