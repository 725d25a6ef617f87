"""``kim audit verify``: exit 0 if the hash chain is intact, 1 naming the first broken event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.audit.models import EventType
from kim.audit.record import record, verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks the hash chain of all events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        record(
            EventType.AUDIT_VERIFIED,
            actor=None,
            subject_type="audit.chain",
            extra={"ok": result.ok, "checked": result.checked, "via": "command"},
        )
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"Audit chain intact: {result.checked} events checked.")
            )
            return
        if result.broken_event is not None:
            e = result.broken_event
            raise CommandError(
                f"Audit chain broken at event #{e.pk} (code {e.code}, {e.event_type}, "
                f"{e.created_at.isoformat()}): {result.reason}. "
                f"{result.checked} events before it are intact."
            )
        raise CommandError(f"Audit chain broken: {result.reason} ({result.checked} events intact).")
