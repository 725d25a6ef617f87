"""End-to-end walks through the platform in real Chromium.

Every visited page is checked with axe (0 violations) and saved as a screenshot in
test-results/. Few test functions on purpose: each walks several pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.utils import translation
from django.utils.functional import Promise
from playwright.sync_api import Browser, Page, expect

from kim.organisations.models import ags_validator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

StrOrPromise = str | Promise
CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]


def german(message: StrOrPromise) -> str:
    """The German text of one of our messages, from the project's catalogue."""
    with translation.override("de"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def test_koordination_logs_in_switches_language_and_browses(
    page: Page, browser: Browser, server: str, check_page: CheckPage
) -> None:
    # Anonymous: the start page sends to the login form.
    page.goto(f"{server}/")
    expect(page).to_have_url(re.compile(r"/konto/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung")
    check_page("01-login")

    # A wrong password keeps the user on the form with an announced error.
    page.get_by_label("Anmeldename").fill("koordination")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_page("02-login-error")

    # The real form, the real password.
    page.get_by_label("Anmeldename").fill("koordination")
    page.get_by_label("Passwort").fill("demo")
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(f"{server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Übersicht")
    expect(page.locator(".kim-user")).to_have_text("koordination")
    expect(page.locator("main")).to_contain_text("Kreis Siegen-Wittgenstein")
    check_page("03-start")

    # Switch to English and back; the user stays on the page.
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{server}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    check_page("04-start-en")
    page.get_by_role("button", name="Deutsch").click()
    expect(page).to_have_url(f"{server}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Übersicht")
    expect(page.get_by_role("button", name="English")).to_be_visible()

    # Organisation directory; the search box filters the table in place (htmx).
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Organisationen").click()
    expect(page).to_have_url(f"{server}/organisationen/")
    table = page.locator("#org-table")
    expect(table.get_by_role("link", name="Stadt Siegen", exact=True)).to_be_visible()
    check_page("05-organisations")
    page.evaluate("window.kimNoReload = true")
    page.locator("#id_q").press_sequentially("Kreuz", delay=30)
    expect(table.get_by_role("link", name="Stadt Kreuztal")).to_be_visible()
    expect(table.get_by_role("link", name="Stadt Siegen", exact=True)).to_have_count(0)
    expect(table.get_by_role("row")).to_have_count(2)  # header + Kreuztal
    expect(page).to_have_url(re.compile(r"[?&]q=Kreuz"))
    assert page.evaluate("window.kimNoReload") is True, "the search reloaded the whole page"
    check_page("06-organisations-search")

    # The Kreis with its towns, authorities and agencies.
    page.locator("#id_q").fill("")
    page.locator("#id_q").press_sequentially("Kreis Siegen", delay=30)
    kreis_link = table.get_by_role("link", name="Kreis Siegen-Wittgenstein", exact=True)
    kreis_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kreis Siegen-Wittgenstein")
    expect(page.locator("main table").first).to_contain_text("102")
    check_page("07-kreis")

    # A town of the Kreis.
    page.locator("main").get_by_role("link", name="Stadt Siegen", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stadt Siegen")
    expect(page.locator("main")).to_contain_text("05970040")
    check_page("08-stadt-siegen")

    # An authority: the Ausländerbehörde of the Kreis with its periods of responsibility.
    page.locator("main").get_by_role(
        "link", name="Ausländerbehörde Kreis Siegen-Wittgenstein"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ausländerbehörde Kreis Siegen-Wittgenstein"
    )
    expect(page.locator("main table")).to_contain_text("Stadt Kreuztal")
    check_page("09-authority")

    # Without JavaScript the same search is a plain GET form.
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{server}/konto/login/")
        plain.get_by_label("Anmeldename").fill("koordination")
        plain.get_by_label("Passwort").fill("demo")
        plain.get_by_role("button", name="Anmelden").click()
        plain.goto(f"{server}/organisationen/")
        plain.locator("#id_q").fill("Kreuz")
        plain.locator("main form[role=search] button[type=submit]").click()
        expect(plain).to_have_url(re.compile(r"/organisationen/\?q=Kreuz"))
        expect(plain.locator("#org-table").get_by_role("row")).to_have_count(2)
    finally:
        context.close()


def test_koordination_sees_errors_next_to_the_field(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("koordination")
    page.goto(f"{server}/organisationen/?q=Stadt+Siegen")
    page.locator("#org-table").get_by_role("link", name="Stadt Siegen", exact=True).click()
    detail_url = page.url

    # Edit form: a wrong AGS and an empty name; each error sits next to its field, in German.
    page.locator("main").get_by_role("link", name="Bearbeiten", exact=True).click()
    expect(page).to_have_url(re.compile(r"/bearbeiten/$"))
    check_page("10-edit")
    ags = page.locator("#id_ags")
    expect(ags).to_have_value("05970040")
    ags.fill("12345")
    page.locator("#id_name").fill("")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    ags_message = german(ags_validator.message)
    assert not ags_message.startswith("Enter the AGS"), "the AGS message is not translated"
    for field, message in (
        ("ags", ags_message),
        ("name", "Dieses Feld ist zwingend erforderlich."),
    ):
        control = page.locator(f"#id_{field}")
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(control).to_have_attribute("aria-describedby", re.compile(rf"\bid_{field}_error\b"))
        # The message is in the same field group as its input (KERN shows it below).
        group = page.locator(".kern-form-input", has=control)
        expect(group.locator(f"#id_{field}_error")).to_have_text(message)
    check_page("11-edit-error")
    # Nothing was saved.
    page.goto(detail_url)
    expect(page.locator("main")).to_contain_text("05970040")

    # Population import for the Kreis: a bad CSV lists every wrong row by number.
    page.locator("main").get_by_role("link", name="Kreis Siegen-Wittgenstein").first.click()
    page.locator("main").get_by_role("link", name="Einwohnerzahlen importieren").click()
    expect(page).to_have_url(re.compile(r"/bevoelkerung/import/$"))
    check_page("12-import")
    bad_csv = (
        b"ags;stichtag;einwohner;quelle\n"
        b"05970040;31.12.2025;102000;IT.NRW\n"
        b"09999999;31.12.2025;100;IT.NRW\n"
        b"05970024;32.13.2025;viele;\n"
    )
    page.locator("#id_file").set_input_files(
        files=[{"name": "einwohner.csv", "mimeType": "text/csv", "buffer": bad_csv}]
    )
    page.locator("main form button[type=submit]").click()
    file_error = page.locator("#id_file_error")
    expect(file_error).to_contain_text("09999999")
    expect(file_error.locator("li")).to_have_count(4)
    items = file_error.locator("li")
    expect(items.nth(0)).to_contain_text(german("Line %(line)d") % {"line": 3})
    for nth in (1, 2, 3):
        expect(items.nth(nth)).to_contain_text(german("Line %(line)d") % {"line": 4})
    expect(file_error).not_to_contain_text(german("Line %(line)d") % {"line": 2})
    check_page("13-import-error")

    # An address that does not exist.
    response = page.goto(f"{server}/organisationen/gibt-es-nicht/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(german("Page not found"))
    check_page("14-not-found")


def test_dsb_checks_the_audit_trail_and_security(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("dsb")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Audit-Protokoll"
    ).click()
    expect(page).to_have_url(f"{server}/audit/")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    check_page("20-audit")

    page.locator("main").get_by_role("link", name="Kette prüfen").click()
    expect(page).to_have_url(f"{server}/audit/pruefen/")
    check_page("21-audit-verify")
    page.locator("main").get_by_role("button", name="Jetzt prüfen").click()
    verdict = page.locator("main [role=status]")
    expect(verdict).to_have_class(re.compile(r"\bkern-alert--success\b"))
    with translation.override("de"):
        intact = translation.ngettext(
            "The chain is intact (%(n)s event checked).",
            "The chain is intact (%(n)s events checked).",
            2,
        )
    expect(verdict).to_contain_text(intact.split("(")[0].strip())
    check_page("22-audit-verified")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Sicherheit"
    ).click()
    expect(page).to_have_url(f"{server}/konto/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zwei-Faktor-Authentifizierung")
    check_page("23-mfa")
