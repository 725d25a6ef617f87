"""Prometheus metrics for ``/metrics`` (docs/architecture.md § Operations, D-059).

Counted in each process as things happen: request latency per view name, responses per status
code, failed logins, logins refused by the failed-login limit. Read from the database at scrape
time, so they are right whichever process or node did the work: the task queue (depth, age of
the oldest queued task), the audit trail (events written: the chain head's count) and the
workers alive.

gunicorn runs several worker processes; a scrape must sum them. ``kim/gunicorn_conf.py`` sets
``PROMETHEUS_MULTIPROC_DIR`` before the application is imported, so prometheus-client keeps the
counters in memory-mapped files there, one per process, and a scrape merges the files of all
processes of the node (dead ones included). Without the variable (runserver, tests, commands)
the counters live in this process's registry.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger("kim.metrics")

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if MULTIPROCESS_DIR:
    # A command started with the variable set must not fail for want of the directory.
    os.makedirs(MULTIPROCESS_DIR, exist_ok=True)

# Requests take from a few milliseconds (lists) to tens of seconds (big PDFs before they move
# to the worker); the buckets cover that range.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "kim_http_request_duration_seconds",
    "Time from the request reaching the application to its response, per view name "
    "(URL name; 'unresolved' for addresses no view answers, 'static' for static files).",
    ["view"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
RESPONSES = Counter(
    "kim_http_responses", "Responses by HTTP status code.", ["status"], registry=REGISTRY
)
LOGIN_FAILURES = Counter(
    "kim_login_failures", "Logins refused for a wrong user name or password.", registry=REGISTRY
)
LOGIN_RATE_LIMITED = Counter(
    "kim_login_rate_limited",
    "Logins refused by the failed-login limit (per account or per address) before the "
    "password was checked. The per-address limit on all attempts answers 429: "
    'kim_http_responses_total{status="429"}.',
    registry=REGISTRY,
)


def observe_request(view: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(view=view).observe(seconds)
    RESPONSES.labels(status=str(status)).inc()


class DatabaseCollector:
    """Gauges read from the database at scrape time (a few aggregate queries)."""

    def describe(self) -> Iterator[Metric]:
        yield from self._families()

    def collect(self) -> Iterator[Metric]:
        families = self._families()
        try:
            self._fill(*families)
        except Exception:
            # /healthz reports the database; the request metrics still get scraped.
            logger.warning("metrics: the database cannot be read", exc_info=True)
            return
        yield from families

    @staticmethod
    def _families() -> tuple[
        GaugeMetricFamily, GaugeMetricFamily, CounterMetricFamily, GaugeMetricFamily
    ]:
        return (
            GaugeMetricFamily(
                "kim_task_queue_depth", "Background tasks waiting for a worker (status READY)."
            ),
            GaugeMetricFamily(
                "kim_task_queue_oldest_age_seconds",
                "Seconds the oldest waiting background task has waited; 0 when none waits.",
            ),
            CounterMetricFamily(
                "kim_audit_events", "Audit events written to the hash chain, all nodes together."
            ),
            GaugeMetricFamily(
                "kim_workers_alive", "kim worker processes that reported within the last 2 minutes."
            ),
        )

    @staticmethod
    def _fill(
        depth: GaugeMetricFamily,
        oldest: GaugeMetricFamily,
        audit: CounterMetricFamily,
        workers: GaugeMetricFamily,
    ) -> None:
        # Imported here: the ground floor's audit app and the task queue's models load after
        # this module (kim.accounts imports it while the apps are being set up).
        from django.tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from kim.audit.models import ChainHead
        from kim.core.models import WorkerHeartbeat
        from kim.core.workers import ALIVE_SECONDS

        now = timezone.now()
        queue = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
            n=Count("id"), oldest=Min("enqueued_at")
        )
        depth.add_metric([], queue["n"])
        waited = (now - queue["oldest"]).total_seconds() if queue["oldest"] else 0.0
        oldest.add_metric([], max(0.0, waited))
        head = ChainHead.objects.filter(id=1).values_list("count", flat=True).first()
        audit.add_metric([], head or 0)
        alive = WorkerHeartbeat.objects.filter(
            seen_at__gt=now - dt.timedelta(seconds=ALIVE_SECONDS)
        ).count()
        workers.add_metric([], alive)


REGISTRY.register(DatabaseCollector())


def render() -> tuple[bytes, str]:
    """The scrape: this process's registry, or every gunicorn worker's files merged."""
    if MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
        registry.register(DatabaseCollector())
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
