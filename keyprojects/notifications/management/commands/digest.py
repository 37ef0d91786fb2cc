from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.notifications.digest import send_digests


class Command(BaseCommand):
    help = (
        "Send the daily digests that are due now (each person's chosen hour has come and they "
        "have not had today's). Safe to run every hour from cron: nobody gets two in a day. "
        "With --schedule, also queue a run on the task worker for each later hour chosen today."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting(channel=Channel.COMMAND):
            run = send_digests(schedule_later=options["schedule"])
        self.stdout.write(
            f"digests sent: {run.sent}, nothing to say: {run.quiet}, failed: {run.failed}"
            + (f", later hours: {run.later_hours}" if run.later_hours else "")
        )
