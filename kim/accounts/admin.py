"""Admin for memberships: changes go through the role actions, so they are audited."""

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from kim.accounts.actions import grant_role, revoke_role
from kim.accounts.models import Membership
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
