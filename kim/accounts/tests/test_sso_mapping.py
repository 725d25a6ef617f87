"""Group → membership mappings applied just in time (kim.accounts.sso, D-069)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from kim.accounts.actions import decide_group_mapping
from kim.accounts.models import GrantStatus, GroupMapping, Membership, Role
from kim.accounts.sso import apply_group_mappings
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _mapping(group: str, org: Organisation, role: str, source: str = "") -> GroupMapping:
    return GroupMapping.objects.create(
        group=group, organisation=org, role=role, source=source, status=GrantStatus.ACTIVE
    )


def _user(name: str = "m.muster") -> User:
    return get_user_model().objects.create_user(username=name)


def test_mapped_group_grants_the_role_and_names_the_mapping(world: dict[str, object]) -> None:
    siegen = world["Siegen"]
    assert isinstance(siegen, Organisation)
    mapping = _mapping("KIM-CM-Siegen", siegen, Role.CASE_MANAGER)
    user = _user()

    result = apply_group_mappings(user, ["kim-cm-siegen", "staff"], source="ldap")

    [membership] = result.granted
    assert membership.source_mapping == mapping
    assert membership.status == GrantStatus.ACTIVE
    assert Membership.objects.active().filter(user=user, role=Role.CASE_MANAGER).count() == 1
    event = AuditEvent.objects.get(event_type=EventType.SSO_ROLE_GRANTED)
    assert event.extra["mapping"] == mapping.code
    assert event.extra["source"] == "ldap"


def test_group_gone_ends_only_the_mapped_membership(world: dict[str, object]) -> None:
    siegen, kreuztal = world["Siegen"], world["Kreuztal"]
    assert isinstance(siegen, Organisation) and isinstance(kreuztal, Organisation)
    _mapping("kim-cm-siegen", siegen, Role.CASE_MANAGER)
    user = _user()
    local = Membership.objects.create(
        user=user, organisation=kreuztal, role=Role.TEAM_LEAD, status=GrantStatus.ACTIVE
    )
    apply_group_mappings(user, ["kim-cm-siegen"], source="ldap")

    result = apply_group_mappings(user, [], source="ldap")

    [ended] = result.ended
    assert ended.revoked_at is not None
    assert list(Membership.objects.active().filter(user=user)) == [local]
    assert AuditEvent.objects.filter(event_type=EventType.SSO_ROLE_ENDED).count() == 1


def test_local_grant_of_the_same_role_is_not_duplicated(world: dict[str, object]) -> None:
    siegen = world["Siegen"]
    assert isinstance(siegen, Organisation)
    _mapping("kim-cm-siegen", siegen, Role.CASE_MANAGER)
    user = _user()
    Membership.objects.create(
        user=user, organisation=siegen, role=Role.CASE_MANAGER, status=GrantStatus.ACTIVE
    )

    result = apply_group_mappings(user, ["kim-cm-siegen"], source="ldap")
    assert result.granted == []
    result = apply_group_mappings(user, [], source="ldap")
    assert result.ended == []
    assert Membership.objects.active().filter(user=user).count() == 1


def test_pending_and_other_source_mappings_do_not_apply(world: dict[str, object]) -> None:
    siegen = world["Siegen"]
    assert isinstance(siegen, Organisation)
    GroupMapping.objects.create(group="g1", organisation=siegen, role=Role.CASE_MANAGER)
    _mapping("g2", siegen, Role.TEAM_LEAD, source="keycloak")
    user = _user()

    result = apply_group_mappings(user, ["g1", "g2"], source="ldap")

    assert result.granted == []
    assert not Membership.objects.filter(user=user).exists()


def test_admin_site_mapping_waits_for_a_second_person(
    world: dict[str, object], login_as: Callable[[str], Client]
) -> None:
    siegen = world["Siegen"]
    assert isinstance(siegen, Organisation)
    response = login_as("admin").post(
        "/verwaltung/accounts/groupmapping/add/",
        {"group": "KIM-CM-Siegen", "source": "", "organisation": siegen.pk, "role": "case_manager"},
    )
    assert response.status_code == 302
    mapping = GroupMapping.objects.get()
    assert mapping.status == GrantStatus.PENDING
    user = _user()
    assert apply_group_mappings(user, ["kim-cm-siegen"], source="ldap").granted == []

    admin = get_user_model().objects.get(username="admin")
    with pytest.raises(PermissionDenied):
        decide_group_mapping(acting_user=admin, mapping=mapping, confirm=True)
    dpo = get_user_model().objects.get(username="dsb")
    decide_group_mapping(acting_user=dpo, mapping=mapping, confirm=True)
    mapping.refresh_from_db()
    assert (mapping.status, mapping.decided_by) == (GrantStatus.ACTIVE, dpo)
    assert AuditEvent.objects.filter(event_type=EventType.SSO_MAPPING_CONFIRMED).count() == 1
    assert len(apply_group_mappings(user, ["kim-cm-siegen"], source="ldap").granted) == 1
