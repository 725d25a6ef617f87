"""Writing and verifying the audit trail.

``record`` is called by action functions inside their transaction, so an action and its event
are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from kim.audit.models import GENESIS_HASH, AuditEvent, ChainHead
from kim.core.models import Actor, actor_user

# Keys that must never appear in ``extra``: the trail names fields, not their values.
FORBIDDEN_EXTRA_KEYS = frozenset({"password", "name", "first_name", "last_name", "birth_date"})


def record(
    event_type: str,
    *,
    actor: Actor,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_code: str = "",
    organisation: Any = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    1. Lock the chain head (``SELECT … FOR UPDATE``; on SQLite the IMMEDIATE transaction
       already serialises writers) so concurrent appends cannot fork the chain.
    2. Build the event with ``prev_hash`` = the head's hash and compute its own hash.
    3. Store the event and move the head, in the caller's transaction.
    """
    extra = dict(extra or {})
    bad = FORBIDDEN_EXTRA_KEYS & set(extra)
    if bad:
        raise ValueError(f"Audit extra must not carry sensitive values: {sorted(bad)}")
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_code = subject_code or str(getattr(subject, "code", subject.pk))
    # No savepoint: inside the caller's transaction a failure here aborts the whole action
    # anyway, and the SAVEPOINT/RELEASE pair cost two statements per audited request.
    with transaction.atomic(savepoint=False):
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        user = actor_user(actor)
        event = AuditEvent(
            created_at=timezone.now(),
            actor=user,
            actor_username=user.get_username() if user is not None else "",
            organisation=organisation,
            event_type=event_type,
            subject_type=subject_type,
            subject_code=subject_code,
            extra=extra,
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        ChainHead.objects.filter(id=1).update(last_hash=event.hash, count=head.count + 1)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_event: AuditEvent | None = None
    reason: str = ""


def _events_in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def verify_chain() -> VerifyResult:
    """Walk the chain from the first event; report the first event whose link or hash is wrong."""
    prev = GENESIS_HASH
    checked = 0
    for event in _events_in_order():
        if event.prev_hash != prev:
            return VerifyResult(False, checked, event, "prev_hash does not match previous event")
        if event.compute_hash() != event.hash:
            return VerifyResult(False, checked, event, "content does not match its hash")
        prev = event.hash
        checked += 1
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return VerifyResult(False, checked, None, "events are missing at the end of the chain")
    return VerifyResult(True, checked)
