"""Paragraphs in a client's language for DOCX documents (python-docx), right-to-left included
(issue 19, D-092).

Word needs four marks to lay out and shape Arabic or Farsi correctly: the paragraph's
``<w:bidi/>`` (right-to-left paragraph, which also makes "left" alignment mean the start) with
right alignment, each run's ``<w:rtl/>``, the complex-script font ``<w:rFonts w:cs="…"/>`` and
the run's bidi language ``<w:lang w:bidi="ar-SA"/>``. Left-to-right paragraphs get none of
them, only ``w:lang w:val``. Used by the consent form (kim/cases) and the invitation letter
(kim/screening); the font is Debian's ``fonts-noto-core``, the same as in the PDF.
"""

from __future__ import annotations

from typing import Any

from kim.core import languages

LATIN_FONT = "Arial"
RTL_FONT = "Noto Naskh Arabic"
# The bidi language tags Word expects (language-REGION), per catalogue code.
BIDI_TAGS = {
    "ar": "ar-SA",
    "fa": "fa-IR",
    "prs": "fa-AF",
    "ps": "ps-AF",
    "ur": "ur-PK",
    "ckb": "ckb-IQ",
    "he": "he-IL",
}
RTL_FONTS = {"he": "Noto Sans Hebrew"}
# Children of ``w:pPr`` that follow ``w:bidi`` in the schema's sequence (Word is strict).
_AFTER_BIDI = (
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _element(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(key), value)
    return element


def _style_run(run: Any, language: str) -> None:
    from docx.oxml.ns import qn

    run.font.name = LATIN_FONT
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _element("w:rFonts")
        rpr.insert(0, fonts)
    if languages.is_rtl(language):
        fonts.set(qn("w:cs"), RTL_FONTS.get(language, RTL_FONT))
        run.font.rtl = True
        rpr.append(_element("w:lang", **{"w:bidi": BIDI_TAGS.get(language, language)}))
    else:
        rpr.append(_element("w:lang", **{"w:val": language}))


def add_run(paragraph: Any, text: str, language: str, *, bold: bool = False) -> Any:
    run = paragraph.add_run(text)
    run.bold = bold or None
    _style_run(run, language)
    return run


def mark_paragraph(paragraph: Any, language: str) -> Any:
    """Right-to-left paragraph marks (``w:bidi``, right alignment) for an RTL language."""
    if languages.is_rtl(language):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        ppr = paragraph._p.get_or_add_pPr()
        ppr.insert_element_before(_element("w:bidi"), *_AFTER_BIDI)
    return paragraph


def add_paragraph(
    doc: Any, text: str, language: str, *, bold: bool = False, style: str | None = None
) -> Any:
    """A paragraph of ``text`` in ``language`` (one run), RTL-marked where the script needs it."""
    paragraph = doc.add_paragraph(style=style)
    add_run(paragraph, text, language, bold=bold)
    return mark_paragraph(paragraph, language)


def add_heading(doc: Any, text: str, language: str, level: int = 1) -> Any:
    paragraph = doc.add_heading(level=level)
    add_run(paragraph, text, language)
    return mark_paragraph(paragraph, language)


def new_document() -> Any:
    """An empty A4 document (python-docx's template is US Letter)."""
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
    return doc


def is_rtl_paragraph(paragraph: Any) -> bool:
    """Whether a paragraph carries ``w:bidi`` (for tests and checks)."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.pPr
    return ppr is not None and ppr.find(qn("w:bidi")) is not None


def is_rtl_run(run: Any) -> bool:
    from docx.oxml.ns import qn

    rpr = run._r.rPr
    return rpr is not None and rpr.find(qn("w:rtl")) is not None
