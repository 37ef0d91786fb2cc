"""The month's reporting template in Excel: download, fill in, upload into the grid."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from keyprojects.projects.models import Project

from .models import MonthlyReport

HEADERS = ["项目代码", "项目名称", "本月完成投资（万元）", "形象进度（%）", "管理人员", "作业人员",
           "形象进度"]  # fmt: skip
FIELDS = ["investment", "progress_percent", "managers", "workers", "progress_text"]


def template_bytes(
    projects: list[Project], reports: dict[int, MonthlyReport], year: int, month: int
) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(f"{year}-{month:02d}")
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#EEF1F6", "text_wrap": True})
    locked = book.add_format({"border": 1, "bg_color": "#F5F5F5"})
    cell = book.add_format({"border": 1})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, f"{year}年{month}月重点项目月报", bold)
    sheet.write_row(1, 0, HEADERS, bold)
    for i, project in enumerate(projects, start=2):
        report = reports.get(project.pk)
        sheet.write(i, 0, project.code or "", locked)
        sheet.write(i, 1, project.name, locked)
        values: list[Any] = ["", "", "", "", ""]
        if report is not None:
            values = [
                float(report.investment / 10000),
                "" if report.progress_percent is None else float(report.progress_percent),
                report.managers, report.workers, report.progress_text,
            ]  # fmt: skip
        for j, value in enumerate(values, start=2):
            sheet.write(i, j, value, cell)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 5, 14)
    sheet.set_column(6, 6, 40)
    book.close()
    return out.getvalue()


def read_template(
    data: bytes, projects: list[Project]
) -> tuple[dict[int, dict[str, str]], list[str]]:
    """Values by project id, as the grid's form would post them, and the problems found.
    Rows are matched by project code, else by name; unknown rows are problems."""
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    except Exception:  # calamine raises several kinds for a file that is not a workbook
        return {}, [_("This file is not an Excel workbook (.xlsx).")]
    by_code = {p.code: p for p in projects if p.code}
    by_name = {p.name: p for p in projects}
    header_row = next(
        (i for i, row in enumerate(rows[:10]) if [str(c).strip() for c in row[:2]] == HEADERS[:2]),
        None,
    )
    if header_row is None:
        return {}, [_("The header row of the template was not found; download it again.")]
    values: dict[int, dict[str, str]] = {}
    problems: list[str] = []
    for n, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
        row = list(row) + [""] * (len(HEADERS) - len(row))
        code, name = str(row[0]).strip(), str(row[1]).strip()
        if not code and not name:
            continue
        project = by_code.get(code) if code else by_name.get(name)
        if project is None:
            problems.append(_("Row %(row)s: “%(name)s” is not one of your projects.")
                            % {"row": n, "name": name or code})  # fmt: skip
            continue
        values[project.pk] = {f: _text(v) for f, v in zip(FIELDS, row[2:7], strict=False)}
    return values, problems


def _text(value: Any) -> str:
    if isinstance(value, float):
        try:
            return format(Decimal(repr(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    return str(value).strip()
