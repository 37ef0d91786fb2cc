from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail: `keyprojects audit verify`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Report the first entry that was altered or removed.")

    def handle(self, *args: Any, **options: Any) -> None:
        problem = verify_chain()
        if problem is not None:
            raise CommandError(
                _("The audit trail is broken at entry #%(seq)s: %(message)s")
                % {"seq": problem.seq, "message": problem.message}
            )
        count = AuditEntry.objects.count()
        self.stdout.write(
            _("The audit trail holds: %(count)s entries verified.") % {"count": count}
        )
