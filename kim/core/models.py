"""Small model building blocks shared by all apps."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models
from django.utils.translation import gettext_lazy as _

from kim.core.files import save_file
from kim.core.uploads import CheckedFile


def new_code() -> str:
    """Return a random, URL-safe public identifier (80 bits, 16 lowercase base32 chars)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


class CodeField(models.CharField):
    """The random public identifier of a row, used in URLs instead of the sequential id."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", new_code)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


# Who performs an action: a signed-in user, or None for system jobs (seed, imports, cron).
# Views pass ``request.user``; an anonymous user is recorded as "no actor".
Actor = AbstractBaseUser | AnonymousUser | None


def actor_user(actor: Actor) -> User | None:
    """The user to store as author of a row or event; None for system jobs and anonymous."""
    return cast(User, actor) if actor is not None and actor.is_authenticated else None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months; the day of month is capped at the month's last day
    (31.12. + 6 months = 30.06.)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def in_period(day: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """Whether ``day`` lies in a period whose end is inclusive and may be open (None)."""
    return start <= day and (end is None or day <= end)


class StoredDocument(models.Model):
    """An uploaded document checked by ``core.uploads`` and stored under MEDIA_ROOT with a
    random name (outside the web root); it leaves the server only through an access check.
    Subclasses add the ``file`` field (with their folder) and what the document belongs to."""

    code = CodeField()
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file: models.FileField

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    def store(self, checked: CheckedFile, *, uploaded_by: User | None) -> None:
        """Fill in the checked file's facts and save file and row (inside an action)."""
        self.original_name, self.content_type = checked.name, checked.content_type
        self.size, self.sha256, self.uploaded_by = checked.size, checked.sha256, uploaded_by
        save_file(self.file, f"{self.code}.bin", checked.data)  # a refusal: ValidationError
        self.save()


# --------------------------------------------------------------------------------------------
# Background work: what a user sees of a task, and which workers are alive (kim/core/jobs.py)
# --------------------------------------------------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting for a worker")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """A long piece of work started by a user and run by ``kim worker``: its progress, its
    result (a German sentence, a link, or a stored file) or its error. Only the user who
    started it can open it (``kim.core.jobs.get_job_for_user``); the task itself runs with the
    starter's rights, checked again inside the task."""

    code = CodeField()
    kind = models.CharField(max_length=60)
    # The public code of the row the job works on (a screening list): at most one queued or
    # running job per kind and subject (``kim.core.jobs.start_job(..., subject=...)``).
    subject = models.CharField(max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    # Generated result (a PDF, an export): encrypted with the field keys like every stored file.
    result_file = models.FileField(upload_to="jobs/%Y/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    # The starter's language: the worker writes the message in it.
    language = models.CharField(max_length=8, default="de")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["kind", "subject"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


class WorkerHeartbeat(models.Model):
    """One row per ``kim worker`` process, refreshed every few seconds while it runs. A running
    task whose worker's heartbeat is older than KIM_TASK_STALE_SECONDS is handed on."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
