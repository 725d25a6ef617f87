"""Demo screening: the rule versions, a list of 30 fictional persons for ``abh`` and the
screening consent of two of ``cm-siegen``'s clients.

Every person of the list is synthetic ("Fiktive Person 1" … with a short note on the case it
shows, references "DEMO-ABH-001" …); dates are relative to the day of the seed, so that the
edge cases stay edge cases (the 27th birthday tomorrow, a period that completes in a few
months). The list is uploaded and screened through the same actions as the officer's upload
(``kim.screening.actions.lists``), with today as decision date; so § 104c and the former
§ 10 Abs. 3 StAG ("Turbo") show as no longer in force, and the entries noted for them show
who would have qualified. Idempotent: nothing happens while a list of the ABH exists; the
consents are recorded only where the client has no screening consent yet.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kim.accounts.models import Membership, Role
from kim.cases.actions import timeline
from kim.cases.actions.consent import record_consent
from kim.cases.models import Case, ConsentScope, DataCategory, ResidencePeriod
from kim.organisations.models import Organisation
from kim.screening.models import ListStatus, ScreeningList

LIST_TITLE = "Demo: Potenzialanalyse Bleiberecht und Einbürgerung (fiktiv)"
SCREENING_PURPOSE = "Prüfung der Bleibeperspektive (Baustein 3)"
# Clients of cm-siegen (kim.cases.demo) who consent to the screening.
CONSENTING_CLIENTS = (("Tarek", "Platzhalter"), ("Mariam", "Beispielhaft"))

# Complete facts of a well-integrated adult; each demo person changes what its case needs.
INTEGRATED: dict[str, Any] = {
    "german_level": "B1",
    "oral_german_level": "B1",
    "knowledge_test": "leben_in_deutschland",
    "fdgo_commitment": True,
    "livelihood": "mostly_secured",
    "receives_sgb2_or_sgb12": False,
    "school_age_children_attend_school": True,
    "identity_clarified": True,
    "identity_deception": False,
    "criminal_fine_daily_rates": 0,
    "minor_child_in_household": False,
}
NATURALISATION: dict[str, Any] = {
    **INTEGRATED,
    "knowledge_test": "einbuergerungstest",
    "livelihood": "secured",
    "full_time_months_last_24": 24,
    "former_guest_or_contract_worker": False,
}


class _Clock:
    def __init__(self, today: dt.date) -> None:
        self.today = today

    def years_ago(self, years: int, days: int = 0) -> dt.date:
        """``years`` calendar years before today, then ``days`` more back (negative: forward)."""
        try:
            day = self.today.replace(year=self.today.year - years)
        except ValueError:  # 29 February
            day = self.today.replace(year=self.today.year - years, day=28)
        return day - dt.timedelta(days=days)

    def iso(self, years: int, days: int = 0) -> str:
        return self.years_ago(years, days).isoformat()


def _period(status: str, start: str, end: str | None = None, section: str = "") -> dict[str, Any]:
    return {"status": status, "section": section, "from": start, "to": end}


def _residence_cases(c: _Clock) -> list[tuple[str, dict[str, Any]]]:
    """§ 25b and § 25a: typical cases and their edges."""
    return [
        (
            "§ 25b: seit 7 Jahren geduldet, alles erfüllt",
            {
                **INTEGRATED,
                "birth_date": c.iso(38),
                "residence_periods": [_period("duldung", c.iso(7), None, "60a")],
            },
        ),
        (
            "§ 25b: 4 Jahre mit minderjährigem Kind",
            {
                **INTEGRATED,
                "birth_date": c.iso(34),
                "minor_child_in_household": True,
                "residence_periods": [_period("duldung", c.iso(4, 30), None, "60a")],
            },
        ),
        (
            "§ 25b: 4 Jahre ohne Kind – erst später",
            {
                **INTEGRATED,
                "birth_date": c.iso(31),
                "residence_periods": [_period("duldung", c.iso(4, 30), None, "60a")],
            },
        ),
        (
            "§ 25b: Unterbrechung von 2 Monaten (unschädlich)",
            {
                **INTEGRATED,
                "birth_date": c.iso(40),
                "residence_periods": [
                    _period("duldung", c.iso(8), c.iso(3), "60a"),
                    _period("duldung", c.iso(3, -60), None, "60a"),
                ],
            },
        ),
        (
            "§ 25b: Unterbrechung von 5 Monaten (Frist beginnt neu)",
            {
                **INTEGRATED,
                "birth_date": c.iso(41),
                "residence_periods": [
                    _period("duldung", c.iso(9), c.iso(3), "60a"),
                    _period("duldung", c.iso(3, -150), None, "60a"),
                ],
            },
        ),
        (
            "§ 25b: voraussichtlich in wenigen Monaten",
            {
                **INTEGRATED,
                "birth_date": c.iso(29),
                "residence_periods": [
                    _period("gestattung", c.iso(6, -90), c.iso(3), ""),
                    _period("duldung", c.iso(3, 1), None, "60a"),
                ],
            },
        ),
        (
            "§ 25b: lange geduldet, Sprache und Test unbekannt",
            {
                "birth_date": c.iso(45),
                "residence_periods": [_period("duldung", c.iso(9), None, "60a")],
            },
        ),
        (
            "§ 25b: Geldstrafe über 180 Tagessätze",
            {
                **INTEGRATED,
                "birth_date": c.iso(36),
                "criminal_fine_daily_rates": 200,
                "residence_periods": [_period("duldung", c.iso(8), None, "60a")],
            },
        ),
        (
            "§ 25b: eigene Identitätstäuschung",
            {
                **INTEGRATED,
                "birth_date": c.iso(37),
                "identity_deception": True,
                "residence_periods": [_period("duldung", c.iso(8), None, "60a")],
            },
        ),
        (
            "§ 25b: Beschäftigungsduldung nach § 60d",
            {
                **INTEGRATED,
                "birth_date": c.iso(33),
                "residence_periods": [
                    _period("gestattung", c.iso(7), c.iso(3), ""),
                    _period("duldung", c.iso(3, 1), None, "60d"),
                ],
            },
        ),
        (
            "§ 25a: 20 Jahre, Schulbesuch, seit 4 Jahren geduldet",
            {
                **INTEGRATED,
                "birth_date": c.iso(20),
                "application_date": c.iso(0),
                "school_years_de": 4,
                "in_education": True,
                "residence_periods": [_period("duldung", c.iso(4), None, "60a")],
            },
        ),
        (
            "§ 25a: 27. Geburtstag morgen (Antrag heute noch rechtzeitig)",
            {
                **INTEGRATED,
                "birth_date": c.iso(27, -1),
                "application_date": c.iso(0),
                "school_or_vocational_qualification": True,
                "residence_periods": [_period("duldung", c.iso(5), None, "60a")],
            },
        ),
        (
            "§ 25a: 27. Geburtstag heute (Antrag zu spät)",
            {
                **INTEGRATED,
                "birth_date": c.iso(27),
                "application_date": c.iso(0),
                "school_or_vocational_qualification": True,
                "residence_periods": [_period("duldung", c.iso(5), None, "60a")],
            },
        ),
        (
            "§ 25a: Duldung nach § 60b zählt nicht",
            {
                **INTEGRATED,
                "birth_date": c.iso(19),
                "application_date": c.iso(0),
                "school_years_de": 3,
                "residence_periods": [_period("duldung", c.iso(4), None, "60b")],
            },
        ),
        (
            "§ 25a: nur Gestattung, kein Wechsel mehr möglich",
            {
                **INTEGRATED,
                "birth_date": c.iso(18),
                "application_date": c.iso(0),
                "school_years_de": 3,
                "residence_periods": [_period("gestattung", c.iso(3, 30), None, "")],
            },
        ),
        (
            "§ 25a: Abschluss statt Schuljahren",
            {
                **INTEGRATED,
                "birth_date": c.iso(23),
                "application_date": c.iso(0),
                "school_or_vocational_qualification": True,
                "residence_periods": [_period("duldung", c.iso(3, 60), None, "60a")],
            },
        ),
    ]


def _former_rule_cases(c: _Clock) -> list[tuple[str, dict[str, Any]]]:
    """§ 104c (expired 31.12.2025) and the former Turbo naturalisation."""
    return [
        (
            "§ 104c: hätte bis 31.12.2025 beantragen können (5 Jahre am 31.10.2022)",
            {
                **INTEGRATED,
                "birth_date": c.iso(44),
                "oral_german_level": "A1",
                "german_level": "A1",
                "knowledge_test": "none",
                "residence_periods": [_period("duldung", "2016-05-01", None, "60a")],
            },
        ),
        (
            "§ 104c-Inhaber: Titel läuft aus, Wechsel nach § 25b",
            {
                **INTEGRATED,
                "birth_date": c.iso(39),
                "residence_periods": [
                    _period("duldung", "2015-09-01", "2025-05-31", "60a"),
                    _period("aufenthaltserlaubnis", "2025-06-01", c.iso(0, -60), "104c"),
                ],
            },
        ),
        (
            "§ 10 Abs. 3 StAG: hätte im Turbo-Zeitraum (27.06.2024 – Ende Okt. 2025) gepasst",
            {
                **NATURALISATION,
                "birth_date": c.iso(32),
                "german_level": "C1",
                "oral_german_level": "C1",
                "special_integration_achievements": True,
                "residence_periods": [_period("aufenthaltserlaubnis", c.iso(4, 60), None, "18b")],
            },
        ),
    ]


def _naturalisation_cases(c: _Clock) -> list[tuple[str, dict[str, Any]]]:
    """§ 10 StAG before and after 27.06.2024."""
    return [
        (
            "§ 10 StAG: 6 Jahre mit Niederlassungserlaubnis",
            {
                **NATURALISATION,
                "birth_date": c.iso(35),
                "residence_periods": [
                    _period("aufenthaltserlaubnis", c.iso(6), c.iso(3, 1), "18b"),
                    _period("niederlassungserlaubnis", c.iso(3), None, "18c"),
                ],
            },
        ),
        (
            "§ 10 StAG: Antrag vor dem 27.06.2024, entschieden nach neuem Recht",
            {
                **NATURALISATION,
                "birth_date": c.iso(42),
                "application_date": "2024-03-01",
                "residence_periods": [_period("aufenthaltserlaubnis", c.iso(5, 120), None, "19c")],
            },
        ),
        (
            "§ 10 StAG: Antrag nach dem 27.06.2024",
            {
                **NATURALISATION,
                "birth_date": c.iso(30),
                "application_date": "2024-09-02",
                "residence_periods": [_period("aufenthaltserlaubnis", c.iso(5, 30), None, "18a")],
            },
        ),
        (
            "§ 10 StAG: Gestattung zählt nach Anerkennung mit",
            {
                **NATURALISATION,
                "birth_date": c.iso(33),
                "asylum_recognized": True,
                "residence_periods": [
                    _period("gestattung", c.iso(6), c.iso(4, 1), ""),
                    _period("aufenthaltserlaubnis", c.iso(4), None, "25"),
                ],
            },
        ),
        (
            "§ 10 StAG: Gestattung ohne Anerkennung zählt nicht",
            {
                **NATURALISATION,
                "birth_date": c.iso(34),
                "asylum_recognized": False,
                "residence_periods": [
                    _period("gestattung", c.iso(6), c.iso(4, 1), ""),
                    _period("aufenthaltserlaubnis", c.iso(4), None, "25"),
                ],
            },
        ),
        (
            "§ 10 StAG: 5 Jahre in zwei Monaten erreicht",
            {
                **NATURALISATION,
                "birth_date": c.iso(28),
                "residence_periods": [_period("aufenthaltserlaubnis", c.iso(5, -60), None, "18b")],
            },
        ),
        (
            "§ 10 StAG: Bürgergeld, 22 Monate Vollzeit (Ausnahme)",
            {
                **NATURALISATION,
                "birth_date": c.iso(45),
                "receives_sgb2_or_sgb12": True,
                "full_time_months_last_24": 22,
                "residence_periods": [_period("niederlassungserlaubnis", c.iso(9), None, "26")],
            },
        ),
        (
            "§ 10 StAG: Bürgergeld ohne Ausnahme",
            {
                **NATURALISATION,
                "birth_date": c.iso(47),
                "receives_sgb2_or_sgb12": True,
                "full_time_months_last_24": 6,
                "livelihood": "not_secured",
                "residence_periods": [_period("niederlassungserlaubnis", c.iso(9), None, "26")],
            },
        ),
        (
            "§ 10 StAG: Deutsch nur A2",
            {
                **NATURALISATION,
                "birth_date": c.iso(50),
                "german_level": "A2",
                "residence_periods": [_period("niederlassungserlaubnis", c.iso(12), None, "9")],
            },
        ),
        (
            "§ 10 StAG: Studienaufenthalt (vorübergehender Zweck)",
            {
                **NATURALISATION,
                "birth_date": c.iso(26),
                "residence_periods": [_period("aufenthaltserlaubnis", c.iso(6), None, "16b")],
            },
        ),
        (
            "Nur Geburtsdatum bekannt",
            {"birth_date": c.iso(30)},
        ),
    ]


def demo_persons(today: dt.date) -> list[dict[str, Any]]:
    """The 30 fictional persons in the CLI's PERSON shape (plus ``label``)."""
    clock = _Clock(today)
    cases = _residence_cases(clock) + _former_rule_cases(clock) + _naturalisation_cases(clock)
    return [
        {"ref": f"DEMO-ABH-{n:03d}", "label": f"Fiktive Person {n} – {note}", **facts}
        for n, (note, facts) in enumerate(cases, start=1)
    ]


