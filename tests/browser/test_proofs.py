"""Proofs of use in real Chromium (D-088): the coordination opens the Kreis' Land proof 2025
from the grants on the programme overview and sees the balance with its arithmetic; Siegen
begins and submits its proof for the 2026 notice; the coordination accepts it. Every page is
checked with axe (0 violations) and saved as a screenshot in test-results/."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]


def test_land_proof_balance_and_siegen_submits_koordination_accepts(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("koordination")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/programm/"]').click()
    page.locator("#proofs-link a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwendungsnachweise")
    check_page("proofs-list-koordination")
    page.get_by_role(
        "link", name="Verwendungsnachweis an das Land 2025 – Kreis Siegen-Wittgenstein"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Verwendungsnachweis an das Land 2025"
    )
    expect(page.locator("#balance-text")).to_contain_text("€")
    expect(page.locator("#recipients")).to_contain_text("Stadt Siegen")
    check_page("proofs-land-2025")

    # Siegen begins and submits its proof for the 2026 notice (partners demo).
    page.context.clear_cookies()
    log_in("siegen")
    page.goto(f"{server}/")
    # A programme lead's menu is full: the start card leads to the proofs (D-088).
    page.get_by_role("link", name="Verwendungsnachweise öffnen").click()
    check_page("proofs-list-siegen")
    entry = page.locator("#agreement-entries li").filter(has_text="2026").first
    entry.get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verwendungsnachweis 2026")
    check_page("proofs-siegen-draft")
    page.locator("#submit-proof").click()
    expect(page.locator("main")).to_contain_text("eingereicht")
    proof_url = page.url
    check_page("proofs-siegen-submitted")

    # The coordination reviews and accepts.
    page.context.clear_cookies()
    log_in("koordination")
    page.goto(proof_url)
    page.locator("#review-proof").click()
    check_page("proofs-review")
    page.get_by_label("anerkennen", exact=True).check()
    page.locator("main form.kim-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(proof_url) + "$"))
    expect(page.locator("main")).to_contain_text("anerkannt")
    check_page("proofs-accepted")
