"""Cooperation pages per persona: talks, minutes, tasks, welfare agencies, staffing decisions.

Talks are made here through ``kim.partners.actions``; whatever the demo seeds for partners is
never counted on, only the rows these tests create.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kim.audit.models import AuditEvent, EventType
from kim.core import uploads
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.models import FollowUp, StaffingDecision, Talk, TalkDocument
from kim.programmes.models import Position

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "teamlead-siegen",
    "traeger",
    "cm-traeger",
    "cm-siegen",
    "rat",
    "dsb",
    "admin",
]
BRUECKE = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"
LEBENSWEGE = "Lebenswege Wittgenstein gGmbH (Demo)"
HELD_ON = dt.date(2025, 3, 10)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _org(**lookup: str) -> Organisation:
    return Organisation.objects.get(**lookup)


def _kreis_talk() -> Talk:
    """Held by the Kreis with the agency the ``traeger`` persona manages."""
    return actions.record_talk(
        acting_user=_user("koordination"),
        host=_org(ags="05970"),
        held_on=HELD_ON,
        format="in_person",
        topics="Testgespräch Kreis: Trägerschaft der B2-Stellen",
        traeger=[_org(name=BRUECKE)],
        baustein="B2",
    )


def _siegen_talk() -> Talk:
    """Held by Stadt Siegen with another agency: the ``traeger`` persona must not see it."""
    return actions.record_talk(
        acting_user=_user("siegen"),
        host=_org(ags="05970040"),
        held_on=HELD_ON,
        format="video",
        topics="Testgespräch Siegen: Beratungsangebote",
        traeger=[_org(name=LEBENSWEGE)],
        outcome="agreement",
        outcome_summary="Lebenswege übernimmt die Sprechstunde im Rathaus.",
    )


def _minutes(talk: Talk) -> TalkDocument:
    checked = uploads.check_document(
        SimpleUploadedFile("protokoll.pdf", PDF_BYTES, content_type="application/pdf")
    )
    return actions.attach_minutes(talk, acting_user=_user("koordination"), checked=checked)


def _post(home_name: str, baustein: str) -> Position:
    return Position.objects.filter(home__name=home_name, baustein=baustein).order_by("id").first()


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- talk pages: persona × talk → status ---------------------------------------------------

# (talk, persona) → (GET detail, GET outcome form); everyone not listed gets 404 for both
TALK_MATRIX = {
    ("kreis", "koordination"): (200, 200),
    ("kreis", "admin"): (200, 200),
    ("kreis", "traeger"): (200, 403),  # their agency took part: read, not manage
    ("siegen", "koordination"): (200, 200),
    ("siegen", "admin"): (200, 200),
    ("siegen", "siegen"): (200, 200),  # the town held it
    ("siegen", "teamlead-siegen"): (200, 403),
}


@pytest.mark.parametrize("which", ["kreis", "siegen"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_talk_matrix(login_as, which: str, persona: str) -> None:
    talk = _kreis_talk() if which == "kreis" else _siegen_talk()
    client = login_as(persona)
    detail, manage = TALK_MATRIX.get((which, persona), (404, 404))
    assert client.get(f"/partner/gespraeche/{talk.code}/").status_code == detail
    assert client.get(f"/partner/gespraeche/{talk.code}/ergebnis/").status_code == manage
    assert client.get(f"/partner/gespraeche/{talk.code}/protokoll/").status_code == manage
    assert client.get(f"/partner/gespraeche/{talk.code}/aufgaben/neu/").status_code == manage


def test_stranger_sees_no_talk(stranger: Client) -> None:
    talk = _kreis_talk()
    document = _minutes(talk)
    assert stranger.get(f"/partner/gespraeche/{talk.code}/").status_code == 404
    assert stranger.get(f"/partner/gespraeche/{talk.code}/ergebnis/").status_code == 404
    assert stranger.get(f"/partner/protokolle/{document.code}/").status_code == 404
    response = stranger.get("/partner/gespraeche/")
    assert response.status_code == 200  # a coordinator, but of another Kreis
    assert talk not in response.context["page"].object_list


LOG_ALLOWED = {"koordination", "siegen", "teamlead-siegen", "traeger", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_talk_log_matrix(login_as, persona: str) -> None:
    kreis, siegen = _kreis_talk(), _siegen_talk()
    response = login_as(persona).get("/partner/gespraeche/")
    assert response.status_code == (200 if persona in LOG_ALLOWED else 403)
    if response.status_code == 200:
        shown = set(response.context["page"].object_list)
        assert (kreis in shown) == (TALK_MATRIX.get(("kreis", persona), (404,))[0] == 200)
        assert (siegen in shown) == (TALK_MATRIX.get(("siegen", persona), (404,))[0] == 200)


def test_talk_log_filters_with_htmx(login_as) -> None:
    kreis, siegen = _kreis_talk(), _siegen_talk()
    client = login_as("koordination")
    response = client.get(
        "/partner/gespraeche/", {"outcome": "agreement", "year": "2025"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # only the table part
    assert f'id="talk-{siegen.code}"' in body and f'id="talk-{kreis.code}"' not in body
    brucke = _org(name=BRUECKE)
    response = client.get("/partner/gespraeche/", {"traeger": brucke.code, "q": "Testgespräch"})
    assert (
        kreis in response.context["page"].object_list
        and siegen not in response.context["page"].object_list
    )
    response = client.get("/partner/gespraeche/", {"host": siegen.host.code, "year": "2024"})
    assert siegen not in response.context["page"].object_list


def test_talk_log_query_count(login_as, django_assert_max_num_queries) -> None:
    for _ in range(3):
        talk = _kreis_talk()
        _minutes(talk)
        _siegen_talk()
    client = login_as("koordination")
    with django_assert_max_num_queries(10):
        response = client.get("/partner/gespraeche/")
    assert len(response.context["page"].object_list) >= 6
    with django_assert_max_num_queries(12):  # the list's queries plus 5 for the audit event
        client.get("/partner/gespraeche/export.xlsx")


def test_talk_detail_query_count(login_as, media: Path, django_assert_max_num_queries) -> None:
    talk = _kreis_talk()
    _minutes(talk)
    _minutes(talk)
    for day in range(1, 4):
        actions.add_follow_up(
            talk,
            acting_user=_user("koordination"),
            title=f"Testaufgabe {day}",
            owner=_user("traeger"),
            due=dt.date(2025, 4, day),
        )
    client = login_as("koordination")
    with django_assert_max_num_queries(10):
        response = client.get(f"/partner/gespraeche/{talk.code}/")
    body = response.content.decode()
    assert body.count('href="/partner/protokolle/') == 2 and body.count('id="task-') == 3


def test_talk_export_opens_as_spreadsheet(login_as) -> None:
    kreis, siegen = _kreis_talk(), _siegen_talk()
    client = login_as("koordination")
    response = client.get("/partner/gespraeche/export.xlsx", {"traeger": _org(name=BRUECKE).code})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="gespraeche-')
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    codes = [row[0] for row in rows[1:]]
    assert kreis.code in codes and siegen.code not in codes
    row = rows[1 + codes.index(kreis.code)]
    assert row[1].date() == HELD_ON and BRUECKE in row[4]
    csv = client.get("/partner/gespraeche/export.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Code;") and siegen.code in csv
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.EXPORT_DOWNLOADED, subject_type="partners.talks"
        ).count()
        == 2
    )
    assert client.get("/partner/gespraeche/export.pdf").status_code == 404
    assert login_as("rat").get("/partner/gespraeche/export.csv").status_code == 403


# --- recording a talk, its outcome and tasks ------------------------------------------------


def test_record_a_talk(login_as) -> None:
    siegen, kreis = _org(ags="05970040"), _org(ags="05970")
    lebenswege = _org(name=LEBENSWEGE)
    post = _post("Stadt Siegen", "B2")
    data = {
        "held_on": "03.02.2026",
        "format": "phone",
        "traeger": [lebenswege.pk],
        "topics": "Neu erfasstes Gespräch",
        "baustein": "B2",
        "positions": [post.pk],
        "outcome": "open",
        "outcome_summary": "",
    }
    client = login_as("siegen")
    assert client.get("/partner/gespraeche/neu/").status_code == 200
    response = client.post("/partner/gespraeche/neu/", {**data, "host": kreis.pk})
    assert response.status_code == 200 and 'id="id_host_error"' in response.content.decode()
    assert not Talk.objects.filter(topics="Neu erfasstes Gespräch").exists()
    response = client.post("/partner/gespraeche/neu/", {**data, "host": siegen.pk})
    talk = Talk.objects.get(topics="Neu erfasstes Gespräch")
    assert (
        response.status_code == 302 and response["Location"] == f"/partner/gespraeche/{talk.code}/"
    )
    assert talk.host == siegen and talk.region == kreis
    assert {p.organisation for p in talk.participants.all()} == {siegen, lebenswege}
    assert list(talk.positions.all()) == [post]
    assert AuditEvent.objects.filter(
        event_type=EventType.TALK_RECORDED, subject_code=talk.code
    ).exists()


@pytest.mark.parametrize("persona", ["teamlead-siegen", "traeger", "rat", "cm-siegen"])
def test_only_hosts_record_talks(login_as, persona: str) -> None:
    assert login_as(persona).get("/partner/gespraeche/neu/").status_code == 403


def test_agencies_must_belong_to_the_hosts_kreis(login_as, stranger: Client) -> None:
    olpe = _org(ags="05966")
    response = login_as("admin").post(
        "/partner/gespraeche/neu/",
        {
            "host": olpe.pk,
            "held_on": "03.02.2026",
            "format": "phone",
            "traeger": [_org(name=BRUECKE).pk],
            "topics": "Falscher Kreis",
            "outcome": "open",
        },
    )
    assert response.status_code == 200
    assert 'id="id_traeger_error"' in response.content.decode()
    assert not Talk.objects.filter(topics="Falscher Kreis").exists()


@pytest.mark.parametrize("field", ["traeger", "positions"])
def test_a_choice_beyond_the_database_range_is_an_error_not_a_crash(login_as, field: str) -> None:
    """A key of 20 digits overflowed SQLite's integer in Django's ``__in`` lookup (HTTP 500);
    kim.core.forms.ModelMultipleChoiceField refuses it as an invalid value."""
    data = {
        "host": _org(ags="05970040").pk,
        "held_on": "03.02.2026",
        "format": "phone",
        "traeger": [_org(name=BRUECKE).pk],
        "topics": "Überlauf",
        "outcome": "open",
        field: ["99999999999999999999"],
    }
    response = login_as("koordination").post("/partner/gespraeche/neu/", data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Talk.objects.filter(topics="Überlauf").exists()


def test_a_town_beyond_the_database_range_is_an_error_not_a_crash(login_as) -> None:
    brucke = _org(name=BRUECKE)
    url = f"/partner/traeger/{brucke.code}/angebote/neu/"
    added = AuditEvent.objects.filter(event_type=EventType.TRAEGER_SERVICE_ADDED)
    before = added.count()
    response = login_as("koordination").post(
        url, {"kind": "mbe", "description": "Überlauf", "towns": ["99999999999999999999"]}
    )
    assert response.status_code == 200 and 'id="id_towns_error"' in response.content.decode()
    assert added.count() == before


def test_record_outcome_with_version_check(login_as) -> None:
    talk = _siegen_talk()
    url = f"/partner/gespraeche/{talk.code}/ergebnis/"
    client = login_as("siegen")
    data = {"outcome": "postponed", "outcome_summary": "Vertagt auf den Herbst."}
    stale = client.post(url, {**data, "version": talk.version + 1})
    assert stale.status_code == 200 and "kern-alert--danger" in stale.content.decode()
    talk.refresh_from_db()
    assert talk.outcome == "agreement"
    assert login_as("teamlead-siegen").post(url, {**data, "version": 1}).status_code == 403
    response = client.post(url, {**data, "version": talk.version})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert (talk.outcome, talk.outcome_summary, talk.version) == (
        "postponed",
        "Vertagt auf den Herbst.",
        2,
    )
    body = client.get(f"/partner/gespraeche/{talk.code}/").content.decode()
    assert "Vertagt auf den Herbst." in body


def test_add_and_complete_a_follow_up(login_as) -> None:
    talk = _kreis_talk()
    owner = _user("traeger")
    client = login_as("koordination")
    url = f"/partner/gespraeche/{talk.code}/aufgaben/neu/"
    early = {"title": "Konzept senden", "owner": owner.pk, "due": "01.01.2025"}
    response = client.post(url, early)  # before the talk
    assert response.status_code == 200 and 'id="id_due_error"' in response.content.decode()
    assert not FollowUp.objects.filter(talk=talk).exists()
    assert client.post(url, {**early, "owner": _user("rat").pk}).status_code == 200  # no choice
    assert client.post(url, {**early, "due": "30.04.2025"}).status_code == 302
    task = FollowUp.objects.get(talk=talk)
    done = f"/partner/aufgaben/{task.code}/erledigt/"
    assert login_as("traeger").get(done).status_code == 405
    assert login_as("cm-siegen").post(done).status_code == 404
    assert login_as("siegen").post(done).status_code == 404  # cannot read the Kreis talk
    task.refresh_from_db()
    assert task.done_at is None
    response = login_as("traeger").post(done)  # the owner
    assert (
        response.status_code == 302 and response["Location"] == f"/partner/gespraeche/{talk.code}/"
    )
    task.refresh_from_db()
    assert task.done_at is not None
    assert AuditEvent.objects.filter(
        event_type=EventType.FOLLOW_UP_DONE, subject_code=task.code
    ).exists()


def test_reader_who_is_not_owner_cannot_complete(login_as) -> None:
    talk = _siegen_talk()
    task = actions.add_follow_up(
        talk,
        acting_user=_user("siegen"),
        title="Raum buchen",
        owner=_user("siegen"),
        due=dt.date(2025, 4, 1),
    )
    assert (
        login_as("teamlead-siegen").post(f"/partner/aufgaben/{task.code}/erledigt/").status_code
        == 403
    )


# --- minutes: upload checks and the access-checked download ---------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


BAD_UPLOADS = {
    "type": ("notizen.txt", b"Nur Text"),
    "content": ("protokoll.pdf", b"MZ\x90\x00\x03\x00\x00\x00 renamed executable"),
    "size": ("gross.pdf", b"%PDF-1.4\n" + b"0" * uploads.MAX_BYTES),
    "empty": ("leer.pdf", b""),
}


@pytest.mark.parametrize("code", list(BAD_UPLOADS))
def test_upload_refuses_bad_files(login_as, media: Path, code: str) -> None:
    talk = _kreis_talk()
    name, content = BAD_UPLOADS[code]
    response = login_as("koordination").post(
        f"/partner/gespraeche/{talk.code}/protokoll/",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_file_error"' in body and 'aria-invalid="true"' in body
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == [code]
    assert not TalkDocument.objects.filter(talk=talk).exists()
    assert _stored_files(media) == []


def test_minutes_are_refused_next_to_the_field_when_the_storage_cannot_write(
    login_as, settings, tmp_path: Path
) -> None:
    """The media folder is a plain file (the storage is broken): a German error next to the
    file field, no document row, no audit event (issue 16; kim.core.files.save_file)."""
    from django.utils import translation

    from kim.core.files import STORAGE_REFUSED

    talk = _kreis_talk()
    blocker = tmp_path / "media"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker
    response = login_as("koordination").post(
        f"/partner/gespraeche/{talk.code}/protokoll/",
        {"file": SimpleUploadedFile("protokoll.pdf", PDF_BYTES, content_type="application/pdf")},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["storage"]
    with translation.override("de"):
        assert translation.gettext(str(STORAGE_REFUSED)) in response.content.decode()
    assert not TalkDocument.objects.filter(talk=talk).exists()
    assert not AuditEvent.objects.filter(
        event_type=EventType.TALK_MINUTES_ATTACHED, subject_code=talk.code
    ).exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("protokoll.pdf", PDF_BYTES, uploads.PDF), ("Protokoll März.docx", _docx(), uploads.DOCX)],
)
def test_upload_stores_outside_the_web_root(
    login_as, media: Path, name: str, content: bytes, content_type: str
) -> None:
    talk = _kreis_talk()
    response = login_as("koordination").post(
        f"/partner/gespraeche/{talk.code}/protokoll/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    document = TalkDocument.objects.get(talk=talk)
    assert (document.original_name, document.content_type, document.size) == (
        name,
        content_type,
        len(content),
    )
    stored = _stored_files(media)
    assert len(stored) == 1 and stored[0].read_bytes() == content
    assert stored[0].name == f"{document.code}.bin"  # never the uploaded name
    assert AuditEvent.objects.filter(
        event_type=EventType.TALK_MINUTES_ATTACHED, subject_code=talk.code
    ).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_minutes_download_matrix(login_as, media: Path, persona: str) -> None:
    talk = _kreis_talk()
    document = _minutes(talk)
    expected = TALK_MATRIX.get(("kreis", persona), (404,))[0]
    response = login_as(persona).get(f"/partner/protokolle/{document.code}/")
    assert response.status_code == expected
    events = AuditEvent.objects.filter(event_type=EventType.TALK_MINUTES_READ)
    if expected == 404:
        assert not events.exists()
        return
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="protokoll.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES
    event = events.get()
    assert (event.actor_username, event.subject_code) == (persona, talk.code)
    assert event.extra == {"document": document.code}


def test_minutes_are_not_reachable_as_media(login_as, media: Path) -> None:
    document = _minutes(_kreis_talk())
    client = login_as("koordination")
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/static/{document.file.name}").status_code == 404


# --- welfare agencies --------------------------------------------------------------------------

# persona → (Brücke page, add-service form); everyone not listed gets 404 for both
TRAEGER_MATRIX = {
    "koordination": (200, 200),
    "admin": (200, 200),
    "siegen": (200, 403),
    "teamlead-siegen": (200, 403),
    "traeger": (200, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_traeger_matrix(login_as, persona: str) -> None:
    brucke = _org(name=BRUECKE)
    client = login_as(persona)
    page, manage = TRAEGER_MATRIX.get(persona, (404, 404))
    assert client.get(f"/partner/traeger/{brucke.code}/").status_code == page
    assert client.get(f"/partner/traeger/{brucke.code}/angebote/neu/").status_code == manage
    assert client.get(f"/partner/traeger/{brucke.code}/kontakte/neu/").status_code == manage
    assert client.get("/partner/traeger/").status_code == (200 if persona in LOG_ALLOWED else 403)


def test_traeger_manager_sees_only_the_own_agency(login_as, stranger: Client) -> None:
    lebenswege = _org(name=LEBENSWEGE)
    assert login_as("traeger").get(f"/partner/traeger/{lebenswege.code}/").status_code == 404
    assert stranger.get(f"/partner/traeger/{lebenswege.code}/").status_code == 404
    agencies = login_as("traeger").get("/partner/traeger/").context["agencies"]
    assert [a.name for a in agencies] == [BRUECKE]


def test_traeger_page_is_the_timeline(login_as) -> None:
    brucke = _org(name=BRUECKE)
    older = _kreis_talk()
    newer = actions.record_talk(
        acting_user=_user("koordination"),
        host=_org(ags="05970"),
        held_on=dt.date(2025, 9, 1),
        format="video",
        topics="Zweites Testgespräch",
        traeger=[brucke],
        outcome="agreement",
        outcome_summary="Einigung über die Aufgabenbeschreibung.",
    )
    other = _siegen_talk()  # without Brücke
    post = _post(BRUECKE, "B2")
    decision = actions.record_staffing_decision(
        post,
        acting_user=_user("koordination"),
        decided_on=timezone.localdate(),
        employer_type="traeger",
        traeger=brucke,
        rationale="Testbegründung für die Trägerstelle.",
    )
    response = login_as("koordination").get(f"/partner/traeger/{brucke.code}/")
    timeline = response.context["timeline"]
    talks = [t for t in timeline.talks if t in (older, newer, other)]
    assert talks == [newer, older]  # newest first, only talks Brücke took part in
    assert decision in timeline.decisions
    assert post in [p for p, _status in timeline.positions]
    body = response.content.decode()
    assert "Einigung über die Aufgabenbeschreibung." in body
    assert body.index(f'id="talk-{newer.code}"') < body.index(f'id="talk-{older.code}"')
    assert "Der Paritätische NRW" in body and "e.V." in body
    # The town's programme lead reads the page, but not the Kreis's talks.
    shown = login_as("siegen").get(f"/partner/traeger/{brucke.code}/").context["timeline"].talks
    assert older not in shown and newer not in shown


def test_coordination_adds_services_and_contacts(login_as) -> None:
    brucke = _org(name=BRUECKE)
    siegen, kreuztal = _org(ags="05970040"), _org(ags="05970024")
    client = login_as("koordination")
    base = f"/partner/traeger/{brucke.code}"
    service = {"kind": "jmd", "description": "Testangebot JMD", "towns": [siegen.pk, kreuztal.pk]}
    assert login_as("siegen").post(f"{base}/angebote/neu/", service).status_code == 403
    assert client.post(f"{base}/angebote/neu/", service).status_code == 302
    contact = {"role": "Testleitung Migrationsdienste", "office_email": "privat"}
    response = client.post(f"{base}/kontakte/neu/", contact)
    assert response.status_code == 200 and 'id="id_office_email_error"' in response.content.decode()
    contact["office_email"] = "migration@example.org"
    assert client.post(f"{base}/kontakte/neu/", contact).status_code == 302
    created = brucke.services.get(description="Testangebot JMD")
    assert set(created.towns.all()) == {siegen, kreuztal}
    body = client.get(f"{base}/").content.decode()
    assert "Testangebot JMD" in body and "Stadt Kreuztal" in body
    assert "Testleitung Migrationsdienste" in body and "migration@example.org" in body
    assert AuditEvent.objects.filter(event_type=EventType.TRAEGER_CONTACT_ADDED).exists()


def test_traeger_page_query_count(login_as, django_assert_max_num_queries) -> None:
    brucke = _org(name=BRUECKE)
    for _ in range(4):
        _kreis_talk()
    actions.add_service(
        brucke,
        acting_user=_user("koordination"),
        kind="mbe",
        towns=[_org(ags="05970040"), _org(ags="05970024")],
    )
    _calls_with_submissions(brucke, 3)
    client = login_as("koordination")
    with django_assert_max_num_queries(14):
        response = client.get(f"/partner/traeger/{brucke.code}/")
    assert len(response.context["timeline"].talks) >= 4
    assert len(response.context["timeline"].submissions) >= 3
    body = response.content.decode()
    assert body.count('id="submission-') == len(response.context["timeline"].submissions)


def _calls_with_submissions(agency: Organisation, count: int) -> None:
    """Calls of the Kreis, one post each, with the agency's expression of interest."""
    from decimal import Decimal

    from kim.partners.actions import calls

    coordination = _user("koordination")
    posts = Position.objects.filter(
        region=agency.region, baustein="B2", employer_type="municipal"
    ).exclude(calls__status__in=["draft", "published"])
    deadline = dt.datetime(2027, 3, 31, 12, 0, tzinfo=dt.UTC)
    for post in posts.order_by("id")[:count]:
        call = calls.create_call(
            acting_user=coordination,
            issuer=_org(ags="05970"),
            title=f"Testaufruf {post.title}",
            baustein="B2",
            area=post.home.name,
            positions=[post],
            period_start=dt.date(2027, 7, 1),
            period_end=dt.date(2027, 12, 31),
            funding_per_vze=Decimal("57000.00"),
            deadline=deadline,
        )
        calls.add_criterion(call, acting_user=coordination, name="Konzept", weight=100)
        calls.publish_call(call, acting_user=coordination, published_on=dt.date(2027, 3, 1))
        calls.submit_interest(
            call,
            acting_user=coordination,
            traeger=agency,
            vze_offered=post.vze,
            summary="Testkonzept",
            submitted_at=deadline - dt.timedelta(days=1),
        )


