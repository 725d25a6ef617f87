"""allauth's ``SOCIALACCOUNT_PROVIDERS`` from ``KIM_OIDC_PROVIDERS`` and ``KIM_SAML_PROVIDERS``.

Both variables hold a JSON list of objects, one per identity provider (issue 15, D-073). A pure
function without models, so ``kim/settings.py`` calls it at start-up and the tests check every
rule without a server. Bad values fail loudly (``ImproperlyConfigured``) and name the variable
and the entry.

Providers may also be configured in the admin site (allauth's "Social applications"); the
KIM-specific keys then go into the app's settings JSON under the same names as here
(``groups_claim``, ``mfa_amr``, ``groups_attribute``, ``mfa_authn_context``, ``mfa_attribute``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# The ``amr`` values (RFC 8176) that count as a second factor asserted by the IdP.
DEFAULT_MFA_AMR = ["mfa", "otp", "hwk"]
DEFAULT_OIDC_SCOPE = ["openid", "profile", "email"]
DEFAULT_GROUPS_CLAIM = "groups"
# SAML AuthnContextClassRef values (and Microsoft's authnmethodsreferences values) that count
# as multi-factor; each provider may name its own list.
DEFAULT_MFA_AUTHN_CONTEXT = [
    "http://schemas.microsoft.com/claims/multipleauthn",
    "https://refeds.org/profile/mfa",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
]
# ADFS and Entra ID report the methods used at sign-in in this attribute, MFA included.
DEFAULT_MFA_ATTRIBUTE = "http://schemas.microsoft.com/claims/authnmethodsreferences"
DEFAULT_GROUPS_ATTRIBUTE = "groups"
# SAML attribute names tried in order: LDAP-style names, their OIDs, and ADFS / Entra ID claims.
DEFAULT_SAML_ATTRIBUTES = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "uid",
        "urn:oid:0.9.2342.19200300.100.1.1",
    ],
    "username": [
        "uid",
        "urn:oid:0.9.2342.19200300.100.1.1",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/windowsaccountname",
    ],
    "email": [
        "mail",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "first_name": [
        "givenName",
        "urn:oid:2.5.4.42",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ],
    "last_name": [
        "sn",
        "urn:oid:2.5.4.4",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ],
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
OIDC_KEYS = {
    "id",
    "name",
    "server_url",
    "client_id",
    "secret",
    "secret_file",
    "groups_claim",
    "mfa_amr",
    "scope",
}
SAML_KEYS = {
    "id",
    "name",
    "entity_id",
    "metadata_url",
    "sso_url",
    "x509cert",
    "x509cert_file",
    "groups_attribute",
    "mfa_authn_context",
    "mfa_attribute",
    "attribute_mapping",
    "sp_entity_id",
    "sp_x509cert",
    "sp_x509cert_file",
    "sp_private_key",
    "sp_private_key_file",
    "sign_requests",
    "want_assertion_signed",
    "want_message_signed",
    "allow_idp_initiated",
}


class _Entry:
    """One provider object of a variable, with errors that name where it came from."""

    def __init__(
        self, variable: str, position: int, raw: object, allowed: set[str], read_file: Callable
    ) -> None:
        self.where = f"{variable} entry {position}"
        if not isinstance(raw, dict):
            raise ImproperlyConfigured(f"{self.where} must be a JSON object, not {raw!r}")
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise ImproperlyConfigured(
                f"{self.where}: unknown key(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
        self.raw: dict[str, Any] = raw
        self.read_file = read_file
        self.id = self.text("id")
        if not _ID.match(self.id) or self.id == "ldap":
            raise ImproperlyConfigured(
                f"{self.where}: id {self.id!r} must be lower-case letters, digits, - or _ "
                "(it appears in URLs and group mappings' source) and not 'ldap'"
            )
        self.where = f"{variable} entry {position} ({self.id})"

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise ImproperlyConfigured(f"{self.where}: {key} is required (a non-empty string)")
        return value.strip()

    def url(self, key: str) -> str:
        value = self.text(key)
        if not value.startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                f"{self.where}: {key} must start with https:// or http://, not {value!r}"
            )
        return value

    def secret(self, key: str, *, required: bool) -> str | None:
        """``key`` itself or the content of the file named by ``key_file``."""
        if key in self.raw and f"{key}_file" in self.raw:
            raise ImproperlyConfigured(f"{self.where}: give {key} or {key}_file, not both")
        if f"{key}_file" in self.raw:
            path = self.text(f"{key}_file")
            try:
                return str(self.read_file(path))
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"{self.where}: {key}_file {path!r} cannot be read: {exc}"
                ) from exc
        if key in self.raw or required:
            return self.text(key)
        return None

    def strings(self, key: str, default: list[str]) -> list[str]:
        value = self.raw.get(key, default)
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ImproperlyConfigured(f"{self.where}: {key} must be a list of strings")
        return list(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise ImproperlyConfigured(f"{self.where}: {key} must be true or false")
        return value


def _load(variable: str, text: str | None) -> list[object]:
    if text is None or not text.strip():
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(
            f"{variable} is not valid JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}); expected a list of objects like "
            '[{"id": "keycloak", "name": "Kreis-Login", ...}]'
        ) from exc
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ImproperlyConfigured(f"{variable} must be a JSON list of objects")
    return value


def oidc_app(entry: _Entry) -> dict[str, Any]:
    return {
        "provider_id": entry.id,
        "name": entry.text("name"),
        "client_id": entry.text("client_id"),
        "secret": entry.secret("secret", required=True),
        "settings": {
            "server_url": entry.url("server_url"),
            "scope": entry.strings("scope", DEFAULT_OIDC_SCOPE),
            "oauth_pkce_enabled": True,
            "groups_claim": entry.text("groups_claim", DEFAULT_GROUPS_CLAIM),
            "mfa_amr": entry.strings("mfa_amr", DEFAULT_MFA_AMR),
        },
    }


def _saml_idp(entry: _Entry) -> dict[str, Any]:
    idp: dict[str, Any] = {"entity_id": entry.text("entity_id")}
    if "metadata_url" in entry.raw:
        if "sso_url" in entry.raw:
            raise ImproperlyConfigured(f"{entry.where}: give metadata_url or sso_url, not both")
        idp["metadata_url"] = entry.url("metadata_url")
        return idp
    if "sso_url" not in entry.raw:
        raise ImproperlyConfigured(
            f"{entry.where}: metadata_url, or sso_url with x509cert (or x509cert_file), is required"
        )
    idp["sso_url"] = entry.url("sso_url")
    idp["x509cert"] = entry.secret("x509cert", required=True)
    return idp


def saml_app(entry: _Entry) -> dict[str, Any]:
    mapping = entry.raw.get("attribute_mapping", {})
    if not isinstance(mapping, dict):
        raise ImproperlyConfigured(f"{entry.where}: attribute_mapping must be an object")
    advanced: dict[str, Any] = {
        "want_assertion_signed": entry.flag("want_assertion_signed", True),
        "want_message_signed": entry.flag("want_message_signed", False),
        "reject_idp_initiated_sso": not entry.flag("allow_idp_initiated", False),
    }
    certificate = entry.secret("sp_x509cert", required=False)
    key = entry.secret("sp_private_key", required=False)
    if (certificate is None) != (key is None):
        raise ImproperlyConfigured(f"{entry.where}: sp_x509cert and sp_private_key go together")
    if certificate is not None:
        advanced |= {"x509cert": certificate, "private_key": key}
    if entry.flag("sign_requests", False):
        if key is None:
            raise ImproperlyConfigured(f"{entry.where}: sign_requests needs sp_private_key")
        advanced["authn_request_signed"] = True
    settings: dict[str, Any] = {
        "idp": _saml_idp(entry),
        "attribute_mapping": DEFAULT_SAML_ATTRIBUTES | mapping,
        "advanced": advanced,
        "groups_attribute": entry.text("groups_attribute", DEFAULT_GROUPS_ATTRIBUTE),
        "mfa_authn_context": entry.strings("mfa_authn_context", DEFAULT_MFA_AUTHN_CONTEXT),
        "mfa_attribute": entry.text("mfa_attribute", DEFAULT_MFA_ATTRIBUTE),
    }
    if "sp_entity_id" in entry.raw:
        settings["sp"] = {"entity_id": entry.text("sp_entity_id")}
    # client_id is the "organization slug" in allauth's SAML URLs: /konto/saml/<id>/acs/.
    return {
        "provider_id": entry.id,
        "name": entry.text("name"),
        "client_id": entry.id,
        "settings": settings,
    }


def build_socialaccount_providers(
    oidc: str | None, saml: str | None, *, read_file: Callable[[str], str]
) -> dict[str, Any]:
    """``SOCIALACCOUNT_PROVIDERS`` for the JSON texts of ``KIM_OIDC_PROVIDERS`` and
    ``KIM_SAML_PROVIDERS`` (either may be empty). Apps made in the admin site come on top.
    ``read_file`` reads the files named by ``*_file`` keys (``kim/settings.py`` passes its own
    reader: secrets are read before Django starts)."""
    oidc_apps = [
        oidc_app(_Entry("KIM_OIDC_PROVIDERS", n, raw, OIDC_KEYS, read_file))
        for n, raw in enumerate(_load("KIM_OIDC_PROVIDERS", oidc), start=1)
    ]
    saml_apps = [
        saml_app(_Entry("KIM_SAML_PROVIDERS", n, raw, SAML_KEYS, read_file))
        for n, raw in enumerate(_load("KIM_SAML_PROVIDERS", saml), start=1)
    ]
    seen: set[str] = set()
    for app in oidc_apps + saml_apps:
        if app["provider_id"] in seen:
            raise ImproperlyConfigured(
                f"identity provider id {app['provider_id']!r} is used twice in "
                "KIM_OIDC_PROVIDERS / KIM_SAML_PROVIDERS; each id must be unique"
            )
        seen.add(app["provider_id"])
    return {
        "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": oidc_apps},
        "saml": {"provider_class": "kim.accounts.idp.SAMLProvider", "APPS": saml_apps},
    }
