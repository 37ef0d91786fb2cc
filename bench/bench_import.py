"""Benchmark the ledger import (not a unit test).

Builds a 20,000-row ledger laid out as officials keep it (title, as-of and unit lines, a
two-row merged header of 31 columns, four batch sections with subtotal rows, a totals row),
then measures, each into a fresh temporary SQLite database:

(a) python-calamine alone reading the sheet into Python values;
(b) our import applied for real: read, check, create 20,000 projects with their annual
    plans and stage changes, and write the audit trail, in one transaction;
(c) django-import-export importing the same 20,000 projects into the Project model with a
    ModelResource of the same fields, from a plain one-header-row xlsx holding values it
    needs no help with (yuan, model choice values, ISO dates). It runs with its defaults:
    row by row, one lookup per row by code and per unit, each save audited by the model's
    signal. It writes no annual plans, so it does less work than (b).

Targets: ours ≤ 3× calamine alone, and < 0.5× django-import-export.

Run: python -m bench.bench_import [--rows N] [--repeat N] [--json]
(needs bench/requirements.txt installed); `python -m bench import` runs it through the
common runner, in a child process of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS = 20_000
UNITS = [
    "区城投公司",
    "区国资公司",
    "康翔公司",
    "区城市更新公司",
    "区住房城市建委",
    "区城管局",
    "解放碑CBD管委会",
    "区文化旅游委",
    "区教委",
    "区卫生健康委",
    "区交通局",
    "区水利局",
]
PLACES = ["解放碑", "朝天门", "化龙桥", "大坪", "两路口", "上清寺", "七星岗", "菜园坝", "鹅岭"]
KINDS = ["片区城市更新项目", "老旧小区改造工程", "公共停车场建设工程", "道路品质提升工程"]
# The columns of the flat file django-import-export reads, and the fields it imports.
FLAT_FIELDS = (
    "code",
    "name",
    "jurisdiction",
    "level",
    "industry",
    "site",
    "scale_and_content",
    "owner_unit",
    "responsible_unit",
    "responsible_person",
    "contact",
    "leader_in_charge",
    "start_year",
    "end_year",
    "planned_start",
    "planned_completion",
    "total_investment",
    "funding_sources",
    "progress_text",
    "preliminary_progress",
    "problems_text",
    "next_steps",
    "stage",
)
SECTIONS = [
    ("一、新开工项目", "新开工"),
    ("二、续建项目", "续建"),
    ("三、建成项目", "建成"),
    ("四、储备项目", "储备"),
]
TOP = [
    "序号",
    "项目代码",
    "项目名称",
    "类别",
    "级别",
    "行业",
    "建设地点",
    "建设规模及主要建设内容",
    "业主单位",
    "责任单位",
    "责任人",
    "联系人",
    "挂点领导",
    "建设起止年限",
    "",
    "计划开工/竣工日期",
    "",
    "投资情况（万元）",
    "",
    "",
    "",
    "",
    "",
    "",
    "资金来源",
    "序时进度差",
    "形象进度",
    "前期手续进展",
    "存在问题",
    "下步打算",
    "预警",
]
SUB = {
    13: "起",
    14: "止",
    15: "开工",
    16: "竣工",
    17: "总投资",
    18: "年度计划投资",
    19: "本月完成投资",
    20: "本年累计完成投资",
    21: "占年度计划%",
    22: "开工累计完成投资",
    23: "占总投资%",
}
GROUPS = [(13, 14), (15, 16), (17, 23)]


def _setup_django(directory: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ.setdefault("KEYPROJECTS_DEBUG", "0")  # DEBUG keeps every query in memory
    os.environ.setdefault("KEYPROJECTS_SECRET_KEY", "bench-only")
    import django
    from django.conf import settings

    if settings.configured and "default" in getattr(settings, "DATABASES", {}):
        settings.DATABASES["default"]["NAME"] = f"{directory}/bench.sqlite3"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _projects(rows: int) -> list[dict[str, Any]]:
    rng = random.Random(2026)
    out = []
    for i in range(rows):
        section = i * 4 // rows
        start = {0: 2026, 1: 2023, 2: 2023, 3: 2027}[section] - (i % 2 if section in (1, 2) else 0)
        end = {0: 2028, 1: 2028, 2: 2026, 3: 2029}[section]
        total = rng.randrange(1000, 200_000) + rng.randrange(100) / 100
        target = round(total * 0.2, 2)
        ytd = round(target * rng.random(), 2) if section != 3 else None
        out.append(
            {
                "section": section,
                "code": f"{start}-500103-{rng.randrange(10, 99)}-01-{i:06d}",
                "name": f"{PLACES[i % len(PLACES)]}{KINDS[i % len(KINDS)]}{i}号",
                "owner": UNITS[i % 4],
                "responsible": UNITS[4 + i % 8],
                "start": dt.date(start, 1 + i % 12, 1),
                "end": dt.date(end, 12, 31),
                "start_year": start,
                "end_year": end,
                "total": total,
                "target": target,
                "month": round(target / 12, 2) if ytd else None,
                "ytd": ytd,
                "since": round(total * 0.3, 2) if ytd else None,
                "content": f"改造面积约{rng.randrange(1, 50)}万平方米，配套道路、管网及绿化。",
                "progress": "主体结构施工" if section in (1, 2) else "",
                "problems": "征收进度偏慢" if i % 7 == 0 else "",
            }
        )
    return out


def build_ledger(path: str, projects: list[dict[str, Any]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    last = len(TOP) - 1
    sheet.merge_range(0, 0, 0, last, "渝中区2026年重点项目建设台账")
    sheet.merge_range(1, 0, 1, 8, "截至2026年10月31日")
    sheet.write(1, last, "单位：万元")
    for col, text in enumerate(TOP):
        if col in SUB:
            continue
        sheet.merge_range(2, col, 3, col, text)
    for first, end in GROUPS:
        sheet.merge_range(2, first, 2, end, TOP[first])
    for col, text in SUB.items():
        sheet.write(3, col, text)
    row = 4
    for number, (heading, kind) in enumerate(SECTIONS):
        members = [p for p in projects if p["section"] == number]
        sheet.merge_range(row, 0, row, 2, f"{heading}（{len(members)}个）")
        row += 1
        for seq, p in enumerate(members, 1):
            values = [
                seq,
                p["code"],
                p["name"],
                kind,
                "区级",
                "城市更新",
                "渝中区",
                p["content"],
                p["owner"],
                p["responsible"],
                "总经理",
                "工程部",
                "分管副区长",
                p["start_year"],
                p["end_year"],
                None,
                None,
                p["total"],
                p["target"],
                p["month"],
                p["ytd"],
                None,
                p["since"],
                None,
                "专项债券",
                None,
                p["progress"],
                "手续齐备",
                p["problems"],
                "加快推进",
                "绿灯",
            ]
            for col, value in enumerate(values):
                if value is not None and value != "":
                    sheet.write(row, col, value)
            sheet.write_datetime(row, 15, p["start"], date_format)
            sheet.write_datetime(row, 16, p["end"], date_format)
            row += 1
        sheet.write(row, 0, "小计")
        row += 1
    sheet.write(row, 0, "合计")
    sheet.write(row + 2, 0, "注：本表金额单位为万元。")
    book.close()


def build_flat(path: str, projects: list[dict[str, Any]], jurisdiction_id: int) -> None:
    """The same projects for django-import-export: one header row, model values."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    header = list(FLAT_FIELDS)
    sheet.write_row(0, 0, header)
    for row, p in enumerate(projects, 1):
        stage = "reserve" if p["section"] == 3 else "construction"
        sheet.write_row(
            row,
            0,
            [
                p["code"],
                p["name"],
                jurisdiction_id,
                "district",
                "urban_renewal",
                "渝中区",
                p["content"],
                p["owner"],
                p["responsible"],
                "总经理",
                "工程部",
                "分管副区长",
                p["start_year"],
                p["end_year"],
                p["start"].isoformat(),
                p["end"].isoformat(),
                f"{p['total'] * 10000:.2f}",
                "专项债券",
                p["progress"],
                "手续齐备",
                p["problems"],
                "加快推进",
                stage,
            ],
        )
    book.close()


