"""Working calendars for the People's Republic of China: statutory holidays and the
weekend days worked in exchange (调休), from the `chinese_calendar` package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

from .errors import CalendarCoverageError
from .model import CalendarSpec, DayHours

STANDARD_DAY: DayHours = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))


def covered_years() -> tuple[int, int]:
    """First and last year the installed holiday data covers."""
    years = {d.year for d in chinese_calendar.holidays}
    return min(years), max(years)


def _check_year(year: int) -> None:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError as exc:
        raise CalendarCoverageError(
            "The statutory holiday data does not cover the year", year=year
        ) from exc


def prc_calendar(
    *,
    days_per_week: int = 5,
    years: Iterable[int] | None = None,
    hours: DayHours = STANDARD_DAY,
    calendar_id: str = "prc",
    name: str | None = None,
) -> CalendarSpec:
    """A calendar with a 5-, 6- (Monday to Saturday) or 7-day week, statutory holidays
    off and 调休 weekend days worked.

    `years` defaults to every year the holiday data covers; a year it does not cover
    raises `CalendarCoverageError`, and so does any later date arithmetic outside them.
    """
    if days_per_week not in (5, 6, 7):
        raise ValueError("days_per_week must be 5, 6 or 7")
    first, last = covered_years()
    wanted = sorted(set(years)) if years is not None else list(range(first, last + 1))
    if not wanted:
        raise ValueError("years must not be empty")
    for year in wanted:
        _check_year(year)
    if wanted != list(range(wanted[0], wanted[-1] + 1)):
        missing = next(y for y in range(wanted[0], wanted[-1]) if y not in wanted)
        raise CalendarCoverageError("The years requested are not contiguous", year=missing)
    day_hours = tuple(sorted(hours))
    week = tuple(day_hours if wd < days_per_week else () for wd in range(7))
    exceptions: dict[date, DayHours] = {}
    day = date(wanted[0], 1, 1)
    end = date(wanted[-1], 12, 31)
    while day <= end:
        normally_working = day.weekday() < days_per_week
        if chinese_calendar.is_holiday(day) and day in chinese_calendar.holidays:
            if normally_working:
                exceptions[day] = ()
        elif day in chinese_calendar.workdays and not normally_working:
            exceptions[day] = day_hours
        day += timedelta(days=1)
    return CalendarSpec(
        id=calendar_id,
        name=name or f"PRC {days_per_week}-day week",
        week=week,  # type: ignore[arg-type]
        exceptions=exceptions,
        hours_per_day=sum(f - s for s, f in day_hours) / 60,
        covered_years=(wanted[0], wanted[-1]),
    )
