"""What an identity provider reported at a login: groups and MFA (kim.accounts.idp, D-074).

The logins themselves run against real IdPs in tests/browser/test_idp_login.py; here the
rules on the data an IdP sends, and the login page's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.test import Client

from kim.accounts.idp import AUTHN_CONTEXTS_KEY, SAMLProvider, asserted_mfa, reported_groups


def _oidc(extra_data: dict[str, Any], **settings: Any) -> SocialLogin:
    app = SocialApp(provider="openid_connect", provider_id="kreis", settings=settings)
    return SocialLogin(
        provider=OpenIDConnectProvider(None, app=app),
        account=SocialAccount(provider="kreis", uid="1", extra_data=extra_data),
    )


def _saml(extra_data: dict[str, Any], **settings: Any) -> SocialLogin:
    app = SocialApp(provider="saml", provider_id="adfs", client_id="adfs", settings=settings)
    return SocialLogin(
        provider=SAMLProvider(None, app=app),
        account=SocialAccount(provider="adfs", uid="1", extra_data=extra_data),
    )


@pytest.mark.parametrize(
    ("id_token", "settings", "mfa"),
    [
        ({"amr": ["pwd"]}, {}, False),
        ({"amr": ["pwd", "otp"]}, {}, True),
        ({"amr": ["hwk"]}, {}, True),
        ({"amr": ["pwd", "otp"]}, {"mfa_amr": ["mfa"]}, False),
        ({"amr": ["mfa"]}, {"mfa_amr": ["mfa"]}, True),
        ({}, {}, False),
        ({"amr": "otp"}, {}, True),
    ],
)
def test_oidc_amr_counts_by_the_providers_list(
    id_token: dict[str, Any], settings: dict[str, Any], mfa: bool
) -> None:
    assert asserted_mfa(_oidc({"id_token": id_token, "userinfo": {}}, **settings)) is mfa


def test_oidc_groups_from_userinfo_first_then_the_id_token_and_a_named_claim() -> None:
    both = {"userinfo": {"groups": ["a"]}, "id_token": {"groups": ["b"]}}
    assert reported_groups(_oidc(both)) == ["a"]
    assert reported_groups(_oidc({"id_token": {"groups": ["b"]}})) == ["b"]
    assert reported_groups(_oidc({"id_token": {"roles": ["r"]}}, groups_claim="roles")) == ["r"]
    assert reported_groups(_oidc({"id_token": {}})) == []


def test_saml_mfa_by_authn_context_or_microsofts_methods_attribute() -> None:
    ttoken = "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken"
    password = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    methods = "http://schemas.microsoft.com/claims/authnmethodsreferences"
    assert asserted_mfa(_saml({AUTHN_CONTEXTS_KEY: [ttoken]})) is True
    assert asserted_mfa(_saml({AUTHN_CONTEXTS_KEY: [password]})) is False
    assert (
        asserted_mfa(
            _saml(
                {
                    AUTHN_CONTEXTS_KEY: [password],
                    methods: ["http://schemas.microsoft.com/claims/multipleauthn"],
                }
            )
        )
        is True
    )
    assert asserted_mfa(_saml({AUTHN_CONTEXTS_KEY: [ttoken]}, mfa_authn_context=["x"])) is False


def test_saml_groups_from_the_providers_attribute() -> None:
    data = {"groups": ["kim-cm-siegen"], "memberOf": ["other"]}
    assert reported_groups(_saml(data)) == ["kim-cm-siegen"]
    assert reported_groups(_saml(data, groups_attribute="memberOf")) == ["other"]


@pytest.mark.django_db
def test_login_page_lets_forms_reach_the_configured_idps_only_there(client: Client) -> None:
    assert "form-action 'self';" in client.get("/konto/login/")["Content-Security-Policy"] + ";"

    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="kreis",
        name="Kreis-Login",
        client_id="kim",
        settings={"server_url": "https://sso.kreis-si.example/realms/kim"},
    )
    SocialApp.objects.create(
        provider="saml",
        provider_id="adfs",
        name="Stadt Siegen",
        client_id="adfs",
        settings={"idp": {"entity_id": "e", "sso_url": "https://adfs.siegen.example/adfs/ls/"}},
    )

    login = client.get("/konto/login/")
    policy = login["Content-Security-Policy"]
    assert "form-action 'self' https://adfs.siegen.example https://sso.kreis-si.example" in policy
    assert "Anmelden mit Kreis-Login" in login.content.decode()
    assert "Anmelden mit Stadt Siegen" in login.content.decode()
    assert "sso.kreis-si.example" not in client.get("/healthz")["Content-Security-Policy"]
