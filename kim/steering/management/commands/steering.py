"""``kim steering propose``: run the topic proposal rule (D-084).

    kim steering propose [--kreis AGS] [--date YYYY-MM-DD]

For the Kreis with that AGS (default: every Kreis with barriers), on that day (default: today):
every category whose barriers of a quarter up to the day reach the threshold valid on the
quarter's first day becomes a proposed topic – once per category and quarter. Prints one line
per new proposal. Exit code 2 with a German message for an unknown Kreis or a wrong date.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone, translation

from kim.cases.models import Barrier
from kim.organisations.models import Organisation
from kim.steering.actions.topics import propose_topics


class InputError(Exception):
    """Invalid input: reported in German with exit code 2."""


class Command(BaseCommand):
    help = "Steering: propose topics from the barrier log."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        area = parser.add_subparsers(dest="area", required=True, metavar="{propose}")
        propose = area.add_parser("propose", help="propose topics where a threshold is reached")
        propose.add_argument("--kreis", help="AGS of the Kreis (default: every Kreis)")
        propose.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("de")
        try:
            day = self._day(options.get("date"))
            regions = self._regions(options.get("kreis"))
        except InputError as exc:
            self.stderr.write(f"Fehler: {exc}")
            sys.exit(2)
        total = 0
        for region in regions:
            for topic in propose_topics(acting_user=None, region=region, day=day):
                total += 1
                self.stdout.write(f"{region.ags}\t{topic.proposed_quarter}\t{topic.title}")
        self.stdout.write(f"{total} neue Vorschläge.")

    def _day(self, text: str | None) -> dt.date:
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(f"Ungültiges Datum {text!r}; erwartet JJJJ-MM-TT.") from None

    def _regions(self, ags: str | None) -> list[Organisation]:
        if ags:
            found = [o for o in Organisation.objects.filter(ags=ags) if o.is_region]
            if not found:
                raise InputError(f"Kein Kreis mit dem AGS {ags!r}.")
            return found
        ids = Barrier.objects.values_list("region_id", flat=True).distinct()
        return list(Organisation.objects.filter(pk__in=ids).order_by("ags"))
