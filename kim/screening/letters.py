"""The invitation letter for one person of a list: an invitation to counselling, never a legal
promise – as DOCX, HTML and PDF from the same data, in German or bilingual (issue 19, D-092).

Content: the authority as sender, placeholders for address and date, the file number, a
salutation with the label (or a placeholder), the rules that look promising (likely now or from
a date), the documents to bring (derived from the criteria that are unclear or not met) and the
authority's contact (placeholders where the platform does not know it).

The wording is data (``LetterText``): the German text is binding and comes first; with a
language chosen, the translation follows as a complete letter, headed with the language's name
in German and in the language itself. Terms the translation lacks (a rule's title, a document)
are printed in German, marked ``lang="de"``. Right-to-left languages: ``dir="rtl"`` in HTML and
PDF, Word's bidi marks in DOCX (``kim.core.docx_text``). The letter never depends on the
officer's UI language.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone

from kim.core import docx_text, languages
from kim.organisations.models import Organisation
from kim.screening.models import LetterText, ScreeningEntry
from kim.screening.queries.lists import results_of
from kim.screening.reference_data import LETTER_TERMS_DE, LETTER_TEXT_DE

DEMO_MARK = "Demo-Text – keine geprüfte Übersetzung"
PLACEHOLDERS = {"salutation": ("name",), "possibly_from": ("rule", "day")}
OFFICER_LINES = ("[Telefon, E-Mail, Sprechzeiten, Zimmer]", "[Name der Sachbearbeitung]")
HEADER_LINES = ("[Anschrift der Person]", "[Ort], [Datum]")

# Keywords in a criterion id → the document that proves it (first match wins); the key names
# the document in ``LetterText.terms``.
DOCUMENTS: list[tuple[str, tuple[str, ...]]] = [
    ("language_certificate", ("oral", "language", "german", "sprach")),
    ("test_certificate", ("test", "knowledge")),
    ("school_reports", ("school", "education", "qualification")),
    ("identity", ("identity", "passport")),
    ("income", ("livelihood", "benefit", "sgb", "employ", "income")),
    ("children_school", ("child",)),
    ("residence_papers", ("period", "residence", "status", "duldung", "years", "stay")),
]
DOCUMENT_KEYS = tuple(key for key, _keywords in DOCUMENTS)


@dataclass(frozen=True)
class Promising:
    rule: str  # a ``Rule`` value
    when: str  # "" (now) or the date from which it looks likely


def promising_rules(results: list[dict[str, Any]]) -> list[Promising]:
    items = []
    for result in results:
        if result.get("outcome") == "likely":
            items.append(Promising(result["rule"], ""))
        elif result.get("met_from") and result.get("outcome") != "not_in_force":
            day = formats.date_format(dt.date.fromisoformat(result["met_from"]), "d.m.Y")
            items.append(Promising(result["rule"], day))
    return items


def documents_to_bring(results: list[dict[str, Any]]) -> list[str]:
    """Keys of the documents for the checkable criteria that are unclear or not met (of rules
    in force), after the passport that every application needs."""
    wanted: list[str] = ["identity"]
    for result in results:
        if result.get("outcome") == "not_in_force":
            continue
        for c in result.get("criteria", []):
            if c.get("kind") != "checkable" or c.get("met") is True:
                continue
            cid = str(c.get("id", "")).lower()
            for key, keywords in DOCUMENTS:
                if any(k in cid for k in keywords):
                    if key not in wanted:
                        wanted.append(key)
                    break
    return wanted


# --------------------------------------------------------------------------------------------
# Which text: the Kreis' text valid today for the language, else the platform default
# --------------------------------------------------------------------------------------------


def letter_texts(region_id: int | None, day: dt.date) -> dict[str, LetterText]:
    """The text valid on ``day`` per language for a Kreis (its own, else the default)."""
    found: dict[str, LetterText] = {}
    rows = (
        LetterText.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .filter(Q(region__isnull=True) | Q(region_id=region_id))
        .order_by("language", "-valid_from")
    )
    for text in rows:
        current = found.get(text.language)
        if current is None or (current.region_id is None and text.region_id is not None):
            found[text.language] = text
    return found


def letter_language_choices(texts: dict[str, LetterText]) -> list[tuple[str, str]]:
    """German, then the languages with a text (name in the UI language)."""
    return [(code, name) for code, name in languages.choices() if code in texts or code == "de"]


def _german_default() -> LetterText:
    """The reference text, unsaved: the letter works before reference data are loaded."""
    return LetterText(**LETTER_TEXT_DE)


# --------------------------------------------------------------------------------------------
# The letter's data, one part per language
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str
    language: str

    @property
    def direction(self) -> str:
        return languages.direction(self.language)


@dataclass
class LetterPart:
    language: str
    title: str
    file_number: str
    salutation: str
    intro: str
    promising_intro: str
    promising: list[Line]
    documents_intro: str
    documents: list[Line]
    disclaimer: str
    contact: str
    closing: str
    binding_note: str = ""
    certified_by: str = ""
    is_demo: bool = False

    @property
    def direction(self) -> str:
        return languages.direction(self.language)

    @property
    def is_rtl(self) -> bool:
        return languages.is_rtl(self.language)

    @property
    def heading(self) -> str:
        language = languages.get(self.language)
        name = language.name_de if language else self.language
        return f"Übersetzung: {name} – {languages.autonym(self.language)}"


@dataclass
class Letter:
    authority: str
    language: str  # "de" or the translation's language
    parts: list[LetterPart] = field(default_factory=list)
    header_lines: tuple[str, ...] = HEADER_LINES
    officer_lines: tuple[str, ...] = OFFICER_LINES
    demo_mark: str = DEMO_MARK


class _Safe(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _term(text: LetterText, german: LetterText, key: str) -> Line:
    """The term in the text's language, else in German (``lang="de"``)."""
    value = (text.terms or {}).get(key)
    if value:
        return Line(str(value), text.language)
    fallback = (german.terms or {}).get(key) or LETTER_TERMS_DE.get(key, key)
    return Line(str(fallback), "de")


