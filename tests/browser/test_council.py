"""The council pages in real Chromium: the Stadt Siegen's programme lead records a motion with
its questions, tags a question, changes the status and releases it; the council member then
reads it, and the meetings page.

Every visited page is checked with axe (0 violations) and saved as a screenshot in
test-results/. The council wording is not translated yet, so these tests hold to structure,
ids and URLs, not to texts.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]


def test_record_tag_release_and_read_a_motion(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("siegen")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/rat/antraege/"]').click()
    expect(page.locator("#motion-list")).to_be_visible()
    check_page("council-motion-list")

    page.locator('a[href="/rat/antraege/neu/"]').click()
    page.locator("#id_reference").fill("B-1/2026")
    page.locator("#id_date").fill("02.02.2026")
    page.locator("#id_name").fill("Browsertest: Anfrage zu KIM-Stellen")
    page.locator("#id_originators label").first.click()
    page.locator("#id_committee").select_option(index=1)
    page.locator("#id_questions-0-text").fill("Wie viele Stellen sind besetzt?")
    page.locator("#id_questions-1-text").fill("Welche Träger sind beteiligt?")
    check_page("council-motion-form")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#question-2")).to_contain_text("Welche Träger sind beteiligt?")
    motion_url = page.url
    check_page("council-motion-detail")

    page.locator("#question-1 a").click()
    page.locator('input[value="positions_per_baustein"]').check()
    check_page("council-question-tag")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#question-1 .kern-badge")).to_have_count(1)

    page.locator('a[href$="status/"]').click()
    page.locator("#id_status").select_option("in_progress")
    page.locator("main form button[type=submit]").click()
    page.locator('form[action$="freigabe/"] button').click()
    expect(page.locator('form[action$="freigabe/"]')).to_have_count(0)

    page.context.clear_cookies()
    log_in("rat")
    page.goto(motion_url)
    expect(page.locator("#question-1")).to_contain_text("Wie viele Stellen sind besetzt?")
    expect(page.locator('a[href$="status/"]')).to_have_count(0)
    check_page("council-motion-detail-rat")
    page.goto(f"{server}/rat/sitzungen/")
    page.locator("#meeting-list a").first.click()
    expect(page.locator("#agenda")).to_be_visible()
    check_page("council-meeting-rat")
