"""Forms of the case lifecycle. Choices come from ``queries.casefile`` querysets passed in by
the views; the actions do the checks that depend on the case (phase, dates, goals)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.cases.actions.lifecycle import CLOSE_REASONS
from kim.cases.models import (
    FINAL_GOAL_STATUSES,
    AssessmentEntry,
    ClosingReason,
    Goal,
    GoalStatus,
    Indication,
    LifeArea,
    NeedLevel,
    ReferralSource,
    TargetGroupCriterion,
)
from kim.core.forms import ModelMultipleChoiceField, PlausibleDateField
from kim.organisations.models import Organisation

DATE_HINT = _("DD.MM.YYYY")


class _NamedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class _NamedMultipleChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class ReferralForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    referral_source = forms.ChoiceField(label=_("Referred by"), choices=ReferralSource.choices)
    referral_organisation = forms.ModelChoiceField(
        label=_("Referring organisation"), queryset=Organisation.objects.none(), required=False
    )
    referred_on = PlausibleDateField(label=_("Referred on"), help_text=DATE_HINT)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral_organisation"].queryset = organisations  # type: ignore[attr-defined]


class TriageForm(forms.Form):
    criteria = ModelMultipleChoiceField(
        label=_("Target-group criteria met"),
        queryset=TargetGroupCriterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    on_waiting_list = forms.BooleanField(label=_("Keep on the waiting list"), required=False)

    def __init__(self, *args: Any, criteria: QuerySet[TargetGroupCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = criteria  # type: ignore[attr-defined]


class IndicationForm(forms.Form):
    indication = forms.ChoiceField(label=_("Indication"), choices=Indication.choices)
    decided_on = PlausibleDateField(label=_("Decided on"), help_text=DATE_HINT)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when case management is not indicated."),
    )
    handed_to = forms.ModelChoiceField(
        label=_("Referred to the regular service"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required for short counselling."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handed_to"].queryset = organisations  # type: ignore[attr-defined]


class AssessmentForm(forms.Form):
    """One need level and two texts per life area; areas left without a level are skipped."""

    assessed_on = PlausibleDateField(label=_("Assessed on"), help_text=DATE_HINT)

    def __init__(
        self,
        *args: Any,
        life_areas: Iterable[LifeArea],
        entries: dict[int, AssessmentEntry],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.life_areas = list(life_areas)
        for area in self.life_areas:
            entry = entries.get(area.pk)
            self.fields[f"need_{area.key}"] = forms.ChoiceField(
                label=_("Need"),
                choices=[("", _("not assessed")), *NeedLevel.choices],
                required=False,
                initial=entry.need if entry else "",
            )
            self.fields[f"needs_{area.key}"] = forms.CharField(
                label=_("Needs"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=entry.needs_text if entry else "",
            )
            self.fields[f"resources_{area.key}"] = forms.CharField(
                label=_("Resources"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=entry.resources_text if entry else "",
            )

    def rows(self) -> list[tuple[LifeArea, Any, Any, Any]]:
        return [
            (a, self[f"need_{a.key}"], self[f"needs_{a.key}"], self[f"resources_{a.key}"])
            for a in self.life_areas
        ]

    def entries(self) -> dict[LifeArea, tuple[str, str, str]]:
        data = self.cleaned_data
        return {
            a: (data[f"need_{a.key}"], data[f"needs_{a.key}"], data[f"resources_{a.key}"])
            for a in self.life_areas
            if data.get(f"need_{a.key}")
        }


class GoalForm(forms.Form):
    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    life_area = forms.ModelChoiceField(label=_("Life area"), queryset=LifeArea.objects.none())
    description = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = PlausibleDateField(label=_("Due on"), help_text=DATE_HINT)
    responsible_organisation = forms.ModelChoiceField(
        label=_("Responsible organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        life_areas: QuerySet[LifeArea],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["life_area"].queryset = life_areas  # type: ignore[attr-defined]
        self.fields["responsible_organisation"].queryset = organisations  # type: ignore[attr-defined]


class MeasureForm(forms.Form):
    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_organisation = forms.ModelChoiceField(
        label=_("Responsible organisation"), queryset=Organisation.objects.none(), required=False
    )
    due_on = PlausibleDateField(label=_("Due on"), help_text=DATE_HINT, required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = organisations  # type: ignore[attr-defined]


class AgreePlanForm(forms.Form):
    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    agreed_on = PlausibleDateField(
        label=_("Agreed with the client on"),
        help_text=DATE_HINT,
    )


class StartMonitoringForm(forms.Form):
    next_review_on = PlausibleDateField(label=_("First review on"), help_text=DATE_HINT)


def _goal_status_fields(
    form: forms.Form, goals: Iterable[Goal], choices: list[tuple[str, Any]], *, final: bool
) -> list[Goal]:
    goals = list(goals)
    for goal in goals:
        form.fields[f"goal_{goal.code}"] = forms.ChoiceField(
            label=_("%(area)s: %(goal)s") % {"area": goal.life_area, "goal": goal.description},
            choices=choices,
            initial=goal.status if (goal.status in FINAL_GOAL_STATUSES or not final) else "",
        )
    return goals


class ReviewForm(forms.Form):
    reviewed_on = PlausibleDateField(label=_("Reviewed on"), help_text=DATE_HINT)
    next_review_on = PlausibleDateField(label=_("Next review on"), help_text=DATE_HINT)

    def __init__(self, *args: Any, goals: Iterable[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = _goal_status_fields(self, goals, list(GoalStatus.choices), final=False)

    def goal_statuses(self) -> dict[Goal, str]:
        return {g: self.cleaned_data[f"goal_{g.code}"] for g in self.goals}


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Closing reason"),
        choices=[(r.value, r.label) for r in ClosingReason if r in CLOSE_REASONS],
    )
    closed_on = PlausibleDateField(label=_("Closed on"), help_text=DATE_HINT)
    handed_to = forms.ModelChoiceField(
        label=_("Handed over to"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required when the case is handed over."),
    )
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        goals: Iterable[Goal],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handed_to"].queryset = organisations  # type: ignore[attr-defined]
        choices = [("", _("choose the final status"))]
        choices += [(s.value, s.label) for s in GoalStatus if s in FINAL_GOAL_STATUSES]
        self.goals = _goal_status_fields(self, goals, choices, final=True)

    def attainment(self) -> dict[Goal, str]:
        return {g: self.cleaned_data[f"goal_{g.code}"] for g in self.goals}


class AssignForm(forms.Form):
    responsible = _NamedChoice(label=_("Responsible case manager"), queryset=User.objects.none())
    deputies = _NamedMultipleChoice(
        label=_("Deputies"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, case_managers: QuerySet[User], may_change_responsible: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = case_managers  # type: ignore[attr-defined]
        self.fields["deputies"].queryset = case_managers  # type: ignore[attr-defined]
        if not may_change_responsible:
            self.fields["responsible"].disabled = True
