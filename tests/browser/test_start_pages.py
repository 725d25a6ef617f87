"""Every persona's start page in real Chromium: the dashboard cards, axe 0 violations, and a
full-page screenshot in test-results/start-<persona>.png (look at koordination, siegen,
cm-siegen and dsb: figures, chart beside its table, no English decimals)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from conftest import PERSONAS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH_VZE = re.compile(r"\d+\.\d\d VZÄ")


def test_every_start_page_is_accessible(
    page: Page,
    server: str,
    log_in: Callable[[str], None],
    check_page: Callable[[str], None],
) -> None:
    for persona in PERSONAS:
        page.context.clear_cookies()
        log_in(persona)
        expect(page.get_by_role("heading", level=1, name="Übersicht")).to_be_visible()
        text = page.locator("main").inner_text()
        assert not ENGLISH_VZE.search(text), persona
        check_page(f"start-{persona}")
        if persona in ("koordination", "siegen"):
            card = page.locator(".kim-card--wide").first
            expect(card.get_by_role("img")).to_be_visible()
            expect(card.get_by_role("table")).to_be_visible()
            # The posts figure and its changes are German-formatted.
            expect(card.locator(".kim-figure__number")).to_have_text(re.compile(r"^\d+,\d\d$"))
            expect(card).to_contain_text(re.compile(r"VZÄ seit \d\d\.\d\d\.\d{4}"))
        no_scroll = page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert no_scroll, f"{persona}: the start page scrolls sideways"
