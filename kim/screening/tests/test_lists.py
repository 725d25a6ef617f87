"""Batch screening by the Baustein-3 officer: upload, chunked screening with progress, results,
detail, exports, the invitation letter, deletion and automatic deletion."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from kim.audit.models import AuditEvent, EventType
from kim.core.models import Job, JobStatus
from kim.organisations.models import Organisation
from kim.screening.actions.lists import screen_next_chunk, summarise, upload_list
from kim.screening.engine import evaluate_many
from kim.screening.input import parse_person
from kim.screening.models import ListStatus, ScreeningEntry, ScreeningList
from kim.screening.retention import purge_expired
from kim.screening.rulebook import database_versions
from kim.screening.tasks import KIND as SCREENING_JOB
from kim.screening.tasks import start_screening
from tests.support import reauthenticated

pytestmark = pytest.mark.django_db

ABH = "Ausländerbehörde Kreis Siegen-Wittgenstein"
DECISION = dt.date(2026, 3, 2)
HEADER = (
    "Aktenzeichen;Name;Geburtsdatum;Deutsch mündlich;Deutsch;Test;FDGO;Lebensunterhalt;"
    "Identität geklärt;Identitätstäuschung;Tagessätze;Kinder besuchen Schule;Status 1;von 1;"
    "Schuljahre;In Ausbildung"
)


def person_line(i: int) -> str:
    """Three kinds of persons in turn: long Duldung with everything (likely § 25b), only a
    reference (unclear), a young person with a recent Duldung (time missing)."""
    if i % 3 == 0:
        return (
            f"AZ-{i:04d};Person {i};01.01.1985;B1;B1;leben_in_deutschland;ja;gesichert;"
            "ja;nein;0;ja;duldung;01.01.2015;;"
        )
    if i % 3 == 1:
        return f"AZ-{i:04d};;;;;;;;;;;;;;;"
    return f"AZ-{i:04d};Person {i};01.06.2005;A2;A2;;ja;;ja;nein;0;;duldung;01.09.2025;3;ja"


def csv_upload(n: int, name: str = "liste.csv") -> SimpleUploadedFile:
    lines = [HEADER, *(person_line(i) for i in range(n))]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"))


def abh_user() -> Any:
    return get_user_model().objects.get(username="abh")


def make_list(n: int = 5, **kwargs: Any) -> ScreeningList:
    return upload_list(
        acting_user=abh_user(),
        organisation=Organisation.objects.get(name=ABH),
        upload=kwargs.pop("upload", None) or csv_upload(n),
        title=kwargs.pop("title", "Duldungen März"),
        decision_date=kwargs.pop("decision_date", DECISION),
    )


def screened_list(n: int = 5) -> ScreeningList:
    screening_list = make_list(n)
    while screening_list.status != ListStatus.DONE:
        screening_list = screen_next_chunk(screening_list, acting_user=abh_user())
    return screening_list


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


UPLOADS = {
    "csv": lambda: csv_upload(4).read(),
    "xlsx": lambda: _xlsx(
        [
            ["Aktenzeichen", "Name", "Geburtsdatum", "Status 1", "von 1"],
            *[
                [
                    f"AZ-{i:04d}",
                    f"Person {i}",
                    dt.date(1990, 1, 1),
                    "duldung",
                    dt.date(2016, 1, i + 1),
                ]
                for i in range(4)
            ],
        ]
    ),
    "json": lambda: json.dumps(
        {"persons": [{"ref": f"AZ-{i:04d}", "label": f"Person {i}"} for i in range(4)]}
    ).encode(),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_upload_stores_persons_and_audits_without_names(login_as: Any, fmt: str) -> None:
    client = login_as("abh")
    upload = SimpleUploadedFile(f"liste.{fmt}", UPLOADS[fmt]())
    response = client.post(
        "/screening/listen/hochladen/",
        {"title": "Duldungen März", "decision_date": "02.03.2026", "upload": upload},
    )
    screening_list = ScreeningList.objects.get(title="Duldungen März")
    assert response.status_code == 302
    assert response["Location"] == f"/screening/listen/{screening_list.code}/"
    assert (screening_list.total, screening_list.file_format) == (4, fmt)
    assert screening_list.organisation.name == ABH
    assert screening_list.decision_date == DECISION
    assert screening_list.status == ListStatus.DONE  # screened at once by the test backend
    entries = list(screening_list.entries.order_by("row"))
    assert (entries[0].row, entries[0].ref, entries[0].label) == (1, "AZ-0000", "Person 0")
    assert json.loads(entries[0].facts)["ref"] == "AZ-0000"
    event = AuditEvent.objects.get(
        event_type=EventType.SCREENING_LIST_UPLOADED, subject_code=screening_list.code
    )
    assert event.extra == {"rows": 4, "format": fmt, "ignored_columns": 0}
    assert "Person" not in json.dumps(event.extra) and "AZ-" not in json.dumps(event.extra)


def test_delete_after_follows_the_setting(settings: Any) -> None:
    settings.KIM_SCREENING_RETENTION_DAYS = 30
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, 0), tick=False):
        assert make_list(2).delete_after == dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("AZ-X;X;31.02.1990;;;;;;;;;;;", "Zeile 3, Spalte „Geburtsdatum“"),
        ("AZ-X;X;;;;;vielleicht;;;;;;;", "Zeile 3, Spalte „FDGO“"),
        ("AZ-X;X;;C7;;;;;;;;;;", "Zeile 3, Spalte „Deutsch mündlich“"),
        ("AZ-X;X;;;;;;;;;;;geduldet;01.01.2020", "Zeile 3, Spalte „Status 1“"),
        ("AZ-0000;X;;;;;;;;;;;;", "Die Zeilen 2 und 3 haben dasselbe Aktenzeichen."),
        # Dates a screening cannot compute with (kim.core.forms bounds): refused as a whole.
        ("AZ-X;X;01.01.0001;;;;;;;;;;;", "Bitte ein Datum zwischen 01.01.1900 und 31.12."),
        ("AZ-X;X;;;;;;;;;;;duldung;31.12.9999", "Bitte ein Datum zwischen 01.01.1900 und 31.12."),
    ],
)
def test_a_malformed_row_fails_the_whole_upload(login_as: Any, line: str, expected: str) -> None:
    client = login_as("abh")
    events = AuditEvent.objects.filter(event_type=EventType.SCREENING_LIST_UPLOADED).count()
    body = f"{HEADER}\n{person_line(0)}\n{line}\n{person_line(2)}\n".encode()
    response = client.post(
        "/screening/listen/hochladen/",
        {
            "title": "Fehlerhaft",
            "decision_date": "02.03.2026",
            "upload": SimpleUploadedFile("liste.csv", body),
        },
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not ScreeningList.objects.filter(title="Fehlerhaft").exists()
    assert not ScreeningEntry.objects.filter(screening_list__title="Fehlerhaft").exists()
    assert AuditEvent.objects.filter(event_type=EventType.SCREENING_LIST_UPLOADED).count() == events


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by the given XML."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["Aktenzeichen"], ["AZ-1"]])))
    members = {n: source.read(n) for n in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet_xml
    return _zip(members)


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
UNREADABLE = {
    # the probe's file: 100,000 nested brackets (RecursionError in json.loads)
    "nested.json": (b"[" * 100_000 + b"]" * 100_000, "mehr als 20 Ebenen tief verschachtelt"),
    "tief.json": (
        b'{"persons": [{"ref": "A", "extra": ' + b"[" * 30 + b"]" * 30 + b"}]}",
        "mehr als 20 Ebenen tief verschachtelt",
    ),
    # one cell over the csv module's 128 KB limit (csv.Error)
    "riesig.csv": (b"Aktenzeichen;Name\nAZ-1;" + b"x" * 200_000 + b"\n", "Zeile 2: Eine Zelle"),
    # a zip bomb (with the limit lowered to 1 MB for the test): 2 MB of zeros, 2 KB packed
    "bombe.xlsx": (
        _zip({"xl/worksheets/sheet1.xml": b"\0" * 2 * 1024 * 1024}),
        "entpackt mehr als 1 MB",
    ),
    # a sheet that claims the last row of Excel: read row by row, stopped at the cap
    "lang.xlsx": (
        _xlsx_with_sheet(
            SHEET
            + b'<row r="1"><c r="A1" t="inlineStr"><is><t>Aktenzeichen</t></is></c></row>'
            + b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>AZ-1</t></is></c></row>'
            + b"</sheetData></worksheet>"
        ),
        "mehr als 40.000 Zeilen",
    ),
    "kaputt.xlsx": (_zip({"xl/workbook.xml": b"<nicht xml"}), "keine lesbare Excel-Arbeitsmappe"),
}


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_files_that_would_break_the_parser_are_refused_next_to_the_field(
    login_as: Any, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kim.core.uploads.MAX_UNPACKED_BYTES", 1024 * 1024)
    data, expected = UNREADABLE[name]
    uploads = AuditEvent.objects.filter(event_type=EventType.SCREENING_LIST_UPLOADED)
    events = uploads.count()
    response = login_as("abh").post(
        "/screening/listen/hochladen/",
        {
            "title": "Angriff",
            "decision_date": "02.03.2026",
            "upload": SimpleUploadedFile(name, data),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_upload_error"' in html
    assert expected in html
    assert not ScreeningList.objects.filter(title="Angriff").exists()
    assert uploads.count() == events


def test_ignored_columns_are_named_in_the_message(login_as: Any) -> None:
    body = b"Aktenzeichen;Staatsangeh\xc3\xb6rigkeit\nAZ-1;x\n"
    response = login_as("abh").post(
        "/screening/listen/hochladen/",
        {"title": "T", "decision_date": "02.03.2026", "upload": SimpleUploadedFile("l.csv", body)},
        follow=True,
    )
    assert (
        "Diese Spalten werden nicht verwendet: „Staatsangehörigkeit“" in response.content.decode()
    )


@pytest.mark.sqlite_too
def test_references_and_labels_are_encrypted_at_rest() -> None:
    screening_list = make_list(3)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ref, label, facts FROM screening_screeningentry WHERE screening_list_id = %s",
            [screening_list.pk],
        )
        raw = " ".join(str(v) for row in cursor.fetchall() for v in row)
        cursor.execute(
            "SELECT original_name FROM screening_screeninglist WHERE id = %s", [screening_list.pk]
        )
        raw += str(cursor.fetchone())
    for plain in ("AZ-0000", "AZ-0002", "Person 0", "Person 2", "1985", "liste.csv"):
        assert plain not in raw
    assert screening_list.entries.get(row=1).ref == "AZ-0000"


# --------------------------------------------------------------------------------------------
# Screening in chunks
# --------------------------------------------------------------------------------------------


@pytest.mark.sqlite_too
def test_chunks_reach_done_with_the_right_summary_columns() -> None:
    screening_list = make_list(5)
    user = abh_user()
    progress = []
    while screening_list.status != ListStatus.DONE:
        screening_list = screen_next_chunk(screening_list, acting_user=user, size=2)
        progress.append((screening_list.screened, screening_list.status))
    assert progress == [(2, "screening"), (4, "screening"), (5, "done")]
    entries = list(screening_list.entries.order_by("row"))
    facts = [parse_person(json.loads(e.facts), e.row) for e in entries]
    expected = evaluate_many(facts, DECISION, database_versions())
    for entry, (_facts, results) in zip(entries, expected, strict=True):
        assert (entry.rank, entry.likely_rules, entry.likely_from, entry.unclear_count) == (
            summarise(results)
        )
        assert [r["rule"] for r in json.loads(entry.results or "[]")] == [r.rule for r in results]
    ranks = [e.rank for e in entries]
    assert ranks[0] == 0 and "aufenthg_25b" in entries[0].likely_rules
    assert ranks[1] == 2 and entries[1].unclear_count > 0
    assert ranks[2] == 1 and entries[2].likely_from is not None
    assert entries[2].likely_from > DECISION
    events = AuditEvent.objects.filter(
        event_type=EventType.SCREENING_LIST_SCREENED, subject_code=screening_list.code
    )
    assert events.count() == 1 and events.get().extra["rows"] == 5


@pytest.mark.sqlite_too
def test_a_stale_progress_or_a_finished_list_is_not_processed_twice() -> None:
    screening_list = make_list(4)
    user = abh_user()
    screening_list = screen_next_chunk(screening_list, acting_user=user, size=2)
    # A second tab still believes nothing was screened: it must not redo rows 1–2 or move on.
    again = screen_next_chunk(screening_list, acting_user=user, size=2, expected_screened=0)
    assert again.screened == 2
    done = screen_next_chunk(screening_list, acting_user=user, size=2, expected_screened=2)
    assert done.status == ListStatus.DONE
    assert screen_next_chunk(done, acting_user=user).screened == 4
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.SCREENING_LIST_SCREENED, subject_code=done.code
        ).count()
        == 1
    )


def queued_job(screening_list: ScreeningList, owner: str = "abh") -> Job:
    """A screening job waiting for a worker (the immediate backend of the tests runs every
    job at once, so a waiting one is made by hand)."""
    return Job.objects.create(
        kind=SCREENING_JOB,
        subject=screening_list.code,
        title="Prüfung",
        owner=get_user_model().objects.get(username=owner),
        total=screening_list.total,
    )


def screening_jobs(screening_list: ScreeningList) -> Any:
    return Job.objects.filter(kind=SCREENING_JOB, subject=screening_list.code)


def test_the_upload_starts_the_screening_as_a_job(login_as: Any) -> None:
    client = login_as("abh")
    response = client.post(
        "/screening/listen/hochladen/",
        {"title": "Duldungen März", "decision_date": "02.03.2026", "upload": csv_upload(5)},
    )
    screening_list = ScreeningList.objects.get(title="Duldungen März")
    url = f"/screening/listen/{screening_list.code}/"
    assert response.status_code == 302 and response["Location"] == url
    # The tests' immediate backend has run the job by now; kim worker does it in production.
    assert (screening_list.status, screening_list.screened) == (ListStatus.DONE, 5)
    job = screening_jobs(screening_list).get()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 5, 5)
    assert job.owner is not None and job.owner.username == "abh"
    assert job.result_url == url and job.message == "Die Liste ist geprüft."
    assert not screening_list.entries.filter(results__isnull=True).exists()
    events = AuditEvent.objects.filter(
        event_type=EventType.SCREENING_LIST_SCREENED, subject_code=screening_list.code
    )
    assert list(events.values_list("actor_username", "extra__rows")) == [("abh", 5)]
    page = client.get(url).content.decode()
    assert "AZ-0000" in page and 'id="entries"' in page
    assert f"/auftraege/{job.code}/" in client.get("/auftraege/").content.decode()


def test_the_button_starts_a_job_without_javascript(login_as: Any) -> None:
    screening_list = make_list(3)  # uploaded before screening became a job: nothing runs
    client = login_as("abh")
    url = f"/screening/listen/{screening_list.code}/"
    page = client.get(url).content.decode()
    assert '<progress id="progress-' in page
    assert 'max="3"' in page and 'value="0"' in page
    assert "0 von 3 Personen geprüft" in page and "Prüfung starten" in page
    assert f'action="/screening/listen/{screening_list.code}/pruefen/"' in page
    assert "hx-get" not in page and "hx-post" not in page  # nothing to watch yet
    response = client.post(f"{url}pruefen/")
    assert response.status_code == 302 and response["Location"] == url
    screening_list.refresh_from_db()
    assert screening_list.status == ListStatus.DONE
    assert screening_jobs(screening_list).get().status == JobStatus.DONE
    # A done list starts nothing more.
    assert client.post(f"{url}pruefen/").status_code == 302
    assert screening_jobs(screening_list).count() == 1


def test_one_job_per_list(login_as: Any) -> None:
    screening_list = make_list(3)
    waiting = queued_job(screening_list)
    client = login_as("abh")
    assert client.post(f"/screening/listen/{screening_list.code}/pruefen/").status_code == 302
    assert start_screening(screening_list, acting_user=abh_user()) == waiting
    assert list(screening_jobs(screening_list)) == [waiting]
    screening_list.refresh_from_db()
    assert screening_list.screened == 0
    # Once that job has ended (here: failed), the button starts the next one.
    Job.objects.filter(pk=waiting.pk).update(status=JobStatus.FAILED)
    client.post(f"/screening/listen/{screening_list.code}/pruefen/")
    assert screening_jobs(screening_list).count() == 2
    screening_list.refresh_from_db()
    assert screening_list.status == ListStatus.DONE


def test_htmx_polls_the_progress_with_get_until_done(login_as: Any) -> None:
    screening_list = make_list(3)
    ScreeningList.objects.filter(pk=screening_list.pk).update(
        screened=2, status=ListStatus.SCREENING
    )
    job = queued_job(screening_list)
    client = login_as("abh")
    url = f"/screening/listen/{screening_list.code}/"
    page = client.get(url).content.decode()
    assert f'hx-get="{url}fortschritt/"' in page and 'hx-trigger="every 2s"' in page
    assert "hx-post" not in page and "Prüfung starten" not in page
    assert "2 von 3 Personen geprüft" in page and "wartet auf freie Kapazität" in page
    assert f'href="/auftraege/{job.code}/"' in page  # the owner follows the job
    # Without JavaScript nothing polls: a link reloads the page.
    assert re.search(rf'<noscript>\s*<p class="kim-actions">\s*<a [^>]*href="{url}"', page)
    assert "Fortschritt aktualisieren" in page
    fragment = client.get(f"{url}fortschritt/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment["Cache-Control"].startswith("max-age=0")
    html = fragment.content.decode()
    assert "<html" not in html and 'hx-trigger="every 2s"' in html
    assert "2 von 3 Personen geprüft" in html
    # Without htmx the fragment's URL is the list page.
    assert client.get(f"{url}fortschritt/")["Location"] == url
    ScreeningList.objects.filter(pk=screening_list.pk).update(screened=3, status=ListStatus.DONE)
    done = client.get(f"{url}fortschritt/", HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Redirect"] == url


def test_another_officer_sees_the_progress_but_not_the_job(login_as: Any) -> None:
    from kim.accounts.actions import create_user, grant_role

    screening_list = make_list(3)
    job = queued_job(screening_list)
    colleague = create_user(acting_user=None, username="abh-2", password=None)
    grant_role(
        acting_user=None,
        user=colleague,
        organisation=screening_list.organisation,
        role="b3_officer",
    )
    page = login_as("abh-2").get(f"/screening/listen/{screening_list.code}/").content.decode()
    assert "0 von 3 Personen geprüft" in page and "hx-get" in page
    assert f"/auftraege/{job.code}/" not in page
    assert login_as("abh-2").get(f"/auftraege/{job.code}/").status_code == 404


@pytest.mark.parametrize("lost", ["role revoked", "account deactivated"])
def test_the_job_checks_the_owners_rights_again(lost: str) -> None:
    from kim.accounts.actions import revoke_role
    from kim.accounts.models import Membership

    screening_list = make_list(3)
    user = abh_user()
    if lost == "role revoked":
        for membership in Membership.objects.active().filter(user=user, role="b3_officer"):
            revoke_role(acting_user=None, membership=membership)
    else:
        user.is_active = False
        user.save()
    job = start_screening(screening_list, acting_user=user)  # as if queued before the revoke
    assert job is not None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Die Liste gibt es nicht mehr, oder Sie haben keinen Zugriff mehr darauf."
    screening_list.refresh_from_db()
    assert (screening_list.status, screening_list.screened) == (ListStatus.UPLOADED, 0)
    assert not screening_list.entries.filter(results__isnull=False).exists()
    assert not AuditEvent.objects.filter(
        event_type=EventType.SCREENING_LIST_SCREENED, subject_code=screening_list.code
    ).exists()


def test_a_chunk_with_bad_data_fails_the_list_and_the_job(login_as: Any) -> None:
    screening_list = make_list(3)
    entry = screening_list.entries.get(row=2)
    entry.facts = "[]"
    entry.save()
    job = start_screening(screening_list, acting_user=abh_user())
    assert job is not None
    job.refresh_from_db()
    screening_list.refresh_from_db()
    assert screening_list.status == ListStatus.FAILED
    assert screening_list.error == "Person 2: Objekt erwartet"
    assert job.status == JobStatus.FAILED
    assert (
        job.message
        == "Die Prüfung dieser Liste ist fehlgeschlagen; die Seite der Liste nennt den Grund."
    )
    page = login_as("abh").get(f"/screening/listen/{screening_list.code}/").content.decode()
    assert "Person 2: Objekt erwartet" in page and "hx-get" not in page


@pytest.mark.sqlite_too
def test_a_rerun_continues_where_the_last_run_stopped() -> None:
    """What a worker does after the hand-over of a killed worker's task: the job runs again
    from its start and continues at the stored progress."""
    screening_list = make_list(5)
    user = abh_user()
    screen_next_chunk(screening_list, acting_user=user, size=2)  # the killed worker's chunk
    before = dict(screening_list.entries.filter(row__lte=2).values_list("row", "results"))
    job = start_screening(screening_list, acting_user=user)
    assert job is not None
    job.refresh_from_db()
    screening_list.refresh_from_db()
    assert (job.status, screening_list.status, screening_list.screened) == (
        JobStatus.DONE,
        ListStatus.DONE,
        5,
    )
    # Rows 1–2 were not screened again (same ciphertext), rows 3–5 were screened once.
    assert dict(screening_list.entries.filter(row__lte=2).values_list("row", "results")) == before
    assert not screening_list.entries.filter(results__isnull=True).exists()
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.SCREENING_LIST_SCREENED, subject_code=screening_list.code
        ).count()
        == 1
    )


def test_progress_counts_use_german_thousands(login_as: Any) -> None:
    screening_list = make_list(1)
    ScreeningList.objects.filter(pk=screening_list.pk).update(total=10000, screened=1000)
    page = login_as("abh").get(f"/screening/listen/{screening_list.code}/").content.decode()
    assert "1.000 von 10.000 Personen geprüft" in page


# --------------------------------------------------------------------------------------------
# Results and detail
# --------------------------------------------------------------------------------------------


@pytest.mark.sqlite_too
def test_results_page_shows_badges_filters_and_is_audited(login_as: Any) -> None:
    screening_list = screened_list(6)
    client = login_as("abh")
    url = f"/screening/listen/{screening_list.code}/"
    page = client.get(url).content.decode()
    assert "AZ-0000" in page and "Person 0" in page
    assert "wahrscheinlich" in page and "unklar" in page
    assert "Ergebnis ist eine Einschätzung – die Entscheidung trifft die Behörde." in page
    assert '<th scope="col" class="kern-table__header kim-nowrap">§ 25b</th>' in page
    now = client.get(url, {"show": "now"}).content.decode()
    assert "AZ-0000" in now and "AZ-0003" in now and "AZ-0001" not in now
    unclear = client.get(url, {"show": "unclear"}).content.decode()
    assert "AZ-0001" in unclear and "AZ-0000" not in unclear
    by_rule = client.get(url, {"rule": "aufenthg_25b"}).content.decode()
    assert "AZ-0000" in by_rule and "AZ-0002" not in by_rule
    by_row = client.get(url, {"sort": "row"}).content.decode()
    assert by_row.index("AZ-0000") < by_row.index("AZ-0001") < by_row.index("AZ-0002")
    partial = client.get(url, {"show": "now"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="entries"' in partial and "AZ-0001" not in partial
    events = AuditEvent.objects.filter(
        event_type=EventType.SCREENING_LIST_READ, subject_code=screening_list.code
    )
    assert events.count() == 6
    assert all("AZ-" not in json.dumps(e.extra) for e in events)


@pytest.mark.sqlite_too
def test_soon_filter_respects_the_months(login_as: Any) -> None:
    screening_list = screened_list(3)
    later = screening_list.entries.get(row=3).likely_from
    assert later is not None
    url = f"/screening/listen/{screening_list.code}/"
    client = login_as("abh")
    months_needed = (later.year - dt.date.today().year) * 12 + 13
    soon = client.get(url, {"show": "soon", "months": months_needed}).content.decode()
    assert "AZ-0002" in soon and "AZ-0000" not in soon
    assert "AZ-0002" not in client.get(url, {"show": "soon", "months": 1}).content.decode()


@pytest.mark.parametrize("n", [5, 150])
def test_results_page_query_count_does_not_grow(
    n: int, login_as: Any, django_assert_max_num_queries: Any
) -> None:
    screening_list = screened_list(n)
    client = login_as("abh")
    with django_assert_max_num_queries(12):
        response = client.get(f"/screening/listen/{screening_list.code}/")
    assert response.status_code == 200


def test_entry_detail_lists_every_rule_and_criterion(login_as: Any) -> None:
    screening_list = screened_list(3)
    page = login_as("abh").get(f"/screening/listen/{screening_list.code}/personen/1/")
    html = page.content.decode()
    assert page.status_code == 200 and "AZ-0000" in html
    assert "Ergebnis ist eine Einschätzung – die Entscheidung trifft die Behörde." in html
    for rule in ("25a", "25b", "104c", "§ 10"):
        assert rule in html
    assert "prüfbar" in html and "Ermessen" in html and "erfüllt" in html
    assert "Fassung gültig ab" in html
    event = AuditEvent.objects.get(
        event_type=EventType.SCREENING_LIST_READ, subject_code=screening_list.code
    )
    assert event.extra == {"list": screening_list.code, "page": "entry", "row": 1}


# --------------------------------------------------------------------------------------------
# Exports, letter, deletion
# --------------------------------------------------------------------------------------------


def test_exports_need_reauthentication_and_carry_the_results(login_as: Any) -> None:
    screening_list = screened_list(3)
    url = f"/screening/listen/{screening_list.code}/export/"
    response = login_as("abh").get(f"{url}csv/")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    client = reauthenticated("abh")
    csv_text = client.get(f"{url}csv/").content.decode("utf-8-sig")
    header, first = csv_text.splitlines()[:2]
    assert header.startswith("Zeile;Aktenzeichen;Name oder Bezeichnung;§ 25a;")
    assert first.startswith("1;AZ-0000;Person 0;")
    assert "wahrscheinlich" in csv_text
    xlsx = client.get(f"{url}xlsx/", {"show": "now"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:3] == [1, "AZ-0000", "Person 0"]
    assert sheet.max_row == 2  # header + the one person likely now
    events = AuditEvent.objects.filter(
        event_type=EventType.SCREENING_LIST_EXPORTED, subject_code=screening_list.code
    ).order_by("id")
    assert [(e.extra["format"], e.extra["rows"]) for e in events] == [("csv", 3), ("xlsx", 1)]
    assert client.get(f"{url}pdf/").status_code == 404


def test_invitation_letter_is_a_docx_with_the_reference(login_as: Any) -> None:
    from docx import Document

    screening_list = screened_list(3)
    url = f"/screening/listen/{screening_list.code}/personen/1/einladung/"
    assert "reauthenticate" in login_as("abh").get(url)["Location"]
    response = reauthenticated("abh").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'einladung-{screening_list.code}-1.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Einladung zur Beratung über Ihre Aufenthaltsperspektive" in text
    assert "AZ-0000" in text and "Guten Tag Person 0," in text
    assert "keine Zusage" in text and ABH in text
    assert "§ 25b AufenthG" in text
    event = AuditEvent.objects.get(
        event_type=EventType.SCREENING_LETTER_CREATED, subject_code=screening_list.code
    )
    assert event.extra == {
        "list": screening_list.code,
        "row": 1,
        "language": "de",
        "format": "docx",
    }


def test_delete_needs_confirmation_and_removes_everything(login_as: Any) -> None:
    screening_list = screened_list(3)
    url = f"/screening/listen/{screening_list.code}/loeschen/"
    client = reauthenticated("abh")
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 200
    assert ScreeningList.objects.filter(pk=screening_list.pk).exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/screening/listen/"
    assert not ScreeningList.objects.filter(pk=screening_list.pk).exists()
    assert not ScreeningEntry.objects.filter(screening_list_id=screening_list.pk).exists()
    event = AuditEvent.objects.get(
        event_type=EventType.SCREENING_LIST_DELETED, subject_code=screening_list.code
    )
    assert event.extra["reason"] == "user" and event.extra["rows"] == 3


def test_purge_deletes_expired_lists_and_the_dry_run_prints_the_same(settings: Any) -> None:
    settings.KIM_SCREENING_RETENTION_DAYS = 10
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0), tick=False):
        old = make_list(2, title="Alt")
    with time_machine.travel(dt.datetime(2026, 1, 12, 9, 0), tick=False):
        new = make_list(2, title="Neu")
    today = dt.date(2026, 1, 16)  # old: delete after 15.01. → due; new: 22.01. → kept
    dry = purge_expired(today, True)
    assert (dry.counts, dry.applied) == ({"screening_list:delete": 1}, 0)
    assert ScreeningList.objects.filter(pk=old.pk).exists()
    assert not AuditEvent.objects.filter(event_type=EventType.SCREENING_LIST_DELETED).exists()
    real = purge_expired(today, False)
    assert (real.counts, real.applied) == ({"screening_list:delete": 1}, 1)
    assert dry.lines == real.lines
    assert real.lines == [f"screening_list delete {old.code} (delete after 2026-01-15, 2 persons)"]
    assert not ScreeningList.objects.filter(pk=old.pk).exists()
    assert ScreeningList.objects.filter(pk=new.pk).exists()
    event = AuditEvent.objects.get(event_type=EventType.SCREENING_LIST_DELETED)
    assert event.subject_code == old.code and event.extra["reason"] == "retention"


def test_retention_command_includes_screening_lists() -> None:
    with time_machine.travel(dt.datetime(2025, 1, 2, 9, 0), tick=False):
        old = make_list(1)
    out = io.StringIO()
    call_command("retention", "run", "--dry-run", "--date", "2026-01-01", stdout=out)
    dry = out.getvalue().splitlines()
    assert f"screening_list delete {old.code} (delete after 2025-04-02, 1 persons)" in dry
    assert "screening_list:delete 1" in dry[-1] and dry[-1].endswith("dry run, nothing changed.")
    assert ScreeningList.objects.filter(pk=old.pk).exists()
    out = io.StringIO()
    call_command("retention", "run", "--date", "2026-01-01", stdout=out)
    assert out.getvalue().splitlines()[:-1] == dry[:-1]
    assert not ScreeningList.objects.filter(pk=old.pk).exists()
