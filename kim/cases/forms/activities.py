"""Forms for contacts, appointments, notes and documents of a case file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kim.cases.models import ActivityKind, Channel, DocumentType
from kim.core.forms import PlausibleDateTimeField
from kim.core.uploads import CheckedFile, check_document


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    occurred_at = PlausibleDateTimeField(label=_("Date and time"), help_text=_("DD.MM.YYYY HH:MM"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Required for contacts and appointments."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=Channel.choices,
        required=False,
        help_text=_("Required for contacts and appointments."),
    )
    with_interpreter = forms.BooleanField(label=_("With interpreter"), required=False)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_("Only the responsible case manager can read confidential entries."),
    )

    def __init__(self, *args: Any, may_write_confidential: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_write_confidential:
            del self.fields["confidential"]


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, DOCX or ODT, at most 10 MB."))

    def clean_file(self) -> CheckedFile:
        return check_document(self.cleaned_data["file"])
