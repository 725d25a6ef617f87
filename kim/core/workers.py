"""Which ``kim worker`` processes are alive, and what happens to the tasks of those that died.

1. **Heartbeat.** Every ``kim worker`` runs a ``Heartbeat`` thread that upserts its
   ``WorkerHeartbeat`` row (worker id, host, pid, ``seen_at``) every few seconds
   (``heartbeat_interval``) and deletes it on a clean shutdown. ``/healthz`` and
   ``kim deploy check`` report the youngest heartbeat (``youngest_heartbeat_age``).
2. **Hand-over.** The same thread then looks for queue rows (django-tasks-db's
   ``DBTaskResult``) that are RUNNING although their worker – the last entry of
   ``worker_ids`` – has not reported for KIM_TASK_STALE_SECONDS (or has no heartbeat row at
   all and started the task longer ago than that): the worker was killed or lost its host. Such
   rows go back to READY, their jobs back to "queued", and the next free worker claims them.
   Rows are locked with ``SELECT … FOR UPDATE SKIP LOCKED`` in one transaction (SQLite:
   an exclusive transaction), so two workers doing this at once never hand over the same task
   twice; a task is only ever claimed by one worker (django-tasks-db's claim works the same
   way).
3. A handed-over task runs again from its start, so tasks must be idempotent: they work in
   chunks whose progress is stored with their results (``kim/core/jobs.py`` rule 3).

Nothing here logs more than task ids and worker ids: no arguments, no personal data.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from uuid import UUID

from django.db import DatabaseError, connections
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from kim.core.models import Job, JobStatus, WorkerHeartbeat

logger = logging.getLogger("kim.worker")

# A worker counts as alive while its newest heartbeat is younger than this (issue 14: 2 min).
ALIVE_SECONDS = 120
# How often a worker reports at most; shorter when the stale timeout is short (tests).
HEARTBEAT_SECONDS = 5.0
# Heartbeat rows of workers that vanished without a clean shutdown are deleted after a day.
FORGET_AFTER = dt.timedelta(days=1)

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING


def youngest_heartbeat_age(now: dt.datetime | None = None) -> float | None:
    """Seconds since the most recent heartbeat of any worker; None if none ever reported."""
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if seen is None:
        return None
    return max(0.0, ((now or timezone.now()) - seen).total_seconds())


def worker_alive(now: dt.datetime | None = None) -> bool:
    age = youngest_heartbeat_age(now)
    return age is not None and age < ALIVE_SECONDS


def heartbeat_interval(stale_seconds: float) -> float:
    """Every 5 s, or four times within the stale timeout if that is shorter: a live worker
    never looks stale to the others."""
    return max(0.2, min(HEARTBEAT_SECONDS, stale_seconds / 4))


def beat(worker_id: str, *, hostname: str, pid: int, now: dt.datetime | None = None) -> None:
    """Upsert the worker's heartbeat row (only its own worker writes it: no race)."""
    seen = now or timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=seen):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, hostname=hostname[:200], pid=pid, seen_at=seen
        )


def forget(worker_id: str) -> None:
    """Remove the worker's heartbeat row (clean shutdown)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _orphaned(
    row: DBTaskResult,
    seen: dict[str, dt.datetime],
    cutoff: dt.datetime,
    keep: str,
) -> bool:
    """Whether the running ``row`` lost its worker (see the module doc, step 2)."""
    last = str(row.worker_ids[-1]) if row.worker_ids else ""
    if last == keep:
        return False
    if last in seen:
        return seen[last] < cutoff
    return row.started_at is None or row.started_at < cutoff


def _orphans(rows: Iterable[DBTaskResult], cutoff: dt.datetime, keep: str) -> list[DBTaskResult]:
    rows = list(rows)
    if not rows:
        return []
    seen = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    return [row for row in rows if _orphaned(row, seen, cutoff, keep)]


def hand_over_stale_tasks(
    *,
    backend_name: str,
    stale_seconds: float,
    keep: str = "",
    now: dt.datetime | None = None,
) -> list[str]:
    """Put the running tasks of dead workers back in the queue; return their ids.

    ``keep`` is the calling worker's own id (its own tasks are never stale to itself). A cheap
    unlocked look comes first, so the usual case – nothing stale – takes no lock at all.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds)
    running = DBTaskResult.objects.filter(status=RUNNING, backend_name=backend_name).only(
        "id", "worker_ids", "started_at"
    )
    if not _orphans(running, cutoff, keep):
        return []
    with exclusive_transaction(running.db):
        stale = _orphans(running.select_for_update(skip_locked=True), cutoff, keep)
        ids = [row.pk for row in stale]
        DBTaskResult.objects.filter(pk__in=ids, status=RUNNING).update(status=READY)
        Job.objects.filter(task_id__in=[str(pk) for pk in ids], status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED, updated_at=now
        )
    for row in stale:
        logger.warning(
            "Task id=%s handed over: its worker %s stopped reporting",
            row.pk,
            row.worker_ids[-1] if row.worker_ids else "-",
        )
    return [str(pk) for pk in ids]


def hand_back(task_id: UUID | str) -> None:
    """Return a task this worker was forced to abandon (a second Ctrl+C) to the queue."""
    DBTaskResult.objects.filter(pk=task_id).update(
        status=READY, finished_at=None, exception_class_path="", traceback=""
    )
    Job.objects.filter(task_id=str(task_id), status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED, updated_at=timezone.now()
    )
    logger.warning("Task id=%s interrupted and handed back to the queue", task_id)


class Heartbeat(threading.Thread):
    """The worker's daemon thread: beat, hand over stale tasks, wait, repeat (module doc).

    It has its own database connection (Django's connections are per thread) and closes it
    when it stops. A failing database is logged and retried on the next beat."""

    def __init__(
        self,
        worker_id: str,
        *,
        hostname: str,
        pid: int,
        backend_name: str,
        stale_seconds: float,
    ) -> None:
        super().__init__(name="kim-worker-heartbeat", daemon=True)
        self.worker_id, self.hostname, self.pid = worker_id, hostname, pid
        self.backend_name, self.stale_seconds = backend_name, stale_seconds
        self.interval = heartbeat_interval(stale_seconds)
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while True:
                self.pulse()
                if self._stop_event.wait(self.interval):
                    return
        finally:
            connections.close_all()

    def pulse(self) -> None:
        try:
            beat(self.worker_id, hostname=self.hostname, pid=self.pid)
            hand_over_stale_tasks(
                backend_name=self.backend_name,
                stale_seconds=self.stale_seconds,
                keep=self.worker_id,
            )
            WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_AFTER).delete()
        except DatabaseError as exc:
            logger.warning("Heartbeat of worker %s failed: %s", self.worker_id, type(exc).__name__)
            connections.close_all()  # reconnect on the next beat

    def stop(self, timeout: float = 10.0) -> None:
        self._stop_event.set()
        self.join(timeout)
