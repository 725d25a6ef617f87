"""Forms for the legal-sphere timeline and tasks of a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.cases.models import BenefitSystem, ResidenceStatus
from kim.core.forms import PlausibleDateField
from kim.organisations.models import Organisation, OrgKind

DATE_HINT = _("DD.MM.YYYY")


def kreis_authorities(region_id: int | None) -> QuerySet[Organisation]:
    """Authorities of the case's Kreis (Ausländerbehörde, Jobcenter, Sozialamt …)."""
    return Organisation.objects.filter(region_id=region_id, kind=OrgKind.AUTHORITY).order_by("name")


class _OrgChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class _PeriodForm(forms.Form):
    valid_from = PlausibleDateField(label=_("From"), help_text=DATE_HINT)
    valid_until = PlausibleDateField(label=_("Valid until"), required=False, help_text=DATE_HINT)
    authority = _OrgChoice(
        label=_("Responsible authority"), queryset=Organisation.objects.none(), required=False
    )
    file_reference = forms.CharField(label=_("File reference"), required=False, max_length=120)

    def __init__(self, *args: Any, authorities: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]


class ResidenceForm(_PeriodForm):
    status = forms.ChoiceField(label=_("Residence status"), choices=ResidenceStatus.choices)
    section = forms.CharField(
        label=_("Legal basis"),
        required=False,
        max_length=40,
        help_text=_("e.g. § 60a, § 25 Abs. 2"),
    )
    field_order = ["status", "section", "valid_from", "valid_until", "authority", "file_reference"]


class BenefitForm(_PeriodForm):
    system = forms.ChoiceField(label=_("Benefit system"), choices=BenefitSystem.choices)
    field_order = ["system", "valid_from", "valid_until", "authority", "file_reference"]


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("Task"),
        max_length=200,
        help_text=_("No names or other personal details: the case number is enough."),
    )
    due_on = PlausibleDateField(label=_("Due on"), help_text=DATE_HINT)