# --- staffing decisions ---------------------------------------------------------------------

SIEGEN_B2 = ("Stadt Siegen", "B2")
TRAEGER_B2 = (BRUECKE, "B2")
# (position, persona) → status of the staffing form; everyone not listed gets 404
STAFFING_MATRIX = {
    (SIEGEN_B2, "koordination"): 200,
    (SIEGEN_B2, "admin"): 200,
    (SIEGEN_B2, "siegen"): 200,
    (SIEGEN_B2, "teamlead-siegen"): 403,
    (TRAEGER_B2, "koordination"): 200,
    (TRAEGER_B2, "admin"): 200,
    (TRAEGER_B2, "traeger"): 403,
    (TRAEGER_B2, "siegen"): 403,  # passed on by Siegen: readable, decided by the Kreis
    (TRAEGER_B2, "teamlead-siegen"): 403,
}


@pytest.mark.parametrize("key", [SIEGEN_B2, TRAEGER_B2])
@pytest.mark.parametrize("persona", PERSONAS)
def test_staffing_form_matrix(login_as, key: tuple[str, str], persona: str) -> None:
    position = _post(*key)
    response = login_as(persona).get(f"/partner/stellen/{position.code}/besetzungsentscheidung/")
    assert response.status_code == STAFFING_MATRIX.get((key, persona), 404)


