"""Forms of the steering pages: bodies and members, meetings (plan, agenda, attendance,
minutes, documents) and decisions. Choices come from ``queries_bodies``; the actions check
again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kim.core.forms import PlausibleDateField
from kim.core.uploads import DOCX, PDF, CheckedFile, check_document
from kim.organisations.models import Organisation
from kim.steering.models import (
    AttendanceStatus,
    BodyKind,
    BodyMember,
    DecisionStatus,
    MeetingAgendaItem,
    MeetingStatus,
    MemberRole,
    SteeringBody,
    Topic,
)

DATE_HINT = _("DD.MM.YYYY")
TIME_HINT = _("HH:MM")


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class _TopicChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_level_display()})"


class BodyFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("all kinds")), *BodyKind.choices],
    )


class BodyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Run by"), queryset=Organisation.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    remit = forms.CharField(
        label=_("Remit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the body decides or works on."),
    )
    parent = forms.ModelChoiceField(
        label=_("Reports to"),
        required=False,
        queryset=SteeringBody.objects.none(),
        help_text=_("For a working or project group: the steering group it reports to."),
    )
    established_on = PlausibleDateField(label=_("Established on"), help_text=DATE_HINT)
    dissolved_on = PlausibleDateField(label=_("Dissolved on"), required=False, help_text=DATE_HINT)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation] | None,
        parents: QuerySet[SteeringBody],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if editing:
            # Who runs a body and what kind it is are fixed at creation.
            del self.fields["organisation"], self.fields["kind"]
        else:
            del self.fields["version"], self.fields["dissolved_on"]
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    user = _UserChoice(
        label=_("Account"),
        required=False,
        queryset=User.objects.none(),
        help_text=_(
            "A member with an account of the platform; leave empty for an external member."
        ),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("For members without an account."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.none(),
    )
    organisation_name = forms.CharField(
        label=_("Organisation (if not in the directory)"), max_length=200, required=False
    )
    function = forms.CharField(
        label=_("Function"),
        max_length=200,
        required=False,
        help_text=_("e.g. head of the social department"),
    )
    office_email = forms.EmailField(
        label=_("Office e-mail"),
        required=False,
        help_text=_("A role or office address, not a private one."),
    )
    office_phone = forms.CharField(label=_("Office phone"), max_length=40, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial="member")
    joined_on = PlausibleDateField(label=_("Member since"), help_text=DATE_HINT)

    def __init__(
        self,
        *args: Any,
        accounts: QuerySet[User],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("name") or "").strip():
            self.add_error("name", _("Choose an account or enter the member's name."))
        return data


class EndMembershipForm(forms.Form):
    left_on = PlausibleDateField(label=_("Member until"), help_text=DATE_HINT)


class MeetingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    held_on = PlausibleDateField(label=_("Date"), help_text=DATE_HINT)
    starts_at = forms.TimeField(label=_("Begins at"), required=False, help_text=TIME_HINT)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=MeetingStatus.choices)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"], self.fields["status"]


class AgendaItemForm(forms.Form):
    topic = _TopicChoice(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.none(),
        help_text=_(
            "A topic from the topic board; its title is taken if you leave the title empty."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title") or "").strip() and not data.get("topic"):
            self.add_error("title", _("Enter a title or choose a topic."))
        return data


class AttendanceForm(forms.Form):
    """One status and note per member of the body on the day of the meeting."""

    def __init__(self, *args: Any, members: list[BodyMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                label=str(member), choices=AttendanceStatus.choices
            )
            self.fields[f"note_{member.pk}"] = forms.CharField(
                label=_("Note on %(member)s") % {"member": member},
                max_length=200,
                required=False,
            )

    def entries(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {m.pk: (data[f"status_{m.pk}"], data[f"note_{m.pk}"]) for m in self.members}


class MinutesTextForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("The course of the meeting per agenda item; no personal data of clients."),
    )


class ApproveMinutesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    approved_on = PlausibleDateField(label=_("Approved on"), help_text=DATE_HINT)


class MinutesDocumentForm(forms.Form):
    # Empty files pass Django's own check so that ``check_document`` words every error.
    file = forms.FileField(
        label=_("Minutes"),
        allow_empty_file=True,
        help_text=_("PDF or DOCX, at most 10 MB."),
    )

    def clean_file(self) -> CheckedFile:
        checked = check_document(self.cleaned_data["file"])
        if checked.content_type not in (DOCX, PDF):
            raise forms.ValidationError(_("Please upload the minutes as a PDF or DOCX file."))
        return checked


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("steering", "Decision"), widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.ModelChoiceField(
        label=_("Responsible"), required=False, queryset=BodyMember.objects.none()
    )
    due_on = PlausibleDateField(label=_("Due on"), required=False, help_text=DATE_HINT)
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"), required=False, queryset=MeetingAgendaItem.objects.none()
    )
    topic = _TopicChoice(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.none(),
        help_text=_("Taken from the agenda item if it is a topic."),
    )
    closes_topic = forms.BooleanField(
        label=_("Closes the topic"),
        required=False,
        help_text=_("When the decision is done, the topic is closed."),
    )

    def __init__(
        self,
        *args: Any,
        owners: QuerySet[BodyMember],
        agenda_items: QuerySet[MeetingAgendaItem],
        topics: QuerySet[Topic],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["agenda_item"].queryset = agenda_items  # type: ignore[attr-defined]
        self.fields["topic"].queryset = topics  # type: ignore[attr-defined]


class DecisionStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=DecisionStatus.choices)
    status_note = forms.CharField(
        label=_("State of implementation"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_on = PlausibleDateField(label=_("Due on"), required=False, help_text=DATE_HINT)


class DecisionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *DecisionStatus.choices]
    )
    owner = forms.ModelChoiceField(
        label=_("Responsible"),
        required=False,
        queryset=BodyMember.objects.none(),
        empty_label=_("everybody"),
        to_field_name="code",
    )

    def __init__(self, *args: Any, owners: QuerySet[BodyMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
