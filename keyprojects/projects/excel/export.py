"""Writing the ledger (台账) as officials lay it out, one section per annual batch."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.projects.models import AnnualPlan, Project

from .columns import BATCH_ORDER, INDUSTRY_NAMES, LEVEL_NAMES, LIGHT_NAMES, SECTION_TITLES
from .values import format_wan, no_gc_pauses

# A column's value from a project row, its annual plan (or None) and the row context.
RowValue = Callable[[Any, Any, Any], Any]
CHINESE_NUMERALS = "一二三四五六七八九十"
INVESTMENT_GROUP = "投资情况（万元）"


@dataclass(frozen=True)
class ExportColumn:
    header: str
    group: str  # the merged header above, or "" for a header over both rows
    width: float
    style: str  # text, wrap, amount, percent, points, date, number
    value: RowValue
    total: str = ""  # the attribute summed in subtotal rows


def _wan(value: Decimal | None) -> float | None:
    return format_wan(value)


def _name(names: dict[Any, str], value: str) -> str:
    return names.get(value, "")


def _field(attr: str) -> RowValue:
    return lambda p, plan, ctx: getattr(p, attr)


def _plan(attr: str) -> RowValue:
    return lambda p, plan, ctx: _wan(getattr(plan, attr)) if plan is not None else None


def _share(part: Decimal | None, whole: Decimal | None) -> float | None:
    if part is None or not whole:
        return None
    return float(part / whole)


def _pace_gap(plan: Any, as_of: dt.date | None) -> float | None:
    if plan is None or as_of is None or plan.ytd_completed is None or not plan.investment_target:
        return None
    actual = plan.ytd_completed / plan.investment_target * 100
    expected = Decimal(as_of.month) / 12 * 100
    return round(float(actual - expected), 1)


COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("序号", "", 5, "number", lambda p, plan, ctx: ctx.seq),
    ExportColumn("项目代码", "", 24, "text", lambda p, plan, ctx: p.code or ""),
    ExportColumn("项目名称", "", 28, "wrap", _field("name")),
    ExportColumn("类别", "", 8, "text", lambda p, plan, ctx: ctx.batch_name),
    ExportColumn("级别", "", 6, "text", lambda p, plan, ctx: _name(LEVEL_NAMES, p.level)),
    ExportColumn("行业", "", 10, "text", lambda p, plan, ctx: _name(INDUSTRY_NAMES, p.industry)),
    ExportColumn("建设地点", "", 12, "wrap", _field("site")),
    ExportColumn("建设规模及主要建设内容", "", 36, "wrap", _field("scale_and_content")),
    ExportColumn("业主单位", "", 14, "wrap", lambda p, plan, ctx: p.owner_unit.name),
    ExportColumn("责任单位", "", 14, "wrap", lambda p, plan, ctx: p.responsible_unit.name),
    ExportColumn("责任人", "", 10, "text", _field("responsible_person")),
    ExportColumn("联系人", "", 10, "text", _field("contact")),
    ExportColumn("挂点领导", "", 10, "text", _field("leader_in_charge")),
    ExportColumn("起", "建设起止年限", 6, "number", _field("start_year")),
    ExportColumn("止", "建设起止年限", 6, "number", _field("end_year")),
    ExportColumn("开工", "计划开工/竣工日期", 11, "date", _field("planned_start")),
    ExportColumn("竣工", "计划开工/竣工日期", 11, "date", _field("planned_completion")),
    ExportColumn("总投资", INVESTMENT_GROUP, 11, "amount",
                 lambda p, plan, ctx: _wan(p.total_investment), "total_investment"),
    ExportColumn("年度计划投资", INVESTMENT_GROUP, 11, "amount", _plan("investment_target"),
                 "investment_target"),
    ExportColumn("本月完成投资", INVESTMENT_GROUP, 11, "amount", _plan("month_completed"),
                 "month_completed"),
    ExportColumn("本年累计完成投资", INVESTMENT_GROUP, 11, "amount", _plan("ytd_completed"),
                 "ytd_completed"),
    ExportColumn("占年度计划%", INVESTMENT_GROUP, 9, "percent",
                 lambda p, plan, ctx: _share(plan.ytd_completed, plan.investment_target)
                 if plan else None, "share_of_target"),
    ExportColumn("开工累计完成投资", INVESTMENT_GROUP, 11, "amount",
                 _plan("since_start_completed"), "since_start_completed"),
    ExportColumn("占总投资%", INVESTMENT_GROUP, 9, "percent",
                 lambda p, plan, ctx: _share(plan.since_start_completed, p.total_investment)
                 if plan else None, "share_of_total"),
    ExportColumn("资金来源", "", 14, "wrap", _field("funding_sources")),
    ExportColumn("序时进度差", "", 9, "points", lambda p, plan, ctx: _pace_gap(plan, ctx.as_of)),
    ExportColumn("形象进度", "", 30, "wrap", _field("progress_text")),
    ExportColumn("前期手续进展", "", 24, "wrap", _field("preliminary_progress")),
    ExportColumn("存在问题", "", 24, "wrap", _field("problems_text")),
    ExportColumn("下步打算", "", 24, "wrap", _field("next_steps")),
    ExportColumn("预警", "", 7, "text", lambda p, plan, ctx: _name(LIGHT_NAMES, p.light)),
)  # fmt: skip


class _RowContext:
    def __init__(self, as_of: dt.date | None) -> None:
        self.as_of = as_of
        self.seq = 0
        self.batch_name = ""


class _Totals:
    def __init__(self) -> None:
        self.count = 0
        self.sums: dict[str, Decimal] = {}

    def add(self, project: Any, plan: Any) -> None:
        self.count += 1
        self._add("total_investment", project.total_investment)
        if plan is not None:
            for attr in ("investment_target", "month_completed", "ytd_completed",
                         "since_start_completed"):  # fmt: skip
                self._add(attr, getattr(plan, attr))

    def _add(self, attr: str, value: Decimal | None) -> None:
        if value is not None:
            self.sums[attr] = self.sums.get(attr, Decimal(0)) + value

    def merge(self, other: _Totals) -> None:
        self.count += other.count
        for attr, value in other.sums.items():
            self._add(attr, value)

    def value(self, attr: str) -> float | None:
        if attr == "share_of_target":
            return _share(self.sums.get("ytd_completed"), self.sums.get("investment_target"))
        if attr == "share_of_total":
            return _share(self.sums.get("since_start_completed"), self.sums.get("total_investment"))
        return _wan(self.sums.get(attr))


def default_title(projects: QuerySet[Project], year: int) -> str:
    names = list(projects.order_by().values_list("jurisdiction__name", flat=True).distinct()[:2])
    place = names[0] if len(names) == 1 else ""
    return f"{place}{year}年重点项目建设台账"


def ledger_export(
    projects: QuerySet[Project],
    *,
    year: int,
    output: str | os.PathLike[str] | IO[bytes] | None = None,
    title: str | None = None,
    as_of: dt.date | None = None,
) -> bytes | None:
    """Write the projects of `year`'s programme (any filter applied) as a ledger workbook.

    Projects outside the year's programme (cancelled, or finished before it) are left out.
    `as_of` (截至) defaults to the latest date the year's figures were reported. Returns the
    bytes when no `output` is given.
    """
    with no_gc_pauses():
        return _export(projects, year, output, title, as_of)


def _export(
    projects: QuerySet[Project],
    year: int,
    output: str | os.PathLike[str] | IO[bytes] | None,
    title: str | None,
    as_of: dt.date | None,
) -> bytes | None:
    rows = _project_rows(projects, year)
    plan_fields = [f.attname for f in AnnualPlan._meta.concrete_fields]
    plans = {
        plan["project_id"]: SimpleNamespace(**plan)
        for plan in AnnualPlan.objects.order_by()
        .filter(year=year, project_id__in=projects.order_by().values("pk"))
        .values(*plan_fields)
    }
    if as_of is None:
        dates = [p.figures_as_of for p in plans.values() if p.figures_as_of]
        as_of = max(dates) if dates else None
    buffer = io.BytesIO() if output is None else None
    target: Any = buffer if buffer is not None else output
    book = xlsxwriter.Workbook(target, {"in_memory": True})
    try:
        _write(book, rows, plans, title or default_title(projects, year), as_of)
    finally:
        book.close()
    return buffer.getvalue() if buffer is not None else None


def _project_rows(projects: QuerySet[Project], year: int) -> list[Any]:
    """The projects in `year`'s programme as plain rows: loading model instances, which
    snapshot themselves for the audit trail, would take most of the export's time."""
    fields = [f.attname for f in Project._meta.concrete_fields]
    with_batch: Any = projects
    found = (
        with_batch.with_batch(year)
        .filter(batch__isnull=False)
        .values(*fields, "batch", "owner_unit__name", "responsible_unit__name")
    )
    rows = []
    for values in found:
        row = SimpleNamespace(**values)
        row.owner_unit = SimpleNamespace(name=values["owner_unit__name"])
        row.responsible_unit = SimpleNamespace(name=values["responsible_unit__name"])
        row.pk = values["id"]
        rows.append(row)
    return rows


