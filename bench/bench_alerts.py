"""Benchmark the nightly alert run (not a unit test), on PostgreSQL: 50,000 projects,
3,000,000 monthly reports and 1,000,000 supervised tasks.

Target: the nightly rule run (`keyprojects.alerts.services.alerts_nightly`, through the
nightly runner, in its one transaction) under 60 s: on the first night, when every alert
opens, and on the night after, when most only stay open.

The seed reuses the other benchmarks' builders: the ledger's 50,000 projects with this
year's plans (bench_ledger), 60 months of accepted reports per project (bench_rollup) less
one project in twenty's October report (so that some reports are late), and 1,000,000 tasks
with deadlines around the bench's date, three in ten open (bench_tasks); a programme office
and a person in each unit to be told. The bench's date is 10 November 2026: October is the
month being reported and the month whose light is judged.

Tasks are made one by one through the supervision services: the nightly run makes a few and
leaves the rest to the worker, whose rate is measured too. Also measured: a change to one
project, committed, and its re-evaluation.

Run: python -m bench.bench_alerts [--projects N] [--tasks N]; `python -m bench alerts`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_ledger import _drop_postgres, _fresh_postgres, _seed, _setup_django
from bench.bench_rollup import _reports_sql
from bench.bench_tasks import _tasks_sql

PROJECTS = 50_000
TASKS = 1_000_000
YEAR = 2026
TODAY = dt.date(2026, 11, 10)
TARGET_S = 60.0
STEP = "keyprojects.alerts.services.alerts_nightly"


def _people(district: Any, unit_ids: list[int]) -> None:
    from keyprojects.organisations.choices import Role
    from keyprojects.organisations.models import User

    User.objects.create_user(
        username="office", password="x", role=Role.PROGRAMME_OFFICE, jurisdiction=district
    )
    for pk in unit_ids:
        User.objects.create_user(
            username=f"u{pk}", password="x", role=Role.UNIT_USER, jurisdiction=district,
            unit_id=pk,
        )  # fmt: skip


def _vacuum() -> None:
    from django.db import connection

    connection.ensure_connection()
    autocommit = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.connection.autocommit = autocommit


def _night(day: dt.date) -> tuple[float, dict[str, Any]]:
    import time_machine

    from keyprojects.jobs.daily import run_daily

    moment = dt.datetime.combine(day, dt.time(1, 30), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(moment, tick=True):
        started = time.perf_counter()
        (run,) = run_daily(day, steps=(STEP,))
        elapsed = time.perf_counter() - started
    if not run.ok:
        raise RuntimeError(run.error)
    return elapsed, run.result


def _one_change(day: dt.date) -> tuple[float, int]:
    """A project put back into preliminary work with a start long past: committed, then
    its rules re-evaluated after the commit. Returns the time and the alerts it opened."""
    import time_machine
    from django.db import transaction

    from keyprojects.alerts.models import Alert
    from keyprojects.projects.choices import Stage
    from keyprojects.projects.models import Project

    project = Project.objects.filter(stage=Stage.CONSTRUCTION).order_by("pk").first()
    assert project is not None
    before = Alert.objects.count()
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(moment, tick=True):
        started = time.perf_counter()
        with transaction.atomic():
            project.stage, project.actual_start = Stage.PRELIMINARY, None
            project.planned_start = dt.date(2025, 3, 1)
            project.save()
        elapsed = time.perf_counter() - started
    return elapsed, Alert.objects.count() - before


def _worker_rate(day: dt.date) -> tuple[int, float]:
    """The worker making the tasks the nights left to it, one at a time through the
    supervision services: how many a second (a batch of them, timed)."""
    from keyprojects.alerts.evaluation import make_tasks

    started = time.perf_counter()
    made = 0
    for _ in range(5):
        made += make_tasks(None, day)[0]
    return made, time.perf_counter() - started


def child(url: str, projects: int, tasks: int) -> dict[str, Any]:
    _setup_django(url)
    from django.db import connection
    from django.db.models import Count

    from keyprojects.alerts.models import Alert
    from keyprojects.progress.models import MonthlyReport
    from keyprojects.supervision.models import Task

    started = time.perf_counter()
    district, unit_ids = _seed(projects, YEAR)
    _people(district, unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(_reports_sql())
        cursor.execute(
            "DELETE FROM progress_monthlyreport WHERE year = 2026 AND month = 10 "
            "AND project_id % 20 = 0"
        )
        cursor.execute(_tasks_sql(tasks), {"jurisdiction": district.pk})
        # The builder labels some tasks as a problem's or an inspection's, with no such record
        # behind them; their overdue alerts would be left to rules that then find nothing.
        # Here they are plain instructions, so that every overdue task raises its alert.
        cursor.execute(
            "UPDATE supervision_task SET source_kind = 'instruction' "
            "WHERE source_kind IN ('problem', 'inspection')"
        )
    _vacuum()
    seeded = time.perf_counter() - started
    # The nightly runner's earlier steps have loaded the URL configuration (every view
    # module) by the time this step runs; load it here too, so that it is not timed.
    from django.urls import reverse

    reverse("alerts:list")

    first, first_result = _night(TODAY)
    _vacuum()  # as autovacuum would after the first night's load of alerts
    second, second_result = _night(TODAY + dt.timedelta(days=1))
    change, change_opened = _one_change(TODAY + dt.timedelta(days=1))
    made, worker = _worker_rate(TODAY + dt.timedelta(days=1))
    by_kind = dict(
        Alert.objects.active().values_list("kind").annotate(n=Count("id")).order_by("kind")
    )
    return {
        "projects": projects,
        "reports": MonthlyReport.objects.count(),
        "tasks": Task.objects.count(),
        "seed_s": round(seeded, 1),
        "first_s": round(first, 1),
        "first": first_result,
        "second_s": round(second, 1),
        "second": second_result,
        "change_ms": round(change * 1000),
        "worker_made": made,
        "worker_per_s": round(made / worker, 1) if worker else 0,
        "change_opened": change_opened,
        "open_by_kind": by_kind,
    }


def run(projects: int = PROJECTS, tasks: int = TASKS) -> list[dict[str, Any]]:
    label = "alerts (PostgreSQL)"
    fresh = _fresh_postgres()
    if fresh is None:
        return [{"benchmark": label, "metric": "PostgreSQL not reachable", "value": "-",
                 "target": f"< {TARGET_S:g} s", "ok": False}]  # fmt: skip
    name, url = fresh
    try:
        command = [sys.executable, "-m", "bench.bench_alerts", "--child", url,
                   "--projects", str(projects), "--tasks", str(tasks)]  # fmt: skip
        root = Path(__file__).resolve().parents[1]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _drop_postgres(name)
    first, second = result["first"], result["second"]
    rows: list[dict[str, Any]] = [
        {"metric": f"{result['projects']:,} projects, {result['reports']:,} reports, "
                   f"{result['tasks']:,} tasks seeded",
         "value": result["seed_s"], "unit": "s", "target": "", "ok": True},
        {"metric": f"first night: {first['opened']:,} alerts opened, {first['tasks_made']} "
                   f"tasks made ({first['tasks_waiting']:,} left to the worker)",
         "value": result["first_s"], "unit": "s", "target": f"< {TARGET_S:g} s",
         "ok": result["first_s"] < TARGET_S},
        {"metric": f"next night: {second['opened']:,} opened, {second['updated']:,} changed, "
                   f"{second['cleared']:,} cleared",
         "value": result["second_s"], "unit": "s", "target": f"< {TARGET_S:g} s",
         "ok": result["second_s"] < TARGET_S},
        {"metric": f"one project changed and re-evaluated ({result['change_opened']} opened)",
         "value": result["change_ms"], "unit": "ms", "target": "", "ok": True},
        {"metric": f"the worker makes the waiting tasks ({result['worker_made']} timed)",
         "value": result["worker_per_s"], "unit": "tasks/s", "target": "", "ok": True},
    ]  # fmt: skip
    for night, figures in (("first", first), ("next", second)):
        parts = ", ".join(f"{k} {v:g}" for k, v in figures["seconds"].items() if k != "total")
        rows.append({"metric": f"{night} night, seconds by step: {parts}", "value": "",
                     "target": "", "ok": True})  # fmt: skip
    open_alerts = ", ".join(f"{k} {v:,}" for k, v in result["open_by_kind"].items())
    rows.append({"metric": f"open alerts: {open_alerts}", "value": "", "target": "", "ok": True})
    for row in rows:
        row["benchmark"] = label
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", default=None)
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--tasks", type=int, default=TASKS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.projects, args.tasks)))
        return
    for row in run(args.projects, args.tasks):
        print(f"{row['metric']}: {row['value']} {row.get('unit', '')} {row['target']}")


if __name__ == "__main__":
    main()
