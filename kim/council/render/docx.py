"""The report as a Word document (python-docx): A4, German Vorlage layout, real headings.

Layout of a Vorlage, top to bottom: body and department; paper type; a small key/value table
(paper number, date, the motion it answers, release state); the draft marker; "Betreff"; the
Beratungsfolge table; Heading 1 "Beschlussvorschlag"; Heading 1 "Sachverhalt" with the
introduction, one Heading 2 per question and one Heading 3 per answer block; Heading 1
"Anlagen". Tables have a repeating header row (``w:tblHeader``), right-aligned numbers and a
bold total row; charts are pictures with alternative text (``wp:docPr/@descr``), always after
their data table.

A report of another kind (a Sachbericht, D-087) has no Beratungsfolge, no Beschlussvorschlag
and no "Sachverhalt": its header rows are its own, its sections are Heading 1.

The output is byte-for-byte reproducible: dates in the core properties come from the document
and the ZIP entries carry a fixed timestamp.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from kim.council.document import Block, Chart, ReportDocument, Section, Table
from kim.council.render import text
from kim.council.render.charts import WIDTH_CM, bar_chart_png

FONT = "Arial"  # what German administrations use; LibreOffice maps it to Liberation Sans
LANGUAGE = "de-DE"
TEXT_WIDTH_CM = 21.0 - 2.5 - 2.0
NUMERIC_COLUMN_CM = 2.6
DRAFT_RED = RGBColor(0xB0, 0x00, 0x20)
MUTED = RGBColor(0x4A, 0x53, 0x61)
HEADER_FILL = "E3E8EE"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def render_docx(doc: ReportDocument) -> bytes:
    document = Document()
    _setup_page(document)
    _setup_styles(document)
    _set_properties(document, doc)
    _page_header_and_footer(document, doc)
    _title_block(document, doc)
    if doc.is_council:
        _consultations(document, doc)
        document.add_heading(_("Proposed resolution"), level=1)
        _add_text(document, doc.proposal)
        document.add_heading(_("Facts of the case"), level=1)
    _add_text(document, doc.introduction)
    for section in doc.sections:
        _section(document, doc, section)
    attachments = text.attachments(doc)
    if attachments:
        document.add_heading(pgettext("council report", "Attachments"), level=1)
        for attachment in attachments:
            document.add_paragraph(attachment, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue())


# -- page, styles, metadata -------------------------------------------------------------------


def _setup_page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(2.5)
    section.bottom_margin = Cm(2.0)
    section.left_margin = Cm(2.5)
    section.right_margin = Cm(2.0)
    section.header_distance = Cm(1.25)
    section.footer_distance = Cm(1.0)


def _setup_styles(document: DocxDocument) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:val"), LANGUAGE)
            lang.set(qn("w:eastAsia"), LANGUAGE)
    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _set_font(normal, size=11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size, before in (("Heading 1", 14, 18), ("Heading 2", 12, 14), ("Heading 3", 11, 10)):
        style = styles[name]
        assert isinstance(style, ParagraphStyle)
        _set_font(style, size=size, bold=True)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 14), ("Caption", 9), ("Header", 9), ("Footer", 9)):
        style = styles[name]
        assert isinstance(style, ParagraphStyle)
        _set_font(style, size=size, bold=name == "Title")
    # The template's Header/Footer tab stops fit US Letter; one right stop at the A4 text edge.
    for name in ("Header", "Footer"):
        tabs = styles[name].paragraph_format.tab_stops  # type: ignore[union-attr]
        tabs.clear_all()
        tabs.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    title = styles["Title"]
    assert isinstance(title, ParagraphStyle)
    title.paragraph_format.space_after = Pt(12)
    # The template's Title has a blue bottom border; a Vorlage's Betreff is plain bold text.
    title_ppr = title.element.pPr
    if title_ppr is not None:
        for border in title_ppr.findall(qn("w:pBdr")):
            title_ppr.remove(border)


def _set_font(style: ParagraphStyle, *, size: int, bold: bool | None = None) -> None:
    """One font for every script, overriding the template's theme fonts and accent colours."""
    font = style.font
    font.size = Pt(size)
    font.color.rgb = RGBColor(0, 0, 0)
    font.italic = False
    if bold is not None:
        font.bold = bold
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


