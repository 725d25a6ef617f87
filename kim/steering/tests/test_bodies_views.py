"""Steering pages: who may open what (every persona and a stranger), the pages render with
their data, a meeting is prepared, held and minuted through the forms, the generated minutes
carry the structured data, and the start page shows the owner's open decisions."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import PERSONAS
from kim.audit.models import AuditEvent, EventType
from kim.steering.actions import meetings as m
from kim.steering.demo import STEERING_GROUP, WORKING_GROUP
from kim.steering.models import (
    AttendanceStatus,
    Decision,
    DecisionStatus,
    MeetingStatus,
    SteeringBody,
    SteeringMeeting,
)
from kim.steering.tests.conftest import make_topic

pytestmark = pytest.mark.django_db

READERS = {"koordination", "siegen"}  # siegen: member of the Lenkungsgruppe (demo)
EDITORS = {"koordination"}


def _expected(persona: str, *, edit: bool) -> int:
    if persona in EDITORS:
        return 200
    if persona in READERS:
        return 403 if edit else 200
    return 404


def _urls(group: SteeringBody, held: SteeringMeeting) -> list[tuple[str, bool]]:
    decision = held.decisions.order_by("id").first()
    item = held.agenda_items.order_by("number").first()
    member = group.members.order_by("id").first()
    assert decision is not None and item is not None and member is not None
    return [
        (f"/steuerung/gremien/{group.code}/", False),
        (f"/steuerung/gremien/{group.code}/beschluesse/", False),
        (f"/steuerung/sitzungen/{held.code}/", False),
        (f"/steuerung/sitzungen/{held.code}/protokoll.docx", False),
        (f"/steuerung/sitzungen/{held.code}/protokoll.pdf", False),
        (f"/steuerung/gremien/{group.code}/bearbeiten/", True),
        (f"/steuerung/gremien/{group.code}/mitglieder/neu/", True),
        (f"/steuerung/gremien/{group.code}/sitzungen/neu/", True),
        (f"/steuerung/mitglieder/{member.code}/beenden/", True),
        (f"/steuerung/sitzungen/{held.code}/bearbeiten/", True),
        (f"/steuerung/sitzungen/{held.code}/tagesordnung/neu/", True),
        (f"/steuerung/sitzungen/{held.code}/anwesenheit/", True),
        (f"/steuerung/sitzungen/{held.code}/protokoll/", True),
        (f"/steuerung/sitzungen/{held.code}/protokoll/genehmigen/", True),
        (f"/steuerung/sitzungen/{held.code}/protokoll/hochladen/", True),
        (f"/steuerung/sitzungen/{held.code}/beschluesse/neu/", True),
        (f"/steuerung/tagesordnung/{item.code}/bearbeiten/", True),
        (f"/steuerung/beschluesse/{decision.code}/", True),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_its_pages(
    login_as: Callable[[str], Client], persona: str, group: SteeringBody, held: SteeringMeeting
) -> None:
    client = login_as(persona)
    got = {url: client.get(url).status_code for url, _edit in _urls(group, held)}
    want = {url: _expected(persona, edit=edit) for url, edit in _urls(group, held)}
    assert got == want
    nav = client.get("/steuerung/gremien/").status_code
    assert nav == (200 if persona in READERS else 404)
    assert client.get("/steuerung/gremien/neu/").status_code == (200 if persona in EDITORS else 404)


def test_a_stranger_gets_404_everywhere_like_a_made_up_code(
    stranger: Client, group: SteeringBody, held: SteeringMeeting
) -> None:
    for url, _edit in _urls(group, held):
        assert stranger.get(url).status_code == 404, url
        made_up = re.sub(r"/[0-9A-Za-z]{20,}/", "/00000000000000000000000000/", url)
        assert stranger.get(made_up).status_code == 404, made_up
    # The Olpe coordinator may use steering (their own Kreis) but sees no body of ours.
    page = stranger.get("/steuerung/gremien/")
    assert page.status_code == 200 and "Lenkungsgruppe KIM" not in page.text


def test_posts_of_readers_are_refused_and_change_nothing(
    login_as: Callable[[str], Client], held: SteeringMeeting
) -> None:
    item = held.agenda_items.order_by("number").first()
    assert item is not None
    steering = AuditEvent.objects.filter(event_type__startswith="steering.")
    before = steering.count()
    for persona, status in (("siegen", 403), ("rat", 404), ("cm-siegen", 404)):
        client = login_as(persona)
        assert client.post(f"/steuerung/tagesordnung/{item.code}/entfernen/").status_code == status
        response = client.post(
            f"/steuerung/sitzungen/{held.code}/protokoll/",
            {"version": held.version, "minutes": "überschrieben"},
        )
        assert response.status_code == status
    held.refresh_from_db()
    assert "überschrieben" not in held.minutes and held.agenda_items.filter(pk=item.pk).exists()
    assert steering.count() == before


# --- pages ----------------------------------------------------------------------------------------


def test_body_list_filters_by_kind_and_shows_the_empty_state(
    login_as: Callable[[str], Client],
) -> None:
    client = login_as("koordination")
    page = client.get("/steuerung/gremien/").text
    assert "Lenkungsgruppe KIM Kreis Siegen-Wittgenstein" in page
    assert "Arbeitsgruppe Zugang zum Arbeitsmarkt" in page
    group, wg = (SteeringBody.objects.get(name=n) for n in (STEERING_GROUP, WORKING_GROUP))
    working = client.get("/steuerung/gremien/?kind=working").text
    assert f"/gremien/{wg.code}/" in working and f"/gremien/{group.code}/" not in working
    assert 'id="no-bodies"' in client.get("/steuerung/gremien/?kind=project").text


def test_body_page_shows_remit_members_groups_meetings_and_open_decisions(
    login_as: Callable[[str], Client], group: SteeringBody
) -> None:
    page = login_as("siegen").get(f"/steuerung/gremien/{group.code}/").text
    assert "legitimiert und steuert" in page
    assert "Markus Schäfer (Demo)" in page and "Jobcenter Siegen-Wittgenstein" in page
    assert "Geschäftsführung" in page and "geschaeftsfuehrung@jobcenter-demo.example" in page
    assert "Arbeitsgruppe Zugang zum Arbeitsmarkt" in page
    assert "12.11.2025" in page
    assert "halbjährlich" in page  # the open (overdue) decision
    # A reader gets no change buttons.
    assert "Sitzung planen" not in page and "/mitglieder/neu/" not in page
    assert (
        "Sitzung planen" in login_as("koordination").get(f"/steuerung/gremien/{group.code}/").text
    )


def test_meeting_page_shows_agenda_attendance_minutes_and_decisions(
    login_as: Callable[[str], Client], held: SteeringMeeting
) -> None:
    page = login_as("siegen").get(f"/steuerung/sitzungen/{held.code}/").text
    assert "Bericht der KIM-Koordination" in page
    assert "Thomas Jung (Demo)" in page and "entschuldigt" in page
    assert "Die Lenkungsgruppe richtet die Arbeitsgruppe" in page
    assert "Die Arbeitsgruppe „Zugang zum Arbeitsmarkt“ wird eingerichtet." in page
    assert "/protokoll/hochladen/" not in page  # reader


def test_decision_list_filters_by_status_and_owner(
    login_as: Callable[[str], Client], group: SteeringBody
) -> None:
    client = login_as("koordination")
    url = f"/steuerung/gremien/{group.code}/beschluesse/"
    open_page = client.get(url + "?status=in_progress").text
    assert "halbjährlich" in open_page and "wird eingerichtet" not in open_page
    abh = group.members.get(name="Sabine Krämer (Demo)")
    koordination = group.members.get(user__username="koordination")
    mine = client.get(f"{url}?owner={koordination.code}").text
    assert "halbjährlich" in mine and "Terminkontingente" not in mine
    theirs = client.get(f"{url}?owner={abh.code}").text
    assert "halbjährlich" not in theirs


def test_topics_on_the_agenda_are_shown_as_text_or_linked_only_when_the_topic_page_exists(
    login_as: Callable[[str], Client], group: SteeringBody, koordination
) -> None:
    from django.urls import NoReverseMatch, reverse

    meeting = m.plan_meeting(acting_user=koordination, body=group, held_on=dt.date(2026, 9, 9))
    topic = make_topic(group.region, title="Wartezeiten Sprachkurse")
    m.add_agenda_item(acting_user=koordination, meeting=meeting, title="", topic=topic)
    coord = login_as("koordination").get(f"/steuerung/sitzungen/{meeting.code}/").text
    member = login_as("siegen").get(f"/steuerung/sitzungen/{meeting.code}/").text
    assert "Wartezeiten Sprachkurse" in coord and "Wartezeiten Sprachkurse" in member
    try:
        url = reverse("steering:topic_detail", args=[topic.code])
    except NoReverseMatch:
        url = None
    if url:
        assert f'href="{url}"' in coord
    assert f"/{topic.code}/" not in member  # members are not the topics' readers


# --- prepare, hold and minute a meeting in the UI ------------------------------------------


def _post(client: Client, url: str, data: dict[str, object]) -> str:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def test_prepare_hold_and_minute_a_meeting_through_the_forms(
    login_as: Callable[[str], Client], group: SteeringBody
) -> None:
    client = login_as("koordination")
    today = timezone.localdate()
    location = _post(
        client,
        f"/steuerung/gremien/{group.code}/sitzungen/neu/",
        {"held_on": today.strftime("%d.%m.%Y"), "starts_at": "14:00", "location": "Kreishaus"},
    )
    meeting = SteeringMeeting.objects.get(body=group, held_on=today, location="Kreishaus")
    assert location == f"/steuerung/sitzungen/{meeting.code}/"
    topic = make_topic(group.region, title="Anerkennung ausländischer Abschlüsse")
    agenda = f"/steuerung/sitzungen/{meeting.code}/tagesordnung/neu/"
    _post(client, agenda, {"title": "Begrüßung", "description": ""})
    _post(client, agenda, {"title": "", "topic": topic.pk, "description": "Bericht der AG"})
    second = meeting.agenda_items.get(number=2)
    _post(client, f"/steuerung/tagesordnung/{second.code}/hoch/", {})
    assert meeting.agenda_items.get(number=1).topic == topic
    _post(
        client,
        f"/steuerung/sitzungen/{meeting.code}/bearbeiten/",
        {
            "version": meeting.version,
            "held_on": today.strftime("%d.%m.%Y"),
            "starts_at": "14:00",
            "location": "Kreishaus",
            "status": MeetingStatus.HELD,
        },
    )
    members = m.members_on(meeting)
    attendance = {f"status_{x.pk}": AttendanceStatus.PRESENT for x in members}
    attendance |= {f"note_{x.pk}": "" for x in members}
    attendance[f"status_{members[0].pk}"] = AttendanceStatus.EXCUSED
    _post(client, f"/steuerung/sitzungen/{meeting.code}/anwesenheit/", attendance)
    meeting.refresh_from_db()
    _post(
        client,
        f"/steuerung/sitzungen/{meeting.code}/protokoll/",
        {"version": meeting.version, "minutes": "TOP 1: Die AG berichtet."},
    )
    owner = group.members.get(user__username="koordination")
    _post(
        client,
        f"/steuerung/sitzungen/{meeting.code}/beschluesse/neu/",
        {
            "text": "Die Koordination bittet die Kammern um Zahlen.",
            "owner": owner.pk,
            "due_on": (today + dt.timedelta(days=30)).strftime("%d.%m.%Y"),
            "agenda_item": meeting.agenda_items.get(number=1).pk,
            "closes_topic": "on",
        },
    )
    meeting.refresh_from_db()
    _post(
        client,
        f"/steuerung/sitzungen/{meeting.code}/protokoll/genehmigen/",
        {"version": meeting.version, "approved_on": today.strftime("%d.%m.%Y")},
    )
    meeting = SteeringMeeting.objects.get(pk=meeting.pk)
    assert meeting.status == MeetingStatus.HELD and meeting.minutes_approved_on == today
    assert meeting.attendance.count() == len(members)
    decision = meeting.decisions.get()
    assert (decision.topic, decision.closes_topic) == (topic, True)
    page = client.get(f"/steuerung/sitzungen/{meeting.code}/").text
    assert "Anerkennung ausländischer Abschlüsse" in page and "TOP 1: Die AG berichtet." in page
    # The decision is done: its topic is closed with it.
    _post(
        client,
        f"/steuerung/beschluesse/{decision.code}/",
        {"version": decision.version, "status": DecisionStatus.DONE, "status_note": "erledigt"},
    )
    topic.refresh_from_db()
    assert topic.status == "closed"


def test_a_minutes_conflict_shows_both_versions_and_keeps_the_input(
    login_as: Callable[[str], Client], group: SteeringBody, koordination
) -> None:
    meeting = m.plan_meeting(acting_user=koordination, body=group, held_on=dt.date(2026, 9, 9))
    loaded = meeting.version
    m.save_minutes(
        acting_user=koordination, meeting=meeting, expected_version=loaded, minutes="Erste Fassung"
    )
    response = login_as("koordination").post(
        f"/steuerung/sitzungen/{meeting.code}/protokoll/",
        {"version": loaded, "minutes": "Meine Fassung"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="edit-conflict"' in page
    assert "Erste Fassung" in page and "Meine Fassung" in page
    meeting.refresh_from_db()
    assert meeting.minutes == "Erste Fassung"


def test_form_errors_are_german_and_next_to_the_field(
    login_as: Callable[[str], Client], held: SteeringMeeting
) -> None:
    client = login_as("koordination")
    response = client.post(
        f"/steuerung/sitzungen/{held.code}/tagesordnung/neu/", {"title": "", "description": ""}
    )
    assert response.status_code == 200
    assert "Geben Sie einen Titel ein oder wählen Sie ein Thema." in response.content.decode()
    odt = SimpleUploadedFile(
        "p.odt", _odt_bytes(), content_type="application/vnd.oasis.opendocument.text"
    )
    response = client.post(f"/steuerung/sitzungen/{held.code}/protokoll/hochladen/", {"file": odt})
    assert response.status_code == 200
    assert (
        "Bitte laden Sie das Protokoll als PDF- oder DOCX-Datei hoch." in response.content.decode()
    )
    assert held.documents.count() == 0


def _odt_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


# --- documents ----------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_uploaded_minutes_are_downloaded_by_readers_only_and_each_read_is_audited(
    login_as: Callable[[str], Client], held: SteeringMeeting
) -> None:
    upload = SimpleUploadedFile("protokoll.pdf", PDF_BYTES, content_type="application/pdf")
    _post(
        login_as("koordination"),
        f"/steuerung/sitzungen/{held.code}/protokoll/hochladen/",
        {"file": upload},
    )
    document = held.documents.get()
    url = f"/steuerung/protokolle/{document.code}/"
    before = AuditEvent.objects.filter(event_type=EventType.STEERING_MINUTES_READ).count()
    for persona in ("rat", "cm-siegen", "traeger"):
        assert login_as(persona).get(url).status_code == 404
    response = login_as("siegen").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    events = AuditEvent.objects.filter(event_type=EventType.STEERING_MINUTES_READ)
    assert events.count() == before + 1
    assert events.latest("id").extra["document"] == document.code


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    pdf = tmp_path / "protokoll.pdf"
    pdf.write_bytes(content)
    result = subprocess.run([tool, str(pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", result.stdout)


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return re.sub(r"\s+", " ", " ".join(parts))


EXPECTED_IN_MINUTES = [
    "Lenkungsgruppe KIM Kreis Siegen-Wittgenstein",
    "12.11.2025",
    "Kreishaus Siegen, Sitzungssaal 1",
    "Thomas Jung (Demo)",
    "entschuldigt",
    "Einrichtung einer Arbeitsgruppe Zugang zum Arbeitsmarkt",
    "Das Verfahren zur Weitergabe von Hürden an die Lenkungsgruppe wird beschlossen.",
    "Beschlüsse",
    "31.12.2025",
    "erledigt",
    "31.03.2026",
]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_generated_minutes_carry_the_structured_data(
    login_as: Callable[[str], Client], held: SteeringMeeting, fmt: str, tmp_path: Path
) -> None:
    before = AuditEvent.objects.filter(event_type=EventType.STEERING_MINUTES_READ).count()
    response = login_as("siegen").get(f"/steuerung/sitzungen/{held.code}/protokoll.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = _pdf_text(response.content, tmp_path) if fmt == "pdf" else _docx_text(response.content)
    for expected in EXPECTED_IN_MINUTES:
        assert expected in text, expected
    event = AuditEvent.objects.filter(event_type=EventType.STEERING_MINUTES_READ).latest("id")
    assert event.extra["format"] == fmt
    assert AuditEvent.objects.filter(event_type=EventType.STEERING_MINUTES_READ).count() == (
        before + 1
    )
    assert (
        login_as("siegen").get(f"/steuerung/sitzungen/{held.code}/protokoll.odt").status_code == 404
    )


# --- start page -----------------------------------------------------------------------------------


def test_start_page_lists_the_owners_open_decisions_with_overdue_marked(
    login_as: Callable[[str], Client],
) -> None:
    page = login_as("koordination").get("/").content.decode()
    assert "Ihre offenen Beschlüsse aus Steuerungsgremien" in page
    assert re.search(r"Überfällig seit 31\.03\.2026: Die Koordination legt", page)
    assert "Nächste Sitzungen der Steuerungsgremien" in page
    # The decision owned by another member and the done one are not listed.
    assert "Terminkontingente" not in page and "wird eingerichtet" not in page
    siegen = login_as("siegen").get("/").content.decode()
    assert "Ihre offenen Beschlüsse" not in siegen  # owns none
    assert "Nächste Sitzungen der Steuerungsgremien" not in siegen


def test_a_finished_decision_leaves_the_start_page(
    login_as: Callable[[str], Client], koordination
) -> None:
    mine = Decision.objects.filter(
        owner__user=koordination, status__in=["open", "in_progress"]
    ).order_by("id")
    for decision in mine:
        m.update_decision(
            acting_user=koordination,
            decision=decision,
            expected_version=decision.version,
            status=DecisionStatus.DONE,
            due_on=decision.due_on,
        )
    page = login_as("koordination").get("/").content.decode()
    assert "Ihre offenen Beschlüsse aus Steuerungsgremien" not in page


# --- queries ----------------------------------------------------------------------------------


def test_body_list_and_meeting_page_make_a_fixed_number_of_queries(
    login_as: Callable[[str], Client],
    group: SteeringBody,
    held: SteeringMeeting,
    koordination,
    django_assert_max_num_queries,
) -> None:
    client = login_as("koordination")
    client.get("/steuerung/gremien/")  # warm the session
    with django_assert_max_num_queries(12):
        client.get("/steuerung/gremien/")
    with django_assert_max_num_queries(16):
        client.get(f"/steuerung/sitzungen/{held.code}/")
    # Many more rows: the same bound.
    for n in range(10):
        item = m.add_agenda_item(acting_user=koordination, meeting=held, title=f"TOP {n}")
        m.record_decision(
            acting_user=koordination,
            meeting=held,
            text=f"Beschluss {n}",
            agenda_item=item,
            owner=group.members.order_by("id")[n % 3],
            topic=make_topic(group.region, title=f"Thema {n}"),
        )
    with django_assert_max_num_queries(16):
        client.get(f"/steuerung/sitzungen/{held.code}/")
    with django_assert_max_num_queries(16):
        client.get(f"/steuerung/gremien/{group.code}/")


def test_a_traeger_manager_who_becomes_a_member_gets_the_menu_and_reads_the_body(
    login_as: Callable[[str], Client], working_group: SteeringBody, koordination
) -> None:
    from django.contrib.auth.models import User

    from kim.steering.actions import bodies as b

    client = login_as("traeger")
    assert 'href="/steuerung/gremien/"' not in client.get("/").text
    assert client.get(f"/steuerung/gremien/{working_group.code}/").status_code == 404
    b.add_member(
        acting_user=koordination,
        body=working_group,
        user=User.objects.get(username="traeger"),
        joined_on=dt.date(2026, 1, 1),
    )
    assert 'href="/steuerung/gremien/"' in client.get("/").text
    assert client.get(f"/steuerung/gremien/{working_group.code}/").status_code == 200
    assert client.get(f"/steuerung/gremien/{working_group.code}/bearbeiten/").status_code == 403


def test_create_a_working_group_add_and_end_a_member_through_the_forms(
    login_as: Callable[[str], Client], group: SteeringBody, kreis
) -> None:
    from django.contrib.auth.models import User

    client = login_as("koordination")
    location = _post(
        client,
        "/steuerung/gremien/neu/",
        {
            "organisation": kreis.pk,
            "kind": "working",
            "name": "Arbeitsgruppe Wohnen",
            "remit": "Wohnungssuche",
            "parent": group.pk,
            "established_on": "01.02.2026",
        },
    )
    body = SteeringBody.objects.get(name="Arbeitsgruppe Wohnen")
    assert location == f"/steuerung/gremien/{body.code}/"
    assert (body.region, body.parent) == (kreis, group)
    _post(
        client,
        f"/steuerung/gremien/{body.code}/mitglieder/neu/",
        {
            "user": User.objects.get(username="siegen").pk,
            "role": "chair",
            "joined_on": "01.02.2026",
        },
    )
    _post(
        client,
        f"/steuerung/gremien/{body.code}/mitglieder/neu/",
        {
            "name": "Eva Extern (Demo)",
            "organisation_name": "Wohnungsbaugesellschaft (Demo)",
            "function": "Vermietung",
            "office_email": "vermietung@example.org",
            "role": "member",
            "joined_on": "01.02.2026",
        },
    )
    page = client.get(f"/steuerung/gremien/{body.code}/").text
    assert "Sven Programmleitung" in page and "Eva Extern (Demo)" in page
    assert re.search(r"Vermietung,\s+Wohnungsbaugesellschaft \(Demo\)", page)
    extern = body.members.get(name="Eva Extern (Demo)")
    _post(client, f"/steuerung/mitglieder/{extern.code}/beenden/", {"left_on": "30.06.2026"})
    extern.refresh_from_db()
    assert extern.left_on == dt.date(2026, 6, 30)
    # Neither an account nor a name: refused next to the field, nothing saved.
    response = client.post(
        f"/steuerung/gremien/{body.code}/mitglieder/neu/",
        {"role": "member", "joined_on": "01.02.2026"},
    )
    assert response.status_code == 200
    assert "Bitte wählen Sie ein Konto oder geben Sie den Namen" in response.content.decode()
    assert body.members.count() == 2


def test_a_body_edit_conflict_shows_both_versions(
    login_as: Callable[[str], Client], group: SteeringBody, koordination
) -> None:
    from kim.steering.actions import bodies as b

    loaded = group.version
    b.update_body(
        acting_user=koordination,
        body=group,
        expected_version=loaded,
        name=group.name,
        remit="Fassung der Kollegin",
        established_on=group.established_on,
    )
    response = login_as("koordination").post(
        f"/steuerung/gremien/{group.code}/bearbeiten/",
        {
            "version": loaded,
            "name": group.name,
            "remit": "Meine Fassung",
            "established_on": group.established_on.strftime("%d.%m.%Y"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="edit-conflict"' in page
    assert "Fassung der Kollegin" in page and "Meine Fassung" in page
    group.refresh_from_db()
    assert group.remit == "Fassung der Kollegin"


def test_a_meeting_edit_conflict_shows_the_start_time_of_both_versions(
    login_as: Callable[[str], Client], held: SteeringMeeting
) -> None:
    """The conflict table formats a time (found by tests/test_form_fuzz.py: a 500 before)."""
    response = login_as("koordination").post(
        f"/steuerung/sitzungen/{held.code}/bearbeiten/",
        {
            "version": held.version - 1,
            "held_on": "12.11.2025",
            "starts_at": "15:30",
            "location": held.location,
            "status": "held",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="edit-conflict"' in page
    assert "14:00" in page and "15:30" in page
    held.refresh_from_db()
    assert held.starts_at == dt.time(14, 0)
