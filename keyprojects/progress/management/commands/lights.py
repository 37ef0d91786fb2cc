import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.progress.models import MonthlyLight
from keyprojects.progress.services import lights_rebuild


class Command(BaseCommand):
    help = "Work out each project's 序时进度 light for a month, keep it, and print them."

    def add_arguments(self, parser: CommandParser) -> None:
        today = timezone.localdate()
        parser.add_argument("--year", type=int, default=today.year)
        parser.add_argument("--month", type=int, default=today.month, choices=range(1, 13))
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        year, month = options["year"], options["month"]
        with acting(channel=Channel.COMMAND):
            lights_rebuild(year=year, month=month)
        lights = (
            MonthlyLight.objects.filter(year=year, month=month)
            .select_related("project")
            .order_by("gap_points", "project__name")
        )
        rows = [
            {
                "code": light.project.code,
                "name": light.project.name,
                "ytd_completed_yuan": f"{light.ytd_completed:.2f}",
                "annual_plan_yuan": f"{light.annual_target:.2f}",
                "expected_share": float(light.expected_share),
                "actual_share": float(light.actual_share),
                "gap_points": float(light.gap_points),
                "light": light.light,
            }
            for light in lights
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            self.stdout.write(
                f"{row['code'] or '—':<26} {row['light']:<7} {row['gap_points']:>8.2f}  "
                f"{row['name']}"
            )
