"""Forms of the council pages. Choices come from ``access.py`` querysets passed in by views;
``clean`` checks that everything chosen belongs to the chosen body (the actions check again)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kim.core.forms import (
    ModelMultipleChoiceField,
    PlausibleDateField,
    PlausibleDateTimeField,
)
from kim.core.forms import add_action_errors as add_action_errors  # used by the views
from kim.core.uploads import CheckedFile, check_document
from kim.council.actions.reports import unconfirmed_error
from kim.council.blocks import BLOCK_KEYS
from kim.council.document import Section
from kim.council.models import (
    DEFAULT_PROPOSAL,
    MOTION_TYPES,
    REPORT_PAPER_TYPES,
    Body,
    FileRole,
    Meeting,
    MeetingState,
    MotionStatus,
    Organization,
    OrganizationKind,
    Paper,
    PaperType,
    Report,
)

DATE_HINT = _("DD.MM.YYYY")
DATETIME_HINT = _("DD.MM.YYYY HH:MM")


class MotionFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Reference number, subject or question")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *MotionStatus.choices]
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("all")), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]


class _NamedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class _NamedMultipleChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class _MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.start:%d.%m.%Y} – {obj.name}"


def _same_body(form: forms.Form, body: Body | None, fields: list[str]) -> None:
    """Attach an error to every chosen organization or meeting of another body."""
    if body is None:
        return
    for name in fields:
        value = form.cleaned_data.get(name)
        chosen = list(value) if isinstance(value, QuerySet | list) else [value]
        if any(row is not None and row.body_id != body.pk for row in chosen):
            form.add_error(name, _("Choose from the records of %(body)s.") % {"body": body})


class MotionForm(forms.Form):
    body = _NamedChoice(label=_("Body"), queryset=Body.objects.none())
    paper_type = forms.ChoiceField(
        label=_("Type"), choices=[(t.value, t.label) for t in MOTION_TYPES]
    )
    reference = forms.CharField(
        label=_("Reference number"), max_length=50, help_text=_('e.g. "184/2022"')
    )
    date = PlausibleDateField(label=_("Date of the motion"), help_text=DATE_HINT)
    name = forms.CharField(label=pgettext_lazy("council paper", "Subject"), max_length=500)
    originators = _NamedMultipleChoice(
        label=_("Submitted by"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    committee = _NamedChoice(label=_("Addressed to"), queryset=Organization.objects.none())
    meeting = _MeetingChoice(
        label=_("For the meeting"), queryset=Meeting.objects.none(), required=False
    )
    deadline = PlausibleDateField(label=_("Deadline"), required=False, help_text=DATE_HINT)
    department = _NamedChoice(
        label=_("Responsible department"), queryset=Organization.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        bodies: QuerySet[Body],
        originators: QuerySet[Organization],
        committees: QuerySet[Organization],
        meetings: QuerySet[Meeting],
        departments: QuerySet[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["originators"].queryset = originators  # type: ignore[attr-defined]
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _same_body(self, data.get("body"), ["originators", "committee", "meeting", "department"])
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Question"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, number: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if number:
            self.fields["text"].label = _("Question %(n)s") % {"n": number}


class BaseQuestionFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"number": (index or 0) + 1}

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.texts():
            raise forms.ValidationError(_("Enter at least one question."))

    def texts(self) -> list[str]:
        return [
            f.cleaned_data["text"].strip()
            for f in self.forms
            if f.cleaned_data.get("text", "").strip()
        ]


QuestionFormSet = cast(
    type[BaseQuestionFormSet],
    forms.formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=5, max_num=30),
)


class NewQuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 4}))


class StatusForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("New status"))

    def __init__(self, *args: Any, motion: Paper, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected_status": motion.status})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s, MotionStatus(s).label) for s in motion.next_statuses()
        ]


class TagForm(forms.Form):
    block_keys = forms.MultipleChoiceField(
        label=_("Answer blocks"),
        required=False,
        choices=BLOCK_KEYS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "kern-form-check__checkbox"}),
        help_text=_("The live figures and lists that will answer this question in the report."),
    )


class FileForm(forms.Form):
    # Empty files pass Django's own check so that ``check_document`` words every error.
    file = forms.FileField(
        label=_("Document"), allow_empty_file=True, help_text=_("PDF, DOCX or ODT, at most 10 MB.")
    )
    role = forms.ChoiceField(label=_("Kind"), choices=FileRole.choices, initial=FileRole.MAIN)
    name = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("Defaults to the file name.")
    )

    def clean_file(self) -> CheckedFile:
        return check_document(self.cleaned_data["file"])


class MeetingForm(forms.Form):
    body = _NamedChoice(label=_("Body"), queryset=Body.objects.none())
    organizations = _NamedMultipleChoice(
        label=_("Committees"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    name = forms.CharField(
        label=_("Name"), max_length=300, help_text=_('e.g. "12. Sitzung des Sozialausschusses"')
    )
    start = PlausibleDateTimeField(label=_("Start"), help_text=DATETIME_HINT)
    end = PlausibleDateTimeField(
        label=pgettext_lazy("end of a meeting", "End"), required=False, help_text=DATETIME_HINT
    )
    state = forms.ChoiceField(
        label=_("State"), choices=MeetingState.choices, initial=MeetingState.PLANNED
    )
    public = forms.BooleanField(
        label=_("Public meeting"),
        required=False,
        initial=True,
        help_text=_("Council members and the OParl interface see public meetings only."),
    )

    def __init__(
        self,
        *args: Any,
        bodies: QuerySet[Body],
        committees: QuerySet[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["organizations"].queryset = committees  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _same_body(self, data.get("body"), ["organizations"])
        return data


class AgendaItemForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=20, help_text=_('e.g. "4b"'))
    name = forms.CharField(label=_("Title"), max_length=500)
    public = forms.BooleanField(label=_("Public item"), required=False, initial=True)


class OrganizationForm(forms.Form):
    body = _NamedChoice(label=_("Body"), queryset=Body.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"), choices=OrganizationKind.choices, initial=OrganizationKind.COMMITTEE
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=80, required=False)
    start_date = PlausibleDateField(label=_("From"), required=False, help_text=DATE_HINT)

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


# --- the administration's report on a motion ----------------------------------------------------


class ReportForm(forms.Form):
    """The header of the report: drafting it (``create_report``) and changing it later."""

    reference = forms.CharField(
        label=_("Reference number of the report"), max_length=50, help_text=_('e.g. "196/2022"')
    )
    paper_type = forms.ChoiceField(
        label=_("Type"),
        choices=[(t.value, t.label) for t in REPORT_PAPER_TYPES],
        initial=PaperType.MITTEILUNGSVORLAGE,
    )
    subject = forms.CharField(
        label=_("Subject (Betreff)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    date = PlausibleDateField(label=_("Date of the paper"), help_text=DATE_HINT)
    as_of = PlausibleDateField(
        label=_("Reference date (Stichtag)"),
        help_text=_("All figures are computed as of this day (DD.MM.YYYY)."),
    )
    department = _NamedChoice(
        label=_("Department"), queryset=Organization.objects.none(), required=False
    )
    proposal = forms.CharField(
        label=_("Proposed resolution"),
        initial=DEFAULT_PROPOSAL,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Opens the facts of the case, before the answers to the questions."),
    )

    def __init__(self, *args: Any, departments: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def clean_as_of(self) -> Any:
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError(_("The reference date cannot lie in the future."))
        return as_of

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        as_of, date = data.get("as_of"), data.get("date")
        if as_of is not None and date is not None and as_of > date:
            self.add_error("as_of", _("The reference date lies after the date of the paper."))
        return data

    @classmethod
    def initial_for(cls, motion: Paper) -> dict[str, Any]:
        """Defaults for a new report: today, the motion's department, the usual proposal."""
        today = timezone.localdate()
        return {
            "subject": f"Antwort auf den Antrag {motion.reference}: {motion.name}",
            "date": today,
            "as_of": today,
            "department": motion.under_direction_of,
            "paper_type": PaperType.MITTEILUNGSVORLAGE,
            "proposal": DEFAULT_PROPOSAL,
        }


