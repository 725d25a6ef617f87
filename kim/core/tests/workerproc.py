"""Real ``kim worker`` processes for tests: started on the test database, always stopped.

Use inside ``@pytest.mark.django_db(transaction=True)`` tests (the worker only sees committed
rows) together with ``database_tasks()`` (the test process then enqueues into the database
queue instead of running tasks at once)::

    with database_tasks(), WorkerProcesses(tmp_path) as workers:
        workers.start()
        wait_for(lambda: WorkerHeartbeat.objects.exists(), 30, "a heartbeat")

Every wait is bounded; ``WorkerProcesses`` kills whatever it started when the block ends, so
the test database can be flushed and dropped afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_tasks() -> AbstractContextManager[None]:
    """Enqueue into the database queue (``kim worker``) instead of the immediate backend."""
    return override_settings(TASKS=DATABASE_TASKS)  # type: ignore[return-value]


def database_url() -> str:
    """The URL of the database the tests run on (pytest-django's test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, password = quote(settings["USER"] or ""), quote(settings["PASSWORD"] or "")
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or "5432"
    return f"postgres://{user}:{password}@{host}:{port}/{settings['NAME']}"


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class WorkerProcesses:
    """Start ``kim worker`` processes; on exit SIGKILL any still running (output in tmp)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> WorkerProcesses:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
        connection.close()  # no connection of ours holds up the flush either

    def start(self, *args: str, stale_seconds: int = 120) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kim.settings",
            "DATABASE_URL": database_url(),
            "KIM_TASK_BACKEND": "database",
            "KIM_TASK_STALE_SECONDS": str(stale_seconds),
        }
        log = self.tmp_path / f"worker-{len(self.processes)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kim",
                    "worker",
                    "--no-startup-delay",
                    "--skip-checks",
                    *args,
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 30) -> int:
        """SIGTERM, then wait (bounded) for the clean shutdown; the exit status."""
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout)

    def output(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')}"
            for log in sorted(self.tmp_path.glob("worker-*.log"))
        )
