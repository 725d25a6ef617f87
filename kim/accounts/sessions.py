"""Signed-in browsers per user: recorded at login, listed and ended by the user (D-072).

The rows are written by the auth signal receivers (kim/accounts/auth_events.py) and by
``SessionActivityMiddleware``, which refreshes "last seen" at most once a minute per session so
ordinary requests cost no extra query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.accounts.models import UserSession
from kim.audit.models import EventType
from kim.audit.record import record

TOUCH_EVERY = dt.timedelta(minutes=1)
SEEN_KEY = "kim_seen"


def device_label(user_agent: str) -> str:
    """ "Chromium unter Linux" from a User-Agent; plain words, no version numbers."""
    ua = user_agent.lower()
    browser = next(
        (
            name
            for key, name in (
                ("edg/", "Edge"),
                ("firefox/", "Firefox"),
                ("chromium/", "Chromium"),
                ("chrome/", "Chrome"),
                ("safari/", "Safari"),
            )
            if key in ua
        ),
        _("Unknown browser"),
    )
    system = next(
        (
            name
            for key, name in (
                ("windows", "Windows"),
                ("android", "Android"),
                ("iphone", "iOS"),
                ("ipad", "iPadOS"),
                ("mac os", "macOS"),
                ("linux", "Linux"),
            )
            if key in ua
        ),
        "",
    )
    if not system:
        return browser
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}


def remember_login(request: HttpRequest, user: AbstractBaseUser) -> None:
    """At login: record this browser; drop rows of the user's sessions that have ended."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    now = timezone.now()
    UserSession.objects.filter(user_id=user.pk).exclude(
        session_key__in=Session.objects.filter(expire_date__gt=now).values("session_key")
    ).delete()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user_id": user.pk,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
            "last_seen": now,
        },
    )
    request.session[SEEN_KEY] = now.timestamp()


def forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def current_sessions(user_id: int) -> list[UserSession]:
    """The user's sessions that still exist and have not expired, newest activity first."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return list(
        UserSession.objects.filter(user_id=user_id, session_key__in=alive).order_by("-last_seen")
    )


@transaction.atomic
def end_sessions(request: HttpRequest, *, keep_current: bool) -> int:
    """End the user's other sessions (or all): their rows in django_session go, so every node
    sees them signed out at the next request. Audited with the number ended."""
    user = request.user
    keys = set(
        UserSession.objects.filter(user_id=int(user.pk or 0)).values_list("session_key", flat=True)
    )
    if keep_current:
        keys.discard(request.session.session_key or "")
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    record(
        EventType.SESSIONS_ENDED,
        actor=user,
        subject_type="auth.user",
        subject_code=str(user.pk),
        extra={"ended": ended, "this_device_too": not keep_current},
    )
    return int(ended)


class SessionActivityMiddleware:
    """Refresh "last seen" at most once a minute (one UPDATE then; none in between)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated or not session.session_key:
            return response
        now = timezone.now()
        seen = session.get(SEEN_KEY)
        if seen is None or now.timestamp() - float(seen) >= TOUCH_EVERY.total_seconds():
            UserSession.objects.filter(session_key=session.session_key).update(last_seen=now)
            session[SEEN_KEY] = now.timestamp()
        return response