def _reset_projects() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "progress_reportrevision",
            "progress_monthlyreport",
            "projects_stagechange",
            "projects_annualplan",
            "projects_project",
            "audit_auditentry",
        ):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("UPDATE audit_audithead SET seq = 0, hash = %s", ["0" * 64])


def _world() -> Any:
    from keyprojects.organisations.choices import JurisdictionLevel, UnitKind
    from keyprojects.organisations.models import Jurisdiction, Unit

    city = Jurisdiction.objects.create(name="重庆市", code="500000", level=JurisdictionLevel.CITY)
    district = Jurisdiction.objects.create(name="渝中区", code="500103", parent=city)
    for name in UNITS:
        kind = UnitKind.STATE_COMPANY if "公司" in name else UnitKind.DEPARTMENT
        Unit.objects.create(jurisdiction=district, name=name, kind=kind)
    return district


def _best(times: list[float]) -> float:
    return min(times)


def _import_export(flat_path: str) -> tuple[float, float, int]:
    import tablib
    from import_export import fields, resources, widgets

    from keyprojects.audit.choices import Channel
    from keyprojects.audit.context import acting
    from keyprojects.organisations.models import Unit
    from keyprojects.projects.models import Project

    class ProjectResource(resources.ModelResource):  # type: ignore[misc]
        owner_unit = fields.Field(
            attribute="owner_unit",
            column_name="owner_unit",
            widget=widgets.ForeignKeyWidget(Unit, "name"),
        )
        responsible_unit = fields.Field(
            attribute="responsible_unit",
            column_name="responsible_unit",
            widget=widgets.ForeignKeyWidget(Unit, "name"),
        )

        # TextFields get the plain widget, which turns a blank cell into None.
        progress_text = fields.Field("progress_text", "progress_text", widgets.CharWidget())
        problems_text = fields.Field("problems_text", "problems_text", widgets.CharWidget())

        class Meta:
            model = Project
            import_id_fields = ("code",)
            fields = FLAT_FIELDS

    began = time.perf_counter()
    with open(flat_path, "rb") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
    loaded = time.perf_counter()
    with acting(channel=Channel.IMPORT):
        result = ProjectResource().import_data(dataset, dry_run=False, raise_errors=True)
    done = time.perf_counter()
    assert not result.has_errors()
    return done - began, done - loaded, Project.objects.count()


