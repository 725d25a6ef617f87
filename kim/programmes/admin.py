"""Admin for reference data and grants; every change goes through an audited action."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kim.programmes import actions
from kim.programmes.models import (
    EmployerAddOn,
    FundingRate,
    Grant,
    PayTableEntry,
    SpecialPaymentRate,
    StepRule,
)


class AddOnlyAdmin(admin.ModelAdmin):
    """Rows are facts with validity dates: add a new row instead of changing an old one."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FundingRate)
class FundingRateAdmin(AddOnlyAdmin):
    list_display = ("baustein", "kind", "amount", "valid_from", "valid_to", "confirmed")
    list_filter = ("baustein", "kind", "confirmed")

    def save_model(self, request: HttpRequest, obj: FundingRate, form: Any, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in form.cleaned_data}
        obj.pk = actions.record_funding_rate(acting_user=request.user, **fields).pk


@admin.register(Grant)
class GrantAdmin(AddOnlyAdmin):
    list_display = ("recipient", "year", "baustein", "approved_vze", "amount", "notice_date")
    list_filter = ("year", "baustein")

    def save_model(self, request: HttpRequest, obj: Grant, form: Any, change: bool) -> None:
        obj.pk = actions.create_grant(acting_user=request.user, **form.cleaned_data).pk


class ReadOnlyAdmin(admin.ModelAdmin):
    """Loaded from ``reference_data`` (with sources); corrections go there, reviewed like code."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayTableEntry)
class PayTableAdmin(ReadOnlyAdmin):
    list_display = ("group", "step", "valid_from", "amount", "computed")
    list_filter = ("group", "valid_from", "computed")


admin.site.register(StepRule, ReadOnlyAdmin)
admin.site.register(SpecialPaymentRate, ReadOnlyAdmin)
admin.site.register(EmployerAddOn, ReadOnlyAdmin)
