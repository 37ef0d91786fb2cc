"""The import checks rows itself (full_clean per row is too slow for 20,000 rows); these
edge cases show that it accepts and refuses exactly what the model does."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keyprojects.projects.choices import Industry, Level
from keyprojects.projects.excel import ledger_preview
from keyprojects.projects.models import Project

from .ledgers import workbook_bytes

HEADER = [
    "项目代码",
    "项目名称",
    "业主单位",
    "责任单位",
    "计划开工日期",
    "计划竣工日期",
    "建设起止年限",
    "总投资（元）",
    "责任人",
]
BASE = {
    "code": "2026-500103-78-01-000001",
    "name": "项目",
    "planned_start": dt.date(2026, 1, 1),
    "planned_completion": dt.date(2027, 1, 1),
    "start_year": 2026,
    "end_year": 2027,
    "total_investment": "1000.00",
    "responsible_person": "",
}
CASES = [
    {},
    {"name": "名" * 200},
    {"name": "名" * 201},
    {"code": "2026-500103-78-01-00001"},
    {"code": "2026-500103-78-01-0000011"},
    {"code": "2026_500103_78_01_000001"},
    {"planned_completion": dt.date(2026, 1, 1)},
    {"planned_completion": dt.date(2025, 12, 31)},
    {"end_year": 2026},
    {"end_year": 2025},
    {"total_investment": "0"},
    {"total_investment": "9999999999999999.99"},
    {"total_investment": "10000000000000000.00"},
    {"responsible_person": "人" * 100},
    {"responsible_person": "人" * 101},
]


def _row(values):
    return [
        values["code"],
        values["name"],
        "区城投公司",
        "区城管局",
        values["planned_start"],
        values["planned_completion"],
        f"{values['start_year']}-{values['end_year']}",
        values["total_investment"],
        values["responsible_person"],
    ]


def _model_accepts(world, values):
    project = Project(
        jurisdiction=world.district,
        code=values["code"],
        name=values["name"],
        level=Level.DISTRICT,
        industry=Industry.OTHER,
        owner_unit=world.owner,
        responsible_unit=world.bystander_unit,
        planned_start=values["planned_start"],
        planned_completion=values["planned_completion"],
        start_year=values["start_year"],
        end_year=values["end_year"],
        total_investment=Decimal(values["total_investment"]),
        responsible_person=values["responsible_person"],
    )
    try:
        project.full_clean()
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("change", CASES, ids=[",".join(c) or "base" for c in CASES])
def test_the_import_accepts_what_full_clean_accepts(world, as_file, change):
    values = {**BASE, **change}
    data = workbook_bytes(
        [["渝中区2026年重点项目建设台账"], HEADER, ["一、新开工项目"], _row(values)]
    )
    preview = ledger_preview(as_file(data), jurisdiction=world.district)
    assert preview.ok == _model_accepts(world, values), preview.errors
