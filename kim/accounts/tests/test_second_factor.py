"""The MFA policy counts any second factor: an authenticator app (TOTP), a passkey or security
key (WebAuthn), or an identity provider that asserted MFA for this login (issue 15)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from kim.accounts.access import has_second_factor
from kim.accounts.actions import issue_api_token
from kim.audit.models import AuditEvent, EventType

pytestmark = pytest.mark.django_db


def _passkey(username: str) -> Authenticator:
    user = get_user_model().objects.get(username=username)
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop", "credential": {}}
    )


def test_without_a_second_factor_the_user_chooses_one(login_as, settings) -> None:
    settings.KIM_REQUIRE_MFA = True
    response = login_as("cm-siegen").get("/fallmanagement/")
    # The MFA overview offers the authenticator app and the passkey side by side.
    assert response.status_code == 302 and response["Location"] == "/konto/2fa/"
    page = login_as("cm-siegen").get("/konto/2fa/").content.decode()
    assert 'href="/konto/2fa/totp/activate/"' in page
    assert 'href="/konto/2fa/webauthn/add/"' in page


@pytest.mark.parametrize("kind", ["totp", "webauthn"])
def test_a_passkey_counts_like_an_authenticator_app(
    kind: str, login_as: Callable[[str], Client], settings
) -> None:
    settings.KIM_REQUIRE_MFA = True
    client = login_as("cm-siegen")
    assert client.get("/").status_code == 302
    user = get_user_model().objects.get(username="cm-siegen")
    Authenticator.objects.create(user=user, type=kind, data={})
    assert client.get("/").status_code == 200
    assert has_second_factor(user)


def test_recovery_codes_alone_are_no_second_factor() -> None:
    user = get_user_model().objects.get(username="cm-siegen")
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert not has_second_factor(user)


def test_mfa_asserted_by_the_identity_provider_counts_for_this_session(login_as, settings) -> None:
    settings.KIM_REQUIRE_MFA = True
    client = login_as("cm-siegen")
    assert client.get("/").status_code == 302
    session = client.session
    session["kim_idp_mfa"] = "keycloak"
    session.save()
    assert client.get("/").status_code == 200
    # Another session of the same user has no such assertion.
    assert login_as("cm-siegen").get("/").status_code == 302


def test_an_api_token_needs_any_second_factor(settings) -> None:
    settings.KIM_REQUIRE_MFA = True
    user = get_user_model().objects.get(username="cm-siegen")
    with pytest.raises(ValidationError):
        issue_api_token(acting_user=None, user=user)
    _passkey("cm-siegen")
    assert issue_api_token(acting_user=None, user=user)


def test_adding_and_removing_a_passkey_is_recorded() -> None:
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    passkey = _passkey("abh")
    user = passkey.user
    signals.authenticator_added.send(
        sender=Authenticator, request=None, user=user, authenticator=passkey
    )
    signals.authenticator_removed.send(
        sender=Authenticator, request=None, user=user, authenticator=passkey
    )
    events = AuditEvent.objects.filter(id__gt=mark).order_by("id")
    assert [(e.event_type, e.extra) for e in events] == [
        (EventType.MFA_ADDED, {"type": "webauthn"}),
        (EventType.MFA_REMOVED, {"type": "webauthn"}),
    ]
