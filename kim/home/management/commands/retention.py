"""``kim retention run [--dry-run] [--date YYYY-MM-DD]``: run the retention step of every app
(``@retention_step`` in each ``home.py``: the case-management rules of ``kim.cases``, then the
expired screening lists of ``kim.screening``). Prints one line per item and a summary; exits 0.

Scheduled daily (cron / systemd timer). A dry run prints exactly the plan of the real run and
writes nothing, not even an audit event. The retention page (``/aufbewahrung/``) runs the same
``kim.home.retention.run_retention_steps`` as a background job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kim.home.retention import run_retention_steps


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Retention of personal data. 'run' deletes or anonymises what is due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Apply the retention rules valid on the date.")
        run.add_argument("--dry-run", action="store_true", help="Print the plan, change nothing.")
        run.add_argument("--date", type=str, help="Pretend today is this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["date"]) if options.get("date") else timezone.localdate()
        result = run_retention_steps(today, bool(options.get("dry_run")))
        self.stdout.write(result.text(), ending="")
