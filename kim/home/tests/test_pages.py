"""Start page per persona, security headers, language switch, error pages (/healthz: kim/core)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kim.accounts.access import load_user_context
from kim.core.shell import Card
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.models import Agreement
from kim.partners.queries import deadlines

pytestmark = pytest.mark.django_db

# persona → a phrase its start page must show (German UI, the default language)
START_PAGE = {
    "koordination": "KIM-Koordination – Kreis Siegen-Wittgenstein",
    "siegen": "Programm – Stadt Siegen",
    "cm-siegen": "Ihre Organisation – Stadt Siegen",
    "cm-kreuztal": "Ihre Organisation – Stadt Kreuztal",
    "cm-traeger": "Brücke Siegerland",
    "traeger": "Brücke Siegerland",
    "teamlead-siegen": "Programm – Stadt Siegen",
    "abh": "Baustein 3 – Ausländerbehörde Kreis Siegen-Wittgenstein",
    "rat": "Ratsinformation",
    "dsb": "Datenschutz",
    "admin": "Administration",
}


@pytest.mark.parametrize(("persona", "phrase"), START_PAGE.items())
def test_start_page_fits_the_role(login_as, persona: str, phrase: str) -> None:
    response = login_as(persona).get("/")
    assert response.status_code == 200
    assert phrase in response.content.decode()


def test_coordination_sees_missing_population_figures(login_as) -> None:
    body = login_as("koordination").get("/").content.decode()
    # IT.NRW figures for 31.12.2024 were not reliably reported for these two towns (brief § 4.1).
    assert "31.12.2024" in body and "Stadt Bad Berleburg" in body and "Gemeinde Erndtebrück" in body


def test_case_manager_sees_who_is_responsible_for_their_town(login_as) -> None:
    body = login_as("cm-siegen").get("/").content.decode()
    assert "Jugendamt Stadt Siegen" in body
    assert "Ausländerbehörde Kreis Siegen-Wittgenstein" in body  # after the 2025 merger


@pytest.mark.parametrize("persona", list(START_PAGE))
def test_start_page_query_count(login_as, persona: str, django_assert_max_num_queries) -> None:
    client = login_as(persona)
    # issue 13: ≤ 15; issue 18: + the proofs card; issue 19: + the directory's card (D-090)
    with django_assert_max_num_queries(17):
        client.get("/")


def test_strict_content_security_policy(login_as) -> None:
    response = login_as("koordination").get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    body = response.content.decode()
    assert "<script>" not in body and " style=" not in body
    assert response["X-Frame-Options"] == "DENY"


def test_german_by_default_and_english_on_request(login_as) -> None:
    client = login_as("koordination")
    assert '<html lang="de">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body and "Overview" in body


def test_friendly_404_page(login_as) -> None:
    response = login_as("koordination").get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_friendly_500_page_needs_no_database(client: Client) -> None:
    from kim.core.views import error_500

    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        response = error_500(mock.Mock())
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.content.decode()


def test_demo_banner_only_in_demo_mode(login_as, settings) -> None:
    assert "kim-demo-banner" not in login_as("rat").get("/").content.decode()
    settings.DEMO_MODE = True
    assert "kim-demo-banner" in login_as("rat").get("/").content.decode()


# --- the deadlines card -------------------------------------------------------------------------
# Who may open the deadlines view (coordination, programme leads, administrators) sees on the
# start page how many payments and reports of the agreements they manage are overdue and due in
# the next 30 days, with a link to the view.

DEADLINES = "/partner/fristen/"
SEES_DEADLINES = {"koordination", "siegen", "admin"}
TODAY = dt.date(2025, 6, 1)


def _deadlines_card(client: Client) -> Card | None:
    cards = client.get("/").context["cards"]
    found = [c for c in cards if any(i.url.startswith(DEADLINES) for i in c.items)]
    assert len(found) <= 1
    return found[0] if found else None


def _numbers(card: Card) -> tuple[int, int]:
    """(overdue, due in the next 30 days) as the card shows them."""
    overdue, soon = (int(item.text.split()[0]) for item in card.items[:2])
    return overdue, soon


@pytest.mark.parametrize("persona", list(START_PAGE))
def test_deadlines_card_for_those_who_see_deadlines(login_as, persona: str) -> None:
    client = login_as(persona)
    body = client.get("/").content.decode()
    assert (f'href="{DEADLINES}"' in body) == (persona in SEES_DEADLINES)
    card = _deadlines_card(client)
    assert (card is not None) == (persona in SEES_DEADLINES)
    if card is not None:
        assert [i.url for i in card.items] == [
            DEADLINES + "#h-overdue",
            DEADLINES + "#h-next-30",
            DEADLINES,
            "/partner/vereinbarungen/",
        ]
        assert client.get(DEADLINES).status_code == 200  # the link leads somewhere


def _siegen_agreement(title: str = "Startseiten-Testvertrag") -> Agreement:
    return actions.create_agreement(
        acting_user=None,
        grantor=Organisation.objects.get(short_name="Siegen"),
        recipient=Organisation.objects.get(short_name="Brücke Siegerland"),
        kind="contract",
        title=title,
        signed_on=dt.date(2024, 12, 1),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        amounts=[(2025, Decimal("57000.00"), Decimal(0))],
    )


def _schedule(agreement: Agreement) -> None:
    """Around 01.06.2025: overdue 2 (a payment, a report), due within 30 days 3 (one of them
    today, one on the 30th day), later 2; done and received items count nowhere."""
    for due, done in (
        (dt.date(2025, 5, 15), False),  # overdue
        (dt.date(2025, 5, 1), True),  # done: not counted
        (dt.date(2025, 6, 1), False),  # today: next 30 days
        (dt.date(2025, 7, 1), False),  # day 30: next 30 days
        (dt.date(2025, 7, 2), False),  # day 31: later
    ):
        payment = actions.add_payment(
            agreement, acting_user=None, kind="payment", due_on=due, amount=Decimal("100.00")
        )
        if done:
            actions.mark_payment_done(payment, acting_user=None, done_on=due)
    for due, received in (
        (dt.date(2025, 5, 31), False),  # overdue since yesterday
        (dt.date(2025, 4, 30), True),  # received: not counted
        (dt.date(2025, 6, 20), False),  # next 30 days
        (dt.date(2025, 9, 1), False),  # later
    ):
        duty = actions.add_reporting_duty(agreement, acting_user=None, kind="interim", due_on=due)
        if received:
            actions.record_report_received(duty, acting_user=None, received_on=due)


@pytest.mark.parametrize("persona", sorted(SEES_DEADLINES))
def test_deadlines_card_counts_what_the_deadlines_view_lists(login_as, persona: str) -> None:
    client = login_as(persona)
    ctx = load_user_context(User.objects.get(username=persona))
    with time_machine.travel(dt.datetime(2025, 6, 1, 9, 0), tick=False):
        before = _numbers(_deadlines_card(client))  # type: ignore[arg-type]
        _schedule(_siegen_agreement())
        card = _deadlines_card(client)
        view = deadlines(ctx, TODAY)
    assert card is not None
    assert _numbers(card) == (len(view.overdue), len(view.next_30))
    # Every persona here manages Siegen's agreements: 2 more overdue, 3 more due soon.
    assert _numbers(card) == (before[0] + 2, before[1] + 3)
    assert card.items[0].status == "warning"


def test_deadlines_card_all_clear(login_as) -> None:
    # Long before the demo's agreements: nothing overdue, nothing due.
    with time_machine.travel(dt.datetime(2000, 1, 3, 9, 0), tick=False):
        card = _deadlines_card(login_as("koordination"))
    assert card is not None and _numbers(card) == (0, 0)
    assert card.items[0].status == "success"


def _start_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", sorted(SEES_DEADLINES))
def test_deadlines_card_query_count_does_not_grow(login_as, persona: str) -> None:
    client = login_as(persona)
    with time_machine.travel(dt.datetime(2025, 6, 1, 9, 0), tick=False):
        before = _start_queries(client)
        for number in range(5):
            _schedule(_siegen_agreement(f"Vertrag {number}"))
        after = _start_queries(client)
    assert after == before <= 17  # issue 18: + the proofs card; issue 19: + the directory's
