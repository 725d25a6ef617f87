"""``kim worker`` as real processes on the test database: claiming, heartbeat, crash recovery.

Transactional tests (the workers only see committed rows): the database is flushed after each
one, so the crash test seeds the demo world itself; every process is killed in a ``finally``
(``WorkerProcesses``) before the flush, and every wait is bounded.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django_tasks_db.models import DBTaskResult

from kim.audit.models import AuditEvent, EventType
from kim.core.jobs import start_job
from kim.core.models import Job, JobStatus, WorkerHeartbeat
from kim.core.tests.worker_tasks import note_run
from kim.core.tests.workerproc import WorkerProcesses, database_tasks, wait_for

pytestmark = [pytest.mark.sqlite_too, pytest.mark.django_db(transaction=True)]

START = 60  # seconds a worker may take to start on a busy machine


def heartbeat_of(pid: int) -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.filter(pid=pid).first()


def test_two_workers_run_each_of_20_tasks_exactly_once(tmp_path: Path) -> None:
    with database_tasks(), WorkerProcesses(tmp_path) as workers:
        first, second = workers.start(), workers.start()
        wait_for(lambda: WorkerHeartbeat.objects.count() == 2, START, "both heartbeats")
        for number in range(20):
            note_run.enqueue(number, 0.2)
        try:
            wait_for(
                lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 20,
                120,
                "20 finished tasks",
            )
        except AssertionError:
            print(workers.output())
            raise
        runs = Job.objects.filter(kind="test.run")
        assert Counter(runs.values_list("subject", flat=True)) == {str(n): 1 for n in range(20)}
        # Both took part, and each task names the one worker that claimed it.
        assert set(runs.values_list("title", flat=True)) == {str(first.pid), str(second.pid)}
        assert all(len(t.worker_ids) == 1 for t in DBTaskResult.objects.all())
        assert workers.stop(first) == workers.stop(second) == 0


def test_the_heartbeat_appears_and_goes_with_sigterm(tmp_path: Path) -> None:
    with database_tasks(), WorkerProcesses(tmp_path) as workers:
        process = workers.start()
        wait_for(lambda: heartbeat_of(process.pid), START, "the heartbeat row")
        row = heartbeat_of(process.pid)
        assert row is not None and row.hostname and len(row.worker_id) == 32
        first_seen = row.seen_at
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(pid=process.pid, seen_at__gt=first_seen),
            30,
            "a second beat",
        )
        assert workers.stop(process) == 0
        assert heartbeat_of(process.pid) is None
        output = workers.output()
        assert "Starting worker" in output and "Traceback" not in output


def test_a_killed_workers_screening_is_finished_by_the_next_without_duplicates(
    tmp_path: Path,
) -> None:
    from kim.home.demo import seed_demo
    from kim.screening.models import ListStatus, ScreeningList
    from kim.screening.tasks import KIND, screen_list
    from kim.screening.tests.test_lists import make_list

    seed_demo()  # transactional tests start from an empty database
    screening_list = make_list(3000)
    code = screening_list.code

    def progress() -> int:
        return ScreeningList.objects.values_list("screened", flat=True).get(code=code)

    with database_tasks(), WorkerProcesses(tmp_path) as workers:
        abh = get_user_model().objects.get(username="abh")
        # Chunks of 100 (the page's job uses 1,000): a wide window to kill the worker mid-way.
        job = start_job(
            screen_list, kind=KIND, subject=code, title="Prüfung", owner=abh, args=[code, 100]
        )
        doomed = workers.start()
        wait_for(lambda: progress() > 0, START + 60, "the first chunk")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        killed_at = progress()
        assert 0 < killed_at < 3000, killed_at
        task = DBTaskResult.objects.get(pk=job.task_id)
        assert task.status == "RUNNING"  # nobody would ever run it again without a hand-over

        rescuer = workers.start(stale_seconds=3)
        try:
            wait_for(lambda: Job.objects.get(pk=job.pk).finished, START + 120, "the job to finish")
        except AssertionError:
            print(workers.output())
            raise
        assert workers.stop(rescuer) == 0
        assert "handed over" in workers.output()

    job.refresh_from_db()
    screening_list.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 3000, 3000)
    assert (screening_list.status, screening_list.screened) == (ListStatus.DONE, 3000)
    entries = screening_list.entries
    assert entries.count() == 3000
    assert sorted(entries.values_list("row", flat=True)) == list(range(1, 3001))
    assert not entries.filter(results__isnull=True).exists()
    assert not entries.filter(rank__isnull=True).exists()
    screened = AuditEvent.objects.filter(
        event_type=EventType.SCREENING_LIST_SCREENED, subject_code=code
    )
    assert screened.count() == 1 and screened.get().extra["rows"] == 3000
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="an outage of the shared PostgreSQL would stop the other tests; "
    "benchmarks/faults.py restarts a private PostgreSQL under a running worker",
)
def test_the_worker_outlives_a_database_outage_and_goes_on(tmp_path: Path) -> None:
    """The database file disappears under a running worker (on PostgreSQL: a restart):
    ``kim worker`` logs it, waits and, once the database is back, runs the next task – the
    same process, no restart needed (D-078)."""
    path = Path(connection.settings_dict["NAME"])
    away = path.with_name(path.name + ".away")
    with database_tasks(), WorkerProcesses(tmp_path) as workers:
        process = workers.start()
        wait_for(lambda: heartbeat_of(process.pid), START, "the heartbeat row")
        os.replace(path, away)  # the worker's next connection finds no database
        try:
            wait_for(
                lambda: "The database is not reachable" in workers.output(),
                60,
                "the worker to notice the outage",
            )
            assert process.poll() is None, workers.output()
        finally:
            os.replace(away, path)
            for stray in path.parent.glob(path.name + "-*"):
                stray.unlink()
        note_run.enqueue(1, 0)
        try:
            wait_for(lambda: Job.objects.filter(kind="test.run").exists(), 60, "the task")
        except AssertionError:
            print(workers.output())
            raise
        (run,) = Job.objects.filter(kind="test.run")
        assert run.title == str(process.pid)  # run by the worker that saw the outage
        assert process.poll() is None
        assert workers.stop(process) == 0
