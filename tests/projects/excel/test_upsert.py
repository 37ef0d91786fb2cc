"""Rows update the project with their code, or with their name and owner unit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from keyprojects.audit.choices import Action, Channel
from keyprojects.audit.context import acting
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import verify_chain
from keyprojects.projects.choices import Stage
from keyprojects.projects.excel import ledger_import, ledger_preview, saving
from keyprojects.projects.models import Project, StageChange
from tests.factories import AnnualPlanFactory, ProjectFactory

from .ledgers import CODE_A, workbook_bytes

HEADER = [
    "项目代码", "项目名称", "业主单位", "责任单位", "总投资", "计划开工日期", "形象进度",
    "年度计划投资",
]  # fmt: skip


def ledger(*rows):
    return workbook_bytes([["渝中区2026年重点项目建设台账"], HEADER, ["续建项目"], *rows])


@pytest.mark.parametrize("fast", [True, False], ids=["plain-updates", "bulk-update"])
def test_a_row_with_a_code_updates_that_project(world, as_file, monkeypatch, fast):
    if fast and connection.vendor != "sqlite":
        pytest.skip("plain updates are the SQLite path only")
    monkeypatch.setattr(saving, "_fast", lambda: fast)
    AnnualPlanFactory(project=world.project, year=2026)
    project = world.project
    data = ledger(
        [
            project.code,
            "老鼓楼衙署遗址公园（更名）",
            "区城投公司",
            "区住房城市建委",
            12000,
            dt.datetime(2024, 3, 1),
            "主体完工",
            2500,
        ]
    )
    preview = ledger_preview(as_file(data), jurisdiction=world.district)
    row = preview.rows[0]
    assert (row.action, row.project_id) == ("update", project.pk)
    assert {d.field: (d.old, d.new) for d in row.diff} == {
        "name": ("老鼓楼衙署遗址公园", "老鼓楼衙署遗址公园（更名）"),
        "total_investment": (Decimal("100000000.00"), Decimal("120000000.00")),
        "progress_text": ("", "主体完工"),
        "plan.investment_target": (Decimal("30000000.00"), Decimal("25000000.00")),
    }
    with acting(actor=world.office, channel=Channel.WEB):
        applied = ledger_import(
            as_file(data), jurisdiction=world.district, expected_fingerprint=preview.fingerprint
        )
    assert applied.applied
    project.refresh_from_db()
    assert project.name == "老鼓楼衙署遗址公园（更名）" and project.version == 2
    assert project.annual_plans.get(year=2026).investment_target == Decimal("25000000.00")
    plan_entry = AuditEntry.objects.filter(model="projects.annualplan", action=Action.UPDATE).get()
    assert plan_entry.object_repr == "老鼓楼衙署遗址公园（更名） 2026"
    assert plan_entry.after["investment_target"] == "25000000.00"
    entry = AuditEntry.objects.filter(model="projects.project", action=Action.UPDATE).get()
    assert (entry.channel, entry.actor) == (Channel.IMPORT, world.office)
    assert entry.before["total_investment"] == "100000000.00"
    assert entry.after["total_investment"] == "120000000.00"
    assert verify_chain() is None


def test_a_row_without_a_code_updates_the_project_with_its_name_and_owner(world, as_file):
    project = ProjectFactory(
        jurisdiction=world.district,
        code=None,
        name="化龙桥片区",
        owner_unit=world.owner,
        responsible_unit=world.responsible,
    )
    data = ledger([None, "化龙桥片区", "区城投公司", "区住房城市建委", 20000, None, "拆迁中"])
    preview = ledger_import(as_file(data), jurisdiction=world.district)
    assert (preview.rows[0].action, preview.rows[0].project_id) == ("update", project.pk)
    project.refresh_from_db()
    assert project.total_investment == Decimal("200000000.00")
    assert project.planned_start is None
    assert project.code is None  # a blank code keeps what was there


def test_a_code_in_the_ledger_is_given_to_the_same_project_without_one(world, as_file):
    project = ProjectFactory(
        jurisdiction=world.district,
        code=None,
        name="化龙桥片区",
        owner_unit=world.owner,
        responsible_unit=world.responsible,
    )
    data = ledger(
        [CODE_A, "化龙桥片区", "区城投公司", "区住房城市建委", 10000, dt.datetime(2024, 3, 1), ""]
    )
    preview = ledger_import(as_file(data), jurisdiction=world.district)
    assert preview.rows[0].project_id == project.pk
    project.refresh_from_db()
    assert project.code == CODE_A


def test_the_same_name_under_another_owner_is_another_project(world, as_file):
    data = ledger([None, world.project.name, "区城管局", "区城管局", 500, None, ""])
    preview = ledger_import(as_file(data), jurisdiction=world.district)
    assert preview.rows[0].action == "create"
    assert Project.objects.filter(name=world.project.name).count() == 2


def test_a_created_project_enters_the_ledger_with_one_stage_change(world, as_file):
    data = workbook_bytes(
        [
            ["渝中区2026年重点项目建设台账"],
            [*HEADER, "实际开工日期"],
            ["一、新开工项目"],
            [
                CODE_A,
                "朝天门广场改造",
                "区城投公司",
                "区城管局",
                800,
                dt.datetime(2026, 2, 1),
                "",
                None,
                dt.datetime(2026, 2, 20),
            ],
        ]
    )
    with acting(actor=world.office, channel=Channel.COMMAND):
        preview = ledger_import(as_file(data), jurisdiction=world.district)
    project = Project.objects.get(code=CODE_A)
    assert preview.rows[0].project_id == project.pk
    assert project.stage == Stage.CONSTRUCTION and project.batch(2026) == "new_start"
    change = StageChange.objects.get(project=project)
    assert (change.from_stage, change.to_stage, change.actor) == (
        "",
        Stage.CONSTRUCTION,
        world.office,
    )
    assert change.reason == "Entered in the ledger by import"


def test_two_rows_for_the_same_project_are_an_error(world, as_file):
    data = ledger(
        [world.project.code, "甲", "区城投公司", "区住房城市建委", 1, None, ""],
        [None, world.project.name, "区城投公司", "区住房城市建委", 1, None, ""],
    )
    preview = ledger_import(as_file(data), jurisdiction=world.district)
    assert [(p.row, p.column) for p in preview.errors] == [(5, "项目名称")]


def test_the_import_refuses_when_the_projects_changed_since_the_preview(world, as_file):
    data = ledger([world.project.code, "新名字", "区城投公司", "区住房城市建委", 1, None, ""])
    preview = ledger_preview(as_file(data), jurisdiction=world.district)
    Project.objects.filter(pk=world.project.pk).update(name="新名字")
    applied = ledger_import(
        as_file(data), jurisdiction=world.district, expected_fingerprint=preview.fingerprint
    )
    assert not applied.applied and applied.errors[0].row is None


def test_projects_without_codes_are_stored_without_codes(world, as_file):
    data = ledger(
        ["待赋码", "大坪储备地块", "区城投公司", "区城管局", 500, None, "", None],
        [None, "鹅岭储备地块", "区城投公司", "区城管局", 500, None, "", None],
        ["", "朝天门储备地块", "区城投公司", "区城管局", 500, None, "", None],
    )
    preview = ledger_import(as_file(data), jurisdiction=world.district)
    assert preview.errors == [] and preview.applied
    codes = Project.objects.filter(name__endswith="储备地块").values_list("code", flat=True)
    assert list(codes) == [None, None, None]
    for saved in Project.objects.all():
        saved.full_clean()
