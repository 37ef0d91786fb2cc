import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keyprojects.jobs.daily import run_daily


class Command(BaseCommand):
    help = (
        "Run the daily checks (report reminders, task and problem deadlines, hazards, alerts, "
        "digests) once for the day. With --loop, keep running and do it every day at "
        "KEYPROJECTS_NIGHTLY_HOUR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--loop", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self._once(options["date"])
            return
        while True:  # pragma: no cover - a long-running process
            now = timezone.localtime()
            if now.hour >= settings.KEYPROJECTS_NIGHTLY_HOUR:
                self._once(now.date())
            time.sleep(300)

    def _once(self, day: dt.date | None) -> None:
        for run in run_daily(day):
            state = "ok" if run.ok else "FAILED"
            self.stdout.write(f"{run.day} {run.step}: {state} {run.result if run.ok else ''}")
