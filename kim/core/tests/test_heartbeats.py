"""Heartbeats and the hand-over of dead workers' tasks (kim/core/workers.py), in-process with a
controlled clock; the same against real ``kim worker`` processes is in test_worker.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kim.core.jobs import JobRun, job_task
from kim.core.management.commands.worker import KimWorker
from kim.core.models import Job, JobStatus, WorkerHeartbeat
from kim.core.workers import (
    beat,
    forget,
    hand_over_stale_tasks,
    heartbeat_interval,
    youngest_heartbeat_age,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@job_task
def interrupted(run: JobRun) -> None:
    """What a second Ctrl+C does to the task at hand (the worker's signal handler)."""
    run.progress(1, 3)
    raise SystemExit(1)


@pytest.fixture
def database_backend() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def running_task(*worker_ids: str, started: dt.datetime = NOW) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kim.core.tests.test_heartbeats.interrupted",
        backend_name="default",
        run_after=dt.datetime(9999, 1, 1, tzinfo=dt.UTC),
        started_at=started,
        worker_ids=list(worker_ids),
    )


def seen(worker_id: str, seconds_ago: float) -> None:
    beat(worker_id, hostname="node-1", pid=4711, now=NOW - dt.timedelta(seconds=seconds_ago))


def job_for(task: DBTaskResult, status: str = JobStatus.RUNNING) -> Job:
    return Job.objects.create(kind="test", title="Test", status=status, task_id=str(task.pk))


def test_beat_upserts_one_row_per_worker_and_forget_removes_it() -> None:
    seen("w1", 30)
    seen("w1", 10)
    seen("w2", 20)
    row = WorkerHeartbeat.objects.get(worker_id="w1")
    assert (row.hostname, row.pid, row.seen_at) == ("node-1", 4711, NOW - dt.timedelta(seconds=10))
    assert WorkerHeartbeat.objects.count() == 2
    assert youngest_heartbeat_age(NOW) == 10
    forget("w1")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w2"]


def test_the_interval_stays_well_inside_the_stale_timeout() -> None:
    assert heartbeat_interval(120) == 5
    assert heartbeat_interval(3) == 0.75
    assert heartbeat_interval(0) == 0.2


def test_only_tasks_of_silent_workers_go_back_to_the_queue() -> None:
    seen("alive", 5)
    seen("dead", 200)
    alive = running_task("alive")
    dead = running_task("alive", "dead")  # the last worker is the one that runs it
    fresh_unknown = running_task("unknown", started=NOW - dt.timedelta(seconds=10))
    old_unknown = running_task("gone", started=NOW - dt.timedelta(seconds=500))
    mine = running_task("me", started=NOW - dt.timedelta(seconds=500))
    dead_job, alive_job = job_for(dead), job_for(alive)

    handed = hand_over_stale_tasks(backend_name="default", stale_seconds=120, keep="me", now=NOW)

    assert sorted(handed) == sorted([str(dead.pk), str(old_unknown.pk)])
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[dead.pk] == status[old_unknown.pk] == "READY"
    assert status[alive.pk] == status[fresh_unknown.pk] == status[mine.pk] == "RUNNING"
    dead_job.refresh_from_db()
    alive_job.refresh_from_db()
    assert (dead_job.status, alive_job.status) == (JobStatus.QUEUED, JobStatus.RUNNING)
    # The handed-over task is claimable again, with its history of workers.
    ready = DBTaskResult.objects.ready().get(pk=dead.pk)
    assert ready.worker_ids == ["alive", "dead"]
    again = hand_over_stale_tasks(backend_name="default", stale_seconds=120, keep="me", now=NOW)
    assert again == []


def test_a_hand_over_logs_the_task_id_and_nothing_else(caplog: Any) -> None:
    seen("dead", 200)
    task = running_task("dead")
    with caplog.at_level("WARNING", logger="kim.worker"):
        hand_over_stale_tasks(backend_name="default", stale_seconds=120, now=NOW)
    assert [r.getMessage() for r in caplog.records] == [
        f"Task id={task.pk} handed over: its worker dead stopped reporting"
    ]


def test_a_forced_stop_hands_the_task_back_instead_of_failing_it(database_backend: None) -> None:
    owner = get_user_model().objects.get(username="koordination")
    job = Job.objects.create(kind="test", title="Test", owner=owner)
    task = running_task("w1")
    task.args_kwargs = {"args": [job.code], "kwargs": {}}
    task.save()
    job.task_id = str(task.pk)
    job.save()
    worker = KimWorker(
        queue_names=["*"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )

    worker.run_task(task)

    task.refresh_from_db()
    job.refresh_from_db()
    assert (task.status, task.traceback, task.exception_class_path) == ("READY", "", "")
    assert (job.status, job.done) == (JobStatus.QUEUED, 1)


def test_worker_help_names_the_production_defaults(database_backend: None) -> None:
    from io import StringIO

    from kim.core.management.commands.worker import Command

    parser = Command().create_parser("kim", "worker")
    defaults = parser.parse_args([])
    assert (defaults.queue_name, defaults.interval, defaults.reload) == ("*", 1, False)
    out = StringIO()
    parser.print_help(out)
    assert "heartbeat" in out.getvalue() and "(default: '*')" in out.getvalue()
    assert "DEBUG" not in out.getvalue()


def test_worker_refuses_excluded_queues_without_the_star(database_backend: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--exclude-queues"):
        call_command("worker", "--queue-name", "default", "--exclude-queues", "x")
