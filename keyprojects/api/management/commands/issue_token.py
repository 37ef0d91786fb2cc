"""Issue an API token for a person and print its key, which is shown only this once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyprojects.api.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print the key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No person with the username {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username!r} is not active; a token would not work.")
        token, key = ApiToken.issue(user, name or "command line")
        self.stderr.write(f"Token {token} issued to {username}. Keep the key; it is not stored:")
        self.stdout.write(key)
