"""``kim worker``: run background tasks (``django.tasks`` on the django-tasks-db queue).

The loop is django-tasks-db's own ``db_worker`` (claim the next READY task with
``SELECT … FOR UPDATE SKIP LOCKED``, run it, record the outcome, sleep ``--interval`` when the
queue is empty); ``kim worker`` adds what production needs (``kim/core/workers.py``):

1. **Heartbeat**: a daemon thread with its own database connection upserts the worker's
   ``WorkerHeartbeat`` row (worker id, host name, pid) every 5 seconds (more often when
   ``KIM_TASK_STALE_SECONDS`` is below 20); SIGTERM or SIGINT (Ctrl+C) stop the worker after
   the task at hand and delete the row. ``/healthz`` and ``kim deploy check`` read it.
   A database outage does not end the worker: it logs it, waits for the database (retrying
   every 0.5–5 s) and goes on; a task the outage interrupted goes back to the queue (D-078).
2. **Hand-over**: on every beat the worker puts back in the queue each running task whose
   worker has not reported for ``KIM_TASK_STALE_SECONDS`` (default 120; a worker killed with
   SIGKILL, or its host gone), logging a warning with the task id. The next free worker – or
   this one – runs it again; tasks are idempotent (``kim/core/jobs.py``). A second SIGTERM or
   Ctrl+C aborts the task at hand and hands it back at once.
3. **Production defaults**: all queues (``--queue-name '*'``), a 1-second poll interval, no
   autoreload (``--reload`` for development only). Run as many workers as the database and the
   cores allow (one systemd unit per worker, ``deploy/``); each claims different tasks.

Output: the library's lines (worker start, task id, task path and state) and this command's
warnings – task ids, worker ids and host names, never arguments or personal data. Exit status
0 after a clean shutdown.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from argparse import ArgumentParser
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.management.base import CommandError
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from kim.core.workers import Heartbeat, forget, hand_back

logger = logging.getLogger("kim.worker")

# Exceptions that mean "the worker was stopped", not "the task failed".
INTERRUPTIONS = ("builtins.SystemExit", "builtins.KeyboardInterrupt")


# Exceptions that mean "the database went away" (D-078): the task goes back to the queue.
OUTAGES = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")
# Seconds between attempts to reach the database again after an outage (doubling up to).
RETRY_FIRST, RETRY_MAX = 0.5, 5.0


class KimWorker(Worker):
    """django-tasks-db's worker loop; a task aborted by a forced stop goes back to the queue
    instead of being recorded as failed. A database outage does not end the worker: it waits
    for the database and goes on, and the task the outage interrupted goes back to the queue
    (issue 16, D-078)."""

    current_task: UUID | None = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task = db_task_result.pk
        super().run_task(db_task_result)
        self.current_task = None
        if db_task_result.exception_class_path in INTERRUPTIONS + OUTAGES:
            hand_back(db_task_result.pk)

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                self.running_task = False
                logger.warning(
                    "The database is not reachable (%s); waiting for it", type(exc).__name__
                )
                self._wait_for_database()

    def _wait_for_database(self) -> None:
        delay = RETRY_FIRST
        while self.running:
            close_old_connections()
            connection.close()
            time.sleep(delay)
            try:
                connection.ensure_connection()
                if self.current_task is not None:
                    hand_back(self.current_task)
                    self.current_task = None
            except (OperationalError, InterfaceError):
                delay = min(delay * 2, RETRY_MAX)
                continue
            logger.warning("The database is back; the worker goes on")
            return


class Command(DbWorkerCommand):
    help = (
        "Run a background worker for KIM-Plattform's task queue: claims queued tasks, reports "
        "a heartbeat and hands the tasks of dead workers to the living (docs/operations.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        helps = {
            "queue_name": "The queues to process, separated by commas; '*' processes all "
            "queues (default: '*').",
            "reload": "Restart the worker when the code changes (development only: a task "
            "running at that moment is taken up again after KIM_TASK_STALE_SECONDS). "
            "Default: off.",
            "worker_id": "Worker id, unique across all workers (default: random). Its "
            "heartbeat row carries this id, the host name and the process id.",
        }
        for action in parser._actions:
            if action.dest in helps:
                action.help = helps[action.dest]

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        reload, batch = options["reload"], options["batch"]
        if reload and batch:
            logger.warning("--reload and --batch cannot be combined; autoreload is off.")
            reload = False
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name='*'")
        worker = KimWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            run_with_reloader(worker.run)  # this process only watches files and restarts
            return
        self._run(worker, reload=reload)

    def _run(self, worker: KimWorker, *, reload: bool) -> None:
        heartbeat = Heartbeat(
            worker.worker_id,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            backend_name=worker.backend_name,
            stale_seconds=settings.KIM_TASK_STALE_SECONDS,
        )
        worker.configure_signals()
        heartbeat.start()
        try:
            if reload:
                run_with_reloader(worker.run)
            else:
                worker.run()
        finally:
            heartbeat.stop()
            try:
                forget(worker.worker_id)
            except DatabaseError as exc:
                logger.warning("Heartbeat row not removed: %s", type(exc).__name__)
