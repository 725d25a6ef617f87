"""Forms of consent and disclosure. Choices (recipients, goals, documents) come from the
querysets of ``kim.cases.queries.consent`` for the one case, passed in by the views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.cases.models import CaseDocument, ConsentScope, DataCategory, Goal, ReferralStatus
from kim.core.forms import ModelMultipleChoiceField, PlausibleDateField
from kim.core.uploads import CheckedFile, check_document
from kim.organisations.models import Organisation

DATE_HINT = _("DD.MM.YYYY")
LANGUAGE_CHOICES = [("de", _("German")), ("en", _("English"))]


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class _OrganisationMultipleChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _categories_field(label: Any = None, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label or _("Data categories"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class _WithRecipients(forms.Form):
    """A form whose ``recipient`` choices are the partners of the case's region."""

    def __init__(self, *args: Any, recipients: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("recipient", "participants"):
            if name in self.fields:
                self.fields[name].queryset = recipients  # type: ignore[attr-defined]


class ConsentForm(_WithRecipients):
    scope = forms.ChoiceField(
        label=_("The person consents to"),
        choices=ConsentScope.choices,
        initial=ConsentScope.DISCLOSURE,
        required=False,  # not sent (older forms, scripts): a consent to disclose
        widget=forms.RadioSelect,
        help_text=_(
            "A screening consent lets you check the person's residence-law prospects "
            "(Baustein 3) in your own organisation; a consent to book a freelance "
            "interpreter lets your organisation tell the interpreter about appointments. "
            "Neither allows a disclosure."
        ),
    )
    recipient = _OrganisationChoice(
        label=_("Recipient"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("The partner organisation the data may be passed on to (not for a screening)."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    categories = _categories_field()
    given_on = PlausibleDateField(label=_("Given on"), help_text=DATE_HINT)
    valid_until = PlausibleDateField(
        label=_("Valid until"),
        required=False,
        help_text=_("DD.MM.YYYY; leave empty for a consent until revoked."),
    )
    form_language = forms.ChoiceField(
        label=_("Language of the signed form"), choices=LANGUAGE_CHOICES, initial="de"
    )
    # Empty files pass Django's own check so that ``check_document`` words every error.
    signed_form = forms.FileField(
        label=_("Signed form"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, DOCX or ODT, at most 10 MB."),
    )

    def clean_signed_form(self) -> CheckedFile | None:
        upload = self.cleaned_data.get("signed_form")
        return check_document(upload) if upload else None

    def clean_scope(self) -> str:
        return str(self.cleaned_data.get("scope") or ConsentScope.DISCLOSURE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") in (ConsentScope.SCREENING, ConsentScope.INTERPRETING):
            data["recipient"] = None  # stays in the case's own organisation (D-093)
        elif data.get("scope") and not data.get("recipient") and "recipient" not in self.errors:
            self.add_error("recipient", _("Choose the recipient."))
        return data


class RevokeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The person has revoked this consent; no more data may be passed on."),
    )


class ReferralForm(_WithRecipients):
    recipient = _OrganisationChoice(label=_("Recipient"), queryset=Organisation.objects.none())
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    categories = _categories_field(help_text=_("Only data covered by the person's consent."))
    sent_on = PlausibleDateField(label=_("Sent on"), help_text=DATE_HINT)
    goal = forms.ModelChoiceField(
        label=_("Goal of the integration plan"), queryset=Goal.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ReferralStatus.choices)
    on = PlausibleDateField(label=_("Date"), help_text=DATE_HINT)

    def __init__(self, *args: Any, moves: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (m, ReferralStatus(m).label) for m in moves
        ]


class ConferenceForm(_WithRecipients):
    held_on = PlausibleDateField(label=_("Held on"), help_text=DATE_HINT)
    participants = _OrganisationMultipleChoice(
        label=_("Participating partner organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    categories = _categories_field(
        label=_("Data categories discussed"),
        help_text=_("Every participating organisation needs a consent covering them."),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class _DocumentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.original_name} ({obj.get_doc_type_display()})"


class DocumentShareForm(_WithRecipients):
    document = _DocumentChoice(label=_("Document"), queryset=CaseDocument.objects.none())
    recipient = _OrganisationChoice(label=_("Recipient"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, documents: QuerySet[CaseDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents  # type: ignore[attr-defined]


class SummaryForm(_WithRecipients):
    recipient = _OrganisationChoice(label=_("Recipient"), queryset=Organisation.objects.none())
    categories = _categories_field(
        help_text=_("The summary contains only these categories; the consent must cover them.")
    )


class ConsentPrintForm(forms.Form):
    """The choices for printing a consent form (GET parameters)."""

    recipient = forms.SlugField(label=_("Recipient"), widget=forms.Select)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    categories = _categories_field()
    valid_until = PlausibleDateField(
        label=_("Valid until"),
        required=False,
        help_text=_("DD.MM.YYYY; leave empty for a consent until revoked."),
    )
    language = forms.ChoiceField(
        label=_("Translation beside the German text"), choices=LANGUAGE_CHOICES, initial="de"
    )

    def __init__(self, *args: Any, recipients: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].widget.choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((o.code, o.name) for o in recipients),
        ]
