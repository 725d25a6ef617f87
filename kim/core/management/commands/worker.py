"""``kim worker``: run a background worker (django-tasks-db's ``db_worker``).

Interim: a thin wrapper; heartbeats and the hand-over of tasks whose worker died follow.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run a background worker for KIM-Plattform's task queue (docs/operations.md)."
