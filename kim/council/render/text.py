"""The wording shared by all three renderers, so DOCX, PDF and HTML say exactly the same.

Every function reads the active language (``render`` switches to German); nothing here touches
the database.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext

from kim.council.document import Block, Consultation, ReportDocument, Table

# Short labels carry the context "council report": the same English word elsewhere in the app
# ("Subject", "Role") means something else in German than on a Vorlage.
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_PAGE_FIELDS = ("\x00n\x00", "\x00total\x00")


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs split on blank lines; each paragraph is its list of lines (soft breaks)."""
    result = []
    for chunk in _BLANK_LINE.split(text.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.strip().split("\n")]
        if any(lines):
            result.append(lines)
    return result


def draft_marker(doc: ReportDocument) -> str:
    """``ENTWURF – Stand 31.08.2022`` for a draft, empty for a released report."""
    if not doc.is_draft:
        return ""
    return _("DRAFT – as of %(date)s") % {"date": doc.as_of}


def draft_word() -> str:
    """The short marker repeated in the page header of every page of a draft."""
    return pgettext("council report", "DRAFT")


def release_line(doc: ReportDocument) -> str:
    if doc.is_draft:
        return ""
    return _("Version %(version)s, released on %(date)s") % {
        "version": doc.version,
        "date": doc.released_on,
    }


def reference_line(doc: ReportDocument) -> str:
    """Running footer text: ``Vorlage Nr. 1234/2022``; ``Sachbericht 01.01.2025 – 31.12.2025``
    for a report of another kind."""
    if not doc.is_council:
        return f"{doc.paper_type} {doc.period}".strip()
    # gettext calls stay outside f-strings: xgettext does not look inside them.
    label = pgettext("council report", "Paper no.")
    return f"{label} {doc.reference}"


def header_rows(doc: ReportDocument) -> list[tuple[str, str]]:
    """The label/value lines under the title: paper number, date, the motion answered and the
    release state of a Vorlage; the document's own ``header_rows`` (and the release state)
    for a report of another kind (D-087)."""
    if doc.is_council:
        rows = [(pgettext("council report", "Paper no."), doc.reference), (_("Date"), doc.date)]
        motion = motion_line(doc)
        if motion:
            rows.append((pgettext("council report", "Relates to"), motion))
    else:
        rows = [(row.label, row.value) for row in doc.header_rows]
    if not doc.is_draft:
        rows.append((pgettext("council report", "Status"), release_line(doc)))
    return rows


def heading_level(doc: ReportDocument) -> int:
    """The heading level of a section: under "Sachverhalt" (2) in a Vorlage, right under the
    title (1) in a report of another kind; its blocks one level below."""
    return 2 if doc.is_council else 1


def motion_line(doc: ReportDocument) -> str:
    """What the report answers: ``A 77/2022 vom 19.08.2022: <title> (CDU-Fraktion, ...)``."""
    if not (doc.motion_reference or doc.motion_title):
        return ""
    parts = []
    if doc.motion_reference and doc.motion_date:
        parts.append(
            _("%(reference)s of %(date)s")
            % {"reference": doc.motion_reference, "date": doc.motion_date}
        )
    elif doc.motion_reference:
        parts.append(doc.motion_reference)
    text = ": ".join([*parts, doc.motion_title] if doc.motion_title else parts)
    if doc.motion_originators:
        text += f" ({', '.join(doc.motion_originators)})"
    return text


def meeting_text(consultation: Consultation) -> str:
    if consultation.public:
        return consultation.date
    label = pgettext("council report", "non-public")
    return f"{consultation.date} ({label})"


def source_line(block: Block) -> str:
    """``Stichtag: 31.08.2022 · Quelle: KIM-Plattform, Stellenverwaltung``."""
    reference_date = _("Reference date")
    parts = [f"{reference_date}: {block.as_of}"]
    if block.sources:
        label = npgettext("council report", "Source", "Sources", len(block.sources))
        parts.append(f"{label}: {'; '.join(block.sources)}")
    return " · ".join(parts)


def download_suffix(doc: ReportDocument) -> str:
    """What a download's file name says about the version: ``Entwurf`` or ``Version-2``."""
    return "Entwurf" if doc.is_draft else f"Version-{doc.version}"


def attachment_file_name(doc: ReportDocument, block: Block) -> str:
    """``Vorlage-196-2022-Version-2-Gespraeche.xlsx``: the XLSX with a summarised block's list."""
    from kim.council.render import file_name

    stem = block.attachment.translate(_UMLAUTS)
    return file_name(doc.reference, f"{download_suffix(doc)}-{stem}", "xlsx", file_prefix(doc))


