"""Working-time arithmetic and the PRC statutory-holiday calendars."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from keyprojects.scheduling.engine import CalendarCoverageError, CalendarError, CalendarSpec
from keyprojects.scheduling.engine.calendar import WorkCalendar
from keyprojects.scheduling.engine.prc import covered_years, prc_calendar

from .builders import DAY, at, five_day


def cal(spec: CalendarSpec | None = None) -> WorkCalendar:
    return WorkCalendar(spec or five_day(), date(2024, 3, 1))


def test_adding_working_minutes_skips_lunch_nights_and_weekends() -> None:
    c = cal()
    assert c.add(at("2024-03-04 08:00"), 4 * 60) == at("2024-03-04 12:00")
    assert c.add(at("2024-03-04 08:00"), 5 * 60) == at("2024-03-04 14:00")
    assert c.add(at("2024-03-08 13:00"), 8 * 60) == at("2024-03-11 12:00")


def test_subtracting_lands_where_work_resumes() -> None:
    assert cal().add(at("2024-03-11 12:00"), -8 * 60) == at("2024-03-08 13:00")


def test_working_minutes_between() -> None:
    c = cal()
    assert c.working_minutes(at("2024-03-08 08:00"), at("2024-03-11 17:00")) == 16 * 60
    assert c.working_minutes(at("2024-03-11 17:00"), at("2024-03-08 08:00")) == -16 * 60


def test_next_work_start_and_previous_work_finish() -> None:
    c = cal()
    assert c.next_work_start(at("2024-03-09 10:00")) == at("2024-03-11 08:00")
    assert c.next_work_start(at("2024-03-04 12:30")) == at("2024-03-04 13:00")
    assert c.previous_work_finish(at("2024-03-11 08:00")) == at("2024-03-08 17:00")
    assert c.next_work_start(at("2024-03-04 09:15")) == at("2024-03-04 09:15")


def test_exceptions_remove_or_change_working_hours() -> None:
    spec = five_day()
    spec.exceptions[date(2024, 3, 5)] = ()
    spec.exceptions[date(2024, 3, 9)] = ((9 * 60, 11 * 60),)  # a Saturday morning
    c = cal(spec)
    assert c.add(at("2024-03-04 08:00"), 16 * 60) == at("2024-03-06 17:00")
    assert c.add(at("2024-03-08 17:00"), 60) == at("2024-03-09 10:00")


def test_arithmetic_far_from_the_compiled_range_grows_it() -> None:
    c = cal()
    far = c.add(at("2024-03-04 08:00"), 8 * 60 * 261 * 20)  # about twenty years
    assert far.year in (2044, 2043)
    assert c.add(far, -8 * 60 * 261 * 20) == at("2024-03-04 08:00")
    assert c.next_work_start(datetime(1990, 1, 1)) == at("1990-01-01 08:00")


def test_a_calendar_without_working_time_is_refused() -> None:
    with pytest.raises(CalendarError):
        WorkCalendar(CalendarSpec(id="x", name="never", week=((),) * 7))


def test_hours_per_day_converts_to_days() -> None:
    spec = CalendarSpec(id="10h", name="10h", week=(DAY,) * 7, hours_per_day=10)
    assert cal(spec).minutes_to_days(600) == 1.0


# PRC calendars ------------------------------------------------------------------------


def test_prc_2025_spring_festival_exchange_sunday_is_a_working_day() -> None:
    c = cal(prc_calendar(years=[2024, 2025]))
    assert c.is_working_day(date(2025, 1, 26))  # a Sunday worked in exchange (调休)
    assert not c.is_working_day(date(2025, 1, 28))  # Spring Festival eve holiday
    assert c.is_working_day(date(2025, 2, 8))  # a Saturday worked in exchange


def test_prc_2025_national_day_golden_week() -> None:
    c = cal(prc_calendar(years=[2025]))
    assert not any(c.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert c.is_working_day(date(2025, 9, 28))  # Sunday worked in exchange
    assert c.is_working_day(date(2025, 10, 11))  # Saturday worked in exchange
    assert c.add(at("2025-09-30 08:00"), 3 * 8 * 60) == at("2025-10-10 17:00")


def test_prc_2024_holidays() -> None:
    c = cal(prc_calendar(years=[2024]))
    assert not c.is_working_day(date(2024, 10, 1))
    assert c.is_working_day(date(2024, 10, 12))  # Saturday worked in exchange
    assert not c.is_working_day(date(2024, 5, 1))


@pytest.mark.parametrize(
    ("days", "saturday", "sunday"), [(5, False, False), (6, True, False), (7, True, True)]
)
def test_prc_week_lengths(days: int, saturday: bool, sunday: bool) -> None:
    c = cal(prc_calendar(days_per_week=days, years=[2024]))
    assert c.is_working_day(date(2024, 3, 9)) is saturday
    assert c.is_working_day(date(2024, 3, 10)) is sunday
    assert not c.is_working_day(date(2024, 10, 2))  # holidays apply to every week length


def test_prc_year_outside_the_holiday_data_raises() -> None:
    last = covered_years()[1]
    with pytest.raises(CalendarCoverageError) as caught:
        prc_calendar(years=[last + 5])
    assert caught.value.year == last + 5
    assert str(last + 5) in str(caught.value)


def test_prc_arithmetic_past_the_covered_years_raises_instead_of_assuming_plain_weeks() -> None:
    c = WorkCalendar(prc_calendar(years=[2024, 2025]), date(2025, 6, 1))
    with pytest.raises(CalendarCoverageError) as caught:
        c.add(at("2025-12-20 08:00"), 8 * 60 * 30)
    assert caught.value.year == 2026
