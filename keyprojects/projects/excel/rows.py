"""Reading each project row's cells into values, with an error per bad cell."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from keyprojects.projects.choices import Industry

from .columns import (
    AMOUNT,
    BATCH,
    BY_KEY,
    CODE,
    DATE,
    DATES,
    INDUSTRY,
    INDUSTRY_WORDS,
    LEVEL,
    LEVEL_WORDS,
    TEXT,
    UNIT,
    YEAR,
    YEARS,
    batch_from_text,
)
from .reader import LedgerColumn, LedgerSheet, Problem
from .values import (
    EMPTY_TEXTS,
    CellProblem,
    clean_text,
    norm_text,
    parse_amount,
    parse_date,
    parse_date_range,
    parse_year,
    parse_year_range,
)

# The model's limits on text, checked here so that a row fails with its cell named.
MAX_LENGTHS = {
    "code": 24,
    "name": 200,
    "site": 200,
    "owner_unit": 200,
    "responsible_unit": 200,
    "responsible_person": 100,
    "contact": 100,
    "leader_in_charge": 100,
    "funding_sources": 200,
}


@dataclass
class ParsedRow:
    number: int
    section: str | None
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _code(value: Any) -> str | None:
    """A code cell; words without digits (待赋码, 暂无) mean the project has no code yet."""
    text = norm_text(clean_text(value)).upper()
    return text if any(c.isdigit() for c in text) else None


def _unit_name(value: Any) -> str:
    text = clean_text(value)
    return "" if text in EMPTY_TEXTS else unicodedata.normalize("NFKC", text).replace("\n", "")


def _level(value: Any) -> str:
    text = norm_text(clean_text(value))
    if not text or text in EMPTY_TEXTS:
        return ""
    level = LEVEL_WORDS.get(text) or LEVEL_WORDS.get(text.removesuffix("项目"))
    if level is None:
        raise CellProblem(
            _("“%(value)s” is not a level; write 国家级, 市级 or 区级.") % {"value": text}
        )
    return str(level)


def _industry(value: Any) -> str:
    text = norm_text(clean_text(value))
    if not text or text in EMPTY_TEXTS:
        return ""
    industry = INDUSTRY_WORDS.get(text) or INDUSTRY_WORDS.get(text.removesuffix("类"))
    return str(industry) if industry else f"?{text}"


def _batch(value: Any) -> str | None:
    text = clean_text(value)
    return batch_from_text(text) if text else None


def _text(value: Any) -> str:
    text = clean_text(value)
    return "" if text in ("-", "—", "/") else text


def _parser(column: LedgerColumn) -> Callable[[Any], Any]:
    kind = BY_KEY[column.key].kind
    if kind == TEXT:
        return _text
    if kind == CODE:
        return _code
    if kind == AMOUNT:
        return partial(parse_amount, unit=column.unit)
    if kind == DATE:
        end = column.key.endswith("completion")
        return partial(parse_date, end_of_period=end)
    if kind == DATES:
        return parse_date_range
    if kind == YEAR:
        return parse_year
    if kind == YEARS:
        return parse_year_range
    if kind == UNIT:
        return _unit_name
    if kind == LEVEL:
        return _level
    if kind == INDUSTRY:
        return _industry
    if kind == BATCH:
        return _batch
    raise AssertionError(kind)


def parse_rows(sheet: LedgerSheet) -> list[ParsedRow]:
    """Every project row's values, read column by column (the quick way through 20,000 rows:
    a column reads in one pass, and only a column with a bad cell is read cell by cell)."""
    rows = sheet.rows
    results = [ParsedRow(row.number, row.batch) for row in rows]
    for column in sheet.columns:
        if BY_KEY[column.key].kind == "ignored":
            continue
        parse = _parser(column)
        index = column.index
        raw = [cells[index] if index < len(cells) else "" for cells in (r.cells for r in rows)]
        try:
            parsed: list[Any] = list(map(parse, raw))
        except CellProblem:
            parsed = [
                _read_cell(parse, value, column, result)
                for value, result in zip(raw, results, strict=True)
            ]
        _store(column, parsed, results)
    return results


_FAILED = object()


def _read_cell(
    parse: Callable[[Any], Any], value: Any, column: LedgerColumn, row: ParsedRow
) -> Any:
    try:
        return parse(value)
    except CellProblem as problem:
        row.errors.append(_problem(row, column, str(problem)))
        return _FAILED


def _problem(row: ParsedRow, column: LedgerColumn, message: str) -> Problem:
    return Problem(row.number, column.header, message, f"{column.letter}{row.number}")


def _store(column: LedgerColumn, parsed: list[Any], results: list[ParsedRow]) -> None:
    key = column.key
    pairs = [(r, v) for r, v in zip(results, parsed, strict=True) if v is not _FAILED]
    if key == "years" or key == "planned_dates":
        first, last = (
            ("start_year", "end_year")
            if key == "years"
            else ("planned_start", "planned_completion")
        )
        for result, (start, end) in pairs:
            result.values[first], result.values[last] = start, end
        return
    for result, value in pairs:
        result.values[key] = value
    if key == "industry":
        for result, value in pairs:
            if value.startswith("?"):
                result.warnings.append(
                    _problem(
                        result,
                        column,
                        _(
                            "“%(value)s” is not an industry we know; the project is filed under "
                            "Other."
                        )
                        % {"value": value[1:]},
                    )
                )
                result.values[key] = Industry.OTHER
    limit = MAX_LENGTHS.get(key)
    if limit:
        for result, value in pairs:
            if value and len(value) > limit:
                result.errors.append(
                    _problem(
                        result,
                        column,
                        _("This is longer than %(limit)s characters.") % {"limit": limit},
                    )
                )
