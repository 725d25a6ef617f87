from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kim.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by actions only."""

    list_display = (
        "created_at",
        "event_type",
        "actor_username",
        "organisation",
        "subject_type",
        "subject_code",
    )
    list_filter = ("event_type",)
    search_fields = ("actor_username", "subject_code", "code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
