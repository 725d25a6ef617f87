"""The report on the demo motion: its figures against the query functions, frozen releases
against live drafts, the four-eyes release, the CLI and the query count of composing.

The figures are checked in the rendered files (DOCX parsed back with python-docx, PDF text
extracted with pdftotext), so what a committee member reads is what is compared.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from kim.core.formats import date_de, decimal_de
from kim.council.actions import reports
from kim.council.demo import DEMO_MOTION_REFERENCE, DEMO_REPORT_REFERENCE, REPORT_AS_OF
from kim.council.models import File, FileRole, Paper, Report, ReportRelease
from kim.council.render import render
from kim.council.report import compose, frozen
from kim.organisations.models import Organisation
from kim.partners import actions as partner_actions
from kim.partners import queries as partner_queries
from kim.programmes import queries as programme_queries
from kim.programmes.models import Baustein, Position

pytestmark = pytest.mark.django_db


def _siegen() -> Organisation:
    return Organisation.objects.get(short_name="Siegen")


def _report() -> Report:
    return Report.objects.get(motion__reference=DEMO_MOTION_REFERENCE)


def _release() -> ReportRelease:
    release = _report().releases.first()
    assert release is not None
    return release


def _docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    """All text (paragraphs, then table cells) and the tables as rows of cell texts."""
    document = Document(io.BytesIO(data))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    cells = [cell for table in tables for row in table for cell in row]
    return "\n".join([p.text for p in document.paragraphs] + cells), tables


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "poppler-utils is installed by make test and CI"
    return subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _expected_per_baustein(day: dt.date) -> dict[str, list[str]]:
    """What the programme's own tally says, independently of the answer blocks."""
    tallies = {b.value: programme_queries.Tally() for b in Baustein}
    posts = partner_queries.posts_of_body(_siegen())
    for position in posts.prefetch_related("status_changes"):
        tallies[position.baustein].add(position, position.status_on(day))
    return {
        str(b.label): [
            decimal_de(t.planned + t.established),
            decimal_de(t.planned),
            decimal_de(t.established),
            decimal_de(t.filled),
            decimal_de(t.unfilled),
        ]
        for b in Baustein
        for t in [tallies[b.value]]
    }


def _expected_talks(day: dt.date) -> list[str]:
    return [date_de(t.held_on) for t in partner_queries.talks_of_body(_siegen(), day)]


def _expected_staffing(day: dt.date) -> tuple[Decimal, Decimal, Decimal]:
    in_being = [
        p.pk
        for p in partner_queries.posts_of_body(_siegen()).prefetch_related("status_changes")
        if p.status_on(day) not in (None, "discontinued")
    ]
    lines = partner_queries.staffing_on(Position.objects.filter(pk__in=in_being), day)
    municipal = sum(
        (
            line.position.vze
            for line in lines
            if line.decision and line.decision.employer_type == "municipal"
        ),
        Decimal(0),
    )
    traeger = sum(
        (
            line.position.vze
            for line in lines
            if line.decision and line.decision.employer_type == "traeger"
        ),
        Decimal(0),
    )
    open_ = sum((line.position.vze for line in lines if line.decision is None), Decimal(0))
    return municipal, traeger, open_


def test_released_demo_report_answers_the_three_questions_with_the_query_figures(
    tmp_path: Path,
) -> None:
    release = _release()
    assert release.as_of == REPORT_AS_OF
    document = frozen(release)
    text, tables = _docx_text(render(document, "docx")[0])
    pdf_text = _pdf_text(render(document, "pdf")[0], tmp_path)
    motion = Paper.objects.get(reference=DEMO_MOTION_REFERENCE)
    for question in motion.questions.all():
        assert question.text in text
        assert " ".join(question.text.split()[:6]) in " ".join(pdf_text.split())
    # Question 1: the Baustein table equals the programme's tally on the Stichtag.
    expected = _expected_per_baustein(REPORT_AS_OF)
    per_baustein = next(t for t in tables if t[0][0] == "Baustein")
    for row in per_baustein[1:-1]:
        assert row[1:] == expected[row[0]], row[0]
    assert expected[str(Baustein.B2.label)][0] == "5,00"
    assert expected[str(Baustein.B3.label)][0] == "1,00"  # the town's ABH post, before the merger
    flat = " ".join(pdf_text.split())
    assert "6,00" in flat  # the total of B2 and B3
    # Question 2: nothing decided yet on 31.08.2022.
    municipal, traeger, undecided = _expected_staffing(REPORT_AS_OF)
    assert (municipal, traeger) == (0, 0) and undecided == Decimal(6)
    assert f"für {decimal_de(undecided)} VZÄ" in text
    # Question 3: the talks up to the Stichtag, no call yet.
    talk_dates = _expected_talks(REPORT_AS_OF)
    assert talk_dates == ["12.05.2022", "23.06.2022"]
    for day in talk_dates:
        assert day in text and day in pdf_text
    assert "14.09.2022" not in text  # a later talk
    assert "Interessenbekundungsverfahren" in text  # the calls block says there was none yet


def test_the_current_draft_shows_today_s_figures() -> None:
    report = _report()
    assert report.as_of == dt.date.today()
    document = compose(report)
    text, _tables = _docx_text(render(document, "docx")[0])
    municipal, traeger, _open = _expected_staffing(report.as_of)
    assert (municipal, traeger) == (Decimal(3), Decimal(2))
    assert "Brücke Siegerland" in text
    for day in _expected_talks(report.as_of):
        assert day in text
    assert "Zuschlag" in text  # the call decided in December 2022
    assert "ENTWURF" in text


