"""Key rotation from the web (``/betrieb/schluessel/``, kim/core/tasks.py, decisions D-066):
superusers only, the dry run and the rotation as jobs with progress per model, re-encryption
that is a no-op for current values, and one audit event per rotation."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import Client, override_settings

from conftest import PERSONAS as ALL_PERSONAS
from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Person
from kim.core.crypto import field_keys, generate_key, is_current, rotation_models
from kim.core.jobs import result_bytes
from kim.core.models import Job, JobStatus
from kim.core.tests.deferred import deferred_jobs, run_queued
from tests.support import events_besides_system_access
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db

# The demo cast (root conftest), less personas the matrix does not need.
PERSONAS = [p for p in ALL_PERSONAS if p not in {"cm-kreuztal", "admin"}]


@pytest.fixture
def new_key() -> Iterator[str]:
    """A new key in front of the configured ones, as the runbook says."""
    key = generate_key()
    with override_settings(KIM_FIELD_KEYS=[key, *field_keys()]):
        yield key


def _job(response: object) -> Job:
    location = response["Location"]  # type: ignore[index]
    assert location.startswith("/auftraege/"), location
    return Job.objects.get(code=location.split("/")[2])


def _names_current() -> list[bool]:
    tokens = Person.objects.annotate(raw=Cast("first_name", TextField())).values_list(
        "raw", flat=True
    )
    return [is_current(t) for t in tokens if t is not None]


@pytest.mark.parametrize("persona", [*PERSONAS, "stranger", "admin without the flag"])
def test_everybody_but_superusers_gets_403(
    request: pytest.FixtureRequest, login_as: Callable[[str], Client], persona: str
) -> None:
    if persona == "stranger":
        client = request.getfixturevalue("stranger")
    elif persona == "admin without the flag":
        User.objects.filter(username="admin").update(is_superuser=False)
        client = login_as("admin")  # the administrator role alone is not enough
    else:
        client = login_as(persona)
    assert client.get("/betrieb/schluessel/").status_code == 403
    assert client.post("/betrieb/schluessel/probelauf/").status_code == 403
    assert client.post("/betrieb/schluessel/rotieren/").status_code == 403
    assert not Job.objects.exists()
    assert 'href="/betrieb/schluessel/"' not in client.get("/").text


def test_the_superuser_sees_the_page_from_the_start_page(login_as: Callable[[str], Client]) -> None:
    client = login_as("admin")
    assert 'href="/betrieb/schluessel/"' in client.get("/").text
    page = client.get("/betrieb/schluessel/").text
    assert "<code>cases.Person</code>" in page
    assert 'action="/betrieb/schluessel/probelauf/"' in page
    assert 'action="/betrieb/schluessel/rotieren/"' in page
    assert field_keys()[0] not in page  # never a key
    assert Client().get("/betrieb/schluessel/")["Location"].startswith("/konto/login/")


def test_the_dry_run_counts_per_model_and_writes_nothing(
    login_as: Callable[[str], Client], new_key: str
) -> None:
    client = login_as("admin")
    events = events_besides_system_access()
    job = _job(client.post("/betrieb/schluessel/probelauf/"))
    assert job.status == JobStatus.DONE, job.message
    assert (job.done, job.total) == (len(rotation_models()),) * 2  # progress per model
    assert job.message.startswith("Probelauf: ")
    assert "cases.Person " in job.message and job.message.endswith("Es wurde nichts geschrieben.")
    report = result_bytes(job).decode()
    assert "cases.Person: " in report and "(dry run, nothing written)" in report
    assert not any(_names_current())
    assert events_besides_system_access() == events


def test_the_rotation_re_encrypts_is_audited_and_a_second_run_changes_nothing(
    new_key: str,
) -> None:
    client = _reauthenticated("admin")
    assert not any(_names_current())

    job = _job(client.post("/betrieb/schluessel/rotieren/"))
    assert job.status == JobStatus.DONE, job.message
    assert all(_names_current())
    event = AuditEvent.objects.filter(event_type=EventType.KEYS_ROTATED).get()
    assert event.actor_username == "admin"
    assert event.extra["rotated"] > 0 and event.extra["models"]["cases.Person"] > 0
    assert event.extra["keys"] == len(field_keys())
    assert new_key not in str(event.extra)

    again = _job(client.post("/betrieb/schluessel/rotieren/"))
    assert again.message.startswith("0 von ")  # current values are left alone
    assert AuditEvent.objects.filter(event_type=EventType.KEYS_ROTATED).count() == 2
    with override_settings(KIM_FIELD_KEYS=[new_key]):  # the old key could go now
        assert Person.objects.order_by("id").first() is not None
        assert all(p.first_name is not None for p in Person.objects.all())


def test_the_rotation_asks_for_the_password_first(login_as: Callable[[str], Client]) -> None:
    response = login_as("admin").post("/betrieb/schluessel/rotieren/")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not Job.objects.exists()


def test_the_job_checks_the_superuser_flag_again(new_key: str) -> None:
    client = _reauthenticated("admin")
    with deferred_jobs():
        job = _job(client.post("/betrieb/schluessel/rotieren/"))
        User.objects.filter(username="admin").update(is_superuser=False)
        assert run_queued() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Ihre Rechte haben sich geändert")
    assert not any(_names_current())
    assert not AuditEvent.objects.filter(event_type=EventType.KEYS_ROTATED).exists()
