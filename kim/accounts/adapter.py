from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kim.core import metrics
from kim.core.crypto import decrypt_text, encrypt_text


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, never by self-service sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Count failed logins per account only. allauth prefixes the site's domain, which
        without ``django.contrib.sites`` is the request's ``Host`` – port included, and Django
        checks ``ALLOWED_HOSTS`` without the port: each ``Host: name:<port>`` (or each node
        addressed by its own name) would open a fresh budget of guesses for the same account.
        KIM-Plattform is one site, so the user name alone is the key (decisions D-064)."""
        login = str(credentials.get("email", credentials.get("username", "")))
        return f"login:{login.lower()}"

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """A correct local password refused by ``KIM_LOCAL_LOGIN=admins-only`` says why,
        next to the form; any other failure keeps allauth's neutral message."""
        from kim.accounts.backends import REFUSED_FLAG

        super().authentication_failed(request, **credentials)
        if getattr(request, REFUSED_FLAG, False):
            raise ValidationError(
                _(
                    "Sign-in with a local password is switched off for your account. Please "
                    "sign in with your directory account (the user name and password of your "
                    "municipality) or with your organisation's sign-in button."
                )
            )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth's failed-login limit (ACCOUNT_RATE_LIMITS["login_failed"]); a refusal is
        counted in the metrics, so a locked account or address shows on the dashboard."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            metrics.LOGIN_RATE_LIMITED.inc()
            raise


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and the recovery codes' seed are encrypted with the field keys before
    allauth stores them (``Authenticator.data``); a copy of the database alone no longer lets
    anyone produce a valid second factor (issue 15, decisions D-068)."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)