def test_released_report_is_frozen_and_the_draft_follows_the_data() -> None:
    release = _release()
    frozen_before = render(frozen(release), "docx")[0]
    draft_before = compose(_report())
    partner_actions.record_talk(
        acting_user=None,
        host=_siegen(),
        held_on=dt.date.today(),
        format="video",
        topics="Jahresgespräch",
        traeger=[Organisation.objects.get(short_name="Brücke Siegerland")],
        outcome="agreement",
        outcome_summary="Neues Jahresgespräch (Test)",
    )
    release.refresh_from_db()
    assert render(frozen(release), "docx")[0] == frozen_before
    draft_after = compose(_report())
    assert draft_after != draft_before
    assert "Neues Jahresgespräch (Test)" in json.dumps(draft_after.to_dict(), ensure_ascii=False)


def test_four_eyes_release_and_versions(login_as: object) -> None:
    report = _report()
    siegen, coordination = (
        User.objects.get(username="siegen"),
        User.objects.get(username="koordination"),
    )
    assert report.last_edited_by == siegen
    with pytest.raises(ValidationError, match="Vier-Augen"):
        reports.release_report(report, acting_user=siegen, expected_version=report.version)
    with pytest.raises(ValidationError, match="inzwischen"):
        reports.release_report(report, acting_user=coordination, expected_version=0)
    # The demo's answers were written for the figures of 31.08.2022; the draft shows today's.
    with pytest.raises(ValidationError, match="geänderten Zahlen"):
        reports.release_report(report, acting_user=coordination, expected_version=report.version)
    release = reports.release_report(
        report,
        acting_user=coordination,
        expected_version=report.version,
        confirmed_sections=["1", "2", "3"],
    )
    assert release.number == 2 and release.drafted_by == siegen
    files = File.objects.filter(paper=release.paper)
    assert files.filter(role=FileRole.MAIN).count() == 1
    assert files.filter(role=FileRole.AUXILIARY).count() == 1  # version 1 stays attached
    assert release.paper.released and release.paper.reference == DEMO_REPORT_REFERENCE
    assert frozen(release).version == 2 and frozen(_report().releases.last()).version == 1


def test_compose_query_count_does_not_grow_with_data() -> None:
    report = _report()
    compose(report)  # warm-up: content types and other per-process caches
    with CaptureQueriesContext(connection) as before:
        compose(report)
    brucke = Organisation.objects.get(short_name="Brücke Siegerland")
    for number in range(15):
        partner_actions.record_talk(
            acting_user=None,
            host=_siegen(),
            held_on=dt.date(2024, 1, 1) + dt.timedelta(days=number),
            format="video",
            topics=f"Gespräch {number}",
            traeger=[brucke],
        )
    with CaptureQueriesContext(connection) as after:
        compose(report)
    assert len(after) == len(before)
    assert len(before) <= 40


# --- the command line ----------------------------------------------------------------------


def test_cli_writes_the_released_report(tmp_path: Path) -> None:
    out = tmp_path / "bericht.docx"
    stdout = io.StringIO()
    call_command(
        "report",
        "motion",
        DEMO_MOTION_REFERENCE,
        "--format",
        "docx",
        "--out",
        str(out),
        stdout=stdout,
    )
    assert "Version 1" in stdout.getvalue() and "Stichtag 31.08.2022" in stdout.getvalue()
    text, _tables = _docx_text(out.read_bytes())
    assert "ENTWURF" not in text and "12.05.2022" in text


def test_cli_as_of_computes_a_draft(tmp_path: Path) -> None:
    out = tmp_path / "bericht.pdf"
    stdout = io.StringIO()
    call_command(
        "report",
        "motion",
        DEMO_MOTION_REFERENCE,
        "--format",
        "pdf",
        "--out",
        str(out),
        "--as-of",
        "2022-11-30",
        stdout=stdout,
    )
    assert "Entwurf" in stdout.getvalue()
    text = _pdf_text(out.read_bytes(), tmp_path)
    assert "10.11.2022" in text  # the talk with the agreement


def test_cli_lists_motions_as_json() -> None:
    stdout = io.StringIO()
    call_command("report", "motion", "--list", "--format", "json", stdout=stdout)
    rows = json.loads(stdout.getvalue())
    demo = next(r for r in rows if r["reference"] == DEMO_MOTION_REFERENCE)
    assert demo["date"] == "2022-08-19" and demo["status"] == "answered"
    assert set(demo) >= {"reference", "date", "title", "status"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999/2099", "--format", "docx", "--out", "x.docx"], "Kein Antrag"),
        ([DEMO_MOTION_REFERENCE, "--format", "odt", "--out", "x.odt"], "--format"),
        ([DEMO_MOTION_REFERENCE, "--format", "docx"], "--out"),
        (
            [DEMO_MOTION_REFERENCE, "--format", "pdf", "--out", "x", "--as-of", "31.08.2022"],
            "Datum",
        ),
        (
            [DEMO_MOTION_REFERENCE, "--format", "pdf", "--out", "x", "--as-of", "2099-01-01"],
            "Zukunft",
        ),
        (["--list", "--format", "docx"], "--list"),
    ],
)
def test_cli_errors_exit_with_2(args: list[str], message: str, tmp_path: Path) -> None:
    stderr = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("report", "motion", *args, stderr=stderr)
    assert exc.value.code == 2
    assert message in stderr.getvalue()
    assert not (tmp_path / "x.docx").exists()
