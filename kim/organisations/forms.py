from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.accounts.access import UserContext
from kim.core.forms import PlausibleDateField, plausible_formfield
from kim.organisations.access import can_create_under, can_give_kind, can_move_under
from kim.organisations.importers import PopulationFileError, PopulationRow, parse_population_file
from kim.organisations.models import AGS_KINDS, Organisation, OrgKind

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Django 6.1's blank choice label is not in its German catalogue yet; naming it here puts it
# into ours (our catalogue takes precedence).
BLANK_CHOICE_LABEL = _("- Select an option -")


class OrganisationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        formfield_callback = plausible_formfield
        model = Organisation
        fields = [
            "kind",
            "name",
            "short_name",
            "ags",
            "municipality_type",
            "parent",
            "umbrella",
            "authority_type",
            "rechtskreis",
            "legal_form",
            "website",
        ]

    def __init__(
        self, *args: Any, parents: QuerySet[Organisation], ctx: UserContext, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ctx = ctx
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["umbrella"].queryset = Organisation.objects.filter(kind=OrgKind.UMBRELLA)  # type: ignore[attr-defined]
        # The saved row as loaded (construct_instance changes the instance after ``clean``).
        self.saved: Organisation | None = None
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.saved = Organisation(
                pk=self.instance.pk,
                kind=self.instance.kind,
                parent_id=self.instance.parent_id,
                region_id=self.instance.region_id,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in AGS_KINDS and not data.get("ags"):
            self.add_error("ags", _("Kreise and municipalities need their AGS."))
        if kind not in AGS_KINDS and data.get("ags"):
            self.add_error("ags", _("Only Kreise and municipalities have an AGS."))
        if kind == OrgKind.AUTHORITY and not data.get("authority_type"):
            self.add_error(
                "authority_type", _("Choose which kind of authority or service this is.")
            )
        if kind == OrgKind.KOMMUNE and not data.get("parent"):
            self.add_error("parent", _("A kreisangehörige Kommune belongs to a Kreis."))
        if kind:
            self._check_placement(kind, data.get("parent"))
        return data

    def _check_placement(self, kind: str, parent: Organisation | None) -> None:
        """Creating and editing follow the same rule (access.py, decisions D-050): the
        coordination keeps organisations in its own region and never makes a Kreis or a
        supra-regional body; administrators place them anywhere."""
        if not can_give_kind(self.ctx, self.saved, kind):
            self.add_error(
                "kind",
                _(
                    "Only administrators can make an organisation a Kreis, a kreisfreie Stadt or "
                    "a supra-regional body, or change the kind of one."
                ),
            )
        if "parent" in self.errors:
            return
        if self.saved is None:
            if not can_create_under(self.ctx, parent):
                self.add_error("parent", _("You can only add organisations to your own Kreis."))
        elif not can_move_under(self.ctx, self.saved, parent):
            self.add_error(
                "parent",
                _(
                    "An organisation can only be moved within its Kreis; only administrators "
                    "can move it elsewhere or to the top level."
                ),
            )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Name, short name or AGS"))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all kinds")), *OrgKind.choices]
    )


class PopulationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Population file (CSV or XLSX)"),
        help_text=_(
            "Columns: ags, stichtag, einwohner, quelle, optionally kategorie "
            "(total, foreign, refugees). All rows are stored, or none."
        ),
    )

    def __init__(self, *args: Any, towns: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.towns = towns
        self.rows: list[PopulationRow] = []

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Please upload a CSV or XLSX file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            self.rows = parse_population_file(name, upload.read(), self.towns)
        except PopulationFileError as exc:
            raise forms.ValidationError(exc.errors) from exc
        return upload


class ResponsibilityForm(forms.Form):
    kommune = forms.ModelChoiceField(label=_("Municipality"), queryset=Organisation.objects.none())
    valid_from = PlausibleDateField(label=_("Valid from"), help_text=_("DD.MM.YYYY"))
    valid_to = PlausibleDateField(
        label=_("Valid to"), required=False, help_text=_("Empty = open-ended")
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=500)

    def __init__(self, *args: Any, towns: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kommune"].queryset = towns  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date lies before the start date."))
        return data
