"""How long the responsible units have: a number of days per severity, counted from triage.

`KEYPROJECTS_PROBLEM_DAYS` maps each severity to its days (default: urgent 3, important 7,
general 15). They are working days by default, as government time limits (办理时限) are:
weekends and the statutory holidays do not count, the weekend days worked in exchange (调休)
do. Set `KEYPROJECTS_PROBLEM_WORKING_DAYS = False` to count calendar days instead. Beyond
the years the holiday data covers, Monday to Friday are the working days.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.conf import settings

from .choices import Severity

DEFAULT_DAYS = {Severity.URGENT.value: 3, Severity.IMPORTANT.value: 7, Severity.GENERAL.value: 15}


def days_for(severity: str) -> int:
    configured = getattr(settings, "KEYPROJECTS_PROBLEM_DAYS", None) or {}
    days = {**DEFAULT_DAYS, **configured}
    return int(days.get(severity, DEFAULT_DAYS[Severity.GENERAL]))


def counts_working_days() -> bool:
    return bool(getattr(settings, "KEYPROJECTS_PROBLEM_WORKING_DAYS", True))


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the installed holiday data does not cover
        return day.weekday() < 5


def add_days(start: dt.date, days: int) -> dt.date:
    """The day `days` days after `start` (working days unless configured otherwise); the
    start day itself does not count."""
    if not counts_working_days():
        return start + dt.timedelta(days=days)
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def deadline_for(severity: str, start: dt.date) -> dt.date:
    return add_days(start, days_for(severity))
