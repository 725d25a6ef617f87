"""Forms of the structural barriers: recording one in a case, filtering the anonymised log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.cases.models import BarrierCategory
from kim.core.forms import PlausibleDateField
from kim.organisations.models import Organisation, Rechtskreis

DATE_HINT = _("DD.MM.YYYY")


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class BarrierForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=BarrierCategory.objects.none())
    rechtskreis = forms.ChoiceField(
        label=_("Legal sphere"), choices=Rechtskreis.choices, required=False
    )
    organisation_involved = _OrganisationChoice(
        label=_("Organisation involved"), queryset=Organisation.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Describe the barrier in general terms: no names, case numbers, dates, addresses, "
            "phone numbers or other details about the person. The coordination sees this text."
        ),
    )
    suggested_remedy = forms.CharField(
        label=_("Suggested remedy"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    observed_on = PlausibleDateField(
        label=_("Observed on"),
        help_text=_("DD.MM.YYYY; only the month is stored."),
    )

    def __init__(
        self,
        *args: Any,
        categories: QuerySet[BarrierCategory],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["organisation_involved"].queryset = organisations  # type: ignore[attr-defined]


QUARTERS = [("", _("all")), ("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")]


class BarrierFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=QUARTERS, required=False, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("all")), *categories]  # type: ignore[attr-defined]
