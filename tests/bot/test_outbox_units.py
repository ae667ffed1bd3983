"""How the outbox groups press released together: the journal's rule and a lane's queue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from greatwork.bot.directory import ChannelRole
from greatwork.bot.gazette import release_posts
from greatwork.bot.limits import post_problems
from greatwork.bot.outbox import press_key, press_span
from greatwork.bot.outbox.lane import Lane
from greatwork.bot.outbox.units import Unit, covered, plan, press_unit
from greatwork.press.item import PressItem
from greatwork.rules.ids import CampaignId, Instant
from greatwork.store import OutboxRow, OutboxState

T = 1_767_258_000  # when the campaign began
LATER = T + 3_600
DIGEST_AT = T + 4 * 3_600


def item(n: int, at: int = T, *, digest: int = 1, talk: bool = False, size: int = 150) -> PressItem:
    occasion = "table_talk" if talk else "legend_joined"
    return PressItem(
        id=n,
        kind="academic_gossip",
        headline=f"Among Us: scholar number {n}",
        body=("Word of a new face in the common room. " * 10)[:size],
        at=Instant(at),
        release_at=Instant(at),
        seq=n,
        digest=digest,
        meta={"occasion": occasion, "year": 1920},
    )


def founding() -> list[PressItem]:
    return [item(n) for n in range(1, 21)]


def row(key: str, state: OutboxState = OutboxState.POSTED, *, at: int = T) -> OutboxRow:
    ids = (1,) if state is OutboxState.POSTED else ()
    return OutboxRow("guild-1", key, 10, "n" * 20, state, ids, 1, "", at, at)


def rows(*made: OutboxRow) -> Mapping[str, OutboxRow]:
    return {r.key: r for r in made}


def keys(units: Sequence[Unit]) -> list[str]:
    return [u.key for u in units]


# --- the journal's rule ------------------------------------------------------------------------


def test_twenty_founding_items_are_one_post_within_the_limits() -> None:
    [unit] = plan({}, [], founding())
    assert unit.key == "press:1-20"
    assert [i.id for i in unit.items] == list(range(1, 21))
    assert (unit.released_at, unit.role) == (T, ChannelRole.GAZETTE)
    posts = release_posts(unit.items)
    assert len(posts) == 2  # 20 stories, 10 embeds a message
    assert all(post_problems(p) == [] for p in posts)
    assert posts[0].content == "The Great Work Gazette · Anno 1920 · 20 stories"
    footers = [e["footer"]["text"] for p in posts for e in p.embeds]
    assert footers == [f"No. {n} · Academic Gossip" for n in range(1, 21)]


def test_two_items_of_one_command_are_one_post() -> None:
    assert keys(plan({}, [], [item(21, LATER), item(22, LATER)])) == ["press:21-22"]


def test_items_released_at_different_moments_are_separate_posts() -> None:
    items = [*founding(), item(21, LATER), item(22, LATER + 60), item(23, LATER + 60)]
    assert keys(plan({}, [], items)) == ["press:1-20", "press:21", "press:22-23"]


def test_a_gap_in_the_numbers_or_another_channel_starts_a_new_post() -> None:
    # No. 22 is a follow-up released later; No. 24 is table talk.
    items = [item(21, LATER), item(22, LATER + 900), item(23, LATER), item(24, LATER, talk=True)]
    units = plan({}, [], items)
    assert keys(units) == ["press:21", "press:23", "press:24", "press:22"]
    assert [u.role for u in units][2] == ChannelRole.TABLE_TALK


def test_a_digests_own_stories_are_left_to_it() -> None:
    stories = [item(n, DIGEST_AT) for n in (21, 22)]
    bulletin = item(23, DIGEST_AT, digest=2)  # released when digest 1 ran, for digest 2
    units = plan({}, [(1, DIGEST_AT)], [*stories, bulletin])
    assert keys(units) == ["digest:1", "press:23"]


def test_a_row_fixes_its_post_and_later_items_of_the_moment_start_another() -> None:
    items = [*founding(), item(21), item(22)]
    done = rows(row("press:1-20"))
    assert keys(plan(done, [], items)) == ["press:21-22"]
    sending = rows(row("press:1-20", OutboxState.SENDING))
    units = plan(sending, [], items)
    assert keys(units) == ["press:1-20", "press:21-22"]
    assert [i.id for i in units[0].items] == list(range(1, 21))  # resumed as it was begun
    assert plan(rows(row("press:1-20"), row("press:21-22")), [], items) == []


def test_what_no_row_holds_is_grouped_by_the_rule_alone() -> None:
    # Nothing was begun: the same items always make the same posts, whatever came first.
    items = [*founding(), item(21)]
    assert keys(plan({}, [], items)) == ["press:1-21"]
    assert plan({}, [], list(reversed(items))) == plan({}, [], items)


def test_an_item_a_digest_carries_but_a_row_holds_is_not_left_to_the_digest() -> None:
    early = item(21, DIGEST_AT)  # posted on its own before digest 1 was seen
    units = plan(
        rows(row("press:21", OutboxState.SENDING, at=DIGEST_AT)), [(1, DIGEST_AT)], [early]
    )
    assert keys(units) == ["digest:1", "press:21"]


def test_finished_digests_and_notices_are_not_planned_again() -> None:
    done = rows(row("digest:1", at=DIGEST_AT), row("notice:failed:press:1-20"), row("press:1-20"))
    assert plan(done, [(1, DIGEST_AT)], founding()) == []


def test_keys_name_their_items() -> None:
    assert press_key(17, 17) == "press:17"
    assert press_key(3, 22) == "press:3-22"
    assert press_span("press:17") == (17, 17)
    assert press_span("press:3-22") == (3, 22)
    for other in ("digest:5", "press:0", "press:5-3", "press:x", "notice:failed:press:1-2"):
        assert press_span(other) is None
    with pytest.raises(ValueError, match="got 5 to 3"):
        press_key(5, 3)
    assert covered(["press:1-3", "digest:1", "press:7"]) == {
        1: "press:1-3",
        2: "press:1-3",
        3: "press:1-3",
        7: "press:7",
    }


def test_items_that_do_not_follow_one_another_cannot_share_a_post() -> None:
    with pytest.raises(ValueError, match=r"No\. 23 does not follow No\. 21"):
        press_unit([item(21), item(23)])
    with pytest.raises(ValueError, match=r"No\. 22 does not follow No\. 21"):
        press_unit([item(21), item(22, LATER)])
    with pytest.raises(ValueError, match="at least one"):
        press_unit([])


# --- a lane's queue ----------------------------------------------------------------------------


def lane() -> Lane:
    return Lane(CampaignId("guild-1"), 1)


def queued(made: Lane) -> list[str]:
    return [u.key for u in made.units]


def test_items_queued_together_share_a_post_until_it_is_taken() -> None:
    made = lane()
    for each in founding():
        assert made.add_item(each)
    assert queued(made) == ["press:1-20"]
    taken = made.take()
    assert taken is not None
    assert taken.key == "press:1-20"
    made.add_item(item(21))  # same moment, next number, but the post was taken: a new one
    made.add_item(item(22))
    assert queued(made) == ["press:21-22"]
    assert made.add_item(item(22)) is False  # a repeat is ignored
    assert queued(made) == ["press:21-22"]


def test_a_post_put_back_or_rebuilt_from_the_journal_never_grows() -> None:
    made = lane()
    made.add_item(item(1))
    taken = made.take()
    assert taken is not None
    made.put_back(taken)
    made.add_item(item(2))
    assert queued(made) == ["press:1", "press:2"]

    rebuilt = lane()
    assert rebuilt.add(press_unit([item(1), item(2)]))
    rebuilt.add_item(item(3))
    assert queued(rebuilt) == ["press:1-2", "press:3"]
    assert rebuilt.add(press_unit([item(2)])) is False  # No. 2 is queued already
    assert rebuilt.add_item(item(1)) is False


def test_a_digest_in_the_queue_closes_the_post_before_it() -> None:
    made = lane()
    made.add_item(item(21, DIGEST_AT, digest=2))
    made.add(Unit("digest:1", DIGEST_AT, ChannelRole.GAZETTE, number=1))
    made.add_item(item(22, DIGEST_AT, digest=2))
    assert queued(made) == ["press:21", "digest:1", "press:22"]
