from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kim.organisations import actions
from kim.organisations.models import (
    Organisation,
    OrganisationalUnit,
    PopulationFigure,
    ResponsibilityPeriod,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "ags", "region", "is_demo")
    list_filter = ("kind", "authority_type", "is_demo")
    search_fields = ("name", "short_name", "ags")
    readonly_fields = ("code", "version", "region")
    autocomplete_fields = ("parent", "umbrella")

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in actions.EDITABLE_FIELDS
        }
        if change:
            current = Organisation.objects.get(pk=obj.pk)
            actions.update_organisation(
                current, acting_user=request.user, expected_version=current.version, **fields
            )
        else:
            created = actions.create_organisation(
                acting_user=request.user,
                **{
                    n: form.cleaned_data[n]
                    for n in actions.EDITABLE_FIELDS
                    if n in form.cleaned_data
                },
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrganisationalUnit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    readonly_fields = ("code",)

    def save_model(
        self, request: HttpRequest, obj: OrganisationalUnit, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = actions.create_unit(
            obj.organisation, acting_user=request.user, name=obj.name, short_name=obj.short_name
        )
        obj.pk = created.pk

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ResponsibilityPeriod)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ("authority", "kommune", "valid_from", "valid_to")
    list_filter = ("authority",)

    # Periods are recorded on the authority's page, where the overlap rule is checked.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PopulationFigure)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ("kommune", "category", "reference_date", "value", "source")
    list_filter = ("category", "reference_date")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
