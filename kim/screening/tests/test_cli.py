"""``kim screening check``: the CLI contract of issue 7 § 4."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kim.audit.models import AuditEvent, EventType
from kim.screening.engine import evaluate_many
from kim.screening.input import parse_document
from kim.screening.management.commands.screening import as_document
from kim.screening.rulebook import database_versions

GOLDEN = Path(__file__).parent / "data" / "cli_golden.json"
DOC: dict[str, Any] = {
    "decision_date": "2026-03-15",
    "persons": [
        {
            "ref": "G-1",
            "birth_date": "2002-06-10",
            "residence_periods": [
                {"status": "gestattung", "from": "2016-01-01", "to": "2019-12-31"},
                {"status": "duldung", "section": "§ 60a", "from": "2020-01-01", "to": None},
            ],
            "school_years_de": 4,
            "identity_deception": False,
            "fdgo_commitment": True,
            "in_education": True,
        },
        {
            "ref": "G-2",
            "birth_date": "1985-01-01",
            "residence_periods": [
                {"status": "duldung", "section": "60a", "from": "2021-01-01", "to": None}
            ],
            "fdgo_commitment": True,
            "knowledge_test": "leben_in_deutschland",
            "livelihood": "mostly_secured",
            "oral_german_level": "A2",
            "minor_child_in_household": False,
            "identity_deception": False,
            "criminal_fine_daily_rates": 0,
        },
        {"ref": "G-3"},
    ],
}


def run(path: Path, *extra: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("screening", "check", "--input", str(path), *extra, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "persons.json"
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def with_person(changes: dict[str, Any]) -> dict[str, Any]:
    persons = [dict(p) for p in DOC["persons"]]
    persons[1] = {**persons[1], **changes}
    return {**DOC, "persons": persons}


MALFORMED = [
    # (label, document, words the message must contain)
    ("bad JSON", '{"decision_date": "2026-03-15", "persons": [', ["JSON"]),
    ("not an object", "[1, 2]", ["JSON"]),
    ("missing persons", {"decision_date": "2026-03-15"}, ["persons"]),
    ("missing decision_date", {"persons": []}, ["decision_date"]),
    ("impossible decision_date", {"decision_date": "2026-02-30", "persons": []}, ["decision_date"]),
    ("missing ref", with_person({"ref": None}), ["Person 2", "ref"]),
    ("duplicate ref", with_person({"ref": "G-1"}), ["Person 2", "G-1", "ref"]),
    (
        "unknown status",
        with_person({"residence_periods": [{"status": "visum", "from": "2020-01-01"}]}),
        ["G-2", "residence_periods[1].status"],
    ),
    ("unknown level", with_person({"oral_german_level": "B7"}), ["G-2", "oral_german_level"]),
    ("impossible date", with_person({"birth_date": "2023-02-30"}), ["G-2", "birth_date"]),
    (
        "to before from",
        with_person(
            {"residence_periods": [{"status": "duldung", "from": "2021-01-01", "to": "2020-12-31"}]}
        ),
        ["G-2", "residence_periods[1].to"],
    ),
    ("wrong type bool", with_person({"fdgo_commitment": "yes"}), ["G-2", "fdgo_commitment"]),
    (
        "negative int",
        with_person({"criminal_fine_daily_rates": -5}),
        ["G-2", "criminal_fine_daily_rates"],
    ),
    ("person not an object", {**DOC, "persons": [DOC["persons"][0], "G-2"]}, ["Person 2"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("doc", "words"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_input_exits_2_with_nothing_on_stdout(
    tmp_path: Path, doc: object, words: list[str]
) -> None:
    before = AuditEvent.objects.filter(event_type=EventType.SCREENING_CLI_RUN).count()
    code, out, err = run(write(tmp_path, doc))
    assert (code, out) == (2, "")
    for word in words:
        assert word in err
    assert AuditEvent.objects.filter(event_type=EventType.SCREENING_CLI_RUN).count() == before


@pytest.mark.django_db
def test_unreadable_file_and_bad_date_exit_2(tmp_path: Path) -> None:
    code, out, err = run(tmp_path / "missing.json")
    assert (code, out) == (2, "") and "missing.json" in err
    code, out, err = run(write(tmp_path, DOC), "--date", "2026-02-30")
    assert (code, out) == (2, "") and "--date" in err
    code, out, err = run(write(tmp_path, b"\xff\xfe".decode("latin-1")), "--date", "2026-03-01")
    assert code == 2 and out == ""


@pytest.mark.django_db
def test_output_matches_the_golden_file_and_evaluate(tmp_path: Path) -> None:
    code, out, err = run(write(tmp_path, DOC))
    assert (code, err) == (0, "")
    output = json.loads(out)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out + "\n", encoding="utf-8")
    assert output == json.loads(GOLDEN.read_text(encoding="utf-8"))
    # key order is part of the contract
    assert list(output) == ["decision_date", "results"]
    assert list(output["results"][0]) == ["ref", "rules"]
    rule = output["results"][0]["rules"][0]
    assert list(rule) == ["rule", "version_valid_from", "outcome", "criteria", "met_from"]
    assert list(rule["criteria"][0]) == ["id", "met", "kind", "explanation"]
    assert "\\u00" not in out and "erfüllt" in out  # ensure_ascii=False
    day, persons = parse_document(DOC, None)
    assert output == as_document(day, evaluate_many(persons, day, database_versions()))


@pytest.mark.django_db
def test_date_option_overrides_and_run_is_audited(tmp_path: Path) -> None:
    code, out, _ = run(write(tmp_path, DOC), "--date", "2025-06-01", "--format", "json")
    assert code == 0
    output = json.loads(out)
    assert output["decision_date"] == "2025-06-01"
    outcomes = {r["rule"]: r["outcome"] for r in output["results"][1]["rules"]}
    assert outcomes["aufenthg_104c"] != "not_in_force"
    event = AuditEvent.objects.filter(event_type=EventType.SCREENING_CLI_RUN).latest("id")
    assert event.actor is None
    assert event.extra == {"persons": 3, "decision_date": "2025-06-01", "format": "json"}
    assert "G-1" not in json.dumps(event.extra)


@pytest.mark.django_db
def test_table_format(tmp_path: Path) -> None:
    code, out, _ = run(write(tmp_path, DOC), "--format", "table")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "decision_date: 2026-03-15"
    assert lines[1].split() == ["ref", "rule", "outcome", "met_from"]
    assert len(lines) == 2 + 3 * 5
    assert lines[2].split() == ["G-1", "aufenthg_25a", "likely", "-"]


def test_the_real_command_exits_2(tmp_path: Path) -> None:
    """Through the ``kim`` entry point: exit status 2, stdout empty (no database needed)."""
    path = write(tmp_path, with_person({"birth_date": "2023-02-30"}))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "kim", "screening", "check", "--input", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "G-2" in done.stderr and "birth_date" in done.stderr
