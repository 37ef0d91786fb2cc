"""Benchmark the monthly bulletin for 1,000 projects (not a unit test).

Target: the Word file under 10 s and the PDF under 10 s, for a district of 1,000 projects
with ten months of accepted reports (about a third of the projects behind schedule, as in a
typical month), its lights, a ranking, open supervised tasks and six site photos; the figures
drafted first are timed too, and so is a stress case where every project behind its share by
any margin is listed (about two thirds of them), without a target. CPU time is shown beside
the wall time: on a busy machine the wall time is the larger.

The child process migrates a fresh database (a temporary SQLite file; and a fresh PostgreSQL
database on the server named by BENCH_POSTGRES_URL when it can be reached, dropped after),
seeds the projects and plans with the ledger benchmark's seed, bulk-inserts the reports,
assigns the tasks through the supervision service and adds the photos through the progress
service, then drafts the bulletin and makes each file through the same services the
background job uses.

Run: python -m bench.bench_bulletin [--projects N] [--db sqlite|postgres [--url URL] --json];
`python -m bench bulletin` runs it through the common runner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_ledger import ROOT, _drop_postgres, _fresh_postgres, _seed, _setup_django

PROJECTS = 1_000
YEAR, MONTH = 2026, 10
TARGET_S = 10.0
TASKS = 120
PHOTOS = 6
PROBLEMS = ["征地拆迁未完成", "管线迁改滞后", "资金未到位", "施工许可办理中", "设计方案调整"]
# Completed investment as a share of the time-proportional target: about a third of the
# projects end up more than 10 points behind (yellow or red), as in a typical month.
PACES = [55, 68, 78, 84, 88, 92, 95, 98, 100, 104, 110]


def _all_in_the_programme(district: Any) -> None:
    """The ledger seed spreads projects over 2019-2030; those that would not be in the year's
    programme (cancelled, or completed in an earlier year) are made continuing ones, so that
    the bulletin covers every project."""
    from keyprojects.projects.choices import Stage
    from keyprojects.projects.models import Project

    outside = Project.objects.filter(jurisdiction=district).with_batch(YEAR).filter(batch=None)
    Project.objects.filter(pk__in=list(outside.values_list("pk", flat=True))).update(
        stage=Stage.CONSTRUCTION,
        actual_start=dt.date(YEAR - 2, 3, 1),
        actual_completion=None,
        planned_completion=dt.date(YEAR + 1, 6, 30),
    )


def _photo(rng: random.Random) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    Image.new("RGB", (2400, 1800), colour).save(out, "JPEG", quality=85)
    return out.getvalue()


def _reports(rng: random.Random) -> int:
    """Ten months of accepted reports for the projects under way, some naming a problem."""
    from django.utils import timezone

    from keyprojects.progress.choices import ReportStatus
    from keyprojects.progress.models import MonthlyReport
    from keyprojects.projects.choices import Stage
    from keyprojects.projects.models import AnnualPlan

    now = timezone.now()
    building = [Stage.CONSTRUCTION, Stage.COMPLETED]
    plans = AnnualPlan.objects.filter(year=YEAR, investment_target__gt=0)
    targets = dict(
        plans.filter(project__stage__in=building).values_list("project_id", "investment_target")
    )
    # The others keep an imported ledger's figure, at the same spread of paces.
    imported = list(plans.exclude(project__stage__in=building).exclude(ytd_completed=None))
    for plan in imported:
        pace = Decimal(rng.choice(PACES)) / 100
        plan.ytd_completed = (plan.investment_target * pace * MONTH / 12).quantize(Decimal("0.01"))
    AnnualPlan.objects.bulk_update(imported, ["ytd_completed"], batch_size=2000)
    reports = []
    for pid, target in targets.items():
        pace = Decimal(rng.choice(PACES)) / 100
        monthly = (target * pace / 12).quantize(Decimal("0.01"))
        for month in range(1, MONTH + 1):
            reports.append(
                MonthlyReport(
                    project_id=pid,
                    year=YEAR,
                    month=month,
                    investment=monthly,
                    progress_text="主体施工",
                    status=ReportStatus.ACCEPTED,
                    submitted_at=now,
                    reviewed_at=now,
                    problems=rng.choice(PROBLEMS) if rng.random() < 0.3 else "",
                )
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=2000)
    return len(reports)


def _tasks(rng: random.Random, district: Any) -> None:
    from keyprojects.projects.models import Project
    from keyprojects.supervision.services import create_task

    projects = list(Project.objects.filter(jurisdiction=district).select_related("owner_unit"))
    for i in range(TASKS):
        project = rng.choice(projects)
        create_task(
            title=f"{rng.choice(PROBLEMS)}（第{i + 1}项）",
            owner_unit=project.owner_unit,
            project=project,
            deadline=dt.date(YEAR, rng.randint(8, 12), rng.randint(1, 28)),
        )


def _photos(rng: random.Random) -> None:
    from keyprojects.progress.choices import ReportStatus
    from keyprojects.progress.models import MonthlyReport
    from keyprojects.progress.services import photo_add

    reports = list(
        MonthlyReport.objects.filter(year=YEAR, month=MONTH)
        .select_related("project")
        .order_by("-project__total_investment")[:PHOTOS]
    )
    for report in reports:
        MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
        report.status = ReportStatus.SUBMITTED
        photo_add(report=report, data=_photo(rng), caption="施工现场")
        MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED)


def measure(count: int, url: str, engine: str) -> dict[str, Any]:
    media = tempfile.mkdtemp(prefix="kp-bench-bulletin-media-")
    os.environ["KEYPROJECTS_MEDIA_ROOT"] = media
    _setup_django(url)
    from django.db import connection

    from keyprojects.audit.choices import Channel
    from keyprojects.audit.context import acting
    from keyprojects.bulletins import services
    from keyprojects.bulletins.rendering import document_for, write_pdf, write_word
    from keyprojects.progress.services import plan_figures_rebuild

    rng = random.Random(2026)
    started = time.perf_counter()
    district, _units = _seed(count, YEAR)
    _all_in_the_programme(district)
    reports = _reports(rng)
    plan_figures_rebuild(year=YEAR)
    with acting(channel=Channel.COMMAND):
        _tasks(rng, district)
        _photos(rng)
    if engine == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeded = time.perf_counter() - started

    with acting(channel=Channel.COMMAND):
        bulletin = services.bulletin_create(
            jurisdiction=district, year=YEAR, month=MONTH, today=dt.date(YEAR, MONTH + 1, 5)
        )
        start = time.perf_counter()
        bulletin = services.bulletin_refresh(bulletin=bulletin)
        drafted = time.perf_counter() - start
    content = services.content_of(bulletin)
    assert content is not None
    doc = document_for(bulletin, content)
    start, cpu = time.perf_counter(), time.process_time()
    docx = write_word(doc)
    docx_s, docx_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    pdf = write_pdf(doc)
    pdf_s, pdf_cpu = time.perf_counter() - start, time.process_time() - cpu
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    stress = _stress(bulletin)
    return {
        **stress,
        "engine": engine,
        "projects": content["overall"]["projects"],
        "reports": reports,
        "lagging": len(content["lagging"]),
        "seed_s": round(seeded, 1),
        "draft_s": round(drafted, 2),
        "docx_s": round(docx_s, 2),
        "docx_cpu_s": round(docx_cpu, 2),
        "pdf_cpu_s": round(pdf_cpu, 2),
        "docx_kb": len(docx) // 1024,
        "pdf_s": round(pdf_s, 2),
        "pdf_pages": pages,
        "pdf_kb": len(pdf) // 1024,
    }


def _stress(bulletin: Any) -> dict[str, Any]:
    """The same bulletin with every project behind its share by any margin listed as
    lagging (a yellow threshold of 0 points): the longest tables a month could give."""
    from django.conf import settings

    from keyprojects.bulletins import services
    from keyprojects.bulletins.rendering import document_for, write_pdf, write_word

    settings.KEYPROJECTS_LIGHT_YELLOW_POINTS = 0
    bulletin = services.bulletin_refresh(bulletin=bulletin)
    content = services.content_of(bulletin)
    assert content is not None
    doc = document_for(bulletin, content)
    start = time.perf_counter()
    write_word(doc)
    docx_s = time.perf_counter() - start
    start = time.perf_counter()
    write_pdf(doc)
    pdf_s = time.perf_counter() - start
    return {
        "stress_lagging": len(content["lagging"]),
        "stress_docx_s": round(docx_s, 2),
        "stress_pdf_s": round(pdf_s, 2),
    }


def _spawn(engine: str, count: int, url: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_bulletin", "--db", engine, "--url", url,
               "--projects", str(count), "--json"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench_bulletin --db {engine} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    name = f"bulletin ({result['engine']})"
    engine = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[result["engine"]]
    return [
        {"benchmark": name, "metric": f"{engine}: {result['projects']:,} projects, "
         f"{result['reports']:,} reports seeded", "value": result["seed_s"], "unit": "s",
         "target": "", "ok": True},
        {"benchmark": name, "metric": f"figures drafted ({result['lagging']} projects behind)",
         "value": result["draft_s"], "unit": "s", "target": "", "ok": True},
        {"benchmark": name, "metric": f"Word file ({result['docx_kb']} KB, "
         f"{result['docx_cpu_s']} s of CPU)",
         "value": result["docx_s"], "unit": "s", "target": f"< {TARGET_S:.0f} s",
         "ok": result["docx_s"] < TARGET_S},
        {"benchmark": name, "metric": f"PDF ({result['pdf_pages']} pages, {result['pdf_kb']} KB, "
         f"{result['pdf_cpu_s']} s of CPU)",
         "value": result["pdf_s"], "unit": "s", "target": f"< {TARGET_S:.0f} s",
         "ok": result["pdf_s"] < TARGET_S},
        {"benchmark": name, "metric": f"stress: Word file, {result['stress_lagging']} projects "
         "behind listed", "value": result["stress_docx_s"], "unit": "s", "target": "",
         "ok": True},
        {"benchmark": name, "metric": f"stress: PDF, {result['stress_lagging']} projects "
         "behind listed", "value": result["stress_pdf_s"], "unit": "s", "target": "",
         "ok": True},
    ]  # fmt: skip


def run(count: int = PROJECTS) -> list[dict[str, Any]]:
    directory = tempfile.mkdtemp(prefix="kp-bench-bulletin-")
    rows = _rows(_spawn("sqlite", count, f"sqlite:///{directory}/bench.sqlite3"))
    fresh = _fresh_postgres()
    if fresh is not None:
        name, url = fresh
        try:
            rows += _rows(_spawn("postgres", count, url))
        finally:
            _drop_postgres(name)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--url", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.db:
        url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='kp-bench-bulletin-')}/b.sqlite3"
        result = measure(args.projects, url, args.db)
        print(json.dumps(result) if args.json else result)
        return
    for row in run(args.projects):
        print(f"{row['benchmark']}: {row['metric']}: {row['value']} {row['unit']} "
              f"{row['target']}")  # fmt: skip


if __name__ == "__main__":
    main()
