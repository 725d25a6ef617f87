"""Who may read the audit trail: data-protection officers and administrators, nobody else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kim.accounts.access import UserContext, is_administrator
from kim.accounts.models import Role
from kim.audit.models import AuditEvent


def can_view_audit(ctx: UserContext) -> bool:
    return is_administrator(ctx) or ctx.has_role(Role.DPO)


def require_audit_reader(ctx: UserContext) -> None:
    """403 for signed-in users without the role: the audit page's existence is no secret."""
    if not can_view_audit(ctx):
        raise PermissionDenied


def audit_events_for_user(ctx: UserContext) -> QuerySet[AuditEvent]:
    if not can_view_audit(ctx):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def get_audit_event_for_user(ctx: UserContext, code: str) -> AuditEvent:
    """404 for everyone who may not read the trail, exactly like a missing event."""
    event = (
        audit_events_for_user(ctx).select_related("actor", "organisation").filter(code=code).first()
    )
    if event is None:
        raise Http404("Audit event not found")
    return event
