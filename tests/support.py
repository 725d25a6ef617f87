"""Helpers shared by tests in several apps (fixtures live in the root conftest.py)."""

from __future__ import annotations

from django.test import Client


def reauthenticated(username: str) -> Client:
    """A client signed in through the real login form as ``username`` (demo password) that has
    just entered its password again, as sensitive actions ask (allauth re-authentication)."""
    client = Client()
    assert client.post("/konto/login/", {"login": username, "password": "demo"}).status_code == 302
    assert client.post("/konto/reauthenticate/", {"password": "demo"}).status_code == 302
    return client


def events_besides_system_access() -> int:
    """Audit events other than ``core.rls_bypassed``: on PostgreSQL, system work that reads
    across organisations (a retention plan, the retention counts, a dry run of the key
    rotation, the demo seed) records that it passed row-level security, and changes nothing
    else (kim/core/rls.py, D-076)."""
    from kim.audit.models import AuditEvent, EventType

    return AuditEvent.objects.exclude(event_type=EventType.RLS_BYPASSED).count()


def system_access_events(reason: str) -> int:
    """How many times system work with this reason passed row-level security."""
    from kim.audit.models import AuditEvent, EventType

    return AuditEvent.objects.filter(
        event_type=EventType.RLS_BYPASSED, extra__reason=reason
    ).count()
