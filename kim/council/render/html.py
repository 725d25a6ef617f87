"""The report as HTML: a fragment for the app page (KERN classes) and a standalone page (PDF).

``council/report/document.html`` is the report itself and expects ``report`` (from
``report_context``) in its context. Inside the app it is included in a page that extends
``base.html``; ``council/report/standalone.html`` wraps the same fragment in a complete page
with its own print stylesheet, which WeasyPrint turns into the PDF.

Charts are PNG ``data:`` images: the app's CSP allows ``data:`` in ``img-src`` but no inline
styles, which matplotlib's SVG would need (see ``charts``). Every chart follows its data table.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Collection
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import get_language

from kim.council.document import Block, Chart, ReportDocument, Section, Table
from kim.council.render import text
from kim.council.render.charts import bar_chart_png

ID_PREFIX = "report-"


@dataclass(frozen=True)
class Cell:
    value: str
    numeric: bool
    row_header: bool = False


@dataclass(frozen=True)
class TableView:
    id: str
    caption: str
    header: list[Cell]
    rows: list[list[Cell]]
    footer: list[Cell] | None


@dataclass(frozen=True)
class ChartView:
    title: str
    alt: str
    src: str  # data:image/png;base64,...
    width: int  # pixels, for the img element's aspect ratio
    height: int
    table_id: str  # the table that holds the same figures


@dataclass(frozen=True)
class BlockView:
    id: str
    title: str
    paragraphs: list[list[str]]
    table: TableView | None
    chart: ChartView | None
    source: str
    attachment_note: str = ""  # a summarised list: where the full list is


@dataclass(frozen=True)
class SectionView:
    id: str
    heading: str
    paragraphs: list[list[str]]
    blocks: list[BlockView]
    changed: bool = False  # draft page only: figures changed since the text was saved


def report_context(
    doc: ReportDocument, *, chart_dpi: int = 150, changed: Collection[str] = ()
) -> dict[str, object]:
    """Everything ``council/report/document.html`` prints, worded in the active language.
    ``changed``: numbers of the sections to mark as "figures changed – check the text".
    Names and figures are kept together on one line (``text.typeset``)."""
    doc = text.typeset(doc)
    sections = [
        _section(doc, section, chart_dpi, section.number in changed) for section in doc.sections
    ]
    return {
        "report": {
            "doc": doc,
            "lang": get_language() or "de",
            "id": ID_PREFIX,
            "title": text.document_title(doc),
            "draft_marker": text.draft_marker(doc),
            "draft_word": text.draft_word() if doc.is_draft else "",
            "release_line": text.release_line(doc),
            "motion_line": text.motion_line(doc),
            "reference_line": text.reference_line(doc),
            "header_rows": text.header_rows(doc),
            "is_council": doc.is_council,
            # HTML heading levels: the title is h1; a Vorlage's sections sit under the h2
            # "Sachverhalt", a Sachbericht's right under the title (D-087).
            "section_level": text.heading_level(doc) + 1,
            "block_level": text.heading_level(doc) + 2,
            "proposal": text.paragraphs(doc.proposal),
            "introduction": text.paragraphs(doc.introduction),
            "consultations": [
                (c.committee, text.meeting_text(c), c.role) for c in doc.consultations
            ],
            "sections": sections,
            "attachments": text.attachments(doc),
        }
    }


def render_html(doc: ReportDocument, *, standalone: bool, changed: Collection[str] = ()) -> str:
    """The report fragment (for an app page) or a complete page with print CSS (for the PDF).
    ``changed`` marks sections in the fragment (the draft page); downloads never carry it."""
    if not standalone:
        return render_to_string(
            "council/report/document.html", report_context(doc, changed=changed)
        )
    return standalone_html(doc)


def standalone_html(doc: ReportDocument, *, chart_dpi: int = 150) -> str:
    context = report_context(doc, chart_dpi=chart_dpi)
    date = text.document_date(doc)
    context["iso_date"] = date.isoformat() if date else ""
    context["page_counter_css"] = _page_counter_css()
    context["draft_css"] = _css_string(text.draft_word()) if doc.is_draft else ""
    context["running_css"] = _css_string(f"{doc.body} · {text.reference_line(doc)}")
    return render_to_string("council/report/standalone.html", context)


def _section(doc: ReportDocument, section: Section, dpi: int, changed: bool = False) -> SectionView:
    section_id = f"{ID_PREFIX}q-{section.number}"
    blocks = [
        _block(doc, block, f"{section_id}-{index}", dpi)
        for index, block in enumerate(section.blocks, 1)
    ]
    return SectionView(
        id=section_id,
        heading=f"{section.number}. {section.question}",
        paragraphs=text.paragraphs(section.narrative),
        blocks=blocks,
        changed=changed,
    )


def _block(doc: ReportDocument, block: Block, block_id: str, dpi: int) -> BlockView:
    printed = block.printed_table
    table = _table(printed, f"{block_id}-table") if printed else None
    return BlockView(
        id=block_id,
        title=block.title,
        paragraphs=text.paragraphs(block.text),
        table=table,
        chart=_chart(block.chart, table.id if table else "", dpi) if block.chart else None,
        source=text.source_line(block),
        attachment_note=text.attachment_note(doc, block),
    )


def _table(table: Table, table_id: str) -> TableView:
    # The first column names the row (Baustein, employer ...) unless it holds numbers.
    first_is_label = bool(table.numeric) and not table.numeric[0]

    def cells(values: list[str]) -> list[Cell]:
        return [
            Cell(value, numeric, row_header=index == 0 and first_is_label)
            for index, (value, numeric) in enumerate(zip(values, table.numeric, strict=True))
        ]

    return TableView(
        id=table_id,
        caption=table.caption,
        header=[Cell(c, n) for c, n in zip(table.columns, table.numeric, strict=True)],
        rows=[cells(row) for row in table.rows],
        footer=cells(table.footer) if table.footer else None,
    )


def _chart(chart: Chart, table_id: str, dpi: int) -> ChartView:
    png = bar_chart_png(chart, dpi=dpi)
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    # The PNG header (IHDR) holds width and height as big-endian integers at bytes 16–24.
    width, height = struct.unpack(">II", png[16:24])
    return ChartView(
        title=chart.title, alt=chart.alt, src=src, width=width, height=height, table_id=table_id
    )


def _css_string(value: str) -> str:
    """A CSS string literal; escapes what could end the string or the ``<style>`` element."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&\n' or ord(char) < 32 else char for char in value
    )
    return f'"{escaped}"'


def _page_counter_css() -> str:
    """``"Seite " counter(page) " von " counter(pages)`` from the translated label."""
    before, between, after = text.page_label_parts()
    parts = [_css_string(before), "counter(page)", _css_string(between), "counter(pages)"]
    if after:
        parts.append(_css_string(after))
    return " ".join(parts)
