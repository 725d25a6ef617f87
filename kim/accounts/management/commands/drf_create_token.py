"""``kim drf_create_token USERNAME``: issue an API token through the audited action.

Replaces Django REST framework's command of the same name, which writes no audit event.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.accounts.actions import issue_api_token, revoke_api_token


class Command(BaseCommand):
    help = "Create (or replace) the API token of a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("-r", "--reset", action="store_true", help="accepted for compatibility")
        parser.add_argument("--revoke", action="store_true", help="delete the token instead")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if options["revoke"]:
            found = revoke_api_token(acting_user=None, user=user)
            self.stdout.write("Token revoked." if found else "The user had no token.")
            return
        try:
            key = issue_api_token(acting_user=None, user=user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Generated token {key} for user {user.get_username()}")
