import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.inspections.services import hazards_check_deadlines


class Command(BaseCommand):
    help = (
        "Escalate hazards not rectified by their deadline to the programme office and the "
        "leader in charge (run daily from cron). Prints how many escalated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        with acting(channel=Channel.COMMAND):
            escalated = hazards_check_deadlines(options["date"] or timezone.localdate())
        self.stdout.write(f"{escalated}")
