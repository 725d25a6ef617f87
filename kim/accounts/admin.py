"""Admin for memberships: changes go through the role actions, so they are audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kim.accounts.actions import grant_role, revoke_role
from kim.accounts.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organisation", "unit", "granted_at", "revoked_at")
    list_filter = ("role", "revoked_at")
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("granted_at", "revoked_at")
    actions = ["revoke_selected"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        created = grant_role(
            acting_user=request.user,
            user=obj.user,
            organisation=obj.organisation,
            role=obj.role,
            unit=obj.unit,
        )
        obj.pk = created.pk

    @admin.action(description="Rollen entziehen")
    def revoke_selected(self, request: HttpRequest, queryset: Any) -> None:
        for membership in queryset.filter(revoked_at__isnull=True):
            revoke_role(acting_user=request.user, membership=membership)
