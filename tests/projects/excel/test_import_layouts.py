"""Six ledgers laid out the ways real ones are: each is read, row by row, into the same facts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from keyprojects.audit.choices import Channel
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import verify_chain
from keyprojects.organisations.choices import UnitKind
from keyprojects.organisations.models import Unit
from keyprojects.progress.models import MonthlyReport
from keyprojects.projects.choices import Batch, Industry, Level, Stage
from keyprojects.projects.excel import ledger_import, ledger_preview, saving
from keyprojects.projects.models import AnnualPlan, Project, StageChange

from .ledgers import CODE_A, CODE_B, CODE_C, workbook_bytes


def by_row(preview):
    return {r.row: r for r in preview.rows}


def test_a_two_row_merged_header_with_sections_subtotals_and_notes(world, as_file):
    rows = [
        ["渝中区2026年重点项目建设台账"],
        ["截至2026年10月底", None, None, None, None, None, None, None, None, "单位：万元"],
        [
            "序号",
            "项目代码",
            "项目名称",
            "业主单位",
            "责任单位",
            "建设起止年限",
            None,
            "计划开工/竣工日期",
            None,
            "投资情况（万元）",
            None,
            None,
            "备注",
        ],
        [
            None,
            None,
            None,
            None,
            None,
            "起",
            "止",
            "开工",
            "竣工",
            "总投资",
            "2026年计划投资",
            "1-10月完成投资",
            None,
        ],
        ["一、新开工项目（1个）", None, None, None, None, None, None, None, None, 5000, 1000, 200],
        [
            1,
            CODE_A,
            "朝天门片区城市更新项目",
            "区城投公司",
            "区住房城市建委",
            2026,
            2028,
            dt.datetime(2026, 3, 1),
            dt.datetime(2028, 12, 31),
            5000,
            1000,
            200,
            "新增",
        ],
        ["小计", None, None, None, None, None, None, None, None, 5000, 1000, 200],
        [],
        ["二、续建项目（1个）"],
        [
            2,
            CODE_C,
            "化龙桥道路品质提升工程",
            "区城投公司",
            "区城管局",
            2021,
            2027,
            dt.datetime(2021, 5, 1),
            dt.datetime(2027, 6, 30),
            12000.5,
            3000,
            2400.25,
            None,
        ],
        ["合计", None, None, None, None, None, None, None, None, 17000.5, 4000, 2600.25],
        ["注：1.投资数据由业主单位填报。"],
    ]
    merges = (
        "A1:M1",
        "A3:A4",
        "B3:B4",
        "C3:C4",
        "D3:D4",
        "E3:E4",
        "F3:G3",
        "H3:I3",
        "J3:L3",
        "M3:M4",
        "A5:C5",
        "A9:C9",
    )
    preview = ledger_preview(
        as_file(workbook_bytes(rows, merges=merges)), jurisdiction=world.district
    )

    assert preview.errors == []
    assert preview.year == 2026 and preview.as_of == dt.date(2026, 10, 31)
    assert sorted(by_row(preview)) == [6, 10]
    new, continuing = by_row(preview)[6], by_row(preview)[10]
    assert new.batch == Batch.NEW_START and continuing.batch == Batch.CONTINUING
    assert new.values["planned_start"] == dt.date(2026, 3, 1)
    assert (new.values["start_year"], new.values["end_year"]) == (2026, 2028)
    assert continuing.values["total_investment"] == Decimal("120005000.00")
    assert continuing.values["ytd_completed"] == Decimal("24002500.00")
    assert continuing.values["investment_target"] == Decimal("30000000.00")
    assert [w.column for w in preview.warnings] == ["备注"]  # not a ledger column


def test_a_one_row_header_in_other_words_with_yi_yuan_and_text_dates(world, as_file):
    rows = [
        ["2026年渝中区重点建设项目计划表"],
        [],
        [
            "项目名",
            "建设单位",
            "牵头单位",
            "计划总投资（亿元）",
            "年度计划（亿元）",
            "本年累计完成(亿元)",
            "开工时间",
            "竣工时间",
        ],
        ["（一）续建项目"],
        ["鹅岭公园提升工程", "区城投公司", "区城管局", 1.25, 0.3, "0.12", "2022年3月", "2023.12"],
        [None],
        ["（二）新开工项目"],
        [
            "大坪老旧小区改造工程",
            "区住房城市建委",
            "区住房城市建委",
            "0.8",
            0.2,
            None,
            "2026年5月",
            "2027年6月",
        ],
    ]
    preview = ledger_preview(as_file(workbook_bytes(rows)), jurisdiction=world.district)

    assert preview.errors == []
    park, homes = by_row(preview)[5], by_row(preview)[8]
    assert park.batch == Batch.CONTINUING and homes.batch == Batch.NEW_START
    assert park.values["total_investment"] == Decimal("125000000.00")
    assert park.values["investment_target"] == Decimal("30000000.00")
    assert park.values["ytd_completed"] == Decimal("12000000.00")
    assert park.values["planned_start"] == dt.date(2022, 3, 1)
    assert park.values["planned_completion"] == dt.date(2023, 12, 31)
    assert homes.values["ytd_completed"] is None
    assert park.action == homes.action == "create"


def test_headers_with_newlines_full_width_brackets_and_text_amounts(world, as_file):
    rows = [
        ["渝中区２０２６年重点项目台账"],
        [
            "序 号",
            "项目\n名称",
            "项目业主",
            "责任\n单位",
            "总投资\n（万元）",
            "2026年\n计划投资",
            "本年累计\n完成投资",
            "建设起止\n年限",
        ],
        ["续建项目（3个）"],
        [
            1,
            "十八梯片区更新",
            "区城市更新公司",
            "区住房城市建委",
            "1,234.5",
            "1.2亿",
            "3000万元",
            "2021-2023",
        ],
        [2, "白象街保护利用", "区城市更新公司", "区住房城市建委", "１２３", 100, 0, "2021—2023年"],
        [3, "山城巷步道", "区城市更新公司", "区住房城市建委", 800, "", "—", "2022年至2026年"],
    ]
    preview = ledger_preview(as_file(workbook_bytes(rows)), jurisdiction=world.district)

    assert preview.errors == []
    first, second, third = by_row(preview)[4], by_row(preview)[5], by_row(preview)[6]
    assert first.values["total_investment"] == Decimal("12345000.00")
    assert first.values["investment_target"] == Decimal("120000000.00")
    assert first.values["ytd_completed"] == Decimal("30000000.00")
    assert (first.values["start_year"], first.values["end_year"]) == (2021, 2023)
    assert second.values["total_investment"] == Decimal("1230000.00")
    assert (second.values["start_year"], second.values["end_year"]) == (2021, 2023)
    assert third.values["investment_target"] is None and third.values["ytd_completed"] is None
    assert [u.name for u in preview.new_units] == ["区城市更新公司"]
    assert preview.new_units[0].kind == UnitKind.STATE_COMPANY
    assert preview.new_units[0].rows == [4, 5, 6]


def test_hidden_title_lines_column_numbers_totals_first_and_yuan_amounts(world, as_file):
    rows = [
        ["内部资料 注意保密"],
        ["附件2"],
        ["渝中区2026年重点项目建设台账（截至2026年9月30日）"],
        [
            "序号",
            "项目代码",
            "项目名称",
            "业主单位",
            "责任单位",
            "计划开工日期",
            "计划竣工日期",
            "总投资（元）",
            "年度计划投资（元）",
        ],
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
        ["总计", None, None, None, None, None, None, 3500000, 1000000],
        ["一、新开工项目"],
        [
            1,
            CODE_A,
            "七星岗停车场",
            "区城投公司",
            "区城管局",
            "2026-03-15",
            "2026/12/31",
            1500000,
            500000,
        ],
        ["二、建成项目"],
        [
            2,
            CODE_C,
            "菜园坝滨江步道",
            "区城投公司",
            "区城管局",
            "2021年3月15日",
            "2026年6月30日",
            2000000,
            500000,
        ],
        ["备注：建成项目以竣工验收为准。"],
        ["填报人：", None, "审核人："],
    ]
    preview = ledger_preview(
        as_file(workbook_bytes(rows, hidden_rows=(1, 2), extra_sheets=("填表说明",))),
        jurisdiction=world.district,
    )

    assert preview.errors == []
    assert preview.as_of == dt.date(2026, 9, 30)
    assert sorted(by_row(preview)) == [8, 10]
    parking, walk = by_row(preview)[8], by_row(preview)[10]
    assert parking.values["planned_start"] == dt.date(2026, 3, 15)
    assert parking.values["planned_completion"] == dt.date(2026, 12, 31)
    assert parking.values["total_investment"] == Decimal("1500000.00")
    assert walk.values["planned_start"] == dt.date(2021, 3, 15)
    assert walk.batch == Batch.COMPLETED


def test_one_column_of_planned_dates_a_unit_line_in_yi_and_the_year_given(world, as_file):
    rows = [
        ["重点项目推进情况表"],
        ["截止10月", None, None, None, "单位：亿元"],
        [
            "项目名称",
            "业主单位",
            "责任单位",
            "计划开竣工时间",
            "总投资",
            "年度投资计划",
            "10月完成投资",
        ],
        ["新开工项目"],
        ["两路口片区更新", "区城投公司", "区住房城市建委", "2026.03-2028.12", 2.5, 0.5, 0.05],
        ["续建项目"],
        ["上清寺道路改造", "区城投公司", "区住房城市建委", "2024.06—2026.10", "3.2", 1, None],
    ]
    preview = ledger_preview(as_file(workbook_bytes(rows)), jurisdiction=world.district, year=2026)

    assert preview.errors == []
    assert preview.year == 2026 and preview.as_of == dt.date(2026, 10, 31)
    upgrade, road = by_row(preview)[5], by_row(preview)[7]
    assert upgrade.values["planned_start"] == dt.date(2026, 3, 1)
    assert upgrade.values["planned_completion"] == dt.date(2028, 12, 31)
    assert upgrade.values["total_investment"] == Decimal("250000000.00")
    assert upgrade.values["month_completed"] == Decimal("5000000.00")
    assert road.values["planned_completion"] == dt.date(2026, 10, 31)
    # 续建 in the ledger, but completing in 2026: a warning, not an error.
    assert [w.row for w in preview.warnings] == [7]


def test_a_flat_ledger_with_a_batch_column_level_and_industry(world, as_file):
    rows = [
        ["类别", "项目名称", "级别", "行业", "业主单位", "责任单位", "总投资", "计划开工日期"],
        ["储备", "佛图关公园二期", "区级", "生态环保", "区城投公司", "区城管局", 9000, None],
        [
            "新开工",
            "李子坝轨道站点接驳",
            "市级",
            "交通",
            "区城投公司",
            "区城管局",
            4000,
            dt.datetime(2026, 8, 1),
        ],
        [
            "续建",
            "大溪沟学校扩建",
            "区级",
            "教育",
            "区城投公司",
            "区城管局",
            3000,
            dt.datetime(2024, 8, 1),
        ],
    ]
    preview = ledger_import(as_file(workbook_bytes(rows)), jurisdiction=world.district, year=2026)

    assert preview.errors == [] and preview.applied
    reserve = Project.objects.get(name="佛图关公园二期")
    start = Project.objects.get(name="李子坝轨道站点接驳")
    school = Project.objects.get(name="大溪沟学校扩建")
    assert (reserve.stage, reserve.batch(2026)) == (Stage.RESERVE, Batch.RESERVE)
    assert (start.stage, start.batch(2026)) == (Stage.PRELIMINARY, Batch.NEW_START)
    assert (school.stage, school.batch(2026)) == (Stage.CONSTRUCTION, Batch.CONTINUING)
    assert start.level == Level.MUNICIPAL and start.industry == Industry.TRANSPORT
    assert school.industry == Industry.SOCIAL
    assert reserve.industry == Industry.ECOLOGY and reserve.total_investment == Decimal(90000000)
    assert StageChange.objects.filter(project=start, from_stage="").count() == 1
    for saved in Project.objects.all():
        saved.full_clean()


@pytest.mark.parametrize("fast", [True, False], ids=["plain-inserts", "bulk-create"])
def test_an_applied_import_is_in_the_audit_trail_through_the_import_channel(
    world, as_file, monkeypatch, fast
):
    if fast and connection.vendor != "sqlite":
        pytest.skip("plain inserts with allocated ids are the SQLite path only")
    monkeypatch.setattr(saving, "_fast", lambda: fast)
    rows = [
        ["渝中区2026年重点项目建设台账"],
        ["截至2026年10月31日"],
        [
            "项目代码",
            "项目名称",
            "业主单位",
            "责任单位",
            "总投资",
            "年度计划投资",
            "本年累计完成投资",
        ],
        ["一、新开工项目"],
        [CODE_A, "望龙门片区更新", "区城投公司", "解放碑CBD管委会", 1000, 300, 120],
        [CODE_B, "储奇门停车场", "康翔公司", "区城管局", 2000, 500, None],
    ]
    before = AuditEntry.objects.count()
    preview = ledger_import(as_file(workbook_bytes(rows)), jurisdiction=world.district)

    assert preview.errors == []
    assert preview.applied
    kinds = {u.name: u.kind for u in Unit.objects.filter(jurisdiction=world.district)}
    assert kinds["解放碑CBD管委会"] == UnitKind.COMMITTEE
    assert kinds["康翔公司"] == UnitKind.STATE_COMPANY
    entries = AuditEntry.objects.filter(seq__gt=before)
    assert {e.channel for e in entries} == {Channel.IMPORT}
    # The ledger's year-to-date figure becomes reported investment for October (one project
    # carries one).
    assert sorted(e.model for e in entries) == sorted(
        ["organisations.unit"] * 2
        + ["projects.project"] * 2
        + ["projects.annualplan"] * 2
        + ["progress.monthlyreport"]
    )
    report = MonthlyReport.objects.get()
    assert (report.year, report.month, report.investment, report.status) == (
        2026,
        10,
        Decimal("1200000.00"),
        "accepted",
    )
    plan = AnnualPlan.objects.get(project__code=CODE_A, year=2026)
    assert plan.investment_target == Decimal("3000000.00")
    assert plan.ytd_completed == Decimal("1200000.00")
    assert plan.figures_as_of == dt.date(2026, 10, 31)
    no_figures = AnnualPlan.objects.get(project__code=CODE_B, year=2026)
    assert no_figures.figures_as_of is None
    assert verify_chain() is None
    for saved in [*Project.objects.all(), *AnnualPlan.objects.all()]:
        saved.full_clean()  # what was written without full_clean passes it
    assert StageChange.objects.filter(project__code=CODE_B, to_stage=Stage.PRELIMINARY).exists()
    # The new starts have no planned start in 2026: they are reserve by their dates.
    assert {w.row for w in preview.warnings} == {5, 6}
