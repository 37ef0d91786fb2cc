"""Which month the cockpit shows: the one asked for, else last month (the one being reported
now), as the other monthly pages choose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    year: int
    month: int


def default_period(today: dt.date) -> Period:
    if today.month == 1:
        return Period(today.year - 1, 12)
    return Period(today.year, today.month - 1)


def parse_period(params: Mapping[str, str], today: dt.date) -> tuple[Period, dict[str, list[str]]]:
    """The period asked for in `params` (`year`, `month`), and the problems with what was
    asked; a value with a problem falls back to its default."""
    fallback = default_period(today)
    errors: dict[str, list[str]] = {}
    year, month = fallback.year, fallback.month
    raw_year = (params.get("year") or "").strip()
    raw_month = (params.get("month") or "").strip()
    if raw_year:
        try:
            year = int(raw_year)
        except ValueError:
            errors["year"] = [_("Enter a year as four digits, e.g. 2026.")]
        else:
            if not FIRST_YEAR <= year <= LAST_YEAR:
                errors["year"] = [
                    _("Choose a year from %(first)s to %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                ]
                year = fallback.year
    if raw_month:
        try:
            month = int(raw_month)
        except ValueError:
            errors["month"] = [_("Choose a month from 1 to 12.")]
        else:
            if not 1 <= month <= 12:
                errors["month"] = [_("Choose a month from 1 to 12.")]
                month = fallback.month
    return Period(year, month), errors


def year_choices(today: dt.date, selected: int) -> list[int]:
    years = set(range(today.year - 5, today.year + 2)) | {selected}
    return sorted(years, reverse=True)
