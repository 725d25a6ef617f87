"""``kim allocate``: distribute a Baustein's VZÄ over the towns of a Kreis (no data is changed).

Exit code 2 with a message for invalid input (unknown Kreis, missing key data for the date,
total not a multiple of the step, minimums exceeding the total, …).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from kim.programmes import allocation
from kim.programmes.apportionment import Method


class Command(BaseCommand):
    help = "Apportion VZÄ across the towns of a Kreis by a distribution key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kreis", required=True, help="AGS of the Kreis, e.g. 05970")
        parser.add_argument("--total", required=True, help="VZÄ to distribute, e.g. 14")
        parser.add_argument("--step", default="0.5", help="granularity in VZÄ (default 0.5)")
        parser.add_argument(
            "--key", default="population", choices=["population", "foreign", "refugees"]
        )
        parser.add_argument("--as-of", required=True, help="reference date of the key, YYYY-MM-DD")
        parser.add_argument(
            "--method", default="largest-remainder", choices=[m.value for m in Method]
        )
        parser.add_argument("--min", default="0", help="minimum VZÄ per town (default 0)")
        parser.add_argument("--format", default="table", choices=["table", "csv", "json"])

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("de")
        try:
            inputs = self._inputs(options)
            result, source, _claimants = allocation.run(inputs)
        except allocation.AllocationInputError as exc:
            self.stderr.write(f"Fehler: {exc}")
            sys.exit(2)
        rows = [
            {
                "ags": r.key,
                "name": r.name,
                "weight": str(r.weight),
                "quota": str(r.quota),
                "allocated": str(r.allocated),
            }
            for r in result.rows
        ]
        getattr(self, f"_write_{options['format']}")(rows, result, source)

    def _inputs(self, options: dict[str, Any]) -> allocation.Inputs:
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise allocation.AllocationInputError(
                f"--as-of ist kein Datum (JJJJ-MM-TT): {options['as_of']}"
            ) from exc
        return allocation.Inputs(
            region=allocation.find_region(options["kreis"]),
            total=allocation.parse_decimal(options["total"], "--total"),
            step=allocation.parse_decimal(options["step"], "--step"),
            minimum=allocation.parse_decimal(options["min"], "--min"),
            method=options["method"],
            key=options["key"],
            as_of=as_of,
        )

    def _write_json(self, rows: list[dict[str, str]], result: Any, source: str) -> None:
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))

    def _write_csv(self, rows: list[dict[str, str]], result: Any, source: str) -> None:
        writer = csv.DictWriter(
            self.stdout, fieldnames=["ags", "name", "weight", "quota", "allocated"]
        )
        writer.writeheader()
        writer.writerows(rows)

    def _write_table(self, rows: list[dict[str, str]], result: Any, source: str) -> None:
        self.stdout.write(f"{'AGS':<9} {'Kommune':<28} {'Gewicht':>10} {'Quote':>9} {'VZÄ':>6}")
        for r in rows:
            name = r["name"][:28]
            self.stdout.write(
                f"{r['ags']:<9} {name:<28} {r['weight']:>10} {r['quota']:>9} {r['allocated']:>6}"
            )
        self.stdout.write(f"{'':<9} {'Summe':<28} {'':>10} {'':>9} {result.total:>6}")
        self.stdout.write(f"Verfahren: {result.method}; Quelle des Schlüssels: {source}")
