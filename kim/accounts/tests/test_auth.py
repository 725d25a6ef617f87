"""Login, failed login, logout, MFA and role changes are audit events; MFA is enforced."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from kim.accounts.actions import create_user, grant_role, revoke_role
from kim.accounts.models import Membership
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _new_events(mark: int) -> list[tuple[str, str]]:
    return [
        (e.event_type, e.actor_username)
        for e in AuditEvent.objects.filter(id__gt=mark).order_by("id")
    ]


def _mark() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_login_and_logout_are_recorded() -> None:
    client = Client()
    mark = _mark()
    assert client.post("/konto/login/", {"login": "siegen", "password": "demo"}).status_code == 302
    assert client.post("/konto/logout/").status_code == 302
    assert _new_events(mark) == [(EventType.LOGIN, "siegen"), (EventType.LOGOUT, "siegen")]


def test_failed_login_is_recorded_without_the_password() -> None:
    client = Client()
    mark = _mark()
    response = client.post("/konto/login/", {"login": "siegen", "password": "falsch-geraten"})
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(id__gt=mark))
    assert [e.event_type for e in events] == [EventType.LOGIN_FAILED]
    assert events[0].extra == {"username": "siegen"}
    assert "falsch-geraten" not in str(events[0].extra)


def test_login_is_rate_limited_after_repeated_failures() -> None:
    client = Client()
    for _ in range(5):
        client.post("/konto/login/", {"login": "cm-kreuztal", "password": "wrong"})
    # Even the right password is refused while the limit holds.
    response = client.post("/konto/login/", {"login": "cm-kreuztal", "password": "demo"})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_role_grant_and_revoke_write_events() -> None:
    admin = get_user_model().objects.get(username="admin")
    user = create_user(acting_user=admin, username="neu", password="ein-langes-Passwort-2026")
    kreuztal = Organisation.objects.get(ags="05970024")
    mark = _mark()
    membership = grant_role(
        acting_user=admin, user=user, organisation=kreuztal, role="case_manager"
    )
    revoke_role(acting_user=admin, membership=membership)
    assert _new_events(mark) == [
        (EventType.ROLE_GRANTED, "admin"),
        (EventType.ROLE_REVOKED, "admin"),
    ]
    assert Membership.objects.get(pk=membership.pk).revoked_at is not None


def test_password_policy_refuses_short_passwords() -> None:
    with pytest.raises(ValidationError):
        create_user(acting_user=None, username="kurz", password="demo1234")
    assert not get_user_model().objects.filter(username="kurz").exists()


def test_granting_a_role_twice_is_refused() -> None:
    user = get_user_model().objects.get(username="siegen")
    with pytest.raises(ValidationError):
        grant_role(
            acting_user=None,
            user=user,
            organisation=Organisation.objects.get(ags="05970040"),
            role="programme_lead",
        )


def test_self_signup_is_closed(client: Client) -> None:
    response = client.get("/konto/signup/")
    assert response.status_code == 200
    assert 'name="password1"' not in response.content.decode()


@override_settings(KIM_REQUIRE_MFA=True)
def test_mfa_is_required_for_roles_with_personal_data(login_as) -> None:
    response = login_as("cm-siegen").get("/")
    assert response.status_code == 302 and response["Location"] == "/konto/2fa/"
    # The council member reads released reports only: no personal data, no MFA requirement.
    assert login_as("rat").get("/").status_code == 200


@override_settings(KIM_REQUIRE_MFA=True)
def test_with_totp_set_up_the_user_passes(login_as) -> None:
    user = get_user_model().objects.get(username="cm-siegen")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert login_as("cm-siegen").get("/").status_code == 200


def test_mfa_activation_is_recorded(login_as) -> None:
    from allauth.mfa import signals

    user = get_user_model().objects.get(username="abh")
    mark = _mark()
    authenticator = Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    signals.authenticator_added.send(
        sender=Authenticator, request=None, user=user, authenticator=authenticator
    )
    signals.authenticator_removed.send(
        sender=Authenticator, request=None, user=user, authenticator=authenticator
    )
    assert _new_events(mark) == [(EventType.MFA_ADDED, "abh"), (EventType.MFA_REMOVED, "abh")]


def test_session_expires_and_ends_with_the_browser() -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_user_created_in_the_admin_is_audited(login_as) -> None:
    client = login_as("admin")
    response = client.post(
        "/verwaltung/auth/user/add/",
        {
            "username": "neue-cm",
            "password1": "ein-langes-Passwort-2026",
            "password2": "ein-langes-Passwort-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.actor_username) == (EventType.USER_CREATED, "admin")


def test_admin_login_goes_through_allauth(client: Client) -> None:
    response = client.get("/verwaltung/login/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/login/")


def test_password_change_is_recorded() -> None:
    client = Client()
    client.post("/konto/login/", {"login": "traeger", "password": "demo"})
    mark = _mark()
    response = client.post(
        "/konto/password/change/",
        {
            "oldpassword": "demo",
            "password1": "ein-neues-Passwort-2026",
            "password2": "ein-neues-Passwort-2026",
        },
    )
    assert response.status_code == 302
    assert (EventType.PASSWORD_CHANGED, "traeger") in _new_events(mark)


def test_token_command_issues_and_revokes_with_events(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    mark = _mark()
    call_command("drf_create_token", "dsb")
    assert Token.objects.filter(user__username="dsb").exists()
    call_command("drf_create_token", "dsb", "--revoke")
    assert not Token.objects.filter(user__username="dsb").exists()
    assert [e for e, _ in _new_events(mark)] == [
        EventType.API_TOKEN_ISSUED,
        EventType.API_TOKEN_REVOKED,
    ]
