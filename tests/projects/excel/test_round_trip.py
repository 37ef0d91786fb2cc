import io

import python_calamine

from keyprojects.audit.models import AuditEntry
from keyprojects.organisations.models import Unit
from keyprojects.projects.excel import ledger_export, ledger_import, ledger_preview
from keyprojects.projects.models import AnnualPlan, Project


def _district_projects(world):
    return Project.objects.filter(jurisdiction=world.district)


def test_export_then_import_changes_nothing(ledger_world):
    data = ledger_export(_district_projects(ledger_world), year=2026)
    entries, units, plans = (
        AuditEntry.objects.count(),
        Unit.objects.count(),
        AnnualPlan.objects.count(),
    )
    before = {p.pk: (p.version, p.updated_at) for p in Project.objects.all()}

    preview = ledger_import(io.BytesIO(data), jurisdiction=ledger_world.district)

    assert preview.errors == []
    assert [r.diff for r in preview.rows if r.diff] == []
    assert {r.action for r in preview.rows} == {"unchanged"}
    assert len(preview.rows) == 5
    assert preview.new_units == []
    assert AuditEntry.objects.count() == entries
    assert Unit.objects.count() == units
    assert AnnualPlan.objects.count() == plans
    assert {p.pk: (p.version, p.updated_at) for p in Project.objects.all()} == before


def test_the_export_has_title_as_of_line_grouped_header_and_sections(ledger_world):
    data = ledger_export(_district_projects(ledger_world), year=2026)
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    assert rows[0][0] == "渝中区2026年重点项目建设台账"
    assert rows[1][0] == "截至2026年10月31日"
    assert "单位：万元" in rows[1]
    assert "投资情况（万元）" in rows[2]
    assert "建设起止年限" in rows[2] and "计划开工/竣工日期" in rows[2]
    assert {
        "总投资",
        "年度计划投资",
        "本年累计完成投资",
        "占年度计划%",
        "开工累计完成投资",
        "占总投资%",
    } <= set(rows[3])
    first_cells = [r[0] for r in rows]
    assert "一、新开工项目（1个）" in first_cells
    assert "二、续建项目（1个）" in first_cells
    assert "三、建成项目（2个）" in first_cells
    assert "四、储备项目（1个）" in first_cells
    assert first_cells.count("小计") == 4
    assert rows[-1][0] == "合计（5个）"
    total_col = rows[3].index("总投资")
    assert rows[-1][total_col] == sum(
        float(p.total_investment) / 10000 for p in _district_projects(ledger_world)
    )


def test_a_preview_of_an_edited_export_lists_the_field_changes(ledger_world):
    data = ledger_export(_district_projects(ledger_world), year=2026)
    book = __import__("openpyxl").load_workbook(io.BytesIO(data))
    sheet = book.active
    header = [c.value for c in sheet[4]]
    for row in sheet.iter_rows(min_row=5):
        if row[2].value == "珊瑚公园滨江公园二期":
            row[header.index("总投资")].value = 40000
            row[header.index("本年累计完成投资")].value = 4500.5
    out = io.BytesIO()
    book.save(out)

    preview = ledger_preview(io.BytesIO(out.getvalue()), jurisdiction=ledger_world.district)

    changed = [r for r in preview.rows if r.action == "update"]
    assert len(changed) == 1
    assert {d.field: str(d.new) for d in changed[0].diff} == {
        "total_investment": "400000000.00",
        "plan.ytd_completed": "45005000.00",
    }
    assert not preview.applied
