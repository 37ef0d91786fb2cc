"""Benchmark the year-to-date roll-up and lights for any filter of the ledger (not a unit
test), on PostgreSQL: 50,000 projects and 3,000,000 monthly reports.

Target: p95 at most 200 ms, and the kept figures exactly equal to a from-scratch
recomputation from every accepted report (checked for each filter after reports were
accepted one by one through the same services a reviewer uses).

The seed writes the reports with one INSERT ... SELECT (60 months, Nov 2021 to Oct 2026, per
project), then runs the nightly set-wise rebuild of plan figures and lights and times it.

Run: python -m bench.bench_rollup [--projects N] [--repeat N]; `python -m bench rollup`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_ledger import _drop_postgres, _fresh_postgres, _seed, _setup_django

PROJECTS = 50_000
YEAR = 2026
FILTERS = [
    ("no filter", {}),
    ("stage", {"stage": "construction"}),
    ("batch", {"batch": "continuing", "year": str(YEAR)}),
    ("industry", {"industry": "transport"}),
    ("search", {"q": "老旧小区"}),
    ("unit", None),  # the first unit, filled in once units exist
]


def _reports_sql() -> str:
    return """
        INSERT INTO progress_monthlyreport
            (project_id, year, month, investment, progress_percent, progress_text, managers,
             workers, milestones, problems, next_month, unusual_reason, status, submitted_at,
             reviewed_at, review_comment, version)
        SELECT p.id, 2021 + (10 + k) / 12, (10 + k) % 12 + 1,
               round((random() * 2000000)::numeric, 2), NULL, '', 3, 40, '', '', '', '',
               'accepted', now(), now(), '', 1
        FROM projects_project p CROSS JOIN generate_series(0, 59) AS k
    """


def child(url: str, count: int, repeat: int) -> dict[str, Any]:
    _setup_django(url)
    from django.db import connection

    from keyprojects.progress.models import MonthlyReport
    from keyprojects.progress.services import (
        ledger_rollup,
        ledger_rollup_from_scratch,
        lights_rebuild,
        plan_figures_rebuild,
        report_accept,
        report_save,
        report_submit,
    )
    from keyprojects.projects.filtersets import ProjectFilterSet
    from keyprojects.projects.models import Project

    _district, unit_ids = _seed(count, YEAR)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_reports_sql())
        cursor.execute("ANALYZE")
    seeded = time.perf_counter() - started
    reports = MonthlyReport.objects.count()

    started = time.perf_counter()
    plan_figures_rebuild(year=YEAR)
    lights_rebuild(year=YEAR, month=10)
    nightly = time.perf_counter() - started

    # Reviewers accept November reports one by one: the kept figures follow incrementally.
    rng = random.Random(7)
    ids = list(Project.objects.values_list("pk", flat=True))
    for pid in rng.sample(ids, 20):
        project = Project.objects.get(pk=pid)
        report = report_save(project=project, year=YEAR, month=11, investment=Decimal("12345.67"),
                             unusual_reason="bench")  # fmt: skip
        report_submit(report=report)
        report_accept(report=report)

    filters = [(name, data if data is not None else {"unit": str(unit_ids[0])})
               for name, data in FILTERS]  # fmt: skip
    timings: dict[str, list[float]] = {}
    equal = True
    for name, data in filters:
        qs = ProjectFilterSet(data, Project.objects.all()).qs
        kept = ledger_rollup(qs, year=YEAR, month=11)
        reference = ledger_rollup_from_scratch(qs, year=YEAR, month=11)
        equal = equal and kept.ytd_completed == reference.ytd_completed
        equal = equal and kept.since_start_completed == reference.since_start_completed
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            ledger_rollup(ProjectFilterSet(data, Project.objects.all()).qs, year=YEAR, month=11)
            times.append((time.perf_counter() - start) * 1000)
        timings[name] = times
    every = sorted(t for times in timings.values() for t in times)
    p95 = every[int(0.95 * (len(every) - 1))]
    return {
        "reports": reports,
        "seed_s": round(seeded, 1),
        "nightly_s": round(nightly, 1),
        "p95_ms": round(p95, 1),
        "per_filter": {k: round(statistics.median(v), 1) for k, v in timings.items()},
        "equal": equal,
    }


def run(count: int = PROJECTS, repeat: int = 20) -> list[dict[str, Any]]:
    fresh = _fresh_postgres()
    if fresh is None:
        return [{"benchmark": "roll-up", "metric": "PostgreSQL not reachable", "value": "-",
                 "target": "p95 ≤ 200 ms", "ok": False}]  # fmt: skip
    name, url = fresh
    try:
        command = [sys.executable, "-m", "bench.bench_rollup", "--child", url,
                   "--projects", str(count), "--repeat", str(repeat)]  # fmt: skip
        root = Path(__file__).resolve().parents[1]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _drop_postgres(name)
    rows = [
        {
            "benchmark": "roll-up (PostgreSQL)",
            "metric": f"{result['reports']:,} reports seeded",
            "value": result["seed_s"],
            "unit": "s",
            "target": "",
            "ok": True,
        },
        {
            "benchmark": "roll-up (PostgreSQL)",
            "metric": "nightly rebuild of figures and lights",
            "value": result["nightly_s"],
            "unit": "s",
            "target": "",
            "ok": True,
        },
        {
            "benchmark": "roll-up (PostgreSQL)",
            "metric": "YTD roll-up + lights, any filter, p95",
            "value": result["p95_ms"],
            "unit": "ms",
            "target": "≤ 200 ms",
            "ok": result["p95_ms"] <= 200,
        },
        {
            "benchmark": "roll-up (PostgreSQL)",
            "metric": "kept figures == from-scratch",
            "value": result["equal"],
            "unit": "",
            "target": "True",
            "ok": result["equal"],
        },
    ]
    for key, value in result["per_filter"].items():
        rows.append({"benchmark": "roll-up (PostgreSQL)", "metric": f"median, {key}",
                     "value": value, "unit": "ms", "target": "", "ok": True})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", default=None)
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.projects, args.repeat)))
        return
    for row in run(args.projects, args.repeat):
        print(f"{row['metric']}: {row['value']} {row.get('unit', '')} {row['target']}")


if __name__ == "__main__":
    main()
