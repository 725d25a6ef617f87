"""Case management in real Chromium: the "Done when" of the case-management issue.

``cm-siegen`` registers a fictional client (through the duplicate check) and takes the case
from referral to closing through the forms, with a consent for the Jobcenter, a referral
behind re-authentication and a refused referral without consent; ``cm-kreuztal`` learns
nothing about the case (404 like a made-up code, not listed, not found); the data-protection
officer finds the reads and the disclosure in the audit trail. The KIM coordination reads
the anonymised barrier log; ``cm-siegen``'s work list, case list and the demo's case in
monitoring are checked and saved as screenshots.

Every visited page is checked with axe (0 violations) and saved as a screenshot in
test-results/. German texts are taken from the project's catalogue (``german``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.functional import Promise
from playwright.sync_api import Page, expect

from kim.audit.models import EventType
from kim.cases.models import (
    Barrier,
    ClosingReason,
    GoalStatus,
    Indication,
    LifeArea,
    NeedLevel,
    Person,
    Phase,
)
from kim.organisations.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CheckPage = Callable[[str], None]
LogIn = Callable[[str], None]

JOBCENTER = "Jobcenter Siegen-Wittgenstein"
AGENTUR = "Agentur für Arbeit Siegen"
# "Amal" and the birth date of the demo's waiting-list client "Amal Beispiel": the duplicate
# check lists her, and cm-siegen confirms that this is someone else.
FIRST_NAME, LAST_NAME, BIRTH_DATE = "Amal", "Erprobung", "02.03.1994"
CLIENT = f"{FIRST_NAME} {LAST_NAME}"
GOAL = "Anerkennung des Pflegeabschlusses beantragen"


def german(message: str | Promise) -> str:
    """The German text of one of our messages, from the project's catalogue."""
    with translation.override("de"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def _day(days_ahead: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days_ahead)).strftime("%d.%m.%Y")


def _save(page: Page) -> None:
    page.locator("main form.kim-form button[type=submit]").click()


def _expect_phase(page: Page, phase: Phase) -> None:
    expect(page.locator("#case-phase")).to_have_text(german(phase.label))
    expect(page.locator("#phase-steps [aria-current=step]")).to_contain_text(german(phase.label))


