"""Tasks the real-worker tests (test_worker.py) enqueue; importable by ``kim worker``."""

from __future__ import annotations

import os
import time

from django.tasks import task

from kim.core.models import Job, JobStatus


@task()
def note_run(number: int, seconds: float) -> None:
    """Leave one row per execution (kind ``test.run``, subject = the task's number, title =
    the worker's pid), then take a while, so that two workers share the queue."""
    Job.objects.create(
        kind="test.run", subject=str(number), title=str(os.getpid()), status=JobStatus.DONE
    )
    time.sleep(seconds)
