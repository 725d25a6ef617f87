"""Sign-in through real identity providers in Chromium (issue 15, D-073, D-074).

The IdPs are separate processes on loopback (tests/idp): django-oauth-toolkit as an OpenID
Connect provider, pysaml2 as a SAML 2.0 IdP, each with its own keys, database and users
(tests/idp/common.py). KIM-Plattform runs on ``localhost``, the IdPs on ``127.0.0.1``, so the
browser keeps their cookies apart, as it would for real hosts. No protocol is mocked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from kim.accounts.actions import add_group_mapping
from kim.accounts.idp_config import build_socialaccount_providers
from kim.accounts.models import GroupMapping, Membership, Role
from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from tests.idp.oidc.server import CLIENT_ID, CLIENT_SECRET, OidcIdp
from tests.idp.saml.server import SamlIdp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDP_LOGIN_PAGE = re.compile(r"^http://127\.0\.0\.1:\d+/")


@pytest.fixture(scope="session")
def oidc_idp(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcIdp]:
    """One OpenID Connect provider per test process, knowing KIM's two callback addresses:
    the provider from the environment (kreis) and the one made in the admin site (kreis-admin)."""
    callbacks = [
        f"{live_server.url}/konto/oidc/{name}/login/callback/" for name in ("kreis", "kreis-admin")
    ]
    idp = OidcIdp(Path(tmp_path_factory.mktemp("oidc-idp")), callbacks).start()
    yield idp
    idp.stop()


@pytest.fixture
def kreis_oidc(settings: Any, server: str, oidc_idp: OidcIdp) -> Iterator[OidcIdp]:
    """KIM configured like an installation: KIM_OIDC_PROVIDERS's JSON through idp_config."""
    settings.SOCIALACCOUNT_PROVIDERS = build_socialaccount_providers(
        json.dumps(
            [
                {
                    "id": "kreis",
                    "name": "Kreis-Login",
                    "server_url": oidc_idp.server_url,
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                }
            ]
        ),
        None,
        read_file=str,
    )
    yield oidc_idp
    oidc_idp.reset_users()


@pytest.fixture(scope="session")
def saml_idp(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdp]:
    """One SAML IdP per test process; it fetches KIM's SP metadata at its first sign-in."""
    metadata = f"{live_server.url}/konto/saml/amt/metadata/"
    idp = SamlIdp(Path(tmp_path_factory.mktemp("saml-idp")), metadata).start()
    yield idp
    idp.stop()


@pytest.fixture
def amt_saml(settings: Any, server: str, saml_idp: SamlIdp) -> Iterator[SamlIdp]:
    """KIM configured through KIM_SAML_PROVIDERS's JSON: entity ID, SSO URL, certificate."""
    settings.SOCIALACCOUNT_PROVIDERS = build_socialaccount_providers(
        None,
        json.dumps(
            [
                {
                    "id": "amt",
                    "name": "Amt-Login",
                    "entity_id": saml_idp.entity_id,
                    "sso_url": saml_idp.sso_url,
                    "x509cert": saml_idp.certificate(),
                }
            ]
        ),
        read_file=str,
    )
    yield saml_idp
    saml_idp.reset_users()


@pytest.fixture
def cm_siegen_mapping(server: str) -> GroupMapping:
    """``kim sso map add --group kim-cm-siegen --org Siegen --role case_manager``, by the operator."""
    siegen = Organisation.objects.get(short_name="Siegen")
    return add_group_mapping(
        acting_user=None,
        group="kim-cm-siegen",
        organisation=siegen,
        role=Role.CASE_MANAGER,
        via="command",
    )


def sign_in_at_idp(page: Page, server: str, button: str, username: str, password: str) -> None:
    """KIM's login page → the provider's button → the IdP's own login form."""
    page.goto(f"{server}/konto/login/")
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(IDP_LOGIN_PAGE)
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Kennwort").fill(password)
    page.get_by_role("button", name="Weiter").click()


def sign_out(page: Page, server: str) -> None:
    """Sign out of KIM, and of the IdP too (its session cookie gone), so the next sign-in
    asks for the password again."""
    page.goto(f"{server}/konto/logout/")
    page.locator("main").get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(f"{server}/konto/login/")
    page.context.clear_cookies(domain="127.0.0.1")


