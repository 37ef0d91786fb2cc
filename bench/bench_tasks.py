"""Benchmark a person's task inbox and a unit's overdue list (not a unit test), on
PostgreSQL: 1,000,000 supervised tasks and 200,000 problems.

Target: p95 at most 150 ms for each page, through the real view (request, queries,
template), and a query count that does not depend on the page size.

The seed writes the tasks with one INSERT ... SELECT: a tenth are on a named person, the
rest on a unit; three in ten are open (some overdue), the rest done or cancelled. The
problems are written the same way, a third of them open. Then VACUUM ANALYZE, as autovacuum
would after such a load.

Run: python -m bench.bench_tasks [--tasks N] [--repeat N]; `python -m bench tasks`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_ledger import _drop_postgres, _fresh_postgres, _seed, _setup_django

TASKS = 1_000_000
PROBLEMS = 200_000
PROJECTS = 5_000
YEAR = 2026
TARGET_MS = 150


def _tasks_sql(count: int) -> str:
    # Deadlines from 2025-01 to 2027-06 around "today" (the bench's own date); status by a
    # hash of the row number, so every unit gets a mix.
    return f"""
        INSERT INTO supervision_task
            (jurisdiction_id, project_id, title, detail, source_kind, source_label,
             owner_unit_id, owner_person_id, issued_by_id, deadline, status, needs_evidence,
             escalation_level, created_at, version)
        SELECT %(jurisdiction)s,
               p.ids[1 + (g %% array_length(p.ids, 1))],
               '督办事项 ' || g, '', (ARRAY['problem','meeting','visit','inspection','alert',
               'instruction'])[1 + g %% 6], '',
               u.ids[1 + ((g * 7) %% array_length(u.ids, 1))],
               CASE WHEN g %% 10 = 0 THEN s.ids[1 + ((g * 7) %% array_length(s.ids, 1))] END,
               NULL, DATE '2025-01-01' + (g * 13 %% 900),
               CASE WHEN g / 97 %% 10 < 2 THEN 'open' WHEN g / 97 %% 10 = 2 THEN 'submitted'
                    WHEN g / 97 %% 10 = 9 THEN 'cancelled' ELSE 'done' END,
               false, 0, now(), 1
        FROM generate_series(1, {count}) AS g,
             (SELECT array_agg(id ORDER BY id) AS ids FROM projects_project) AS p,
             (SELECT array_agg(id ORDER BY id) AS ids FROM organisations_unit) AS u,
             (SELECT array_agg(pu.id ORDER BY pu.unit_id) AS ids
                FROM organisations_user pu WHERE pu.unit_id IS NOT NULL) AS s
    """


def _problems_sql(count: int) -> str:
    # Problems raised by the projects' owner units, a third still open, the rest closed.
    return f"""
        INSERT INTO problems_problem
            (jurisdiction_id, project_id, raised_by_unit_id, category, severity, title,
             description, need, needed_from, attachment, status, deadline, rating_comment,
             raised_at, reopened_count, version)
        SELECT %(jurisdiction)s, p.id, p.owner_unit_id,
               (ARRAY['land','demolition','funding','approvals','planning','utilities',
                      'labour','materials','epidemic','other'])[1 + g %% 10],
               (ARRAY['general','important','urgent'])[1 + g %% 3],
               '问题诉求 ' || g, '', '协调解决', '', '',
               CASE WHEN g / 89 %% 3 = 0 THEN 'assigned' ELSE 'closed' END,
               DATE '2025-01-01' + (g * 11 %% 900), '', now(), 0, 1
        FROM generate_series(1, {count}) AS g
        JOIN projects_project p ON p.id = (
            SELECT min(id) FROM projects_project) + g %% (SELECT count(*) FROM projects_project)
    """


def child(url: str, tasks: int, problems: int, repeat: int) -> dict[str, Any]:
    _setup_django(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from keyprojects.organisations.choices import Role
    from keyprojects.organisations.models import Unit, User
    from keyprojects.problems.models import Problem
    from keyprojects.supervision.models import Task

    district, unit_ids = _seed(PROJECTS, YEAR)
    people = []
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk"):
        people.append(
            User.objects.create_user(
                username=f"u{unit.pk}",
                password="x",
                role=Role.UNIT_USER,
                jurisdiction=district,
                unit=unit,
            )
        )
    office = User.objects.create_user(
        username="office", password="x", role=Role.PROGRAMME_OFFICE, jurisdiction=district
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_tasks_sql(tasks), {"jurisdiction": district.pk})
        cursor.execute(_problems_sql(problems), {"jurisdiction": district.pk})
    # What autovacuum does after a load, so that index-only scans can be used.
    connection.ensure_connection()
    autocommit = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.connection.autocommit = autocommit
    seeded = time.perf_counter() - started

    def timed(client: Client, url: str) -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    def query_count(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx)

    pages: dict[str, list[float]] = {"inbox": [], "unit overdue": [], "office inbox": []}
    counts: dict[str, tuple[int, int]] = {}
    for person in people:
        client = Client()
        client.force_login(person)
        client.get("/tasks/")  # warm the session and templates
        for _ in range(repeat):
            pages["inbox"].append(timed(client, "/tasks/"))
            pages["unit overdue"].append(timed(client, f"/tasks/units/{person.unit_id}/overdue/"))
    counts["inbox"] = (query_count(client, "/tasks/?per_page=25"),
                       query_count(client, "/tasks/?per_page=100"))  # fmt: skip
    unit_url = f"/tasks/units/{people[-1].unit_id}/overdue/"
    counts["unit overdue"] = (query_count(client, unit_url + "?per_page=25"),
                              query_count(client, unit_url + "?per_page=100"))  # fmt: skip
    client = Client()
    client.force_login(office)
    client.get("/tasks/")
    for _ in range(repeat * 3):
        pages["office inbox"].append(timed(client, "/tasks/?tab=waiting"))

    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return round(ordered[int(0.95 * (len(ordered) - 1))], 1)

    return {
        "tasks": Task.objects.count(),
        "problems": Problem.objects.count(),
        "seed_s": round(seeded, 1),
        "p95": {name: p95(v) for name, v in pages.items()},
        "median": {name: round(statistics.median(v), 1) for name, v in pages.items()},
        "queries": counts,
    }


def run(tasks: int = TASKS, problems: int = PROBLEMS, repeat: int = 10) -> list[dict[str, Any]]:
    label = "tasks (PostgreSQL)"
    fresh = _fresh_postgres()
    if fresh is None:
        return [{"benchmark": label, "metric": "PostgreSQL not reachable", "value": "-",
                 "target": f"p95 ≤ {TARGET_MS} ms", "ok": False}]  # fmt: skip
    name, url = fresh
    try:
        command = [sys.executable, "-m", "bench.bench_tasks", "--child", url, "--tasks",
                   str(tasks), "--problems", str(problems), "--repeat", str(repeat)]  # fmt: skip
        root = Path(__file__).resolve().parents[1]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _drop_postgres(name)
    rows: list[dict[str, Any]] = [
        {"metric": f"{result['tasks']:,} tasks and {result['problems']:,} problems seeded",
         "value": result["seed_s"], "unit": "s", "target": "", "ok": True},
    ]  # fmt: skip
    for page, value in result["p95"].items():
        rows.append({"metric": f"{page} page, p95 (median {result['median'][page]} ms)",
                     "value": value, "unit": "ms", "target": f"≤ {TARGET_MS} ms",
                     "ok": value <= TARGET_MS})  # fmt: skip
    for page, (small, large) in result["queries"].items():
        rows.append({"metric": f"{page}: queries at 25 and 100 a page",
                     "value": f"{small} / {large}", "target": "equal",
                     "ok": small == large})  # fmt: skip
    for row in rows:
        row["benchmark"] = label
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", default=None)
    parser.add_argument("--tasks", type=int, default=TASKS)
    parser.add_argument("--problems", type=int, default=PROBLEMS)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.tasks, args.problems, args.repeat)))
        return
    for row in run(args.tasks, args.problems, args.repeat):
        print(f"{row['metric']}: {row['value']} {row.get('unit', '')} {row['target']}")


if __name__ == "__main__":
    main()
