"""``kim sso map add|list|remove``: the operator manages group → role mappings (D-069).

- ``kim sso map add --group G --org ORG --role ROLE [--unit CODE] [--source S]``
- ``kim sso map list [--format text|json]``
- ``kim sso map remove --code C`` or ``--group G --org ORG --role ROLE [--source S]``

ORG is an organisation's code or its AGS; ROLE a role value (``case_manager``, ``team_lead`` …);
SOURCE ``ldap`` or an identity provider's id, empty for every source. Like ``kim grant_role``,
the operator's mappings are active at once and audited as system changes ("via": "command").
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.accounts.actions import add_group_mapping, remove_group_mapping
from kim.accounts.management.lookup import organisation_and_unit
from kim.accounts.models import GroupMapping, Role
from kim.accounts.queries import current_group_mappings


class Command(BaseCommand):
    help = "Map directory or identity-provider groups to roles (kim sso map add|list|remove)."

    def add_arguments(self, parser: CommandParser) -> None:
        area = parser.add_subparsers(dest="area", required=True)
        mapping = area.add_parser("map", help="group → role mappings")
        actions = mapping.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a mapping (active at once)")
        add.add_argument("--group", required=True, help="group name or DN (case-insensitive)")
        add.add_argument("--org", required=True, help="organisation code or AGS")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--unit", default="", help="code of a unit of the organisation")
        add.add_argument("--source", default="", help="ldap or a provider id; empty: every source")
        listing = actions.add_parser("list", help="list current mappings")
        listing.add_argument("--format", choices=["text", "json"], default="text")
        remove = actions.add_parser("remove", help="remove a mapping and end its memberships")
        remove.add_argument("--code", default="")
        remove.add_argument("--group", default="")
        remove.add_argument("--org", default="")
        remove.add_argument("--role", default="", choices=["", *Role.values])
        remove.add_argument("--source", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list(options["format"])
        else:
            self._remove(options)

    def _add(self, options: dict[str, Any]) -> None:
        organisation, unit = organisation_and_unit(options["org"], options["unit"])
        try:
            mapping = add_group_mapping(
                acting_user=None,
                group=options["group"],
                organisation=organisation,
                role=options["role"],
                unit=unit,
                source=options["source"],
                via="command",
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{mapping.code}: group {mapping.group!r} gives {mapping.role} at "
            f"{organisation.name} ({mapping.source or 'every source'}; active)."
        )

    def _list(self, fmt: str) -> None:
        rows = [
            {
                "code": m.code,
                "group": m.group,
                "source": m.source,
                "organisation": m.organisation.code,
                "organisation_name": m.organisation.name,
                "ags": m.organisation.ags,
                "unit": m.unit.code if m.unit else "",
                "role": m.role,
                "status": m.status,
                "memberships": m.active_memberships,  # type: ignore[attr-defined]
            }
            for m in current_group_mappings()
        ]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No group mappings.")
            return
        for row in rows:
            self.stdout.write(
                f"{row['code']}  {row['group']}  →  {row['role']} at {row['organisation_name']}"
                f"  [{row['source'] or 'every source'}; {row['status']};"
                f" {row['memberships']} current member(s)]"
            )

    def _remove(self, options: dict[str, Any]) -> None:
        if options["code"]:
            mapping = GroupMapping.objects.filter(
                code=options["code"], removed_at__isnull=True
            ).first()
        elif options["group"] and options["org"] and options["role"]:
            mapping = GroupMapping.objects.filter(
                group__iexact=options["group"].strip(),
                organisation=organisation_and_unit(options["org"])[0],
                role=options["role"],
                source=options["source"].strip().lower(),
                removed_at__isnull=True,
            ).first()
        else:
            raise CommandError("Name the mapping: --code, or --group with --org and --role.")
        if mapping is None:
            raise CommandError("No such current mapping (see kim sso map list).")
        ended = remove_group_mapping(acting_user=None, mapping=mapping, via="command")
        self.stdout.write(f"{mapping.code} removed; {ended} membership(s) ended.")
