from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kim.audit.models import EventType
from kim.audit.queries import AuditFilter
from kim.core.forms import PlausibleDateField


class AuditFilterForm(forms.Form):
    event_type = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("all events")), *EventType.choices]
    )
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    subject_code = forms.CharField(label=_("Subject code"), required=False, max_length=64)
    date_from = PlausibleDateField(label=_("From"), required=False, help_text=_("DD.MM.YYYY"))
    date_to = PlausibleDateField(label=_("To"), required=False, help_text=_("DD.MM.YYYY"))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data

    def to_filter(self) -> AuditFilter:
        d = self.cleaned_data
        return AuditFilter(
            event_type=d["event_type"],
            actor=d["actor"].strip(),
            subject_code=d["subject_code"].strip(),
            date_from=d["date_from"],
            date_to=d["date_to"],
        )
