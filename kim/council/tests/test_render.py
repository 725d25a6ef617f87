"""The report renderers: what a committee member gets as DOCX, PDF and HTML.

No database: the renderers read only a ``ReportDocument`` (pytest-django would fail any test
here that touched the database). Each format is rendered once per module and read back: the
DOCX with python-docx, the PDF with poppler's ``pdftotext``/``pdffonts``/``pdfinfo``, the HTML
with lxml.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import docx
import lxml.html
import pytest
from django.utils import translation
from docx.oxml.ns import qn

from kim.council.document import Chart, ReportDocument, Table, sample
from kim.council.render import render, text
from kim.council.render.charts import bar_chart_png, german_number
from kim.council.render.html import render_html

RELEASED = dataclasses.replace(sample(), status="released", version=2, released_on="05.09.2022")


def labels(doc: ReportDocument) -> dict[str, str]:
    """The wording the renderers use, in German, so the tests hold before and after translation."""
    with translation.override("de"):
        return {
            "draft_marker": text.draft_marker(doc),
            "draft_word": text.draft_word(),
            "release_line": text.release_line(doc),
        }


def block_tables(doc: ReportDocument) -> list[Table]:
    return [b.table for s in doc.sections for b in s.blocks if b.table is not None]


def block_charts(doc: ReportDocument) -> list[Chart]:
    return [b.chart for s in doc.sections for b in s.blocks if b.chart is not None]


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils")
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=True)
    return result.stdout


def squash(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


# -- DOCX -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def draft_docx() -> docx.document.Document:
    content, content_type, extension = render(sample(), "docx")
    assert extension == "docx"
    assert content_type.startswith("application/vnd.openxmlformats-officedocument")
    return docx.Document(io.BytesIO(content))


def headings(document: docx.document.Document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def test_docx_has_a_heading_per_question_and_block(draft_docx: docx.document.Document) -> None:
    doc = sample()
    assert headings(draft_docx, 2) == [f"{s.number}. {s.question}" for s in doc.sections]
    assert headings(draft_docx, 3) == [b.title for s in doc.sections for b in s.blocks]
    assert len(headings(draft_docx, 1)) == 2  # Beschlussvorschlag, Sachverhalt (no attachments)


def test_docx_tables_hold_the_documents_figures(draft_docx: docx.document.Document) -> None:
    expected = block_tables(sample())[0]
    (table,) = [
        t for t in draft_docx.tables if [c.text for c in t.rows[0].cells] == expected.columns
    ]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[1:-1] == expected.rows
    assert cells[-1] == expected.footer
    # The total row is bold, numbers are right-aligned, labels are not.
    assert all(run.bold for cell in table.rows[-1].cells for run in cell.paragraphs[0].runs)
    body_row = table.rows[1].cells
    alignments = [cell.paragraphs[0].alignment for cell in body_row]
    assert [a == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT for a in alignments] == expected.numeric


def test_docx_table_header_rows_repeat_on_every_page(draft_docx: docx.document.Document) -> None:
    data_tables = [t for t in draft_docx.tables if len(t.rows[0].cells) >= 3]
    assert len(data_tables) == 2  # Beratungsfolge + the block's table
    for table in data_tables:
        tr_pr = table.rows[0]._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
        assert all(
            r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:]
        )


def test_docx_consultations_table(draft_docx: docx.document.Document) -> None:
    consultation = sample().consultations[0]
    table = draft_docx.tables[1]
    assert [c.text for c in table.rows[1].cells] == [
        consultation.committee,
        consultation.date,
        consultation.role,
    ]


def test_docx_is_a4_portrait_with_page_numbers(draft_docx: docx.document.Document) -> None:
    section = draft_docx.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7
    instructions = [i.text.strip() for i in section.footer._element.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_docx_chart_is_a_picture_with_alt_text(draft_docx: docx.document.Document) -> None:
    (chart,) = block_charts(sample())
    (shape,) = draft_docx.inline_shapes
    assert shape._inline.docPr.get("descr") == chart.alt
    assert chart.title in [p.text for p in draft_docx.paragraphs]


def test_docx_properties(draft_docx: docx.document.Document) -> None:
    doc = sample()
    properties = draft_docx.core_properties
    assert properties.language == "de-DE"
    assert properties.author == doc.department
    assert doc.subject in properties.title
    assert properties.subject == doc.subject


def test_docx_marks_drafts_and_only_drafts(draft_docx: docx.document.Document) -> None:
    draft = labels(sample())
    body = [p.text for p in draft_docx.paragraphs]
    assert draft["draft_marker"] in body
    assert draft_docx.sections[0].header.paragraphs[0].text == draft["draft_word"]

    released = docx.Document(io.BytesIO(render(RELEASED, "docx")[0]))
    body_text = "\n".join(p.text for p in released.paragraphs)
    assert draft["draft_marker"] not in body_text
    assert released.sections[0].header.paragraphs[0].text == ""
    release_line = labels(RELEASED)["release_line"]
    assert release_line in [c.text for t in released.tables for r in t.rows for c in r.cells]


def test_docx_output_is_reproducible() -> None:
    assert render(sample(), "docx")[0] == render(sample(), "docx")[0]


# -- PDF --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def draft_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content, content_type, extension = render(sample(), "pdf")
    assert (content_type, extension) == ("application/pdf", "pdf")
    path = tmp_path_factory.mktemp("pdf") / "draft.pdf"
    path.write_bytes(content)
    return path


def test_pdf_contains_questions_and_figures(draft_pdf: Path) -> None:
    doc = sample()
    flowing = squash(poppler("pdftotext", str(draft_pdf), "-"))
    for section in doc.sections:
        assert f"{section.number}. {section.question}" in flowing
    # With -layout a table row stays on one line: label and figures in their order.
    layout = poppler("pdftotext", "-layout", str(draft_pdf), "-")
    table = block_tables(doc)[0]
    for row in [*table.rows, table.footer or []]:
        assert re.search(r"\s+".join(map(re.escape, row)), layout), row
    assert table.caption in flowing
    (chart,) = block_charts(doc)
    assert chart.title in flowing


def test_pdf_fonts_are_embedded(draft_pdf: Path) -> None:
    lines = poppler("pdffonts", str(draft_pdf)).splitlines()[2:]
    assert lines, "no fonts listed"
    for line in lines:
        # name type encoding emb sub uni object-id: "emb" is the fourth column from the right.
        assert line.split()[-5] == "yes", line


def test_pdf_is_a4_tagged_with_title(draft_pdf: Path) -> None:
    info = poppler("pdfinfo", str(draft_pdf))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert re.search(r"Tagged:\s+yes", info)
    assert sample().subject in squash(info)


def test_pdf_marks_drafts_and_only_drafts(draft_pdf: Path, tmp_path: Path) -> None:
    draft = labels(sample())
    flowing = squash(poppler("pdftotext", str(draft_pdf), "-"))
    assert draft["draft_marker"] in flowing
    released_path = tmp_path / "released.pdf"
    released_path.write_bytes(render(RELEASED, "pdf")[0])
    released_text = squash(poppler("pdftotext", str(released_path), "-"))
    assert draft["draft_word"] not in released_text
    assert labels(RELEASED)["release_line"] in released_text


# -- HTML -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def draft_html() -> str:
    content, content_type, extension = render(sample(), "html")
    assert (content_type, extension) == ("text/html; charset=utf-8", "html")
    return content.decode("utf-8")


def test_html_headings_follow_the_report(draft_html: str) -> None:
    doc = sample()
    page = lxml.html.document_fromstring(draft_html)
    assert page.get("lang") == "de"
    (h1,) = page.findall(".//h1")
    assert doc.subject in squash(h1.text_content())
    assert len(page.findall(".//h2")) == 2
    assert [squash(h.text_content()) for h in page.findall(".//h3")] == [
        f"{s.number}. {s.question}" for s in doc.sections
    ]
    assert [squash(h.text_content()) for h in page.findall(".//h4")] == [
        b.title for s in doc.sections for b in s.blocks
    ]


def test_html_tables_have_captions_and_scoped_headers(draft_html: str) -> None:
    page = lxml.html.document_fromstring(draft_html)
    expected = block_tables(sample())[0]
    tables = page.findall(".//table")
    assert len(tables) == 2
    for table in tables:
        assert squash(table.find("caption").text_content())
        assert all(th.get("scope") == "col" for th in table.findall("thead/tr/th"))
        assert all(th.get("scope") == "row" for th in table.findall("tbody/tr/th"))
    block_table = tables[1]
    assert squash(block_table.find("caption").text_content()) == expected.caption
    rows = [[squash(c.text_content()) for c in tr] for tr in block_table.findall("tbody/tr")]
    assert rows == expected.rows
    footer = [squash(c.text_content()) for c in block_table.findall("tfoot/tr")[0]]
    assert footer == expected.footer


def test_html_chart_is_an_image_with_alt_text_after_its_table(draft_html: str) -> None:
    page = lxml.html.document_fromstring(draft_html)
    (chart,) = block_charts(sample())
    (figure,) = page.findall(".//figure")
    image = figure.find("img")
    assert image.get("alt") == chart.alt
    assert image.get("src").startswith("data:image/png;base64,")
    assert chart.title in squash(figure.find("figcaption").text_content())
    link = figure.find(".//figcaption/a")
    assert page.get_element_by_id(link.get("href")[1:]).tag == "table"


def test_html_fragment_fits_the_app_csp() -> None:
    """No scripts, no inline styles, no external resources: only data: images."""
    with translation.override("de"):
        fragment = render_html(sample(), standalone=False)
    assert "<script" not in fragment and "<style" not in fragment
    assert " style=" not in fragment
    assert not re.search(r"(src|href)=\"(https?:)?//", fragment)
    assert fragment.lstrip().startswith("<article")


def test_html_marks_drafts_and_only_drafts(draft_html: str) -> None:
    draft = labels(sample())
    assert draft["draft_marker"] in draft_html
    released = render(RELEASED, "html")[0].decode("utf-8")
    assert draft["draft_marker"] not in released
    assert labels(RELEASED)["release_line"] in released


# -- charts and formats -----------------------------------------------------------------------


def test_chart_png_is_reproducible_and_16_by_8_cm() -> None:
    (chart,) = block_charts(sample())
    png = bar_chart_png(chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == bar_chart_png(chart)
    width, height = int.from_bytes(png[16:20]), int.from_bytes(png[20:24])
    # 16 x 8 cm at 150 dpi = 944.9 x 472.4 px
    assert abs(width - 945) <= 1 and abs(height - 472) <= 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (3, "3"), (2.5, "2,5"), (0.25, "0,25"), (1234.5, "1.234,5"), (-0.0, "0")],
)
def test_chart_axis_numbers_are_german(value: float, expected: str) -> None:
    assert german_number(value) == expected


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xlsx"):
        render(sample(), "xlsx")


# -- keeping names and figures together ------------------------------------------------------------

NBSP = "\u00a0"
# The demo report's calls block, released as of 31.08.2022: in the PDF the sentence fitted the
# line only just, and WeasyPrint printed "Stadt" alone above "Siegen: Bis zum …".
CALLS_TEXT = (
    "Stadt Siegen: Bis zum 31.08.2022 wurde kein Interessenbekundungsverfahren veröffentlicht."
)


def _with_block_text(value: str) -> ReportDocument:
    doc = sample()
    section = doc.sections[0]
    block = dataclasses.replace(section.blocks[0], text=value)
    first = dataclasses.replace(section, blocks=[block])
    return dataclasses.replace(doc, sections=[first, *doc.sections[1:]])


def test_keep_together_glues_names_and_numbers_not_dates() -> None:
    value = text.keep_together(
        "Stadt Siegen: Am 31.08.2022 fanden 2 Gespräche statt, davon 1 mit einer Einigung; "
        "6,00 VZÄ, 57.000,00 € und 85 % für B2 Stadt Siegen, Stelle 1.",
        names=["Stadt Siegen"],
    )
    assert value == (
        f"Stadt{NBSP}Siegen: Am 31.08.2022 fanden 2{NBSP}Gespräche statt, davon 1{NBSP}mit einer "
        f"Einigung; 6,00{NBSP}VZÄ, 57.000,00{NBSP}€ und 85{NBSP}% für B2 Stadt{NBSP}Siegen, "
        f"Stelle{NBSP}1."
    )
    long_name = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"
    assert text.keep_together(long_name, names=[long_name]) == long_name  # may still wrap


def test_html_keeps_the_body_name_and_figures_together() -> None:
    doc = _with_block_text(CALLS_TEXT + " Davon 1 mit einer Einigung.")
    with translation.override("de"):
        html = render_html(doc, standalone=True)
    assert f"Stadt{NBSP}Siegen: Bis zum" in html
    assert f"1{NBSP}mit einer Einigung" in html
    assert f"Baustein{NBSP}2 – Case Management" in html  # a table cell
    assert doc.sections[0].narrative in html  # the narrative is the author's text, untouched


def test_pdf_does_not_tear_the_body_name_apart(tmp_path: Path) -> None:
    path = tmp_path / "calls.pdf"
    path.write_bytes(render(_with_block_text(CALLS_TEXT), "pdf")[0])
    lines = poppler("pdftotext", str(path), "-").splitlines()
    assert not [
        (line, after)
        for line, after in itertools.pairwise(lines)
        if line.rstrip().endswith("Stadt") and after.lstrip().startswith("Siegen")
    ]
    # The sentence fits the line, so it stays on one (no early break after the first words).
    assert CALLS_TEXT in [line.replace(NBSP, " ").strip() for line in lines]
