"""``kim report motion``: the administration's report on a council motion as a file.

    kim report motion REFERENCE --format docx|pdf|html --out FILE [--as-of YYYY-MM-DD]
                                [--draft] [--body AGS]
    kim report motion --list [--format table|json] [--body AGS]

Which version is written: with ``--as-of`` the figures are computed live for that day (a
draft); with ``--draft`` the current draft for its own reference date; otherwise the latest
released version, exactly as released – or, if none was released yet, the current draft. A
motion nobody has drafted an answer to yet gets a draft with an empty narrative.

Exit code 2 with a German message for an unknown reference, a reference used by several
bodies (narrow it with ``--body``), a wrong format or date, or a missing ``--out``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone, translation

from kim.council.models import MOTION_TYPES, Paper, Report
from kim.council.render import render
from kim.council.report import compose, default_report, frozen

DOCUMENT_FORMATS = ("docx", "pdf", "html")
LIST_FORMATS = ("table", "json")


class ReportInputError(Exception):
    """Invalid input: reported in German with exit code 2."""


class Command(BaseCommand):
    help = "Write the administration's report on a council motion as DOCX, PDF or HTML."
    # No system checks: they import every URL conf and view (≈ 1 s of a cold start); ``kim
    # check`` and the deployment run them (decisions D-080).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{motion}")
        motion = kinds.add_parser("motion", help="a report answering a motion (Antrag/Anfrage)")
        motion.add_argument("reference", nargs="?", help="the motion's reference, e.g. 184/2022")
        motion.add_argument("--list", action="store_true", help="list the motions instead")
        motion.add_argument(
            "--format",
            help="docx, pdf or html for a report; table (default) or json with --list",
        )
        motion.add_argument("--out", help="file to write the report to")
        motion.add_argument("--as-of", help="compute the figures for this day, YYYY-MM-DD")
        motion.add_argument("--draft", action="store_true", help="the current draft")
        motion.add_argument("--body", help="AGS of the body, if the reference is ambiguous")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("de")
        try:
            if options["list"]:
                self._list(options)
            else:
                self._write(options)
        except ReportInputError as exc:
            self.stderr.write(f"Fehler: {exc}")
            sys.exit(2)

    # --- listing ------------------------------------------------------------------------------

    def _motions(self, options: dict[str, Any]) -> Any:
        qs = Paper.objects.filter(paper_type__in=MOTION_TYPES).select_related("body")
        if options.get("body"):
            qs = qs.filter(body__organisation__ags=options["body"])
        return qs.order_by("-date", "reference")

    def _list(self, options: dict[str, Any]) -> None:
        fmt = options.get("format") or "table"
        if fmt not in LIST_FORMATS:
            raise ReportInputError(f"--format für --list ist table oder json, nicht {fmt!r}.")
        rows = [
            {
                "reference": m.reference,
                "date": m.date.isoformat(),
                "title": m.name,
                "status": m.status,
                "body": m.body.name,
            }
            for m in self._motions(options)
        ]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{'Nummer':<14} {'Datum':<10} {'Status':<12} Betreff")
        for r in rows:
            day = dt.date.fromisoformat(r["date"]).strftime("%d.%m.%Y")
            self.stdout.write(f"{r['reference']:<14} {day:<10} {r['status']:<12} {r['title']}")

    # --- one report ---------------------------------------------------------------------------

    def _write(self, options: dict[str, Any]) -> None:
        reference, fmt, out = options.get("reference"), options.get("format"), options.get("out")
        if not reference:
            raise ReportInputError("Bitte die Nummer des Antrags angeben (oder --list).")
        if fmt not in DOCUMENT_FORMATS:
            raise ReportInputError(f"--format ist docx, pdf oder html, nicht {fmt!r}.")
        if not out:
            raise ReportInputError("Bitte mit --out die Zieldatei angeben.")
        as_of = self._as_of(options.get("as_of"))
        motion = self._motion(reference, options)
        report = Report.objects.filter(motion=motion).first()
        if as_of is not None or options["draft"] or report is None:
            day = as_of or (report.as_of if report else timezone.localdate())
            document = compose(report or default_report(motion, day), as_of=day)
            kind = "Entwurf"
        else:
            release = report.releases.first()  # newest first
            if release is None:
                document, kind = compose(report), "Entwurf"
            else:
                document, kind = frozen(release), f"Version {release.number}"
        data, _content_type, _extension = render(document, fmt)
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise ReportInputError(f"{out} kann nicht geschrieben werden: {exc.strerror}.") from exc
        size = f"{len(data):,}".replace(",", ".")
        self.stdout.write(
            f"{out}: {motion.body.name}, Antrag {motion.reference}, {kind}, "
            f"Stichtag {document.as_of} ({size} Bytes)"
        )

    @staticmethod
    def _as_of(value: str | None) -> dt.date | None:
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ReportInputError(f"--as-of ist kein Datum (JJJJ-MM-TT): {value}") from exc
        if day > timezone.localdate():
            raise ReportInputError(f"--as-of liegt in der Zukunft: {value}")
        return day

    def _motion(self, reference: str, options: dict[str, Any]) -> Paper:
        found = list(self._motions(options).filter(reference=reference)[:2])
        if not found:
            raise ReportInputError(
                f"Kein Antrag und keine Anfrage mit der Nummer {reference!r} gefunden "
                "(kim report motion --list zeigt alle)."
            )
        if len(found) > 1:
            raise ReportInputError(
                f"Die Nummer {reference!r} gibt es in mehreren Körperschaften; "
                "bitte mit --body AGS eingrenzen."
            )
        return found[0]
