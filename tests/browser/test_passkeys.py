"""Passkeys in real Chromium with its virtual authenticator (issue 15 § 4–5, D-071).

Chromium's DevTools protocol (``WebAuthn.addVirtualAuthenticator``) stands in for a laptop's
platform authenticator: a real WebAuthn ceremony, real signatures, checked by allauth's server
code – no protocol mock. ``cm-siegen`` holds a role with personal data, so with MFA required
(as in production) the first sign-in ends at the two-factor overview; registering a passkey
opens the case pages; the next sign-in asks for the passkey after the password; and with
``KIM_PASSKEY_LOGIN`` the passkey alone signs in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from playwright.sync_api import CDPSession, Page, expect

from kim.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo"


def _virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, str(result["authenticatorId"])


def _password_step(page: Page, server: str, username: str) -> None:
    page.goto(f"{server}/konto/login/")
    page.get_by_label("Anmeldename").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()


def _register_passkey(page: Page, server: str, *, passwordless: bool = False) -> None:
    page.goto(f"{server}/konto/2fa/webauthn/add/")
    # Adding a second factor is a sensitive action: the password once more (allauth).
    expect(page.get_by_role("heading", name="Zugriff bestätigen")).to_be_visible()
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Bestätigen").click()
    page.locator("input[name=name]").fill("Dienstlaptop")
    if passwordless:  # a discoverable credential, for signing in without a password
        page.locator("input[name=passwordless]").check()
    page.locator("#mfa_webauthn_add").click()


def test_a_passkey_is_registered_and_then_asked_for_at_sign_in(
    page: Page, server: str, settings: Any, check_page: Callable[[str], None]
) -> None:
    settings.KIM_REQUIRE_MFA = True
    cdp, authenticator = _virtual_authenticator(page)
    user = User.objects.get(username="cm-siegen")

    # 1. A role with personal data and no second factor: only the two-factor pages open.
    _password_step(page, server, "cm-siegen")
    expect(page).to_have_url(f"{server}/konto/2fa/")
    page.goto(f"{server}/fallmanagement/")
    expect(page).to_have_url(f"{server}/konto/2fa/")

    # 2. Register a passkey with the (virtual) authenticator of this laptop.
    _register_passkey(page, server)
    expect(page.get_by_text("Sicherheitsschlüssel hinzugefügt.")).to_be_visible()
    check_page("passkey-registered")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    page.goto(f"{server}/fallmanagement/")
    expect(page).to_have_url(f"{server}/fallmanagement/")

    # 3. A new browser session: the password alone no longer suffices, the passkey is asked for.
    page.context.clear_cookies()
    _password_step(page, server, "cm-siegen")
    expect(page).to_have_url(f"{server}/konto/2fa/authenticate/")
    page.get_by_role("button", name="Verwenden Sie einen Sicherheitsschlüssel").click()
    expect(page).to_have_url(f"{server}/")
    page.goto(f"{server}/fallmanagement/")
    expect(page).to_have_url(f"{server}/fallmanagement/")
    assert AuditEvent.objects.filter(actor=user, event_type="auth.login").exists()


def _reload_urls() -> None:
    """allauth adds the passkey-login URL and the form's "passwordless" choice only when the
    setting is on at import time."""
    import importlib
    import sys

    from django.urls import clear_url_caches

    for name in (
        "allauth.mfa.webauthn.forms",
        "allauth.mfa.webauthn.views",
        "allauth.mfa.webauthn.urls",
        "allauth.mfa.urls",
        "allauth.urls",
        "kim.urls",
    ):
        importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(
            name
        )
    clear_url_caches()


@pytest.fixture
def passkey_login(settings: Any) -> Iterator[None]:
    settings.MFA_PASSKEY_LOGIN_ENABLED = True
    _reload_urls()
    yield
    settings.MFA_PASSKEY_LOGIN_ENABLED = False
    _reload_urls()


def test_the_passkey_alone_signs_in_when_passkey_login_is_on(
    page: Page, server: str, settings: Any, passkey_login: None
) -> None:
    settings.KIM_REQUIRE_MFA = True
    _virtual_authenticator(page)
    _password_step(page, server, "cm-siegen")
    expect(page).to_have_url(f"{server}/konto/2fa/")
    _register_passkey(page, server, passwordless=True)
    expect(page.get_by_text("Sicherheitsschlüssel hinzugefügt.")).to_be_visible()
    page.context.clear_cookies()  # a new browser session; the authenticator stays

    page.goto(f"{server}/konto/login/")
    page.get_by_role("button", name="Mit Passkey anmelden").click()
    expect(page).to_have_url(f"{server}/")
    page.goto(f"{server}/fallmanagement/")
    expect(page).to_have_url(f"{server}/fallmanagement/")
