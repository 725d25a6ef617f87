"""A database or a cache that goes away under a running node (issue 16, D-078, D-079).

The database: every request during the outage gets a German 503 page (never the general
error page, never a traceback), and the node serves again as soon as the database is back.
The cache (Redis): pages keep working – sessions are in the database – and sign-in fails
closed with a German message, because the failed-login limit cannot be counted.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.test import Client, override_settings
from django.utils import translation

from kim.core import outages
from kim.core.outages import CACHE, DATABASE, outage_of

# Nothing listens on port 1: connections are refused at once.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _german(text: Any) -> str:
    with translation.override("de"):
        return html.escape(translation.gettext(str(text)))


@contextmanager
def _database_away(tmp_path: Path) -> Iterator[None]:
    """Point the connection at a database that is not there – a SQLite file in a missing
    folder, a PostgreSQL port nobody listens on – and back again afterwards."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "missing" / "kim.sqlite3")
    else:
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", "1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_only_connection_failures_count_as_outages() -> None:
    import redis.exceptions

    assert outage_of(OperationalError("server closed the connection")) == DATABASE
    assert outage_of(InterfaceError("connection already closed")) == DATABASE
    # Raised unwrapped by code on the driver's cursor (the row-level-security scope's reset
    # after the view's answer) – seen by benchmarks/faults.py as a 500 during a restart.
    assert outage_of(connection.Database.OperationalError("the connection is closed")) == DATABASE
    assert outage_of(connection.Database.InterfaceError("connection already closed")) == DATABASE
    assert outage_of(redis.exceptions.ConnectionError("refused")) == CACHE
    try:
        try:
            raise OperationalError("terminating connection due to administrator command")
        except OperationalError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as wrapped:
        assert outage_of(wrapped) == DATABASE
    # A bug stays a bug: the general 500 page.
    assert outage_of(ValueError("a bug")) is None
    assert outage_of(None) is None


@pytest.mark.sqlite_too
def test_a_request_while_the_database_is_away_gets_the_german_503_page(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    """A signed-in browser's next request needs its session from the database."""
    browser = Client(raise_request_exception=False)
    browser.cookies["sessionid"] = "x" * 32
    with django_db_blocker.unblock():
        with _database_away(tmp_path):
            away = browser.get("/fallmanagement/", HTTP_ACCEPT_LANGUAGE="de")
            posted = browser.post("/konto/login/", {"login": "cm-siegen", "password": "demo"})

        back = browser.get("/fallmanagement/", HTTP_ACCEPT_LANGUAGE="de")

    for response in (away, posted):
        assert response.status_code == 503
        assert response["Retry-After"] == str(outages.RETRY_AFTER)
        text = response.content.decode()
        assert _german("The database is not reachable at the moment") in text
        assert "nichts wurde gespeichert" in text
        assert "Traceback" not in text and "OperationalError" not in text
    # The database is back: the same node answers the same browser at once (the unknown
    # session is simply signed out).
    assert back.status_code == 302 and "/konto/login/" in back["Location"]


@pytest.mark.skipif(not POSTGRES, reason="persistent connections exist on PostgreSQL only")
@pytest.mark.sqlite_too
def test_a_connection_the_database_dropped_is_replaced_at_the_next_request(
    django_db_blocker: Any,
) -> None:
    """A database restart ends every connection. ``CONN_HEALTH_CHECKS``: the next request
    notices its persistent connection is dead and opens a new one – no failed request."""
    import psycopg

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    with django_db_blocker.unblock():
        connection.close()
        close_old_connections()
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        with psycopg.connect(
            **{k: v for k, v in params.items() if k in ("host", "port", "user", "password")},
            dbname=connection.settings_dict["NAME"],
            autocommit=True,
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

        close_old_connections()  # what every request starts with (request_started)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert connection.connection.info.backend_pid != pid
        connection.close()


@pytest.mark.django_db
def test_pages_keep_working_while_the_cache_is_away(login_as: Any) -> None:
    browser = login_as("cm-siegen")
    with override_settings(CACHES=UNREACHABLE_REDIS):
        for path in ("/", "/fallmanagement/", "/konto/sitzungen/"):
            assert browser.get(path).status_code == 200, path
        assert browser.get("/healthz").status_code == 503  # and the health check says so


@pytest.mark.django_db
def test_sign_in_fails_closed_with_a_german_message_while_the_cache_is_away() -> None:
    """The failed-login limit lives in the cache: without it, nobody signs in (D-079)."""
    browser = Client(raise_request_exception=False)
    login = {"login": "cm-siegen", "password": "demo"}
    with override_settings(CACHES=UNREACHABLE_REDIS):
        form = browser.get("/konto/login/", HTTP_ACCEPT_LANGUAGE="de")
        refused = browser.post("/konto/login/", login, HTTP_ACCEPT_LANGUAGE="de")

    assert form.status_code == 200  # the sign-in page itself is shown
    assert refused.status_code == 503
    text = refused.content.decode()
    assert _german("Sign-in is not possible at the moment") in text
    assert "nicht erreichbar" in text
    assert "_auth_user_id" not in browser.session
    # The cache is back: the same sign-in succeeds.
    signed_in = browser.post("/konto/login/", login)
    assert signed_in.status_code == 302
    user = get_user_model().objects.get(username="cm-siegen")
    assert browser.session["_auth_user_id"] == str(user.pk)
