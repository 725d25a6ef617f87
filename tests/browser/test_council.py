"""The council pages in real Chromium: the Stadt Siegen's programme lead records a motion with
its questions, tags a question, changes the status and releases it; the council member then
reads it, and the meetings page. The administration's report: the draft, its forms and the
four-eyes notice for its last editor, the released version for the council member, and the
release of a new version by a second person.

Every visited page is checked with axe (0 violations) and saved as a screenshot in
test-results/. The council wording is not translated yet, so these tests hold to structure,
ids and URLs, not to texts.
"""

from __future__ import annotations

import re
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


def test_draft_report_then_read_the_released_version(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    """The programme lead opens the demo report's draft (edited last by them, so no release
    button), its forms and the four-eyes notice; the council member then reads version 1 and
    finds the draft closed to them."""
    log_in("siegen")
    page.goto(f"{server}/rat/antraege/")
    page.locator("#motion-list a", has_text="184/2022").click()
    expect(page.locator("#report")).to_be_visible()
    check_page("council-motion-demo")
    page.locator('#report a[href^="/rat/berichte/"]').click()
    expect(page.locator("#live-notice")).to_be_visible()
    expect(page.locator("article.kim-report")).to_be_visible()
    expect(page.locator("#four-eyes-hint")).to_be_visible()
    expect(page.locator('a.kern-btn[href$="/freigeben/"]')).to_have_count(0)
    draft_url = page.url
    check_page("council-report-draft")

    page.locator("#answers a").first.click()
    expect(page.locator("#id_narrative")).to_be_visible()
    check_page("council-report-section")
    page.goto(draft_url)
    page.locator('a[href$="/bearbeiten/"]').click()
    expect(page.locator("#id_as_of")).to_be_visible()
    check_page("council-report-form")
    page.goto(draft_url)
    page.locator("#four-eyes-hint a").click()
    expect(page.locator("#four-eyes")).to_be_visible()
    expect(page.locator("main form button[type=submit]")).to_have_count(0)
    check_page("council-report-release-four-eyes")

    page.context.clear_cookies()
    log_in("rat")
    page.goto(f"{server}/rat/berichte/")
    expect(page.locator("#report-list")).to_be_visible()
    check_page("council-report-list-rat")
    page.locator('#report-list a[href^="/rat/antraege/"]').click()
    expect(page.locator("#released-versions")).to_be_visible()
    expect(page.locator('#report a[href$="/bericht/neu/"]')).to_have_count(0)
    check_page("council-motion-demo-rat")
    page.locator('#released-versions a[href$="/versionen/1/"]').click()
    expect(page.locator("#frozen-notice")).to_be_visible()
    expect(page.locator("article.kim-report")).to_be_visible()
    expect(page.locator(".kim-report__draft")).to_have_count(0)
    check_page("council-report-version-rat")
    response = page.goto(draft_url)
    assert response is not None and response.status == 404


def test_second_person_releases_a_new_version(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    """KIM coordination releases today's draft as version 2 (four-eyes: `siegen` edited it).
    The demo's answers were written for the figures of 31.08.2022, so each is marked on the
    draft and needs a confirmation at release (D-054)."""
    log_in("koordination")
    page.goto(f"{server}/rat/berichte/")
    page.locator('#report-list a[href^="/rat/berichte/"][href$="/"]').last.click()
    expect(page.locator("#live-notice")).to_be_visible()
    expect(page.locator("#figures-changed")).to_be_visible()
    page.locator('a.kern-btn[href$="/freigeben/"]').click()
    expect(page.locator("main form button[type=submit]")).to_be_visible()
    expect(page.locator("#confirm-changed input[type=checkbox]")).to_have_count(3)
    check_page("council-report-release")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_confirm_1_error")).to_be_visible()
    check_page("council-report-release-unconfirmed")
    for box in page.locator("#confirm-changed input[type=checkbox]").all():
        box.check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/versionen/2/$"))
    expect(page.locator("#versions")).to_be_visible()
    check_page("council-report-version-2")
