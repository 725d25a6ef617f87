"""The statistics page's GET form: Kreis (when the reader has several), measure, up to two
dimensions and the period. Errors come from ``measures.check_request`` (German, next to the
field they concern)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kim.cases.statistics.measures import (
    DIMENSIONS,
    MEASURES,
    StatisticsError,
    check_period,
    check_request,
)
from kim.cases.statistics.queries import Scope
from kim.core.forms import PlausibleDateField


def _date_field(label: Any) -> PlausibleDateField:
    return PlausibleDateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class CaseStatisticsForm(forms.Form):
    kreis = forms.ChoiceField(label=_("Kreis"))
    measure = forms.ChoiceField(
        label=pgettext_lazy("statistics", "Measure"),
        choices=[(k, m.label) for k, m in MEASURES.items()],
    )
    by = forms.ChoiceField(
        label=_("Broken down by"),
        required=False,
        choices=[("", _("no breakdown")), *DIMENSIONS.items()],
    )
    then_by = forms.ChoiceField(
        label=_("and by"), required=False, choices=[("", _("–")), *DIMENSIONS.items()]
    )
    start = _date_field(pgettext_lazy("period", "From"))
    end = _date_field(pgettext_lazy("period", "To"))

    def __init__(self, data: Any, *, scopes: list[Scope]) -> None:
        today = timezone.localdate()
        defaults = {
            "kreis": scopes[0].kreis.ags if scopes else "",
            "measure": "new_cases",
            "by": "organisation",
            "then_by": "",
            "start": dt.date(today.year, 1, 1).isoformat(),
            "end": today.isoformat(),
        }
        merged = {**defaults, **{k: v for k, v in (data or {}).items() if v != ""}}
        if data and "by" in data:  # an explicit "no breakdown"
            merged["by"], merged["then_by"] = data.get("by", ""), data.get("then_by", "")
        super().__init__(merged)
        kreis = self.fields["kreis"]
        assert isinstance(kreis, forms.ChoiceField)
        kreis.choices = [(s.kreis.ags, s.label) for s in scopes]
        if len(scopes) <= 1:
            self.fields["kreis"].widget = forms.HiddenInput()

    def dimensions(self) -> tuple[str, ...]:
        return tuple(d for d in (self.cleaned_data["by"], self.cleaned_data["then_by"]) if d)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            check_period(data["start"], data["end"])
        except StatisticsError as error:
            self.add_error("end", str(error))
        if data["by"] == "" and data["then_by"]:
            data["by"], data["then_by"] = data["then_by"], ""
        try:
            check_request(data["measure"], self.dimensions())
        except StatisticsError as error:
            self.add_error("by", str(error))
        return data
