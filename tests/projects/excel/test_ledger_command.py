import io
import json

import pytest
from django.core.management import CommandError, call_command

from keyprojects.audit.models import AuditEntry
from keyprojects.projects.models import Project

from .ledgers import CODE_A, CODE_B, workbook_bytes


def _file(tmp_path, rows):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook_bytes(rows))
    return str(path)


ROWS = [
    ["渝中区2026年重点项目建设台账"],
    [
        "项目代码",
        "项目名称",
        "业主单位",
        "责任单位",
        "计划开工日期",
        "总投资（万元）",
        "年度计划投资",
        "本年累计完成投资",
    ],
    ["一、新开工项目（1个）"],
    [CODE_A, "大坪商圈提升", "区城投公司", "区城管局", "2026年4月", 1234.5, 300, 100.25],
    ["四、储备项目（1个）"],
    [None, "两路口储备地块", "新的公司", "区城管局", None, 5000, None, None],
]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_preview_as_json_and_saves_nothing(world, tmp_path):
    before = (Project.objects.count(), AuditEntry.objects.count())
    out, _ = run("import", _file(tmp_path, ROWS), "--dry-run", "--json", "--jurisdiction", "500103")
    report = json.loads(out)
    assert set(report) >= {"projects", "errors", "warnings"}
    first, second = report["projects"]
    assert first == {
        **first,
        "row": 4,
        "action": "create",
        "code": CODE_A,
        "name": "大坪商圈提升",
        "batch": "new_start",
        "owner_unit": "区城投公司",
        "responsible_unit": "区城管局",
        "planned_start": "2026-04-01",
        "total_investment_yuan": "12345000.00",
        "annual_plan_yuan": "3000000.00",
        "ytd_completed_yuan": "1002500.00",
    }
    assert (second["code"], second["batch"], second["planned_start"]) == (None, "reserve", None)
    assert second["annual_plan_yuan"] is None
    assert report["new_units"][0]["name"] == "新的公司"
    assert (Project.objects.count(), AuditEntry.objects.count()) == before


def test_an_import_saves_and_reports(world, tmp_path):
    out, _ = run("import", _file(tmp_path, ROWS), "--jurisdiction", "500103")
    assert "2 to create" in out
    assert Project.objects.filter(code=CODE_A).exists()


def test_errors_print_with_their_rows_and_exit_non_zero(world, tmp_path):
    rows = [*ROWS, [CODE_B, "负数", "区城投公司", "区城管局", None, -1, None, None]]
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "ledger",
            "import",
            _file(tmp_path, rows),
            "--json",
            "--jurisdiction",
            "500103",
            stdout=out,
        )
    assert raised.value.returncode != 0
    errors = json.loads(out.getvalue())["errors"]
    assert errors == [
        {
            "row": 7,
            "column": "总投资（万元）",
            "message": "An amount must not be negative.",
            "cell": "F7",
        }
    ]
    assert not Project.objects.filter(code=CODE_A).exists()


def test_no_new_units_makes_an_unknown_unit_an_error(world, tmp_path):
    with pytest.raises(CommandError):
        run("import", _file(tmp_path, ROWS), "--no-new-units", "--jurisdiction", "500103")
    assert not Project.objects.filter(code=CODE_A).exists()


def test_with_several_districts_the_one_with_most_projects_is_the_default(world, tmp_path):
    # 渝中区 has two projects in the world fixture, 江北区 one.
    run("import", _file(tmp_path, ROWS))
    assert Project.objects.get(code=CODE_A).jurisdiction == world.district


def test_the_configured_district_is_the_default(world, tmp_path, settings):
    settings.KEYPROJECTS_DEFAULT_JURISDICTION = "500105"
    run("import", _file(tmp_path, ROWS))
    assert Project.objects.get(code=CODE_A).jurisdiction == world.other_district


def test_an_unknown_district_code_is_an_error(world, tmp_path):
    with pytest.raises(CommandError, match="999999"):
        run("import", _file(tmp_path, ROWS), "--jurisdiction", "999999")


def test_the_only_district_is_the_default(db, tmp_path):
    from keyprojects.organisations.choices import JurisdictionLevel
    from tests.factories import JurisdictionFactory, UnitFactory

    city = JurisdictionFactory(name="重庆市", code="500000", level=JurisdictionLevel.CITY)
    district = JurisdictionFactory(name="渝中区", code="500103", parent=city)
    UnitFactory(jurisdiction=district, name="区城投公司")
    out, _ = run("import", _file(tmp_path, ROWS), "--dry-run")
    assert "2 to create" in out


def test_export_writes_a_ledger_that_imports_unchanged(world, tmp_path):
    path = str(tmp_path / "out.xlsx")
    run("export", path, "--year", "2026", "--jurisdiction", "500103")
    out, _ = run("import", path, "--dry-run", "--json", "--jurisdiction", "500103")
    report = json.loads(out)
    assert report["errors"] == []
    assert {p["action"] for p in report["projects"]} == {"unchanged"}
    assert len(report["projects"]) == 2
