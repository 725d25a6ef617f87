"""``kim land-report verwendungsnachweis``: the Kreis' financial statement to the Land (D-085).

    kim land-report verwendungsnachweis --kreis AGS --year YYYY --format json|xlsx|pdf|docx
                                        [--out FILE]

Computes the zahlenmäßiger Nachweis of the Kreis with that AGS for the funding year from live
data (``kim.proofs.statement.land_statement``) and writes it as JSON (to standard output or
``--out``) or as XLSX, PDF or DOCX (``--out`` required). Money is written as strings with two
decimals. Exit code 2 with a German message for an unknown Kreis, a year without a grant, a
missing ``--out`` for a binary format or a file that cannot be written. The run is recorded in
the audit trail (``proofs.exported``): the statement holds payroll figures.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from kim.audit.models import EventType
from kim.audit.record import record
from kim.organisations.models import Organisation
from kim.proofs import render
from kim.proofs.models import Proof
from kim.proofs.statement import NoGrant, land_statement

FORMATS = ("json", "xlsx", "pdf", "docx")
BINARY = frozenset({"xlsx", "pdf", "docx"})


class InputError(Exception):
    """Invalid input: reported in German with exit code 2."""


class Command(BaseCommand):
    help = "Proof of use to the Land: the Verwendungsnachweis of a Kreis for a funding year."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        area = parser.add_subparsers(dest="area", required=True, metavar="{verwendungsnachweis}")
        report = area.add_parser(
            "verwendungsnachweis", help="the financial statement (zahlenmäßiger Nachweis)"
        )
        report.add_argument("--kreis", required=True, help="AGS of the Kreis")
        report.add_argument("--year", required=True, help="funding year, YYYY")
        report.add_argument("--format", default="json", help="json, xlsx, pdf or docx")
        report.add_argument("--out", help="file to write (required for xlsx, pdf and docx)")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("de")
        try:
            fmt, out = self._format(options["format"], options.get("out"))
            kreis = self._kreis(options["kreis"])
            year = self._year(options["year"])
            try:
                statement = land_statement(kreis, year)
            except NoGrant:
                raise InputError(
                    f"{kreis.name}: Für {year} gibt es keinen KIM-Zuwendungsbescheid; "
                    "ein Verwendungsnachweis ist nur für Jahre mit Zuwendung möglich."
                ) from None
            proof = Proof.objects.filter(organisation=kreis, year=year, agreement=None).first()
            status = proof.get_status_display() if proof else ""
            place = proof.place if proof else ""
            options_ = {} if fmt == "json" else {"status": str(status), "place": place}
            content = render.render(statement, fmt, **options_)
            if out is not None:
                try:
                    out.write_bytes(content)
                except OSError as exc:
                    raise InputError(
                        f"Die Datei {str(out)!r} lässt sich nicht schreiben: {exc.strerror}."
                    ) from None
        except InputError as exc:
            self.stderr.write(f"Fehler: {exc}")
            sys.exit(2)
        record(
            EventType.PROOF_EXPORTED,
            actor=None,
            subject=proof,
            organisation=kreis,
            extra={"year": year, "format": fmt, "via": "cli"},
        )
        if out is None:
            self.stdout.write(content.decode(), ending="")
        else:
            self.stderr.write(f"Verwendungsnachweis {year} geschrieben: {out}")

    def _format(self, fmt: str, out: str | None) -> tuple[str, Path | None]:
        if fmt not in FORMATS:
            raise InputError(f"Unbekanntes Format {fmt!r}; erlaubt sind json, xlsx, pdf und docx.")
        if fmt in BINARY and not out:
            raise InputError(
                f"Für das Format {fmt} ist --out DATEI nötig "
                "(Binärdaten gehören nicht in das Terminal)."
            )
        return fmt, Path(out) if out else None

    def _kreis(self, ags: str) -> Organisation:
        found = [o for o in Organisation.objects.filter(ags=ags.strip()) if o.is_region]
        if not found:
            raise InputError(f"Kein Kreis und keine kreisfreie Stadt mit dem AGS {ags!r}.")
        return found[0]

    def _year(self, text: str) -> int:
        if not (text.isdigit() and len(text) == 4):
            raise InputError(f"Ungültiges Jahr {text!r}; erwartet JJJJ, z. B. 2025.")
        return int(text)
