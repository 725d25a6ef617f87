"""``kim grant_role USERNAME ORGANISATION ROLE [--unit CODE]``: the operator grants a role.

Whoever runs this command has the server and its database, so a second person inside the
application would protect nothing: the grant has no acting user, is active at once and is
audited with ``"via": "command"`` (decisions D-051). This is how an installation gets its first
administrators and data-protection officer; later grants of roles that open case or screening
data are made in the admin site and wait there for a second person.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.accounts.actions import grant_role
from kim.accounts.management.lookup import organisation_and_unit
from kim.accounts.models import Role


class Command(BaseCommand):
    help = "Grant a user a role in an organisation (active at once, audited as a system grant)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("organisation", help="the organisation's code or AGS")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--unit", default="", help="code of a unit of the organisation")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        organisation, unit = organisation_and_unit(options["organisation"], options["unit"])
        try:
            membership = grant_role(
                acting_user=None,
                user=user,
                organisation=organisation,
                role=options["role"],
                unit=unit,
                via="command",
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{user.get_username()} is now {membership.get_role_display()} "
            f"at {organisation.name} (active)."
        )
