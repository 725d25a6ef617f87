"""The public directory page in real Chromium (D-091): a signed-out visitor opens the Kreis'
page, filters by topic, switches the texts to Arabic (right to left, German fallback marked)
and back; axe finds nothing on the German and the Arabic page; a screenshot of each goes to
the test's tmp dir (and, through ``check_page``, to test-results/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]


@pytest.fixture
def public_entries(server: str) -> None:
    from kim.network.tests.factories_public import clear_directory, kreis, service
    from kim.organisations.models import Organisation

    clear_directory()  # the demo's entries would crowd the two this test reads
    region = kreis()
    siegen = Organisation.objects.get(ags="05970040")
    jobcenter = Organisation.objects.get(name="Jobcenter Siegen-Wittgenstein")
    service(
        provider=jobcenter,
        name="Arbeitsvermittlung für Zugewanderte",
        description="Beratung zu Arbeit, Ausbildung und Weiterbildung.",
        topics=("work",),
        towns=(siegen,),
        address="Emilienstraße 45\n57072 Siegen",
        opening_hours="Mo–Fr 8–12 Uhr",
        languages=["de", "ar", "en"],
        step_free=True,
        appointment="Termin telefonisch vereinbaren.",
        phone="0271 2345-0",
        email="service@jobcenter.example.org",
        website="https://jobcenter.example.org/",
        texts={
            "ar": {
                "name": "التوظيف للمهاجرين",
                "description": "استشارات حول العمل والتدريب المهني.",
                "opening_hours": "",
            }
        },
    )
    service(
        provider=region,
        name="Wohnraumberatung",
        description="Hilfe bei der Suche nach einer Wohnung.",
        topics=("housing",),
        towns=(siegen,),
        languages=["uk"],
    )


def test_visitor_filters_and_reads_the_directory_in_arabic(
    page: Page, server: str, public_entries: None, check_page: CheckPage, tmp_path: Path
) -> None:
    page.goto(f"{server}/hilfenetz/")
    page.get_by_role("link", name="Kreis Siegen-Wittgenstein").click()
    expect(page).to_have_url(f"{server}/hilfenetz/05970/")
    expect(page.locator("h1")).to_contain_text("Angebote für Zugewanderte")
    expect(page.locator("article.hn-entry")).to_have_count(2)
    check_page("public-01-directory-de")
    page.screenshot(path=tmp_path / "public-01-directory-de.png", full_page=True)

    page.locator("#id_thema").select_option("housing")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("article.hn-entry")).to_have_count(1)
    expect(page.locator("article.hn-entry h3")).to_have_text("Wohnraumberatung")
    page.get_by_role("link", name="Filter zurücksetzen").click()
    expect(page.locator("article.hn-entry")).to_have_count(2)

    page.locator('.hn-languages a[hreflang="ar"]').click()
    region = page.locator("[data-content-region]")
    expect(region).to_have_attribute("dir", "rtl")
    expect(region).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", name="التوظيف للمهاجرين")).to_be_visible()
    # The opening hours have no Arabic text: German, marked as such.
    hours = page.locator('[data-field="opening_hours"]').first
    expect(hours).to_have_attribute("lang", "de")
    # Mirrored: in the facts grid the labels (first column) stand right of the values.
    label = page.locator("article.hn-entry dl.hn-facts dt").first.bounding_box()
    value = page.locator("article.hn-entry dl.hn-facts dd").first.bounding_box()
    assert label and value and label["x"] > value["x"]
    check_page("public-02-directory-ar")
    page.screenshot(path=tmp_path / "public-02-directory-ar.png", full_page=True)

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-content-region]")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_contain_text("Services for immigrants")
