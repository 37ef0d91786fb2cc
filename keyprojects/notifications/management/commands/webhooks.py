from typing import Any

from django.core.management.base import BaseCommand

from keyprojects.notifications.webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Deliver, here and now, every webhook notice whose turn has come: for a deployment "
        "without the task worker (run it every minute), or to pick up one whose worker died."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"webhook attempts: {deliver_due()}")