def _register_client(page: Page, server: str, check_page: CheckPage) -> str:
    """The new client through the duplicate check; returns the case's URL."""
    page.goto(f"{server}/fallmanagement/")
    page.locator('main a[href="/fallmanagement/klienten/neu/"]').click()
    expect(page).to_have_url(f"{server}/fallmanagement/klienten/neu/")
    page.locator("#id_first_name").fill(FIRST_NAME)
    page.locator("#id_last_name").fill(LAST_NAME)
    page.locator("#id_birth_date").fill(BIRTH_DATE)
    page.locator("#id_languages").fill("ar, de")
    page.locator("#id_referral_source").select_option("jobcenter")
    page.locator("#id_referral_organisation").select_option(label=JOBCENTER)
    check_page("cases-01-person-create")
    _save(page)

    # The duplicate check: the demo's "Amal Beispiel" is listed, nothing is saved yet.
    expect(page).to_have_url(f"{server}/fallmanagement/klienten/neu/")
    expect(page.locator("#duplicate-candidates")).to_contain_text("Amal Beispiel")
    expect(page.locator("#id_confirm_distinct")).to_be_visible()
    check_page("cases-02-person-create-duplicates")
    page.locator("#id_confirm_distinct").check()
    _save(page)

    expect(page).to_have_url(re.compile(r"/fallmanagement/faelle/[a-z2-7]{16}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(CLIENT)
    _expect_phase(page, Phase.ACCESS)
    check_page("cases-03-case-access")
    return page.url


def _intake_and_assessment(page: Page, check_page: CheckPage) -> None:
    page.locator('#next-steps form[action$="/klaerung/start/"] button').click()
    _expect_phase(page, Phase.INTAKE)
    check_page("cases-04-case-intake")

    page.locator('#next-steps a[href$="/klaerung/"]').click()
    page.locator("#id_indication").select_option(Indication.INDICATED.value)
    page.locator("#id_reason").fill("Bedarfe in Arbeit und Anerkennung, mehrere Stellen beteiligt.")
    check_page("cases-05-indication")
    _save(page)
    _expect_phase(page, Phase.ASSESSMENT)

    page.locator('#next-steps a[href$="/assessment/"]').click()
    page.locator("#id_need_arbeit").select_option(NeedLevel.HIGH.value)
    page.locator("#id_needs_arbeit").fill("Sucht eine Stelle in der Pflege (fiktiv).")
    page.locator("#id_resources_arbeit").fill("Ausbildung als Pflegefachkraft im Herkunftsland.")
    check_page("cases-06-assessment")
    _save(page)
    _expect_phase(page, Phase.ASSESSMENT)
    expect(page.locator("#assessment")).to_contain_text("Sucht eine Stelle in der Pflege")

    page.locator('#next-steps form[action$="/assessment/abschliessen/"] button').click()
    _expect_phase(page, Phase.PLANNING)


def _plan(page: Page, check_page: CheckPage) -> None:
    page.locator('#next-steps a[href$="/ziele/neu/"]').click()
    page.locator("#id_life_area").select_option(label=LifeArea.objects.get(key="anerkennung").name)
    page.locator("#id_description").fill(GOAL)
    page.locator("#id_due_on").fill(_day(120))
    check_page("cases-07-goal")
    _save(page)
    _expect_phase(page, Phase.PLANNING)
    expect(page.locator("#goals")).to_contain_text(GOAL)

    page.locator('#next-steps a[href$="/plan/"]').click()
    check_page("cases-08-plan-agree")
    _save(page)
    _expect_phase(page, Phase.LINKING)
    check_page("cases-09-case-linking")


def _consent_and_referrals(page: Page, check_page: CheckPage) -> None:
    page.locator('#consents a[href$="/einwilligungen/neu/"]').click()
    page.locator("#id_recipient").select_option(label=JOBCENTER)
    page.locator("#id_purpose").fill("Vermittlung in Arbeit und Anerkennung abstimmen")
    for category in ("master_data", "plan", "education_work"):
        page.locator(f'input[name=categories][value="{category}"]').check()
    check_page("cases-10-consent")
    _save(page)
    expect(page.locator("#consent-table")).to_contain_text(JOBCENTER)

    # A disclosure: saving asks for the password again, then the referral is stored.
    page.locator('#referrals a[href$="/vermittlungen/neu/"]').click()
    referral_url = page.url
    page.locator("#id_recipient").select_option(label=JOBCENTER)
    page.locator("#id_purpose").fill("Beratung zur Anerkennung und Arbeitsvermittlung")
    page.locator('input[name=categories][value="master_data"]').check()
    page.locator('input[name=categories][value="plan"]').check()
    page.locator("#id_goal").select_option(index=1)
    check_page("cases-11-referral")
    _save(page)
    expect(page).to_have_url(re.compile(r"/konto/reauthenticate/"))
    check_page("cases-12-reauthenticate")
    page.locator("#id_password").fill("demo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#referral-table tbody tr")).to_have_count(1)
    expect(page.locator("#referral-table")).to_contain_text(JOBCENTER)
    _expect_phase(page, Phase.LINKING)

    # Without a consent for the Agentur für Arbeit: refused next to the field, nothing saved.
    page.goto(referral_url)
    page.locator("#id_recipient").select_option(label=AGENTUR)
    page.locator("#id_purpose").fill("Vermittlung in eine Weiterbildung")
    page.locator('input[name=categories][value="master_data"]').check()
    _save(page)
    with translation.override("de"):
        refused = translation.gettext(
            "There is no consent of the person for disclosure to %(recipient)s."
        ) % {"recipient": AGENTUR}
    expect(page.locator("#id_recipient_error")).to_have_text(refused)
    expect(page.locator("#id_recipient")).to_have_attribute(
        "aria-describedby", re.compile(r"id_recipient_error")
    )
    check_page("cases-13-referral-refused")
    page.get_by_role("link", name=german("Cancel")).click()
    expect(page.locator("#referral-table tbody tr")).to_have_count(1)
    expect(page.locator("#referral-table")).not_to_contain_text(AGENTUR)


def _monitoring_and_closing(page: Page, check_page: CheckPage) -> None:
    page.locator('#next-steps a[href$="/monitoring/"]').click()
    page.locator("#id_next_review_on").fill(_day(30))
    check_page("cases-14-monitoring-start")
    _save(page)
    _expect_phase(page, Phase.MONITORING)

    page.locator('#next-steps a[href$="/monitoring/ueberpruefung/"]').click()
    page.locator("#id_next_review_on").fill(_day(60))
    page.locator("main select[id^=id_goal_]").select_option(GoalStatus.IN_PROGRESS.value)
    check_page("cases-15-review")
    _save(page)
    _expect_phase(page, Phase.MONITORING)
    expect(page.locator("#goals")).to_contain_text(german(GoalStatus.IN_PROGRESS.label))
    check_page("cases-16-case-monitoring")

    page.locator('#next-steps a[href$="/abschluss/"]').click()
    page.locator("#id_reason").select_option(ClosingReason.GOALS_MET.value)
    page.locator("main select[id^=id_goal_]").select_option(GoalStatus.ACHIEVED.value)
    page.locator("#id_note").fill("Anerkennung beantragt, Stelle in Aussicht (fiktiv).")
    check_page("cases-17-close")
    _save(page)
    _expect_phase(page, Phase.CLOSED)
    expect(page.locator("#closing")).to_contain_text(german(ClosingReason.GOALS_MET.label))
    expect(page.locator("#goals")).to_contain_text(german(GoalStatus.ACHIEVED.label))
    expect(page.locator("#next-steps")).to_have_count(0)

    # The phase history: every step of the way, in order, by cm-siegen.
    rows = page.locator("#phase-history tbody tr")
    path = [
        Phase.ACCESS,
        Phase.INTAKE,
        Phase.ASSESSMENT,
        Phase.PLANNING,
        Phase.LINKING,
        Phase.MONITORING,
        Phase.CLOSED,
    ]
    labels = [german(phase.label) for phase in path]
    case_manager = User.objects.get(username="cm-siegen").get_full_name()
    expect(rows).to_have_count(len(path))
    for row, before, after in zip(rows.all(), ["–", *labels[:-1]], labels, strict=True):
        cells = row.locator("td")
        expect(cells.nth(1)).to_have_text(before)
        expect(cells.nth(2)).to_have_text(after)
        expect(cells.nth(3)).to_have_text(case_manager)
    check_page("cases-18-case-closed")


def test_cm_siegen_takes_a_case_from_referral_to_closing(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    """The whole lifecycle; then a stranger learns nothing and the DPO finds the trail."""
    log_in("cm-siegen")
    case_url = _register_client(page, server, check_page)
    case_code = case_url.rstrip("/").rsplit("/", 1)[-1]
    _intake_and_assessment(page, check_page)
    _plan(page, check_page)
    _consent_and_referrals(page, check_page)
    _monitoring_and_closing(page, check_page)

    # cm-kreuztal: the same 404 as for a made-up code; not listed, not found by name.
    page.context.clear_cookies()
    log_in("cm-kreuztal")
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(german("Page not found"))
    check_page("cases-19-kreuztal-404")
    stranger_body = page.locator("main").inner_text()
    response = page.goto(f"{server}/fallmanagement/faelle/aaaaaaaaaaaaaaaa/")
    assert response is not None and response.status == 404
    assert page.locator("main").inner_text() == stranger_body

    page.goto(f"{server}/fallmanagement/faelle/?phase=all")
    expect(page.locator("#case-list")).to_be_visible()
    expect(page.locator("#case-list")).not_to_contain_text(LAST_NAME)
    expect(page.locator(f'#case-list a[href$="/{case_code}/"]')).to_have_count(0)
    check_page("cases-20-kreuztal-case-list")
    # The search works for cm-kreuztal's own client, and finds nothing of Siegen's.
    search = page.locator("main form[role=search]")
    page.goto(f"{server}/fallmanagement/klienten/suche/")
    search.locator("#id_q").fill("Aylin Erfundene")
    search.locator("button[type=submit]").click()
    expect(page.locator("#search-results tbody tr")).to_have_count(1)
    search.locator("#id_q").fill(CLIENT)
    search.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/fallmanagement/klienten/suche/\?q=Amal\+Erprobung"))
    expect(page.locator("#search-results")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(german("No client found."))
    check_page("cases-21-kreuztal-search")

    # The data-protection officer: the reads of the case file and the disclosure.
    page.context.clear_cookies()
    log_in("dsb")
    page.goto(f"{server}/audit/")
    page.locator("#id_subject_code").fill(case_code)
    page.locator("#id_event_type").select_option(EventType.CASE_READ.value)
    page.locator("main form.kim-filters button[type=submit]").click()
    events = page.locator("main table tbody tr")
    expect(events.first).to_contain_text(german(EventType.CASE_READ.label))
    expect(events.first).to_contain_text("cm-siegen")
    assert events.count() >= 10
    check_page("cases-22-audit-case-read")

    page.locator("#id_event_type").select_option(EventType.DISCLOSURE.value)
    page.locator("main form.kim-filters button[type=submit]").click()
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text(german(EventType.DISCLOSURE.label))
    expect(events.first).to_contain_text(case_code)
    check_page("cases-23-audit-disclosure")
    events.first.locator("a").click()
    jobcenter_code = Organisation.objects.get(name=JOBCENTER).code
    details = page.locator("#event-extra")
    expect(details).to_contain_text(f"{JOBCENTER} ({jobcenter_code})")  # recipient by name
    expect(details).to_contain_text("Rechtsgrundlage")
    expect(details).to_contain_text("referral")
    check_page("cases-24-audit-disclosure-detail")

    page.goto(f"{server}/audit/?subject_code={case_code}")
    page.locator("#id_event_type").select_option(EventType.DISCLOSURE_REFUSED.value)
    page.locator("main form.kim-filters button[type=submit]").click()
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text(german(EventType.DISCLOSURE_REFUSED.label))


def test_koordination_reads_the_anonymised_barrier_log(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    barriers = list(Barrier.objects.all())
    # The cases' demo records 3 barriers, the topics' demo (kim/steering/demo_topics.py) 15
    # more; the log groups them by category, legal sphere and organisation involved.
    assert len(barriers) == 18
    groups = {(b.category_id, b.rechtskreis, b.organisation_involved_id) for b in barriers}
    names = {p.first_name for p in Person.objects.all()} | {
        p.last_name for p in Person.objects.all()
    }

    log_in("koordination")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/fallmanagement/barrieren/"]').click()
    expect(page).to_have_url(f"{server}/fallmanagement/barrieren/")
    table = page.locator("#barrier-table")
    expect(table.locator("tbody tr")).to_have_count(len(groups))
    for barrier in barriers:
        expect(table).to_contain_text(barrier.description)
    text = page.locator("main").inner_text()
    assert not [name for name in names if re.search(rf"\b{re.escape(name)}\b", text)]
    check_page("cases-25-barrier-log")


def test_cm_siegen_work_list_case_list_and_demo_case_in_monitoring(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    log_in("cm-siegen")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.locator('a[href="/fallmanagement/"]').click()
    expect(page).to_have_url(f"{server}/fallmanagement/")
    expect(page.locator("#phase-counts")).to_be_visible()
    expect(page.locator("#overdue-reviews")).to_contain_text("Tarek Platzhalter")
    check_page("cases-26-worklist")

    page.locator('main a[href="/fallmanagement/faelle/"]').click()
    expect(page).to_have_url(f"{server}/fallmanagement/faelle/")
    expect(page.locator("#case-list")).to_contain_text("Tarek Platzhalter")
    check_page("cases-27-case-list")

    page.locator("#id_phase").select_option(Phase.MONITORING.value)
    expect(page).to_have_url(re.compile(r"phase=monitoring"))
    rows = page.locator("#case-list tbody tr")
    expect(rows).to_have_count(2)
    rows.filter(has_text="Tarek Platzhalter").locator("a").click()
    _expect_phase(page, Phase.MONITORING)
    expect(page.locator("#goals tbody tr")).to_have_count(2)
    check_page("cases-28-demo-case-monitoring")


def test_koordination_reads_the_case_statistics(
    page: Page, server: str, log_in: LogIn, check_page: CheckPage
) -> None:
    """From the menu (barrier log) to a suppressed table with its chart; no client name on the
    page."""
    names = {p.last_name for p in Person.objects.all()}

    log_in("koordination")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Fallmanagement").click()
    page.locator("main").get_by_role("link", name="Fallstatistik").click()
    expect(page.locator("#case-stats")).to_be_visible()
    page.locator("#id_measure").select_option("new_cases")
    page.locator("#id_by").select_option("legal_sphere")
    page.locator("#id_start").fill("2020-01-01")
    page.locator("main form.kim-filters button[type=submit]").click()
    table = page.locator("#case-stats")
    expect(table).to_contain_text("< 3")
    expect(page.locator("main figure svg")).to_be_visible()
    body = page.locator("main").inner_text()
    assert not any(name and name in body for name in names)
    check_page("cases-statistics")
