"""Large exports as background jobs (kim/core/exports.py ``table_export``, decisions D-065).

``tests/test_export_permissions.py`` checks every job-capable export × persona against its
page; here: the offer page, the filters carried into the job, the owner-only job, and the
task checking the owner's rights again when it runs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kim.accounts.actions import revoke_role
from kim.accounts.models import Membership
from kim.audit.models import AuditEvent, EventType
from kim.core import exports
from kim.core.models import Job, JobStatus
from kim.core.tests.deferred import deferred_jobs, run_queued

pytestmark = pytest.mark.django_db

TALKS = "/partner/gespraeche/export.csv"


def _exports() -> int:
    return AuditEvent.objects.filter(event_type=EventType.EXPORT_DOWNLOADED).count()


def _job(response: object) -> Job:
    location = response["Location"]  # type: ignore[index]
    assert location.startswith("/auftraege/")
    return Job.objects.get(code=location.split("/")[2])


def test_a_small_export_comes_at_once_and_a_large_one_is_offered_as_a_job(
    login_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login_as("koordination")
    small = client.get(TALKS)
    assert small["Content-Type"].startswith("text/csv")
    rows = small.content.decode("utf-8-sig").count("\r\n") - 1
    assert 0 < rows <= exports.LARGE_EXPORT_ROWS

    monkeypatch.setattr(exports, "LARGE_EXPORT_ROWS", rows - 1)
    before = _exports()
    offer = client.get(TALKS)
    assert offer["Content-Type"].startswith("text/html")
    assert f"Dieser Export umfasst {rows} Zeilen" in offer.text
    assert "Export vorbereiten" in offer.text
    assert _exports() == before and not Job.objects.filter(kind="core.export").exists()

    job = _job(client.post(TALKS))
    assert job.status == JobStatus.DONE
    assert job.title == "Export: Gespräche mit freien Trägern (CSV)"
    assert job.message == f"Der Export ist fertig: {rows} Zeilen."
    assert job.result_name.startswith("gespraeche-") and job.result_name.endswith(".csv")
    assert client.get(f"/auftraege/{job.code}/datei/").content == small.content
    assert _exports() == before + 1


def test_the_job_keeps_the_filters_of_the_list(
    login_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login_as("koordination")
    url = f"{TALKS}?outcome=agreement&q=e"
    filtered = client.get(url).content
    assert filtered != client.get(TALKS).content
    monkeypatch.setattr(exports, "LARGE_EXPORT_ROWS", -1)

    assert f'action="{TALKS}?outcome=agreement&amp;q=e"' in client.get(url).text
    job = _job(client.post(url))
    assert client.get(f"/auftraege/{job.code}/datei/").content == filtered
    event = AuditEvent.objects.filter(event_type=EventType.EXPORT_DOWNLOADED).latest("id")
    assert event.extra["filters"] == {"outcome": "agreement", "q": "e"}
    assert event.extra["format"] == "csv"
    assert event.subject_type == "partners.talks"


def test_only_the_owner_opens_the_export_job(
    login_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch, stranger: Client
) -> None:
    monkeypatch.setattr(exports, "LARGE_EXPORT_ROWS", -1)
    job = _job(login_as("koordination").post(TALKS))
    for client in (login_as("siegen"), login_as("dsb"), login_as("admin"), stranger):
        assert client.get(f"/auftraege/{job.code}/").status_code == 404
        assert client.get(f"/auftraege/{job.code}/datei/").status_code == 404


def test_the_job_checks_the_owners_rights_again_when_it_runs(
    login_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started with the role, run without it: the job fails in German, no file, no event."""
    monkeypatch.setattr(exports, "LARGE_EXPORT_ROWS", -1)
    client = login_as("koordination")
    with deferred_jobs():
        job = _job(client.post(TALKS))
        assert job.status == JobStatus.QUEUED
        for membership in Membership.objects.filter(user__username="koordination"):
            revoke_role(acting_user=None, membership=membership)
        before = _exports()
        assert run_queued() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "Ihre Rechte haben sich geändert, seit Sie diesen Auftrag gestartet haben: Sie dürfen "
        "das nicht mehr. Es wurde nichts erstellt."
    )
    assert not job.result_file
    assert _exports() == before
    assert "Ihre Rechte haben sich geändert" in client.get(f"/auftraege/{job.code}/").text


def test_a_deactivated_owner_gets_nothing(
    login_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "LARGE_EXPORT_ROWS", -1)
    with deferred_jobs():
        job = _job(login_as("koordination").post(TALKS))
        job.owner.is_active = False  # type: ignore[union-attr]
        job.owner.save(update_fields=["is_active"])  # type: ignore[union-attr]
        run_queued()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Das Konto, das diesen Auftrag gestartet hat, ist nicht mehr aktiv."
    assert not job.result_file


def test_a_refused_start_writes_nothing(
    login_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "LARGE_EXPORT_ROWS", -1)
    case_manager, dpo = login_as("cm-siegen"), login_as("dsb")
    before = AuditEvent.objects.count()
    assert case_manager.post(TALKS).status_code == 403
    assert dpo.post("/programm/stellen/export.xlsx").status_code == 403
    assert not Job.objects.exists()
    assert AuditEvent.objects.count() == before