class _Versioned(forms.Form):
    """The draft's version when the page was loaded: the action refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReportEditForm(ReportForm, _Versioned):
    @classmethod
    def initial_from(cls, report: Report) -> dict[str, Any]:
        return {name: getattr(report, name) for name in cls.base_fields}


class SectionForm(_Versioned):
    """The narrative answer to one question and the answer blocks shown under it."""

    narrative = forms.CharField(
        label=_("Answer (text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Printed under the question, before the answer blocks. "
            "Blank lines start a new paragraph."
        ),
    )
    block_keys = forms.MultipleChoiceField(
        label=_("Answer blocks"),
        required=False,
        choices=BLOCK_KEYS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Live figures and lists, computed as of the report's reference date."),
    )


class ReleaseForm(_Versioned):
    """Confirms the release of exactly the draft version that was shown, and – one required
    checkbox each – that every answer whose figures changed since its text was written has
    been checked against the new figures (``changed``: those sections, decisions D-054)."""

    def __init__(self, *args: Any, changed: Sequence[Section] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in changed:
            self.fields[f"confirm_{section.number}"] = forms.BooleanField(
                label=_(
                    "I have checked the answer to question %(n)s: its text fits the changed "
                    "figures."
                )
                % {"n": section.number},
                help_text=Truncator(section.question).words(20),
                error_messages={"required": unconfirmed_error(section.number)},
            )

    def confirmation_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("confirm_")]

    def confirmed_sections(self) -> list[str]:
        """The question numbers whose box was ticked (after ``is_valid``)."""
        return [
            name.removeprefix("confirm_")
            for name, value in self.cleaned_data.items()
            if name.startswith("confirm_") and value
        ]
