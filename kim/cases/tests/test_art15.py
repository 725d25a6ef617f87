"""Art. 15 GDPR: the export holds every section with the data recorded, strangers get 404,
a recent password entry is required, the PDF is a PDF, and every export is audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.persons import link_household
from kim.cases.art15 import SECTIONS
from kim.cases.models import BenefitPeriod, Case
from kim.cases.tests.test_retention import fill_case

pytestmark = pytest.mark.django_db


def _reauthenticated(username: str) -> Client:
    client = Client()
    assert client.post("/konto/login/", {"login": username, "password": "demo"}).status_code == 302
    assert client.post("/konto/reauthenticate/", {"password": "demo"}).status_code == 302
    return client


@pytest.fixture
def full_case(make_case: Any) -> tuple[Case, dict[str, Any], Case]:
    started = dt.date(2025, 3, 3)
    case = make_case(
        first_name="Aylin",
        last_name="Auskunft",
        referred_on=started,
        address="Marktplatz 1, 57072 Siegen",
        phone="0271 000000",
    )
    rows = fill_case(case, started=started)
    BenefitPeriod.objects.create(person=case.person, system="sgb_ii", valid_from=started)
    child = make_case(first_name="Kim", last_name="Auskunft", referred_on=started)
    link_household(case.person, acting_user=None, other=child.person, relation="child")
    return case, rows, child


def test_json_export_contains_every_section(full_case: Any) -> None:
    case, _rows, child = full_case
    client = _reauthenticated("cm-siegen")
    response = client.get(f"/fallmanagement/faelle/{case.code}/auskunft/json/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert set(SECTIONS) <= set(data) and data["format"] == "kim-art15/1"
    person = data["person"]
    assert (person["first_name"], person["last_name"]) == ("Aylin", "Auskunft")
    assert person["birth_date"] == "1990-05-17" and person["phone"] == "0271 000000"
    assert data["household"] == [
        {
            "relation": "child",
            "relation_label": data["household"][0]["relation_label"],
            "number": child.person.number,
        }
    ]
    assert data["residence"][0]["file_reference"] == "AZ-4711"
    assert data["benefits"][0]["system"] == "sgb_ii"
    [exported] = data["cases"]
    assert exported["code"] == case.code and exported["phase"] == "access"
    assert exported["phase_history"][0]["to"] == "access"
    assert exported["assessment"][0]["needs"] == "Braucht Wohnung"
    assert exported["goals"][0]["description"] == "Eigene Wohnung finden"
    assert exported["goals"][0]["measures"][0]["description"] == "Wohnungsamt"
    texts = {a["text"] for a in exported["activities"]}
    assert texts == {"Gespräch über Wohnung", "Vertraulicher Vermerk"}  # confidential too
    assert exported["documents"][0]["file_name"] == "bescheid.pdf"
    assert "data" not in exported["documents"][0]  # listed, not embedded
    assert exported["referrals"][0]["note"] == "Vermerk zur Vermittlung"
    assert exported["tasks"][0]["title"] == "Termin Jobcenter"
    assert {c["purpose"] for c in data["consents"]} == {"Vermittlung", "Austausch"}
    [disclosure] = data["disclosures"]
    assert disclosure["legal_basis"].startswith("Art. 6") and disclosure["categories"] == [
        "master_data"
    ]
    assert disclosure["disclosed_at"].startswith("2025-03-13")
    events = {e["event_type"] for e in data["audit_events"]}
    assert {EventType.CASE_OPENED, EventType.PERSON_CREATED} <= events
    assert all("actor" not in e for e in data["audit_events"])

    event = AuditEvent.objects.get(event_type=EventType.CASE_EXPORTED, subject_code=case.code)
    assert event.extra == {"format": "json", "sections": SECTIONS}
    assert event.actor_username == "cm-siegen"


def test_pdf_export_is_a_pdf_and_audited(full_case: Any) -> None:
    case, _rows, _child = full_case
    client = _reauthenticated("teamlead-siegen")
    response = client.get(f"/fallmanagement/faelle/{case.code}/auskunft/pdf/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith(f'auskunft-{case.person.number}.pdf"')
    event = AuditEvent.objects.get(event_type=EventType.CASE_EXPORTED, subject_code=case.code)
    assert event.extra["format"] == "pdf" and event.actor_username == "teamlead-siegen"


def test_export_needs_reauthentication_and_is_hidden_from_strangers(
    make_case: Any, login_as: Any
) -> None:
    case = make_case(first_name="Sina", last_name="Fremd")
    for fmt in ("json", "pdf"):
        url = f"/fallmanagement/faelle/{case.code}/auskunft/{fmt}/"
        response = login_as("cm-siegen").get(url)
        assert response.status_code == 302 and "reauthenticate" in response["Location"]
        for stranger in ("cm-kreuztal", "koordination"):
            assert _reauthenticated(stranger).get(url).status_code == 404, stranger
    assert not AuditEvent.objects.filter(
        event_type=EventType.CASE_EXPORTED, subject_code=case.code
    ).exists()
