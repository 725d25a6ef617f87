"""Login through a real OpenLDAP directory (slapd on loopback; issue 15, D-070).

Every test signs in through allauth's login form, as a user would; the directory is changed
with ``ldapmodify`` between logins.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kim.accounts.ldap_config import build_ldap_settings
from kim.accounts.models import GrantStatus, GroupMapping, Membership, Role
from kim.accounts.tests.ldap_server import ADMIN_DN, ADMIN_PASSWORD, GROUPS, PEOPLE, LdapServer
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]


@pytest.fixture
def directory(settings: Any, ldap_server: LdapServer) -> Iterator[LdapServer]:
    for name, value in build_ldap_settings(
        uri=ldap_server.uri,
        bind_dn=ADMIN_DN,
        bind_password=ADMIN_PASSWORD,
        user_search_base=PEOPLE,
        group_search_base=GROUPS,
    ).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "kim.accounts.backends.LocalPasswordBackend",
        "kim.accounts.backends.DirectoryBackend",
    ]
    yield ldap_server
    # Each test starts from the tree as loaded: put back what a test removed.
    with contextlib.suppress(subprocess.CalledProcessError):  # still a member
        ldap_server.add_member("kim-cm-siegen", "anna.ldap")


@pytest.fixture
def cm_siegen_mapping(world: dict[str, object]) -> GroupMapping:
    siegen = world["Siegen"]
    assert isinstance(siegen, Organisation)
    return GroupMapping.objects.create(
        group="kim-cm-siegen",
        source="ldap",
        organisation=siegen,
        role=Role.CASE_MANAGER,
        status=GrantStatus.ACTIVE,
    )


def _login(username: str, password: str) -> tuple[Client, int]:
    client = Client()
    response = client.post("/konto/login/", {"login": username, "password": password})
    return client, response.status_code


def test_mapped_group_gives_exactly_that_role(
    directory: LdapServer, cm_siegen_mapping: GroupMapping
) -> None:
    client, status = _login("anna.ldap", "anna-pass-2026")

    assert status == 302
    anna = get_user_model().objects.get(username="anna.ldap")
    assert (anna.first_name, anna.last_name, anna.email) == (
        "Anna",
        "Becker",
        "anna.ldap@kreis-si.example",
    )
    assert not anna.has_usable_password()
    roles = list(
        Membership.objects.active().filter(user=anna).values_list("role", "source_mapping")
    )
    assert roles == [(Role.CASE_MANAGER, cm_siegen_mapping.pk)]
    assert AuditEvent.objects.filter(
        event_type=EventType.DIRECTORY_USER_CREATED, subject_code=str(anna.pk)
    ).exists()
    assert client.get("/fallmanagement/").status_code == 200


def test_group_removed_in_the_directory_ends_the_role_at_next_login(
    directory: LdapServer, cm_siegen_mapping: GroupMapping
) -> None:
    _login("anna.ldap", "anna-pass-2026")
    directory.remove_member("kim-cm-siegen", "anna.ldap")

    client, status = _login("anna.ldap", "anna-pass-2026")

    assert status == 302
    anna = get_user_model().objects.get(username="anna.ldap")
    assert not Membership.objects.active().filter(user=anna).exists()
    ended = AuditEvent.objects.get(event_type=EventType.SSO_ROLE_ENDED)
    assert ended.extra["mapping"] == cm_siegen_mapping.code
    assert client.get("/fallmanagement/").status_code in (403, 404)


def test_wrong_password_gives_no_login_and_a_failed_login_event(
    directory: LdapServer, cm_siegen_mapping: GroupMapping
) -> None:
    client, status = _login("anna.ldap", "wrong-password")

    assert status == 200
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="anna.ldap").exists()
    failed = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert failed.extra["username"] == "anna.ldap"


def test_no_mapped_group_signs_in_without_a_role(
    directory: LdapServer, cm_siegen_mapping: GroupMapping
) -> None:
    client, status = _login("carla.ldap", "carla-pass-2026")

    assert status == 302
    carla = get_user_model().objects.get(username="carla.ldap")
    assert not Membership.objects.filter(user=carla).exists()
    page = client.get("/").content.decode()
    assert "keine Rolle" in page
    assert "Verzeichnis" in page
    assert client.get("/fallmanagement/").status_code in (403, 404)


def test_directory_cannot_take_over_a_local_account(
    directory: LdapServer, ldap_server: LdapServer
) -> None:
    """A directory entry named like a local account (with a password) is refused."""
    user = get_user_model().objects.create_user(username="bernd.ldap", password="local-pass-2026!")
    client, status = _login("bernd.ldap", "bernd-pass-2026")

    assert status == 200
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.check_password("local-pass-2026!")


def test_admins_only_refuses_a_local_password_of_a_non_administrator(
    settings: Any,
) -> None:
    settings.KIM_LOCAL_LOGIN = "admins-only"

    client, status = _login("cm-siegen", "demo")
    assert status == 200
    assert "_auth_user_id" not in client.session
    assert (
        "lokalen Passwort"
        in client.post("/konto/login/", {"login": "cm-siegen", "password": "demo"}).content.decode()
    )
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILED).exists()

    client, status = _login("admin", "demo")
    assert status == 302
    assert client.session["_auth_user_id"]


def test_admins_only_gives_no_hint_for_a_wrong_password(settings: Any) -> None:
    settings.KIM_LOCAL_LOGIN = "admins-only"
    body = Client().post("/konto/login/", {"login": "cm-siegen", "password": "nope"})
    assert "lokalen Passwort" not in body.content.decode()
