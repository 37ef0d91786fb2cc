"""The `keyprojects` console command: a thin front to Django's management commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["keyprojects", *sys.argv[1:]])