# --------------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------------


def _officer() -> tuple[Any, Organisation]:
    user = get_user_model().objects.get(username="abh")
    membership = (
        Membership.objects.active()
        .select_related("organisation")
        .get(user=user, role=Role.B3_OFFICER)
    )
    return user, membership.organisation


def seed_list(today: dt.date) -> ScreeningList | None:
    """Upload and screen the demo list as ``abh``; None if the ABH has a list already."""
    from kim.screening.actions.lists import screen_next_chunk, upload_list

    user, organisation = _officer()
    if ScreeningList.objects.filter(organisation=organisation).exists():
        return None
    document = {"decision_date": today.isoformat(), "persons": demo_persons(today)}
    upload = SimpleUploadedFile(
        "demo-liste.json",
        json.dumps(document, ensure_ascii=False).encode(),
        content_type="application/json",
    )
    screening_list = upload_list(
        acting_user=user,
        organisation=organisation,
        upload=upload,
        title=LIST_TITLE,
        decision_date=today,
    )
    while screening_list.status not in (ListStatus.DONE, ListStatus.FAILED):
        screening_list = screen_next_chunk(screening_list, acting_user=user)
    return screening_list


def _client_case(user: Any, first: str, last: str) -> Case | None:
    for case in Case.objects.filter(responsible=user).select_related("person", "organisation"):
        if (case.person.first_name, case.person.last_name) == (first, last):
            return case
    return None


