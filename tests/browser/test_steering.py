"""A Lenkungsgruppe meeting prepared, held and minuted in real Chromium by the coordination:
plan → agenda (with a topic proposed from the barrier log) → held → attendance → minutes →
decision that closes the topic → approval, every page checked with axe (0 violations) and saved
as a screenshot in test-results/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]
GROUP = "Lenkungsgruppe KIM Kreis Siegen-Wittgenstein"
TOPIC = "Schnittstelle zwischen Rechtskreisen"  # the demo's topic at Lenkungsgruppe level


def _save(page: Page) -> None:
    page.locator("main form.kim-form button[type=submit]").click()


def test_koordination_prepares_holds_and_minutes_a_meeting(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    today = timezone.localdate().strftime("%d.%m.%Y")
    log_in("koordination")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/steuerung/gremien/"]').click()
    expect(page).to_have_url(f"{server}/steuerung/gremien/")
    check_page("steering-body-list")
    page.get_by_role("link", name=GROUP).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GROUP)
    check_page("steering-body")

    # Plan
    page.get_by_role("link", name="Sitzung planen").click()
    page.get_by_label("Datum").fill(today)
    page.get_by_label("Beginn").fill("10:00")
    page.get_by_label("Ort").fill("Browsertest-Saal")
    check_page("steering-meeting-plan")
    _save(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sitzung am")
    meeting_url = page.url

    # Agenda: an empty item is refused next to the field, two items are added and reordered.
    page.get_by_role("link", name="Tagesordnungspunkt hinzufügen").click()
    _save(page)
    expect(page.locator("#id_title_error")).to_be_visible()
    check_page("steering-agenda-error")
    page.get_by_label("Titel").fill("Bericht der Arbeitsgruppe")
    # The item is a topic the system proposed from the barrier log (demo step 66).
    topic_choice = page.locator("#id_topic")
    topic_label = next(
        o for o in topic_choice.locator("option").all_text_contents() if o.startswith(TOPIC)
    )
    topic_choice.select_option(label=topic_label)
    _save(page)
    expect(page.locator("#agenda")).to_contain_text(TOPIC)
    page.get_by_role("link", name="Tagesordnungspunkt hinzufügen").click()
    page.get_by_label("Titel").fill("Begrüßung")
    _save(page)
    expect(page.locator("#agenda > li")).to_have_count(2)
    page.locator("#agenda > li").nth(1).get_by_role("button", name="Nach oben").click()
    expect(page.locator("#agenda > li").first).to_contain_text("Begrüßung")
    check_page("steering-meeting-agenda")

    # Held, attendance
    page.get_by_role("link", name="Datum, Ort oder Status ändern").click()
    page.get_by_label("Status").select_option("held")
    _save(page)
    expect(page.locator("#meeting-status")).to_contain_text("durchgeführt")
    page.get_by_role("link", name="Anwesenheit erfassen").click()
    page.get_by_label("Thomas Jung (Demo)", exact=True).select_option("excused")
    check_page("steering-attendance")
    _save(page)
    expect(page.locator("#attendance")).to_contain_text("entschuldigt")

    # Minutes and a decision
    page.get_by_role("link", name="Protokoll schreiben").click()
    page.get_by_label("Protokoll").fill("TOP 1: Begrüßung.\n\nTOP 2: Die AG berichtet.")
    _save(page)
    expect(page.locator("#minutes-text")).to_contain_text("Die AG berichtet.")
    page.get_by_role("link", name="Beschluss erfassen").click()
    page.get_by_label("Beschluss", exact=True).fill("Die AG legt einen Zwischenbericht vor.")
    page.get_by_label("Verantwortlich").select_option(label="Karla Koordinatorin")
    page.get_by_label("Tagesordnungspunkt").select_option(index=2)
    page.locator("#id_topic").select_option(label=topic_label)
    page.get_by_label("Schließt das Thema ab").check()
    check_page("steering-decision")
    _save(page)
    expect(page.locator("#decisions")).to_contain_text("Zwischenbericht")
    # A second decision is done at once and closes the topic in the same transaction.
    page.get_by_role("link", name="Beschluss erfassen").click()
    page.get_by_label("Beschluss", exact=True).fill(
        "Sozialamt und Jobcenter vereinbaren Übergaben."
    )
    page.locator("#id_topic").select_option(label=topic_label)
    page.get_by_label("Schließt das Thema ab").check()
    _save(page)
    page.locator("#decisions tr", has_text="vereinbaren Übergaben").get_by_role(
        "link", name="Aktualisieren"
    ).click()
    page.get_by_label("Status").select_option("done")
    _save(page)
    expect(page.locator("#decisions")).to_contain_text("erledigt")

    # Approve: the minutes are final, the downloads carry them.
    page.get_by_role("link", name="Protokoll genehmigen").click()
    _save(page)
    expect(page.locator("#minutes-state")).to_contain_text("genehmigt am")
    expect(page.get_by_role("link", name="Protokoll schreiben")).to_have_count(0)
    check_page("steering-meeting-approved")
    with page.expect_download() as download:
        page.get_by_role("link", name="Protokoll als PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.url == meeting_url

    # The start page shows the new open decision.
    page.goto(f"{server}/")
    expect(page.locator("main")).to_contain_text("Die AG legt einen Zwischenbericht vor.")

    # The topic is closed by the decision and lists it, and the meeting on its agenda.
    page.goto(f"{server}/steuerung/themen/?status=all")
    page.get_by_role("link", name=TOPIC).first.click()
    expect(page.locator("main")).to_contain_text("abgeschlossen")
    expect(page.locator("#topic-decisions")).to_contain_text("vereinbaren Übergaben")
    expect(page.locator("#topic-agenda")).to_contain_text("Bericht der Arbeitsgruppe")
    check_page("steering-topic-closed")
