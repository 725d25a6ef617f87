"""Background jobs (kim/core/jobs.py) with the immediate backend: progress, results, errors,
and the owner-only door. A real ``kim worker`` process is tested in test_worker.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kim.core.jobs import JobError, JobRun, job_task, start_job
from kim.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@job_task
def make_file(run: JobRun, text: str) -> None:
    run.progress(1, 2)
    run.attach(text.encode(), "bericht.txt", "text/plain")
    run.finish("Die Datei ist fertig.", url="/rat/")


@job_task
def refuse(run: JobRun) -> None:
    raise JobError("Für diesen Bericht fehlen die Zahlen.")


@job_task
def crash(run: JobRun) -> None:
    person = "Frau Muster, Az 123"  # as if read from a record
    raise RuntimeError(f"secret detail: {person}")


def _start(task: object, user: str, *args: str) -> Job:
    owner = get_user_model().objects.get(username=user)
    return start_job(task, kind="test", title="Testauftrag", owner=owner, args=args)  # type: ignore[arg-type]


def test_a_job_runs_reports_progress_and_stores_its_result_encrypted(
    login_as: Callable[[str], Client],
) -> None:
    job = _start(make_file, "koordination", "Inhalt 42")

    assert job.status == JobStatus.DONE
    assert (job.done, job.total) == (2, 2)
    assert job.message == "Die Datei ist fertig."
    assert job.task_id
    with job.result_file.open("rb") as handle:
        assert b"Inhalt 42" not in handle.read()  # encrypted at rest
    client = login_as("koordination")
    page = client.get(f"/auftraege/{job.code}/")
    assert page.status_code == 200
    assert "Die Datei ist fertig." in page.text
    assert f"/auftraege/{job.code}/datei/" in page.text
    download = client.get(f"/auftraege/{job.code}/datei/")
    assert download.content == b"Inhalt 42"
    assert download["Cache-Control"] == "private, no-store"
    assert "bericht.txt" in download["Content-Disposition"]


def test_only_the_owner_opens_a_job(login_as: Callable[[str], Client], stranger: Client) -> None:
    job = _start(make_file, "koordination", "Inhalt")
    for client in (login_as("siegen"), login_as("admin"), login_as("dsb"), stranger):
        assert client.get(f"/auftraege/{job.code}/").status_code == 404
        assert client.get(f"/auftraege/{job.code}/datei/").status_code == 404
        assert job.title not in client.get("/auftraege/").text
    assert Client().get(f"/auftraege/{job.code}/").status_code == 302  # to the login


def test_a_job_error_is_shown_as_given_and_other_errors_stay_internal(
    login_as: Callable[[str], Client],
) -> None:
    refused = _start(refuse, "koordination")
    crashed = _start(crash, "koordination")

    assert refused.status == crashed.status == JobStatus.FAILED
    assert refused.message == "Für diesen Bericht fehlen die Zahlen."
    assert "Muster" not in crashed.message
    page = login_as("koordination").get(f"/auftraege/{crashed.code}/").text
    assert "fehlgeschlagen" in page
    assert "Muster" not in page


def test_the_progress_fragment_polls_while_the_job_runs(
    login_as: Callable[[str], Client],
) -> None:
    owner = get_user_model().objects.get(username="koordination")
    job = Job.objects.create(kind="test", title="Läuft", owner=owner, total=10, done=4)
    job.status = JobStatus.RUNNING
    job.save()
    client = login_as("koordination")

    fragment = client.get(f"/auftraege/{job.code}/", headers={"HX-Request": "true"}).text
    assert 'hx-trigger="every 2s"' in fragment
    assert 'value="4"' in fragment
    assert "<html" not in fragment
    page = client.get(f"/auftraege/{job.code}/").text
    assert "<noscript>" in page  # a reload button without JavaScript

    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, done=10)
    done = client.get(f"/auftraege/{job.code}/", headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in done


def test_my_jobs_lists_only_my_jobs(login_as: Callable[[str], Client]) -> None:
    mine = _start(make_file, "koordination", "a")
    _start(make_file, "siegen", "b")
    page = login_as("koordination").get("/auftraege/").text
    assert f"/auftraege/{mine.code}/" in page
    assert page.count('href="/auftraege/') == 2  # the header's "My jobs" and mine
    assert "noch keine" in login_as("rat").get("/auftraege/").text


@pytest.mark.parametrize("persona", ["koordination", "cm-siegen", "rat", "dsb", "admin"])
def test_every_signed_in_user_finds_my_jobs_in_the_header(
    login_as: Callable[[str], Client], persona: str
) -> None:
    client = login_as(persona)
    assert 'href="/auftraege/"' in client.get("/").text
    assert client.get("/auftraege/").status_code == 200
    assert 'href="/auftraege/"' not in Client().get("/konto/login/").text


def test_one_active_job_per_kind_and_subject() -> None:
    owner = get_user_model().objects.get(username="koordination")
    waiting = Job.objects.create(kind="test", subject="abc", title="Wartet", owner=owner)
    again = start_job(make_file, kind="test", subject="abc", title="Noch einmal", owner=owner)
    assert again == waiting and Job.objects.filter(subject="abc").count() == 1
    other = start_job(
        make_file, kind="test", subject="xyz", title="Anderes", owner=owner, args=["x"]
    )
    assert other != waiting and other.status == JobStatus.DONE
    # Once the first has ended, the next one starts.
    Job.objects.filter(pk=waiting.pk).update(status=JobStatus.DONE)
    assert (
        start_job(make_file, kind="test", subject="abc", title="Neu", owner=owner, args=["y"])
        != waiting
    )
    assert Job.objects.filter(subject="abc").count() == 2


def test_the_owners_rights_are_loaded_afresh_and_vanish_with_the_account() -> None:
    from kim.accounts.access import ANONYMOUS

    owner = get_user_model().objects.get(username="abh")
    job = Job.objects.create(kind="test", title="Test", owner=owner)
    run = JobRun(job)
    assert run.owner_context().has_role("b3_officer")
    owner.is_active = False
    owner.save()
    assert run.owner_context() == ANONYMOUS
    job.owner = None  # the account was deleted (SET_NULL)
    assert JobRun(job).owner_context() == ANONYMOUS


def test_a_crash_is_logged_with_its_stack_but_without_its_message(caplog: Any) -> None:
    """Worker logs go to journald and log collectors: an exception's message may quote a
    person's data, so only its type and the stack (code lines, no values) are logged."""
    with caplog.at_level("ERROR", logger="kim.jobs"):
        crashed = _start(crash, "koordination")
    (entry,) = [r for r in caplog.records if r.name == "kim.jobs"]
    text = entry.getMessage()
    assert crashed.code in text and "RuntimeError" in text and "Muster" not in text
    assert 'raise RuntimeError(f"secret detail: {person}")' in text  # the code line, no value
    assert entry.exc_info is None
