"""``kim sso map add|list|remove`` (D-069)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from kim.accounts.models import GrantStatus, GroupMapping, Membership, Role
from kim.accounts.sso import apply_group_mappings
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("sso", *args, stdout=out)
    return out.getvalue()


def test_add_by_ags_list_as_json_and_remove_ends_the_memberships(
    world: dict[str, object],
) -> None:
    siegen = world["Siegen"]
    assert isinstance(siegen, Organisation) and siegen.ags
    _run("map", "add", "--group", "KIM-CM-Siegen", "--org", siegen.ags, "--role", "case_manager")
    mapping = GroupMapping.objects.get()
    assert mapping.status == GrantStatus.ACTIVE  # the operator's mapping needs no second person
    assert AuditEvent.objects.get(event_type=EventType.SSO_MAPPING_ADDED).extra["via"] == "command"

    user = get_user_model().objects.create_user(username="d.dir")
    apply_group_mappings(user, ["kim-cm-siegen"], source="ldap")
    [row] = json.loads(_run("map", "list", "--format", "json"))
    assert row["group"] == "KIM-CM-Siegen"
    assert row["organisation"] == siegen.code
    assert row["role"] == "case_manager"
    assert row["memberships"] == 1

    assert "1 membership(s) ended" in _run("map", "remove", "--code", mapping.code)
    assert not Membership.objects.active().filter(user=user).exists()
    assert AuditEvent.objects.filter(event_type=EventType.SSO_MAPPING_REMOVED).count() == 1
    assert _run("map", "list") == "No group mappings.\n"


def test_bad_input_is_a_clear_error(world: dict[str, object]) -> None:
    with pytest.raises(CommandError, match="No organisation with code or AGS"):
        _run("map", "add", "--group", "g", "--org", "99999999", "--role", "case_manager")
    siegen = world["Siegen"]
    assert isinstance(siegen, Organisation)
    _run("map", "add", "--group", "g", "--org", siegen.code, "--role", Role.TEAM_LEAD)
    with pytest.raises(CommandError, match="bereits"):
        _run("map", "add", "--group", "G", "--org", siegen.code, "--role", Role.TEAM_LEAD)
    with pytest.raises(CommandError, match="Name the mapping"):
        _run("map", "remove", "--group", "g")
    with pytest.raises(CommandError, match="No such current mapping"):
        _run("map", "remove", "--code", "nope")
