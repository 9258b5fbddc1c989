"""Estimated delivery: dispatch day from the cut-off in the shop's zone, then business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from splitship.domain.eta import (
    BusinessCalendar,
    DeliveryEstimate,
    estimate_delivery,
    next_dispatch_day,
)

SHANGHAI = "Asia/Shanghai"
CUTOFF = time(16, 0)
PLAIN = BusinessCalendar()  # Saturday and Sunday off, no holidays

# March 2024: Monday 4th to Friday 8th, weekend 9th-10th, Monday 11th.
MON, TUE, WED, THU, FRI = (date(2024, 3, d) for d in range(4, 9))
SAT, SUN, NEXT_MON, NEXT_TUE, NEXT_WED = (date(2024, 3, d) for d in range(9, 14))


def shanghai(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=ZoneInfo(SHANGHAI))


def estimate(
    ship_time: datetime,
    days: tuple[int, int],
    cutoff: time | None = CUTOFF,
    tz: str = SHANGHAI,
    calendar: BusinessCalendar = PLAIN,
) -> DeliveryEstimate:
    return estimate_delivery(ship_time, days[0], days[1], cutoff, tz, calendar)


# --- cut-off --------------------------------------------------------------------------------


def test_shipped_before_cutoff_on_a_business_day_dispatches_that_day() -> None:
    assert estimate(shanghai(MON, 10), (1, 3)) == DeliveryEstimate(TUE, THU)


def test_shipped_after_cutoff_dispatches_the_next_business_day() -> None:
    assert estimate(shanghai(MON, 17), (1, 3)) == DeliveryEstimate(WED, FRI)


def test_shipped_exactly_at_cutoff_has_missed_it() -> None:
    assert next_dispatch_day(shanghai(MON, 16), CUTOFF, SHANGHAI, PLAIN) == TUE


def test_without_a_cutoff_any_time_of_a_business_day_dispatches_that_day() -> None:
    assert next_dispatch_day(shanghai(MON, 23, 59), None, SHANGHAI, PLAIN) == MON


def test_cutoff_with_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="wall-clock"):
        next_dispatch_day(shanghai(MON, 10), time(16, tzinfo=UTC), SHANGHAI, PLAIN)


# --- weekends -------------------------------------------------------------------------------


def test_friday_after_cutoff_dispatches_on_monday() -> None:
    assert estimate(shanghai(FRI, 17), (1, 2)) == DeliveryEstimate(NEXT_TUE, NEXT_WED)


def test_shipped_on_saturday_dispatches_on_monday_even_before_cutoff() -> None:
    assert next_dispatch_day(shanghai(SAT, 9), CUTOFF, SHANGHAI, PLAIN) == NEXT_MON


def test_transit_days_skip_the_weekend() -> None:
    assert estimate(shanghai(THU, 9), (1, 3)) == DeliveryEstimate(FRI, NEXT_TUE)


def test_other_weekends_are_honoured() -> None:
    friday_saturday_off = BusinessCalendar(weekend=frozenset({4, 5}))
    assert estimate(shanghai(THU, 17), (0, 1), calendar=friday_saturday_off) == (
        DeliveryEstimate(SUN, NEXT_MON)
    )


# --- holidays -------------------------------------------------------------------------------


def test_holiday_in_transit_adds_a_day() -> None:
    calendar = BusinessCalendar(holidays=frozenset({TUE}))
    assert estimate(shanghai(MON, 10), (1, 2), calendar=calendar) == DeliveryEstimate(WED, THU)


def test_shipped_before_a_holiday_week_dispatches_after_it() -> None:
    national_day = frozenset(date(2024, 10, d) for d in range(1, 8))
    calendar = BusinessCalendar(holidays=national_day)
    monday_30_september = shanghai(date(2024, 9, 30), 18)
    assert estimate(monday_30_september, (0, 0), calendar=calendar) == DeliveryEstimate(
        date(2024, 10, 8), date(2024, 10, 8)
    )


def test_shipped_on_a_holiday_dispatches_the_next_business_day() -> None:
    calendar = BusinessCalendar(holidays=frozenset({MON}))
    assert next_dispatch_day(shanghai(MON, 9), CUTOFF, SHANGHAI, calendar) == TUE


# --- transit days ---------------------------------------------------------------------------


def test_zero_transit_days_is_same_day_delivery() -> None:
    assert estimate(shanghai(MON, 9), (0, 0)) == DeliveryEstimate(MON, MON)


def test_zero_transit_after_cutoff_is_delivered_on_the_dispatch_day() -> None:
    assert estimate(shanghai(FRI, 20), (0, 1)) == DeliveryEstimate(NEXT_MON, NEXT_TUE)


@pytest.mark.parametrize(("low", "high"), [(-1, 2), (3, 2)])
def test_transit_days_that_are_not_a_range_are_refused(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="not a range"):
        estimate(shanghai(MON, 9), (low, high))


# --- time zones -----------------------------------------------------------------------------


def test_utc_ship_time_that_is_already_the_next_day_in_shanghai_dispatches_then() -> None:
    # Monday 17:00 UTC is Tuesday 01:00 in Shanghai: before Tuesday's cut-off, not after Monday's.
    monday_evening_utc = datetime(2024, 3, 4, 17, 0, tzinfo=UTC)
    assert next_dispatch_day(monday_evening_utc, CUTOFF, SHANGHAI, PLAIN) == TUE
    assert estimate(monday_evening_utc, (1, 1)) == DeliveryEstimate(WED, WED)
    assert next_dispatch_day(monday_evening_utc, CUTOFF, "UTC", PLAIN) == TUE  # after 16:00 UTC
    assert next_dispatch_day(monday_evening_utc, None, "UTC", PLAIN) == MON


def test_utc_friday_night_is_saturday_in_shanghai_and_waits_for_monday() -> None:
    friday_night_utc = datetime(2024, 3, 8, 18, 0, tzinfo=UTC)
    assert next_dispatch_day(friday_night_utc, None, SHANGHAI, PLAIN) == NEXT_MON


def test_ship_time_in_any_offset_is_converted_to_the_shops_zone() -> None:
    # 02:30 in UTC+8:30 is 18:00 the day before in UTC and 02:00 in Shanghai: same instant.
    odd_offset = datetime(2024, 3, 5, 2, 30, tzinfo=timezone(timedelta(hours=8, minutes=30)))
    assert next_dispatch_day(odd_offset, CUTOFF, SHANGHAI, PLAIN) == TUE


def test_cutoff_follows_daylight_saving_time_of_the_shops_zone() -> None:
    # 20:30 UTC on Monday 11 March 2024 is 16:30 in New York (EDT began on the 10th), past the
    # cut-off; under winter time it would have been 15:30 and in time.
    ship_time = datetime(2024, 3, 11, 20, 30, tzinfo=UTC)
    assert next_dispatch_day(ship_time, CUTOFF, "America/New_York", PLAIN) == NEXT_TUE


def test_naive_ship_time_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        estimate(datetime(2024, 3, 4, 10, 0), (1, 2))


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "Asia", "/etc/localtime"])
def test_unknown_time_zone_is_refused_with_an_example(tz: str) -> None:
    with pytest.raises(ValueError, match="IANA name such as 'Asia/Shanghai'"):
        estimate(shanghai(MON, 10), (1, 2), tz=tz)


# --- the calendar itself --------------------------------------------------------------------


def test_adding_zero_business_days_returns_the_same_day() -> None:
    assert PLAIN.add_business_days(SAT, 0) == SAT


def test_adding_business_days_counts_only_business_days() -> None:
    assert PLAIN.add_business_days(FRI, 1) == NEXT_MON
    assert PLAIN.add_business_days(SAT, 1) == NEXT_MON
    assert PLAIN.add_business_days(MON, 5) == NEXT_MON


def test_adding_negative_business_days_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        PLAIN.add_business_days(MON, -1)


def test_calendar_without_any_working_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="no business day"):
        BusinessCalendar(weekend=frozenset(range(7)))


def test_weekend_day_outside_monday_to_sunday_is_refused() -> None:
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6 \\(Sunday\\)"):
        BusinessCalendar(weekend=frozenset({6, 7}))


def test_estimate_with_latest_before_earliest_is_refused() -> None:
    with pytest.raises(ValueError, match="before earliest"):
        DeliveryEstimate(earliest=TUE, latest=MON)


# --- properties -----------------------------------------------------------------------------

SHIP_TIMES = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
HOLIDAYS = st.frozensets(st.dates(min_value=date(2019, 12, 1), max_value=date(2031, 3, 1)))


@given(
    ship_time=SHIP_TIMES,
    low=st.integers(0, 15),
    extra=st.integers(0, 15),
    cutoff=st.none() | st.times(),
    holidays=HOLIDAYS,
    tz=st.sampled_from([SHANGHAI, "UTC", "America/Los_Angeles", "Pacific/Kiritimati"]),
)
def test_estimate_is_an_ordered_range_of_business_days_not_before_the_local_ship_date(
    ship_time: datetime,
    low: int,
    extra: int,
    cutoff: time | None,
    holidays: frozenset[date],
    tz: str,
) -> None:
    calendar = BusinessCalendar(holidays=holidays)
    result = estimate_delivery(ship_time, low, low + extra, cutoff, tz, calendar)
    assert result.earliest <= result.latest
    assert calendar.is_business_day(result.earliest)
    assert calendar.is_business_day(result.latest)
    assert result.earliest >= ship_time.astimezone(ZoneInfo(tz)).date()
