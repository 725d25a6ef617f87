"""Forms of the data-protection operations: erasure on request and legal hold."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kim.cases.actions.dataprotection import ErasureGround


class EraseForm(forms.Form):
    """The case number typed again, so nobody erases a person by a slip of the mouse."""

    reason = forms.ChoiceField(label=_("Ground for the erasure"), choices=ErasureGround.choices)
    number = forms.CharField(
        label=_("Case number"),
        max_length=24,
        help_text=_("Type the case number to confirm, e.g. SI-2026-0042."),
    )

    def __init__(self, *args: Any, expected_number: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_number = expected_number

    def clean_number(self) -> str:
        number = str(self.cleaned_data["number"]).strip()
        if number.upper() != self.expected_number.upper():
            raise forms.ValidationError(_("This is not the case number of this person."))
        return number


class LegalHoldForm(forms.Form):
    on = forms.TypedChoiceField(
        label=_("Legal hold"),
        choices=[("1", _("Set a legal hold")), ("0", _("Lift the legal hold"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("E.g. the court and file number of the proceedings; no personal data."),
    )
