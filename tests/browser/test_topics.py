"""Topics in real Chromium: the KIM coordination goes from the barrier log to the topic board,
opens the demo's proposal, confirms it and moves it to the working-group level with a reason;
the topic page shows the evidence as counts and the level history. A case manager sees the
same topic with counts only. Every page is checked with axe and saved as a screenshot."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kim.steering.models import Topic, TopicLevel, TopicStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]


def test_koordination_confirms_a_proposal_and_moves_it_up(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    proposal = Topic.objects.get(region__ags="05970", status=TopicStatus.PROPOSED)
    log_in("koordination")
    page.goto(f"{server}/fallmanagement/barrieren/")
    page.locator('main a[href="/steuerung/themen/"]').click()
    expect(page).to_have_url(f"{server}/steuerung/themen/")
    expect(page.locator("#topics-case_team")).to_contain_text(proposal.title)
    check_page("steering-10-topic-board")

    page.locator(f'main a[href="/steuerung/themen/{proposal.code}/"]').click()
    expect(page.locator("#evidence-quarter")).to_be_visible()
    check_page("steering-11-topic-proposal")
    page.locator("#topic-actions button[type=submit]").click()
    expect(page.locator("#topic-facts")).to_contain_text("offen")

    page.locator(f'#topic-actions a[href="/steuerung/themen/{proposal.code}/ebene/"]').click()
    page.locator("#id_to_level").select_option(TopicLevel.WORKING_GROUP.value)
    page.locator("#id_reason").fill("Betrifft mehrere Städte; die Arbeitsgruppe klärt das Angebot.")
    check_page("steering-12-topic-level")
    page.locator("main form.kim-form button[type=submit]").click()
    expect(page.locator("#level-history")).to_contain_text(
        timezone.localdate().strftime("%d.%m.%Y")
    )
    check_page("steering-13-topic-moved")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.level) == (TopicStatus.OPEN, TopicLevel.WORKING_GROUP)


def test_case_manager_sees_counts_only(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    topic = Topic.objects.get(region__ags="05970", category__key="schnittstelle")
    log_in("cm-siegen")
    page.goto(f"{server}/steuerung/themen/{topic.code}/")
    expect(page.locator("#evidence-summary")).to_be_visible()
    expect(page.locator("#topic-actions")).to_have_count(0)
    expect(page.locator("#level-history")).to_have_count(0)
    check_page("steering-14-topic-case-manager")
