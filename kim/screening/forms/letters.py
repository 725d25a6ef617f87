"""The invitation letter text form (issue 19, D-092): the fixed texts, then one field per
term (rule titles and documents to bring); an empty term is printed in German."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kim.core import languages
from kim.core.forms import PlausibleDateField
from kim.screening.actions.letters import TERM_KEYS, check_letter_values
from kim.screening.reference_data import LETTER_TERMS_DE


def _catalogue() -> list[tuple[str, str]]:
    return languages.choices()


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LetterTextForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the text"), choices=_catalogue)
    valid_from = PlausibleDateField(label=_("Valid from"), help_text=_("DD.MM.YYYY"))
    title = forms.CharField(label=_("Title"), max_length=200)
    file_number_label = forms.CharField(label=_("Label “file number”"), max_length=100)
    salutation = forms.CharField(
        label=_("Salutation"), max_length=200, help_text=_("Placeholder: {name}.")
    )
    intro = forms.CharField(label=_("Introduction"), widget=_area())
    promising_intro = forms.CharField(
        label=_("Introduction of the possibilities"), widget=_area(2), required=False
    )
    fallback_promising = forms.CharField(
        label=_("Possibility where no rule stands out"), max_length=300
    )
    possibly_from = forms.CharField(
        label=_("“Possibly from” line"),
        max_length=200,
        help_text=_("Placeholders: {rule}, {day}."),
    )
    documents_intro = forms.CharField(label=_("Introduction of the documents"), widget=_area(2))
    disclaimer = forms.CharField(label=_("Note that the letter is no decision"), widget=_area())
    contact_label = forms.CharField(label=_("Label “contact”"), max_length=100)
    closing = forms.CharField(label=_("Closing"), max_length=200)
    binding_note = forms.CharField(
        label=_("Note that the German text is binding"),
        max_length=300,
        required=False,
        help_text=_("In this language; printed above the translation. Required for a translation."),
    )
    certified_by = forms.CharField(
        label=_("Translation certified by"),
        max_length=300,
        required=False,
        help_text=_(
            "Who translated and certified the text (never a machine translation). "
            "Required for a translation."
        ),
    )
    source = forms.CharField(label=_("Source"), max_length=500, required=False)
    valid_to = PlausibleDateField(
        label=_("Valid to"), required=False, help_text=_("DD.MM.YYYY; empty: open-ended.")
    )
    is_demo = forms.BooleanField(label=_("Demo text (not a checked translation)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        new: bool,
        language: str = "",
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        for key, value in (initial.pop("terms", None) or {}).items():
            initial[f"term_{key}"] = value
        super().__init__(data, initial=initial)
        self.fixed_language = language
        if new:
            del self.fields["valid_to"], self.fields["version"]
        else:
            del self.fields["language"], self.fields["valid_from"]
        for key in TERM_KEYS:
            self.fields[f"term_{key}"] = forms.CharField(
                label=_("Term: %(german)s") % {"german": LETTER_TERMS_DE.get(key, key)},
                max_length=300,
                required=False,
                help_text=_("Empty: printed in German."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        terms = {}
        for key in TERM_KEYS:
            value = str(data.pop(f"term_{key}", "") or "").strip()
            if value:
                terms[key] = value
        data["terms"] = terms
        language = data.get("language") or self.fixed_language
        values = {k: v for k, v in data.items() if k not in ("language", "valid_from", "version")}
        try:
            check_letter_values(language, values)
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                target = name if name in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        return data
