"""Forms of consent and disclosure. Choices (recipients, goals, documents) come from the
querysets of ``kim.cases.queries.consent`` for the one case, passed in by the views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kim.cases.models import CaseDocument, ConsentScope, DataCategory, Goal, ReferralStatus
from kim.core import languages
from kim.core.forms import ModelMultipleChoiceField, PlausibleDateField
from kim.core.placeholders import check_placeholders
from kim.core.uploads import CheckedFile, check_document
from kim.network.models import Service
from kim.organisations.models import Organisation

DATE_HINT = _("DD.MM.YYYY")


def _catalogue_choices() -> list[tuple[str, str]]:
    """Every language of the catalogue (kim/core/languages), German first."""
    return languages.choices()


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
        label=_("Language of the signed form"), choices=_catalogue_choices, initial="de"
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
    """A referral to a partner, optionally to one of its services in the directory: the
    service's provider becomes the recipient when none is chosen (D-091)."""

    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        help_text=_(
            "A service of the directory; its provider becomes the recipient if you choose none."
        ),
    )
    recipient = _OrganisationChoice(
        label=_("Recipient"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Needed unless you choose a service."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    categories = _categories_field(help_text=_("Only data covered by the person's consent."))
    sent_on = PlausibleDateField(label=_("Sent on"), help_text=DATE_HINT)
    goal = forms.ModelChoiceField(
        label=_("Goal of the integration plan"), queryset=Goal.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["service", "recipient"]

    def __init__(
        self,
        *args: Any,
        goals: QuerySet[Goal],
        services_on: Callable[[dt.date], QuerySet[Service]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        # The services valid on the day the referral is sent (today until a date is posted).
        self.services = {s.code: s for s in services_on(self._sent_on())}
        groups: dict[str, list[tuple[str, str]]] = {}
        for service in self.services.values():
            groups.setdefault(service.provider.name, []).append((service.code, service.name))
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((provider, options) for provider, options in groups.items()),
        ]

    def _sent_on(self) -> dt.date:
        if self.is_bound:
            try:
                value = self.fields["sent_on"].clean(self.data.get(self.add_prefix("sent_on")))
            except forms.ValidationError:
                value = None
            if isinstance(value, dt.date):
                return value
        return timezone.localdate()

    def clean_service(self) -> Service | None:
        code = self.cleaned_data.get("service") or ""
        return self.services.get(code) if code else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service, recipient = data.get("service"), data.get("recipient")
        if "service" in self.errors or "recipient" in self.errors:
            return data
        if service is None and recipient is None:
            self.add_error("recipient", _("Choose the recipient or a service."))
        elif service is not None and recipient is None:
            provider = self.fields["recipient"].queryset.filter(pk=service.provider_id).first()  # type: ignore[attr-defined]
            if provider is None:
                self.add_error(
                    "service", _("The provider of this service cannot receive referrals here.")
                )
            else:
                data["recipient"] = provider
        elif service is not None and recipient is not None and recipient.pk != service.provider_id:
            self.add_error(
                "service",
                _("This service is offered by %(provider)s, not by the recipient you chose.")
                % {"provider": service.provider.name},
            )
        return data


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
        label=_("Translation after the German text"),
        choices=[("de", _("German"))],
        initial="de",
        help_text=_("The languages for which your Kreis (or the platform) has a text."),
    )

    def __init__(
        self,
        *args: Any,
        recipients: QuerySet[Organisation],
        language_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if language_choices:
            self.fields["language"].choices = language_choices  # type: ignore[attr-defined]
        self.fields["recipient"].widget.choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((o.code, o.name) for o in recipients),
        ]


# --------------------------------------------------------------------------------------------
# Consent form texts of the Kreis (issue 19, D-092)
# --------------------------------------------------------------------------------------------


class FormTextForm(forms.Form):
    """A consent form text; ``new``: with language and start (a new dated version)."""

    language = forms.ChoiceField(label=_("Language of the text"), choices=_catalogue_choices)
    valid_from = PlausibleDateField(label=_("Valid from"), help_text=DATE_HINT)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Placeholders: {person}, {organisation}, {recipient}, {purpose}, {categories}, "
            "{valid_until}."
        ),
    )
    binding_note = forms.CharField(
        label=_("Note that the German text is binding"),
        max_length=300,
        required=False,
        help_text=_("In this language; printed above the translation. Required for a translation."),
    )
    place_date_label = forms.CharField(
        label=_("Label “place, date”"),
        max_length=100,
        required=False,
        help_text=_("In this language. Required for a translation."),
    )
    signature_label = forms.CharField(
        label=_("Label “signature”"),
        max_length=100,
        required=False,
        help_text=_("In this language. Required for a translation."),
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

    def __init__(self, *args: Any, new: bool, language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new = new
        self.fixed_language = language
        if new:
            del self.fields["valid_to"], self.fields["version"]
        else:
            del self.fields["language"], self.fields["valid_from"]

    def clean_body(self) -> str:
        from kim.cases.queries.consent import PLACEHOLDERS

        body = str(self.cleaned_data["body"])
        check_placeholders(body, PLACEHOLDERS)
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        language = data.get("language") or self.fixed_language
        if language and language != "de":
            for name in ("binding_note", "place_date_label", "signature_label", "certified_by"):
                if name in self.fields and not str(data.get(name) or "").strip():
                    self.add_error(name, _("Required for a translation."))
        return data
