"""Signed-in browsers per user (D-072) and the idle timeout (D-075).

The rows are written by the auth signal receivers (kim/accounts/auth_events.py) and by
``SessionActivityMiddleware``, which refreshes "last seen" at most once a minute per session so
ordinary requests cost no extra query.

``IdleTimeoutMiddleware`` keeps the time of the user's last activity in the session and signs
out whoever comes back after the idle timeout of their roles. Background requests (header
``X-KIM-Background: 1``, the status endpoint) are no activity; ``kim/static/kim/idle.js`` warns
before the timeout and offers to stay signed in.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kim.accounts.access import user_context
from kim.accounts.models import UserSession
from kim.audit.models import EventType
from kim.audit.record import record

TOUCH_EVERY = dt.timedelta(minutes=1)
SEEN_KEY = "kim_seen"
ACTIVITY_KEY = "kim_last_activity"  # POSIX timestamp of the last request that was activity
BACKGROUND_HEADER = "X-KIM-Background"
# Set on the request by IdleTimeoutMiddleware before it signs out: the logout receiver records
# SESSION_TIMED_OUT instead of LOGOUT (kim/accounts/auth_events.py).
TIMED_OUT_ATTR = "kim_idle_timeout_minutes"


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
    request.session[ACTIVITY_KEY] = now.timestamp()


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


def idle_timeout(request: HttpRequest) -> int:
    """Seconds without activity after which the signed-in user is signed out (0: never).

    Roles that reach personal data (``needs_mfa``) have ``KIM_IDLE_TIMEOUT_MINUTES``, everyone
    else ``KIM_IDLE_TIMEOUT_ALL_MINUTES``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if user_context(request).needs_mfa:
        return int(settings.KIM_IDLE_TIMEOUT_MINUTES) * 60
    return int(settings.KIM_IDLE_TIMEOUT_ALL_MINUTES) * 60


def seconds_left(request: HttpRequest, timeout: int) -> int:
    """Seconds until the timeout, from the last activity recorded in the session."""
    last = request.session.get(ACTIVITY_KEY)
    if last is None:
        return timeout
    return max(0, int(float(last) + timeout - timezone.now().timestamp()))


def record_activity(request: HttpRequest) -> None:
    request.session[ACTIVITY_KEY] = timezone.now().timestamp()


def is_background(request: HttpRequest) -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1" or request.path in _session_paths()


@functools.cache
def _session_paths() -> tuple[str, str]:
    return (reverse("session_status"), reverse("session_keep_alive"))


def _refresh_every(timeout: int) -> float:
    """How old the recorded activity may get before a request rewrites it (and so saves the
    session): once a minute, or a thirtieth of a shorter timeout – never a write per request."""
    if not timeout:
        return TOUCH_EVERY.total_seconds()
    return min(TOUCH_EVERY.total_seconds(), timeout / 30)


class IdleTimeoutMiddleware:
    """Sign out after the idle timeout; every other request that is not background refreshes
    the time of the last activity (in the session, at most once per ``_refresh_every``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        timeout = idle_timeout(request)
        now = timezone.now().timestamp()
        last = request.session.get(ACTIVITY_KEY)
        if timeout and last is not None and now - float(last) >= timeout:
            return self._time_out(request, timeout)
        if last is None or (
            not is_background(request) and now - float(last) >= _refresh_every(timeout)
        ):
            request.session[ACTIVITY_KEY] = now
        return self.get_response(request)

    def _time_out(self, request: HttpRequest, timeout: int) -> HttpResponse:
        minutes = timeout // 60
        setattr(request, TIMED_OUT_ATTR, minutes)
        logout(request)  # audited as SESSION_TIMED_OUT by the logout receiver
        messages.info(request, timed_out_message(minutes))
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login_url
            return response
        if is_background(request):
            return self.get_response(request)  # the status endpoint says "signed out"
        if request.method != "GET":  # what was sent is lost; sign in again from the start
            return redirect(login_url)
        return redirect_to_login(request.get_full_path(), login_url)


def timed_out_message(minutes: int) -> str:
    return ngettext(
        "You were signed out after %(minutes)d minute without activity.",
        "You were signed out after %(minutes)d minutes without activity.",
        minutes,
    ) % {"minutes": minutes}


def idle_timeout_context(request: HttpRequest) -> dict[str, Any]:
    """``idle``: what the warning in base.html needs (None without a timeout)."""
    if getattr(request, "session", None) is None:  # rendered outside a request cycle
        return {"idle": None}
    timeout = idle_timeout(request)
    if not timeout:
        return {"idle": None}
    return {
        "idle": {
            "timeout": timeout,
            "remaining": seconds_left(request, timeout),
            "warning": min(int(settings.KIM_IDLE_WARNING_SECONDS), timeout),
        }
    }
