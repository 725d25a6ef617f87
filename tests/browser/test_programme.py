"""The KIM programme in real Chromium: overview, allocation scenarios, positions, forecast.

Every visited page is checked with axe (0 violations) and saved as a screenshot in
test-results/. The programme's own wording is not translated yet, so these tests hold to
structure, ids, URLs and numbers (German formatting), not to the programme's texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]

# The demo's 14 B2 VZÄ by population on 31.12.2019, largest remainder, steps of 0.5 and a
# minimum of 0.5 per town (kim/programmes/demo.py): Kreuztal gets 1.5, as reported.
EXPECTED_B2 = {
    "Stadt Bad Berleburg": "1,00",
    "Gemeinde Burbach": "1,00",
    "Gemeinde Erndtebrück": "0,50",
    "Stadt Freudenberg": "1,00",
    "Stadt Hilchenbach": "1,00",
    "Stadt Kreuztal": "1,50",
    "Stadt Bad Laasphe": "0,50",
    "Stadt Netphen": "1,00",
    "Gemeinde Neunkirchen": "0,50",
    "Stadt Siegen": "5,00",
    "Gemeinde Wilnsdorf": "1,00",
}
DEMO_SL = "B2 Sainte-Laguë ohne Mindestausstattung (Demo)"
OUR_SCENARIO = "B2 Testlauf 2027"


def number(text: str) -> float:
    """A German-formatted number from a table cell ("1.234,56" → 1234.56)."""
    return float(text.strip().replace(".", "").replace(",", "."))


def row_of(table: Locator, name: str) -> Locator:
    return table.locator("tbody tr").filter(
        has=table.page.get_by_role("rowheader", name=name, exact=True)
    )


def fits_the_screen(page: Page) -> bool:
    """No sideways scrolling of the whole page (wide tables scroll inside their own box)."""
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def open_programme(page: Page, server: str) -> str:
    """Programme link in the main navigation → the overview of the user's Kreis."""
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/programm/"]').click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(server)}/programm/[a-z0-9]+/$"))
    expect(nav.locator('a[href="/programm/"]')).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kreis Siegen-Wittgenstein")
    return page.url


