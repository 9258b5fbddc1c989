"""Estimated delivery: a range of business days counted from the day a parcel is dispatched.

The dispatch day is the shop's local date of the ship time if that is a business day and the ship
time is before the channel's daily cut-off; otherwise it is the next business day. Transit days are
business days after the dispatch day, so 0 means delivery on the dispatch day itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class BusinessCalendar:
    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Monday is 0, Sunday is 6

    def __post_init__(self) -> None:
        if not all(0 <= day <= 6 for day in self.weekend):
            raise ValueError(
                f"weekend days are 0 (Monday) to 6 (Sunday), got {sorted(self.weekend)}"
            )
        # Without a working weekday no date would ever be reached.
        if len(self.weekend) == 7:
            raise ValueError("a calendar whose weekend is the whole week has no business day")

    def is_business_day(self, d: date) -> bool:
        return d.weekday() not in self.weekend and d not in self.holidays

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_business_day(d):
            d += timedelta(days=1)
        return d

    def add_business_days(self, d: date, n: int) -> date:
        """The ``n``-th business day after ``d``; ``d`` itself when ``n`` is 0."""
        if n < 0:
            raise ValueError(f"cannot add {n} business days: the count must be 0 or more")
        for _ in range(n):
            d = self.next_business_day(d)
        return d


@dataclass(frozen=True)
class DeliveryEstimate:
    earliest: date
    latest: date

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            raise ValueError(f"latest {self.latest} is before earliest {self.earliest}")


def next_dispatch_day(
    ship_time: datetime, cutoff: time | None, tz: str, calendar: BusinessCalendar
) -> date:
    """The business day on which a parcel handed over at ``ship_time`` leaves with the carrier.

    ``cutoff`` is a wall-clock time in the shop's zone ``tz``; a parcel handed over at the cut-off
    or later waits for the next business day. No cut-off means any time of a business day counts.
    """
    if ship_time.tzinfo is None or ship_time.utcoffset() is None:
        raise ValueError(
            f"ship time {ship_time.isoformat()} has no time zone: pass an aware datetime (UTC)"
        )
    if cutoff is not None and cutoff.tzinfo is not None:
        raise ValueError(
            f"cut-off {cutoff.isoformat()} carries a time zone: give the shop's wall-clock time"
        )
    local = ship_time.astimezone(_zone(tz))
    day = local.date()
    in_time = cutoff is None or local.time() < cutoff
    if calendar.is_business_day(day) and in_time:
        return day
    return calendar.next_business_day(day)


def estimate_delivery(
    ship_time: datetime,
    transit_days_min: int,
    transit_days_max: int,
    cutoff: time | None,
    tz: str,
    calendar: BusinessCalendar,
) -> DeliveryEstimate:
    if transit_days_min < 0 or transit_days_max < transit_days_min:
        raise ValueError(
            f"transit days {transit_days_min}-{transit_days_max} are not a range: "
            "use 0 <= minimum <= maximum"
        )
    dispatch = next_dispatch_day(ship_time, cutoff, tz, calendar)
    return DeliveryEstimate(
        earliest=calendar.add_business_days(dispatch, transit_days_min),
        latest=calendar.add_business_days(dispatch, transit_days_max),
    )


def _zone(tz: str) -> ZoneInfo:
    # Besides ZoneInfoNotFoundError, keys that are not zone names at all fail otherwise: "" and
    # absolute paths with ValueError, a region folder such as "Asia" with IsADirectoryError.
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise ValueError(
            f"unknown time zone {tz!r}: use an IANA name such as 'Asia/Shanghai'"
        ) from err


__all__ = [
    "BusinessCalendar",
    "DeliveryEstimate",
    "estimate_delivery",
    "next_dispatch_day",
]
