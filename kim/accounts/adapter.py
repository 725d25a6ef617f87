from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email, user_username
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
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

    def post_login(
        self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> HttpResponse:
        """After every sign-in through an identity provider – first or later – apply the
        groups it reported and its MFA assertion (``kim.accounts.idp``, D-073)."""
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            from kim.accounts.idp import after_idp_login

            after_idp_login(request, user, sociallogin)  # type: ignore[arg-type]
        return super().post_login(request, user, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through OpenID Connect / SAML identity providers (D-073).

    Someone the IdP vouches for gets an account at the first sign-in (no sign-up form), named
    after the IdP's user name (``preferred_username`` / ``uid``; made unique by allauth when
    taken). A local account with a usable password is never reached through an IdP, neither
    by user name nor by e-mail: such a login is refused, like the directory's (D-070).
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> AbstractBaseUser:
        user = super().populate_user(request, sociallogin, data)
        user_username(user, (data.get("username") or "").strip()[:150])
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            return
        user = sociallogin.user
        username, email = user_username(user) or "", user_email(user) or ""
        clash = Q(pk__in=[])
        if username:
            clash |= Q(username__iexact=username)
        if email:
            clash |= Q(email__iexact=email)
        others = list(get_user_model().objects.filter(clash))
        if any(other.has_usable_password() for other in others):
            self._refuse(request, sociallogin, username)
        if email and any(other.email.lower() == email.lower() for other in others):
            # The address belongs to another IdP or directory account: keep it on the user,
            # but do not let allauth turn the clash into a sign-up form.
            sociallogin.email_addresses = []

    def _refuse(self, request: HttpRequest, sociallogin: SocialLogin, username: str) -> None:
        from kim.accounts.idp import source_label

        record(
            EventType.LOGIN_FAILED,
            actor=None,
            subject_type="auth.user",
            extra={
                "username": username[:150],
                "source": source_label(sociallogin),
                "reason": "local_account",
            },
        )
        messages.error(
            request,
            _(
                "This identity provider account matches a local account of KIM-Plattform, "
                "which cannot be taken over this way. Please sign in with your local password "
                "or ask your administrator to link the accounts."
            ),
        )
        raise ImmediateHttpResponse(redirect("account_login"))

    @transaction.atomic
    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None
    ) -> AbstractBaseUser:
        from kim.accounts.idp import source_label

        user = super().save_user(request, sociallogin, form)
        record(
            EventType.DIRECTORY_USER_CREATED,
            actor=None,
            subject_type="auth.user",
            subject_code=str(user.pk),
            extra={"source": source_label(sociallogin)},
        )
        return user


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and the recovery codes' seed are encrypted with the field keys before
    allauth stores them (``Authenticator.data``); a copy of the database alone no longer lets
    anyone produce a valid second factor (issue 15, decisions D-068)."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)
