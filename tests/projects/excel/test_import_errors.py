"""A bad ledger: every error names its row and column, and nothing is saved."""

import datetime as dt
import io
import os
import time

import pytest

from keyprojects.audit.models import AuditEntry
from keyprojects.organisations.models import Unit
from keyprojects.projects.excel import ledger_import, ledger_preview
from keyprojects.projects.models import AnnualPlan, Project

from .ledgers import CODE_A, CODE_B, CODE_C, workbook_bytes

HEADER = [
    "序号",
    "项目代码",
    "项目名称",
    "业主单位",
    "责任单位",
    "计划开工日期",
    "计划竣工日期",
    "总投资（万元）",
    "年度计划投资",
]


def _state():
    return (
        AuditEntry.objects.count(),
        Project.objects.count(),
        Unit.objects.count(),
        AnnualPlan.objects.count(),
    )


def test_a_bad_ledger_reports_each_row_and_column_and_saves_nothing(world, as_file):
    rows = [
        ["渝中区2026年重点项目建设台账"],
        HEADER,
        ["一、新开工项目"],
        [1, CODE_A, "好项目", "区城投公司", "区城管局", "2026-03-01", "2026-12-31", 100, 10],
        [2, "2026-5001", "代码不对", "区城投公司", "区城管局", None, None, 100, 10],
        [3, CODE_B, "负数投资", "区城投公司", "区城管局", None, None, -5, 10],
        [4, CODE_B, "代码重复", "区城投公司", "区城管局", None, None, 100, 10],
        [5, world.foreign_project.code, "别区的代码", "区城投公司", "区城管局", None, None, 1, 1],
        [6, CODE_C, "先竣工后开工", "区城投公司", "区城管局", "2026年9月", "2026年3月", 1, 1],
        [7, None, None, "区城投公司", "区城管局", None, None, 100, 10],
        [8, None, "没有业主", None, "区城管局", None, None, 100, 10],
        [9, None, "金额是字", "区城投公司", "区城管局", "明年", None, "很多", 10],
        [10, None, "没有总投资", "区城投公司", "区城管局", None, None, None, 10],
    ]
    before = _state()

    preview = ledger_import(as_file(workbook_bytes(rows)), jurisdiction=world.district)

    assert not preview.applied
    assert _state() == before
    found = {(p.row, p.column) for p in preview.errors}
    assert found == {
        (5, "项目代码"),
        (6, "总投资（万元）"),
        (7, "项目代码"),
        (8, "项目代码"),
        (9, "计划竣工日期"),
        (10, "项目名称"),
        (11, "业主单位"),
        (12, "计划开工日期"),
        (12, "总投资（万元）"),
        (13, "总投资（万元）"),
    }
    assert all(p.message for p in preview.errors)
    duplicate = next(p for p in preview.errors if p.row == 7)
    assert "row 6" in duplicate.message and duplicate.cell == "B7"
    assert next(p for p in preview.errors if p.row == 6).message == (
        "An amount must not be negative."
    )


def test_messages_are_in_the_users_language(world, as_file):
    from django.utils import translation

    rows = [["2026年台账"], HEADER, [1, None, None, "区城投公司", "区城管局", None, None, 1, 1]]
    with translation.override("zh-hans"):
        chinese = ledger_preview(as_file(workbook_bytes(rows)), jurisdiction=world.district)
    english = ledger_preview(as_file(workbook_bytes(rows)), jurisdiction=world.district)
    assert english.errors[0].message == "The project name is missing."
    assert chinese.errors[0].message != english.errors[0].message
    assert (chinese.errors[0].row, chinese.errors[0].column) == (3, "项目名称")


def test_an_unknown_unit_is_an_error_when_new_units_are_not_allowed(world, as_file):
    rows = [
        ["渝中区2026年重点项目建设台账"],
        HEADER,
        [1, CODE_A, "项目甲", "新成立公司", "区城管局", None, None, 100, 10],
    ]
    before = _state()
    preview = ledger_import(
        as_file(workbook_bytes(rows)), jurisdiction=world.district, allow_new_units=False
    )
    assert [(p.row, p.column) for p in preview.errors] == [(3, "业主单位")]
    assert "新成立公司" in preview.errors[0].message
    assert _state() == before


