"""Sign-in through OpenID Connect and SAML 2.0 identity providers (issue 15, D-073, D-074).

allauth's socialaccount runs the protocols; this module reads what an IdP reported at a login:
the groups (OIDC claim or SAML attribute, name per provider) and whether the IdP asserted a
second factor (OIDC ``amr``, SAML ``AuthnContextClassRef`` or Microsoft's
``authnmethodsreferences`` attribute). ``after_idp_login`` applies both at every IdP login,
for new and existing accounts alike (called from ``AccountAdapter.post_login``).

Per-provider keys live in the app's ``settings`` (from ``KIM_OIDC_PROVIDERS`` /
``KIM_SAML_PROVIDERS`` through ``kim.accounts.idp_config``, or typed into the admin site).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.saml.provider import SAMLProvider as AllauthSAMLProvider
from django.contrib.auth.models import User
from django.http import HttpRequest

from kim.accounts.access import IDP_MFA_SESSION_KEY
from kim.accounts.idp_config import (
    DEFAULT_GROUPS_ATTRIBUTE,
    DEFAULT_GROUPS_CLAIM,
    DEFAULT_MFA_AMR,
    DEFAULT_MFA_ATTRIBUTE,
    DEFAULT_MFA_AUTHN_CONTEXT,
)
from kim.accounts.sso import MappingResult, apply_group_mappings

# Where the SAML provider below keeps the assertion's AuthnContextClassRef values among the
# account's attributes (allauth keeps only the attributes otherwise).
AUTHN_CONTEXTS_KEY = "kim:authn_context_class_refs"
KINDS = {"openid_connect": "oidc", "saml": "saml"}


class SAMLProvider(AllauthSAMLProvider):
    """allauth's SAML provider, keeping the AuthnContextClassRef of the assertion as well
    (``SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]``)."""

    # allauth includes ``<package>.urls`` under /konto/: allauth's SAML URLs, not ours.
    package = "allauth.socialaccount.providers.saml"

    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        attributes = dict(super().extract_extra_data(data))
        attributes[AUTHN_CONTEXTS_KEY] = list(data.get_last_authn_contexts() or [])
        return attributes


def _settings(sociallogin: SocialLogin) -> dict[str, Any]:
    app = sociallogin.provider.app
    return dict(app.settings or {}) if app is not None else {}


def login_source(sociallogin: SocialLogin) -> str:
    """The provider's id: the ``source`` of group mappings and of the audit events
    (``SocialAccount.provider``: the app's ``provider_id``)."""
    return str(sociallogin.account.provider)


def source_label(sociallogin: SocialLogin) -> str:
    """``oidc:<id>`` or ``saml:<id>`` for audit events."""
    kind = KINDS.get(sociallogin.provider.id, sociallogin.provider.id)
    return f"{kind}:{login_source(sociallogin)}"


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None and not isinstance(v, dict)]
    return [str(value)]


def _oidc_claim(sociallogin: SocialLogin, name: str, *, id_token_first: bool) -> list[str]:
    """A claim from the userinfo answer or the ID token (whichever has it first)."""
    data = sociallogin.account.extra_data or {}
    sources = [data.get("id_token"), data.get("userinfo")]
    if not id_token_first:
        sources.reverse()
    for claims in sources:
        if isinstance(claims, dict) and name in claims:
            return _as_list(claims[name])
    return []


def reported_groups(sociallogin: SocialLogin) -> list[str]:
    """The groups the IdP reported at this login (claim or attribute named per provider)."""
    settings = _settings(sociallogin)
    if sociallogin.provider.id == "saml":
        attribute = settings.get("groups_attribute") or DEFAULT_GROUPS_ATTRIBUTE
        return _as_list((sociallogin.account.extra_data or {}).get(attribute))
    claim = settings.get("groups_claim") or DEFAULT_GROUPS_CLAIM
    return _oidc_claim(sociallogin, claim, id_token_first=False)


def asserted_mfa(sociallogin: SocialLogin) -> bool:
    """Whether the IdP says this login used a second factor, by the provider's own list:
    ``amr`` values (OIDC) or AuthnContextClassRef / ``mfa_attribute`` values (SAML)."""
    settings = _settings(sociallogin)
    if sociallogin.provider.id == "saml":
        wanted = set(_as_list(settings.get("mfa_authn_context", DEFAULT_MFA_AUTHN_CONTEXT)))
        data = sociallogin.account.extra_data or {}
        attribute = settings.get("mfa_attribute") or DEFAULT_MFA_ATTRIBUTE
        reported = _as_list(data.get(AUTHN_CONTEXTS_KEY)) + _as_list(data.get(attribute))
    else:
        wanted = set(_as_list(settings.get("mfa_amr", DEFAULT_MFA_AMR)))
        reported = _oidc_claim(sociallogin, "amr", id_token_first=True)
    return bool(wanted & set(reported))


def after_idp_login(request: HttpRequest, user: User, sociallogin: SocialLogin) -> MappingResult:
    """At every IdP login, once signed in: roles from the reported groups (D-069) and the
    session's MFA flag, set when the IdP asserted a second factor and removed otherwise."""
    if asserted_mfa(sociallogin):
        request.session[IDP_MFA_SESSION_KEY] = login_source(sociallogin)
    else:
        request.session.pop(IDP_MFA_SESSION_KEY, None)
    groups = reported_groups(sociallogin)
    return apply_group_mappings(user, groups, source=login_source(sociallogin))


def _origin(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def app_origin(app: SocialApp) -> str | None:
    """Where the browser goes to sign in at this IdP: the origin of the OIDC ``server_url``
    or of the SAML SSO / metadata URL (the SSO service sits on the metadata's host at ADFS,
    Entra ID and Keycloak)."""
    settings = app.settings or {}
    if app.provider == "saml":
        idp = settings.get("idp") or {}
        return _origin(idp.get("sso_url") or idp.get("metadata_url"))
    return _origin(settings.get("server_url"))


def idp_origins(request: HttpRequest) -> list[str]:
    """The origins of every configured IdP (environment and admin site), for the login
    pages' Content-Security-Policy: a form's redirect to the IdP counts as ``form-action``."""
    origins = {app_origin(app) for app in get_adapter().list_apps(request)}
    return sorted(o for o in origins if o)
