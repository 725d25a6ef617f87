"""``kim stats cases --kreis AGS --from YYYY-MM-DD --to YYYY-MM-DD --measure M --by DIM[,DIM]
--format json|csv``: case statistics of a whole Kreis with disclosure control (D-082).

Bad input → a German message on stderr, exit code 2, nothing on stdout. The counting runs
inside ``system_access`` and is recorded (``core.rls_bypassed``, reason "case statistics").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kim.cases.statistics.measures import StatisticsError
from kim.cases.statistics.queries import case_table, kreis_scope
from kim.cases.statistics.render import json_csv_rows

EXIT_INPUT = 2
FORMATS = ("json", "csv")


def parse_day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise StatisticsError(
            _("%(name)s: “%(text)s” is not a date of the form YYYY-MM-DD.")
            % {"name": name, "text": text}
        ) from None


def parse_by(text: str) -> tuple[str, ...]:
    return tuple(d.strip() for d in (text or "").split(",") if d.strip())


class Command(BaseCommand):
    help = "Statistics. 'cases' prints case statistics of a Kreis with small counts suppressed."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        cases = sub.add_parser("cases", help="Case statistics of a Kreis.")
        cases.add_argument("--kreis", required=True, help="AGS of the Kreis, e.g. 05970")
        cases.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        cases.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        cases.add_argument("--measure", required=True)
        cases.add_argument("--by", default="", help="DIM or DIM,DIM")
        cases.add_argument("--format", default="json", help="json or csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["format"] not in FORMATS:
                raise StatisticsError(
                    _("Unknown format “%(f)s”: json or csv.") % {"f": options["format"]}
                )
            start = parse_day(options["start"], "--from")
            end = parse_day(options["end"], "--to")
            scope = kreis_scope(options["kreis"])
            table = case_table(
                scope, options["measure"], parse_by(options["by"]), start, end, actor=None
            )
        except StatisticsError as error:
            self.stderr.write(f"stats cases: {error}")
            sys.exit(EXIT_INPUT)
        if options["format"] == "json":
            self.stdout.write(json.dumps(table.as_json(), ensure_ascii=False, indent=2))
            return
        header, rows = json_csv_rows(table)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        self.stdout.write(buffer.getvalue(), ending="")
