"""Pure time arithmetic for the clock: when digests and symposia fall, in a local time zone.

Times are configured as local wall-clock times in an IANA zone and resolved to UTC instants
day by day, so daylight-saving changes are handled the way players expect:

- a local time that does not exist (the hour skipped when clocks spring forward) is taken as
  the first valid instant after the gap (02:30 on a Paris spring-forward day is 03:00 CEST);
- a local time that happens twice (clocks falling back) counts once, at its first occurrence.

Nothing here reads a clock or starts a thread: the clock actor passes instants in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from greatwork.config import WEEKDAYS, ConfigError, Settings, format_time
from greatwork.rules.ids import Instant

EARLIEST = Instant(int(datetime(2, 1, 1, tzinfo=UTC).timestamp()))
"""The first instant a schedule accepts (datetime cannot go below year 1)."""
LATEST = Instant(int(datetime(9998, 12, 31, tzinfo=UTC).timestamp()))
"""The last instant a schedule accepts (datetime cannot go past year 9999)."""

_DAY = timedelta(days=1)
_WINDOW = 7 * 86_400  # seconds of slots computed at a time when searching forward
_MARGIN = 2 * _DAY  # local days either side of a range: a gap or an offset never moves a slot more


class SlotKind(StrEnum):
    """What happens at a slot."""

    SYMPOSIUM = "symposium"
    DIGEST = "digest"


_RANK = {SlotKind.SYMPOSIUM: 0, SlotKind.DIGEST: 1}  # at the same instant, the symposium first


@dataclass(frozen=True, slots=True)
class Slot:
    """One scheduled happening."""

    at: Instant
    """When it falls due, in epoch seconds UTC."""
    kind: SlotKind
    """A digest or the weekly symposium."""


class Schedule:
    """The digest times and the weekly symposium of a campaign, in one time zone.

    Args:
        timezone: an IANA zone, by name or as a ``ZoneInfo`` built from a name.
        digest_times: local times of the daily digests (1 to 6, distinct; sorted here).
        symposium_day: the symposium's weekday, Monday 0 to Sunday 6.
        symposium_time: the symposium's local time.

    Raises:
        ConfigError: a value is out of range (the same limits as the settings).
    """

    __slots__ = ("_digest_times", "_symposium_day", "_symposium_time", "_zone")

    def __init__(
        self,
        timezone: ZoneInfo | str,
        digest_times: Iterable[time],
        symposium_day: int,
        symposium_time: time,
    ) -> None:
        key = timezone if isinstance(timezone, str) else timezone.key
        if key is None:
            raise ConfigError("Schedule: the time zone must be built from an IANA name")
        # Settings checks and normalises exactly these fields; build one to share its limits.
        checked = Settings(
            timezone=key,
            digest_times=tuple(digest_times),
            symposium_day=symposium_day,
            symposium_time=symposium_time,
        )
        self._zone = checked.zone
        self._digest_times = checked.digest_times
        self._symposium_day = checked.symposium_day
        self._symposium_time = checked.symposium_time

    @classmethod
    def from_settings(cls, settings: Settings) -> Schedule:
        """Build the schedule the settings describe."""
        return cls(
            settings.timezone,
            settings.digest_times,
            settings.symposium_day,
            settings.symposium_time,
        )

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of every local time here."""
        return self._zone

    @property
    def digest_times(self) -> tuple[time, ...]:
        """The local digest times, sorted."""
        return self._digest_times

    @property
    def symposium_day(self) -> int:
        """The symposium's weekday, Monday 0 to Sunday 6."""
        return self._symposium_day

    @property
    def symposium_time(self) -> time:
        """The symposium's local time."""
        return self._symposium_time

    def __repr__(self) -> str:
        digests = ", ".join(format_time(t) for t in self._digest_times)
        symposium = f"{WEEKDAYS[self._symposium_day]} {format_time(self._symposium_time)}"
        return f"Schedule({self._zone.key}: digests {digests}; symposium {symposium})"

    def resolve(self, day: date, at: time) -> Instant:
        """Return the instant of a local date and time, by the daylight-saving rules above."""
        naive = datetime.combine(day, at)
        first = int(naive.replace(tzinfo=self._zone).timestamp())
        if self._wall(first) == naive:
            return Instant(first)
        # In a gap the two folds give instants either side of the transition; the wall clock
        # is still before the wanted time at the lower one and past it at the upper one, so
        # bisect for the first second whose wall time reaches it: the end of the gap.
        other = int(naive.replace(tzinfo=self._zone, fold=1).timestamp())
        low, high = min(first, other), max(first, other)
        while high - low > 1:
            middle = (low + high) // 2
            if self._wall(middle) >= naive:
                high = middle
            else:
                low = middle
        return Instant(high)

    def slots_between(self, after: Instant, upto: Instant) -> list[Slot]:
        """Return the slots with ``after < at <= upto`` in time order.

        At the same instant a symposium comes before a digest.

        Raises:
            ValueError: an instant is outside EARLIEST..LATEST.
        """
        _check(after, "after")
        _check(upto, "upto")
        if upto <= after:
            return []
        found: set[Slot] = set()
        day = self._local_date(after) - _MARGIN
        last = self._local_date(upto) + _MARGIN
        while day <= last:
            found.update(Slot(self.resolve(day, t), SlotKind.DIGEST) for t in self._digest_times)
            if day.weekday() == self._symposium_day:
                found.add(Slot(self.resolve(day, self._symposium_time), SlotKind.SYMPOSIUM))
            day += _DAY
        # A set: two local times that land on one instant (a whole day skipped) count once.
        chosen = (slot for slot in found if after < slot.at <= upto)
        return sorted(chosen, key=lambda slot: (slot.at, _RANK[slot.kind]))

    def digest_slots_between(self, after: Instant, upto: Instant) -> list[Instant]:
        """Return the digest instants with ``after < at <= upto``, in time order."""
        return [s.at for s in self.slots_between(after, upto) if s.kind is SlotKind.DIGEST]

    def iter_slots(self, after: Instant) -> Iterator[Slot]:
        """Return every slot after ``after``, in time order, lazily and without end (to LATEST).

        Raises:
            ValueError: ``after`` is outside EARLIEST..LATEST.
        """
        _check(after, "after")
        return self._walk(after)

    def _walk(self, start: Instant) -> Iterator[Slot]:
        while start < LATEST:
            end = Instant(min(start + _WINDOW, LATEST))
            yield from self.slots_between(start, end)
            start = end

    def next_slot(self, after: Instant, kind: SlotKind | None = None) -> Slot:
        """Return the first slot strictly after ``after``, of ``kind`` if one is given.

        Raises:
            ValueError: ``after`` is outside EARLIEST..LATEST, or no slot falls before LATEST.
        """
        for slot in self.iter_slots(after):
            if kind is None or slot.kind is kind:
                return slot
        raise ValueError(f"no {kind or 'slot'} after {after} before {LATEST}")

    def _wall(self, instant: int) -> datetime:
        """The naive local wall time at an instant."""
        return datetime.fromtimestamp(instant, self._zone).replace(tzinfo=None, fold=0)

    def _local_date(self, instant: Instant) -> date:
        return datetime.fromtimestamp(instant, self._zone).date()


def _check(instant: Instant, name: str) -> None:
    if not EARLIEST <= instant <= LATEST:
        raise ValueError(f"{name}={instant} is outside the supported range {EARLIEST}..{LATEST}")
