"""A long talks block (decisions D-080): up to ``LONG_TABLE_ROWS`` talks the report lists them
as before; beyond that it prints the talks by year and outcome and names an XLSX attachment
that holds the full list – downloadable from the draft page and from a released version, to
exactly those who may read that report. The staffing block does the same beyond 25 posts.

The demo report 196/2022 answers for the Stadt Siegen, whose draft (as of today) carries the
demo's 4 talks; the tests add talks of the Stadt Siegen, and of the Stadt Kreuztal, which the
Siegen report must never show.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from docx import Document
from openpyxl import load_workbook

from kim.council.actions import reports
from kim.council.demo import DEMO_REPORT_REFERENCE
from kim.council.document import LONG_TABLE_ROWS, Block, ReportDocument
from kim.council.models import File, FileRole, Report, ReportRelease
from kim.council.render import XLSX_TYPE, render
from kim.council.report import compose, frozen
from kim.organisations.models import Organisation, OrgKind
from kim.partners import actions as partner_actions
from kim.partners import queries as partner_queries
from kim.partners.models import Talk, TalkParticipant
from kim.programmes import actions as programme_actions

pytestmark = pytest.mark.django_db

SIEGEN_AGS = "05970040"
OUTCOMES = ["agreement", "open", "declined", "postponed"]
GERMAN_COLUMNS = ["Jahr", "Einigung erzielt", "offen", "abgelehnt", "vertagt", "Insgesamt"]
DRAFT_FILE = "Vorlage-196-2022-Entwurf-Gespraeche.xlsx"


def _report() -> Report:
    return Report.objects.select_related("motion").get(reference=DEMO_REPORT_REFERENCE)


def _siegen() -> Organisation:
    return Organisation.objects.get(ags=SIEGEN_AGS)


def _demo_talks() -> int:
    return len(partner_queries.talks_of_body(_siegen(), _report().as_of))


def _add_talks(count: int, *, host: Organisation | None = None, summary: str = "") -> None:
    """``count`` talks of ``host`` (the Stadt Siegen) in 2023–2025, every outcome in turn.
    Rows by ``bulk_create``, like benchmarks/council.py: 1,000 audited actions would make the
    test slow, and only the rows' shape matters to the report."""
    host = host or _siegen()
    agency = Organisation.objects.filter(kind=OrgKind.TRAEGER, region=host.region).order_by("pk")[0]
    talks = Talk.objects.bulk_create(
        Talk(
            region=host.region,
            host=host,
            held_on=dt.date(2023 + n % 3, 1 + n % 12, 1 + n % 28),
            format="video",
            topics=f"Gespräch {n + 1} (Test)",
            outcome=OUTCOMES[n % 4],
            outcome_summary=summary or f"Ergebnis {n + 1} (Test)",
        )
        for n in range(count)
    )
    TalkParticipant.objects.bulk_create(
        participant
        for talk in talks
        for participant in (
            TalkParticipant(talk=talk, organisation=host, role="host"),
            TalkParticipant(talk=talk, organisation=agency, role="traeger"),
        )
    )


def _talks_block(doc: ReportDocument) -> Block:
    return next(b for s in doc.sections for b in s.blocks if b.key == "talks")


def _release(report: Report) -> ReportRelease:
    """``koordination`` releases the draft (``siegen`` edited it last: four eyes)."""
    return reports.release_report(
        report,
        acting_user=User.objects.get(username="koordination"),
        expected_version=report.version,
        confirmed_sections=["1", "2", "3"],
    )


