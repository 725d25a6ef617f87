"""The cooperation pages in real Chromium: talk log with htmx filters, a talk, minutes, a Träger,
the agreements and the demo's call for expressions of interest.

Every visited page is checked with axe (0 violations) and saved as a screenshot in
test-results/. The cooperation's wording is not translated yet, so these tests hold to
structure, ids and URLs, not to texts. The talk is made here through the actions; the call
test walks the demo's call (``DEMO_CALL_TITLE``) as the Stadt Siegen's programme lead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]
BRUECKE = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _talk() -> tuple[str, str]:
    from django.contrib.auth.models import User

    from kim.organisations.models import Organisation
    from kim.partners import actions

    brucke = Organisation.objects.get(name=BRUECKE)
    talk = actions.record_talk(
        acting_user=User.objects.get(username="koordination"),
        host=Organisation.objects.get(ags="05970"),
        held_on=dt.date(2025, 3, 10),
        format="in_person",
        topics="Browsertest: Trägerschaft der B2-Stellen",
        traeger=[brucke],
        outcome="postponed",
    )
    return talk.code, brucke.code


def test_koordination_works_with_talks_and_agencies(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage, settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    talk_code, brucke_code = _talk()
    log_in("koordination")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/partner/gespraeche/"]').click()
    expect(page).to_have_url(f"{server}/partner/gespraeche/")
    expect(nav.locator('a[href="/partner/gespraeche/"]')).to_have_attribute("aria-current", "page")
    expect(page.locator(f"#talk-{talk_code}")).to_be_visible()
    check_page("partners-talk-log")

    # htmx: choosing an outcome replaces only the table and keeps the URL shareable.
    page.locator("#id_outcome").select_option("agreement")
    expect(page).to_have_url(re.compile(r"outcome=agreement"))
    expect(page.locator(f"#talk-{talk_code}")).to_have_count(0)
    page.locator("#id_outcome").select_option("postponed")
    expect(page.locator(f"#talk-{talk_code}")).to_be_visible()

    page.locator(f"#talk-{talk_code} a").click()
    expect(page).to_have_url(f"{server}/partner/gespraeche/{talk_code}/")
    check_page("partners-talk-detail")

    # Minutes: a wrong file is refused next to the field, a PDF is stored and listed.
    page.goto(f"{server}/partner/gespraeche/{talk_code}/protokoll/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "notizen.txt", "mimeType": "text/plain", "buffer": b"Text"}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_file_error")).to_be_visible()
    check_page("partners-minutes-error")
    page.locator("#id_file").set_input_files(
        files=[{"name": "protokoll.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{server}/partner/gespraeche/{talk_code}/")
    expect(page.locator("#minutes li")).to_have_count(1)

    page.goto(f"{server}/partner/gespraeche/neu/")
    check_page("partners-talk-form")

    page.goto(f"{server}/partner/traeger/{brucke_code}/")
    expect(page.locator(f"#talk-{talk_code}")).to_be_visible()
    check_page("partners-traeger")


def test_coordination_checks_agreements_and_deadlines(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    """The demo's agreements: list, detail with payments and reports, and the deadlines view."""
    log_in("koordination")
    page.goto(f"{server}/partner/vereinbarungen/")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    check_page("partners-agreements")
    rows.first.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/partner/vereinbarungen/[a-z2-7]{16}/$"))
    expect(page.locator("main table").first).to_be_visible()
    check_page("partners-agreement-detail")
    page.goto(f"{server}/partner/fristen/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The demo keeps one Sachbericht overdue, relative to today.
    expect(page.locator("main")).to_contain_text("Sachbericht")
    check_page("partners-deadlines")


def test_siegen_follows_the_demo_call(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    """The demo's call for expressions of interest: the list with its filters, the call with
    criteria, ranking arithmetic and the award, and the form for a new call with its errors."""
    from kim.partners.demo import DEMO_CALL_TITLE

    log_in("siegen")
    page.goto(f"{server}/partner/gespraeche/")
    page.locator('main a[href="/partner/interessenbekundungen/"]').click()
    expect(page).to_have_url(f"{server}/partner/interessenbekundungen/")
    row = page.locator("#call-list tbody tr", has_text=DEMO_CALL_TITLE)
    expect(row).to_be_visible()
    check_page("partners-calls")

    # htmx: the status filter replaces only the table and keeps the URL shareable.
    page.locator("#id_status").select_option("draft")
    expect(page).to_have_url(re.compile(r"status=draft"))
    expect(page.locator("#call-list tbody tr", has_text=DEMO_CALL_TITLE)).to_have_count(0)
    page.locator("#id_status").select_option("decided")
    expect(row).to_be_visible()

    row.get_by_role("link", name=DEMO_CALL_TITLE).click()
    expect(page).to_have_url(re.compile(r"/partner/interessenbekundungen/[a-z2-7]{16}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_CALL_TITLE)
    expect(page.locator("#weights")).to_have_text("100")
    expect(page.locator("#ranking tbody tr")).to_have_count(2)
    expect(page.locator("#ranking")).to_contain_text(" × 40 % = ")
    expect(page.locator("#resulting-agreements a")).to_have_count(1)
    check_page("partners-call-detail")

    page.goto(f"{server}/partner/interessenbekundungen/neu/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_title_error")).to_be_visible()
    expect(page.locator("#id_positions_error")).to_be_visible()
    check_page("partners-call-form-error")
