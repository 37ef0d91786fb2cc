import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keyprojects.scheduling.engine import cli


class Command(BaseCommand):
    help = "Schedule a Primavera P6 (.xer) or MS Project (.xml) file and print the dates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="Print JSON to standard output.")
        parser.add_argument("--encoding", default=None, help="Text encoding (default: detect).")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [options["file"]]
        if options["json"]:
            argv.append("--json")
        if options["encoding"]:
            argv += ["--encoding", options["encoding"]]
        # The raw streams: Django's wrapper would end every write with a newline.
        out = getattr(self.stdout, "_out", sys.stdout)
        err = getattr(self.stderr, "_out", sys.stderr)
        status = cli.main(argv, stdout=out, stderr=err)
        if status:
            sys.exit(status)
