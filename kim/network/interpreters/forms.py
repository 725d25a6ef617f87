"""Forms of the interpreter pool: the filter of the list and the entry of an interpreter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.core import languages
from kim.network.models import InterpreterKind
from kim.organisations.models import Organisation

ACTIVE_CHOICES = [
    ("", _("all")),
    ("yes", _("available for bookings")),
    ("no", _("deactivated")),
]


def language_choices() -> list[tuple[str, str]]:
    """The clients' languages an interpreter can offer (German excluded)."""
    return languages.choices(exclude=("de",))


class PoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    language = forms.ChoiceField(label=_("Language"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("all")), *language_choices()]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("all")), *InterpreterKind.choices]  # type: ignore[attr-defined]


class InterpreterForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages the interpreter interprets from and into German."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=InterpreterKind.choices, widget=forms.RadioSelect
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required for an interpreter employed by an interpreting service."),
    )
    hourly_rate = forms.DecimalField(
        label=_("Cost per hour (€)"), min_value=0, max_digits=8, decimal_places=2, localize=True
    )
    phone = forms.CharField(
        label=_("Office phone"),
        max_length=60,
        required=False,
        help_text=_("Office contact for bookings only, never a private number."),
    )
    email = forms.EmailField(
        label=_("Office e-mail"),
        required=False,
        help_text=_("Office contact for bookings only, never a private address."),
    )

    def __init__(self, *args: Any, employers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = employers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = not data.get("organisation") and "organisation" not in self.errors
        if data.get("kind") == InterpreterKind.ORGANISATION and missing:
            self.add_error(
                "organisation", _("Choose the organisation that employs the interpreter.")
            )
        return data


class ActiveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
