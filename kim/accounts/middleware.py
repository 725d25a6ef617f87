"""Require MFA for every role that can see personal data (``KIM_REQUIRE_MFA``): any second
factor counts (``has_second_factor``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kim.accounts.access import has_second_factor, user_context

# Pages with forms that lead to an identity provider (login, re-authentication, the provider's
# own confirmation page and connections): allauth's, all under /konto/.
IDP_FORM_PREFIX = "/konto/"

# Paths a user without MFA may still reach: the MFA set-up itself, logout, health, static,
# the public OParl interface and the public directory page (anonymous by design; a session
# cookie must not divert them).
EXEMPT_PREFIXES = ("/konto/", "/static/", "/healthz", "/i18n/", "/oparl/", "/hilfenetz/")


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.KIM_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and user_context(request).needs_mfa
            and not has_second_factor(request)
        ):
            messages.warning(
                request,
                _(
                    "Your role gives access to personal data. Please set up two-factor "
                    "authentication before you continue."
                ),
            )
            # The overview lets them choose: an authenticator app or a passkey / security key.
            return redirect("mfa_index")
        return self.get_response(request)


class IdpFormActionMiddleware:
    """Lets the sign-in buttons reach the identity providers under the strict CSP.

    A button posts to KIM-Plattform, which redirects to the IdP; browsers check that redirect
    against the page's ``form-action`` too. On pages under ``/konto/`` the origins of the
    configured providers (environment and admin site) are added to ``form-action``; every
    other page keeps ``'self'`` (D-073). Sits after ``ContentSecurityPolicyMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(IDP_FORM_PREFIX) or hasattr(response, "_csp_config"):
            return response
        if "html" not in response.get("Content-Type", ""):
            return response
        from kim.accounts.idp import idp_origins

        origins = idp_origins(request)
        if origins:
            policy: dict[str, Any] = dict(settings.SECURE_CSP)
            policy["form-action"] = [*policy.get("form-action", []), *origins]
            response._csp_config = policy  # type: ignore[attr-defined]
        return response