def _set_properties(document: DocxDocument, doc: ReportDocument) -> None:
    properties = document.core_properties
    properties.title = text.document_title(doc)
    properties.subject = doc.subject
    properties.language = LANGUAGE
    properties.keywords = f"{doc.paper_type}; {doc.reference}; {doc.body}"
    properties.author = doc.department or doc.body
    properties.last_modified_by = doc.department or doc.body
    properties.category = doc.paper_type
    properties.comments = text.draft_marker(doc) or text.release_line(doc)
    properties.revision = max(doc.version, 1)
    day = text.document_date(doc)
    stamp = (
        datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
        if day
        else datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    properties.created = stamp
    properties.modified = stamp


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry timestamps, so equal documents give equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return output.getvalue()


# -- header, footer, title block -------------------------------------------------------------


def _page_header_and_footer(document: DocxDocument, doc: ReportDocument) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if doc.is_draft:
        run = header.add_run(text.draft_word())
        run.bold = True
        run.font.color.rgb = DRAFT_RED
    footer = section.footer.paragraphs[0]
    footer.add_run(f"{doc.body} · {text.reference_line(doc)}\t")
    before, between, after = text.page_label_parts()
    footer.add_run(before)
    _add_field(footer, "PAGE")
    footer.add_run(between)
    _add_field(footer, "NUMPAGES")
    footer.add_run(after)


def _add_field(paragraph: Paragraph, instruction: str) -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) with "1" as the cached result until updated."""

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run("1")
    char("end")


def _title_block(document: DocxDocument, doc: ReportDocument) -> None:
    body = document.add_paragraph()
    body.paragraph_format.space_after = Pt(0)
    run = body.add_run(doc.body)
    run.bold = True
    run.font.size = Pt(13)
    department = document.add_paragraph(doc.department)
    department.paragraph_format.space_after = Pt(12)
    if not doc.department:
        body.paragraph_format.space_after = Pt(12)
        department._p.getparent().remove(department._p)
    paper_type = document.add_paragraph()
    run = paper_type.add_run(doc.paper_type)
    run.bold = True
    run.font.size = Pt(16)
    rows = text.header_rows(doc)
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].paragraphs[0].add_run(value)
    _set_widths(table, [Cm(3.5), Cm(TEXT_WIDTH_CM - 3.5)])
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.space_after = Pt(2)
    marker = text.draft_marker(doc)
    if marker:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(12)
        run = paragraph.add_run(marker)
        run.bold = True
        run.font.size = Pt(13)
        run.font.color.rgb = DRAFT_RED
    betreff = document.add_paragraph(style="Title")
    betreff.paragraph_format.space_before = Pt(18)
    if doc.is_council:
        subject_label = pgettext("council report", "Subject")
        betreff.add_run(f"{subject_label}: ")
    betreff.add_run(doc.subject)


def _consultations(document: DocxDocument, doc: ReportDocument) -> None:
    label = document.add_paragraph()
    label.paragraph_format.keep_with_next = True
    label.add_run(_("Order of consultation")).bold = True
    rows = [[c.committee, text.meeting_text(c), c.role] for c in doc.consultations]
    _data_table(
        document,
        columns=[
            pgettext("council report", "Committee"),
            pgettext("council report", "Meeting"),
            pgettext("council report", "Role"),
        ],
        rows=rows,
        numeric=[False, False, False],
        widths=[Cm(9.0), Cm(3.5), Cm(TEXT_WIDTH_CM - 12.5)],
    )


# -- body -------------------------------------------------------------------------------------


def _add_text(document: DocxDocument, value: str) -> None:
    """Paragraphs split on blank lines; single line breaks stay line breaks."""
    for lines in text.paragraphs(value):
        paragraph = document.add_paragraph()
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)
            if index < len(lines) - 1:
                run.add_break()


def _section(document: DocxDocument, doc: ReportDocument, section: Section) -> None:
    document.add_heading(f"{section.number}. {section.question}", level=text.heading_level(doc))
    _add_text(document, section.narrative)
    for block in section.blocks:
        _block(document, doc, block)


def _block(document: DocxDocument, doc: ReportDocument, block: Block) -> None:
    document.add_heading(block.title, level=text.heading_level(doc) + 1)
    _add_text(document, block.text)
    printed = block.printed_table
    if printed is not None:
        _block_table(document, printed)
    note = text.attachment_note(doc, block)
    if note:
        document.add_paragraph(note)
    if block.chart is not None:
        _chart(document, block.chart)
    source = document.add_paragraph()
    run = source.add_run(text.source_line(block))
    run.font.size = Pt(9)
    run.font.color.rgb = MUTED


def _block_table(document: DocxDocument, table: Table) -> None:
    caption = document.add_paragraph(table.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    numeric_count = sum(table.numeric)
    text_count = max(len(table.columns) - numeric_count, 1)
    text_width = (TEXT_WIDTH_CM - NUMERIC_COLUMN_CM * numeric_count) / text_count
    widths = [Cm(NUMERIC_COLUMN_CM) if n else Cm(text_width) for n in table.numeric]
    rendered = _data_table(
        document,
        columns=table.columns,
        rows=table.rows,
        numeric=table.numeric,
        widths=widths,
        footer=table.footer,
    )
    _table_caption(rendered, table.caption)


def _data_table(
    document: DocxDocument,
    *,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    widths: Sequence[Cm | int],
    footer: Sequence[str] | None = None,
) -> DocxTable:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    _cell_margins(table, vertical=Cm(0.08), horizontal=Cm(0.15))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _mark_header_row(table)
    for cell, label, is_number in zip(table.rows[0].cells, columns, numeric, strict=True):
        _fill(cell.paragraphs[0], label, is_number, bold=True)
        _shade(cell, HEADER_FILL)
    for values in rows:
        _add_row(table, values, numeric, bold=False)
    if footer:
        _add_row(table, footer, numeric, bold=True)
    _set_widths(table, widths)
    # A little air after the table, which Word otherwise glues to the next paragraph.
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    return table


def _add_row(
    table: DocxTable, values: Sequence[str], numeric: Sequence[bool], *, bold: bool
) -> None:
    row = table.add_row()
    row._tr.get_or_add_trPr().append(_on("w:cantSplit"))
    for cell, value, is_number in zip(row.cells, values, numeric, strict=True):
        _fill(cell.paragraphs[0], value, is_number, bold=bold)


def _fill(paragraph: Paragraph, value: str, is_number: bool, *, bold: bool) -> None:
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    if is_number:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(value)
    run.bold = bold


def _cell_margins(table: DocxTable, *, vertical: Cm, horizontal: Cm) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side, width in (
        ("top", vertical),
        ("left", horizontal),
        ("bottom", vertical),
        ("right", horizontal),
    ):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(width.twips)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    # Schema order: tblCellMar comes before tblLook (Word rejects the file otherwise).
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


def _table_caption(table: DocxTable, caption: str) -> None:
    """The table's title for assistive technology (Word: Table Properties → Alt Text)."""
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption)
    table._tbl.tblPr.append(element)  # last in tblPr, after tblLook


def _mark_header_row(table: DocxTable) -> None:
    """Repeat the first row on every page; assistive tools read it as the column headers."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(_on("w:cantSplit"))
    tr_pr.append(_on("w:tblHeader"))


def _on(tag: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def _shade(cell: object, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]


def _set_widths(table: DocxTable, widths: Sequence[Cm | int]) -> None:
    """Word reads cell widths, LibreOffice the grid; set both."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _chart(document: DocxDocument, chart: Chart) -> None:
    png = bar_chart_png(chart)
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(WIDTH_CM))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart.alt)
    doc_pr.set("title", chart.title)
    caption = document.add_paragraph(chart.title, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
