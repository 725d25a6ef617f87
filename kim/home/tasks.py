"""Background jobs of the shell: the retention run and its plan, started from the retention
page (kim/home/views.py, decisions D-066). Both run ``run_retention_steps`` exactly as ``kim
retention run [--dry-run]`` does, for today (the web offers no other date), with the rights of
the starter as they are when the job runs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kim.accounts.access import can_run_retention, can_view_retention
from kim.core.jobs import JobRun, job_task, owner_context
from kim.home.retention import RetentionSummary, run_retention_steps


def _counts(result: RetentionSummary) -> str:
    return ", ".join(f"{key} {n}" for key, n in result.counts.items()) or _("nothing due")


@job_task
def retention_job(run: JobRun, dry_run: bool) -> None:
    """The plan (``dry_run``: writes nothing, not even an audit event) or the run (each step's
    audit events; the cases step's ``RETENTION_RUN`` names the starter). Idempotent: a second
    run plans afresh, and what the first one applied is no longer due."""
    ctx = owner_context(run)
    if not (can_view_retention(ctx) if dry_run else can_run_retention(ctx)):
        raise PermissionDenied
    today = timezone.localdate()
    result = run_retention_steps(
        today, dry_run, acting_user=None if dry_run else run.owner, progress=run.progress
    )
    suffix = "plan" if dry_run else "lauf"
    run.attach(
        result.text().encode("utf-8"),
        f"aufbewahrung-{today.isoformat()}-{suffix}.txt",
        "text/plain; charset=utf-8",
    )
    values = {
        "date": formats.date_format(today, "SHORT_DATE_FORMAT"),
        "n": len(result.lines),
        "counts": _counts(result),
        "applied": result.applied,
    }
    if dry_run:
        run.finish(
            _("Retention plan for %(date)s: %(n)s items (%(counts)s). Nothing was changed.")
            % values
        )
    else:
        run.finish(
            _("Retention run of %(date)s: %(n)s items (%(counts)s), %(applied)s applied.") % values
        )
