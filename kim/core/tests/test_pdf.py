"""The one PDF printer (``kim.core.pdf.html_to_pdf``) and WeasyPrint's early line break.

WeasyPrint measures a paragraph's last line with the trailing space that template indentation
leaves before ``</p>``; when the text fits only without that space, it breaks after the first
word instead ("Stadt" / "Siegen: Bis zum …", WeasyPrint issue #1051). ``html_to_pdf`` removes
such spaces before it prints, for every PDF of the platform.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kim.core.pdf import html_to_pdf, trim_trailing_spaces

# 165 mm of text width (A4 minus 2.5 cm and 2 cm, as in the council report): this sentence
# fits on one line only without the space the template puts after it.
PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>t</title><style>
@page {{ size: A4; margin: 2.5cm 2cm 2.2cm 2.5cm; }}
html {{ font-family: "DejaVu Sans"; font-size: 10pt; line-height: 1.4; }} body {{ margin: 0; }}
</style></head><body>
    <p class="kern-body">
        {text}
    </p>
</body></html>"""
SENTENCE = (
    "Stadt Siegen: Bis zum 31.08.2022 wurde kein Interessenbekundungsverfahren veröffentlicht."
)


def _text(pdf: bytes, tmp_path: Path) -> list[str]:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


def test_a_nearly_full_line_is_not_broken_after_its_first_word(tmp_path: Path) -> None:
    lines = _text(html_to_pdf(PAGE.format(text=SENTENCE)), tmp_path)
    assert lines == [SENTENCE]


def test_trailing_spaces_go_only_where_they_end_a_line() -> None:
    html = (
        "<p>\n  Eins <strong>zwei</strong> drei\n  </p><td> 4,00 </td>a<br>\n b <span>c </span>d"
        "<li><strong>fett </strong>\n</li>"
    )
    assert trim_trailing_spaces(html) == (
        "<p>\n  Eins <strong>zwei</strong> drei</p><td> 4,00</td>a<br>\n b <span>c </span>d"
        "<li><strong>fett</strong></li>"
    )


def test_preformatted_text_keeps_its_spaces() -> None:
    html = "<pre>a  \n  </pre><p>x </p>"
    assert trim_trailing_spaces(html) == "<pre>a  \n  </pre><p>x</p>"
