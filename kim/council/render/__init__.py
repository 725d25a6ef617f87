"""Renderers for the administration's report: DOCX, PDF and HTML from a ``ReportDocument``.

They read only the document (never the database), so a frozen report renders the same forever.
``render`` prints in German, whatever the language of the request.
"""

from __future__ import annotations

import re
from typing import Final

from django.utils import translation

from kim.council.document import ReportDocument

FORMATS: Final = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "pdf": ("application/pdf", "pdf"),
    "html": ("text/html; charset=utf-8", "html"),
}
LANGUAGE: Final = "de"
XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(doc: ReportDocument, fmt: str) -> tuple[bytes, str, str]:
    """``(content, content_type, file extension)``; ``ValueError`` for an unknown format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    content_type, extension = FORMATS[fmt]
    with translation.override(LANGUAGE):
        if fmt == "docx":
            from kim.council.render.docx import render_docx

            content = render_docx(doc)
        elif fmt == "pdf":
            from kim.council.render.pdf import render_pdf

            content = render_pdf(doc)
        else:
            from kim.council.render.html import render_html

            content = render_html(doc, standalone=True).encode("utf-8")
    return content, content_type, extension


def attachment_blocks(doc: ReportDocument) -> dict[str, str]:
    """``{block key: XLSX file name}`` of the lists that go with ``doc`` as attachments."""
    from kim.council.render import text

    with translation.override(LANGUAGE):
        return {b.key: text.attachment_file_name(doc, b) for b in doc.summarised_blocks}


def render_attachment(doc: ReportDocument, key: str) -> tuple[bytes, str]:
    """``(XLSX content, file name)``: the full list of the summarised block ``key`` – exactly
    the rows the report was composed with (a released version: its snapshot). ``KeyError``
    when ``doc`` has no such attachment. Cells go through the platform's XLSX writer, so user
    text never becomes a formula; German dates become date cells."""
    from kim.core.exports import xlsx_bytes
    from kim.council.render import text

    block = next((b for b in doc.summarised_blocks if b.key == key), None)
    if block is None or block.table is None:
        raise KeyError(key)
    rows = [[text.iso_date(cell) or cell for cell in row] for row in block.table.rows]
    with translation.override(LANGUAGE):
        name = text.attachment_file_name(doc, block)
    return xlsx_bytes(block.attachment, block.table.columns, rows), name


def file_name(reference: str, suffix: str, extension: str, prefix: str = "Vorlage") -> str:
    """``Vorlage-196-2022-Entwurf.docx``: the reference number with anything but letters and
    digits as hyphens (umlauts spelt out); ``prefix`` names the kind of report."""
    from kim.council.render.text import _UMLAUTS

    stem = re.sub(r"[^0-9A-Za-z]+", "-", reference.translate(_UMLAUTS)).strip("-") or "Bericht"
    return f"{prefix}-{stem}-{suffix}.{extension}"
