"""``kim retention run [--dry-run] [--date YYYY-MM-DD]``: apply the retention rules of case
management (``kim.cases.retention``) and delete expired screening lists
(``kim.screening.retention``). Prints one line per item and a summary; exits 0.

Scheduled daily (cron / systemd timer). A dry run prints exactly the plan of the real run and
writes nothing, not even an audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kim.cases.retention import run_retention
from kim.screening.retention import purge_expired


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Retention of case-management data. 'run' deletes or anonymises what is due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Apply the retention rules valid on the date.")
        run.add_argument("--dry-run", action="store_true", help="Print the plan, change nothing.")
        run.add_argument("--date", type=str, help="Pretend today is this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["date"]) if options.get("date") else timezone.localdate()
        dry_run = bool(options.get("dry_run"))
        result = run_retention(today, dry_run)
        for item in result.items:
            self.stdout.write(item.line())
        # Uploaded screening lists (issue 7): one line each, counted in the same summary.
        lists = purge_expired(today, dry_run, self.stdout)
        counts_by_key = dict(result.counts) | ({"screening_list:delete": lists} if lists else {})
        counts = ", ".join(f"{key} {n}" for key, n in counts_by_key.items()) or "nothing due"
        mode = "dry run, nothing changed" if dry_run else f"{result.applied + lists} applied"
        self.stdout.write(
            f"Retention {today.isoformat()}: {len(result.items) + lists} items ({counts}); {mode}."
        )