def run(rows: int = ROWS, repeat: int = 2) -> list[dict[str, Any]]:
    """Measure in a child process: the settings read DATABASE_URL when first imported, and
    the benchmark needs its own temporary database whatever ran before it."""
    command = [sys.executable, "-m", "bench.bench_import", "--json", "--rows", str(rows),
               "--repeat", str(repeat)]  # fmt: skip
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise RuntimeError(f"bench_import failed:\n{done.stderr[-4000:]}")
    rows_out: list[dict[str, Any]] = json.loads(done.stdout)
    return rows_out


def measure(rows: int = ROWS, repeat: int = 2) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as directory:
        _setup_django(directory)
        import python_calamine

        from keyprojects.audit.models import AuditEntry
        from keyprojects.progress.models import MonthlyReport
        from keyprojects.projects.excel import ledger_export, ledger_import
        from keyprojects.projects.models import AnnualPlan, Project

        district = _world()
        projects = _projects(rows)
        ledger_path, flat_path = f"{directory}/ledger.xlsx", f"{directory}/flat.xlsx"
        build_ledger(ledger_path, projects)
        build_flat(flat_path, projects, district.pk)
        size_mb = os.path.getsize(ledger_path) / 1048576

        calamine = []
        for _ in range(repeat + 1):
            began = time.perf_counter()
            book = python_calamine.CalamineWorkbook.from_path(ledger_path)
            values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
            calamine.append(time.perf_counter() - began)
        assert len(values) >= rows

        dry, ours = [], []
        for _ in range(repeat):
            _reset_projects()
            began = time.perf_counter()
            preview = ledger_import(ledger_path, jurisdiction=district, dry_run=True)
            dry.append(time.perf_counter() - began)
            began = time.perf_counter()
            preview = ledger_import(ledger_path, jurisdiction=district)
            ours.append(time.perf_counter() - began)
            assert preview.applied, preview.errors[:5]
            assert Project.objects.count() == rows
            assert AnnualPlan.objects.count() == rows
            # A project and its plan each, and the reported figure where the row carries one.
            reported = MonthlyReport.objects.count()
            assert AuditEntry.objects.count() == 2 * rows + reported
        began = time.perf_counter()
        again = ledger_import(ledger_path, jurisdiction=district)
        t_again = time.perf_counter() - began
        began = time.perf_counter()
        ledger_export(Project.objects.all(), year=2026, output=f"{directory}/export.xlsx")
        t_export = time.perf_counter() - began
        assert again.counts()["unchanged"] == rows
        assert AuditEntry.objects.count() == 2 * rows + reported
        _reset_projects()
        theirs, theirs_import_only, created = _import_export(flat_path)
        assert created == rows

    t_cal, t_ours, t_dry = _best(calamine), _best(ours), _best(dry)
    return [
        _row("ledger file", size_mb, "MB", "", True),
        _row("(a) python-calamine read", t_cal, "s", "", True),
        _row(
            "(b) our import, applied", t_ours, "s", f"≤ {3 * t_cal:.2f} (3× a)", t_ours <= 3 * t_cal
        ),
        _row("(b') our import, dry run", t_dry, "s", "", True),
        _row("(b'') the same ledger again, unchanged", t_again, "s", "", True),
        _row("(d) our export of the same projects", t_export, "s", "", True),
        _row("(c) django-import-export", theirs, "s", "", True),
        _row("(c') of which import_data", theirs_import_only, "s", "", True),
        _row("ours / import-export", t_ours / theirs, "×", "< 0.5", t_ours < 0.5 * theirs),
        _row("ours / calamine", t_ours / t_cal, "×", "≤ 3", t_ours <= 3 * t_cal),
    ]


def _row(name: str, value: float, unit: str, target: str, ok: bool) -> dict[str, Any]:
    return {
        "benchmark": "import",
        "name": name,
        "metric": name,
        "value": round(value, 3),
        "unit": unit,
        "target": target,
        "ok": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="Print the rows as JSON.")
    args = parser.parse_args()
    results = measure(args.rows, args.repeat)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0 if all(r["ok"] for r in results) else 1
    width = max(len(r["name"]) for r in results)
    for r in results:
        print(
            f"{r['name']:<{width}}  {r['value']:>10} {r['unit']:<3} {r['target']:<18} "
            f"{'ok' if r['ok'] else 'MISSED'}"
        )
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
