"""Admin for memberships: changes go through the role actions, so they are audited."""

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from kim.accounts.actions import (
    add_group_mapping,
    decide_group_mapping,
    grant_role,
    remove_group_mapping,
    revoke_role,
)
from kim.accounts.models import GrantStatus, GroupMapping, Membership
from kim.audit.models import EventType
from kim.audit.record import record


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Grants go through ``grant_role``: a role that needs a second person lands in "pending"
    (D-051) and is confirmed on ``/rollen/freigaben/``, never here. The form offers only who,
    where and which role; status and the decision fields cannot be posted."""

    list_display = (
        "user",
        "role",
        "organisation",
        "unit",
        "status",
        "granted_by",
        "granted_at",
        "decided_by",
        "revoked_at",
    )
    list_filter = ("status", "role", "revoked_at")
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("organisation",)
    fields = ("user", "organisation", "unit", "role")
    readonly_fields = (
        "granted_at",
        "revoked_at",
        "status",
        "granted_by",
        "decided_by",
        "decided_at",
    )
    actions = ["revoke_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fields
        return (*self.fields, *self.readonly_fields)

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
            via="admin",
        )
        obj.pk = created.pk

    @admin.action(description="Rollen entziehen")
    def revoke_selected(self, request: HttpRequest, queryset: Any) -> None:
        for membership in queryset.held():
            revoke_role(acting_user=request.user, membership=membership)


@admin.register(GroupMapping)
class GroupMappingAdmin(admin.ModelAdmin):
    """Group → role mappings (D-069). Changes go through the actions, so they are audited; a
    mapping for a role that opens case or screening data waits for a second administrator or
    the DPO, who confirms it here. Removing ends the memberships the mapping granted."""

    list_display = ("group", "source", "role", "organisation", "unit", "status", "created_by")
    list_filter = ("status", "role", "source")
    search_fields = ("group", "organisation__name", "organisation__ags")
    autocomplete_fields = ("organisation",)
    fields = ("group", "source", "organisation", "unit", "role")
    readonly_fields = (
        "status",
        "created_by",
        "created_at",
        "decided_by",
        "decided_at",
        "removed_at",
    )
    actions = ["confirm_selected", "reject_selected", "remove_selected"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(removed_at__isnull=True)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fields
        return (*self.fields, *self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: GroupMapping, form: Any, change: bool) -> None:
        created = add_group_mapping(
            acting_user=request.user,
            group=obj.group,
            organisation=obj.organisation,
            role=obj.role,
            unit=obj.unit,
            source=obj.source,
            via="admin",
        )
        obj.pk = created.pk

    def _decide(self, request: HttpRequest, queryset: Any, confirm: bool) -> None:
        for mapping in queryset.filter(status=GrantStatus.PENDING):
            try:
                decide_group_mapping(acting_user=request.user, mapping=mapping, confirm=confirm)
            except PermissionDenied as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
                return

    @admin.action(description="Zuordnungen bestätigen (zweite Person)")
    def confirm_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, confirm=True)

    @admin.action(description="Zuordnungen ablehnen")
    def reject_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, confirm=False)

    @admin.action(description="Zuordnungen entfernen (beendet ihre Rollen)")
    def remove_selected(self, request: HttpRequest, queryset: Any) -> None:
        for mapping in queryset:
            remove_group_mapping(acting_user=request.user, mapping=mapping, via="admin")


class AuditedUserAdmin(UserAdmin):
    """Django's user admin, with account creation and changes written to the audit trail."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        event = EventType.USER_UPDATED if change else EventType.USER_CREATED
        if form.changed_data or not change:
            record(
                event,
                actor=request.user,
                subject_type="auth.user",
                subject_code=str(obj.pk),
                extra={"fields": sorted(f for f in form.changed_data if f != "password")},
            )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            record(
                EventType.PASSWORD_CHANGED,
                actor=request.user,
                subject_type="auth.user",
                subject_code=str(id),
            )
        return response


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)
# The admin login goes through allauth, so rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
