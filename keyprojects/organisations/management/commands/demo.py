from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from keyprojects.demo.builder import DEMO_PASSWORD, LOGINS, build_demo


class Command(BaseCommand):
    help = "Build the Yuzhong demo data set and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Rebuild the demo projects.")

    def handle(self, *args: Any, **options: Any) -> None:
        district, built = build_demo(reset=options["reset"])
        if built:
            self.stdout.write(_("Built the demo for %(name)s.") % {"name": district.name})
        else:
            self.stdout.write(
                _("The demo for %(name)s is already there.") % {"name": district.name}
            )
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password: %(pw)s)") % {"pw": DEMO_PASSWORD})
        for login in LOGINS:
            self.stdout.write(f"  {login.username:<10} {login.description}")
