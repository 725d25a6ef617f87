"""What the ground floor gives the shell (kim/core/shell.py): the retention of finished
background jobs and their queue rows (kim/core/retention.py)."""

from __future__ import annotations

import datetime as dt

from kim.core.retention import count_expired, purge_finished_jobs
from kim.core.shell import RetentionReport, retention_step


@retention_step("jobs", order=90, due=count_expired)
def retention(today: dt.date, dry_run: bool) -> RetentionReport:
    return purge_finished_jobs(today, dry_run)
