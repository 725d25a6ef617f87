"""Consent forms in the clients' languages (issue 19, D-092): the German binding form first,
then the translation; Arabic laid out right to left in HTML, PDF and DOCX; the person's
preferred language preselected; the Kreis' texts beat the platform defaults; the
coordination's text pages (validation, versions, locking, permissions, audit, query count)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.formtexts import save_form_text
from kim.cases.models import ConsentFormText, DataCategory
from kim.cases.queries.consent import form_language_choices, form_text
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

AR_SENTENCE = "هذه الموافقة طوعية."
DE_SENTENCE = "Die Einwilligung ist freiwillig."
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TEXTS = "/fallmanagement/texte/"


def _kreis() -> Organisation:
    return Organisation.objects.get(kind="kreis", name__contains="Siegen")


def _form_url(case, **params) -> str:
    query = urlencode(
        {
            "recipient": Organisation.objects.get(short_name="Jobcenter").code,
            "purpose": "Vermittlung in Arbeit",
            "categories": [DataCategory.MASTER_DATA, DataCategory.PLAN],
            "language": "ar",
            **params,
        },
        doseq=True,
    )
    return f"/fallmanagement/faelle/{case.code}/einwilligungen/formular/?{query}"


@pytest.fixture
def amal_case(make_case):
    return make_case(first_name="Amal", last_name="Beispiel", languages=["ar", "de"])


def test_arabic_pdf_extracts_in_logical_order_with_noto_naskh(
    amal_case, login_as, tmp_path: Path
) -> None:
    response = login_as("cm-siegen").get(_form_url(amal_case, format="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],  # noqa: S607 - poppler-utils from Debian
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    text = BIDI_MARKS.sub("", text)
    # A whole sentence that ends its line extracts exactly as stored (placeholder filled).
    # Inside a line, pdftotext swaps a full stop and the following space between two Arabic
    # runs ("طوعية .يمكنني"): the words of such a sentence are checked in their order.
    assert "تسري هذه الموافقة حتى حين سحبها." in text
    assert "هذه الموافقة طوعية" in text
    assert DE_SENTENCE in text
    assert "Übersetzung: Arabisch" in text and "Demo-Text – keine geprüfte Übersetzung" in text
    assert text.index(DE_SENTENCE) < text.index("هذه الموافقة طوعية")  # German first
    fonts = subprocess.run(
        ["pdffonts", str(pdf)],  # noqa: S607 - poppler-utils from Debian
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Noto-Naskh-Arabic" in fonts


def test_html_marks_only_the_arabic_part_right_to_left(amal_case, login_as) -> None:
    page = login_as("cm-siegen").get(_form_url(amal_case)).content.decode()
    articles = re.findall(r"<article[^>]*>", page)
    assert len(articles) == 2
    german, arabic = articles
    assert 'lang="de"' in german and "dir=" not in german
    assert 'lang="ar"' in arabic and 'dir="rtl"' in arabic
    assert "Übersetzung: Arabisch – العربية" in page
    assert "هذه ترجمة للاطلاع فقط. النص الألماني هو النص الملزم." in page
    assert "Demo-Text – keine geprüfte Übersetzung" in page
    assert page.index(DE_SENTENCE) < page.index(AR_SENTENCE)
    assert "format=docx" in page and "{person}" not in page


def test_docx_marks_arabic_paragraphs_and_runs_bidi(amal_case, login_as) -> None:
    from docx import Document

    from kim.core.docx_text import is_rtl_paragraph, is_rtl_run

    response = login_as("cm-siegen").get(_form_url(amal_case, format="docx"))
    assert response.status_code == 200
    assert "wordprocessingml" in response["Content-Type"]
    doc = Document(io.BytesIO(response.content))
    arabic = [
        p
        for p in doc.paragraphs
        if re.search("[\u0600-\u06ff]", p.text) and not p.text.startswith("Übersetzung")
    ]
    german = [p for p in doc.paragraphs if "Einwilligung" in p.text or "Zweck" in p.text]
    assert arabic and german
    assert all(is_rtl_paragraph(p) and all(is_rtl_run(r) for r in p.runs) for p in arabic)
    assert not any(is_rtl_paragraph(p) or any(is_rtl_run(r) for r in p.runs) for p in german)
    assert AR_SENTENCE in [p.text.strip() for p in arabic][-1]
    assert any(p.text == AR_SENTENCE + p.text.split(AR_SENTENCE, 1)[-1] for p in arabic)
    xml = doc.paragraphs[[p.text for p in doc.paragraphs].index(arabic[0].text)]._p.xml
    assert 'w:cs="Noto Naskh Arabic"' in xml and 'w:bidi="ar-SA"' in xml
    event = AuditEvent.objects.filter(
        event_type=EventType.CONSENT_FORM_PRINTED, subject_code=amal_case.code
    ).get()
    assert event.extra["language"] == "ar" and event.extra["format"] == "docx"


def test_preferred_language_preselects_and_only_languages_with_text_are_offered(
    amal_case, make_case, login_as
) -> None:
    client = login_as("cm-siegen")
    base = f"/fallmanagement/faelle/{amal_case.code}/einwilligungen/formular/"
    page = client.get(base).content.decode()
    assert re.search(r'<option value="ar"[^>]*selected', page)
    for code in ("de", "en", "ar", "uk"):
        assert f'<option value="{code}"' in page
    assert '<option value="fa"' not in page  # no Farsi text
    # A person who reads English (and no language with a text): English preselected.
    english = make_case(first_name="Ed", languages=["fa", "en"])
    page = client.get(f"/fallmanagement/faelle/{english.code}/einwilligungen/formular/")
    assert re.search(r'<option value="en"[^>]*selected', page.content.decode())
    # Nothing recorded: German only.
    plain = make_case(first_name="Gerd")
    page = client.get(f"/fallmanagement/faelle/{plain.code}/einwilligungen/formular/")
    assert re.search(r'<option value="de"[^>]*selected', page.content.decode())
    # Farsi is refused, with a German error next to the field.
    refused = client.get(_form_url(amal_case, language="fa")).content.decode()
    assert "Bitte eine gültige Auswahl treffen" in refused


def test_kreis_text_beats_the_platform_default_and_a_new_version_ends_the_old(
    amal_case, login_as
) -> None:
    kreis, today = _kreis(), timezone.localdate()
    default = form_text("en", today, kreis.pk)
    assert default is not None and default.region_id is None
    own = save_form_text(
        acting_user=get_user_model().objects.get(username="koordination"),
        region=kreis,
        language="en",
        valid_from=today,
        title="Consent (Kreis wording)",
        body="I, {person}, consent. Valid until {valid_until}.",
        binding_note="The German text is binding.",
        place_date_label="Place, date",
        signature_label="Signature",
        certified_by="Übersetzungsbüro Muster, beeidigt",
    )
    assert form_text("en", today, kreis.pk) == own
    assert form_text("en", today, None) == default  # another Kreis: the default
    page = login_as("cm-siegen").get(_form_url(amal_case, language="en")).content.decode()
    assert "Consent (Kreis wording)" in page and "Valid until revoked" in page
    # A newer Arabic version ends the demo Arabic text the day before.
    old = ConsentFormText.objects.get(region=kreis, language="ar")
    new = save_form_text(
        acting_user=None,
        region=kreis,
        language="ar",
        valid_from=today + dt.timedelta(days=10),
        title=old.title,
        body=old.body,
        binding_note=old.binding_note,
        place_date_label=old.place_date_label,
        signature_label=old.signature_label,
        certified_by="Übersetzungsbüro Muster, beeidigt",
    )
    old.refresh_from_db()
    assert old.valid_to == today + dt.timedelta(days=9) and new.valid_to is None
    assert ("ar", "Arabisch") in form_language_choices(kreis.pk, today)


def test_coordination_creates_a_text_with_german_errors_first(login_as) -> None:
    client = login_as("koordination")
    data = {
        "language": "fa",
        "valid_from": timezone.localdate().strftime("%d.%m.%Y"),
        "title": "رضایت‌نامه",
        "body": "من، {person}، {x} رضایت می‌دهم.",
    }
    response = client.post(f"{TEXTS}neu/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unbekannter Platzhalter {x}" in page
    errors = response.context["form"].errors
    for field in ("binding_note", "place_date_label", "signature_label", "certified_by"):
        assert errors[field] == ["Für eine Übersetzung erforderlich."], field
    assert not ConsentFormText.objects.filter(language="fa").exists()
    data |= {
        "body": "من، {person}، رضایت می‌دهم.",
        "binding_note": "متن آلمانی معتبر است.",
        "place_date_label": "محل، تاریخ",
        "signature_label": "امضا",
        "certified_by": "Übersetzungsbüro Muster, beeidigt",
    }
    response = client.post(f"{TEXTS}neu/", data)
    assert response.status_code == 302
    text = ConsentFormText.objects.get(language="fa")
    assert text.region == _kreis() and not text.is_demo
    event = AuditEvent.objects.filter(event_type=EventType.FORM_TEXT_SAVED).latest("id")
    assert event.subject_code == str(text.pk) and event.extra["language"] == "fa"
    assert "body" in event.extra["fields"] and "رضایت" not in str(event.extra)
    assert ("fa", "Persisch (Farsi)") in form_language_choices(_kreis().pk, timezone.localdate())


def test_edit_with_an_outdated_version_is_refused(login_as) -> None:
    text = ConsentFormText.objects.get(region=_kreis(), language="uk")
    client = login_as("koordination")
    form = {
        "title": text.title,
        "body": text.body,
        "binding_note": text.binding_note,
        "place_date_label": text.place_date_label,
        "signature_label": "Підпис особи",
        "certified_by": text.certified_by,
        "is_demo": "on",
        "version": str(text.version),
    }
    assert client.post(f"{TEXTS}{text.pk}/", form).status_code == 302
    text.refresh_from_db()
    assert text.signature_label == "Підпис особи" and text.version == 2
    stale = client.post(f"{TEXTS}{text.pk}/", {**form, "signature_label": "X", "version": "1"})
    assert stale.status_code == 200 and 'id="edit-conflict"' in stale.content.decode()
    text.refresh_from_db()
    assert text.signature_label == "Підпис особи"


def test_only_the_coordination_of_the_kreis_reaches_the_texts(login_as, stranger) -> None:
    own = ConsentFormText.objects.get(region=_kreis(), language="ar")
    default = ConsentFormText.objects.get(region__isnull=True, language="de")
    urls = [TEXTS, f"{TEXTS}neu/", f"{TEXTS}{own.pk}/", f"{TEXTS}{own.pk}/vorschau/"]
    for persona in ("cm-siegen", "siegen", "abh", "traeger", "rat", "dsb", "admin"):
        client = login_as(persona)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
    # Another Kreis' coordination: its own list, none of Siegen-Wittgenstein's texts.
    assert stranger.get(TEXTS).status_code == 200
    assert "موافقة" not in stranger.get(TEXTS).content.decode()
    for url in urls[2:]:
        assert stranger.get(url).status_code == 404, url
    client = login_as("koordination")
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get(f"{TEXTS}{default.pk}/vorschau/").status_code == 200
    assert client.get(f"{TEXTS}{default.pk}/").status_code == 404  # defaults are read-only


def test_preview_shows_german_then_the_translation_right_to_left(login_as) -> None:
    own = ConsentFormText.objects.get(region=_kreis(), language="ar")
    page = login_as("koordination").get(f"{TEXTS}{own.pk}/vorschau/").content.decode()
    assert re.search(r'<article[^>]*lang="ar"[^>]*dir="rtl"', page)
    assert page.index(DE_SENTENCE) < page.index(AR_SENTENCE)
    assert "Erika Mustermann" in page and "{person}" not in page


def test_text_list_query_count_is_flat(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(12) as few:
        page = client.get(TEXTS)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Arabisch" in body and "Demo-Text" in body and "Plattform-Standard" in body
    kreis = _kreis()
    for day in range(1, 6):
        save_form_text(
            acting_user=None,
            region=kreis,
            language="de",
            valid_from=timezone.localdate() + dt.timedelta(days=day),
            title=f"Einwilligung {day}",
            body="Ich, {person}, willige ein.",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(TEXTS).status_code == 200


def test_coordination_start_card_links_the_texts(login_as) -> None:
    page = login_as("koordination").get("/").content.decode()
    assert 'href="/fallmanagement/texte/"' in page
