"""The audit trail: hash-chained, append-only, verifiable from the command line."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kim.audit.models import AuditEvent, ChainHead, EventType
from kim.audit.record import record, verify_chain

# The whole audit chain is database behaviour: raw deletes, row locks, concurrent appends.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]


def test_events_are_linked_to_their_predecessor() -> None:
    first = record(EventType.AUDIT_VERIFIED, actor=None, subject_type="audit.chain")
    second = record(EventType.AUDIT_VERIFIED, actor=None, subject_type="audit.chain")
    assert second.prev_hash == first.hash
    assert second.hash == second.compute_hash()
    assert ChainHead.objects.get().last_hash == second.hash


def test_verify_command_passes_on_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "verify")
    assert "Audit chain intact" in capsys.readouterr().out


def test_tampering_with_a_stored_event_is_detected() -> None:
    target = AuditEvent.objects.order_by("id")[5]
    # Bypass the model's guard the way an attacker with database access would.
    AuditEvent.objects.filter(pk=target.pk).update(extra={"rows": 999})
    result = verify_chain()
    assert not result.ok and result.broken_event == target
    with pytest.raises(CommandError, match=rf"event #{target.pk} \(code {target.code}"):
        call_command("audit", "verify")


def test_deleting_an_event_breaks_the_chain() -> None:
    events = list(AuditEvent.objects.order_by("id")[3:5])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    result = verify_chain()
    assert not result.ok and result.broken_event == events[1]


def test_deleting_the_newest_event_is_detected_by_the_head() -> None:
    newest = AuditEvent.objects.order_by("-id").first()
    assert newest is not None
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [newest.pk])
    result = verify_chain()
    assert not result.ok and "missing at the end" in result.reason


def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_sensitive_values_are_refused_in_extra() -> None:
    with pytest.raises(ValueError, match="sensitive"):
        record(EventType.AUDIT_VERIFIED, actor=None, extra={"password": "x"})


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_chain_linear() -> None:
    """Several threads append at once; the chain must still verify (appends are serialised)."""
    from kim.home.demo import seed_demo

    seed_demo()  # transactional tests start from an empty database
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                record(EventType.AUDIT_VERIFIED, actor=None, subject_type="audit.chain")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify_chain()
    assert result.ok, result.reason
    assert AuditEvent.objects.filter(event_type=EventType.AUDIT_VERIFIED).count() == 20
