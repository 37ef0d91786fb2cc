import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.progress.reminders import remind_reports


class Command(BaseCommand):
    help = "Send today's monthly-report reminders (run daily from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        with acting(channel=Channel.COMMAND):
            sent = remind_reports(options["date"] or timezone.localdate())
        self.stdout.write(f"{sent}")
