"""A case manager screens an own client, only with the person's consent for that purpose.

Access (docs/permissions.md § Screening): responsible case manager and deputies with an active
screening consent → 200; the same without that consent (or with a disclosure consent only) →
refusal page (403) and no run event; the team lead, who reads the case → 403; a case manager
of another town → 404. The mapping from the case file's timeline to the facts is tested on
unsaved rows and on a real case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.consent import record_consent
from kim.cases.actions.persons import create_person, link_household
from kim.cases.actions.timeline import (
    end_residence_period,
    record_benefit_period,
    record_residence_period,
)
from kim.cases.models import (
    BenefitPeriod,
    Case,
    Consent,
    ConsentScope,
    DataCategory,
    Person,
    Relation,
    ResidencePeriod,
)
from kim.cases.tests.conftest import make_case  # noqa: F401 (fixture)
from kim.organisations.models import Organisation
from kim.screening.clients import (
    benefit_facts,
    case_facts,
    is_recognition,
    map_residence,
    minor_child,
    normalise_section,
    with_additions,
)
from kim.screening.facts import Level, Period, Status

TODAY = dt.date(2026, 11, 25)
REFUSAL = "Für eine Prüfung der Bleibeperspektive fehlt die Einwilligung der Person"


def _url(case: Case) -> str:
    return f"/screening/klienten/{case.code}/"


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _runs(case: Case) -> int:
    return AuditEvent.objects.filter(
        event_type=EventType.SCREENING_CASE_RUN, subject_code=case.code
    ).count()


def _consent(case: Case, scope: str, **kwargs: Any) -> Consent:
    defaults: dict[str, Any] = {
        "recipient": Organisation.objects.get(short_name="Jobcenter"),
        "purpose": "Prüfung der Bleibeperspektive",
        "categories": [DataCategory.RESIDENCE, DataCategory.FAMILY],
        "given_on": TODAY - dt.timedelta(days=3),
        "valid_until": TODAY + dt.timedelta(days=300),
    }
    return record_consent(
        case, acting_user=_user("cm-siegen"), scope=scope, **{**defaults, **kwargs}
    )


@pytest.fixture
def client_case(make_case: Callable[..., Case]) -> Case:  # noqa: F811
    """A Siegen client: asylum procedure, then a § 60b Duldung; no consent yet."""
    with time_machine.travel(TODAY, tick=False):
        case = make_case("cm-siegen", birth_date=dt.date(1990, 3, 1))
        user = _user("cm-siegen")
        record_residence_period(
            case,
            acting_user=user,
            status="gestattung",
            valid_from=dt.date(2018, 1, 1),
            valid_until=dt.date(2021, 12, 31),
        )
        record_residence_period(
            case,
            acting_user=user,
            status="duldung",
            section="§ 60b",
            valid_from=dt.date(2022, 1, 1),
        )
    return case


# --------------------------------------------------------------------------------------------
# Mapping: timeline → facts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("§ 60b", "60b"),
        ("§ 25 Abs. 2", "25"),
        ("§25a Abs.1", "25a"),
        ("§ 104c AufenthG", "104c"),
        ("60a", "60a"),
        ("", ""),
    ],
)
def test_section_is_reduced_to_its_number(section: str, expected: str) -> None:
    assert normalise_section(section) == expected


def test_recognition_is_a_section_25_permit_after_para_1_or_2() -> None:
    assert is_recognition("§ 25 Abs. 2")
    assert is_recognition("§ 25 Abs. 1")
    assert not is_recognition("§ 25 Abs. 5")
    assert not is_recognition("§ 25b")
    assert not is_recognition("§ 60b")


def _row(status: str, start: str, end: str | None = None, section: str = "") -> ResidencePeriod:
    return ResidencePeriod(
        status=status,
        section=section,
        valid_from=dt.date.fromisoformat(start),
        valid_until=dt.date.fromisoformat(end) if end else None,
    )


def test_timeline_statuses_map_to_screening_statuses() -> None:
    mapped = map_residence(
        [
            _row("duldung", "2019-01-01", "2020-12-31", "§ 60b"),
            _row("fiktion", "2021-01-01", "2021-03-31"),  # continues the Duldung
            _row("aufenthaltserlaubnis", "2021-04-01", "2023-12-31", "§ 25b Abs. 1"),
            _row("eu_freizuegigkeit", "2024-01-01", "2024-06-30"),
            _row("deutsch", "2024-07-01"),
        ]
    )
    assert mapped.periods == (
        Period(Status.DULDUNG, dt.date(2019, 1, 1), dt.date(2020, 12, 31), "60b"),
        Period(Status.DULDUNG, dt.date(2021, 1, 1), dt.date(2021, 3, 31), "60b"),
        Period(Status.AUFENTHALTSERLAUBNIS, dt.date(2021, 4, 1), dt.date(2023, 12, 31), "25b"),
        Period(
            Status.NIEDERLASSUNGSERLAUBNIS, dt.date(2024, 1, 1), dt.date(2024, 6, 30), "FreizügG/EU"
        ),
    )
    assert len(mapped.notes) == 3  # Fiktion, EU, German: each explained once


def test_fiktion_without_a_previous_period_counts_as_none() -> None:
    mapped = map_residence([_row("fiktion", "2024-01-01")])
    assert mapped.periods == (Period(Status.NONE, dt.date(2024, 1, 1), None, ""),)


def test_benefits_open_on_the_decision_date() -> None:
    day = dt.date(2026, 6, 1)
    sgb2 = BenefitPeriod(system="sgb_ii", valid_from=dt.date(2025, 1, 1), valid_until=None)
    ended = BenefitPeriod(
        system="sgb_xii", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2024, 1, 1)
    )
    asylblg = BenefitPeriod(system="asylblg", valid_from=dt.date(2024, 1, 2))
    assert benefit_facts([sgb2], day)["receives_sgb2_or_sgb12"] is True
    assert benefit_facts([ended, asylblg], day)["receives_sgb2_or_sgb12"] is False
    assert benefit_facts([], day) == {"receives_sgb2_or_sgb12": None, "in_education": None}


def test_minor_child_turns_adult_on_the_18th_birthday() -> None:
    child = Person(birth_date=dt.date(2008, 12, 1))
    assert minor_child([child], True, dt.date(2026, 11, 30)) is True
    assert minor_child([child], True, dt.date(2026, 12, 1)) is False
    assert minor_child([Person(birth_date=None)], True, dt.date(2026, 1, 1)) is None
    assert minor_child([], False, dt.date(2026, 1, 1)) is None
    assert minor_child([], True, dt.date(2026, 1, 1)) is False


def test_case_file_facts(client_case: Case) -> None:
    """§ 60b section, recognition after the asylum procedure, a minor child, SGB II."""
    user = _user("cm-siegen")
    with time_machine.travel(TODAY, tick=False):
        duldung = ResidencePeriod.objects.get(person=client_case.person, status="duldung")
        end_residence_period(
            duldung, client_case, acting_user=user, valid_until=dt.date(2025, 12, 31)
        )
        record_residence_period(
            client_case,
            acting_user=user,
            status="aufenthaltserlaubnis",
            section="§ 25 Abs. 2",
            valid_from=dt.date(2026, 1, 1),
            valid_until=dt.date(2028, 12, 31),
        )
        record_benefit_period(
            client_case, acting_user=user, system="sgb_ii", valid_from=dt.date(2026, 1, 1)
        )
        child = create_person(
            acting_user=user,
            organisation=client_case.organisation,
            first_name="Kinda",
            last_name="Fiktiva",
            birth_date=dt.date(2015, 5, 5),
        )
        link_household(client_case.person, child, Relation.CHILD, acting_user=user)
    found = case_facts(Case.objects.select_related("person").get(pk=client_case.pk), TODAY)
    facts = found.facts
    assert facts.birth_date == dt.date(1990, 3, 1)
    assert [(p.status, p.section) for p in facts.residence_periods or ()] == [
        (Status.GESTATTUNG, ""),
        (Status.DULDUNG, "60b"),
        (Status.AUFENTHALTSERLAUBNIS, "25"),
    ]
    assert facts.asylum_recognized is True
    assert facts.receives_sgb2_or_sgb12 is True
    assert facts.minor_child_in_household is True
    assert facts.german_level is None  # unknown until the form says otherwise
    added = with_additions(facts, {"german_level": Level.B1, "fdgo_commitment": None})
    assert added.german_level == Level.B1 and added.fdgo_commitment is None


# --------------------------------------------------------------------------------------------
# The page: consent gate and access
# --------------------------------------------------------------------------------------------

FORM = {
    "decision_date": "25.11.2026",
    "german_level": "B1",
    "oral_german_level": "B1",
    "knowledge_test": "leben_in_deutschland",
    "fdgo_commitment": "true",
    "livelihood": "mostly_secured",
    "criminal_fine_daily_rates": "0",
    "identity_deception": "false",
}


@time_machine.travel(TODAY, tick=False)
def test_screening_needs_a_screening_consent(
    client_case: Case, login_as: Callable[[str], Any]
) -> None:
    client = login_as("cm-siegen")
    # No consent: the refusal page, nothing evaluated, nothing audited as a run.
    for response in (client.get(_url(client_case)), client.post(_url(client_case), FORM)):
        assert response.status_code == 403
        assert REFUSAL in response.content.decode()
    # A consent to pass data on does not allow the screening.
    _consent(client_case, ConsentScope.DISCLOSURE)
    response = client.post(_url(client_case), FORM)
    assert response.status_code == 403 and REFUSAL in response.content.decode()
    assert _runs(client_case) == 0
    # With the screening consent: the form, then the results.
    consent = _consent(client_case, ConsentScope.SCREENING, recipient=None)
    assert consent.recipient_id == client_case.organisation_id
    reads = AuditEvent.objects.filter(event_type=EventType.CASE_READ, subject_code=client_case.code)
    before = reads.count()
    page = client.get(_url(client_case))
    assert page.status_code == 200 and "Aus der Fallakte" in page.content.decode()
    assert reads.count() == before + 1
    response = client.post(_url(client_case), FORM)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="results"' in html and "Nur zur Orientierung" in html
    for rule in ("aufenthg_25a", "aufenthg_25b", "aufenthg_104c", "stag_10", "stag_10_3"):
        assert f'id="rule-{rule}"' in html
    event = AuditEvent.objects.get(
        event_type=EventType.SCREENING_CASE_RUN, subject_code=client_case.code
    )
    assert event.extra["decision_date"] == "2026-11-25"
    assert event.extra["outcomes"]["aufenthg_104c"] == "not_in_force"
    assert event.extra["consent"] == consent.code
    assert "german_level" in event.extra["facts_added"]
    assert "B1" not in str(event.extra)  # names of facts, never their values


@time_machine.travel(TODAY, tick=False)
def test_revoked_or_expired_screening_consent_refuses(
    client_case: Case, login_as: Callable[[str], Any]
) -> None:
    _consent(
        client_case,
        ConsentScope.SCREENING,
        recipient=None,
        given_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2026, 11, 24),
    )
    response = login_as("cm-siegen").post(_url(client_case), FORM)
    assert response.status_code == 403 and _runs(client_case) == 0


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("cm-kreuztal", 404), ("teamlead-siegen", 403), ("abh", 404), ("cm-traeger", 404)],
)
def test_who_may_screen(
    client_case: Case, login_as: Callable[[str], Any], persona: str, status: int
) -> None:
    """Same case with an active consent: only its case managers screen it."""
    _consent(client_case, ConsentScope.SCREENING, recipient=None)
    for client, expected in ((login_as(persona), status), (login_as("cm-siegen"), 200)):
        assert client.get(_url(client_case)).status_code == expected
        assert client.post(_url(client_case), FORM).status_code == expected
    assert _runs(client_case) == 1  # only cm-siegen's run


@time_machine.travel(TODAY, tick=False)
def test_invalid_form_shows_errors_and_runs_nothing(
    client_case: Case, login_as: Callable[[str], Any]
) -> None:
    _consent(client_case, ConsentScope.SCREENING, recipient=None)
    response = login_as("cm-siegen").post(
        _url(client_case), {**FORM, "decision_date": "31.02.2026", "school_years_de": "-1"}
    )
    assert response.status_code == 200 and 'id="results"' not in response.content.decode()
    assert _runs(client_case) == 0


@time_machine.travel(TODAY, tick=False)
def test_consent_form_records_a_screening_consent(
    client_case: Case, login_as: Callable[[str], Any]
) -> None:
    """The case's consent form offers the scope; a screening consent needs no recipient."""
    client = login_as("cm-siegen")
    url = f"/fallmanagement/faelle/{client_case.code}/einwilligungen/neu/"
    assert 'value="screening"' in client.get(url).content.decode()
    data = {
        "scope": "disclosure",
        "purpose": "Prüfung",
        "categories": ["residence"],
        "given_on": "20.11.2026",
        "form_language": "de",
    }
    assert client.post(url, data).status_code == 200  # disclosure without recipient
    assert not Consent.objects.filter(person=client_case.person).exists()
    response = client.post(url, {**data, "scope": "screening"})
    assert response.status_code == 302
    consent = Consent.objects.get(person=client_case.person)
    assert consent.scope == ConsentScope.SCREENING
    assert consent.recipient_id == client_case.organisation_id
    event = AuditEvent.objects.filter(
        event_type=EventType.CONSENT_RECORDED, subject_code=consent.code
    ).get()
    assert event.extra["scope"] == "screening"
    assert (
        'id="screening-link"'
        in client.get(f"/fallmanagement/faelle/{client_case.code}/").content.decode()
    )


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("day", ["31.12.9999", "01.01.0001"])
def test_an_implausible_decision_date_is_an_error_not_a_crash(
    client_case: Case, login_as: Callable[[str], Any], day: str
) -> None:
    """The probe's 31.12.9999 overflowed in the rules (a date plus months); now the field
    refuses it in German and nothing is evaluated or audited as a run."""
    _consent(client_case, ConsentScope.SCREENING, recipient=None)
    response = login_as("cm-siegen").post(_url(client_case), {**FORM, "decision_date": day})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="results"' not in html
    assert 'id="id_decision_date_error"' in html
    assert "Bitte ein Datum zwischen 01.01.1900 und 31.12.2036 angeben." in html
    assert _runs(client_case) == 0
