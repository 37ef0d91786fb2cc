"""Finding the ledger inside a workbook: title, year, as-of date, headers, sections, rows."""

from __future__ import annotations

import calendar
import datetime as dt
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from .columns import (
    AMOUNT,
    BY_KEY,
    NOTE_RE,
    TOTAL_RE,
    HeaderMatch,
    match_header,
    section_batch,
)
from .values import WAN, norm_text

Source = str | os.PathLike[str] | bytes | IO[bytes] | Any
HEADER_SEARCH_ROWS = 40
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Problem:
    """An error or warning, placed where the user will find it in the file."""

    row: int | None  # the spreadsheet's row number, 1-based; None for the whole file
    column: str  # the header as written; "" when the problem is not about one column
    message: str
    cell: str = ""  # e.g. "H12"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "cell": self.cell}


class LedgerFileError(Exception):
    """The file cannot be read as a ledger at all."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(None, "", message)


@dataclass(frozen=True)
class LedgerColumn:
    index: int  # 0-based
    key: str
    header: str  # as written in the file
    unit: str  # amount columns: 元, 万元 or 亿元

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class SheetRow:
    number: int  # 1-based, as Excel shows it
    cells: list[Any]
    batch: str | None  # from the section the row sits in


@dataclass
class LedgerSheet:
    sheet_name: str
    title: str
    year: int | None
    as_of: dt.date | None
    columns: list[LedgerColumn]
    rows: list[SheetRow]
    header_rows: tuple[int, ...]
    as_of_parts: tuple[int | None, int, int | None] | None = None
    warnings: list[Problem] = field(default_factory=list)

    def column(self, key: str) -> LedgerColumn | None:
        return next((c for c in self.columns if c.key == key), None)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- opening the file ----------------------------------------------------------------------


def _size_of(source: Source) -> int | None:
    if isinstance(source, bytes):
        return len(source)
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    if hasattr(source, "seek") and hasattr(source, "tell"):
        position = source.tell()
        source.seek(0, io.SEEK_END)
        end = int(source.tell())
        source.seek(position)
        return end - position
    return None


def read_bytes(source: Source, *, max_bytes: int | None = None) -> bytes:
    """The file's bytes, refusing a file over the upload limit before reading it."""
    limit = max_bytes if max_bytes is not None else settings.KEYPROJECTS_MAX_UPLOAD_BYTES
    size = _size_of(source)
    if size is not None and size > limit:
        raise LedgerFileError(
            _("The file is %(size)s MB; files up to %(limit)s MB can be imported.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            data = handle.read(limit + 1)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise LedgerFileError(
            _("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1048576:.0f}"}
        )
    if data[:4] == OLE_MAGIC:
        raise LedgerFileError(
            _("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) first.")
        )
    if data[:4] != XLSX_MAGIC:
        raise LedgerFileError(_("The file is not an Excel workbook (.xlsx)."))
    return data


def load_rows(data: bytes) -> tuple[str, list[list[Any]], list[Any]]:
    """The first visible worksheet's cells (from A1) and merged ranges."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [
            m.name
            for m in book.sheets_metadata
            if m.visible == python_calamine.SheetVisibleEnum.Visible
            and m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        candidates = visible or list(book.sheet_names)
        if not candidates:
            raise LedgerFileError(_("The workbook has no worksheet."))
        # The ledger is the first sheet with a header we recognise; most books have one.
        first: tuple[str, list[list[Any]], list[Any]] | None = None
        rows: list[list[Any]]
        for name in candidates:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
            found = (name, rows, merged)
            if first is None:
                first = found
            if find_header(rows) is not None:
                return found
        assert first is not None
        return first
    except LedgerFileError:
        raise
    except BaseException as exc:  # calamine reports broken zips as Rust panics
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise LedgerFileError(
            _("The workbook cannot be read; it may be damaged or incomplete.")
        ) from exc


# --- the layout ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def find_header(rows: list[list[Any]]) -> int | None:
    """The 0-based index of the (first) header row: names the project and two more columns."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = set()
        for value in row:
            text = _text(value)
            if text and len(text) <= 60:
                found = match_header(text)
                if found:
                    keys.add(found.key)
        if "name" in keys and len(keys) >= 3:
            return index
    return None


def _fill_merged(
    rows: list[list[Any]], merged: list[Any], first_row: int, last_row: int
) -> list[list[Any]]:
    """Copies of the header rows with every merged range filled with its top-left value."""
    header = [list(rows[r]) if r < len(rows) else [] for r in range(first_row, last_row + 1)]
    width = max((len(r) for r in header), default=0)
    for line in header:
        line.extend([""] * (width - len(line)))
    for (r0, c0), (r1, c1) in merged:
        if r1 < first_row or r0 > last_row:
            continue
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else ""
        for r in range(max(r0, first_row), min(r1, last_row) + 1):
            for c in range(c0, min(c1 + 1, width)):
                header[r - first_row][c] = value
    return header


def _display(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_layout(rows: list[list[Any]], merged: list[Any], sheet_name: str = "") -> LedgerSheet:
    header_index = find_header(rows)
    if header_index is None:
        raise LedgerFileError(
            _(
                "No header row was found: the first rows of the sheet should name columns "
                "such as 项目名称, 业主单位 and 总投资."
            )
        )
    top_row, sub_row = _fill_merged(rows, merged, header_index, header_index + 1)
    name_index = next(
        i for i, v in enumerate(top_row) if (m := match_header(_text(v))) and m.key == "name"
    )
    two_rows = _is_sub_header(top_row, sub_row, name_index, rows, header_index)
    title, year, as_of, default_unit = _read_title(rows[:header_index])
    columns: list[LedgerColumn] = []
    warnings: list[Problem] = []
    seen: dict[str, LedgerColumn] = {}
    for index, top_value in enumerate(top_row):
        top = _text(top_value)
        sub = _text(sub_row[index]) if two_rows else ""
        found: HeaderMatch | None
        if sub and sub != top:
            found, written = match_header(sub, top), sub
        else:
            found, written = match_header(top), top
        if not written:
            continue
        if found is None:
            warnings.append(
                Problem(
                    header_index + 1,
                    _display(written),
                    _("This column is not part of the ledger and was not read."),
                    column_letter(index) + str(header_index + 1),
                )
            )
            continue
        if found.key in seen:
            warnings.append(
                Problem(
                    header_index + 1,
                    _display(written),
                    _("This column repeats “%(header)s”; only the first was read.")
                    % {"header": seen[found.key].header},
                    column_letter(index) + str(header_index + 1),
                )
            )
            continue
        unit = found.unit or default_unit
        if BY_KEY[found.key].kind != AMOUNT:
            unit = WAN
        column = LedgerColumn(index, found.key, _display(written), unit)
        seen[found.key] = column
        columns.append(column)
    first_data = header_index + (2 if two_rows else 1)
    if first_data < len(rows) and _is_column_numbers(rows[first_data]):
        first_data += 1
    return LedgerSheet(
        sheet_name=sheet_name,
        title=title,
        year=year,
        as_of=as_of_in_year(as_of, year),
        as_of_parts=as_of,
        columns=columns,
        rows=list(_data_rows(rows, first_data, columns)),
        header_rows=tuple(range(header_index + 1, first_data + 1)),
        warnings=warnings,
    )


def _is_sub_header(
    top: list[Any], sub: list[Any], name_index: int, rows: list[list[Any]], header_index: int
) -> bool:
    if header_index + 1 >= len(rows):
        return False
    name_below = _text(sub[name_index])
    if name_below and name_below != _text(top[name_index]):
        return False
    for index, value in enumerate(sub):
        text = _text(value)
        if not text or text == _text(top[index]):
            continue
        if match_header(text, _text(top[index])) or match_header(text):
            return True
    return False


def _is_column_numbers(row: list[Any]) -> bool:
    """A row numbering the columns (1, 2, 3 … or 甲, 乙 …) under the header."""
    values = [v for v in row if v not in ("", None)]
    if len(values) < 3:
        return False
    return all(
        (isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 100)
        or (isinstance(v, str) and re.fullmatch(r"\s*(\d{1,2}|[甲乙丙丁]|栏次)\s*", v))
        for v in values
    )


_YEAR_IN_TITLE = re.compile(r"(\d{4})\s*年")
_AS_OF = re.compile(
    r"(?:截至|截止|截止到|截至到)\s*(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?"
)
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(亿元|万元|元)")


def _read_title(
    rows: list[list[Any]],
) -> tuple[str, int | None, tuple[int | None, int, int | None] | None, str]:
    title, year, as_of, unit = "", None, None, WAN
    for row in rows:
        for value in row:
            text = _text(value)
            if not text:
                continue
            normalised = norm_text(text)
            if match := _AS_OF.search(normalised):
                y, m, d = match.groups()
                as_of = (int(y) if y else None, int(m), int(d) if d else None)
            if match := _UNIT_LINE.search(normalised):
                unit = match.group(1)
            if not title and ("台账" in text or "项目" in text or "计划" in text):
                title = re.sub(r"\s+", " ", text)
                if match := _YEAR_IN_TITLE.search(normalised):
                    year = int(match.group(1))
    if year is None and as_of and as_of[0]:
        year = as_of[0]
    return title, year, as_of, unit


def as_of_in_year(
    as_of: tuple[int | None, int, int | None] | None, year: int | None
) -> dt.date | None:
    if as_of is None:
        return None
    y, m, d = as_of
    y = y or year
    if y is None or not 1 <= m <= 12:
        return None
    last = calendar.monthrange(y, m)[1]
    try:
        return dt.date(y, m, d or last)
    except ValueError:
        return None


def _data_rows(rows: list[list[Any]], first: int, columns: list[LedgerColumn]) -> Any:
    """The project rows, each with the batch of its section; totals, notes, blanks skipped."""
    by_key = {c.key: c.index for c in columns}
    identity = [by_key[k] for k in ("name", "code", "owner_unit") if k in by_key]
    code_or_owner = [by_key[k] for k in ("code", "owner_unit") if k in by_key]
    batch: str | None = None
    is_total: Callable[[str], Any] = TOTAL_RE.match
    owner = by_key.get("owner_unit")
    code = by_key.get("code")
    for index in range(first, len(rows)):
        cells = rows[index]
        if (
            owner is not None
            and _cell(cells, owner)
            and (code is None or _not_a_section_title(cells, code))
        ):
            # The common case, decided quickly: a row with an owner unit is a project row,
            # unless its first text says it is a total or a note.
            first_text = next((v for v in cells if v.__class__ is str and v.strip()), "")
            normalised = norm_text(first_text)
            if not (is_total(normalised) or NOTE_RE.match(normalised)):
                yield SheetRow(index + 1, cells, batch)
                continue
        texts = [v for v in cells if isinstance(v, str) and v.strip()]
        if not texts and all(v == "" or v is None for v in cells):
            continue
        head = [norm_text(t) for t in texts[:3]]
        if any(is_total(t) for t in head) or (head and NOTE_RE.match(head[0])):
            continue
        section = _section(cells, texts, code_or_owner)
        if section:
            batch = section
            continue
        if not any(_cell(cells, i) for i in identity):
            continue
        yield SheetRow(index + 1, cells, batch)


def _not_a_section_title(cells: list[Any], index: int) -> bool:
    """The code cell is empty or holds a code, not a section title written across it."""
    value = cells[index] if index < len(cells) else ""
    return not (isinstance(value, str) and section_batch(value))


def _section(cells: list[Any], texts: list[str], code_or_owner: list[int]) -> str | None:
    """The batch a section row names; a section row has no code or owner (its title may sit
    in any column, the code column included)."""
    for text in texts:
        batch = section_batch(text)
        if batch and not any(_cell(cells, i) and cells[i] != text for i in code_or_owner):
            return batch
    return None


def _cell(cells: list[Any], index: int) -> bool:
    if index >= len(cells):
        return False
    value = cells[index]
    return not (value is None or (isinstance(value, str) and not value.strip()) or value == "")