def _pdf_pages(data: bytes, tmp_path: Path) -> int:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo is not None, "poppler-utils is installed by make test and CI"
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def _sheet(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- the block ---------------------------------------------------------------------------------


def test_up_to_25_talks_are_listed_as_before() -> None:
    _add_talks(LONG_TABLE_ROWS - _demo_talks())
    doc = compose(_report())
    block = _talks_block(doc)
    assert block.table is not None and len(block.table.rows) == LONG_TABLE_ROWS
    assert (block.summary, block.attachment) == (None, "")
    assert block.printed_table is block.table and doc.summarised_blocks == []
    # The snapshot gains two empty keys and nothing else; the renderings list every talk.
    assert _talks_block(ReportDocument.from_dict(doc.to_dict())) == block
    html = render(doc, "html")[0].decode()
    assert all(f"Ergebnis {n} (Test)" in html for n in range(1, LONG_TABLE_ROWS - 3))
    assert "Anlage „" not in html and ".xlsx" not in html


def test_26_talks_are_summarised_by_year_and_outcome() -> None:
    _add_talks(LONG_TABLE_ROWS + 1 - _demo_talks())
    report = _report()
    doc = compose(report)
    block = _talks_block(doc)
    found = partner_queries.talks_of_body(_siegen(), report.as_of)
    assert len(found) == LONG_TABLE_ROWS + 1
    assert block.table is not None and len(block.table.rows) == LONG_TABLE_ROWS + 1
    summary = block.summary
    assert summary is not None and block.attachment == "Gespräche"
    assert summary.columns == GERMAN_COLUMNS
    expected = collections.Counter((t.held_on.year, t.outcome) for t in found)
    years = sorted({year for year, _outcome in expected})
    assert [row[0] for row in summary.values] == years
    for row in summary.values:
        assert row[1:5] == [expected[(row[0], o)] for o in OUTCOMES]
        assert row[5] == sum(row[1:5])
    assert summary.footer == [
        "Insgesamt",
        *(str(sum(expected[(y, o)] for y in years)) for o in OUTCOMES),
        str(LONG_TABLE_ROWS + 1),
    ]
    assert sum(row[5] for row in summary.values) == len(found)
    assert summary.rows[0][0] == str(years[0]) and summary.numeric == [False] + [True] * 5
    # The figures the narrative was written against do not change with the presentation.
    assert block.text.startswith(f"Bis zum {doc.as_of} fanden {len(found)} Gespräche")


def test_the_renderings_print_the_summary_and_name_the_attachment(tmp_path: Path) -> None:
    _add_talks(30)
    doc = compose(_report())
    note = f"Die vollständige Liste (34 Einträge) steht in der Anlage „{DRAFT_FILE}“."
    html = render(doc, "html")[0].decode()
    assert note in html and f"<li>{DRAFT_FILE}</li>" in html
    assert "Ergebnis 17 (Test)" not in html and "nach Jahr und Ergebnis" in html
    document = Document(io.BytesIO(render(doc, "docx")[0]))
    paragraphs = [p.text for p in document.paragraphs]
    assert note in paragraphs and DRAFT_FILE in paragraphs
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert GERMAN_COLUMNS in headers
    assert all("Ergebnis 17 (Test)" not in c.text for t in document.tables for c in t._cells)


def test_1000_talks_make_a_short_pdf(tmp_path: Path) -> None:
    _add_talks(1000)
    doc = compose(_report())
    assert len(_talks_block(doc).table.rows) == 1004  # type: ignore[union-attr]
    assert doc.table_rows < 40  # what the PDF prints (and whether it is made in a job)
    assert _pdf_pages(render(doc, "pdf")[0], tmp_path) < 15


def test_more_than_25_posts_are_summarised_by_employer_and_baustein() -> None:
    siegen = _siegen()
    agency = Organisation.objects.filter(kind=OrgKind.TRAEGER, region=siegen.region)[0]
    for n in range(26):
        position = programme_actions.create_position(
            acting_user=None,
            region=siegen.region,
            status="filled",
            status_from=dt.date(2023, 1, 1),
            baustein=("B1", "B2", "B3")[n % 3],
            title=f"Test-Stelle {n + 1}",
            vze=Decimal("0.5") if n % 2 else Decimal(1),
            home=siegen,
            employer_type="municipal",
        )
        if n % 4:
            partner_actions.record_staffing_decision(
                position,
                acting_user=None,
                decided_on=dt.date(2023, 2, 1),
                employer_type="traeger" if n % 4 == 1 else "municipal",
                traeger=agency if n % 4 == 1 else None,
                rationale="Test",
            )
    doc = compose(_report())
    block = next(b for s in doc.sections for b in s.blocks if b.key == "staffing_split")
    assert block.table is not None and block.summary is not None
    assert block.attachment == "Stellenbesetzung"
    summary, posts = block.summary, len(block.table.rows)
    assert summary.columns == ["Besetzung durch", "B1", "B2", "B3", "Stellen", "VZÄ"]
    assert summary.footer is not None and block.table.footer is not None
    # Every post once: the counts add up to the list, the VZÄ to the list's total.
    assert sum(row[4] for row in summary.values) == posts == int(summary.footer[4]) > 25
    assert summary.footer[5] == block.table.footer[2]
    for row in summary.values:
        assert Decimal(row[5]) == sum(Decimal(v) for v in row[1:4])
    assert summary.values[0][0] == "kommunales Personal"
    assert agency.name in [row[0] for row in summary.values]
    assert "Vorlage-196-2022-Entwurf-Stellenbesetzung.xlsx" in render(doc, "html")[0].decode()


# --- the XLSX attachment ------------------------------------------------------------------------


def test_draft_attachment_holds_every_talk_and_only_the_body_s(login_as) -> None:
    _add_talks(40, summary='=HYPERLINK("http://example.org","Klick")')
    kreuztal = Organisation.objects.get(short_name="Kreuztal")
    _add_talks(5, host=kreuztal, summary="Nur Kreuztal (Test)")
    report = _report()
    url = f"/rat/berichte/{report.code}/entwurf/anlagen/talks.xlsx"
    page = login_as("siegen").get(f"/rat/berichte/{report.code}/")
    assert f'href="{url}"' in page.content.decode()
    response = login_as("siegen").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'filename="{DRAFT_FILE}"')
    rows = _sheet(response.content)
    assert rows[0] == ["Datum", "Freie Träger", "Ergebnis", "Ergebnis in Kürze"]
    found = partner_queries.talks_of_body(_siegen(), report.as_of)
    assert [r[0].date() for r in rows[1:]] == [t.held_on for t in found]
    assert len(rows) - 1 == 44 and not any("Kreuztal" in str(r) for r in rows)
    # User text stays text: no formula in the file (the platform's XLSX writer).
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    injected = [c for c in sheet["D"] if str(c.value).startswith("=")]
    assert len(injected) == 40 and all(c.data_type == "s" and c.quotePrefix for c in injected)
    # Council members read released versions only; a report without a long list has no file.
    assert login_as("rat").get(url).status_code == 404
    assert login_as("cm-siegen").get(url).status_code == 404
    assert login_as("siegen").get(url.replace("talks", "calls")).status_code == 404


