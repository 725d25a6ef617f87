"""Filter forms of the case list and the statistics page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.cases.models import Phase
from kim.cases.queries.worklists import Focus


class _UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        choices=[("", _("all active")), *Phase.choices, ("all", _("all, closed ones too"))],
    )
    waiting = forms.BooleanField(label=_("Waiting list only"), required=False)
    responsible = _UserChoice(label=_("Case manager"), queryset=User.objects.none(), required=False)
    focus = forms.ChoiceField(
        label=_("Needs attention"),
        required=False,
        choices=[
            ("", _("all")),
            (Focus.REVIEW_OVERDUE, _("review overdue")),
            (Focus.TASKS_OVERDUE, _("tasks overdue")),
            (Focus.TASKS_DUE, _("tasks due within 14 days")),
            (Focus.TRANSITIONS, _("status transition ahead")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("number", _("case number")),
            ("-number", _("case number, descending")),
            ("review", _("next review")),
            ("-review", _("next review, latest first")),
            ("referred", _("referred on")),
            ("-referred", _("referred on, newest first")),
        ],
    )

    def __init__(self, *args: Any, case_managers: QuerySet[User] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case_managers is None:
            del self.fields["responsible"]
        else:
            self.fields["responsible"].queryset = case_managers  # type: ignore[attr-defined]
