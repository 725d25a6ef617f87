"""Lookups shared by the operator's commands (``kim grant_role``, ``kim sso map``)."""

from __future__ import annotations

from django.core.management.base import CommandError

from kim.organisations.models import Organisation, OrganisationalUnit
from kim.organisations.queries import organisation_by_key


def organisation_and_unit(
    key: str, unit_code: str = ""
) -> tuple[Organisation, OrganisationalUnit | None]:
    """The organisation by code or AGS and, if named, a unit by code; CommandError otherwise."""
    organisation = organisation_by_key(key)
    if organisation is None:
        raise CommandError(f"No organisation with code or AGS {key!r}.")
    if not unit_code:
        return organisation, None
    unit = OrganisationalUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise CommandError(f"No unit with code {unit_code!r}.")
    return organisation, unit