def test_released_attachment_is_frozen_and_reaches_council_members(login_as) -> None:
    _add_talks(30)
    release = _release(_report())
    url = f"/rat/berichte/{release.report.code}/versionen/{release.number}/anlagen/talks.xlsx"
    page = login_as("rat").get(f"/rat/berichte/{release.report.code}/versionen/2/")
    assert f'href="{url}"' in page.content.decode()
    before = login_as("rat").get(url)
    assert before.status_code == 200
    assert before["Content-Disposition"].endswith(
        'filename="Vorlage-196-2022-Version-2-Gespraeche.xlsx"'
    )
    assert len(_sheet(before.content)) == 1 + 34
    _add_talks(3)  # after the release: the version keeps its list
    assert _sheet(login_as("rat").get(url).content) == _sheet(before.content)
    assert login_as("koordination").get(url).status_code == 200
    assert login_as("cm-siegen").get(url).status_code == 404
    # Version 1 was released with the demo's four talks: no attachment.
    assert login_as("rat").get(url.replace("/2/", "/1/")).status_code == 404
    # The council paper carries it too (council records, OParl), beside the version's PDF.
    files = {f.file_name: f for f in File.objects.filter(paper=release.paper)}
    xlsx = files["Vorlage-196-2022-Version-2-Gespraeche.xlsx"]
    assert xlsx.role == FileRole.AUXILIARY and xlsx.mime_type == XLSX_TYPE
    assert xlsx.size > 0 and xlsx.name == f"Anlage {xlsx.file_name} (XLSX)"


def test_a_version_released_before_the_summary_renders_as_it_was(tmp_path: Path) -> None:
    """A snapshot from before D-080 has neither ``summary`` nor ``attachment``: its long list
    is read back and printed in full, without an attachment, exactly as it was released."""
    _add_talks(30)
    release = _release(_report())
    snapshot = json.loads(json.dumps(release.snapshot))
    for section in snapshot["sections"]:
        for block in section["blocks"]:
            del block["summary"], block["attachment"]
    ReportRelease.objects.filter(pk=release.pk).update(snapshot=snapshot)
    release.refresh_from_db()
    doc = frozen(release)
    block = _talks_block(doc)
    assert block.summary is None and block.table is not None and len(block.table.rows) == 34
    assert doc.summarised_blocks == []
    html = render(doc, "html")[0].decode()
    assert "Ergebnis 17 (Test)" in html and ".xlsx" not in html
    assert render(doc, "docx")[0]
