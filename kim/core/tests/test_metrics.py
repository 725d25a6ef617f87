"""/metrics: Prometheus text for the IT centre's monitoring, behind a bearer token.

Without the token, with a wrong one, and when no token is configured, /metrics does not exist
(404, like any unknown page). The tests read counters before and after, because the
process-wide registry keeps counting across tests.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from kim.audit.models import ChainHead, EventType
from kim.audit.record import record
from kim.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789abcdef"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
NAMES = {
    "kim_http_request_duration_seconds",
    "kim_http_responses",
    "kim_login_failures",
    "kim_login_rate_limited",
    "kim_task_queue_depth",
    "kim_task_queue_oldest_age_seconds",
    "kim_audit_events",
    "kim_workers_alive",
}


def _scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with override_settings(KIM_METRICS_TOKEN=TOKEN):
        response = client.get("/metrics", **AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize(
    ("configured", "header"),
    [
        ("", {}),
        ("", {"HTTP_AUTHORIZATION": "Bearer "}),
        (TOKEN, {}),
        (TOKEN, {"HTTP_AUTHORIZATION": TOKEN}),
        (TOKEN, {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"}),
        (TOKEN, {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"}),
    ],
)
def test_without_the_right_token_there_is_no_metrics_page(
    client: Client, configured: str, header: dict[str, str]
) -> None:
    with override_settings(KIM_METRICS_TOKEN=configured):
        response = client.get("/metrics", **header)
        assert response.status_code == 404
        assert "kim_" not in response.content.decode()
        # The same request with the right token gets through (unless none is configured).
        right = client.get("/metrics", **AUTH)
    assert right.status_code == (200 if configured else 404)


def test_not_even_a_signed_in_administrator_sees_metrics_without_the_token(login_as) -> None:
    with override_settings(KIM_METRICS_TOKEN=TOKEN):
        assert login_as("admin").get("/metrics").status_code == 404


def test_the_body_is_prometheus_text_with_every_metric(client: Client) -> None:
    with override_settings(KIM_METRICS_TOKEN=TOKEN):
        response = client.get("/metrics", **AUTH)
    families = {f.name for f in text_string_to_metric_families(response.content.decode())}
    assert families >= NAMES
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_request_is_counted_under_its_view_name_and_status(client: Client) -> None:
    before = _scrape(client)
    assert client.get("/favicon.ico").status_code == 302
    assert client.get("/gibt-es-nicht/").status_code == 404
    after = _scrape(client)

    count = "kim_http_request_duration_seconds_count"
    assert _value(after, count, view="favicon") == _value(before, count, view="favicon") + 1
    assert _value(after, count, view="unresolved") == _value(before, count, view="unresolved") + 1
    # Every histogram sample lies in the +Inf bucket and the sum of seconds grew.
    bucket = "kim_http_request_duration_seconds_bucket"
    assert _value(after, bucket, view="favicon", le="+Inf") == _value(after, count, view="favicon")
    total = "kim_http_request_duration_seconds_sum"
    assert _value(after, total, view="favicon") > _value(before, total, view="favicon")
    responses = "kim_http_responses_total"
    for status in ("302", "404"):
        assert (
            _value(after, responses, status=status) >= _value(before, responses, status=status) + 1
        )


def test_a_failed_login_is_counted(client: Client) -> None:
    before = _scrape(client)
    response = client.post("/konto/login/", {"login": "siegen", "password": "falsch-geraten"})
    assert response.status_code == 200
    after = _scrape(client)
    assert (
        _value(after, "kim_login_failures_total") == _value(before, "kim_login_failures_total") + 1
    )
    assert _value(after, "kim_login_rate_limited_total") == _value(
        before, "kim_login_rate_limited_total"
    )


def test_a_login_refused_by_the_account_limit_is_counted(client: Client) -> None:
    for _ in range(5):
        client.post("/konto/login/", {"login": "rat", "password": "falsch"})
    before = _scrape(client)
    client.post("/konto/login/", {"login": "rat", "password": "demo"})
    after = _scrape(client)
    limited = "kim_login_rate_limited_total"
    assert _value(after, limited) == _value(before, limited) + 1
    assert "_auth_user_id" not in client.session


def _queued(age: dt.timedelta, status: str = "READY") -> DBTaskResult:
    row = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kim.core.tests.test_metrics.nothing",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(id=row.id).update(enqueued_at=timezone.now() - age)
    return row


def test_queue_depth_and_oldest_age_follow_the_queued_tasks(client: Client) -> None:
    empty = _scrape(client)
    assert _value(empty, "kim_task_queue_depth") == 0
    assert _value(empty, "kim_task_queue_oldest_age_seconds") == 0

    _queued(dt.timedelta(minutes=10))
    _queued(dt.timedelta(seconds=30))
    _queued(dt.timedelta(hours=2), status="RUNNING")  # taken by a worker: not waiting
    _queued(dt.timedelta(hours=3), status="SUCCESSFUL")
    queued = _scrape(client)
    assert _value(queued, "kim_task_queue_depth") == 2
    assert 600 <= _value(queued, "kim_task_queue_oldest_age_seconds") < 660


def test_audit_events_are_read_from_the_chain(client: Client) -> None:
    before = _scrape(client)
    assert _value(before, "kim_audit_events_total") == ChainHead.objects.get().count
    siegen = get_user_model().objects.get(username="siegen")
    record(EventType.LOGIN, actor=siegen, subject_type="auth.user", subject_code=str(siegen.pk))
    after = _scrape(client)
    assert _value(after, "kim_audit_events_total") == _value(before, "kim_audit_events_total") + 1


def test_live_workers_are_counted(client: Client) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="a", hostname="n1", pid=1, seen_at=now)
    WorkerHeartbeat.objects.create(
        worker_id="b", hostname="n2", pid=2, seen_at=now - dt.timedelta(seconds=30)
    )
    WorkerHeartbeat.objects.create(
        worker_id="c", hostname="n3", pid=3, seen_at=now - dt.timedelta(minutes=5)
    )
    samples = _scrape(client)
    assert _value(samples, "kim_workers_alive") == 2


def test_a_short_metrics_token_is_refused_at_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIM_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-m", "kim", "check"],
        cwd=Path(__file__).resolve().parents[3],
        env={**env, "KIM_METRICS_TOKEN": "geheim"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "KIM_METRICS_TOKEN must be at least 32 characters" in result.stderr
