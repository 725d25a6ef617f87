"""Retention of background jobs: finished jobs, their result files and the queue's rows.

A job's result may be an export or a PDF with personal data (encrypted at rest, owner-only);
its queue row (django-tasks-db's ``DBTaskResult``) holds the task's arguments (codes) and, for
a task that crashed outside ``@job_task``, a traceback. Both are working copies, not records:
``kim retention run`` deletes them KIM_JOB_RETENTION_DAYS after the day they finished (the
step is registered in ``kim/core/home.py``). Queued and running jobs are never touched.
One line per job (its code and finish date, never its title) and one line for the queue rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Count, QuerySet, Value
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kim.core.models import Job, JobStatus
from kim.core.shell import RetentionReport


def _cutoff(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=settings.KIM_JOB_RETENTION_DAYS)


def expired_jobs(today: dt.date) -> QuerySet[Job]:
    return Job.objects.filter(
        status__in=[JobStatus.DONE, JobStatus.FAILED], finished_at__date__lt=_cutoff(today)
    ).order_by("finished_at", "id")


def expired_task_rows(today: dt.date) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__date__lt=_cutoff(today),
    )


def _delete_job(job: Job) -> None:
    with transaction.atomic():
        name = job.result_file.name if job.result_file else ""
        job.delete()
        if name:
            # After the commit: a rolled-back deletion keeps its file.
            transaction.on_commit(lambda: job.result_file.storage.delete(name))


def purge_finished_jobs(today: dt.date, dry_run: bool) -> RetentionReport:
    """Delete (or, in a dry run, only name) the expired jobs with their files, and the
    expired queue rows."""
    jobs = list(expired_jobs(today))
    lines = [
        f"job delete {job.code} (finished {job.finished_at:%Y-%m-%d}"
        f"{', with result file' if job.result_file else ''})"
        for job in jobs
        if job.finished_at is not None
    ]
    rows = expired_task_rows(today)
    n_rows = rows.count()
    if n_rows:
        lines.append(f"task_result delete {n_rows} (finished before {_cutoff(today).isoformat()})")
    if not dry_run:
        for job in jobs:
            _delete_job(job)
        rows.delete()
    counts = {k: n for k, n in (("job:delete", len(jobs)), ("task_result:delete", n_rows)) if n}
    return RetentionReport(lines, counts, 0 if dry_run else len(jobs) + n_rows)


def count_expired(today: dt.date) -> dict[str, int]:
    """What ``purge_finished_jobs(today, …)`` would delete, counted in one query (two
    ``COUNT`` rows joined by ``UNION ALL``), for the data-protection officer's start page."""
    jobs = _counted(expired_jobs(today), "job:delete")
    rows = _counted(expired_task_rows(today), "task_result:delete")
    return {key: n for key, n in jobs.union(rows, all=True).order_by() if n}


def _counted(queryset: QuerySet[Any], key: str) -> QuerySet[Any, tuple[str, int]]:
    """``SELECT key, COUNT(*)`` over ``queryset``: exactly one row, without loading rows."""
    return (
        queryset.order_by()
        .annotate(key=Value(key, output_field=CharField()))
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
