"""Shared fixtures: the demo world (seeded once per test database) and persona clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

# Playwright's sync API runs an event loop; live_server tests need this (STACK-NOTES).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PERSONAS = (
    "koordination",
    "siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "teamlead-siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
)


_SYSTEM_ROLE_BY_DEFAULT = False


def _system_role_by_default(sender: object, connection: object, **kwargs: object) -> None:
    """PostgreSQL: the tests' own database work (fixtures, assertions) runs as the system role
    that row-level security does not bind, like system work in production; every request
    and job inside a test still declares its reader and sees only that reader's rows
    (kim/core/rls.py; kim/core/tests/test_rls.py shows a connection without a reader)."""
    from django.conf import settings
    from django.db.backends.base.base import NO_DB_ALIAS

    # Not while the test database is created and migrated (the login role owns the schema),
    # and not on the maintenance connection that creates and drops test databases.
    if (
        not _SYSTEM_ROLE_BY_DEFAULT
        or getattr(connection, "vendor", "") != "postgresql"
        or connection.alias == NO_DB_ALIAS  # type: ignore[attr-defined]
    ):
        return

    role = settings.KIM_DB_SYSTEM_ROLE
    with connection.connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT set_config('role', %s, false)", [role])
    connection.kim_default_role = role  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_system_role_by_default, dispatch_uid="kim.tests.system_role")


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploaded files (the demo's minutes, test uploads) go to a temporary folder, not var/."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Login rate limits and re-authentication counters live in the cache: no test may inherit
    another's (a lockout test would otherwise block later form logins of the same persona)."""
    from django.core.cache import cache

    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(  # type: ignore[misc]
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, _media_root: None
) -> None:
    """Seed the demo world once; every test runs in a transaction that is rolled back."""
    from kim.home.demo import seed_demo

    global _SYSTEM_ROLE_BY_DEFAULT
    from django.db import connection

    _SYSTEM_ROLE_BY_DEFAULT = True
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if connection.vendor == "postgresql":
            from django.conf import settings

            # Tests that create tables of their own (test models) do so as the system role.
            with connection.cursor() as cursor:
                cursor.execute(f'GRANT CREATE ON SCHEMA public TO "{settings.KIM_DB_SYSTEM_ROLE}"')
            _system_role_by_default(None, connection)
        seed_demo()


@pytest.fixture
def world(db: None) -> dict[str, object]:
    from kim.organisations.models import Organisation

    orgs = {o.short_name or o.name: o for o in Organisation.objects.all()}
    return orgs


@pytest.fixture
def login_as(db: None) -> Callable[[str], Client]:
    """A test client logged in as one persona (or any user name)."""

    def _login(username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login


@pytest.fixture
def stranger(db: None) -> Client:
    """The KIM coordinator of another Kreis (Olpe): must see nothing of Siegen-Wittgenstein."""
    from kim.accounts.actions import create_user, grant_role
    from kim.organisations.actions import create_organisation
    from kim.organisations.models import Organisation

    bra = Organisation.objects.get(name="Bezirksregierung Arnsberg")
    olpe = create_organisation(
        acting_user=None, kind="kreis", name="Kreis Olpe", ags="05966", parent=bra
    )
    town = create_organisation(
        acting_user=None, kind="kommune", name="Stadt Olpe", ags="05966024", parent=olpe
    )
    user = create_user(acting_user=None, username="fremd", password=None)
    grant_role(acting_user=None, user=user, organisation=town, role="kim_coordination")
    client = Client()
    client.force_login(user)
    return client
