"""Reading one cell of a ledger: amounts, dates, year ranges, and the header text itself.

Pure functions without Django models; each raises `CellProblem` with a translatable message
when a value cannot be read. Messages are gettext'd when they are raised, in the caller's
language.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
WAN = "万元"

# Values officials write for "nothing here".
EMPTY_TEXTS = frozenset({"", "-", "--", "—", "——", "/", "\\", "无", "暂无", "空", "N/A", "n/a"})


class CellProblem(ValueError):
    """A cell whose value cannot be read; the message is shown to the user."""


def norm_text(value: str) -> str:
    """Full-width letters, digits and brackets to ASCII, without any whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def clean_text(value: Any) -> str:
    """A text cell as a one-line-per-line string; numbers written back without `.0`."""
    if value.__class__ is str and "\n" not in value and "\r" not in value:
        return str(value.strip())
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return "\n".join(line.strip() for line in text.split("\n"))


_UNIT_IN_HEADER = re.compile(r"\((?:单位[:：]?)?(亿元|万元|元)\)|(?:单位[:：]?)?(亿元|万元)$")


def split_unit(header: str) -> tuple[str, str | None]:
    """`总投资（亿元）` → (`总投资`, `亿元`); the header is normalised first."""
    text = norm_text(header)
    match = _UNIT_IN_HEADER.search(text)
    if not match:
        return text, None
    unit = match.group(1) or match.group(2)
    return (text[: match.start()] + text[match.end() :]), unit


# --- amounts -----------------------------------------------------------------------------

_AMOUNT_TEXT = re.compile(r"^([+-]?)(\d+(?:\.\d+)?|\.\d+)(亿元|万元|亿|万|元)?$")
_SUFFIX_UNIT = {"亿": "亿元", "万": "万元"}
_TOO_LARGE = Decimal(10) ** 16  # yuan: the model keeps 16 digits before the point


def parse_amount(value: Any, unit: str = WAN) -> Decimal | None:
    """An amount in `unit` (default 万元) as yuan with two decimals; None when blank."""
    if value.__class__ is float and value == value and abs(value) < 1e16:  # the usual cell
        if value < 0:
            raise CellProblem(_("An amount must not be negative."))
        yuan = (Decimal(repr(value)) * UNIT_FACTORS[unit]).quantize(CENT, rounding=ROUND_HALF_UP)
        if yuan >= _TOO_LARGE:
            raise CellProblem(_("“%(value)s” is too large.") % {"value": value})
        return yuan
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellProblem(_("“%(value)s” is not an amount.") % {"value": value})
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellProblem(_("“%(value)s” is not an amount.") % {"value": value})
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if text in EMPTY_TEXTS:
            return None
        text = re.sub(r"[,\s']", "", text)
        match = _AMOUNT_TEXT.match(text)
        if not match:
            raise CellProblem(_("“%(value)s” is not an amount.") % {"value": value.strip()})
        sign, digits, suffix = match.groups()
        number = Decimal(digits)
        if sign == "-":
            number = -number
        if suffix:
            unit = _SUFFIX_UNIT.get(suffix, suffix)
    else:
        raise CellProblem(_("“%(value)s” is not an amount.") % {"value": value})
    if number < 0:
        raise CellProblem(_("An amount must not be negative."))
    try:
        yuan = (number * UNIT_FACTORS[unit]).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise CellProblem(_("“%(value)s” is too large.") % {"value": value}) from None
    if yuan >= _TOO_LARGE:
        raise CellProblem(_("“%(value)s” is too large.") % {"value": value})
    return yuan


