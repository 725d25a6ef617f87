"""Forms of the cooperation pages. Choices come from ``access.py`` querysets passed in by views."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.core.forms import ModelMultipleChoiceField, PlausibleDateField, PlausibleDateTimeField
from kim.core.uploads import CheckedFile, check_document
from kim.organisations.models import Organisation
from kim.partners.models import (
    DEFAULT_CONDITIONS,
    AgreementKind,
    CallDecision,
    CallStatus,
    Criterion,
    DutyKind,
    Outcome,
    PaymentKind,
    Review,
    ServiceKind,
    Submission,
    TalkFormat,
)
from kim.programmes.models import Baustein, EmployerType, Position

DATE_HINT = _("DD.MM.YYYY")


class TalkFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Topics, outcome or host"))
    traeger = forms.ChoiceField(label=_("Welfare agency"), required=False)
    host = forms.ChoiceField(label=_("Held by"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("all")), *Outcome.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[str, str]],
        hosts: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["traeger"].choices = [("", _("all")), *agencies]  # type: ignore[attr-defined]
        self.fields["host"].choices = [("", _("all")), *hosts]  # type: ignore[attr-defined]


class _OrganisationMultipleChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class _PositionMultipleChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.baustein} · {obj.title} ({obj.home.name})"


class TalkForm(forms.Form):
    host = forms.ModelChoiceField(
        label=_("Held by"),
        queryset=Organisation.objects.none(),
        help_text=_("The Kreis or town that held the talk."),
    )
    held_on = PlausibleDateField(label=_("Date"), help_text=DATE_HINT)
    format = forms.ChoiceField(label=_("Format"), choices=TalkFormat.choices)
    traeger = _OrganisationMultipleChoice(
        label=_("Welfare agencies that took part"),
        queryset=Organisation.objects.none(),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    topics = forms.CharField(label=_("Topics"), widget=forms.Textarea(attrs={"rows": 4}))
    baustein = forms.ChoiceField(
        label=_("Baustein"), required=False, choices=[("", _("none")), *Baustein.choices]
    )
    positions = _PositionMultipleChoice(
        label=_("Positions concerned"),
        queryset=Position.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.OPEN)
    outcome_summary = forms.CharField(
        label=_("Outcome in brief"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences that may appear in a council report."),
    )

    def __init__(
        self,
        *args: Any,
        hosts: QuerySet[Organisation],
        agencies: QuerySet[Organisation],
        positions: QuerySet[Position],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["traeger"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["positions"].queryset = positions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Agencies and positions must belong to the host's Kreis (administrators see all)."""
        data = super().clean() or {}
        host = data.get("host")
        if host is None:
            return data
        region_id = host.region_id_or_self
        if any(a.region_id != region_id for a in data.get("traeger") or []):
            self.add_error("traeger", _("Choose welfare agencies of the host's Kreis."))
        if any(p.region_id != region_id for p in data.get("positions") or []):
            self.add_error("positions", _("Choose positions of the host's Kreis."))
        return data


class OutcomeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    outcome_summary = forms.CharField(
        label=_("Outcome in brief"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences that may appear in a council report."),
    )


class MinutesForm(forms.Form):
    # Empty files pass Django's own check so that ``check_document`` words every error.
    file = forms.FileField(
        label=_("Minutes"),
        allow_empty_file=True,
        help_text=_("PDF, DOCX or ODT, at most 10 MB."),
    )

    def clean_file(self) -> CheckedFile:
        return check_document(self.cleaned_data["file"])


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class FollowUpForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    owner = _UserChoice(label=_("Owner"), queryset=User.objects.none())
    due = PlausibleDateField(label=_("Due on"), help_text=DATE_HINT)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    towns = _OrganisationMultipleChoice(
        label=_("Towns served"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    def __init__(self, *args: Any, towns: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["towns"].queryset = towns  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    role = forms.CharField(
        label=_("Role"),
        max_length=120,
        help_text=_("e.g. management, head of migration services"),
    )
    office_email = forms.EmailField(
        label=_("Office e-mail"),
        required=False,
        help_text=_("A role or office address, not a private one."),
    )
    office_phone = forms.CharField(label=_("Office phone"), required=False, max_length=40)


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class StaffingDecisionForm(forms.Form):
    decided_on = PlausibleDateField(label=_("Decided on"), help_text=DATE_HINT)
    employer_type = forms.ChoiceField(label=_("Filled by"), choices=EmployerType.choices)
    traeger = _OrganisationChoice(
        label=_("Welfare agency"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only when a welfare agency fills the post."),
    )
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 4}))
    tasks = forms.CharField(
        label=_("Tasks"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    decided_by = forms.CharField(
        label=_("Decided by"),
        required=False,
        max_length=200,
        help_text=_("e.g. council resolution of …"),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["traeger"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        employer, agency = data.get("employer_type"), data.get("traeger")
        if employer == EmployerType.TRAEGER and agency is None:
            self.add_error("traeger", _("Name the welfare agency that fills the post."))
        if employer == EmployerType.MUNICIPAL and agency is not None:
            self.add_error("traeger", _("A post filled by municipal staff has no welfare agency."))
        return data


# --- pass-through agreements ---------------------------------------------------------------

AMOUNT_LINE = re.compile(r"^\s*(\d{4})\s*:\s*([\d.,]+)\s*(?:;\s*([\d.,]+))?\s*$")


def _decimal(text: str) -> Decimal:
    """German or plain notation: "57.000,00", "57000,5", "57000.50"."""
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text)


class AgreementForm(forms.Form):
    grantor = _OrganisationChoice(label=_("Grantor"), queryset=Organisation.objects.none())
    recipient = _OrganisationChoice(label=_("Recipient"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    signed_on = PlausibleDateField(label=_("Signed on"), help_text=DATE_HINT)
    period_start = PlausibleDateField(label=_("Period from"), help_text=DATE_HINT)
    period_end = PlausibleDateField(label=_("Period to"), help_text=DATE_HINT)
    amounts = forms.CharField(
        label=_("Amounts per year"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('One line per year: "YYYY: amount; top-up", e.g. "2026: 114000,00; 20000".'),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=DEFAULT_CONDITIONS,
    )
    positions = _PositionMultipleChoice(
        label=_("Positions"),
        queryset=Position.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        grantors: QuerySet[Organisation],
        recipients: QuerySet[Organisation],
        positions: QuerySet[Position],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grantor"].queryset = grantors  # type: ignore[attr-defined]
        self.fields["recipient"].queryset = recipients  # type: ignore[attr-defined]
        self.fields["positions"].queryset = positions  # type: ignore[attr-defined]

    def clean_amounts(self) -> list[tuple[int, Decimal, Decimal]]:
        lines = []
        for raw in self.cleaned_data["amounts"].splitlines():
            if not raw.strip():
                continue
            match = AMOUNT_LINE.match(raw)
            try:
                if match is None:
                    raise InvalidOperation
                top_up = _decimal(match[3]) if match[3] else Decimal(0)
                lines.append((int(match[1]), _decimal(match[2]), top_up))
            except InvalidOperation:
                raise forms.ValidationError(
                    _('"%(line)s" is not of the form "YYYY: amount; top-up".'),
                    params={"line": raw.strip()},
                ) from None
        return lines


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentKind.choices)
    due_on = PlausibleDateField(label=_("Due on"), help_text=DATE_HINT)
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=12, decimal_places=2)


class DoneForm(forms.Form):
    done_on = PlausibleDateField(label=_("Done on"), help_text=DATE_HINT)


class ReportingDutyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=DutyKind.choices)
    due_on = PlausibleDateField(label=_("Due on"), help_text=DATE_HINT)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReceivedForm(forms.Form):
    received_on = PlausibleDateField(label=_("Received on"), help_text=DATE_HINT)


class ReviewForm(forms.Form):
    review = forms.ChoiceField(
        label=_("Review result"), choices=[c for c in Review.choices if c[0] != Review.PENDING]
    )
    reclaim_amount = forms.DecimalField(
        label=_("Reclaim (€)"), max_digits=12, decimal_places=2, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


# --- calls for expressions of interest -----------------------------------------------------


class GermanDecimalField(forms.DecimalField):
    """A Decimal typed the German way ("57.000,00", "57000,5") or plainly ("57000.50")."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            return _decimal(str(value).strip())
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class MoneyField(GermanDecimalField):
    """Euro amounts as text (with ``inputmode``), shown in German notation."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)


class VzeField(GermanDecimalField):
    """Full-time equivalents with two decimals; a number input stepping by 0.01."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "step": "0.01", "inputmode": "decimal"}


class _PostChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        vze = f"{obj.vze:.2f}".replace(".", ",")
        return f"{obj.baustein} · {obj.title} ({obj.home.name}), {vze} VZÄ"


DEADLINE_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CallFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Title or area"))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *CallStatus.choices]
    )
    year = forms.IntegerField(
        label=_("Year of the deadline"), required=False, min_value=2000, max_value=2100
    )


class CallForm(forms.Form):
    issuer = _OrganisationChoice(
        label=_("Issued by"),
        queryset=Organisation.objects.none(),
        help_text=_("The Kreis or town that offers the posts and passes the funds on."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    baustein = forms.ChoiceField(label=_("Baustein"), choices=Baustein.choices)
    area = forms.CharField(
        label=_("Area"),
        max_length=300,
        help_text=_("Where the posts work, e.g. a town or district."),
    )
    positions = _PostChoice(
        label=_("Posts offered"),
        queryset=Position.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Posts of the Baustein that are not yet filled by a welfare agency."),
    )
    period_start = PlausibleDateField(label=_("Period from"), help_text=DATE_HINT)
    period_end = PlausibleDateField(label=_("Period to"), help_text=DATE_HINT)
    funding_per_vze = MoneyField(
        label=_("Funding per VZÄ and year (€)"), help_text=_('e.g. "57.000,00"')
    )
    top_up_per_vze = MoneyField(
        label=_("Top-up per VZÄ and year (€)"),
        required=False,
        help_text=_("What the issuer adds on top of the funding, if anything."),
    )
    deadline = PlausibleDateTimeField(
        label=_("Deadline for submissions"),
        widget=DEADLINE_WIDGET,
        help_text=_("Day and time; submissions received later are refused."),
    )
    scale_max = forms.IntegerField(
        label=_("Highest score"),
        initial=10,
        min_value=1,
        max_value=100,
        help_text=_("Each criterion is scored from 0 to this."),
    )
    min_evaluators = forms.IntegerField(
        label=_("Evaluators needed"),
        initial=2,
        min_value=2,
        max_value=9,
        help_text=_("How many different people must score every submission before a decision."),
    )

    def __init__(
        self,
        *args: Any,
        issuers: QuerySet[Organisation],
        positions: QuerySet[Position],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]
        self.fields["positions"].queryset = positions.select_related("home")  # type: ignore[attr-defined]

    def clean_top_up_per_vze(self) -> Decimal:
        return self.cleaned_data.get("top_up_per_vze") or Decimal(0)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(label=_("What is assessed"), required=False, max_length=500)
    weight = forms.IntegerField(
        label=_("Weight (%)"),
        min_value=1,
        max_value=100,
        help_text=_("The weights of all criteria must add up to 100 % before publication."),
    )


class PublishForm(forms.Form):
    published_on = PlausibleDateField(label=_("Published on"), help_text=DATE_HINT)


class _OptionalDocumentMixin:
    cleaned_data: dict[str, Any]

    def clean_document(self) -> CheckedFile | None:
        upload = self.cleaned_data.get("document")
        return check_document(upload) if upload else None


class SubmissionForm(_OptionalDocumentMixin, forms.Form):
    traeger = _OrganisationChoice(label=_("Welfare agency"), queryset=Organisation.objects.none())
    submitted_at = PlausibleDateTimeField(
        label=_("Received at"),
        required=False,
        widget=DEADLINE_WIDGET,
        help_text=_("For a submission that arrived on paper or by e-mail; empty means now."),
    )
    vze_offered = VzeField(label=_("VZÄ offered"))
    summary = forms.CharField(
        label=_("Concept in brief"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How the agency would fill and run the posts."),
    )
    # Empty files pass Django's own check so that ``check_document`` words every error.
    document = forms.FileField(
        label=_("Document"),
        required=False,
        allow_empty_file=True,
        help_text=_("Concept or letter of interest: PDF, DOCX or ODT, at most 10 MB."),
    )

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Organisation],
        may_backdate: bool,
        now: dt.datetime,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        field = self.fields["traeger"]
        field.queryset = agencies  # type: ignore[attr-defined]
        if len(agencies) == 1:
            field.empty_label = None  # type: ignore[attr-defined]
            field.initial = agencies[0]
        if not may_backdate:  # an agency's own submission is received when it is sent
            del self.fields["submitted_at"]

    def clean_submitted_at(self) -> dt.datetime | None:
        received = self.cleaned_data.get("submitted_at")
        if received is not None and received > self.now:
            raise forms.ValidationError(_("The time of receipt cannot lie in the future."))
        return received


class SubmissionDocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        allow_empty_file=True,
        help_text=_("PDF, DOCX or ODT, at most 10 MB."),
    )

    def clean_file(self) -> CheckedFile:
        return check_document(self.cleaned_data["file"])


class ConfirmForm(forms.Form):
    """A POST with nothing to fill in: the confirmation of a step that cannot be undone."""


class ScoreForm(forms.Form):
    """Points and a comment per criterion (``points_<criterion id>``, ``comment_<id>``).

    The range is checked by ``score_submission``, whose errors name these fields, so that the
    message is the same wherever points come from (form, API, demo)."""

    def __init__(
        self, *args: Any, criteria: list[Criterion], scale_max: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"points_{criterion.pk}"] = forms.IntegerField(
                label=_("Points (0 to %(max)s)") % {"max": scale_max},
                widget=forms.NumberInput(attrs={"min": 0, "max": scale_max, "step": 1}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"points_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def points(self) -> dict[int, int]:
        return {
            c.pk: self.cleaned_data[f"points_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"points_{c.pk}") is not None
        }

    def comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}") or "" for c in self.criteria}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("Choose …")), *CallDecision.choices]
    )
    decision_reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    decided_on = PlausibleDateField(label=_("Decided on"), help_text=DATE_HINT)
    decided_by = forms.CharField(
        label=_("Decided by"),
        required=False,
        max_length=200,
        help_text=_("e.g. council resolution of …"),
    )

    def __init__(
        self,
        *args: Any,
        positions: list[Position],
        candidates: list[tuple[Submission, str]],
        **kwargs: Any,
    ) -> None:
        """``candidates``: the active submissions with the label of their option."""
        super().__init__(*args, **kwargs)
        self.positions = positions
        self.by_code = {s.code: s for s, _label in candidates}
        choices = [("", _("not awarded")), *((s.code, label) for s, label in candidates)]
        for position in positions:
            vze = f"{position.vze:.2f}".replace(".", ",")
            self.fields[f"award_{position.code}"] = forms.ChoiceField(
                label=_("%(post)s (%(vze)s VZÄ) goes to") % {"post": position.title, "vze": vze},
                choices=choices,
                required=False,
            )

    @property
    def award_fields(self) -> list[forms.BoundField]:
        return [self[f"award_{p.code}"] for p in self.positions]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("decision", "decision_reason", "decided_on", "decided_by")]

    def awards(self) -> dict[Position, Submission]:
        return {
            p: self.by_code[self.cleaned_data[f"award_{p.code}"]]
            for p in self.positions
            if self.cleaned_data.get(f"award_{p.code}")
        }
