"""``kim rotate_field_keys [--dry-run]``: re-encrypt every encrypted field with the newest key.

Put the new key first in KIM_FIELD_KEYS (keep the old ones after it), restart, run this, and
remove the old keys only after it reports nothing left to re-encrypt. A real run is an audit
event (``core.keys_rotated``, no actor); superusers can start the same from the web
(``/betrieb/schluessel/``, a background job).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kim.core.crypto import DecryptionError, rotate_field_keys
from kim.core.tasks import record_rotation, rotation_report


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field value that is not under the newest KIM_FIELD_KEYS key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be re-encrypted; write nothing.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        try:
            counts = rotate_field_keys(dry_run=dry_run, batch_size=options["batch_size"])
        except DecryptionError as exc:
            raise CommandError(str(exc)) from exc
        if not dry_run:
            record_rotation(None, counts)
        self.stdout.write(rotation_report(counts, dry_run=dry_run), ending="")
