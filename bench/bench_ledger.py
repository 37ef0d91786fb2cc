"""Benchmark the ledger list page (not a unit test).

Requirement: with 50,000 projects, the ledger list page (filter + sort + page) answers in a
p95 of at most 150 ms of server time on both SQLite and PostgreSQL, with a number of SQL
queries that does not grow with the page size.

Each database runs in its own process, because the settings read DATABASE_URL at import:

    python -m bench.bench_ledger --db sqlite --json
    python -m bench.bench_ledger --db postgres --json

SQLite goes to a temporary file. PostgreSQL gets a fresh database on the server named by
BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres), created before and
dropped after; when that server cannot be reached, that half is skipped.

The child process migrates, bulk-inserts the projects (a spread of units, batches, stages,
levels, industries, leaders and dates over 2019-2030, this year's annual plan for most of
them; the audit trail is bypassed for seeding), logs in a programme-office user of the
district, and times requests through Django's test client: each kind of request is warmed
up, then repeated, the kinds interleaved. Server time is the time `Client.get` takes.
Query counts are taken apart from the timed requests, with CaptureQueriesContext.

Run: python -m bench.bench_ledger [--projects N] [--repeat N] [--db sqlite|postgres [--json]]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROJECTS = 50_000
REPEAT = 20
WARMUP = 2
TARGET_MS = 150.0
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

UNITS = [
    "区城投公司",
    "区国资公司",
    "康翔公司",
    "区城市更新公司",
    "区交通建设公司",
    "区水务公司",
    "区住房城市建委",
    "区城管局",
    "解放碑CBD管委会",
    "区文化旅游委",
    "区教委",
    "区卫生健康委",
    "区交通局",
    "区水利局",
    "区生态环境局",
    "区商务委",
    "区经济信息委",
    "区民政局",
    "区体育局",
    "区规划自然资源局",
]
LEADERS = ["王建国", "李明", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄涛", "周敏", "吴刚"]
PLACES = ["解放碑", "朝天门", "化龙桥", "大坪", "两路口", "上清寺", "七星岗", "菜园坝", "鹅岭"]
KINDS = [
    "片区城市更新项目",
    "老旧小区改造工程",
    "公共停车场建设工程",
    "道路品质提升工程",
    "排水管网改造工程",
    "社区养老服务中心",
    "山城步道建设工程",
    "学校扩建工程",
]
SEARCH = "老旧小区"  # part of a name: matches about one project in eight

# (label, query string); unit filter gets the id of a unit filled in at run time.
REQUESTS: list[tuple[str, str]] = [
    ("no filter", ""),
    ("batch", "batch=new_start"),
    ("stage+industry", "stage=construction&industry=urban_renewal"),
    ("unit", "unit={unit}"),
    ("search q", f"q={SEARCH}"),
    ("sort name", "sort=name"),
    ("sort -total_investment", "sort=-total_investment"),
    ("sort annual_target", "sort=annual_target"),
    ("sort plan_share", "sort=plan_share"),
    ("sort owner_unit", "sort=owner_unit"),
    ("deep page 500", "page=500"),
    ("deep page 500, sort -plan_share", "sort=-plan_share&page=500"),
    ("batch+sort+page", "batch=continuing&sort=-annual_target&page=3&per_page=100"),
    ("per_page 25", "per_page=25"),
    ("per_page 100", "per_page=100"),
    ("per_page 250", "per_page=250"),
    ("htmx: stage+sort", "stage=construction&sort=-ytd_completed"),
]
QUERY_COUNT_SIZES = (25, 100, 250)


# --- the child: one database -------------------------------------------------------------


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ["KEYPROJECTS_DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ.setdefault("KEYPROJECTS_SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed(count: int, year: int) -> tuple[Any, list[int]]:
    """The district, its units and `count` projects; returns the district and unit ids."""
    from keyprojects.organisations.choices import JurisdictionLevel, UnitKind
    from keyprojects.organisations.models import Jurisdiction, Unit
    from keyprojects.projects.choices import Industry, Level, Light, Milestone, Stage
    from keyprojects.projects.models import AnnualPlan, Project

    city = Jurisdiction.objects.create(name="重庆市", code="500000", level=JurisdictionLevel.CITY)
    district = Jurisdiction.objects.create(
        name="渝中区", code="500103", level=JurisdictionLevel.DISTRICT, parent=city
    )
    units = [
        Unit.objects.create(
            jurisdiction=district,
            name=name,
            kind=UnitKind.STATE_COMPANY if "公司" in name else UnitKind.DEPARTMENT,
        )
        for name in UNITS
    ]
    rng = random.Random(2026)
    industries = list(Industry.values)
    lights = [*Light.values, "", ""]
    # Stages roughly as a district's ledger holds them.
    stages = (
        [Stage.RESERVE] * 20
        + [Stage.PRELIMINARY] * 20
        + [Stage.CONSTRUCTION] * 40
        + [Stage.COMPLETED] * 10
        + [Stage.OPERATING] * 7
        + [Stage.CANCELLED] * 3
    )
    levels = [Level.DISTRICT] * 6 + [Level.MUNICIPAL] * 3 + [Level.NATIONAL]
    projects = []
    for i in range(count):
        stage = rng.choice(stages)
        start = dt.date(rng.randint(2019, 2029), rng.randint(1, 12), rng.randint(1, 28))
        end = min(start + dt.timedelta(days=rng.randint(180, 1800)), dt.date(2030, 12, 31))
        started = stage not in (Stage.RESERVE, Stage.PRELIMINARY, Stage.CANCELLED)
        done = stage in (Stage.COMPLETED, Stage.OPERATING)
        owner = units[rng.randrange(len(units))]
        total = Decimal(rng.randrange(500_000, 5_000_000_000)) / 100
        projects.append(
            Project(
                jurisdiction=district,
                code=(
                    None
                    if stage == Stage.RESERVE and rng.random() < 0.5
                    else f"{start.year}-500103-{rng.randint(10, 99)}-01-{i:06d}"
                ),
                name=f"{PLACES[i % len(PLACES)]}{KINDS[(i // 9) % len(KINDS)]}{i}号",
                level=rng.choice(levels),
                industry=rng.choice(industries),
                site=f"渝中区{PLACES[i % len(PLACES)]}",
                owner_unit=owner,
                responsible_unit=units[rng.randrange(len(units))] if i % 3 else owner,
                responsible_person=f"责任人{i % 300}",
                leader_in_charge=rng.choice(LEADERS),
                start_year=start.year,
                end_year=end.year,
                planned_start=start,
                planned_completion=end,
                actual_start=start + dt.timedelta(days=rng.randint(-30, 60)) if started else None,
                actual_completion=end if done else None,
                total_investment=total,
                progress_percent=(
                    Decimal(rng.randint(0, 10000)) / 100 if started and not done else None
                ),
                light=rng.choice(lights),
                stage=stage,
            )
        )
    Project.objects.bulk_create(projects, batch_size=2000)
    ids = list(Project.objects.order_by("pk").values_list("pk", "total_investment"))
    plans = []
    for pk, total in ids:
        if rng.random() < 0.8:  # most projects have this year's plan
            target = (total * Decimal(rng.randint(5, 40)) / 100).quantize(Decimal("0.01"))
            ytd = (
                (target * Decimal(rng.randint(0, 120)) / 100).quantize(Decimal("0.01"))
                if rng.random() < 0.9
                else None
            )
            plans.append(
                AnnualPlan(
                    project_id=pk,
                    year=year,
                    investment_target=target,
                    milestone=rng.choice(Milestone.values),
                    milestone_quarter=rng.randint(1, 4),
                    month_completed=(ytd / 10).quantize(Decimal("0.01")) if ytd else None,
                    ytd_completed=ytd,
                    figures_as_of=dt.date(year, 10, 31),
                )
            )
        if rng.random() < 0.3:  # and some a plan for the year before
            plans.append(AnnualPlan(project_id=pk, year=year - 1, investment_target=total / 5))
    AnnualPlan.objects.bulk_create(plans, batch_size=2000)
    return district, [u.pk for u in units]


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def _measure(count: int, repeat: int, engine: str) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from keyprojects.organisations.choices import Role
    from keyprojects.organisations.models import User

    year = timezone.localdate().year
    began = time.perf_counter()
    district, unit_ids = _seed(count, year)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) keep them
        # on a live database.
        cursor.execute("ANALYZE")
    seeded = time.perf_counter() - began

    user = User.objects.create_user(
        "bench-office", password=None, role=Role.PROGRAMME_OFFICE, jurisdiction=district
    )
    client = Client()
    client.force_login(user)
    requests = [(label, qs.format(unit=unit_ids[3])) for label, qs in REQUESTS]

    cpu: list[float] = []

    def get(label: str, query: str) -> float:
        headers = {"HX-Request": "true"} if label.startswith("htmx") else {}
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/projects/?{query}", headers=headers)
        elapsed = time.perf_counter() - start
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (label, response.status_code)
        # The page shows a warning when it rejects a parameter, and then ignores it.
        assert b'class="alert alert-warning' not in response.content, (label, "rejected")
        return elapsed * 1000

    for _ in range(WARMUP):
        for label, query in requests:
            get(label, query)
    cpu.clear()
    load_before = os.getloadavg()[0]
    samples: dict[str, list[float]] = {label: [] for label, _q in requests}
    for _ in range(repeat):
        for label, query in requests:
            samples[label].append(get(label, query))

    queries: dict[str, int] = {}
    for size in QUERY_COUNT_SIZES:
        for label, query in [
            (f"per_page {size}", f"per_page={size}"),
            (
                f"per_page {size}, sorted and filtered",
                f"per_page={size}&batch=continuing&sort=-plan_share",
            ),
        ]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/projects/?{query}")
            assert response.status_code == 200
            rows = response.content.count(b'<td class="num text-muted')
            assert rows == size, (label, rows)
            queries[label] = len(captured.captured_queries)

    everything = [t for times in samples.values() for t in times]
    return {
        "database": engine,
        "projects": count,
        "seconds_to_seed": round(seeded, 1),
        "kinds": {
            label: {
                "p50": round(statistics.median(times), 1),
                "p95": round(_percentile(times, 95), 1),
                "n": len(times),
            }
            for label, times in samples.items()
        },
        "overall_p95": round(_percentile(everything, 95), 1),
        # This process's CPU time a request (all of it, SQL included, on SQLite; the Python
        # side only on PostgreSQL): what the wall time comes to on an otherwise idle machine.
        "cpu_p50": round(statistics.median(cpu), 1),
        "cpu_p95": round(_percentile(cpu, 95), 1),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "queries": queries,
    }


def child(engine: str, url: str | None, count: int, repeat: int) -> dict[str, Any]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            _setup_django(f"sqlite:///{directory}/bench.sqlite3")
            result = _measure(count, repeat, engine)
            from django.db import connections

            connections.close_all()
            return result
    if not url:
        raise SystemExit("--db postgres needs --url")
    _setup_django(url)
    try:
        return _measure(count, repeat, engine)
    finally:
        from django.db import connections

        connections.close_all()


# --- the parent: one process per database ------------------------------------------------


def _postgres_admin() -> Any:
    import psycopg

    return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)


def _fresh_postgres() -> tuple[str, str] | None:
    """Create a fresh database; its name and URL, or None when the server is not there."""
    try:
        admin = _postgres_admin()
    except Exception as error:  # any failure to connect means: skip
        print(f"PostgreSQL not reachable ({POSTGRES_URL}): {error}; skipping it.", file=sys.stderr)
        return None
    name = f"keyprojects_bench_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def _drop_postgres(name: str) -> None:
    with _postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _spawn(engine: str, count: int, repeat: int, url: str | None = None) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bench.bench_ledger", "--db", engine, "--json",
        "--projects", str(count), "--repeat", str(repeat),
    ]  # fmt: skip
    if url:
        command += ["--url", url]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench_ledger --db {engine} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_all(count: int = PROJECTS, repeat: int = REPEAT) -> list[dict[str, Any]]:
    results = [_spawn("sqlite", count, repeat)]
    fresh = _fresh_postgres()
    if fresh is not None:
        name, url = fresh
        try:
            results.append(_spawn("postgres", count, repeat, url))
        finally:
            _drop_postgres(name)
    return results


def rows_for(result: dict[str, Any]) -> list[dict[str, Any]]:
    db = result["database"]
    rows = []
    for label, figures in result["kinds"].items():
        rows.append(
            {
                "benchmark": "ledger list",
                "metric": f"{db}: {label} p50 / p95",
                "value": f"{figures['p50']} / {figures['p95']}",
                "p50": figures["p50"],
                "p95": figures["p95"],
                "unit": "ms",
                "target": f"p95 ≤ {TARGET_MS:g} ms",
                "ok": figures["p95"] <= TARGET_MS,
            }
        )
    rows.append(
        {
            "benchmark": "ledger list",
            "metric": f"{db}: overall p95 ({result['projects']} projects)",
            "value": result["overall_p95"],
            "unit": "ms",
            "target": f"≤ {TARGET_MS:g} ms",
            "ok": result["overall_p95"] <= TARGET_MS,
        }
    )
    rows.append(
        {
            "benchmark": "ledger list",
            "metric": f"{db}: CPU time of this process a request, p50 / p95"
            + (" (SQL included)" if db == "sqlite" else " (Python side)"),
            "value": f"{result['cpu_p50']} / {result['cpu_p95']}",
            "unit": "ms",
            "target": "(for reference)",
            "ok": True,
        }
    )
    rows.append(
        {
            "benchmark": "ledger list",
            "metric": f"{db}: machine load average, before / after timing",
            "value": " / ".join(str(x) for x in result["load_average"]),
            "unit": "",
            "target": "(for reference)",
            "ok": True,
        }
    )
    queries = result["queries"]
    for variant in ("", ", sorted and filtered"):
        counts = [queries[f"per_page {size}{variant}"] for size in QUERY_COUNT_SIZES]
        sizes = "/".join(str(size) for size in QUERY_COUNT_SIZES)
        rows.append(
            {
                "benchmark": "ledger list",
                "metric": f"{db}: SQL queries at per_page {sizes}{variant}",
                "value": " / ".join(str(c) for c in counts),
                "unit": "",
                "target": "equal",
                "ok": len(set(counts)) == 1,
            }
        )
    return rows


def run(count: int = PROJECTS, repeat: int = REPEAT) -> list[dict[str, Any]]:
    rows = [row for result in measure_all(count, repeat) for row in rows_for(result)]
    if not any(row["metric"].startswith("postgres") for row in rows):
        rows.append(
            {
                "benchmark": "ledger list",
                "metric": "postgres: skipped",
                "value": "server not reachable",
                "unit": "",
                "target": "",
                "ok": True,
            }
        )
    return rows


def _print(rows: list[dict[str, Any]]) -> None:
    header = ("benchmark", "metric", "value", "target", "ok")
    table = [
        (
            row["benchmark"],
            row["metric"],
            f"{row['value']} {row['unit']}".strip(),
            row["target"],
            "ok" if row["ok"] else "MISSED",
        )
        for row in rows
    ]
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--url", help="the PostgreSQL database to use (with --db postgres)")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    if args.db:
        result = child(args.db, args.url, args.projects, args.repeat)
        if args.json:
            print(json.dumps(result))
        else:
            _print(rows_for(result))
        return 0
    rows = run(args.projects, args.repeat)
    _print(rows)
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
