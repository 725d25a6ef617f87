"""Finished jobs, their result files and the queue's rows are deleted by ``kim retention run``
KIM_JOB_RETENTION_DAYS after they finished; waiting and running jobs are never touched."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from kim.core import shell
from kim.core.models import Job, JobStatus
from kim.core.retention import count_expired, purge_finished_jobs

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 20)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def job(status: str, finished: dt.date | None, with_file: bool = False) -> Job:
    row = Job.objects.create(
        kind="test",
        title="Bericht Frau Muster",
        status=status,
        finished_at=finished and at(finished),
    )
    if with_file:
        row.result_file.save(f"{row.code}.bin", ContentFile(b"encrypted"), save=True)
    return row


def task_row(status: str, finished: dt.date | None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": ["code"], "kwargs": {}},
        task_path="kim.screening.tasks.screen_list",
        backend_name="default",
        run_after=at(dt.date(9999, 1, 1)),
        finished_at=finished and at(finished),
    )


@pytest.fixture
def rows(settings: object) -> dict[str, object]:
    settings.KIM_JOB_RETENTION_DAYS = 7  # type: ignore[attr-defined]
    return {
        "old_done": job(JobStatus.DONE, dt.date(2026, 3, 12), with_file=True),
        "old_failed": job(JobStatus.FAILED, dt.date(2026, 3, 1)),
        "last_week": job(JobStatus.DONE, dt.date(2026, 3, 13)),  # kept: 7 days after the 13th
        "running": job(JobStatus.RUNNING, None),
        "queued": job(JobStatus.QUEUED, None),
        "old_row": task_row("SUCCESSFUL", dt.date(2026, 3, 1)),
        "old_failed_row": task_row("FAILED", dt.date(2026, 3, 2)),
        "new_row": task_row("SUCCESSFUL", dt.date(2026, 3, 19)),
        "waiting_row": task_row("READY", None),
    }


def test_a_dry_run_names_what_is_due_and_deletes_nothing(rows: dict[str, object]) -> None:
    old_done, old_failed = rows["old_done"], rows["old_failed"]
    assert isinstance(old_done, Job) and isinstance(old_failed, Job)
    report = purge_finished_jobs(TODAY, dry_run=True)
    assert report.lines == [
        f"job delete {old_failed.code} (finished 2026-03-01)",
        f"job delete {old_done.code} (finished 2026-03-12, with result file)",
        "task_result delete 2 (finished before 2026-03-13)",
    ]
    assert report.counts == {"job:delete": 2, "task_result:delete": 2} == count_expired(TODAY)
    assert report.applied == 0
    assert Job.objects.count() == 5 and DBTaskResult.objects.count() == 4
    assert "Muster" not in "\n".join(report.lines)  # titles never leave the database


def test_the_run_deletes_jobs_files_and_queue_rows(rows: dict[str, object]) -> None:
    old_done = rows["old_done"]
    assert isinstance(old_done, Job)
    storage, name = old_done.result_file.storage, old_done.result_file.name
    assert storage.exists(name)

    report = purge_finished_jobs(TODAY, dry_run=False)

    assert report.applied == 4
    assert set(Job.objects.values_list("status", flat=True)) == {
        JobStatus.DONE,
        JobStatus.RUNNING,
        JobStatus.QUEUED,
    }
    assert set(Job.objects.values_list("pk", flat=True)) == {
        rows[k].pk  # type: ignore[attr-defined]
        for k in ("last_week", "running", "queued")
    }
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        rows[k].pk  # type: ignore[attr-defined]
        for k in ("new_row", "waiting_row")
    }
    assert purge_finished_jobs(TODAY, dry_run=False).lines == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.sqlite_too
def test_the_result_file_goes_after_the_commit(rows: dict[str, object]) -> None:
    old_done = rows["old_done"]
    assert isinstance(old_done, Job)
    storage, name = old_done.result_file.storage, old_done.result_file.name
    purge_finished_jobs(TODAY, dry_run=False)
    assert not storage.exists(name)


def test_kim_retention_run_includes_the_jobs(rows: dict[str, object]) -> None:
    assert "jobs" in {step.name for step in shell.retention_steps()}
    out = io.StringIO()
    call_command("retention", "run", "--dry-run", "--date", TODAY.isoformat(), stdout=out)
    lines = out.getvalue().splitlines()
    assert "task_result delete 2 (finished before 2026-03-13)" in lines
    assert "job:delete 2" in lines[-1] and "task_result:delete 2" in lines[-1]
