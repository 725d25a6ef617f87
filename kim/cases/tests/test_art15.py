"""Art. 15 GDPR: the export holds every section with the data recorded, strangers get 404,
a recent password entry is required, the PDF is a PDF, and every export is audited."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kim.accounts.actions import create_user, grant_role, revoke_role
from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.lifecycle import assign_case
from kim.cases.actions.persons import link_household
from kim.cases.art15 import SECTIONS
from kim.cases.models import BenefitPeriod, Case
from kim.cases.tests.test_retention import fill_case
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db


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
    assert set(SECTIONS) <= set(data) and data["format"] == "kim-art15/2"
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
    assert event.extra == {"format": "json", "sections": SECTIONS, "confidential_notes": True}
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


# -- Confidential notes (D-049) ---------------------------------------------------------------

RESPONSIBLE_NAME = "Clara Fallmanagerin"  # cm-siegen, shown on the case page to deputy and lead
OMITTED = "Vertrauliche Vermerke zu diesem Fall sind in dieser Auskunft nicht enthalten"


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    pdf = tmp_path / "auskunft.pdf"
    pdf.write_bytes(content)
    result = subprocess.run([tool, str(pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", result.stdout)


@pytest.fixture
def deputy(full_case: Any) -> str:
    """A second case manager of Stadt Siegen, named deputy on the case."""
    case = full_case[0]
    user = create_user(
        acting_user=None, username="vertretung", password="demo", validate_password=False
    )
    grant_role(acting_user=None, user=user, organisation=case.organisation, role="case_manager")
    assign_case(case, acting_user=case.responsible, responsible=case.responsible, deputies=[user])
    return "vertretung"


@pytest.mark.parametrize("persona", ["teamlead-siegen", "vertretung"])
def test_export_by_anyone_but_the_responsible_omits_confidential_notes_and_says_so(
    full_case: Any, deputy: str, persona: str, tmp_path: Path
) -> None:
    case, _rows, _child = full_case
    client = _reauthenticated(persona)
    response = client.get(f"/fallmanagement/faelle/{case.code}/auskunft/json/")
    assert response.status_code == 200
    assert b"Vertraulicher Vermerk" not in response.content
    data = json.loads(response.content)
    [exported] = data["cases"]
    assert {a["text"] for a in exported["activities"]} == {"Gespräch über Wohnung"}
    assert data["confidential_notes_included"] is False
    notes = exported["confidential_notes"]
    assert notes["included"] is False
    assert notes["completed_by"] == {
        "role": "responsible_case_manager",
        "role_label": "Fallverantwortliche Fachkraft",
        "name": RESPONSIBLE_NAME,
    }
    assert notes["statement"].startswith(OMITTED) and RESPONSIBLE_NAME in notes["statement"]
    assert "ohne vertrauliche Vermerke" in data["notes"]

    pdf = client.get(f"/fallmanagement/faelle/{case.code}/auskunft/pdf/")
    assert pdf.status_code == 200
    text = _pdf_text(pdf.content, tmp_path)
    assert "Gespräch über Wohnung" in text and "Vertraulicher Vermerk" not in text
    assert OMITTED in text and RESPONSIBLE_NAME in text

    events = AuditEvent.objects.filter(event_type=EventType.CASE_EXPORTED, subject_code=case.code)
    assert [e.extra["confidential_notes"] for e in events] == [False, False]


def test_export_by_the_responsible_case_manager_includes_confidential_notes(
    full_case: Any, deputy: str, tmp_path: Path
) -> None:
    case, _rows, _child = full_case
    client = _reauthenticated("cm-siegen")
    data = json.loads(client.get(f"/fallmanagement/faelle/{case.code}/auskunft/json/").content)
    [exported] = data["cases"]
    assert {a["text"] for a in exported["activities"]} == {
        "Gespräch über Wohnung",
        "Vertraulicher Vermerk",
    }
    assert data["confidential_notes_included"] is True
    assert exported["confidential_notes"]["included"] is True
    assert exported["confidential_notes"]["completed_by"] is None
    assert OMITTED not in exported["confidential_notes"]["statement"]

    text = _pdf_text(
        client.get(f"/fallmanagement/faelle/{case.code}/auskunft/pdf/").content, tmp_path
    )
    assert "Gespräch über Wohnung" in text and "Vertraulicher Vermerk" in text
    assert OMITTED not in text
    event = AuditEvent.objects.filter(event_type=EventType.CASE_EXPORTED).latest("id")
    assert event.extra["confidential_notes"] is True and event.actor_username == "cm-siegen"


def test_export_names_no_one_when_the_responsible_has_left(full_case: Any) -> None:
    """Whoever no longer holds the case-manager role cannot read the notes (D-041): the export
    then asks the team lead to name a responsible case manager instead of naming them."""
    case, _rows, _child = full_case
    membership = case.responsible.memberships.get(
        organisation=case.organisation, role="case_manager", revoked_at__isnull=True
    )
    revoke_role(acting_user=None, membership=membership)
    client = _reauthenticated("teamlead-siegen")
    data = json.loads(client.get(f"/fallmanagement/faelle/{case.code}/auskunft/json/").content)
    notes = data["cases"][0]["confidential_notes"]
    assert notes["included"] is False and notes["completed_by"]["name"] == ""
    assert RESPONSIBLE_NAME not in notes["statement"] and "Teamleitung" in notes["statement"]


def test_export_names_the_referred_service_and_the_interpreter_bookings(full_case: Any) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from kim.cases.models import InterpreterBooking, Referral
    from kim.network.models import Interpreter
    from kim.network.tests.factories_public import service

    case, _rows, _child = full_case
    entry = service(name="Migrationsberatung für Erwachsene (Test)")
    Referral.objects.filter(case=case).update(service=entry)
    interpreter = Interpreter.objects.create(
        region=case.organisation.region,
        name="Test-Dolmetscherin Arabisch",
        languages=["ar"],
        kind="freelance",
        hourly_rate=Decimal("55.00"),
    )
    starts = timezone.make_aware(dt.datetime(2025, 4, 2, 10, 0))
    InterpreterBooking.objects.create(
        case=case,
        interpreter=interpreter,
        language="ar",
        starts_at=starts,
        duration_minutes=60,
        place="Rathaus Siegen, Raum 12",
        shared_categories=["master_data"],
        hourly_rate=interpreter.hourly_rate,
        status="cancelled",
        cancel_reason="Person erkrankt",
    )
    client = _reauthenticated("cm-siegen")
    data = json.loads(client.get(f"/fallmanagement/faelle/{case.code}/auskunft/json/").content)
    [exported] = data["cases"]
    assert exported["referrals"][0]["service"] == "Migrationsberatung für Erwachsene (Test)"
    [booking] = exported["interpreter_bookings"]
    assert booking["interpreter"] == "Test-Dolmetscherin Arabisch"
    assert (booking["language"], booking["language_name"]) == ("ar", "Arabisch")
    assert booking["place"] == "Rathaus Siegen, Raum 12"
    assert (booking["status"], booking["cancel_reason"]) == ("cancelled", "Person erkrankt")
    assert booking["shared_categories"] == ["master_data"]
    pdf = client.get(f"/fallmanagement/faelle/{case.code}/auskunft/pdf/")
    assert pdf.status_code == 200
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    text = subprocess.run(
        [tool, "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Test-Dolmetscherin Arabisch" in text and "Person erkrankt" in text
    assert "(Migrationsberatung für Erwachsene (Test))" in " ".join(text.split())