def _formats(book: Any) -> dict[str, Any]:
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    return {
        "title": book.add_format({"bold": True, "font_size": 18, "align": "center",
                                  "valign": "vcenter", "font_name": "方正小标宋简体"}),
        "note": book.add_format({"font_size": 10, "font_name": "宋体"}),
        "note_right": book.add_format({"font_size": 10, "font_name": "宋体", "align": "right"}),
        "header": book.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                                   "bg_color": "#DDEBF7"}),
        "section": book.add_format({**base, "bold": True, "bg_color": "#F2F2F2"}),
        "total_label": book.add_format({**base, "bold": True, "align": "center"}),
        "total_amount": book.add_format({**base, "bold": True, "num_format": "#,##0.00"}),
        "total_percent": book.add_format({**base, "bold": True, "num_format": "0.0%"}),
        "text": book.add_format(base),
        "wrap": book.add_format({**base, "text_wrap": True}),
        "number": book.add_format({**base, "align": "center"}),
        "amount": book.add_format({**base, "num_format": "#,##0.00"}),
        "percent": book.add_format({**base, "num_format": "0.0%"}),
        "points": book.add_format({**base, "num_format": "0.0"}),
        "date": book.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
        "blank": book.add_format(base),
    }  # fmt: skip


def _write(
    book: Any,
    projects: list[Any],
    plans: dict[int, Any],
    title: str,
    as_of: dt.date | None,
) -> None:
    sheet = book.add_worksheet("台账")
    f = _formats(book)
    last = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, title, f["title"])
    sheet.set_row(0, 32)
    when = as_of or timezone.localdate()
    sheet.merge_range(1, 0, 1, 8, f"截至{when.year}年{when.month}月{when.day}日", f["note"])
    sheet.merge_range(1, last - 3, 1, last, "单位：万元", f["note_right"])
    _write_header(sheet, f)
    sheet.freeze_panes(4, 3)
    row = 4
    grand = _Totals()
    context = _RowContext(as_of)
    by_batch: dict[str, list[Any]] = {}
    for project in projects:
        by_batch.setdefault(getattr(project, "batch"), []).append(project)  # noqa: B009
    for number, batch in enumerate(BATCH_ORDER):
        members = by_batch.get(batch, [])
        if not members:
            continue
        heading = f"{CHINESE_NUMERALS[number]}、{SECTION_TITLES[batch]}（{len(members)}个）"
        sheet.merge_range(row, 0, row, 2, heading, f["section"])
        for col in range(3, len(COLUMNS)):
            sheet.write_blank(row, col, None, f["section"])
        row += 1
        subtotal = _Totals()
        context.batch_name = SECTION_TITLES[batch].removesuffix("项目")
        for project in members:
            context.seq += 1
            plan = plans.get(project.pk)
            subtotal.add(project, plan)
            for col, column in enumerate(COLUMNS):
                value = column.value(project, plan, context)
                style = f[column.style]
                if value is None or value == "":
                    sheet.write_blank(row, col, None, style)
                elif column.style == "date":
                    sheet.write_datetime(row, col, value, style)
                elif isinstance(value, str):
                    sheet.write_string(row, col, value, style)
                else:
                    sheet.write_number(row, col, value, style)
            row += 1
        _write_totals(sheet, f, row, "小计", subtotal)
        grand.merge(subtotal)
        row += 1
    _write_totals(sheet, f, row, f"合计（{grand.count}个）", grand)


