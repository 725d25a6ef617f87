"""Long work as background jobs: a ``Job`` row the user watches, a task ``kim worker`` runs.

Starting (in a view or action)::

    job = start_job(render_report_pdf, kind="council.report_pdf", title=_("Report as PDF"),
                    owner=request.user, args=[report.code])
    return redirect(job_url(job))

The task is a module-level function decorated with ``@job_task``; it receives the
``JobRun`` first, then the arguments given to ``start_job`` (JSON values only: codes, not
objects)::

    @job_task
    def render_report_pdf(run: JobRun, report_code: str) -> None:
        report = ...                      # the door again, with run.owner_context()
        run.progress(0, 3)
        ...
        run.attach(pdf_bytes, "bericht.pdf", "application/pdf")   # encrypted at rest
        run.finish(_("The PDF is ready."))

Rules:

1. ``start_job`` writes the ``Job`` and the queue row in one transaction: both or neither.
2. The task runs with the rights and the language of the user who started it: it asks the
   access door again with ``run.owner_context()`` (the owner's memberships as they are now,
   none for a deactivated owner) and fails with a ``JobError`` when they no longer suffice;
   its messages are for that user.
3. A task may be run again after its worker died (``kim worker`` hands stale tasks on), so a
   task must be idempotent: work in chunks whose progress is stored with their results, and
   continue from the stored progress.
4. ``JobError(message)`` fails the job with that message (German, for the user); any other
   exception fails it with a general message and is logged with its type and stack, without
   its message (never shown, never logged: it may quote personal data).
5. ``start_job(..., subject=code)`` starts at most one queued or running job per kind and
   subject (it returns the active one instead); lock the subject's row around the call
   (``select_for_update``) when two requests may start it at once.
6. Only the owner opens a job (``get_job_for_user``; 404 for everybody else); result files are
   encrypted with the field keys like every stored document.
6. The task checks the owner's rights again, as they are when it runs: ``owner_context(run)``
   loads the owner's memberships afresh (``JobError`` when the account is gone or
   deactivated), and the task reads its rows through the same access door and query function
   as the page that started it. A door's ``Http404`` or ``PermissionDenied`` fails the job
   with ``RIGHTS_CHANGED`` – nothing is produced, and the message names no row.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.tasks import Task, task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.access import ANONYMOUS, UserContext, load_user_context
from kim.core.crypto import decrypt_bytes, encrypt_bytes
from kim.core.models import Actor, Job, JobStatus, actor_user
from kim.core.rls import reader_scope

logger = logging.getLogger("kim.jobs")

# Jobs a user sees in "My jobs" (older ones stay reachable by their link until deleted).
RECENT_JOBS = 20

# The job's message when the access door refuses inside the task (rule 6).
RIGHTS_CHANGED = gettext_lazy(
    "Your rights have changed since you started this job: you may no longer do this. "
    "Nothing was produced."
)


class JobError(Exception):
    """Fails the job with ``message``, shown to the user as it is (translate it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobRun:
    """What a running task may do with its job: report progress, attach a file, finish."""

    def __init__(self, job: Job) -> None:
        self.job = job

    @property
    def owner(self) -> User | None:
        return self.job.owner

    def owner_context(self) -> UserContext:
        """The owner's rights as they are now, loaded afresh (rule 2 of the module doc): no
        rights at all when the owner was deleted or deactivated since starting the job."""
        owner = self.job.owner
        if owner is None or not owner.is_active:
            return ANONYMOUS
        return load_user_context(owner)

    def progress(self, done: int, total: int | None = None) -> None:
        fields = {"done": done, "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=self.job.pk).update(**fields)
        self.job.done = done
        if total is not None:
            self.job.total = total

    def attach(self, data: bytes, name: str, content_type: str) -> None:
        """Store a generated result (encrypted) for the owner to download."""
        self.job.result_file.save(
            f"{self.job.code}.bin", ContentFile(encrypt_bytes(data)), save=False
        )
        self.job.result_name, self.job.result_type = name[:200], content_type[:100]
        self.job.save(update_fields=["result_file", "result_name", "result_type", "updated_at"])

    def finish(self, message: str = "", url: str = "") -> None:
        self.job.status, self.job.message = JobStatus.DONE, message
        self.job.result_url = url or self.job.result_url
        self.job.finished_at = timezone.now()
        if self.job.total:
            self.job.done = self.job.total
        self.job.save(
            update_fields=["status", "message", "result_url", "finished_at", "done", "updated_at"]
        )


def owner_context(run: JobRun) -> UserContext:
    """The owner's rights as they are now (memberships loaded afresh, not those of the request
    that started the job); ``JobError`` when the account is gone or deactivated."""
    owner = run.owner
    if owner is None or not owner.is_active:
        raise JobError(_("The account that started this job is no longer active."))
    return run.owner_context()


def _log_crash(job: Job, exc: Exception) -> None:
    """Log the type and the stack (code lines, no values) of a crash, not its message: an
    exception's message may quote a person's data, and worker logs leave the database."""
    stack = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "Job %s (%s) failed with %s (message withheld)\n%s",
        job.code,
        job.kind,
        type(exc).__qualname__,
        stack,
    )


def _fail(job: Job, message: str) -> None:
    job.status, job.message, job.finished_at = JobStatus.FAILED, message, timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "updated_at"])


