"""/healthz: database, cache, storage and a live worker; 200 only when all are ok.

A load balancer takes a node out of rotation on 503; the body names what failed and nothing
personal (no host names, no worker ids, no paths).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from kim.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

ALL_OK = {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"}
# Nothing listens on port 1: connections are refused at once.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def _heartbeat(age: dt.timedelta) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        worker_id="worker-1", hostname="kim-node-7", pid=4242, seen_at=timezone.now() - age
    )


@pytest.fixture
def worker() -> WorkerHeartbeat:
    return _heartbeat(dt.timedelta(seconds=5))


def test_all_ok_with_a_live_worker(client: Client, worker: WorkerHeartbeat, tmp_path: Path) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert response["Cache-Control"].startswith("max-age=0")
    # The storage probe cleans up after itself; the body names no host or process.
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert "kim-node-7" not in response.content.decode()
    assert "4242" not in response.content.decode()


def test_database_failure(client: Client, worker: WorkerHeartbeat) -> None:
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    # Without the database no heartbeat can be read either.
    assert response.json() == {**ALL_OK, "status": "error", "database": "error", "worker": "error"}


def test_cache_down(client: Client, worker: WorkerHeartbeat) -> None:
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "status": "error", "cache": "error"}


def test_storage_not_writable(client: Client, worker: WorkerHeartbeat, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    # Below a regular file nothing can be created, even by root.
    with override_settings(MEDIA_ROOT=blocker / "media"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "status": "error", "storage": "error"}


def test_no_worker_has_ever_reported(client: Client) -> None:
    assert not WorkerHeartbeat.objects.exists()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "status": "error", "worker": "missing"}


@pytest.mark.parametrize(("age", "status"), [(119, 200), (121, 503), (3600, 503)])
def test_a_worker_counts_while_its_heartbeat_is_younger_than_two_minutes(
    client: Client, age: int, status: int
) -> None:
    _heartbeat(dt.timedelta(seconds=age))
    response = client.get("/healthz")
    assert response.status_code == status
    assert response.json()["worker"] == ("ok" if status == 200 else "missing")


def test_only_get(client: Client, worker: WorkerHeartbeat) -> None:
    assert client.post("/healthz").status_code == 405