def test_a_file_that_is_not_xlsx_is_refused(world):
    preview = ledger_import(io.BytesIO(b"name,owner\n1,2\n"), jurisdiction=world.district)
    assert [p.message for p in preview.errors] == ["The file is not an Excel workbook (.xlsx)."]
    assert preview.errors[0].row is None


def test_an_old_xls_file_is_refused_with_advice(world):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    preview = ledger_import(io.BytesIO(data), jurisdiction=world.district)
    assert ".xlsx" in preview.errors[0].message


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_truncated_file_is_an_error_not_a_crash(world, keep):
    rows = [["渝中区2026年重点项目建设台账"], HEADER] + [
        [i, None, f"项目{i}", "区城投公司", "区城管局", None, None, 100, 10] for i in range(200)
    ]
    data = workbook_bytes(rows)
    before = _state()
    preview = ledger_import(io.BytesIO(data[: int(len(data) * keep)]), jurisdiction=world.district)
    assert len(preview.errors) == 1 and preview.errors[0].row is None
    assert _state() == before


def test_a_file_over_the_size_limit_is_refused_without_reading_it(world, tmp_path, settings):
    settings.KEYPROJECTS_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(50 * 1024 * 1024)  # sparse: nothing is written
    started = time.perf_counter()
    with open(path, "rb") as handle:
        preview = ledger_import(handle, jurisdiction=world.district)
        assert handle.tell() == 0
    by_path = ledger_import(os.fspath(path), jurisdiction=world.district)
    assert time.perf_counter() - started < 1
    assert "50.0 MB" in preview.errors[0].message
    assert by_path.errors[0].message == preview.errors[0].message


def test_a_sheet_without_a_header_is_refused(world, as_file):
    rows = [["渝中区2026年重点项目建设台账"], ["甲", "乙", "丙"], [1, 2, 3]]
    preview = ledger_import(as_file(workbook_bytes(rows)), jurisdiction=world.district)
    assert "header" in preview.errors[0].message


def test_a_ledger_without_a_year_asks_for_one(world, as_file):
    rows = [
        ["重点项目台账"],
        HEADER,
        [1, CODE_A, "项目甲", "区城投公司", "区城管局", None, None, 1, 1],
    ]
    preview = ledger_import(as_file(workbook_bytes(rows)), jurisdiction=world.district)
    assert preview.errors[0].message == "The ledger's year is not in its title; give the year."
    assert ledger_import(
        as_file(workbook_bytes(rows)), jurisdiction=world.district, year=2026
    ).applied


def test_a_year_given_overrides_the_title_with_a_warning(world, as_file):
    rows = [
        ["2025年台账"],
        HEADER,
        [1, CODE_A, "项目甲", "区城投公司", "区城管局", dt.datetime(2026, 3, 1), None, 1, 1],
    ]
    preview = ledger_preview(as_file(workbook_bytes(rows)), jurisdiction=world.district, year=2026)
    assert preview.year == 2026
    assert any("2025" in w.message for w in preview.warnings)


def test_a_clash_while_saving_is_an_error_and_saves_nothing(world, as_file, monkeypatch):
    from django.db import IntegrityError

    from keyprojects.projects.excel import imports

    def clash(preview):
        Project.objects.filter(pk=world.project.pk).update(name="partly saved")
        raise IntegrityError("UNIQUE constraint failed: projects_project.code")

    monkeypatch.setattr(imports, "apply_preview", clash)
    rows = [["渝中区2026年重点项目建设台账"], HEADER,
            [1, CODE_A, "项目甲", "区城投公司", "区城管局", None, None, 100, 10]]  # fmt: skip
    preview = ledger_import(as_file(workbook_bytes(rows)), jurisdiction=world.district)
    assert not preview.applied and preview.errors[0].row is None
    world.project.refresh_from_db()
    assert world.project.name == "老鼓楼衙署遗址公园"
