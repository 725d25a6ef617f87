"""The report as PDF: WeasyPrint prints the standalone HTML page.

PDF/UA-1 (``pdf_variant="pdf/ua-1"``) makes WeasyPrint write a tagged PDF: headings, tables
with header cells, figures with their alternative text, the document language and title, and
the XMP metadata that says so. Fonts are embedded as subsets (DejaVu, from ``fonts-dejavu-core``).
The file identifier is derived from the content, and the dates come from the document, so
equal reports give equal bytes.
"""

from __future__ import annotations

import hashlib

from kim.council.document import ReportDocument
from kim.council.render.html import standalone_html

PDF_VARIANT = "pdf/ua-1"
# Print needs more pixels than a screen: 200 dpi over 16 cm.
CHART_DPI = 200


def render_pdf(doc: ReportDocument) -> bytes:
    # WeasyPrint pulls in Pango through cffi: import it only when a PDF is wanted.
    from weasyprint import HTML

    page = standalone_html(doc, chart_dpi=CHART_DPI)
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    result = HTML(string=page, base_url=None).write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_identifier=identifier,
        uncompressed_pdf=False,
    )
    assert result is not None  # without a target, write_pdf returns the bytes
    return result
