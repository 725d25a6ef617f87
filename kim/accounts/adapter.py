from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from kim.core import metrics


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, never by self-service sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth's failed-login limit (ACCOUNT_RATE_LIMITS["login_failed"]); a refusal is
        counted in the metrics, so a locked account or address shows on the dashboard."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            metrics.LOGIN_RATE_LIMITED.inc()
            raise
