"""The facts a case manager adds for the screening of a client: what the case file does not hold.

Every field is optional and starts as "unknown": an unknown fact makes the criteria that need
it ``unclear``; it never counts as "no". The form is always POSTed (facts never go into a URL).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kim.core.forms import PlausibleDateField
from kim.screening.facts import KnowledgeTest, Level, Livelihood

DATE_HINT = _("DD.MM.YYYY")
UNKNOWN = ("", _("unknown"))
TRI_STATE = [("", _("unknown")), ("true", _("yes")), ("false", _("no"))]

LEVEL_CHOICES = [
    UNKNOWN,
    (Level.NONE.value, _("no German")),
    *((lv.value, lv.value) for lv in Level if lv != Level.NONE),
]
TEST_CHOICES = [
    UNKNOWN,
    (KnowledgeTest.NONE.value, _("no test passed")),
    (KnowledgeTest.LEBEN_IN_DEUTSCHLAND.value, _("“Leben in Deutschland” test")),
    (KnowledgeTest.EINBUERGERUNGSTEST.value, _("naturalisation test (Einbürgerungstest)")),
]
LIVELIHOOD_CHOICES = [
    UNKNOWN,
    (Livelihood.SECURED.value, _("secured")),
    (Livelihood.MOSTLY_SECURED.value, _("mostly secured by own work")),
    (Livelihood.NOT_SECURED.value, _("not secured")),
]
# (field name, label): yes / no / unknown questions, in the order of the form.
QUESTIONS: list[tuple[str, Any]] = [
    ("fdgo_commitment", _("Commitment to the free democratic basic order declared")),
    ("identity_clarified", _("Identity and nationality clarified")),
    ("identity_deception", _("Own deception about identity or nationality")),
    ("school_or_vocational_qualification", _("Recognised school or vocational qualification")),
    ("in_education", _("In school, training or study")),
    ("school_age_children_attend_school", _("School-age children attend school")),
    ("former_guest_or_contract_worker", _("Former guest or contract worker")),
    ("special_integration_achievements", _("Special integration achievements")),
    ("illness_or_disability_exception", _("Exception for illness, disability or age")),
    ("asylum_recognized", _("Recognised in the asylum procedure")),
]


def _tri_state(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=TRI_STATE,
        required=False,
        coerce=lambda v: v == "true",
        empty_value=None,
    )


def _choice(label: Any, choices: list[Any], **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=choices, required=False, empty_value=None, **kwargs
    )


def _count(label: Any, maximum: int, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=maximum, **kwargs)


class ScreeningFactsForm(forms.Form):
    decision_date = PlausibleDateField(
        label=_("Decision date"),
        help_text=_("DD.MM.YYYY; the law in force on this day applies."),
    )
    application_date = PlausibleDateField(
        label=_("Application date"),
        required=False,
        help_text=_("DD.MM.YYYY; when the application was or will be filed."),
    )
    german_level = _choice(_("German (overall level)"), LEVEL_CHOICES, coerce=Level)
    oral_german_level = _choice(_("Oral German"), LEVEL_CHOICES, coerce=Level)
    knowledge_test = _choice(_("Test passed"), TEST_CHOICES, coerce=KnowledgeTest)
    livelihood = _choice(_("Livelihood"), LIVELIHOOD_CHOICES, coerce=Livelihood)
    school_years_de = _count(_("Years of school attendance in Germany"), 20)
    criminal_fine_daily_rates = _count(_("Criminal fines (daily rates, 0 = none)"), 10000)
    full_time_months_last_24 = _count(_("Months in full-time work in the last 24 months"), 24)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in QUESTIONS:
            self.fields[name] = _tri_state(label)

    def additions(self) -> dict[str, Any]:
        """The facts the case manager gave (empty ones left out); call after ``is_valid``."""
        data = dict(self.cleaned_data)
        data.pop("decision_date", None)
        return {name: value for name, value in data.items() if value is not None}
