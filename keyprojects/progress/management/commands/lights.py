import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.progress.services import lights_compute


class Command(BaseCommand):
    help = "Work out each project's 序时进度 light for a month and print them."

    def add_arguments(self, parser: CommandParser) -> None:
        today = timezone.localdate()
        parser.add_argument("--year", type=int, default=today.year)
        parser.add_argument("--month", type=int, default=today.month, choices=range(1, 13))
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting(channel=Channel.COMMAND):
            results = lights_compute(year=options["year"], month=options["month"])
        rows = [
            {
                "code": r.project.code,
                "name": r.project.name,
                "ytd_completed_yuan": f"{r.ytd_completed:.2f}",
                "annual_plan_yuan": f"{r.annual_target:.2f}",
                "expected_share": float(r.expected_share),
                "actual_share": float(r.actual_share),
                "gap_points": float(r.gap_points),
                "light": str(r.light),
            }
            for r in results
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            self.stdout.write(
                f"{row['code'] or '—':<26} {row['light']:<7} {row['gap_points']:>8.2f}  "
                f"{row['name']}"
            )
