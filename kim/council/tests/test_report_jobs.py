"""Long reports' PDFs as background jobs (kim/council/tasks.py, decisions D-065).

The demo report (13 table rows) stays an immediate download. ``PDF_JOB_ROWS`` is lowered
here to make it "long": the PDF button then posts, starts a job through the download's own
door, and the job's file is byte for byte the immediate download (a released version from its
snapshot, D-037). Report downloads are not audited, and neither are the jobs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kim.accounts.actions import revoke_role
from kim.accounts.models import Membership
from kim.audit.models import AuditEvent
from kim.core.models import Job, JobStatus
from kim.core.tests.deferred import deferred_jobs, run_queued
from kim.council import tasks
from kim.council.demo import DEMO_REPORT_REFERENCE
from kim.council.models import Report
from kim.council.report import compose

pytestmark = pytest.mark.django_db


@pytest.fixture
def report() -> Report:
    return Report.objects.get(reference=DEMO_REPORT_REFERENCE)


@pytest.fixture
def long_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "PDF_JOB_ROWS", 0)


def _job(response: object) -> Job:
    location = response["Location"]  # type: ignore[index]
    assert location.startswith("/auftraege/"), location
    return Job.objects.get(code=location.split("/")[2])


def test_the_rule_counts_the_rows_of_every_table(report: Report) -> None:
    document = compose(report)
    assert 0 < document.table_rows <= tasks.PDF_JOB_ROWS  # the demo: at once
    assert not tasks.pdf_in_background(document)
    rows = sum(len(b.table.rows) for s in document.sections for b in s.blocks if b.table)
    assert document.table_rows == rows


def test_a_short_report_downloads_at_once(
    login_as: Callable[[str], Client], report: Report
) -> None:
    client = login_as("koordination")
    page = client.get(f"/rat/berichte/{report.code}/").text
    assert f'href="/rat/berichte/{report.code}/entwurf.pdf"' in page
    assert client.get(f"/rat/berichte/{report.code}/entwurf.pdf").content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("koordination", "/rat/berichte/{code}/entwurf.pdf"),
        ("rat", "/rat/berichte/{code}/versionen/1.pdf"),
    ],
)
def test_a_long_reports_pdf_is_a_job_with_the_immediate_file(
    login_as: Callable[[str], Client],
    monkeypatch: pytest.MonkeyPatch,
    report: Report,
    persona: str,
    url: str,
) -> None:
    client = login_as(persona)
    url = url.format(code=report.code)
    page_url = url.removesuffix("entwurf.pdf").removesuffix(".pdf").rstrip("/") + "/"
    immediate = client.get(url).content
    assert immediate.startswith(b"%PDF")
    monkeypatch.setattr(tasks, "PDF_JOB_ROWS", 0)
    events = AuditEvent.objects.count()

    page = client.get(page_url).text
    assert f'<form method="post" action="{url}"' in page
    assert "PDF im Hintergrund vorbereiten" in page
    offer = client.get(url)
    assert offer["Content-Type"].startswith("text/html")
    assert "PDF vorbereiten" in offer.text
    assert f'href="{page_url}"' in offer.text
    assert not Job.objects.exists()

    job = _job(client.post(url))
    assert job.status == JobStatus.DONE, job.message
    assert job.kind == "council.report_pdf"
    assert job.title.startswith("Bericht 196/2022 als PDF")
    assert job.message == "Das PDF des Berichts ist fertig."
    download = client.get(f"/auftraege/{job.code}/datei/")
    assert download.content == immediate
    assert download["Content-Type"] == "application/pdf"
    assert "Vorlage-196-2022-" in download["Content-Disposition"]
    assert AuditEvent.objects.count() == events  # report downloads are not audited


@pytest.mark.parametrize("persona", ["rat", "cm-siegen", "traeger", "dsb", "stranger"])
def test_only_who_may_download_starts_the_draft_job(
    request: pytest.FixtureRequest,
    login_as: Callable[[str], Client],
    long_reports: None,
    report: Report,
    persona: str,
) -> None:
    client = request.getfixturevalue("stranger") if persona == "stranger" else login_as(persona)
    assert client.get(f"/rat/berichte/{report.code}/entwurf.pdf").status_code == 404
    assert client.post(f"/rat/berichte/{report.code}/entwurf.pdf").status_code == 404
    assert client.post(f"/rat/berichte/{report.code}/versionen/1.pdf").status_code == (
        302 if persona == "rat" else 404
    )
    assert Job.objects.filter(kind="council.report_pdf").count() == (persona == "rat")


def test_only_the_pdf_is_prepared_in_the_background(
    login_as: Callable[[str], Client], long_reports: None, report: Report
) -> None:
    client = login_as("koordination")
    assert client.post(f"/rat/berichte/{report.code}/entwurf.docx").status_code == 405
    assert client.get(f"/rat/berichte/{report.code}/entwurf.docx").content.startswith(b"PK")
    assert not Job.objects.exists()


def test_nobody_else_opens_the_job(
    login_as: Callable[[str], Client], long_reports: None, report: Report, stranger: Client
) -> None:
    job = _job(login_as("rat").post(f"/rat/berichte/{report.code}/versionen/1.pdf"))
    for client in (login_as("koordination"), login_as("siegen"), login_as("admin"), stranger):
        assert client.get(f"/auftraege/{job.code}/").status_code == 404
        assert client.get(f"/auftraege/{job.code}/datei/").status_code == 404


def test_the_job_checks_the_owners_rights_again(
    login_as: Callable[[str], Client], long_reports: None, report: Report
) -> None:
    """The council member lost the seat between the click and the run: no PDF."""
    client = login_as("rat")
    with deferred_jobs():
        job = _job(client.post(f"/rat/berichte/{report.code}/versionen/1.pdf"))
        assert job.status == JobStatus.QUEUED
        for membership in Membership.objects.filter(user__username="rat"):
            revoke_role(acting_user=None, membership=membership)
        assert run_queued() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Ihre Rechte haben sich geändert")
    assert not job.result_file
