"""``kim screening check --input FILE.json [--date YYYY-MM-DD] [--format json|table]``.

Reads ``{"decision_date": ..., "persons": [...]}`` (issue 7 § 4), evaluates every person
against the rule versions in the database and prints the results. Malformed input, an
unreadable file or a bad ``--date`` → a message on stderr, exit code 2 and nothing on stdout
(the whole document is validated before anything is printed). Each run writes one audit event
with the number of persons, the decision date and the format – never a reference.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.uploads import UnreadableUpload, check_json_depth
from kim.screening.engine import evaluate_many
from kim.screening.facts import PersonFacts
from kim.screening.input import InputError, parse_date, parse_document
from kim.screening.results import RuleResult
from kim.screening.rulebook import database_versions

EXIT_INPUT = 2


class Command(BaseCommand):
    help = "Screening tools. 'check' screens the persons of a JSON file against all rules."
    # No system checks: they import every URL conf and view (≈ 1 s of a cold start); ``kim
    # check`` and the deployment run them (decisions D-080).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="Screen the persons of a JSON file.")
        check.add_argument("--input", required=True, help="JSON file ('-' for standard input)")
        check.add_argument("--date", help="decision date YYYY-MM-DD (overrides the file's)")
        check.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day, persons = _read(options["input"], options.get("date"))
        except InputError as error:
            self.stderr.write(f"screening check: {error}")
            sys.exit(EXIT_INPUT)
        results = evaluate_many(persons, day, database_versions())
        fmt = options["format"]
        record(
            EventType.SCREENING_CLI_RUN,
            actor=None,
            subject_type="screening.cli",
            extra={"persons": len(persons), "decision_date": day.isoformat(), "format": fmt},
        )
        text = render_json(day, results) if fmt == "json" else render_table(day, results)
        self.stdout.write(text)


def _read(path: str, date_option: str | None) -> tuple[dt.date, list[PersonFacts]]:
    override = None
    if date_option is not None:
        override = parse_date(date_option, lambda p: InputError(f"--date: {p}"))
    try:
        if path == "-":
            raw = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                raw = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--input {path}: {error}") from None
    try:
        check_json_depth(raw)
        data = json.loads(raw)
    except UnreadableUpload as error:
        raise InputError(f"--input {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"--input {path}: invalid JSON ({error})") from None
    return parse_document(data, override)


def as_document(
    day: dt.date, results: list[tuple[PersonFacts, list[RuleResult]]]
) -> dict[str, object]:
    """The CLI contract's output shape (issue 7 § 4)."""
    return {
        "decision_date": day.isoformat(),
        "results": [
            {"ref": facts.ref, "rules": [r.as_json() for r in rules]} for facts, rules in results
        ],
    }


def render_json(day: dt.date, results: list[tuple[PersonFacts, list[RuleResult]]]) -> str:
    return json.dumps(as_document(day, results), ensure_ascii=False, indent=2)


def render_table(day: dt.date, results: list[tuple[PersonFacts, list[RuleResult]]]) -> str:
    rows = [("ref", "rule", "outcome", "met_from")]
    for facts, rules in results:
        rows += [
            (facts.ref, r.rule, r.outcome.value, r.met_from.isoformat() if r.met_from else "-")
            for r in rules
        ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"decision_date: {day.isoformat()}"]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)
