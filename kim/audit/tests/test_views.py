"""The data-protection officer's view of the audit trail."""

from __future__ import annotations

import pytest

from kim.audit.models import AuditEvent, EventType
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "teamlead-siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
]
READERS = {"dsb", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_list_matrix(login_as, persona: str) -> None:
    expected = 200 if persona in READERS else 403
    assert login_as(persona).get("/audit/").status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_event_detail_is_404_for_non_readers(login_as, persona: str) -> None:
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    expected = 200 if persona in READERS else 404
    assert login_as(persona).get(f"/audit/{event.code}/").status_code == expected


def test_stranger_cannot_read_the_audit_trail(stranger) -> None:
    event = AuditEvent.objects.order_by("id").first()
    assert stranger.get("/audit/").status_code == 403
    assert stranger.get(f"/audit/{event.code}/").status_code == 404


@pytest.mark.sqlite_too
def test_filter_by_event_type_and_user(login_as) -> None:
    client = login_as("dsb")
    body = client.get("/audit/", {"event_type": EventType.ROLE_GRANTED}).content.decode()
    # The demo's role grants: one per persona role, plus the statistics' demo case managers.
    granted = AuditEvent.objects.filter(event_type=EventType.ROLE_GRANTED).count()
    assert granted == 13
    assert f"{granted} Ereignisse" in body or f"{granted} events" in body
    body = client.get(
        "/audit/", {"event_type": EventType.ROLE_GRANTED, "actor": "nobody"}
    ).content.decode()
    assert "No events match" in body or "Keine Ereignisse" in body


def test_invalid_filter_shows_error_next_to_field(login_as) -> None:
    response = login_as("dsb").get("/audit/", {"date_from": "31.12.2025", "date_to": "01.01.2025"})
    assert response.status_code == 200
    assert 'id="id_date_to_error"' in response.content.decode()


def test_list_query_count_is_constant(login_as, django_assert_max_num_queries) -> None:
    client = login_as("dsb")
    with django_assert_max_num_queries(8):
        client.get("/audit/")


def test_csv_export_requires_recent_login_and_is_audited(login_as) -> None:
    # A session without a recent password entry is sent to re-authenticate first.
    response = login_as("dsb").get("/audit/export.csv")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    client = _reauthenticated("dsb")
    before = AuditEvent.objects.filter(event_type=EventType.AUDIT_EXPORTED).count()
    response = client.get("/audit/export.csv", {"event_type": EventType.ROLE_GRANTED})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0].startswith("time;event_type;actor")
    assert len(lines) == 1 + AuditEvent.objects.filter(event_type=EventType.ROLE_GRANTED).count()
    exported = AuditEvent.objects.filter(event_type=EventType.AUDIT_EXPORTED)
    assert exported.count() == before + 1
    assert exported.order_by("-id").first().actor_username == "dsb"


def test_csv_export_is_refused_for_other_roles() -> None:
    client = _reauthenticated("koordination")
    assert client.get("/audit/export.csv").status_code == 403


def test_chain_check_page(login_as) -> None:
    client = login_as("dsb")
    response = client.post("/audit/pruefen/")
    assert response.status_code == 200
    assert AuditEvent.objects.order_by("-id").first().event_type == EventType.AUDIT_VERIFIED
    assert "kern-alert--success" in response.content.decode()