def job_task(fn: Callable[..., None]) -> Task:
    """Turn ``fn(run, *args)`` into a task taking ``(job_code, *args)``; see the module doc."""

    @functools.wraps(fn)
    def run_job(job_code: str, *args: Any, **kwargs: Any) -> None:
        job = Job.objects.select_related("owner").filter(code=job_code).first()
        if job is None or job.finished:
            return  # deleted meanwhile, or finished by an earlier run that died afterwards
        job.status, job.started_at = JobStatus.RUNNING, job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
        run = JobRun(job)
        # The owner's row-level security scope for the job's queries (kim/core/rls.py).
        with translation.override(job.language), reader_scope(run.owner_context()):
            try:
                fn(run, *args, **kwargs)
            except JobError as exc:
                _fail(job, exc.message)
                return
            except (Http404, PermissionDenied):
                _fail(job, str(RIGHTS_CHANGED))
                return
            except (OperationalError, InterfaceError):
                # The database went away: not the job's fault. ``kim worker`` hands the task
                # back to the queue and the job continues from its stored progress (D-078).
                raise
            except Exception as exc:
                _log_crash(job, exc)
                _fail(job, _("The job failed. Please try again; if it fails again, tell support."))
                return
            if not run.job.finished:
                run.finish()

    return task()(run_job)


def active_job(kind: str, subject: str) -> Job | None:
    """The queued or running job of ``kind`` for ``subject`` (a row's code), if any."""
    return (
        Job.objects.filter(
            kind=kind, subject=subject, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        )
        .order_by("-created_at")
        .first()
    )


def start_job(
    task_: Task,
    *,
    kind: str,
    title: str,
    owner: Actor,
    args: Sequence[Any] = (),
    total: int = 0,
    result_url: str = "",
    subject: str = "",
) -> Job:
    """Record the job and enqueue its task (both or neither); return the job.

    With a ``subject``, a queued or running job of the same kind for it is returned instead
    of starting a second one (rule 5 of the module doc)."""
    with transaction.atomic():
        if subject and (existing := active_job(kind, subject)) is not None:
            return existing
        job = Job.objects.create(
            kind=kind,
            subject=subject,
            title=title[:200],
            owner=actor_user(owner),
            total=total,
            result_url=result_url,
            language=translation.get_language() or "de",
        )
        result = task_.enqueue(job.code, *args)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def job_url(job: Job) -> str:
    return reverse("core:job_detail", args=[job.code])


# --------------------------------------------------------------------------------------------
# Access: a job is its owner's only
# --------------------------------------------------------------------------------------------


def jobs_for_user(user: Actor) -> QuerySet[Job]:
    owner = actor_user(user)
    if owner is None:
        return Job.objects.none()
    return Job.objects.filter(owner=owner)


def get_job_for_user(user: Actor, code: str) -> Job:
    job = jobs_for_user(user).filter(code=code).first()
    if job is None:
        raise Http404("No such job")
    return job


def result_bytes(job: Job) -> bytes:
    with job.result_file.open("rb") as handle:
        return decrypt_bytes(handle.read())
