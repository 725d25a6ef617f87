"""Authentication backends: local passwords (with ``KIM_LOCAL_LOGIN``) and the directory.

- ``LocalPasswordBackend`` is allauth's username/password backend with one rule added: with
  ``KIM_LOCAL_LOGIN=admins-only`` a correct local password only signs in superusers and
  holders of the administrator role; everyone else signs in through the directory or an
  identity provider (decisions D-070).
- ``DirectoryBackend`` (LDAP / Active Directory, django-auth-ldap) binds with the user's own
  credentials, copies names and e-mail from the directory and applies the group mappings at
  every login (``kim.accounts.sso.apply_group_mappings``, D-069).
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend, _LDAPUser

from kim.accounts.models import Membership, Role
from kim.accounts.sso import apply_group_mappings
from kim.audit.models import EventType
from kim.audit.record import record

LOCAL_LOGIN_CHOICES = ("all", "admins-only")
# Set on the request when a correct local password was refused by KIM_LOCAL_LOGIN, so the
# login form can say why (kim.accounts.adapter.AccountAdapter.authentication_failed).
REFUSED_FLAG = "_kim_local_login_refused"


def local_login_allowed(user: AbstractBaseUser) -> bool:
    """May this account sign in with a local password under ``KIM_LOCAL_LOGIN``?"""
    if settings.KIM_LOCAL_LOGIN == "all":
        return True
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.active().filter(user_id=user.pk, role=Role.ADMINISTRATOR).exists()


class LocalPasswordBackend(AuthenticationBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, **credentials: Any
    ) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        if user is not None and not local_login_allowed(user):
            if request is not None:
                setattr(request, REFUSED_FLAG, True)
            return None
        return user


class DirectoryBackend(LDAPBackend):  # type: ignore[misc]
    """LDAP / Active Directory login; settings from ``kim.accounts.ldap_config``."""

    def get_or_build_user(self, username: str, ldap_user: _LDAPUser) -> tuple[Any, bool]:
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and user.has_usable_password():
            # A local account of the same name (e.g. an administrator's) must never be taken
            # over by whoever holds that name in the directory. To move a local account to
            # the directory, an administrator first makes its password unusable.
            raise ldap_user.AuthenticationFailed(
                f"{username} is a local account with a password; directory login refused"
            )
        ldap_user._kim_built = built
        return user, built

    def authenticate_ldap_user(
        self, ldap_user: _LDAPUser, password: str
    ) -> AbstractBaseUser | None:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        if getattr(ldap_user, "_kim_built", False):
            record(
                EventType.DIRECTORY_USER_CREATED,
                actor=None,
                subject_type="auth.user",
                subject_code=str(user.pk),
                extra={"source": "ldap"},
            )
        groups = set(ldap_user.group_names) | set(ldap_user.group_dns)
        apply_group_mappings(user, groups, source="ldap")  # type: ignore[arg-type]
        return user