def test_koordination_allocates_compares_and_adopts(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("koordination")
    overview_url = open_programme(page, server)
    main = page.locator("main")
    # One section per Baustein; B2 lists the towns with their VZÄ and a total row.
    b2 = main.locator("section[aria-labelledby=h-B2]")
    expect(b2.locator("table tfoot")).to_contain_text("14,00")
    expect(b2.get_by_role("link", name="Stadt Kreuztal", exact=True)).to_be_visible()
    expect(main.locator("section[aria-labelledby=h-grants] tbody tr")).to_have_count(6)
    check_page("30-programme-overview")

    # Allocation: the demo's B2 distribution, calculated with every step shown.
    main.locator('a[href$="/verteilung/"]').click()
    expect(page).to_have_url(re.compile(r"/programm/[a-z0-9]+/verteilung/$"))
    saved = main.locator("section[aria-labelledby=h-scenarios] table tbody tr")
    expect(saved).to_have_count(2)
    check_page("31-allocation")
    page.locator("#id_name").fill(OUR_SCENARIO)
    page.locator("#id_baustein").select_option("B2")
    page.locator("#id_total").fill("14")
    page.locator("#id_step").fill("0,5")
    page.locator("#id_minimum").fill("0,5")
    page.locator("#id_method").select_option("largest-remainder")
    page.locator("#id_key").select_option("population")
    page.locator("#id_as_of").fill("31.12.2019")
    main.locator("button[name=calculate]").click()
    preview = main.locator("section[aria-labelledby=h-preview]")
    expect(preview).to_be_visible()
    result = preview.locator("table")
    expect(result.locator("tbody tr")).to_have_count(len(EXPECTED_B2))
    for town, vze in EXPECTED_B2.items():
        expect(row_of(result, town).locator("td").last).to_have_text(vze)
    expect(row_of(result, "Stadt Siegen").locator("td").first).to_have_text("102.770")
    # The form keeps what was entered.
    expect(page.locator("#id_as_of")).to_have_value("31.12.2019")
    expect(page.locator("#id_minimum")).to_have_value("0,5")
    steps = preview.locator("details")
    expect(steps).not_to_have_attribute("open", "")
    expect(steps.locator("ol")).to_be_hidden()
    steps.locator("summary").click()
    expect(steps).to_have_attribute("open", "")
    expect(steps.locator("ol > li").first).to_be_visible()
    expect(steps.locator("ol")).to_contain_text("276.944")
    check_page("32-allocation-result")

    # Save it: the scenario page shows the same allocation.
    main.locator("button[name=save]").click()
    expect(page).to_have_url(re.compile(r"/programm/szenarien/[a-z0-9]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(OUR_SCENARIO)
    expect(main.locator(".kim-messages[role=status]")).to_be_visible()
    expect(row_of(main.locator("table"), "Stadt Kreuztal").locator("td").last).to_have_text("1,50")
    check_page("33-scenario-saved")

    # Back to the list: three scenarios now; compare ours with the demo's Sainte-Laguë one.
    main.locator('a[href$="/verteilung/"]').first.click()
    expect(saved).to_have_count(3)
    for name in (OUR_SCENARIO, DEMO_SL):
        saved.filter(has=page.get_by_role("link", name=name, exact=True)).locator(
            "input[type=checkbox][name=s]"
        ).check()
    main.locator("section[aria-labelledby=h-scenarios] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/verteilung/vergleich/\?s=[a-z0-9]+&s=[a-z0-9]+$"))
    compare = main.locator("table")
    expect(compare.locator("thead th")).to_have_count(3)
    expect(compare.locator("tbody tr")).to_have_count(len(EXPECTED_B2))
    kreuztal = row_of(compare, "Stadt Kreuztal").locator("td")
    expect(kreuztal).to_have_count(2)
    expect(kreuztal.first).to_have_text("1,50")
    # Without a minimum the small towns can end up with nothing; the totals still agree.
    for column in (0, 1):
        cells = compare.locator(f"tbody tr td:nth-of-type({column + 1})").all_inner_texts()
        assert sum(number(c) if c.strip() != "–" else 0 for c in cells) == 14, cells
    check_page("34-scenario-compare")

    # Open our scenario and adopt it from 1 January 2027.
    compare.get_by_role("link", name=OUR_SCENARIO, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OUR_SCENARIO)
    check_page("35-scenario-detail")
    page.locator("#id_planned_from").fill("01.01.2027")
    main.locator("section[aria-labelledby=h-adopt] button[type=submit]").click()
    expect(page).to_have_url(overview_url)
    expect(main.locator(".kim-messages")).to_be_visible()
    # On that day the Kreis has 14 more planned B2 VZÄ, one post per town (or per VZÄ).
    page.locator("#id_day").fill("01.01.2027")
    main.locator("form.kim-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?day=01\.01\.2027$"))
    expect(b2.locator("table tfoot td").first).to_have_text("14,00")
    check_page("36-programme-overview-2027")


def test_koordination_filters_positions_and_forecasts(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("koordination")
    overview_url = open_programme(page, server)
    main = page.locator("main")

    # Position list; the filters replace the table in place (htmx) and keep the URL in step.
    main.locator('a[href="/programm/stellen/"]').click()
    expect(page).to_have_url(f"{server}/programm/stellen/")
    table = page.locator("#position-table")
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    all_count = rows.count()
    # Filters are all optional; no "(optional)" marker on each of them.
    expect(main.locator("form[role=search] .kern-label__optional")).to_have_count(0)
    check_page("40-positions")
    page.evaluate("window.kimNoReload = true")
    page.locator("#id_baustein").select_option("B2")
    expect(page).to_have_url(re.compile(r"[?&]baustein=B2\b"))
    expect(rows).to_have_count(16)
    assert all_count > 16
    for cell in table.locator("tbody tr td:nth-of-type(1)").all_inner_texts():
        assert cell.strip() == "B2"
    check_page("41-positions-b2")
    page.locator("#id_status").select_option("filled")
    expect(page).to_have_url(re.compile(r"[?&]status=filled\b"))
    expect(rows.first).to_be_visible()
    filled_count = rows.count()
    assert 0 < filled_count < 16
    expect(table.locator("tbody .kern-badge--success")).to_have_count(filled_count)
    assert page.evaluate("window.kimNoReload") is True, "filtering reloaded the whole page"
    # The export links carry the filters.
    expect(main.locator('a[href*="/programm/stellen/export.xlsx?"]')).to_have_attribute(
        "href", re.compile(r"baustein=B2.*status=filled|status=filled.*baustein=B2")
    )
    check_page("42-positions-b2-filled")

    # A position with its history; record a status change with a date that does not exist.
    rows.first.locator("th a").click()
    expect(page).to_have_url(re.compile(r"/programm/stellen/[a-z0-9]+/$"))
    detail_url = page.url
    history = main.locator("section[aria-labelledby=h-history] tbody tr")
    history_count = history.count()
    assert history_count >= 3  # planned, approved, filled
    expect(main.locator("section[aria-labelledby=h-costs] table tbody tr")).to_have_count(5)
    check_page("43-position-detail")
    main.locator('a[href$="/status/"]').click()
    expect(page).to_have_url(re.compile(r"/status/$"))
    check_page("44-position-status")
    page.locator("#id_status").select_option("vacant")
    page.locator("#id_valid_from").fill("31.02.2027")
    main.locator("form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    control = page.locator("#id_valid_from")
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_attribute("aria-describedby", re.compile(r"\bid_valid_from_error\b"))
    group = page.locator(".kern-form-input", has=control)
    expect(group.locator("#id_valid_from_error")).to_have_text("Bitte ein gültiges Datum eingeben.")
    expect(control).to_have_value("31.02.2027")
    check_page("45-position-status-error")
    # Nothing was recorded.
    page.goto(detail_url)
    expect(history).to_have_count(history_count)

    # The forecast: chart and tables; then what if every post were paid as S 12?
    page.goto(overview_url)
    main.locator('a[href$="/prognose/"]').click()
    expect(page).to_have_url(re.compile(r"/programm/[a-z0-9]+/prognose/$"))
    chart = main.locator("figure.kim-chart")
    expect(chart.locator("svg[role=img]")).to_have_attribute("aria-labelledby", "chart-title")
    expect(chart.locator("svg[role=img] rect")).to_have_count(15)  # 5 years × 3 series
    expect(chart.locator(".kim-legend li")).to_have_count(3)
    box = chart.locator("svg[role=img]").bounding_box()
    assert box is not None and 500 <= box["width"] <= 48 * 16 + 1, box
    total = main.locator("section[aria-labelledby=h-total-costs] table")
    expect(total.locator("tbody tr")).to_have_count(5)
    by_baustein = main.locator("section[aria-labelledby=h-by-b] table")
    expect(by_baustein.locator("tbody tr")).to_have_count(3)
    for year in by_baustein.locator("thead th").all_inner_texts()[1:]:
        assert re.fullmatch(r"\d{4}", year.strip()), year
    expect(main.locator("section[aria-labelledby=h-by-home] tbody tr").first).to_be_visible()
    before = total.locator("tbody tr td:last-child").all_inner_texts()
    check_page("46-forecast")
    chart.screenshot(path=SCREENSHOTS / "46-forecast-chart.png")
    page.locator("#id_pay_group").select_option("S 12")
    main.locator("form.kim-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]pay_group=S\+12\b"))
    expect(page.locator("#id_pay_group")).to_have_value("S 12")
    expect(total.locator("tbody tr")).to_have_count(5)
    after = total.locator("tbody tr td:last-child").all_inner_texts()
    assert after != before, "the what-if pay group did not change the Eigenanteil"
    check_page("47-forecast-what-if")

    # On a phone the chart shrinks with the page and the wide tables scroll in their own box.
    page.set_viewport_size({"width": 390, "height": 844})
    box = chart.locator("svg[role=img]").bounding_box()
    assert box is not None and box["width"] <= 390, box
    assert fits_the_screen(page), "the forecast scrolls sideways on a phone"
    check_page("48-forecast-phone")


def test_programme_lead_sees_the_town_overview(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("siegen")
    open_programme(page, server)
    main = page.locator("main")
    # A town's programme lead sees the Kreis aggregates but may not allocate.
    expect(main.locator('a[href$="/verteilung/"]')).to_have_count(0)
    main.locator("section[aria-labelledby=h-B2]").get_by_role(
        "link", name="Stadt Siegen", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/programm/organisation/[a-z0-9]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stadt Siegen")
    per_baustein = main.locator("table").first
    expect(per_baustein.locator("tbody tr")).to_have_count(3)
    # B2: Siegen hosts three of its five posts itself (two sit with the welfare agency).
    expect(per_baustein.locator("tbody tr").nth(1).locator("td").nth(1)).to_have_text("3,00")
    forecast = main.locator("section[aria-labelledby=h-forecast] table")
    expect(forecast.locator("tbody tr")).to_have_count(5)
    years = forecast.locator("tbody th").all_inner_texts()
    # Years are years, not numbers with a thousands separator ("2.026").
    assert all(re.fullmatch(r"\d{4}\*?", y.strip()) for y in years), years
    first = int(years[0].rstrip("*"))
    assert [int(y.rstrip("*")) for y in years] == list(range(first, first + 5))
    for value in forecast.locator("tbody tr td:last-child").all_inner_texts():
        assert number(value) > 0, value
    check_page("50-town-overview-siegen")
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits_the_screen(page), "the town overview scrolls sideways on a phone"
    check_page("51-town-overview-siegen-phone")
