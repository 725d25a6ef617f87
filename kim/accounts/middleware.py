"""Require MFA for every role that can see personal data (``KIM_REQUIRE_MFA``): any second
factor counts (``has_second_factor``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kim.accounts.access import has_second_factor, user_context

# Paths a user without MFA may still reach: the MFA set-up itself, logout, health, static,
# and the public OParl interface (anonymous by design; a session cookie must not divert it).
EXEMPT_PREFIXES = ("/konto/", "/static/", "/healthz", "/i18n/", "/oparl/")


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