def test_oidc_group_gives_the_role_and_losing_it_ends_the_role(
    page: Page, server: str, kreis_oidc: OidcIdp, cm_siegen_mapping: GroupMapping
) -> None:
    sign_in_at_idp(page, server, "Anmelden mit Kreis-Login", "anna", "anna-idp-2026")

    expect(page).to_have_url(f"{server}/")
    main = page.locator("main")
    expect(main).to_contain_text("Fallmanager/in")
    expect(main).to_contain_text("Siegen")
    anna = get_user_model().objects.get(username="anna")
    assert (anna.first_name, anna.last_name, anna.email) == (
        "Anna",
        "Becker",
        "anna@kreis-si.example",
    )
    assert not anna.has_usable_password()
    assert SocialAccount.objects.get(user=anna).provider == "kreis"
    created = AuditEvent.objects.get(event_type=EventType.DIRECTORY_USER_CREATED)
    assert (created.subject_code, created.extra["source"]) == (str(anna.pk), "oidc:kreis")
    granted = Membership.objects.active().get(user=anna)
    assert (granted.role, granted.source_mapping) == (Role.CASE_MANAGER, cm_siegen_mapping)

    # IT takes Anna out of the group at the IdP: the role ends at her next sign-in.
    sign_out(page, server)
    kreis_oidc.set_user("anna", groups=[])
    sign_in_at_idp(page, server, "Anmelden mit Kreis-Login", "anna", "anna-idp-2026")

    expect(page).to_have_url(f"{server}/")
    expect(main).to_contain_text("noch keine Rolle")
    assert not Membership.objects.active().filter(user=anna).exists()
    ended = AuditEvent.objects.get(event_type=EventType.SSO_ROLE_ENDED)
    assert (ended.extra["mapping"], ended.extra["source"]) == (cm_siegen_mapping.code, "kreis")
    assert get_user_model().objects.filter(username__startswith="anna").count() == 1


def test_oidc_wrong_password_at_the_idp_signs_nobody_in(
    page: Page, server: str, kreis_oidc: OidcIdp
) -> None:
    sign_in_at_idp(page, server, "Anmelden mit Kreis-Login", "anna", "wrong-password")

    expect(page.get_by_role("alert")).to_contain_text("Passwort falsch")
    expect(page).to_have_url(IDP_LOGIN_PAGE)
    page.goto(f"{server}/")
    expect(page).to_have_url(re.compile(r"/konto/login/"))
    assert not get_user_model().objects.filter(username="anna").exists()


def test_oidc_without_a_mapped_group_shows_the_no_role_page(
    page: Page, server: str, kreis_oidc: OidcIdp, cm_siegen_mapping: GroupMapping
) -> None:
    sign_in_at_idp(page, server, "Anmelden mit Kreis-Login", "carla", "carla-idp-2026")

    expect(page).to_have_url(f"{server}/")
    expect(page.locator("main")).to_contain_text("noch keine Rolle")
    carla = get_user_model().objects.get(username="carla")
    assert not Membership.objects.filter(user=carla).exists()


def test_oidc_mfa_asserted_by_the_idp_counts_as_second_factor(
    page: Page, server: str, settings: Any, kreis_oidc: OidcIdp, cm_siegen_mapping: GroupMapping
) -> None:
    settings.KIM_REQUIRE_MFA = True
    # Anna's IdP says amr ["pwd"]: a case manager without a second factor sets one up first.
    sign_in_at_idp(page, server, "Anmelden mit Kreis-Login", "anna", "anna-idp-2026")
    expect(page).to_have_url(f"{server}/konto/2fa/")
    sign_out(page, server)

    # Bernd's IdP says amr ["pwd", "otp"]: his start page opens straight away.
    sign_in_at_idp(page, server, "Anmelden mit Kreis-Login", "bernd", "bernd-idp-2026")
    expect(page).to_have_url(f"{server}/")
    expect(page.locator("main")).to_contain_text("Fallmanager/in")
    page.goto(f"{server}/fallmanagement/")
    expect(page).to_have_url(f"{server}/fallmanagement/")