def test_stranger_cannot_decide_staffing(stranger: Client) -> None:
    position = _post(*SIEGEN_B2)
    url = f"/partner/stellen/{position.code}/besetzungsentscheidung/"
    assert stranger.get(url).status_code == 404


def test_record_a_staffing_decision(login_as) -> None:
    position = _post(*SIEGEN_B2)
    url = f"/partner/stellen/{position.code}/besetzungsentscheidung/"
    today = timezone.localdate()
    data = {
        "decided_on": today.strftime("%d.%m.%Y"),
        "employer_type": "traeger",
        "rationale": "Testbegründung: Träger hat Erfahrung in der Beratung.",
        "tasks": "Fallarbeit B2",
        "decided_by": "Ratsbeschluss (Test)",
    }
    client = login_as("siegen")
    before = StaffingDecision.objects.filter(position=position).count()
    response = client.post(url, data)  # no agency named
    assert response.status_code == 200 and 'id="id_traeger_error"' in response.content.decode()
    assert StaffingDecision.objects.filter(position=position).count() == before
    response = client.post(url, {**data, "traeger": _org(name=BRUECKE).pk})
    assert response.status_code == 302
    assert response["Location"] == f"/programm/stellen/{position.code}/"
    decision = StaffingDecision.objects.filter(position=position).latest("id")
    assert (decision.employer_type, decision.traeger.name) == ("traeger", BRUECKE)
    assert AuditEvent.objects.filter(
        event_type=EventType.STAFFING_DECIDED, subject_code=position.code
    ).exists()
    body = client.get(f"/programm/stellen/{position.code}/").content.decode()
    assert 'id="staffing-decisions"' in body and "Testbegründung: Träger hat" in body


