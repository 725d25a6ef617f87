"""Which ``kim worker`` processes are alive: their heartbeats (``WorkerHeartbeat``).

``kim worker`` refreshes its row every few seconds; ``/healthz`` and ``kim deploy check``
report the youngest heartbeat, and a running task whose worker has gone quiet for longer than
KIM_TASK_STALE_SECONDS is handed to another worker.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kim.core.models import WorkerHeartbeat

# A worker counts as alive while its newest heartbeat is younger than this (issue 14: 2 min).
ALIVE_SECONDS = 120


def youngest_heartbeat_age(now: dt.datetime | None = None) -> float | None:
    """Seconds since the most recent heartbeat of any worker; None if none ever reported."""
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if seen is None:
        return None
    return max(0.0, ((now or timezone.now()) - seen).total_seconds())


def worker_alive(now: dt.datetime | None = None) -> bool:
    age = youngest_heartbeat_age(now)
    return age is not None and age < ALIVE_SECONDS
