"""Jobs that wait: start a job now, change the world, run it later (as ``kim worker`` does).

Under pytest the task backend is the immediate one: ``start_job`` runs the task at once. For a
test that changes something between the start and the run (e.g. revokes the owner's role),
``deferred_jobs()`` switches to the database queue for its block and yields ``run_queued``,
which runs the queued tasks in this process, in order, as a worker would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queued() -> int:
    """Run every queued task once (oldest first) and take it off the queue; return how many."""
    ran = 0
    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=row.pk).delete()
        ran += 1
    return ran


@contextmanager
def deferred_jobs() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_QUEUE):
        yield
