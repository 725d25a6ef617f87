"""The signed-in side of issue 19 in real Chromium: the coordination maintains the directory,
the topic catalogue, the interpreter pool and the texts in the clients' languages; ``cm-siegen``
books an interpreter for an Arabic-speaking demo client and prints her consent form in German
and Arabic (right to left). Every page is checked with axe (0 violations) and saved as a
screenshot in test-results/. The public page has its own walk (test_public_directory.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from kim.cases.models import Case, InterpreterBooking
from kim.network.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]


def german(message: str) -> str:
    with translation.override("de"):
        return translation.gettext(message)


def test_koordination_maintains_the_directory_pool_and_texts(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("koordination")
    # From the start page's card to the directory, filtered by topic.
    page.locator("main").get_by_role("link", name=german("Open the service network")).click()
    expect(page).to_have_url(f"{server}/netzwerk/")
    rows = page.locator("#services tbody tr")
    expect(rows.first).to_be_visible()
    all_rows = rows.count()
    check_page("network-01-directory")
    page.locator("#id_topic").select_option("work")
    page.locator("main form.kim-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"topic=work"))
    expect(rows.first).to_be_visible()
    assert 0 < rows.count() < all_rows

    # An entry: its facts, then the edit form with an error next to the field.
    rows.first.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/netzwerk/angebote/[^/]+/$"))
    check_page("network-02-entry")
    name = page.locator("main h1").inner_text()
    page.locator('main a[href$="/bearbeiten/"]').first.click()
    page.locator("#id_name").fill("")
    page.locator("main form.kim-form button[type=submit]").click()
    expect(page.locator("#id_name_error")).to_be_visible()
    check_page("network-03-entry-error")
    assert Service.objects.filter(name=name).exists(), "nothing half-saved"

    page.goto(f"{server}/netzwerk/themen/")
    expect(page.locator("main table tbody tr").first).to_be_visible()
    check_page("network-04-topics")

    page.goto(f"{server}/netzwerk/dolmetschende/")
    expect(page.locator("main")).to_contain_text("Demo-Dolmetscherin Arabisch")
    check_page("network-05-interpreter-pool")

    # The consent form texts: the list names each language in German and in its own script.
    page.goto(f"{server}/fallmanagement/texte/")
    arabic_row = page.locator("main tbody tr").filter(has=page.locator('bdi[lang="ar"]')).first
    expect(arabic_row).to_be_visible()
    check_page("network-06-consent-texts")
    arabic_row.get_by_role("link", name=german("Preview the text")).click()
    expect(page.locator('main [dir="rtl"]').first).to_be_visible()
    check_page("network-07-consent-text-preview")

    page.goto(f"{server}/screening/texte/")
    expect(page.locator('main bdi[lang="uk"]').first).to_be_visible()
    check_page("network-08-letter-texts")


def test_cm_siegen_books_an_interpreter_and_prints_an_arabic_consent_form(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    # The demo's first Arabic-speaking case with bookings (consent for the interpreting service).
    case = Case.objects.get(
        pk=InterpreterBooking.objects.order_by("case_id").values_list("case_id", flat=True)[0]
    )
    before = InterpreterBooking.objects.filter(case=case).count()
    log_in("cm-siegen")
    page.goto(f"{server}/fallmanagement/faelle/{case.code}/")
    section = page.locator("#interpreters")
    expect(section.locator("tbody tr").first).to_be_visible()

    section.get_by_role("link", name=german("Book an interpreter")).click()
    expect(page).to_have_url(re.compile(r"/dolmetschen/neu/$"))
    # The person's preferred language is the default.
    expect(page.locator("#id_language")).to_have_value("ar")
    interpreter = page.locator("#id_interpreter option", has_text="Demo-Dolmetscherin Arabisch")
    page.locator("#id_interpreter").select_option(interpreter.get_attribute("value"))
    # A date in the past: refused next to the field, nothing stored.
    page.locator("#id_starts_at").fill("01.01.2020 10:00")
    page.locator("main form.kim-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(german("The appointment lies in the past."))
    assert InterpreterBooking.objects.filter(case=case).count() == before
    check_page("network-09-booking-error")

    when = timezone.localdate() + dt.timedelta(days=21)
    page.locator("#id_starts_at").fill(f"{when:%d.%m.%Y} 09:30")
    page.locator("#id_place").fill("Rathaus Siegen, Raum 1")
    page.locator("main form.kim-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/faelle/{case.code}/"))
    assert InterpreterBooking.objects.filter(case=case).count() == before + 1
    expect(page.locator("#interpreters")).to_contain_text(f"{when:%d.%m.%Y}")
    check_page("network-10-case-bookings")

    page.locator('#interpreters a[href="/fallmanagement/dolmetschen/"]').click()
    expect(page).to_have_url(f"{server}/fallmanagement/dolmetschen/")
    # The month of the new booking (this one or the next): it is listed with its cost.
    page.goto(f"{server}/fallmanagement/dolmetschen/?monat={when:%Y-%m}")
    expect(page.locator("#booking-month-table")).to_contain_text(f"{when:%d.%m.%Y} 09:30")
    check_page("network-11-bookings-month")

    # The consent form: Arabic preselected from the person's preferred language.
    page.goto(f"{server}/fallmanagement/faelle/{case.code}/einwilligungen/formular/")
    expect(page.locator("#id_language")).to_have_value("ar")
    check_page("network-12-consent-form-choose")
    page.locator("#id_recipient").select_option(index=1)
    page.locator("#id_purpose").fill("Beratung zur Arbeitssuche")
    page.locator("main form.kim-form button[type=submit]").click()
    # No data category chosen: said next to the field, the choices kept.
    expect(page.locator("main [role=alert]").first).to_be_visible()
    expect(page.locator("#id_language")).to_have_value("ar")
    expect(page.locator("#id_purpose")).to_have_value("Beratung zur Arbeitssuche")
    page.get_by_label("Stammdaten (Name, Geburtsdatum, Anschrift)").check()
    page.locator("main form.kim-form button[type=submit]").click()
    translation_part = page.locator('[lang="ar"][dir="rtl"]').first
    expect(translation_part).to_be_visible()
    check_page("network-13-consent-form-arabic")
