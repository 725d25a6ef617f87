"""Users, groups and ``amr`` of the test OpenID Connect provider, from users.json."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import User
from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.idp.common import read_users


class UsersFileBackend(BaseBackend):
    """Passwords from users.json; the Django user exists for django-oauth-toolkit's rows."""

    def authenticate(self, request: Any, username: str = "", password: str = "", **kw: Any) -> Any:
        entry = read_users(settings.FOLDER).get(username)
        if entry is None or entry["password"] != password:
            return None
        user, _ = User.objects.get_or_create(username=username)
        return user

    def get_user(self, user_id: int) -> Any:
        return User.objects.filter(pk=user_id).first()


class Validator(OAuth2Validator):
    # Every claim below goes into ID token and userinfo, whatever the scope.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        name = request.user.username
        entry = read_users(settings.FOLDER)[name]
        return {
            "preferred_username": name,
            "given_name": entry["given_name"],
            "family_name": entry["family_name"],
            "name": f"{entry['given_name']} {entry['family_name']}",
            "email": entry["email"],
            "email_verified": True,
            "groups": entry["groups"],
            "amr": entry["amr"],
        }
