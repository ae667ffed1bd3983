"""The clock's schedule: slots in UTC and local zones, boundaries, DST days, a year of slots."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greatwork.actors.schedule import EARLIEST, LATEST, Schedule, Slot, SlotKind
from greatwork.config import ConfigError, Settings
from greatwork.rules.ids import Instant

DIGEST, SYMPOSIUM = SlotKind.DIGEST, SlotKind.SYMPOSIUM
HOUR = 3600
DAY = 24 * HOUR
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
DEFAULT = Schedule.from_settings(Settings())


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo | None = None
) -> Instant:
    """The instant of a wall-clock time (UTC unless a zone is given)."""
    return Instant(int(datetime(year, month, day, hour, minute, tzinfo=tz or UTC).timestamp()))


def local(slot: Slot, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(slot.at, zone)


# --- UTC defaults ----------------------------------------------------------------------------


def test_defaults_come_from_settings() -> None:
    assert DEFAULT.zone.key == "UTC"
    assert DEFAULT.digest_times == (time(13), time(21))
    assert DEFAULT.symposium_day == 4
    assert DEFAULT.symposium_time == time(12)
    assert repr(DEFAULT) == "Schedule(UTC: digests 13:00, 21:00; symposium friday 12:00)"


def test_a_week_of_default_slots() -> None:
    monday = at(2024, 1, 1)  # a Monday
    slots = DEFAULT.slots_between(monday, Instant(monday + 7 * DAY))
    expected = []
    for day in range(1, 8):
        if day == 5:  # Friday 5 January
            expected.append(Slot(at(2024, 1, day, 12), SYMPOSIUM))
        expected += [Slot(at(2024, 1, day, 13), DIGEST), Slot(at(2024, 1, day, 21), DIGEST)]
    assert slots == expected
    assert len(slots) == 15


def test_after_is_excluded_and_upto_included() -> None:
    noon, one, nine = at(2024, 1, 2, 12), at(2024, 1, 2, 13), at(2024, 1, 2, 21)
    assert DEFAULT.slots_between(one, nine) == [Slot(nine, DIGEST)]
    assert DEFAULT.slots_between(noon, one) == [Slot(one, DIGEST)]
    assert DEFAULT.slots_between(Instant(one - 1), Instant(one)) == [Slot(one, DIGEST)]
    assert DEFAULT.slots_between(one, Instant(one + 1)) == []
    assert DEFAULT.digest_slots_between(noon, nine) == [one, nine]


def test_empty_and_reversed_ranges() -> None:
    one = at(2024, 1, 2, 13)
    assert DEFAULT.slots_between(one, one) == []
    assert DEFAULT.slots_between(one, Instant(one - DAY)) == []


def test_next_slot_of_any_kind_and_of_a_kind() -> None:
    one = at(2024, 1, 2, 13)
    assert DEFAULT.next_slot(Instant(one - 1)) == Slot(one, DIGEST)
    assert DEFAULT.next_slot(one) == Slot(at(2024, 1, 2, 21), DIGEST)
    assert DEFAULT.next_slot(one, SYMPOSIUM) == Slot(at(2024, 1, 5, 12), SYMPOSIUM)
    friday_noon = at(2024, 1, 5, 12)
    assert DEFAULT.next_slot(friday_noon, SYMPOSIUM) == Slot(at(2024, 1, 12, 12), SYMPOSIUM)
    assert DEFAULT.next_slot(Instant(friday_noon - 1)) == Slot(friday_noon, SYMPOSIUM)
    assert DEFAULT.next_slot(friday_noon, DIGEST) == Slot(at(2024, 1, 5, 13), DIGEST)


def test_symposium_comes_before_a_digest_at_the_same_instant() -> None:
    schedule = Schedule("UTC", [time(13), time(21)], 4, time(13))
    friday_one = at(2024, 1, 5, 13)
    slots = schedule.slots_between(Instant(friday_one - 1), friday_one)
    assert slots == [Slot(friday_one, SYMPOSIUM), Slot(friday_one, DIGEST)]
    assert schedule.next_slot(Instant(friday_one - 1)).kind is SYMPOSIUM


def test_iter_slots_continues_across_windows() -> None:
    start = at(2024, 1, 1)
    slots = DEFAULT.iter_slots(start)
    first = [next(slots) for _ in range(60)]
    assert first == DEFAULT.slots_between(start, first[-1].at)


# --- daylight saving -------------------------------------------------------------------------


def test_paris_spring_forward_gap_takes_the_end_of_the_gap() -> None:
    # 31 March 2024: at 02:00 CET clocks go to 03:00 CEST (01:00 UTC).
    schedule = Schedule("Europe/Paris", [time(2, 30), time(13)], 6, time(2, 15))
    day = schedule.slots_between(at(2024, 3, 31, tz=PARIS), at(2024, 4, 1, tz=PARIS))
    assert day == [
        Slot(at(2024, 3, 31, 1), SYMPOSIUM),  # 02:15 does not exist: 03:00 CEST
        Slot(at(2024, 3, 31, 1), DIGEST),  # 02:30 does not exist: 03:00 CEST
        Slot(at(2024, 3, 31, 11), DIGEST),  # 13:00 CEST
    ]
    assert local(day[1], PARIS) == datetime(2024, 3, 31, 3, tzinfo=PARIS)
    assert local(day[1], PARIS).utcoffset() == timedelta(hours=2)
    before = schedule.slots_between(at(2024, 3, 30, tz=PARIS), at(2024, 3, 31, tz=PARIS))
    assert before == [Slot(at(2024, 3, 30, 1, 30), DIGEST), Slot(at(2024, 3, 30, 12), DIGEST)]


def test_paris_fall_back_repeated_time_counts_once_at_the_first() -> None:
    # 27 October 2024: at 03:00 CEST clocks go back to 02:00 CET; 02:30 happens twice.
    schedule = Schedule("Europe/Paris", [time(2, 30), time(13)], 6, time(2, 30))
    day = schedule.slots_between(at(2024, 10, 27, tz=PARIS), at(2024, 10, 28, tz=PARIS))
    assert day == [
        Slot(at(2024, 10, 27, 0, 30), SYMPOSIUM),  # the first 02:30, CEST
        Slot(at(2024, 10, 27, 0, 30), DIGEST),
        Slot(at(2024, 10, 27, 12), DIGEST),  # 13:00 CET
    ]
    second_half = schedule.slots_between(at(2024, 10, 27, 0, 30), at(2024, 10, 27, 2))
    assert second_half == []  # not again at 01:30 UTC, the second 02:30


def test_new_york_spring_forward() -> None:
    # 10 March 2024: at 02:00 EST clocks go to 03:00 EDT (07:00 UTC).
    schedule = Schedule(NEW_YORK, [time(2, 15), time(13), time(21)], 6, time(12))
    day = schedule.digest_slots_between(at(2024, 3, 10, tz=NEW_YORK), at(2024, 3, 11, tz=NEW_YORK))
    assert day == [at(2024, 3, 10, 7), at(2024, 3, 10, 17), at(2024, 3, 11, 1)]
    eve = schedule.digest_slots_between(at(2024, 3, 9, tz=NEW_YORK), at(2024, 3, 10, tz=NEW_YORK))
    assert eve == [at(2024, 3, 9, 7, 15), at(2024, 3, 9, 18), at(2024, 3, 10, 2)]


def test_new_york_fall_back() -> None:
    # 3 November 2024: at 02:00 EDT clocks go back to 01:00 EST; 01:30 happens twice.
    schedule = Schedule("America/New_York", [time(1, 30), time(13)], 6, time(12))
    day = schedule.slots_between(at(2024, 11, 3, tz=NEW_YORK), at(2024, 11, 4, tz=NEW_YORK))
    assert day == [
        Slot(at(2024, 11, 3, 5, 30), DIGEST),  # the first 01:30, EDT
        Slot(at(2024, 11, 3, 17), SYMPOSIUM),  # Sunday 12:00 EST
        Slot(at(2024, 11, 3, 18), DIGEST),  # 13:00 EST
    ]


def test_a_skipped_day_runs_its_slots_once_at_the_end_of_the_gap() -> None:
    # Samoa skipped Friday 30 December 2011: 29 December 23:59:59 -10:00 -> 31 December +14:00.
    apia = ZoneInfo("Pacific/Apia")
    schedule = Schedule(apia, [time(13), time(21)], 4, time(12))
    slots = schedule.slots_between(at(2011, 12, 29, tz=apia), at(2012, 1, 1, tz=apia))
    midnight = at(2011, 12, 31, tz=apia)
    assert slots == [
        Slot(at(2011, 12, 29, 13, tz=apia), DIGEST),
        Slot(at(2011, 12, 29, 21, tz=apia), DIGEST),
        Slot(midnight, SYMPOSIUM),
        Slot(midnight, DIGEST),
        Slot(at(2011, 12, 31, 13, tz=apia), DIGEST),
        Slot(at(2011, 12, 31, 21, tz=apia), DIGEST),
    ]


# --- long ranges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "year", "symposia"),
    [
        ("UTC", 2023, 52),
        ("UTC", 2021, 53),
        ("Europe/Paris", 2023, 52),
        ("America/New_York", 2021, 53),
    ],
)
def test_a_year_of_slots(zone: str, year: int, symposia: int) -> None:
    schedule = Schedule(zone, [time(13), time(21)], 4, time(12))
    tz = ZoneInfo(zone)
    slots = schedule.slots_between(at(year, 1, 1, tz=tz), at(year + 1, 1, 1, tz=tz))
    kinds = [slot.kind for slot in slots]
    assert kinds.count(DIGEST) == 730
    assert kinds.count(SYMPOSIUM) == symposia
    assert all(a.at < b.at for a, b in itertools.pairwise(slots))
    for slot in slots:
        wall = local(slot, tz)
        if slot.kind is DIGEST:
            assert wall.time() in {time(13), time(21)}
        else:
            assert (wall.weekday(), wall.time()) == (4, time(12))


def test_a_leap_year_and_more_digest_times() -> None:
    schedule = Schedule("Australia/Sydney", [time(h) for h in (1, 5, 9, 13, 17, 21)], 0, time(9))
    sydney = ZoneInfo("Australia/Sydney")
    slots = schedule.digest_slots_between(at(2024, 1, 1, tz=sydney), at(2025, 1, 1, tz=sydney))
    assert len(slots) == 366 * 6
    assert len(set(slots)) == len(slots)


# --- properties ------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
TIMES = st.times().map(lambda t: t.replace(microsecond=0))
SPAN = (at(1990, 1, 1), at(2040, 1, 1))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    times = draw(st.lists(TIMES, min_size=1, max_size=6, unique=True))
    return Schedule(draw(st.sampled_from(ZONES)), times, draw(st.integers(0, 6)), draw(TIMES))


@settings(max_examples=60, deadline=None)
@given(
    schedules(),
    st.integers(*SPAN),
    st.integers(0, 20 * DAY),
    st.integers(0, 20 * DAY),
)
def test_ranges_split_without_loss_or_overlap(
    schedule: Schedule, start: int, first: int, second: int
) -> None:
    a, b, c = Instant(start), Instant(start + first), Instant(start + first + second)
    joined = schedule.slots_between(a, b) + schedule.slots_between(b, c)
    assert joined == schedule.slots_between(a, c)
    if joined:
        assert schedule.next_slot(a) == joined[0]


@settings(max_examples=60, deadline=None)
@given(schedules(), st.dates(date(1990, 1, 1), date(2040, 1, 1)), TIMES)
def test_resolved_instants_are_the_wall_time_or_the_end_of_a_gap(
    schedule: Schedule, day: date, wanted: time
) -> None:
    instant = schedule.resolve(day, wanted)
    naive = datetime.combine(day, wanted)
    wall = datetime.fromtimestamp(instant, schedule.zone).replace(tzinfo=None)
    if wall != naive:  # a gap: the instant just before still shows an earlier wall time
        before = datetime.fromtimestamp(instant - 1, schedule.zone).replace(tzinfo=None)
        assert before < naive < wall
        assert wall - before <= timedelta(days=1, seconds=1)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("Mars/Olympus", [time(13)], 4, time(12)), "unknown time zone"),
        (("UTC", [], 4, time(12)), "0 times given"),
        (("UTC", [time(13), time(13)], 4, time(12)), "13:00 appears twice"),
        (("UTC", [time(13)], 7, time(12)), "out of range"),
        (("UTC", [time(13, tzinfo=UTC)], 4, time(12)), "without an offset"),
    ],
)
def test_bad_schedule_arguments_are_refused(args: tuple[object, ...], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        Schedule(*args)  # type: ignore[arg-type]


def test_instants_outside_the_calendar_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the supported range"):
        DEFAULT.slots_between(Instant(EARLIEST - 1), at(2024, 1, 1))
    with pytest.raises(ValueError, match="upto="):
        DEFAULT.slots_between(at(2024, 1, 1), Instant(LATEST + 1))
    with pytest.raises(ValueError, match="after="):
        DEFAULT.next_slot(Instant(LATEST + 1))