def file_prefix(doc: ReportDocument) -> str:
    """The first word of a download's file name: ``Vorlage`` or ``Sachbericht``."""
    return "Vorlage" if doc.is_council else doc.paper_type.translate(_UMLAUTS)


_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def attachment_note(doc: ReportDocument, block: Block) -> str:
    """The sentence under a summary that names the attachment with the full list."""
    if block.summary is None or block.table is None or not block.attachment:
        return ""
    rows = len(block.table.rows)
    return ngettext(
        "The full list (%(n)s entry) is in the attachment “%(name)s”.",
        "The full list (%(n)s entries) is in the attachment “%(name)s”.",
        rows,
    ) % {"n": f"{rows:,}".replace(",", "."), "name": attachment_file_name(doc, block)}


def attachments(doc: ReportDocument) -> list[str]:
    """Everything the report lists under "Attachments": the motion's documents, then the XLSX
    files with the full lists of summarised blocks."""
    return [*doc.attachments, *(attachment_file_name(doc, b) for b in doc.summarised_blocks)]


def page_label_parts() -> list[str]:
    """The translated ``Seite X von Y`` cut around its two numbers: [before, between, after].

    DOCX puts PAGE/NUMPAGES fields and CSS puts ``counter(page)``/``counter(pages)`` into the gaps.
    """
    text = _("Page %(n)s of %(total)s") % {"n": _PAGE_FIELDS[0], "total": _PAGE_FIELDS[1]}
    before, rest = text.split(_PAGE_FIELDS[0], 1)
    between, after = rest.split(_PAGE_FIELDS[1], 1)
    return [before, between, after]


def iso_date(german: str) -> datetime.date | None:
    """``"07.09.2022"`` → ``date(2022, 9, 7)``; None if the text is no such date."""
    try:
        return datetime.datetime.strptime(german.strip(), "%d.%m.%Y").date()
    except ValueError:
        return None


def document_date(doc: ReportDocument) -> datetime.date | None:
    """The date that stands for the document in metadata: release day, else the paper's date."""
    return iso_date(doc.released_on) or iso_date(doc.date)


def document_title(doc: ReportDocument) -> str:
    if not doc.is_council:
        return f"{doc.paper_type}: {doc.subject}"
    return f"{doc.paper_type} {doc.reference}: {doc.subject}"


# --- keeping together what a line break must not tear apart (HTML and PDF) -------------------

NBSP = "\u00a0"
# A number and the word after it: "6,00 VZÄ", "57.000,00 €", "85 %", "1 mit einer Einigung".
# Not a date ("31.08.2022 umfassen") and not a code ("B2 Stadt").
_NUMBER_THEN_WORD = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?) (?=[^\W\d_]|[€%])"
)
# A label and its number: "Stelle 1", "Baustein 2", "Frage 3".
_LABEL_THEN_NUMBER = re.compile(r"\b(Stelle|Baustein|Bausteins|Frage|Nr\.|Version|Stufe) (?=\d)")
# Longer names may wrap: glued, they would overflow a table column.
MAX_NAME_LENGTH = 30


def keep_together(value: str, names: Iterable[str] = ()) -> str:
    """``value`` with non-breaking spaces inside the short ``names`` ("Stadt Siegen"), between
    a number and the word after it and between a label and its number."""
    for name in names:
        if " " in name and len(name) <= MAX_NAME_LENGTH:
            value = value.replace(name, name.replace(" ", NBSP))
    value = _LABEL_THEN_NUMBER.sub(rf"\1{NBSP}", value)
    return _NUMBER_THEN_WORD.sub(rf"\1{NBSP}", value)


def _table(table: Table, names: list[str]) -> Table:
    def cells(values: list[str]) -> list[str]:
        return [keep_together(v, names) for v in values]

    return dataclasses.replace(
        table,
        caption=keep_together(table.caption, names),
        rows=[cells(row) for row in table.rows],
        footer=cells(table.footer) if table.footer else None,
    )


def typeset(doc: ReportDocument) -> ReportDocument:
    """``doc`` with ``keep_together`` applied to what its answer blocks print – the computed
    sentences, table cells and captions, with the body's name ("Stadt Siegen") kept whole.
    The narratives stay the author's text; raw values and the frozen snapshot are untouched:
    this is typesetting, done when printing (so released versions get it too)."""
    names = [doc.body]

    def block(b: Block) -> Block:
        return dataclasses.replace(
            b,
            text=keep_together(b.text, names),
            # A summarised list is not printed: only its summary needs the typesetting.
            table=_table(b.table, names) if b.table and not b.summary else b.table,
            summary=_table(b.summary, names) if b.summary else None,
        )

    sections = [dataclasses.replace(s, blocks=[block(b) for b in s.blocks]) for s in doc.sections]
    return dataclasses.replace(doc, sections=sections)
