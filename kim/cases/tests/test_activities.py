"""Contacts, appointments, notes and documents: the checks, confidential notes for the
responsible case manager only, and documents encrypted at rest with audited downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions import lifecycle as lc
from kim.cases.actions.activities import record_activity
from kim.cases.models import Activity, ActivityKind, Case, CaseDocument, Indication
from kim.cases.tests.test_lifecycle import REFERRED, TODAY, second_case_manager

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
SECRET = b"Aufenthaltstitel Geheimnummer 4711"
PDF = b"%PDF-1.4\n" + SECRET + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    case = make_case("cm-siegen", referred_on=REFERRED)
    lc.assign_case(
        case,
        acting_user=case.responsible,
        responsible=case.responsible,
        deputies=[second_case_manager()],
    )
    return case


def test_contacts_need_a_channel_and_a_duration(case: Case) -> None:
    params: dict[str, Any] = {
        "acting_user": case.responsible,
        "kind": ActivityKind.CONTACT,
        "occurred_at": NOW - dt.timedelta(hours=1),
        "text": "Erstgespräch",
    }
    with pytest.raises(ValidationError) as excinfo:
        record_activity(case, duration_minutes=45, **params)
    assert "channel" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        record_activity(case, channel="in_person", **params)
    assert "duration_minutes" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        record_activity(
            case,
            channel="in_person",
            duration_minutes=45,
            **{**params, "occurred_at": NOW + dt.timedelta(days=1)},
        )
    assert "occurred_at" in excinfo.value.message_dict
    assert not Activity.objects.filter(case=case).exists()

    activity = record_activity(case, channel="in_person", duration_minutes=45, **params)
    assert activity.author == case.responsible and activity.text == "Erstgespräch"
    event = AuditEvent.objects.get(
        event_type=EventType.ACTIVITY_RECORDED, subject_code=activity.code
    )
    assert event.extra == {"case": case.code, "kind": "contact", "confidential": False}
    # an appointment may lie ahead
    record_activity(
        case,
        **{**params, "kind": ActivityKind.APPOINTMENT, "occurred_at": NOW + dt.timedelta(days=3)},
        channel="phone",
        duration_minutes=30,
    )


def test_confidential_notes_are_for_the_responsible_case_manager_only(
    case: Case, login_as: Callable[[str], Client]
) -> None:
    record_activity(
        case,
        acting_user=case.responsible,
        kind=ActivityKind.NOTE,
        occurred_at=NOW,
        text="Vertraulicher Hinweis",
        confidential=True,
    )
    record_activity(
        case, acting_user=case.responsible, kind=ActivityKind.NOTE, occurred_at=NOW, text="Offen"
    )
    url = f"/fallmanagement/faelle/{case.code}/"
    for persona, sees in (("cm-siegen-2", False), ("teamlead-siegen", False), ("cm-siegen", True)):
        html = login_as(persona).get(url).content.decode()
        assert "Offen" in html
        assert ("Vertraulicher Hinweis" in html) is sees, persona


def test_recording_through_the_form(case: Case, login_as: Callable[[str], Client]) -> None:
    url = f"/fallmanagement/faelle/{case.code}/aktivitaeten/neu/"
    data = {
        "kind": "contact",
        "occurred_at": "02.03.2026 09:30",
        "duration_minutes": "",
        "channel": "phone",
        "text": "Telefonat mit Jobcenter",
    }
    deputy = login_as("cm-siegen-2")
    assert 'name="confidential"' not in deputy.get(url).content.decode()
    response = deputy.post(url, data)
    assert (
        response.status_code == 200
        and "Geben Sie die Dauer in Minuten an." in response.content.decode()
    )
    response = deputy.post(url, {**data, "duration_minutes": "20", "with_interpreter": "on"})
    assert response.status_code == 302
    activity = Activity.objects.get(case=case)
    assert activity.with_interpreter and activity.duration_minutes == 20
    assert activity.author is not None and activity.author.username == "cm-siegen-2"
    assert 'name="confidential"' in login_as("cm-siegen").get(url).content.decode()


@pytest.mark.parametrize(
    "occurred_at", ["01.01.0001 00:00", "31.12.9999 23:59", "0001-01-01T00:00"]
)
def test_an_implausible_date_is_an_error_next_to_the_field(
    case: Case, login_as: Callable[[str], Client], occurred_at: str
) -> None:
    """The probe's contact dated 01.01.0001 00:00 overflowed when it was turned into UTC
    (HTTP 500); now the field refuses it in German and nothing is recorded."""
    url = f"/fallmanagement/faelle/{case.code}/aktivitaeten/neu/"
    data = {"kind": "appointment", "occurred_at": occurred_at, "duration_minutes": "30"}
    response = login_as("cm-siegen").post(url, {**data, "channel": "phone"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_occurred_at_error"' in html
    assert "Bitte ein Datum zwischen 01.01.1900 und 31.12.2036 angeben." in html
    assert not Activity.objects.filter(case=case).exists()
    assert (
        not AuditEvent.objects.filter(event_type=EventType.ACTIVITY_RECORDED)
        .filter(extra__case=case.code)
        .exists()
    )


def test_a_closed_case_takes_no_activities(case: Case) -> None:
    lc.start_intake(case, acting_user=case.responsible)
    lc.decide_indication(
        case,
        acting_user=case.responsible,
        indication=Indication.NOT_INDICATED,
        reason="kein Bedarf",
        decided_on=TODAY,
    )
    with pytest.raises(ValidationError):
        record_activity(
            case, acting_user=case.responsible, kind=ActivityKind.NOTE, occurred_at=NOW, text="x"
        )


def test_documents_are_encrypted_at_rest_and_downloads_are_audited(
    case: Case, login_as: Callable[[str], Client]
) -> None:
    upload_url = f"/fallmanagement/faelle/{case.code}/dokumente/neu/"
    owner = login_as("cm-siegen")
    bad = SimpleUploadedFile("notiz.txt", b"hello", content_type="text/plain")
    response = owner.post(upload_url, {"doc_type": "notice", "file": bad})
    assert response.status_code == 200 and not CaseDocument.objects.filter(case=case).exists()

    pdf = SimpleUploadedFile("bescheid.pdf", PDF, content_type="application/pdf")
    assert (
        login_as("teamlead-siegen")
        .post(upload_url, {"doc_type": "notice", "file": pdf})
        .status_code
        == 403
    )
    pdf.seek(0)
    assert owner.post(upload_url, {"doc_type": "notice", "file": pdf}).status_code == 302
    document = CaseDocument.objects.get(case=case)
    stored = Path(document.file.path).read_bytes()
    assert SECRET not in stored and not stored.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        event_type=EventType.CASE_DOCUMENT_ATTACHED, subject_code=document.code
    ).exists()

    download_url = f"/fallmanagement/faelle/{case.code}/dokumente/{document.code}/"
    reads = AuditEvent.objects.filter(
        event_type=EventType.CASE_DOCUMENT_READ, subject_code=document.code
    )
    for stranger in ("cm-kreuztal", "cm-traeger", "koordination", "admin", "dsb"):
        assert login_as(stranger).get(download_url).status_code == 404
    assert not reads.exists()
    response = owner.get(download_url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert "bescheid.pdf" in response["Content-Disposition"]
    assert reads.get().actor == case.responsible
    assert "bescheid.pdf" in owner.get(f"/fallmanagement/faelle/{case.code}/").content.decode()