def _write_header(sheet: Any, f: dict[str, Any]) -> None:
    col = 0
    while col < len(COLUMNS):
        column = COLUMNS[col]
        sheet.set_column(col, col, column.width)
        if not column.group:
            sheet.merge_range(2, col, 3, col, column.header, f["header"])
            col += 1
            continue
        end = col
        while end + 1 < len(COLUMNS) and COLUMNS[end + 1].group == column.group:
            end += 1
            sheet.set_column(end, end, COLUMNS[end].width)
        sheet.merge_range(2, col, 2, end, column.group, f["header"])
        for sub in range(col, end + 1):
            sheet.write_string(3, sub, COLUMNS[sub].header, f["header"])
        col = end + 1
    sheet.set_row(2, 22)
    sheet.set_row(3, 30)


def _write_totals(sheet: Any, f: dict[str, Any], row: int, label: str, totals: _Totals) -> None:
    sheet.merge_range(row, 0, row, 2, label, f["total_label"])
    for col in range(3, len(COLUMNS)):
        column = COLUMNS[col]
        value = totals.value(column.total) if column.total else None
        if value is None:
            sheet.write_blank(row, col, None, f["text"])
        else:
            style = "total_percent" if column.style == "percent" else "total_amount"
            sheet.write_number(row, col, value, f[style])
