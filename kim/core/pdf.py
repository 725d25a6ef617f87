"""Printing a standalone HTML page as PDF with WeasyPrint (council reports, consent forms,
case summaries, Art. 15 exports).

PDF/UA-1 makes WeasyPrint write a tagged PDF (headings, tables with header cells, figures with
their alternative text, language and title); fonts are embedded as subsets. The file
identifier is derived from the content, so equal pages give equal bytes.
"""

from __future__ import annotations

import hashlib

PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(page: str) -> bytes:
    # WeasyPrint pulls in Pango through cffi: import it only when a PDF is wanted.
    from weasyprint import HTML

    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    result = HTML(string=page, base_url=None).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_identifier=identifier
    )
    assert result is not None  # without a target, write_pdf returns the bytes
    return result
