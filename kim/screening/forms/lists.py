"""Forms of the list pages: upload, the results filter, deletion. Checks of the file's content
happen in the action (``upload_list``), which names the row and column of a bad value."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.core.forms import PlausibleDateField
from kim.organisations.models import Organisation
from kim.screening.imports import MAX_BYTES
from kim.screening.models import Rule
from kim.screening.queries.lists import SHOW_CHOICES, SORT_CHOICES, EntryFilter

DATE_HINT = _("DD.MM.YYYY")


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UploadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example “Duldungen Stand März”. Do not use names."),
    )
    decision_date = PlausibleDateField(
        label=_("Decision date"),
        help_text=_("The law in force on this day is applied (%(hint)s).") % {"hint": DATE_HINT},
    )
    upload = forms.FileField(
        label=_("List (CSV, XLSX or JSON)"),
        help_text=_(
            "One row per person, at most 20 MB and 20,000 persons. The column names are "
            "explained on this page. The file itself is not kept."
        ),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations.count() > 1:
            self.fields["organisation"] = _OrganisationChoice(
                label=_("Authority"), queryset=organisations, empty_label=None
            )
        self.organisations = organisations

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

    def organisation(self) -> Organisation:
        chosen = self.cleaned_data.get("organisation")
        return chosen if chosen is not None else self.organisations.get()


class EntryFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW_CHOICES)
    months = forms.IntegerField(
        label=_("“Soon” means within … months"),
        required=False,
        min_value=1,
        max_value=120,
        initial=12,
    )
    rule = forms.ChoiceField(
        label=_("Likely now for"),
        required=False,
        choices=[("", _("any rule")), *Rule.choices],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def to_filter(self) -> EntryFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return EntryFilter(
            show=data.get("show") or "",
            months=data.get("months") or 12,
            rule=data.get("rule") or "",
            sort=data.get("sort") or "rank",
        )


class DeleteListForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete this list with every person and result now."), required=True
    )
