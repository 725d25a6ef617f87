"""Authentication events → audit trail.

Django and allauth announce logins, failed logins, logouts and MFA changes through signals;
these receivers are the only signal handlers in the project (docs/decisions.md, D-005). A failed
login also counts in the metrics (``kim_login_failures_total``).
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from kim.accounts import sessions
from kim.audit.models import EventType
from kim.audit.record import record


@receiver(auth_signals.user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventType.LOGIN, actor=user, subject_type="auth.user", subject_code=str(user.pk))
    if request is not None and hasattr(request, "session"):
        sessions.remember_login(request, user)


@receiver(auth_signals.user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    idle_minutes = getattr(request, sessions.TIMED_OUT_ATTR, None)
    if user is not None and idle_minutes is not None:
        record(
            EventType.SESSION_TIMED_OUT,
            actor=user,
            subject_type="auth.user",
            subject_code=str(user.pk),
            extra={"idle_minutes": idle_minutes},
        )
    elif user is not None:
        record(EventType.LOGOUT, actor=user, subject_type="auth.user", subject_code=str(user.pk))
    if request is not None and hasattr(request, "session"):
        sessions.forget(request.session.session_key)


@receiver(auth_signals.user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The attempted username is kept (it identifies whose account is under attack); the
    # password never is (Django already masks it in ``credentials``).
    username = str(credentials.get("username") or credentials.get("login") or "")[:150]
    # Imported on use: prometheus_client is not needed by processes that never log in (the
    # CLI's cold start, decisions D-080).
    from kim.core import metrics

    metrics.LOGIN_FAILURES.inc()
    record(
        EventType.LOGIN_FAILED, actor=None, subject_type="auth.user", extra={"username": username}
    )


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record(
        EventType.MFA_ADDED,
        actor=user,
        subject_type="auth.user",
        subject_code=str(user.pk),
        extra={"type": authenticator.type},
    )


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record(
        EventType.MFA_REMOVED,
        actor=user,
        subject_type="auth.user",
        subject_code=str(user.pk),
        extra={"type": authenticator.type},
    )


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record(
        EventType.MFA_RECOVERY_RESET,
        actor=user,
        subject_type="auth.user",
        subject_code=str(user.pk),
        extra={"type": authenticator.type},
    )


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(
        EventType.PASSWORD_CHANGED, actor=user, subject_type="auth.user", subject_code=str(user.pk)
    )