def _part(
    text: LetterText,
    german: LetterText,
    entry: ScreeningEntry,
    authority: Organisation,
    results: list[dict[str, Any]],
) -> LetterPart:
    lang = text.language
    promising = []
    for item in promising_rules(results):
        title = _term(text, german, item.rule)
        if not item.when:
            promising.append(title)
        elif title.language == lang:
            line = text.possibly_from.format_map(_Safe(rule=title.text, day=item.when))
            promising.append(Line(line, lang))
        else:
            line = german.possibly_from.format_map(_Safe(rule=title.text, day=item.when))
            promising.append(Line(line, "de"))
    return LetterPart(
        language=lang,
        title=text.title,
        file_number=f"{text.file_number_label}: {entry.ref}",
        salutation=text.salutation.format_map(_Safe(name=entry.label or "[Name]")),
        intro=text.intro,
        promising_intro=text.promising_intro,
        promising=promising or [Line(text.fallback_promising, lang)],
        documents_intro=text.documents_intro,
        documents=[_term(text, german, key) for key in documents_to_bring(results)],
        disclaimer=text.disclaimer,
        contact=f"{text.contact_label}: {authority.name}",
        closing=text.closing,
        binding_note=text.binding_note if lang != "de" else "",
        certified_by=text.certified_by if lang != "de" else "",
        is_demo=text.is_demo,
    )


def build_letter(entry: ScreeningEntry, authority: Organisation, language: str = "de") -> Letter:
    """The German letter, followed by the translation in ``language`` if the authority's Kreis
    (or the platform) has a text for it."""
    texts = letter_texts(authority.region_id_or_self, timezone.localdate())
    german = texts.get("de") or _german_default()
    results = results_of(entry)
    letter = Letter(authority=authority.name, language="de")
    letter.parts.append(_part(german, german, entry, authority, results))
    if language != "de" and language in texts:
        letter.parts.append(_part(texts[language], german, entry, authority, results))
        letter.language = language
    return letter


def preview_letter(text: LetterText, entry: ScreeningEntry, region: Organisation) -> Letter:
    """The letter for an example entry: the Kreis' German text valid today, then ``text``."""
    texts = letter_texts(region.pk, timezone.localdate())
    german = text if text.language == "de" else texts.get("de") or _german_default()
    results = results_of(entry)
    letter = Letter(authority=region.name, language=text.language)
    letter.parts.append(_part(german, german, entry, region, results))
    if text.language != "de":
        letter.parts.append(_part(text, german, entry, region, results))
    return letter


# --------------------------------------------------------------------------------------------
# The three formats from the same data
# --------------------------------------------------------------------------------------------


def letter_html(letter: Letter, *, inline_css: str = "", params: str = "") -> str:
    return render_to_string(
        "screening/letter.html", {"letter": letter, "inline_css": inline_css, "params": params}
    )


def letter_pdf(letter: Letter) -> bytes:
    from kim.core.pdf import html_to_pdf

    return html_to_pdf(letter_html(letter, inline_css=letter_css()))


def letter_css() -> str:
    """The consent form's print stylesheet (A4, logical properties, fonts per script)."""
    from kim.cases.queries.consent import print_css

    return print_css()


def letter_docx(letter: Letter) -> bytes:
    doc = docx_text.new_document()
    docx_text.add_paragraph(doc, letter.authority, "de", bold=True)
    for line in letter.header_lines:
        docx_text.add_paragraph(doc, line, "de")
    for index, part in enumerate(letter.parts):
        _docx_part(doc, letter, part, translation=index > 0)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_part(doc: Any, letter: Letter, part: LetterPart, *, translation: bool) -> None:
    from docx.enum.text import WD_BREAK

    lang = part.language
    if translation:
        doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        docx_text.add_paragraph(doc, part.heading, "de", bold=True)
        if part.is_demo:
            docx_text.add_paragraph(doc, letter.demo_mark, "de", bold=True)
        if part.binding_note:
            docx_text.add_paragraph(doc, part.binding_note, lang, bold=True)
    docx_text.add_heading(doc, part.title, lang, level=1)
    for text in (part.file_number, part.salutation, part.intro, part.promising_intro):
        if text:
            docx_text.add_paragraph(doc, text, lang)
    for item in part.promising:
        docx_text.add_paragraph(doc, item.text, item.language, style="List Bullet")
    docx_text.add_paragraph(doc, part.documents_intro, lang)
    for item in part.documents:
        docx_text.add_paragraph(doc, item.text, item.language, style="List Bullet")
    docx_text.add_paragraph(doc, part.disclaimer, lang, bold=True)
    docx_text.add_paragraph(doc, part.contact, lang)
    docx_text.add_paragraph(doc, letter.officer_lines[0], "de")
    docx_text.add_paragraph(doc, part.closing, lang)
    docx_text.add_paragraph(doc, letter.officer_lines[1], "de")
    if part.certified_by:
        docx_text.add_paragraph(doc, f"Übersetzung bestätigt von: {part.certified_by}", "de")


def invitation_letter(entry: ScreeningEntry, authority: Organisation) -> bytes:
    """The German letter as DOCX bytes (kept for callers of the first version)."""
    return letter_docx(build_letter(entry, authority))
