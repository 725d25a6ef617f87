"""Printing a standalone HTML page as PDF with WeasyPrint (council reports, consent forms,
case summaries, Art. 15 exports).

PDF/UA-1 makes WeasyPrint write a tagged PDF (headings, tables with header cells, figures with
their alternative text, language and title); fonts are embedded as subsets. The file
identifier is derived from the content, so equal pages give equal bytes.

Before printing, the spaces that template indentation leaves at the end of a paragraph, a
cell or a line are removed (``trim_trailing_spaces``): WeasyPrint measures a last line with
that space, and when the text fits only without it, it breaks after the first word – the
council report printed "Stadt" alone above "Siegen: Bis zum …" (WeasyPrint issue #1051).
In a browser such a space never shows, so removing it changes nothing else.
"""

from __future__ import annotations

import hashlib
import re

PDF_VARIANT = "pdf/ua-1"

# Whitespace before the end of a block (its last line ends there) or before a forced break,
# also when inline elements close in between ("x </strong></p>").
_TRAILING = re.compile(
    r"\s+(?=(?:</(?:a|abbr|b|em|i|small|span|strong)>\s*)*"
    r"(?:</(?:p|li|td|th|dd|dt|h[1-6]|caption|figcaption|div|blockquote|section|article"
    r"|header|footer|main|body)>|<br\s*/?>))",
    re.IGNORECASE,
)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.IGNORECASE | re.DOTALL)


def trim_trailing_spaces(page: str) -> str:
    """``page`` without whitespace before block ends and ``<br>``; ``<pre>`` stays as it is."""
    parts = _PRE.split(page)
    return "".join(
        part if index % 2 else _TRAILING.sub("", part) for index, part in enumerate(parts)
    )


def html_to_pdf(page: str) -> bytes:
    # WeasyPrint pulls in Pango through cffi: import it only when a PDF is wanted.
    from weasyprint import HTML

    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    result = HTML(string=trim_trailing_spaces(page), base_url=None).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_identifier=identifier
    )
    assert result is not None  # without a target, write_pdf returns the bytes
    return result
