"""Forms of interpreter bookings: book, cancel, record as held (D-093)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from kim.cases.actions.bookings import MAX_MINUTES
from kim.cases.models import Activity, Consent, ConsentScope, DataCategory
from kim.core import languages
from kim.core.forms import PlausibleDateTimeField
from kim.network.models import Interpreter


class InterpreterChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        names = ", ".join(languages.name(c) for c in obj.languages)
        rate = formats.number_format(obj.hourly_rate, 2, use_l10n=True, force_grouping=True)
        return f"{obj.name} – {names} ({rate} €/h)"


class ConsentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        whom = (
            obj.get_scope_display()
            if obj.scope == ConsentScope.INTERPRETING
            else obj.recipient.name
        )
        given = formats.date_format(obj.given_on, "SHORT_DATE_FORMAT")
        return f"{whom}: {obj.purpose} ({_g('given on')} {given})"


class AppointmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = timezone.localtime(obj.occurred_at)
        return formats.date_format(when, "SHORT_DATETIME_FORMAT")


class BookingForm(forms.Form):
    interpreter = InterpreterChoice(
        label=_("Interpreter"),
        queryset=Interpreter.objects.none(),
        help_text=_("Available interpreters of the Kreis' pool with their languages and rate."),
    )
    language = forms.ChoiceField(label=_("Language"))
    starts_at = PlausibleDateTimeField(label=_("Date and time"), help_text=_("DD.MM.YYYY HH:MM"))
    duration_minutes = forms.IntegerField(
        label=_("Planned duration (minutes)"), min_value=1, max_value=MAX_MINUTES, initial=60
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("Where the interpreter is expected, e.g. the office or the authority."),
    )
    activity = AppointmentChoice(
        label=_("Appointment in the case"), queryset=Activity.objects.none(), required=False
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories shared with the interpreter"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[DataCategory.MASTER_DATA],
        help_text=_("The interpreter learns at least the name and the appointment (master data)."),
    )
    consent = ConsentChoice(
        label=_("Consent"),
        queryset=Consent.objects.none(),
        required=False,
        help_text=_(
            "For an interpreting service: the person's consent for that organisation. For a "
            "freelance interpreter: the consent to book a freelance interpreter. Empty: the "
            "matching consent is looked up."
        ),
    )

    def __init__(
        self,
        *args: Any,
        interpreters: QuerySet[Interpreter],
        consents: QuerySet[Consent],
        appointments: QuerySet[Activity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interpreter"].queryset = interpreters  # type: ignore[attr-defined]
        self.fields["consent"].queryset = consents  # type: ignore[attr-defined]
        self.fields["activity"].queryset = appointments  # type: ignore[attr-defined]
        self.fields["language"].choices = languages.choices(exclude=("de",))  # type: ignore[attr-defined]

    def clean_starts_at(self) -> Any:
        value = self.cleaned_data.get("starts_at")
        if value is not None and value < timezone.now():
            raise forms.ValidationError(_("The appointment lies in the past."))
        return value


class CancelBookingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class HeldBookingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    billed_minutes = forms.IntegerField(
        label=_("Minutes billed"),
        min_value=1,
        max_value=MAX_MINUTES,
        help_text=_("As on the interpreter's invoice."),
    )
