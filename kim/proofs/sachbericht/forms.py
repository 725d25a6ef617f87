"""Forms of the Sachbericht pages: one section's text and blocks, and the release."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kim.council.document import Section

from .actions import unconfirmed_error
from .blocks import SACHBERICHT_BLOCKS


class _Versioned(forms.Form):
    """The Sachbericht's version when the page was loaded (0: not stored yet)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SectionForm(_Versioned):
    narrative = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Printed under the section's heading, before the figures. "
            "Blank lines start a new paragraph."
        ),
    )
    block_keys = forms.MultipleChoiceField(
        label=_("Figures shown under the text"),
        required=False,
        choices=SACHBERICHT_BLOCKS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Live figures, computed for the funding year."),
    )


class ReleaseForm(_Versioned):
    """Releases exactly the version that was shown; one required checkbox per section whose
    figures changed since its text was saved (D-054)."""

    def __init__(self, *args: Any, changed: Sequence[Section] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in changed:
            self.fields[f"confirm_{section.number}"] = forms.BooleanField(
                label=_("I have checked the text of section %(n)s: it fits the changed figures.")
                % {"n": section.number},
                help_text=Truncator(section.question).words(20),
                error_messages={"required": unconfirmed_error(section.number)},
            )

    def confirmation_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("confirm_")]

    def confirmed_sections(self) -> list[str]:
        return [
            name.removeprefix("confirm_")
            for name, value in self.cleaned_data.items()
            if name.startswith("confirm_") and value
        ]
