from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kim.core.forms import PlausibleDateField, plausible_formfield
from kim.organisations.models import Organisation
from kim.programmes.models import (
    Baustein,
    CostKind,
    EmployerType,
    FundingSource,
    Grant,
    Position,
    PositionStatus,
    QualificationState,
    StaffMember,
)

METHOD_CHOICES = [
    ("largest-remainder", _("Largest remainder (Hare–Niemeyer)")),
    ("sainte-lague", _("Sainte-Laguë/Schepers")),
    ("dhondt", _("D'Hondt")),
]
KEY_CHOICES = [
    ("population", _("population")),
    ("foreign", _("foreign population")),
    ("refugees", _("refugees")),
    ("custom", _("custom weights")),
]

PAY_GROUP_CHOICES = [
    ("", _("not set")),
    ("E 9b", "E 9b"),
    ("E 9c", "E 9c"),
    ("E 10", "E 10"),
    ("E 11", "E 11"),
    ("S 11b", "S 11b"),
    ("S 12", "S 12"),
]


class PositionFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Title, tasks or organisation")
    )
    baustein = forms.ChoiceField(
        label=_("Baustein"), required=False, choices=[("", _("all")), *Baustein.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *PositionStatus.choices]
    )
    employer_type = forms.ChoiceField(
        label=_("Employer"), required=False, choices=[("", _("all")), *EmployerType.choices]
    )
    day = PlausibleDateField(
        label=_("Reference date"), required=False, help_text=_("DD.MM.YYYY; empty = today")
    )

    def reference_date(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("day"):
            return self.cleaned_data["day"]
        return timezone.localdate()


class PositionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    pay_group = forms.ChoiceField(label=_("Pay group"), choices=PAY_GROUP_CHOICES, required=False)
    status_from = PlausibleDateField(
        label=_("Planned from"),
        required=False,
        help_text=_("Start of the history (DD.MM.YYYY); empty = today"),
    )

    class Meta:
        formfield_callback = plausible_formfield
        model = Position
        fields = [
            "baustein",
            "title",
            "vze",
            "home",
            "employer_type",
            "rate_kind",
            "tasks",
            "pay_group",
            "entry_step",
            "step_since",
        ]
        widgets = {"tasks": forms.Textarea(attrs={"rows": 4})}
        localized_fields = ["vze"]

    def __init__(self, *args: Any, homes: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home"].queryset = homes  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            del self.fields["status_from"]

    def clean_entry_step(self) -> int:
        step = self.cleaned_data["entry_step"]
        if not 1 <= step <= 6:
            raise forms.ValidationError(_("The step must be between 1 and 6."))
        return int(step)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        home = data.get("home")
        employer = data.get("employer_type")
        if home is not None and employer == EmployerType.TRAEGER and home.kind != "traeger":
            self.add_error(
                "employer_type",
                _("A post employed by a welfare agency must be hosted by that agency."),
            )
        if home is not None and home.kind == "traeger" and employer == EmployerType.MUNICIPAL:
            self.add_error(
                "employer_type", _("A post hosted by a welfare agency is employed by it.")
            )
        return data


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=PositionStatus.choices)
    valid_from = PlausibleDateField(label=_("From"), help_text=_("DD.MM.YYYY"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class IncumbencyForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=StaffMember.objects.none(),
        required=False,
        to_field_name="code",  # public codes in the form, never sequential ids
    )
    new_pseudonym = forms.CharField(
        label=_("… or a new staff member: pseudonym"),
        required=False,
        max_length=40,
        help_text=_("e.g. CM-15"),
    )
    new_name = forms.CharField(label=_("Name (internal)"), required=False, max_length=200)
    start = PlausibleDateField(label=_("From"), help_text=_("DD.MM.YYYY"))

    def __init__(self, *args: Any, staff: QuerySet[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("staff") and not data.get("new_pseudonym"):
            self.add_error("staff", _("Choose a staff member or enter a pseudonym for a new one."))
        if data.get("staff") and data.get("new_pseudonym"):
            self.add_error(
                "new_pseudonym", _("Either choose a staff member or create a new one, not both.")
            )
        return data


class EndIncumbencyForm(forms.Form):
    end = PlausibleDateField(label=_("Last day"), help_text=_("DD.MM.YYYY"))


class QualificationForm(forms.Form):
    state = forms.ChoiceField(label=_("Qualification"), choices=QualificationState.choices)
    on = PlausibleDateField(label=_("Date"), help_text=_("DD.MM.YYYY"))
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)


class FundingPeriodForm(forms.Form):
    source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    valid_from = PlausibleDateField(label=_("From"), help_text=_("DD.MM.YYYY"))
    valid_to = PlausibleDateField(label=_("To"), required=False, help_text=_("Empty = open-ended"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("valid_to")
            and data.get("valid_from")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("The end date lies before the start date."))
        return data


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name of the scenario"), max_length=200)
    baustein = forms.ChoiceField(label=_("Baustein"), choices=Baustein.choices, initial=Baustein.B2)
    total = forms.DecimalField(
        localize=True,
        label=_("VZÄ to distribute"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.5"),
    )
    step = forms.DecimalField(
        localize=True,
        label=_("Granularity (VZÄ)"),
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=Decimal("0.5"),
    )
    minimum = forms.DecimalField(
        localize=True,
        label=_("Minimum per town (VZÄ)"),
        max_digits=4,
        decimal_places=2,
        min_value=Decimal(0),
        initial=Decimal(0),
    )
    method = forms.ChoiceField(label=_("Method"), choices=METHOD_CHOICES)
    key = forms.ChoiceField(label=_("Distribution key"), choices=KEY_CHOICES)
    as_of = PlausibleDateField(
        label=_("Reference date of the key"), help_text=_("DD.MM.YYYY, e.g. 31.12.2019")
    )
    pools = forms.CharField(
        label=_("Pools (towns sharing posts)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One pool per line: name, colon, AGS of the towns separated by commas. "
            "Example: Netphen + Freudenberg: 05970032, 05970016"
        ),
    )

    custom_weights = forms.CharField(
        label=_("Custom weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only for the key “custom weights”: one town per line, AGS colon weight. "
            "Example: 05970040: 120"
        ),
    )
    custom_source = forms.CharField(
        label=_("Source of the custom weights"),
        required=False,
        max_length=300,
        help_text=_("e.g. the council decision the weights come from"),
    )

    def clean_custom_weights(self) -> dict[str, Decimal]:
        weights: dict[str, Decimal] = {}
        for number, line in enumerate(self.cleaned_data["custom_weights"].splitlines(), start=1):
            if not line.strip():
                continue
            ags, sep, value = line.partition(":")
            try:
                weight = Decimal(value.strip().replace(".", "").replace(",", "."))
            except ArithmeticError:
                weight = Decimal(-1)
            if not sep or not ags.strip() or not weight.is_finite() or weight < 0:
                raise forms.ValidationError(_("Line %(n)d: write “AGS: weight”.") % {"n": number})
            weights[ags.strip()] = weight
        return weights

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key") == "custom":
            if not data.get("custom_weights"):
                self.add_error("custom_weights", _("Enter a weight for every town."))
            if not data.get("custom_source"):
                self.add_error("custom_source", _("Say where the weights come from."))
        return data

    def clean_pools(self) -> list[tuple[str, tuple[str, ...]]]:
        pools = []
        for number, line in enumerate(self.cleaned_data["pools"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, members = line.partition(":")
            ags = tuple(a.strip() for a in members.split(",") if a.strip())
            if not sep or not name.strip() or len(ags) < 2:
                raise forms.ValidationError(
                    _("Line %(n)d: write “name: AGS, AGS”.") % {"n": number}
                )
            pools.append((name.strip(), ags))
        return pools


class AdoptForm(forms.Form):
    planned_from = PlausibleDateField(label=_("Planned from"), help_text=_("DD.MM.YYYY"))


class ForecastForm(forms.Form):
    first_year = forms.IntegerField(label=_("From year"), min_value=2020, max_value=2045)
    last_year = forms.IntegerField(label=_("To year"), min_value=2020, max_value=2045)
    baustein = forms.ChoiceField(
        label=_("Baustein"), required=False, choices=[("", _("all")), *Baustein.choices]
    )
    pay_group = forms.ChoiceField(
        label=_("What if: pay group"),
        required=False,
        choices=[("", _("as recorded")), *PAY_GROUP_CHOICES[1:]],
    )
    step = forms.IntegerField(label=_("What if: step"), required=False, min_value=1, max_value=6)
    start = PlausibleDateField(
        label=_("What if: filled from"), required=False, help_text=_("DD.MM.YYYY")
    )
    factor = forms.DecimalField(
        label=_("What if: employer cost factor"),
        required=False,
        max_digits=5,
        decimal_places=3,
        min_value=Decimal(1),
        max_value=Decimal(2),
        localize=True,
        help_text=_("e.g. 1,27 = gross pay + 27 %"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first and last and last < first:
            self.add_error("last_year", _("The last year lies before the first."))
        if first and last and last - first > 14:
            self.add_error("last_year", _("At most 15 years at once."))
        return data


class GrantForm(forms.ModelForm):
    class Meta:
        formfield_callback = plausible_formfield
        model = Grant
        fields = [
            "year",
            "baustein",
            "approved_vze",
            "amount",
            "notice_date",
            "period_start",
            "period_end",
            "file_reference",
            "conditions",
        ]
        localized_fields = ["approved_vze", "amount"]
        widgets = {"conditions": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end date lies before the start date."))
        return data


# --- actual cost and Land payments (D-086) -----------------------------------------------------

MAX_PAYROLL_UPLOAD_BYTES = 2 * 1024 * 1024


class MonthField(forms.CharField):
    """A month typed as ``MM.JJJJ`` (or ``JJJJ-MM``); cleans to the first day of the month."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("e.g. 03.2025"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.strftime("%m.%Y")
        return value

    def clean(self, value: Any) -> dt.date | None:  # type: ignore[override]
        from kim.programmes.payroll import check_month, parse_month

        text = super().clean(value)
        if not text:
            return None
        try:
            month = parse_month(text)
        except ValueError:
            raise forms.ValidationError(
                _("Please enter the month as MM.YYYY, e.g. 03.2025."), code="invalid"
            ) from None
        try:
            check_month(month)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="implausible") from None
        return month


class ActualCostForm(forms.Form):
    month = MonthField(label=_("Month"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CostKind.choices, initial=CostKind.PERSONNEL)
    amount = forms.DecimalField(
        label=_("Amount (€)"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        help_text=_("Employer cost of the month (gross pay plus employer's contributions)."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # a correction changes the amount and the note, not the month or kind
            for name in ("month", "kind"):
                self.fields[name].disabled = True


class DeleteCostForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PayrollImportForm(forms.Form):
    file = forms.FileField(
        label=_("Payroll file (CSV or XLSX)"),
        help_text=_(
            "Columns: Stelle (post code) or Pseudonym, Monat, Betrag, optionally Art "
            "(Personal or Einrichtung). All rows are stored, or none."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Please upload a CSV or XLSX file."))
        if upload.size > MAX_PAYROLL_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class GrantPaymentForm(forms.Form):
    received_on = PlausibleDateField(label=_("Received on"), past_only=True)
    amount = forms.DecimalField(
        label=_("Amount (€)"), max_digits=12, decimal_places=2, localize=True
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ProofDueForm(forms.Form):
    months = forms.IntegerField(
        label=_("Proof of use due (months after the funding period)"),
        min_value=1,
        max_value=36,
    )
