"""Spreadsheets built in the tests: the messy layouts real ledgers come in."""

from __future__ import annotations

import io
from typing import Any

import openpyxl


def workbook_bytes(
    rows: list[list[Any]],
    *,
    merges: tuple[str, ...] = (),
    hidden_rows: tuple[int, ...] = (),
    sheet_title: str = "Sheet1",
    extra_sheets: tuple[str, ...] = (),
) -> bytes:
    """An .xlsx whose first sheet holds `rows` from A1; `merges` like "A3:A4"."""
    book = openpyxl.Workbook()
    for name in extra_sheets:
        hidden = book.create_sheet(name, 0)
        hidden.append(["说明"])
        hidden.sheet_state = "hidden"
    sheet = book[book.sheetnames[-1]] if extra_sheets else book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for number in hidden_rows:
        sheet.row_dimensions[number].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CODE_A = "2026-500103-78-01-000101"
CODE_B = "2025-500103-48-01-000102"
CODE_C = "2021-500103-78-01-000103"
