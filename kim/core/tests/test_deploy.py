"""`kim deploy check`: every check passes on a well-configured node, and each one fails – alone,
naming the cause – when its part of the installation is broken (issue 14 § Operations)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from kim.core import crypto
from kim.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

# What production sets (kim/settings.py with KIM_ENV=production): Django's deploy checks are
# clean with it. Silenced here: kim.W001 depends on a Debian package (libharfbuzz-subset0), and
# async.E001 on DJANGO_ALLOW_ASYNC_UNSAFE, which the root conftest sets for the browser tests.
PRODUCTION_LIKE = {
    "KIM_ENV": "production",
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SILENCED_SYSTEM_CHECKS": ["security.W021", "kim.W001", "async.E001"],
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}},
}


@pytest.fixture
def healthy() -> Iterator[None]:
    """A node as production runs it: deploy settings, and a worker that reported just now."""
    WorkerHeartbeat.objects.create(
        worker_id="w-1", hostname="node-1", pid=4711, seen_at=timezone.now()
    )
    with override_settings(**PRODUCTION_LIKE):
        yield


def deploy_check(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("deploy", "check", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def checks_by_name(output: str) -> dict[str, dict[str, Any]]:
    report = json.loads(output)
    assert set(report) == {"ok", "checks"}
    assert all(set(c) == {"name", "ok", "detail"} for c in report["checks"])
    return {c["name"]: c for c in report["checks"]}


def failing(output: str) -> list[str]:
    return [name for name, c in checks_by_name(output).items() if not c["ok"]]


ALL = [
    "database",
    "migrations",
    "cache",
    "storage",
    "field_keys",
    "worker",
    "django_checks",
    "row_level_security",
]


def test_every_check_passes_on_a_healthy_node(healthy: None) -> None:
    code, output = deploy_check("--format", "json")
    assert code == 0, output
    report = json.loads(output)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == ALL
    checks = checks_by_name(output)
    # The demo world holds encrypted client data: a real stored value was decrypted.
    assert "stored values decrypt: " in checks["field_keys"]["detail"]
    assert "cases.Person." in checks["field_keys"]["detail"]


def test_text_output_has_one_line_per_check(healthy: None) -> None:
    code, output = deploy_check()
    lines = output.strip().splitlines()
    assert code == 0
    assert [line.split(":")[0] for line in lines] == [f"✓ {name}" for name in ALL]


def test_check_leaves_nothing_behind_in_cache_or_storage(healthy: None, tmp_path: Any) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        assert deploy_check()[0] == 0
    assert list(tmp_path.rglob("*.bin")) == []


def test_no_worker_heartbeat_fails_only_the_worker_check(healthy: None) -> None:
    WorkerHeartbeat.objects.all().delete()
    code, output = deploy_check("--format", "json")
    assert code == 1
    assert failing(output) == ["worker"]
    assert "no worker has ever reported" in checks_by_name(output)["worker"]["detail"]
    assert json.loads(output)["ok"] is False


def test_a_stale_heartbeat_fails_the_worker_check(healthy: None) -> None:
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=3))
    code, output = deploy_check("--format", "json")
    assert code == 1 and failing(output) == ["worker"]
    assert "limit 120 s" in checks_by_name(output)["worker"]["detail"]


def test_an_unapplied_migration_fails_the_migrations_check(healthy: None) -> None:
    migration = mock.Mock(app_label="cases", spec=["app_label", "name"])
    migration.name = "0099_future"
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        return_value=[(migration, False)],
    ):
        code, output = deploy_check("--format", "json")
    assert code == 1 and failing(output) == ["migrations"]
    assert "1 unapplied: cases.0099_future" in checks_by_name(output)["migrations"]["detail"]


def test_unwritable_storage_fails_the_storage_check(healthy: None) -> None:
    with mock.patch(
        "django.core.files.storage.FileSystemStorage._save",
        side_effect=PermissionError("[Errno 13] Permission denied: '/srv/kim/media'"),
    ):
        code, output = deploy_check("--format", "json")
    assert code == 1 and failing(output) == ["storage"]
    assert "PermissionError" in checks_by_name(output)["storage"]["detail"]


def test_unreadable_storage_fails_the_storage_check(healthy: None) -> None:
    with mock.patch(
        "django.core.files.storage.FileSystemStorage._open",
        side_effect=OSError("Input/output error"),
    ):
        code, output = deploy_check("--format", "json")
    assert code == 1 and failing(output) == ["storage"]


def test_a_dead_cache_fails_the_cache_check(healthy: None) -> None:
    with mock.patch(
        "django.core.cache.backends.locmem.LocMemCache.set",
        side_effect=ConnectionError("Error 111 connecting to 127.0.0.1:6392"),
    ):
        code, output = deploy_check("--format", "json")
    assert code == 1 and failing(output) == ["cache"]
    assert "Error 111" in checks_by_name(output)["cache"]["detail"]


def test_a_wrong_field_key_fails_although_the_round_trip_works(healthy: None) -> None:
    """A new key encrypts and decrypts a sample fine; only a stored value shows it is wrong."""
    with override_settings(KIM_FIELD_KEYS=[crypto.generate_key()]):
        code, output = deploy_check("--format", "json")
    assert code == 1 and failing(output) == ["field_keys"]
    detail = checks_by_name(output)["field_keys"]["detail"]
    assert "does not decrypt with the 1 configured key(s)" in detail
    assert "KIM_FIELD_KEYS" in detail


def test_the_key_check_never_shows_a_value_or_a_key(healthy: None) -> None:
    from kim.cases.models import Person

    person = Person.objects.order_by("pk").first()
    assert person is not None
    wrong = crypto.generate_key()
    with override_settings(KIM_FIELD_KEYS=[wrong]):
        _code, bad = deploy_check("--format", "json")
    _code, good = deploy_check("--format", "json")
    for output in (bad, good):
        assert str(person.first_name) not in output and str(person.last_name) not in output
        assert wrong not in output
        assert not any(key in output for key in crypto.field_keys())


def test_deploy_warnings_fail_the_django_check(healthy: None) -> None:
    with override_settings(DEBUG=True, SESSION_COOKIE_SECURE=False):
        code, output = deploy_check("--format", "json")
    assert code == 1 and failing(output) == ["django_checks"]
    detail = checks_by_name(output)["django_checks"]["detail"]
    assert "security.W012" in detail and "security.W018" in detail


def test_outside_production_only_the_standard_checks_count(healthy: None) -> None:
    """A demo node on loopback HTTP (make cluster) has no HTTPS settings by design."""
    with override_settings(
        KIM_ENV="demo",
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}},
    ):
        code, output = deploy_check("--format", "json")
    assert code == 0
    assert "KIM_ENV=demo" in checks_by_name(output)["django_checks"]["detail"]


def test_silenced_checks_do_not_fail(healthy: None) -> None:
    with override_settings(
        SESSION_COOKIE_SECURE=False,
        SILENCED_SYSTEM_CHECKS=[*PRODUCTION_LIKE["SILENCED_SYSTEM_CHECKS"], "security.W012"],
    ):
        assert deploy_check()[0] == 0


def test_a_dead_database_fails_without_hiding_the_other_checks(healthy: None) -> None:
    from django.db.utils import OperationalError

    with mock.patch.object(
        connection,
        "cursor",
        side_effect=OperationalError('connection to server at "10.0.0.5", port 5432 failed'),
    ):
        code, output = deploy_check("--format", "json")
    checks = checks_by_name(output)
    assert code == 1 and checks["database"]["ok"] is False
    assert "OperationalError: connection to server" in checks["database"]["detail"]
    assert checks["cache"]["ok"] and checks["storage"]["ok"] and checks["django_checks"]["ok"]
