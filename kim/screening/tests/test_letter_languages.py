"""The invitation letter in the clients' languages (issue 19, D-092): German first and
binding, the translation after it in DOCX, PDF and HTML from the same data, Arabic right to
left; missing terms in German; audit with language and format; the coordination's letter
text pages (validation, versions, permissions, query count)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.screening.actions.letters import save_letter_text
from kim.screening.letters import build_letter, letter_texts
from kim.screening.models import LetterText, ScreeningEntry, ScreeningList
from tests.support import reauthenticated

pytestmark = pytest.mark.django_db

BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
AR_TITLE = "دعوة إلى استشارة حول آفاق إقامتك"
DE_TITLE = "Einladung zur Beratung über Ihre Aufenthaltsperspektive"
TEXTS = "/screening/texte/"


def _kreis() -> Organisation:
    return Organisation.objects.get(kind="kreis", name__contains="Siegen")


def _letter_url(**params: str) -> str:
    screening_list = ScreeningList.objects.filter(status="done").order_by("id").first()
    assert screening_list is not None
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/screening/listen/{screening_list.code}/personen/1/einladung/?{query}"


def _example_entry() -> ScreeningEntry:
    entry = ScreeningEntry(ref="AZ-1", label="Erika Mustermann")
    entry.results = json.dumps(
        [
            {"rule": "aufenthg_25b", "outcome": "likely", "criteria": []},
            {"rule": "stag_10_3", "outcome": "likely", "criteria": []},
        ]
    )
    return entry


def test_missing_terms_are_printed_in_german() -> None:
    authority = Organisation.objects.get(name="Ausländerbehörde Kreis Siegen-Wittgenstein")
    letter = build_letter(_example_entry(), authority, "ar")
    german, arabic = letter.parts
    assert german.language == "de" and german.title == DE_TITLE
    assert german.salutation == "Guten Tag Erika Mustermann,"
    assert [(x.text, x.language) for x in arabic.promising] == [
        ("§ 25b AufenthG – الاندماج المستدام", "ar"),
        ("§ 10 Abs. 3 StAG – Einbürgerung nach 3 Jahren (ehemals)", "de"),  # no Arabic term
    ]
    assert arabic.heading == "Übersetzung: Arabisch – العربية" and arabic.is_demo
    assert arabic.salutation == "مرحبًا Erika Mustermann،"
    # A language without a text: German only.
    assert len(build_letter(_example_entry(), authority, "fa").parts) == 1


def test_arabic_letter_docx_marks_arabic_paragraphs_bidi() -> None:
    from docx import Document

    from kim.core.docx_text import is_rtl_paragraph, is_rtl_run

    client = reauthenticated("abh")
    response = client.get(_letter_url(sprache="ar"))
    assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
    assert response["Content-Disposition"].endswith('-1-ar.docx"')
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    assert texts.index(DE_TITLE) < texts.index(AR_TITLE)
    assert "Übersetzung: Arabisch – العربية" in texts
    assert "Demo-Text – keine geprüfte Übersetzung" in texts
    arabic = doc.paragraphs[texts.index(AR_TITLE)]
    assert is_rtl_paragraph(arabic) and all(is_rtl_run(r) for r in arabic.runs)
    assert arabic.text == AR_TITLE  # reads back equal
    german = doc.paragraphs[texts.index(DE_TITLE)]
    assert not is_rtl_paragraph(german) and not any(is_rtl_run(r) for r in german.runs)
    event = AuditEvent.objects.filter(event_type=EventType.SCREENING_LETTER_CREATED).latest("id")
    assert event.extra["language"] == "ar" and event.extra["format"] == "docx"


def test_arabic_letter_pdf_and_html(tmp_path: Path) -> None:
    client = reauthenticated("abh")
    response = client.get(_letter_url(sprache="ar", format="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],  # noqa: S607 - poppler-utils from Debian
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    text = BIDI_MARKS.sub("", text)
    assert DE_TITLE in text and AR_TITLE in text and text.index(DE_TITLE) < text.index(AR_TITLE)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)],  # noqa: S607 - poppler-utils from Debian
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Noto-Naskh-Arabic" in fonts
    page = client.get(_letter_url(sprache="ar", format="html")).content.decode()
    german, arabic = re.findall(r"<article[^>]*>", page)
    assert 'lang="de"' in german and "dir=" not in german
    assert 'lang="ar"' in arabic and 'dir="rtl"' in arabic
    events = AuditEvent.objects.filter(event_type=EventType.SCREENING_LETTER_CREATED)
    assert [(e.extra["language"], e.extra["format"]) for e in events.order_by("id")][-2:] == [
        ("ar", "pdf"),
        ("ar", "html"),
    ]


def test_only_languages_with_a_text_are_offered_german_by_default() -> None:
    client = reauthenticated("abh")
    screening_list = ScreeningList.objects.filter(status="done").order_by("id").first()
    assert screening_list is not None
    page = client.get(f"/screening/listen/{screening_list.code}/personen/1/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', page)
    assert options[0] == "de" and set(options) == {"de", "en", "ar", "uk"}
    assert "selected" not in page.split('id="id_sprache"')[1].split("</select>")[0]
    assert client.get(_letter_url(sprache="fa")).status_code == 404
    assert client.get(_letter_url(format="odt")).status_code == 404


def test_kreis_text_new_version_ends_the_old_one() -> None:
    kreis, today = _kreis(), timezone.localdate()
    old = LetterText.objects.get(region=kreis, language="uk")
    fields = {
        f: getattr(old, f)
        for f in (
            "title",
            "file_number_label",
            "salutation",
            "intro",
            "promising_intro",
            "fallback_promising",
            "possibly_from",
            "documents_intro",
            "disclaimer",
            "contact_label",
            "closing",
            "binding_note",
            "terms",
        )
    }
    new = save_letter_text(
        acting_user=None,
        region=kreis,
        language="uk",
        valid_from=today + dt.timedelta(days=3),
        certified_by="Übersetzungsbüro Muster, beeidigt",
        **fields,
    )
    old.refresh_from_db()
    assert old.valid_to == today + dt.timedelta(days=2)
    assert letter_texts(kreis.pk, today)["uk"] == old
    assert letter_texts(kreis.pk, today + dt.timedelta(days=3))["uk"] == new
    assert letter_texts(None, today)["de"].region_id is None  # the platform default
    event = AuditEvent.objects.filter(event_type=EventType.LETTER_TEXT_SAVED).latest("id")
    assert event.extra["language"] == "uk" and event.extra["new_version"] is True


def test_coordination_form_shows_german_errors(login_as) -> None:
    client = login_as("koordination")
    german = LetterText.objects.get(region__isnull=True, language="de")
    page = client.get(f"{TEXTS}neu/?von={german.pk}")
    assert page.status_code == 200
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if isinstance(value, str) and not key.startswith("term_")  # German terms: left empty
    }
    data |= {
        "language": "fa",
        "valid_from": timezone.localdate().strftime("%d.%m.%Y"),
        "salutation": "سلام {x}،",
        "certified_by": "",
    }
    response = client.post(f"{TEXTS}neu/", data)
    errors = response.context["form"].errors
    assert errors["salutation"] == [
        "Unbekannter Platzhalter {x}. Zulässige Platzhalter: {name}."
    ], errors
    assert errors["certified_by"] == ["Für eine Übersetzung erforderlich."]
    assert not LetterText.objects.filter(language="fa").exists()
    data |= {"salutation": "سلام {name}،", "certified_by": "Büro Muster", "binding_note": "…"}
    data["term_stag_10"] = "§ 10 StAG – تابعیت"
    assert client.post(f"{TEXTS}neu/", data).status_code == 302
    saved = LetterText.objects.get(language="fa", region=_kreis())
    assert saved.terms == {"stag_10": "§ 10 StAG – تابعیت"}


def test_only_the_coordination_reaches_the_letter_texts(login_as, stranger) -> None:
    own = LetterText.objects.get(region=_kreis(), language="ar")
    urls = [TEXTS, f"{TEXTS}neu/", f"{TEXTS}{own.pk}/", f"{TEXTS}{own.pk}/vorschau/"]
    for persona in ("abh", "cm-siegen", "siegen", "traeger", "rat", "dsb", "admin"):
        client = login_as(persona)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
    assert stranger.get(TEXTS).status_code == 200
    for url in urls[2:]:
        assert stranger.get(url).status_code == 404, url
    client = login_as("koordination")
    for url in urls:
        assert client.get(url).status_code == 200, url
    preview = client.get(f"{TEXTS}{own.pk}/vorschau/").content.decode()
    assert re.search(r'<article lang="ar"\s+dir="rtl"', preview)
    default = LetterText.objects.get(region__isnull=True, language="de")
    assert client.get(f"{TEXTS}{default.pk}/").status_code == 404


def test_letter_text_list_query_count_is_flat(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(12) as few:
        page = client.get(TEXTS)
    assert page.status_code == 200 and "Arabisch" in page.content.decode()
    kreis, base = _kreis(), LetterText.objects.get(region__isnull=True, language="de")
    values = {
        f.name: getattr(base, f.name)
        for f in LetterText._meta.concrete_fields
        if f.name not in ("id", "region", "language", "valid_from", "valid_to", "version")
    }
    for day in range(1, 6):
        save_letter_text(
            acting_user=None,
            region=kreis,
            language="de",
            valid_from=timezone.localdate() + dt.timedelta(days=day),
            **values,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(TEXTS).status_code == 200
