"""Small model building blocks shared by all apps."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models


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
