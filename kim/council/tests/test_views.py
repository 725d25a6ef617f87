"""Council pages: recording a motion with its questions, its page, status, answer blocks,
release, documents; the motion list with filters and empty states; meetings and committees;
query counts.

Pages are requested in English (``Accept-Language: en``) where a test reads their text, so the
assertions hold before and after the German catalogue is updated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kim.audit.models import AuditEvent, EventType
from kim.council import actions
from kim.council.demo import DEMO_MOTION_REFERENCE
from kim.council.models import (
    AgendaItem,
    Meeting,
    MotionQuestion,
    Organization,
    Paper,
    Report,
    ReportRelease,
)
from kim.council.tests import factories as f

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ISO_DATES = {"date": "2026-02-02", "deadline": "2026-03-01"}  # valid in either language


def _motion_post(**change: Any) -> dict[str, Any]:
    body = f.siegen()
    data: dict[str, Any] = {
        "body": body.pk,
        "paper_type": "antrag",
        "reference": "W-7/2026",
        "date": "02.02.2026",
        "name": "Antrag zur Verstetigung der KIM-Stellen",
        "originators": [f.org(body, "CDU").pk, f.org(body, "SPD").pk],
        "committee": f.committee(body).pk,
        "meeting": "",
        "deadline": "01.03.2026",
        "department": f.org(body, "Sozialamt").pk,
        "questions-TOTAL_FORMS": "5",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "30",
        "questions-0-text": "Wie viele Stellen sind unbefristet?",
        "questions-1-text": "",
        "questions-2-text": "Welche Träger sind beteiligt?",
    }
    data.update(change)
    return data


def test_record_a_motion_with_questions(login_as) -> None:
    client = login_as("siegen")
    assert client.get("/rat/antraege/neu/").status_code == 200
    response = client.post("/rat/antraege/neu/", _motion_post())
    motion = Paper.objects.get(reference="W-7/2026")
    assert response.status_code == 302
    assert response["Location"] == f"/rat/antraege/{motion.code}/"
    assert list(motion.questions.values_list("number", "text")) == [
        (1, "Wie viele Stellen sind unbefristet?"),
        (2, "Welche Träger sind beteiligt?"),
    ]
    assert motion.status == "received" and not motion.released
    assert motion.created_by == f.user("siegen")
    assert AuditEvent.objects.filter(
        event_type=EventType.MOTION_RECEIVED, subject_code=motion.code
    ).exists()
    page = client.get(response["Location"], **EN).content.decode()
    assert "Welche Träger sind beteiligt?" in page and "not released" in page


def test_a_motion_needs_a_question_and_nothing_is_half_saved(login_as) -> None:
    client = login_as("siegen")
    data = _motion_post(**ISO_DATES, **{"questions-0-text": "", "questions-2-text": " "})
    response = client.post("/rat/antraege/neu/", data, **EN)
    assert response.status_code == 200
    assert "Enter at least one question." in response.content.decode()
    assert not Paper.objects.filter(reference="W-7/2026").exists()


def test_action_refusals_appear_next_to_the_field(login_as) -> None:
    f.new_motion(reference="W-7/2026")
    response = login_as("siegen").post("/rat/antraege/neu/", _motion_post(**ISO_DATES), **EN)
    assert response.status_code == 200, response
    assert response.context["form"].errors.get("reference") == [
        "Reference number W-7/2026 is already used in Stadt Siegen."
    ]
    assert Paper.objects.filter(reference="W-7/2026").count() == 1


def test_the_form_rejects_records_of_another_body(login_as) -> None:
    kreuztal = f.kreuztal_body()
    foreign = Organization.objects.get(body=kreuztal, kind="committee")
    client = login_as("koordination")  # manages both bodies, so both are choices
    response = client.post(
        "/rat/antraege/neu/", _motion_post(committee=foreign.pk, **ISO_DATES), **EN
    )
    assert response.status_code == 200
    assert response.context["form"].errors["committee"] == [
        "Choose from the records of Stadt Siegen."
    ]
    response = client.post("/rat/antraege/neu/", _motion_post())
    assert response.status_code == 302


def test_a_programme_lead_cannot_choose_another_towns_records(login_as) -> None:
    kreuztal = f.kreuztal_body()
    foreign = Organization.objects.get(body=kreuztal, kind="committee")
    response = login_as("siegen").post("/rat/antraege/neu/", _motion_post(committee=foreign.pk))
    assert response.status_code == 200  # not among the choices
    assert "committee" in response.context["form"].errors
    assert not Paper.objects.filter(reference="W-7/2026").exists()


def test_change_the_status(login_as) -> None:
    motion = f.new_motion()
    client = login_as("siegen")
    page = client.get(f"/rat/antraege/{motion.code}/status/")
    assert [c[0] for c in page.context["form"].fields["status"].choices] == ["in_progress"]
    url = f"/rat/antraege/{motion.code}/status/"
    stale = client.post(url, {"status": "in_progress", "expected_status": "answered"}, **EN)
    assert "changed by someone else" in stale.content.decode()
    response = client.post(url, {"status": "in_progress", "expected_status": "received"})
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.status == "in_progress"
    # answered is not a choice from "received" – the form refuses it before the action
    other = f.new_motion(reference="T-2/2026")
    response = client.post(
        f"/rat/antraege/{other.code}/status/", {"status": "answered", "expected_status": "received"}
    )
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.status == "received"


def test_tag_a_question(login_as) -> None:
    question = f.new_motion().questions.first()
    client = login_as("siegen")
    url = f"/rat/fragen/{question.code}/antwortbausteine/"
    page = client.get(url).content.decode()
    assert 'value="positions_per_baustein"' in page and 'value="funding_forecast"' in page
    response = client.post(url, {"block_keys": ["talks", "positions_per_baustein"]})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.block_keys == ["positions_per_baustein", "talks"]
    refused = client.post(url, {"block_keys": ["case_stats"]})
    assert refused.status_code == 200
    question.refresh_from_db()
    assert question.block_keys == ["positions_per_baustein", "talks"]
    detail = client.get(f"/rat/antraege/{question.paper.code}/", **EN).content.decode()
    assert "Talks with welfare agencies and their outcomes" in detail


def test_add_a_question(login_as) -> None:
    motion = f.new_motion()
    response = login_as("koordination").post(
        f"/rat/antraege/{motion.code}/fragen/neu/", {"text": "Und ab wann?"}
    )
    assert response.status_code == 302
    assert motion.questions.get(number=3).text == "Und ab wann?"


def test_release_shows_the_motion_to_the_council(login_as) -> None:
    motion = f.new_motion()
    rat = login_as("rat")
    assert rat.get(f"/rat/antraege/{motion.code}/").status_code == 404
    response = login_as("siegen").post(f"/rat/antraege/{motion.code}/freigabe/")
    assert response.status_code == 302
    assert rat.get(f"/rat/antraege/{motion.code}/").status_code == 200
    again = login_as("siegen").post(f"/rat/antraege/{motion.code}/freigabe/", follow=True, **EN)
    assert "already been released" in again.content.decode()
    assert login_as("siegen").get(f"/rat/antraege/{motion.code}/freigabe/").status_code == 405


def test_upload_and_download_a_document(login_as) -> None:
    motion = f.new_motion()
    client = login_as("siegen")
    url = f"/rat/antraege/{motion.code}/dokumente/neu/"
    wrong = client.post(
        url, {"file": SimpleUploadedFile("antrag.pdf", b"not a pdf"), "role": "main"}
    )
    assert wrong.status_code == 200 and not motion.files.exists()
    upload = SimpleUploadedFile("antrag.pdf", f.PDF_BYTES)
    response = client.post(url, {"file": upload, "role": "main", "name": "Antrag"})
    assert response.status_code == 302
    file = motion.files.get()
    download = client.get(f"/rat/dokumente/{file.code}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == f.PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"


# --- the list ---------------------------------------------------------------------------------


@pytest.mark.sqlite_too
def test_list_filters(login_as) -> None:
    f.new_motion()
    answered = f.new_motion(reference="T-2/2026", name="Anfrage zu Gesprächen mit Trägern")
    for step in ("in_progress", "answered"):
        answered = actions.change_motion_status(
            answered, acting_user=None, status=step, expected_status=answered.status
        )
    client = login_as("siegen")

    def refs(**params: str) -> list[str]:
        return [m.reference for m in client.get("/rat/antraege/", params).context["motions"]]

    assert set(refs()) >= {"T-1/2026", "T-2/2026", DEMO_MOTION_REFERENCE}
    # the demo motion is answered by its released report
    assert refs(status="answered") == ["T-2/2026", DEMO_MOTION_REFERENCE]
    assert refs(year="2022") == [DEMO_MOTION_REFERENCE]
    assert refs(q="Gesprächen") == ["T-2/2026"]
    assert refs(q="Wer besetzt") == ["T-2/2026", "T-1/2026"]  # question text, newest first
    assert refs(q="184/20") == [DEMO_MOTION_REFERENCE]
    # A value that is no choice invalidates the filter form: the unfiltered list is shown.
    assert len(refs(year="1999")) == len(refs(status="nonsense")) == len(refs())


def test_list_partial_for_htmx(login_as) -> None:
    response = login_as("siegen").get("/rat/antraege/", {"q": "KIM"}, HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "council/_motion_table.html"
    assert b"hx-swap-oob" in response.content


def test_empty_states(login_as, stranger: Client) -> None:
    no_match = login_as("siegen").get("/rat/antraege/", {"q": "gibt es nicht"}, **EN)
    assert "No motions match these filters." in no_match.content.decode()
    nothing = stranger.get("/rat/antraege/", **EN).content.decode()
    assert "No motions have been released to you yet." in nothing
    assert "Record a motion" not in nothing
    # test data only: an installation without motions (reports protect their papers)
    ReportRelease.objects.all().delete()
    Report.objects.all().delete()
    Paper.objects.all().delete()
    empty = login_as("siegen").get("/rat/antraege/", **EN).content.decode()
    assert "No motions have been recorded yet." in empty
    assert "/rat/antraege/neu/" in empty


def test_overdue_motions_are_marked(login_as) -> None:
    overdue = f.new_motion(reference="T-3/2026", deadline=dt.date(2026, 2, 2))
    response = login_as("siegen").get("/rat/antraege/")
    assert overdue.pk in response.context["overdue"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["siegen", "rat"])
def test_motion_list_query_count_does_not_grow(
    login_as, persona: str, django_assert_max_num_queries
) -> None:
    client = login_as(persona)
    with django_assert_max_num_queries(10):
        client.get("/rat/antraege/")
    before = _queries(client, "/rat/antraege/")
    for n in range(4):
        f.new_motion(reference=f"Q-{n}/2026", release=True)
    assert _queries(client, "/rat/antraege/") == before


def test_motion_detail_query_count(login_as, django_assert_max_num_queries) -> None:
    motion = Paper.objects.get(reference=DEMO_MOTION_REFERENCE)
    client = login_as("siegen")
    with django_assert_max_num_queries(12):
        assert client.get(f"/rat/antraege/{motion.code}/").status_code == 200


def test_meeting_list_query_count_does_not_grow(login_as, django_assert_max_num_queries) -> None:
    client = login_as("siegen")
    with django_assert_max_num_queries(10):
        client.get("/rat/sitzungen/")
    before = _queries(client, "/rat/sitzungen/")
    for day in range(1, 4):
        f.new_meeting(start=f.at(dt.date(2026, 4, day)))
    assert _queries(client, "/rat/sitzungen/") == before


# --- meetings and committees --------------------------------------------------------------------


def test_record_a_meeting_and_its_agenda(login_as) -> None:
    body = f.siegen()
    client = login_as("siegen")
    response = client.post(
        "/rat/sitzungen/neu/",
        {
            "body": body.pk,
            "organizations": [f.committee(body).pk],
            "name": "15. Sitzung des Sozialausschusses",
            "start": "04.03.2026 17:00",
            "end": "",
            "state": "planned",
            "public": "on",
        },
    )
    meeting = Meeting.objects.get(name="15. Sitzung des Sozialausschusses")
    assert response.status_code == 302
    assert (meeting.start.hour, meeting.public) == (16, True)  # 17:00 Berlin = 16:00 UTC
    add = client.post(
        f"/rat/sitzungen/{meeting.code}/tagesordnung/neu/", {"number": "4b", "name": "KIM"}
    )
    assert add.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.number, item.order, item.public) == ("4b", 1, False)  # unchecked box


def test_meeting_page_links_the_motion_it_deals_with(login_as) -> None:
    september = f.meeting_on(dt.date(2022, 9, 7))
    motion = Paper.objects.get(reference=DEMO_MOTION_REFERENCE)
    page = login_as("rat").get(f"/rat/sitzungen/{september.code}/").content.decode()
    assert f"/rat/antraege/{motion.code}/" in page


def test_record_a_committee(login_as) -> None:
    body = f.siegen()
    response = login_as("siegen").post(
        "/rat/gremien/neu/",
        {"body": body.pk, "kind": "fraktion", "name": "Fraktion Bündnis 90/Die Grünen"},
    )
    assert response.status_code == 302
    assert Organization.objects.get(body=body, name="Fraktion Bündnis 90/Die Grünen").kind == (
        "fraktion"
    )
    twice = login_as("siegen").post(
        "/rat/gremien/neu/", {"body": body.pk, "kind": "fraktion", "name": "Sozialamt"}
    )
    assert twice.status_code == 200 and "name" in twice.context["form"].errors


def test_navigation_link_only_for_council_users(login_as) -> None:
    assert 'href="/rat/antraege/"' in login_as("rat").get("/").content.decode()
    assert 'href="/rat/antraege/"' in login_as("siegen").get("/").content.decode()
    assert 'href="/rat/antraege/"' not in login_as("cm-siegen").get("/").content.decode()


def test_questions_survive_in_order_on_the_page(login_as) -> None:
    motion = Paper.objects.get(reference=DEMO_MOTION_REFERENCE)
    page = login_as("rat").get(f"/rat/antraege/{motion.code}/").content.decode()
    texts = list(MotionQuestion.objects.filter(paper=motion).values_list("text", flat=True))
    positions = [page.index(t[:40]) for t in texts]
    assert positions == sorted(positions) and len(positions) == 3
