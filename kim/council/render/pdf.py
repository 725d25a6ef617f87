"""The report as PDF: WeasyPrint prints the standalone HTML page.

PDF/UA-1 (``pdf_variant="pdf/ua-1"``) makes WeasyPrint write a tagged PDF: headings, tables
with header cells, figures with their alternative text, the document language and title, and
the XMP metadata that says so. Fonts are embedded as subsets (DejaVu, from ``fonts-dejavu-core``).
The file identifier is derived from the content, and the dates come from the document, so
equal reports give equal bytes.
"""

from __future__ import annotations

from kim.core.pdf import html_to_pdf
from kim.council.document import ReportDocument
from kim.council.render.html import standalone_html

# Print needs more pixels than a screen: 200 dpi over 16 cm.
CHART_DPI = 200


def render_pdf(doc: ReportDocument) -> bytes:
    return html_to_pdf(standalone_html(doc, chart_dpi=CHART_DPI))