def test_oidc_cannot_take_over_a_local_account(
    page: Page, server: str, kreis_oidc: OidcIdp, cm_siegen_mapping: GroupMapping
) -> None:
    local = get_user_model().objects.create_user(
        username="bernd", password="local-pass-2026!", email="someone@kreis-si.example"
    )

    sign_in_at_idp(page, server, "Anmelden mit Kreis-Login", "bernd", "bernd-idp-2026")

    expect(page).to_have_url(f"{server}/konto/login/")
    expect(page.get_by_role("status")).to_contain_text("lokalen Konto")
    assert not SocialAccount.objects.exists()
    assert not Membership.objects.filter(user=local).exists()
    refused = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert refused.extra == {"username": "bernd", "source": "oidc:kreis", "reason": "local_account"}


def test_oidc_provider_made_in_the_admin_site_signs_in_too(
    page: Page,
    server: str,
    oidc_idp: OidcIdp,
    cm_siegen_mapping: GroupMapping,
    check_page: Callable[[str], None],
) -> None:
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="kreis-admin",
        name="Kreis (Verwaltung)",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": oidc_idp.server_url, "mfa_amr": ["otp"]},
    )
    page.goto(f"{server}/konto/login/")
    check_page("login-idp-buttons")

    sign_in_at_idp(page, server, "Anmelden mit Kreis (Verwaltung)", "bernd", "bernd-idp-2026")

    expect(page).to_have_url(f"{server}/")
    bernd = get_user_model().objects.get(username="bernd")
    assert SocialAccount.objects.get(user=bernd).provider == "kreis-admin"
    assert Membership.objects.active().get(user=bernd).source_mapping == cm_siegen_mapping


def test_saml_group_gives_the_role_and_losing_it_ends_the_role(
    page: Page, server: str, amt_saml: SamlIdp, cm_siegen_mapping: GroupMapping
) -> None:
    sign_in_at_idp(page, server, "Anmelden mit Amt-Login", "anna", "anna-idp-2026")

    expect(page).to_have_url(f"{server}/")
    main = page.locator("main")
    expect(main).to_contain_text("Fallmanager/in")
    anna = get_user_model().objects.get(username="anna")
    assert (anna.first_name, anna.last_name, anna.email) == (
        "Anna",
        "Becker",
        "anna@kreis-si.example",
    )
    account = SocialAccount.objects.get(user=anna)
    assert (account.provider, account.uid) == ("amt", "anna")
    created = AuditEvent.objects.get(event_type=EventType.DIRECTORY_USER_CREATED)
    assert created.extra["source"] == "saml:amt"
    assert Membership.objects.active().get(user=anna).source_mapping == cm_siegen_mapping

    sign_out(page, server)
    amt_saml.set_user("anna", groups=["sachbearbeitung"])
    sign_in_at_idp(page, server, "Anmelden mit Amt-Login", "anna", "anna-idp-2026")

    expect(page).to_have_url(f"{server}/")
    expect(main).to_contain_text("noch keine Rolle")
    assert not Membership.objects.active().filter(user=anna).exists()
    ended = AuditEvent.objects.get(event_type=EventType.SSO_ROLE_ENDED)
    assert (ended.extra["mapping"], ended.extra["source"]) == (cm_siegen_mapping.code, "amt")


def test_saml_wrong_password_at_the_idp_signs_nobody_in(
    page: Page, server: str, amt_saml: SamlIdp
) -> None:
    sign_in_at_idp(page, server, "Anmelden mit Amt-Login", "bernd", "wrong-password")

    expect(page.get_by_role("alert")).to_contain_text("Passwort falsch")
    page.goto(f"{server}/")
    expect(page).to_have_url(re.compile(r"/konto/login/"))
    assert not get_user_model().objects.filter(username="bernd").exists()


def test_saml_authn_context_decides_whether_mfa_is_still_needed(
    page: Page, server: str, settings: Any, amt_saml: SamlIdp, cm_siegen_mapping: GroupMapping
) -> None:
    settings.KIM_REQUIRE_MFA = True
    # PasswordProtectedTransport: a password only – the case manager sets up a second factor.
    sign_in_at_idp(page, server, "Anmelden mit Amt-Login", "anna", "anna-idp-2026")
    expect(page).to_have_url(f"{server}/konto/2fa/")
    sign_out(page, server)

    # TimeSyncToken: the IdP asked for a one-time code – straight to the start page.
    sign_in_at_idp(page, server, "Anmelden mit Amt-Login", "bernd", "bernd-idp-2026")
    expect(page).to_have_url(f"{server}/")
    page.goto(f"{server}/fallmanagement/")
    expect(page).to_have_url(f"{server}/fallmanagement/")