# --- dates -------------------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份|底|末|初)?$")
_Y = re.compile(r"^(\d{4})\s*年?(?:底|末)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any, *, end_of_period: bool = False) -> dt.date | None:
    """A date cell: an Excel date, or text such as 2022年3月, 2022.03, 2022/3/15.

    A month alone means its first day, or its last with `end_of_period` (a completion date).
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellProblem(_("“%(value)s” is not a date.") % {"value": value})
    if isinstance(value, float) and not value.is_integer():
        # 2022.03 typed into a number cell arrives as 2022.03 (and 2022.10 as 2022.1).
        text = repr(value)
    elif isinstance(value, int | float):
        number = int(value)
        if 1900 <= number <= 2200:
            text = str(number)
        elif 20000 <= number <= 80000:  # an Excel serial day left without a date format
            return dt.date(1899, 12, 30) + dt.timedelta(days=number)
        else:
            text = str(number)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if text in EMPTY_TEXTS:
            return None
    else:
        raise CellProblem(_("“%(value)s” is not a date.") % {"value": value})
    return _date_from_text(text, value, end_of_period)


def _date_from_text(text: str, original: Any, end_of_period: bool) -> dt.date:
    year = month = day = None
    if m := _YMD.match(text) or _COMPACT.match(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _YM.match(text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _Y.match(text):
        year = int(m.group(1))
        month = 12 if end_of_period else 1
    if year is None or month is None or not 1900 <= year <= 2200:
        raise CellProblem(_("“%(value)s” is not a date.") % {"value": str(original).strip()})
    if day is None:
        day = calendar.monthrange(year, month)[1] if end_of_period and 1 <= month <= 12 else 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellProblem(
            _("“%(value)s” is not a date.") % {"value": str(original).strip()}
        ) from None


# Between two dates or years: a dash, but not the dash inside 2022-03-15.
_RANGE_SPLIT = re.compile(r"\s*(?:—+|–|~|～|至|到|-{1,2}(?=\s*\d{4}))\s*")


def split_range(text: str) -> list[str]:
    return [part for part in _RANGE_SPLIT.split(text) if part]


def parse_date_range(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """`2022.03-2023.12` in one cell: planned start and completion."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return parse_date(value), None
    text = unicodedata.normalize("NFKC", value).strip()
    if text in EMPTY_TEXTS:
        return None, None
    parts = split_range(text)
    if len(parts) == 1:
        return parse_date(parts[0]), None
    if len(parts) != 2:
        raise CellProblem(_("“%(value)s” is not a pair of dates.") % {"value": value.strip()})
    return parse_date(parts[0]), parse_date(parts[1], end_of_period=True)


_YEAR = re.compile(r"^(\d{4})(?:年)?(?:[./-]\d{1,2}(?:[./-]\d{1,2})?|\d{1,2}月(?:\d{1,2}日)?)?$")


def parse_year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, bool):
        raise CellProblem(_("“%(value)s” is not a year.") % {"value": value})
    if isinstance(value, int | float):
        if float(value).is_integer() and 1900 <= value <= 2200:
            return int(value)
        if isinstance(value, float) and 1900 <= value < 2201:
            return int(value)  # 2022.03: a year and a month
        raise CellProblem(_("“%(value)s” is not a year.") % {"value": value})
    if not isinstance(value, str):
        raise CellProblem(_("“%(value)s” is not a year.") % {"value": value})
    text = norm_text(value)
    if text in EMPTY_TEXTS:
        return None
    match = _YEAR.match(text)
    if not match or not 1900 <= int(match.group(1)) <= 2200:
        raise CellProblem(_("“%(value)s” is not a year.") % {"value": value.strip()})
    return int(match.group(1))


def parse_year_range(value: Any) -> tuple[int | None, int | None]:
    """建设起止年限: `2021-2023`, `2021—2023年`, `2021年至2023年`, or one year."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        year = parse_year(value)
        return year, year
    text = unicodedata.normalize("NFKC", value).strip()
    if text in EMPTY_TEXTS:
        return None, None
    parts = split_range(text)
    if len(parts) == 1:
        year = parse_year(parts[0])
        return year, year
    if len(parts) != 2:
        raise CellProblem(_("“%(value)s” is not a range of years.") % {"value": value.strip()})
    return parse_year(parts[0]), parse_year(parts[1])


def format_wan(yuan: Decimal | None) -> float | None:
    """Yuan to a 万元 number for a spreadsheet cell."""
    if yuan is None:
        return None
    return float(yuan / UNIT_FACTORS[WAN])


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """A ledger is a million small objects that live until the import or export ends; the
    cyclic collector, run every few thousand allocations, would walk them all again and
    again. (It is paused for the whole process while the block runs.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
