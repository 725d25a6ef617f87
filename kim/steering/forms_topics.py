"""Forms of the topics: the board's filter, the coordination's actions on a topic (each with
the version the user saw, for optimistic locking) and the thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kim.cases.models import BarrierCategory
from kim.cases.queries.barriers import Quarter
from kim.core.forms import PlausibleDateField
from kim.organisations.models import Organisation
from kim.steering.models import SteeringBody, Topic, TopicLevel, TopicStatus

DATE_HINT = _("DD.MM.YYYY")


class TopicFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    working_group = forms.ChoiceField(label=_("Working group"), required=False)
    q = forms.CharField(label=_("Search in the title"), required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[str, str]],
        working_groups: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("proposed and open")),
            ("all", _("all")),
            *TopicStatus.choices,
        ]
        self.fields["level"].choices = [("", _("all")), *TopicLevel.choices]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("all")), *categories]  # type: ignore[attr-defined]
        self.fields["working_group"].choices = [("", _("all")), *working_groups]  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    """A button that changes a topic: only the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TopicEditForm(VersionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("No personal data: no names, case numbers or details of a single case."),
    )


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class _TopicChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_status_display()})"


class MergeForm(VersionForm):
    into = _TopicChoice(label=_("Merge into"), queryset=Topic.objects.none())
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets  # type: ignore[attr-defined]


class AddBarriersForm(VersionForm):
    quarter = forms.ChoiceField(
        label=_("Quarter"), help_text=_("Barriers of the topic's category observed in it.")
    )

    def __init__(self, *args: Any, quarters: list[Quarter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [  # type: ignore[attr-defined]
            (f"{q.year}-{q.quarter}", q.label) for q in quarters
        ]

    def clean_quarter(self) -> Quarter:
        year, _dash, quarter = self.cleaned_data["quarter"].partition("-")
        return Quarter(int(year), int(quarter))


class _BodyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class AssignForm(VersionForm):
    body = _BodyChoice(
        label=_("Working group"),
        queryset=SteeringBody.objects.none(),
        required=False,
        help_text=_("Empty: the topic has no working group."),
    )

    def __init__(self, *args: Any, bodies: list[SteeringBody], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = SteeringBody.objects.filter(  # type: ignore[attr-defined]
            pk__in=[b.pk for b in bodies]
        ).order_by("name")


class LevelForm(VersionForm):
    to_level = forms.ChoiceField(label=_("New level"), choices=TopicLevel.choices)
    changed_on = PlausibleDateField(label=_("Date"), past_only=True, help_text=DATE_HINT)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class _RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ThresholdForm(forms.Form):
    region = _RegionChoice(label=_("Kreis"), queryset=Organisation.objects.none())
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=BarrierCategory.objects.all(),
        required=False,
        help_text=_("Empty: every category of the Kreis."),
    )
    min_barriers = forms.IntegerField(
        label=_("Barriers per quarter (at least)"), min_value=1, max_value=1000
    )
    min_organisations = forms.IntegerField(
        label=_("Organisations (at least)"), min_value=1, max_value=100, initial=2
    )
    valid_from = PlausibleDateField(label=_("Valid from"), help_text=DATE_HINT)
    valid_to = PlausibleDateField(label=_("Valid to"), required=False, help_text=DATE_HINT)
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("Who set the threshold, e.g. the decision of the steering group."),
    )

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            raise ValidationError({"valid_to": _("The end lies before the start.")})
        return data