def _earlier_history(case: Case, user: Any, today: dt.date) -> None:
    """Tarek's file starts with the current Duldung; the demo adds the asylum procedure
    before it, so the § 25b time is worth screening."""
    first = ResidencePeriod.objects.filter(person=case.person).order_by("valid_from").first()
    if first is None or first.status != "duldung":
        return
    timeline.record_residence_period(
        case,
        acting_user=user,
        status="gestattung",
        section="",
        valid_from=_Clock(today).years_ago(7),
        valid_until=first.valid_from - dt.timedelta(days=1),
        authority=first.authority,
        file_reference="ABH-DEMO-4711",
    )


def seed_client_consents(today: dt.date) -> list[Case]:
    """Screening consents for two of cm-siegen's clients (skipped where one exists)."""
    user = get_user_model().objects.get(username="cm-siegen")
    done = []
    for first, last in CONSENTING_CLIENTS:
        case = _client_case(user, first, last)
        if case is None or case.person.consents.filter(scope=ConsentScope.SCREENING).exists():
            continue
        if first == "Tarek":
            _earlier_history(case, user, today)
        record_consent(
            case,
            acting_user=user,
            recipient=None,
            scope=ConsentScope.SCREENING,
            purpose=SCREENING_PURPOSE,
            categories=[
                DataCategory.RESIDENCE,
                DataCategory.BENEFITS,
                DataCategory.FAMILY,
                DataCategory.EDUCATION_WORK,
            ],
            given_on=today - dt.timedelta(days=7),
            valid_until=today + dt.timedelta(days=365),
        )
        done.append(case)
    return done


def seed_screening(orgs: dict[str, Organisation]) -> None:
    """Idempotent: rule versions, the ABH's demo list, two clients' screening consents."""
    from kim.screening.actions.reference import load_screening_reference_data

    load_screening_reference_data(acting_user=None)
    today = timezone.localdate()
    seed_list(today)
    seed_client_consents(today)