def test_position_page_links_the_staffing_form_for_editors(login_as) -> None:
    position = _post(*SIEGEN_B2)
    link = f'href="/partner/stellen/{position.code}/besetzungsentscheidung/"'
    assert link in login_as("siegen").get(f"/programm/stellen/{position.code}/").content.decode()
    body = login_as("teamlead-siegen").get(f"/programm/stellen/{position.code}/").content.decode()
    assert 'id="h-staffing"' in body and link not in body


# --- start page and navigation --------------------------------------------------------------


def test_overdue_follow_ups_on_the_owners_start_page(login_as) -> None:
    talk = _siegen_talk()
    owner = _user("siegen")
    for title, due in [
        ("Testaufgabe später", dt.date(2025, 6, 30)),
        ("Testaufgabe früh", dt.date(2025, 4, 1)),
    ]:
        actions.add_follow_up(talk, acting_user=owner, title=title, owner=owner, due=due)
    client = login_as("siegen")

    def my_items(day: dt.datetime) -> list[tuple[str, str, str]]:
        with time_machine.travel(day, tick=False):
            cards = client.get("/").context["cards"]
        return [
            (title, item.status, item.url)
            for card in cards
            for item in card.items
            for title in ("Testaufgabe später", "Testaufgabe früh")
            if title in item.text
        ]

    url = f"/partner/gespraeche/{talk.code}/"
    before = my_items(dt.datetime(2025, 3, 20, 9, 0, tzinfo=dt.UTC))
    assert before == [("Testaufgabe früh", "", url), ("Testaufgabe später", "", url)]
    later = my_items(dt.datetime(2025, 5, 2, 9, 0, tzinfo=dt.UTC))
    assert later == [("Testaufgabe früh", "warning", url), ("Testaufgabe später", "", url)]
    with time_machine.travel(dt.datetime(2025, 5, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        body = client.get("/").content.decode()
    assert 'class="kim-status-warning"' in body and f'href="{url}"' in body
    # Nobody else sees them.
    assert not any(
        "Testaufgabe" in item.text
        for card in login_as("koordination").get("/").context["cards"]
        for item in card.items
    )


def test_done_follow_ups_leave_the_start_page(login_as) -> None:
    talk = _siegen_talk()
    owner = _user("siegen")
    task = actions.add_follow_up(
        talk, acting_user=owner, title="Testaufgabe erledigt", owner=owner, due=dt.date(2025, 4, 1)
    )
    actions.complete_follow_up(task, acting_user=owner)
    cards = login_as("siegen").get("/").context["cards"]
    assert not any("Testaufgabe erledigt" in i.text for c in cards for i in c.items)


def test_start_page_query_count_with_follow_ups(login_as, django_assert_max_num_queries) -> None:
    talk = _kreis_talk()
    owner = _user("koordination")
    for day in range(1, 6):
        actions.add_follow_up(
            talk, acting_user=owner, title=f"Aufgabe {day}", owner=owner, due=dt.date(2025, 4, day)
        )
    client = login_as("koordination")
    # issue 18: + the proofs card (D-088); issue 19: + the directory card (entries to confirm)
    with django_assert_max_num_queries(17):
        client.get("/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_cooperation_in_the_navigation(login_as, persona: str) -> None:
    body = login_as(persona).get("/").content.decode()
    assert ('href="/partner/gespraeche/"' in body) == (persona in LOG_ALLOWED)
