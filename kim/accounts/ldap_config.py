"""django-auth-ldap settings from KIM's LDAP/Active Directory settings (issue 15, D-070).

A pure function without models, so ``kim/settings.py`` can call it at start-up and the tests
can build the same settings for their own slapd. Bad values fail loudly
(``ImproperlyConfigured``), like every other setting.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

GROUP_TYPES = ("groupOfNames", "activedirectory")
DEFAULT_USER_FILTER = "(uid=%(user)s)"
# First name, last name and e-mail come from the directory at every login.
USER_ATTR_MAP = {"first_name": "givenName", "last_name": "sn", "email": "mail"}
NETWORK_TIMEOUT_SECONDS = 5


def build_ldap_settings(
    *,
    uri: str,
    bind_dn: str = "",
    bind_password: str = "",
    user_search_base: str = "",
    user_filter: str = DEFAULT_USER_FILTER,
    group_search_base: str = "",
    group_type: str = "groupOfNames",
    start_tls: bool = False,
) -> dict[str, Any]:
    """The ``AUTH_LDAP_*`` settings for ``kim.accounts.ldap.DirectoryBackend``.

    1. The user is found by ``user_filter`` under ``user_search_base`` (bound as ``bind_dn``,
       anonymous when empty), then bound with the password typed into the login form.
    2. Groups: ``groupOfNames`` entries with ``member`` (OpenLDAP) or Active Directory groups
       (nested groups resolved), searched under ``group_search_base``. Without a base no group
       is read, so no mapping applies (locally granted roles still work).
    """
    import ldap
    from django_auth_ldap.config import (
        GroupOfNamesType,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
    )

    if not uri.startswith(("ldap://", "ldaps://", "ldapi://")):
        raise ImproperlyConfigured(f"KIM_LDAP_URI must start with ldap:// or ldaps://, not {uri!r}")
    if not user_search_base:
        raise ImproperlyConfigured("KIM_LDAP_USER_SEARCH_BASE is required with KIM_LDAP_URI")
    if "%(user)s" not in user_filter:
        raise ImproperlyConfigured(
            f"KIM_LDAP_USER_FILTER must contain %(user)s, e.g. {DEFAULT_USER_FILTER}, "
            f"not {user_filter!r}"
        )
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(
            f"KIM_LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, not {group_type!r}"
        )
    active_directory = group_type == "activedirectory"
    options: dict[Any, Any] = {ldap.OPT_NETWORK_TIMEOUT: NETWORK_TIMEOUT_SECONDS}
    if active_directory:
        # AD answers searches at the domain root with referrals python-ldap cannot follow.
        options[ldap.OPT_REFERRALS] = 0
    result: dict[str, Any] = {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_search_base, ldap.SCOPE_SUBTREE, user_filter),
        "AUTH_LDAP_USER_ATTR_MAP": dict(USER_ATTR_MAP),
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        # Groups are read fresh at every login: leaving a group must end the role at once.
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "AUTH_LDAP_FIND_GROUP_PERMS": False,
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_GROUP_TYPE": (
            NestedActiveDirectoryGroupType() if active_directory else GroupOfNamesType()
        ),
        "AUTH_LDAP_GROUP_SEARCH": None,
    }
    if group_search_base:
        object_class = "group" if active_directory else "groupOfNames"
        result["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(
            group_search_base, ldap.SCOPE_SUBTREE, f"(objectClass={object_class})"
        )
    return result
