"""Small model building blocks shared by all apps."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _

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
        self.file.save(f"{self.code}.bin", ContentFile(checked.data), save=False)
        self.save()
