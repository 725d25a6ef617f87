"""Forms for clients: registration with the duplicate check, editing, household, search.

Choices (towns, organisations) come from querysets the view passes in; the forms only type
and tidy input, the actions check the rules.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kim.cases.models import Person, ReferralSource, Relation, Sex
from kim.core.forms import PlausibleDateField
from kim.organisations.models import Organisation, OrgKind

DATE_HINT = _("DD.MM.YYYY")


def split_list(value: str) -> list[str]:
    """ "ar, ku; de" → ["ar", "ku", "de"] (commas or semicolons, duplicates dropped)."""
    return list(dict.fromkeys(part.strip() for part in re.split(r"[,;]", value) if part.strip()))


def kreis_towns(region_ids: frozenset[int]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        region_id__in=region_ids, kind__in=[OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT]
    ).order_by("name")


def organisations_by_ids(ids: frozenset[int]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def kreis_organisations(region_ids: frozenset[int]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(region_id__in=region_ids).order_by("name")


class _OrgChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PersonFieldsForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=120)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    birth_date = PlausibleDateField(
        label=_("Birth date"), required=False, help_text=DATE_HINT, past_only=True
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas, e.g. ar, ku, de or Arabic, Kurdish"),
    )
    interpreter_needed = forms.BooleanField(label=_("Interpreter needed"), required=False)
    nationalities = forms.CharField(
        label=_("Nationalities"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas, e.g. SY, AF"),
    )
    town = _OrgChoice(
        label=_("Town of residence"), queryset=Organisation.objects.none(), required=False
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=60)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, towns: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns  # type: ignore[attr-defined]

    def clean_languages(self) -> list[str]:
        return split_list(self.cleaned_data["languages"])

    def clean_nationalities(self) -> list[str]:
        return [
            n.upper() if len(n) <= 3 else n for n in split_list(self.cleaned_data["nationalities"])
        ]


class RegisterClientForm(PersonFieldsForm):
    organisation = _OrgChoice(label=_("Case kept by"), queryset=Organisation.objects.none())
    referral_source = forms.ChoiceField(label=_("Referred by"), choices=ReferralSource.choices)
    referral_organisation = _OrgChoice(
        label=_("Referring organisation"), queryset=Organisation.objects.none(), required=False
    )
    referred_on = PlausibleDateField(label=_("Referred on"), help_text=DATE_HINT)
    on_waiting_list = forms.BooleanField(label=_("Put on the waiting list"), required=False)
    confirm_distinct = forms.BooleanField(
        label=_("This is a different person"),
        required=False,
        help_text=_("Confirm only after checking the similar persons listed above."),
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        referrers: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["referral_organisation"].queryset = referrers  # type: ignore[attr-defined]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()
        self.order_fields(["organisation"])

    def clean_referred_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["referred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The referral date lies in the future."))
        return day


class PersonEditForm(PersonFieldsForm):
    special_categories = forms.CharField(
        label=_("Special-category data"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Health, religion and other data under Art. 9 GDPR, only where needed."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "languages": ", ".join(person.languages),
            "interpreter_needed": person.interpreter_needed,
            "nationalities": ", ".join(person.nationalities),
            "town": person.town_id,
            "address": person.address or "",
            "phone": person.phone or "",
            "email": person.email or "",
            "special_categories": person.special_categories or "",
            "notes": person.notes or "",
            "version": person.version,
        }


class HouseholdForm(forms.Form):
    number = forms.CharField(
        label=_("Case number of the household member"),
        max_length=24,
        help_text=_("e.g. SI-2026-0042; the person must be a client of your organisation."),
    )
    relation = forms.ChoiceField(
        label=_("The household member is the client's"), choices=Relation.choices
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("First and/or last name; similar-sounding names are found too."),
    )
    birth_date = PlausibleDateField(
        label=_("Birth date"), required=False, help_text=DATE_HINT, past_only=True
    )
