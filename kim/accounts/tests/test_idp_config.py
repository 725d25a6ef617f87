"""KIM_OIDC_PROVIDERS / KIM_SAML_PROVIDERS → allauth's SOCIALACCOUNT_PROVIDERS (D-073)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kim.accounts.idp_config import (
    DEFAULT_MFA_AMR,
    DEFAULT_MFA_AUTHN_CONTEXT,
    build_socialaccount_providers,
)

KEYCLOAK = {
    "id": "kreis",
    "name": "Kreis-Login",
    "server_url": "https://sso.kreis-si.example/realms/kim",
    "client_id": "kim-plattform",
    "secret": "s3cret",
}
ADFS = {
    "id": "adfs",
    "name": "Stadt Siegen",
    "entity_id": "http://adfs.siegen.example/adfs/services/trust",
    "metadata_url": "https://adfs.siegen.example/FederationMetadata/2007-06/FederationMetadata.xml",
    "groups_attribute": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
}


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def _build(oidc: object = None, saml: object = None, **files: str) -> dict:
    return build_socialaccount_providers(
        None if oidc is None else json.dumps(oidc),
        None if saml is None else json.dumps(saml),
        read_file=lambda path: files[path],
    )


def test_nothing_configured_gives_empty_lists_and_keeps_the_saml_provider_class() -> None:
    providers = build_socialaccount_providers(None, "", read_file=_read)

    assert providers["openid_connect"]["APPS"] == []
    assert providers["saml"] == {"provider_class": "kim.accounts.idp.SAMLProvider", "APPS": []}


def test_oidc_provider_with_defaults() -> None:
    [app] = _build([KEYCLOAK])["openid_connect"]["APPS"]

    assert app == {
        "provider_id": "kreis",
        "name": "Kreis-Login",
        "client_id": "kim-plattform",
        "secret": "s3cret",
        "settings": {
            "server_url": "https://sso.kreis-si.example/realms/kim",
            "scope": ["openid", "profile", "email"],
            "oauth_pkce_enabled": True,
            "groups_claim": "groups",
            "mfa_amr": DEFAULT_MFA_AMR,
        },
    }


def test_oidc_secret_from_a_file_and_own_claims() -> None:
    entry = {k: v for k, v in KEYCLOAK.items() if k != "secret"} | {
        "secret_file": "/run/secrets/kim-oidc",
        "groups_claim": "roles",
        "mfa_amr": ["mfa"],
        "scope": "openid profile email groups",
    }

    [app] = _build([entry], **{"/run/secrets/kim-oidc": "from-file"})["openid_connect"]["APPS"]

    assert app["secret"] == "from-file"
    assert app["settings"]["groups_claim"] == "roles"
    assert app["settings"]["mfa_amr"] == ["mfa"]
    assert app["settings"]["scope"] == ["openid", "profile", "email", "groups"]


def test_saml_provider_from_metadata() -> None:
    [app] = _build(saml=[ADFS])["saml"]["APPS"]

    assert (app["provider_id"], app["client_id"], app["name"]) == ("adfs", "adfs", "Stadt Siegen")
    settings = app["settings"]
    assert settings["idp"] == {"entity_id": ADFS["entity_id"], "metadata_url": ADFS["metadata_url"]}
    assert settings["groups_attribute"].endswith("/claims/groups")
    assert settings["mfa_authn_context"] == DEFAULT_MFA_AUTHN_CONTEXT
    assert settings["advanced"] == {
        "want_assertion_signed": True,
        "want_message_signed": False,
        "reject_idp_initiated_sso": True,
    }
    assert "uid" in settings["attribute_mapping"]["username"]


def test_saml_provider_with_sso_url_certificate_and_sp_keys() -> None:
    entry = {
        "id": "idp",
        "name": "IdP",
        "entity_id": "https://idp.example/saml",
        "sso_url": "https://idp.example/saml/sso",
        "x509cert_file": "/idp.pem",
        "sp_entity_id": "https://kim.example/saml",
        "sp_x509cert_file": "/sp.pem",
        "sp_private_key_file": "/sp.key",
        "sign_requests": True,
        "mfa_authn_context": ["urn:example:mfa"],
        "attribute_mapping": {"uid": ["employeeNumber"]},
    }

    [app] = _build(saml=[entry], **{"/idp.pem": "IDP", "/sp.pem": "SP", "/sp.key": "KEY"})["saml"][
        "APPS"
    ]

    settings = app["settings"]
    assert settings["idp"]["x509cert"] == "IDP"
    assert settings["sp"] == {"entity_id": "https://kim.example/saml"}
    assert settings["advanced"]["x509cert"] == "SP"
    assert settings["advanced"]["private_key"] == "KEY"
    assert settings["advanced"]["authn_request_signed"] is True
    assert settings["mfa_authn_context"] == ["urn:example:mfa"]
    assert settings["attribute_mapping"]["uid"] == ["employeeNumber"]


@pytest.mark.parametrize(
    ("oidc", "saml", "message"),
    [
        ("[{", None, "KIM_OIDC_PROVIDERS is not valid JSON"),
        ('"keycloak"', None, "KIM_OIDC_PROVIDERS must be a JSON list of objects"),
        ('["keycloak"]', None, "KIM_OIDC_PROVIDERS entry 1 must be a JSON object"),
        (json.dumps([KEYCLOAK | {"id": "Kreis Login"}]), None, "lower-case letters"),
        (json.dumps([KEYCLOAK | {"id": "ldap"}]), None, "not 'ldap'"),
        (json.dumps([KEYCLOAK | {"secret": ""}]), None, "(kreis): secret is required"),
        (json.dumps([KEYCLOAK | {"server_url": "sso.example"}]), None, "must start with https://"),
        (json.dumps([KEYCLOAK | {"mfa_amr": [1]}]), None, "mfa_amr must be a list of strings"),
        (json.dumps([KEYCLOAK | {"client": "x"}]), None, "unknown key(s) client"),
        (json.dumps([KEYCLOAK | {"secret_file": "/x"}]), None, "give secret or secret_file"),
        (json.dumps([KEYCLOAK, KEYCLOAK]), None, "'kreis' is used twice"),
        (json.dumps([KEYCLOAK]), json.dumps([ADFS | {"id": "kreis"}]), "'kreis' is used twice"),
        (None, "{]", "KIM_SAML_PROVIDERS is not valid JSON"),
        (
            None,
            json.dumps([{"id": "a", "name": "A", "entity_id": "e"}]),
            "metadata_url, or sso_url",
        ),
        (None, json.dumps([ADFS | {"sso_url": "https://x"}]), "metadata_url or sso_url, not both"),
        (None, json.dumps([ADFS | {"sp_x509cert": "C"}]), "go together"),
        (None, json.dumps([ADFS | {"sign_requests": True}]), "needs sp_private_key"),
        (None, json.dumps([ADFS | {"want_assertion_signed": "yes"}]), "must be true or false"),
    ],
)
def test_bad_configuration_fails_loudly_naming_variable_and_entry(
    oidc: str | None, saml: str | None, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        build_socialaccount_providers(oidc, saml, read_file=_read)

    assert message in str(error.value)


def test_unreadable_secret_file_names_the_file() -> None:
    entry = {k: v for k, v in KEYCLOAK.items() if k != "secret"} | {"secret_file": "/nope"}

    with pytest.raises(ImproperlyConfigured, match="secret_file '/nope' cannot be read"):
        build_socialaccount_providers(json.dumps([entry]), None, read_file=_read)
