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
from .reader import LedgerColumn, LedgerSheet, Problem, SheetRow
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


def _code(value: Any) -> str:
    return norm_text(clean_text(value)).upper()


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
    parsers = [
        (c.index, c.key, c.header, c.letter, _parser(c))
        for c in sheet.columns
        if BY_KEY[c.key].kind != "ignored"
    ]
    parsed = []
    for row in sheet.rows:
        parsed.append(_parse_row(row, parsers))
    return parsed


def _parse_row(row: SheetRow, parsers: list[tuple[int, str, str, str, Any]]) -> ParsedRow:
    result = ParsedRow(row.number, row.batch)
    values = result.values
    cells = row.cells
    width = len(cells)
    for index, key, header, letter, parse in parsers:
        raw = cells[index] if index < width else ""
        try:
            value = parse(raw)
        except CellProblem as problem:
            result.errors.append(Problem(row.number, header, str(problem), f"{letter}{row.number}"))
            continue
        if key == "years":
            values["start_year"], values["end_year"] = value
        elif key == "planned_dates":
            values["planned_start"], values["planned_completion"] = value
        elif key == "industry" and value.startswith("?"):
            result.warnings.append(
                Problem(
                    row.number,
                    header,
                    _("“%(value)s” is not an industry we know; the project is filed under Other.")
                    % {"value": value[1:]},
                    f"{letter}{row.number}",
                )
            )
            values[key] = Industry.OTHER
        else:
            values[key] = value
        limit = MAX_LENGTHS.get(key)
        if limit and isinstance(value, str) and len(value) > limit:
            result.errors.append(
                Problem(
                    row.number,
                    header,
                    _("This is longer than %(limit)s characters.") % {"limit": limit},
                    f"{letter}{row.number}",
                )
            )
    return result
