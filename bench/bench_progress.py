"""Benchmark saving a unit's monthly grid of 200 projects (not a unit test).

Target: under 1 s for the whole save (reports, checks, audit trail), measured through the
grid page as a person submits it, in a fresh temporary SQLite database.

Run: python -m bench.bench_progress [--projects N] [--json]; `python -m bench progress`
runs it through the common runner, in a child process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROJECTS = 200


def measure(projects: int, repeat: int) -> list[dict[str, Any]]:
    directory = tempfile.mkdtemp(prefix="kp-bench-progress-")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from keyprojects.organisations.choices import JurisdictionLevel, Role, UnitKind
    from keyprojects.organisations.models import Jurisdiction, Unit, User
    from keyprojects.progress.models import MonthlyReport
    from keyprojects.projects.choices import Stage
    from keyprojects.projects.models import Project

    district = Jurisdiction.objects.create(name="渝中区", code="500103",
                                           level=JurisdictionLevel.DISTRICT)  # fmt: skip
    unit = Unit.objects.create(
        jurisdiction=district, name="区城投公司", kind=UnitKind.STATE_COMPANY
    )
    user = User.objects.create(username="u", role=Role.UNIT_USER, jurisdiction=district, unit=unit)
    Project.objects.bulk_create(
        Project(
            jurisdiction=district,
            name=f"项目{i:04d}",
            level="district",
            industry="other",
            owner_unit=unit,
            responsible_unit=unit,
            total_investment=Decimal(10**9),
            stage=Stage.CONSTRUCTION,
        )
        for i in range(projects)
    )
    ids = list(Project.objects.values_list("pk", flat=True))
    client = Client()
    client.force_login(user)
    times = []
    for month in range(1, repeat + 1):
        data: dict[str, str] = {"submit": "1"}
        for pid in ids:
            data[f"investment-{pid}"] = "123.4"
            data[f"progress_percent-{pid}"] = "40"
            data[f"workers-{pid}"] = "30"
            data[f"progress_text-{pid}"] = "主体施工"
        start = time.perf_counter()
        response = client.post(f"/reports/grid/?year=2026&month={month}", data)
        times.append(time.perf_counter() - start)
        assert response.status_code == 302, response.status_code
    assert MonthlyReport.objects.count() == projects * repeat
    median = statistics.median(times)
    return [
        {"benchmark": "monthly grid", "metric": f"save and submit {projects} reports (median)",
         "value": round(median, 3), "unit": "s", "target": "< 1 s", "ok": median < 1.0},
    ]  # fmt: skip


def run(projects: int = PROJECTS, repeat: int = 5) -> list[dict[str, Any]]:
    """Measure in a child process: the settings read DATABASE_URL when first imported."""
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "bench.bench_progress", "--projects", str(projects),
               "--repeat", str(repeat), "--json"]  # fmt: skip
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.projects, args.repeat)
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(f"{row['metric']}: {row['value']} {row['unit']} (target {row['target']})")


if __name__ == "__main__":
    main()
