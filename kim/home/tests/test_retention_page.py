"""Retention from the web (kim/home/views.py, kim/home/tasks.py, decisions D-066): the page
for the data-protection officer and administrators, the plan (a dry run) as a job, and the run
itself as a job for administrators, after the password again – the same steps, lines and audit
events as ``kim retention run``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import PERSONAS as ALL_PERSONAS
from kim.accounts.actions import revoke_role
from kim.accounts.models import Membership
from kim.audit.models import AuditEvent, EventType
from kim.core.jobs import result_bytes
from kim.core.models import Job, JobStatus
from kim.core.shell import retention_due
from kim.core.tests.deferred import deferred_jobs, run_queued
from tests.support import events_besides_system_access
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db

# The demo cast (root conftest), less personas the matrix does not need.
PERSONAS = [p for p in ALL_PERSONAS if p not in {"cm-kreuztal"}]
READERS = {"dsb", "admin"}
LATER = dt.timedelta(days=365 * 15)  # the demo's closed cases and lists are due by then


@pytest.fixture
def later() -> Iterator[dt.date]:
    """Fifteen years on: every rule of the demo world has something to do."""
    with time_machine.travel(timezone.now() + LATER, tick=False):
        yield timezone.localdate()


def _job(response: object) -> Job:
    location = response["Location"]  # type: ignore[index]
    assert location.startswith("/auftraege/"), location
    return Job.objects.get(code=location.split("/")[2])


@pytest.mark.parametrize("persona", [*PERSONAS, "stranger"])
def test_who_opens_the_page_and_starts_what(
    request: pytest.FixtureRequest, login_as: Callable[[str], Client], persona: str
) -> None:
    """The DPO and administrators read the page and plan; only administrators run. Everyone
    else gets 403 for every URL (the page exists on every installation) and no job starts."""
    client = request.getfixturevalue("stranger") if persona == "stranger" else login_as(persona)
    page = client.get("/aufbewahrung/")
    assert page.status_code == (200 if persona in READERS else 403)
    plan = client.post("/aufbewahrung/plan/")
    assert plan.status_code == (302 if persona in READERS else 403)
    run = client.post("/aufbewahrung/ausfuehren/")
    if persona == "admin":
        assert run.status_code == 302 and "reauthenticate" in run["Location"]
    else:
        assert run.status_code == 403
    assert Job.objects.filter(kind="home.retention_run").count() == 0
    assert Job.objects.filter(kind="home.retention_plan").count() == (persona in READERS)
    if persona == "dsb":
        assert 'action="/aufbewahrung/ausfuehren/"' not in page.text
        assert "Ein Administrator startet" in page.text
    if persona == "admin":
        assert 'action="/aufbewahrung/ausfuehren/"' in page.text


def test_the_page_needs_a_login() -> None:
    assert Client().get("/aufbewahrung/")["Location"].startswith("/konto/login/")


def test_the_page_counts_what_is_due(login_as: Callable[[str], Client], later: dt.date) -> None:
    due = retention_due(later)
    assert due
    client = login_as("dsb")
    events = events_besides_system_access()
    page = client.get("/aufbewahrung/").text
    for key, n in due.items():
        assert f"<code>{key}</code>" in page
        assert f'<td class="kern-table__cell kim-num">{n}</td>' in page
    assert events_besides_system_access() == events  # reading writes nothing else


def test_the_plan_is_the_dry_run_and_changes_nothing(
    login_as: Callable[[str], Client], later: dt.date
) -> None:
    out = io.StringIO()
    call_command("retention", "run", "--dry-run", stdout=out)
    client = login_as("dsb")
    events = events_besides_system_access()

    job = _job(client.post("/aufbewahrung/plan/"))
    assert job.status == JobStatus.DONE, job.message
    assert job.title == "Löschplan (Probelauf)"
    lines = out.getvalue().splitlines()
    assert job.message.startswith(f"Löschplan für {later:%d.%m.%Y}: {len(lines) - 1} Einträge (")
    assert job.message.endswith("Es wurde nichts geändert.")
    assert result_bytes(job).decode() == out.getvalue()
    assert job.result_name == f"aufbewahrung-{later.isoformat()}-plan.txt"
    assert events_besides_system_access() == events
    assert retention_due(later)  # still due


def test_an_administrator_runs_retention_with_the_clis_audit_events(later: dt.date) -> None:
    due = retention_due(later)
    client = _reauthenticated("admin")
    events = events_besides_system_access()
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    job = _job(client.post("/aufbewahrung/ausfuehren/"))
    assert job.status == JobStatus.DONE, job.message
    applied = sum(due.values())
    assert job.message.endswith(f"{applied} ausgeführt.")
    assert retention_due(later) == {}
    run = AuditEvent.objects.filter(event_type=EventType.RETENTION_RUN).get()
    assert run.actor_username == "admin"  # from the web: who started it
    cases = {key: n for key, n in due.items() if not key.startswith("screening_list")}
    assert run.extra["counts"] == cases  # the cases step's event, as the command writes it
    assert run.extra["applied"] == sum(cases.values())
    text = result_bytes(job).decode()
    assert text.endswith(f"{applied} applied.\n")
    item_events = AuditEvent.objects.filter(
        event_type__in=[
            EventType.RETENTION_DELETED,
            EventType.RETENTION_ANONYMISED,
            EventType.SCREENING_LIST_DELETED,
        ],
        id__gt=last,
    ).count()
    assert item_events > 0
    assert events_besides_system_access() == events + 1 + item_events
    # No names in the report: only codes, dates and rules.
    assert "Muster" not in text and "@" not in text


def test_after_the_password_the_suspended_post_starts_the_run(later: dt.date) -> None:
    client = Client()
    client.post("/konto/login/", {"login": "admin", "password": "demo"})
    prompt = client.post("/aufbewahrung/ausfuehren/")
    assert prompt.status_code == 302 and "reauthenticate" in prompt["Location"]
    assert not Job.objects.exists()
    resumed = client.post(prompt["Location"], {"password": "demo"})
    assert _job(resumed).kind == "home.retention_run"


def test_the_run_checks_the_starters_rights_again(later: dt.date) -> None:
    """Administrator role revoked between the click and the run: nothing is deleted."""
    client = _reauthenticated("admin")
    due = retention_due(later)
    with deferred_jobs():
        job = _job(client.post("/aufbewahrung/ausfuehren/"))
        for membership in Membership.objects.filter(user__username="admin"):
            revoke_role(acting_user=None, membership=membership)
        job.owner.is_superuser = False  # type: ignore[union-attr]
        job.owner.save(update_fields=["is_superuser"])  # type: ignore[union-attr]
        assert run_queued() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Ihre Rechte haben sich geändert")
    assert retention_due(later) == due
    assert not AuditEvent.objects.filter(event_type=EventType.RETENTION_RUN).exists()


def test_the_dpo_card_links_the_page(login_as: Callable[[str], Client]) -> None:
    assert 'href="/aufbewahrung/"' in login_as("dsb").get("/").text
    assert 'href="/aufbewahrung/"' not in login_as("koordination").get("/").text
