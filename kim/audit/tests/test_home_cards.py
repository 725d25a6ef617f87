"""The data-protection officer's start-page cards (kim/audit/home.py): the state of the audit
chain, refused disclosures and Art. 15 exports this month, retention due today.

Numbers are compared with a tally from the trail and with the dry run of every retention step;
each link must answer 200 and list what was counted; the cards run six queries whatever the
size of the trail (decisions D-057).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kim.accounts.access import load_user_context
from kim.audit.home import cards
from kim.audit.models import AuditEvent, EventType
from kim.audit.record import record
from kim.core.shell import Card, retention_steps

pytestmark = pytest.mark.django_db

CHAIN, REFUSED, EXPORTS, RETENTION = (
    "Protokollkette",
    "Abgelehnte Weitergaben",
    "Auskünfte nach Art. 15 DSGVO",
    "Aufbewahrung",
)


def _cards(username: str = "dsb", today: dt.date | None = None) -> dict[str, Card]:
    ctx = load_user_context(get_user_model().objects.get(username=username))
    return {card.title: card for card in cards(ctx, today or timezone.localdate())}


def _queries(today: dt.date | None = None) -> int:
    ctx = load_user_context(get_user_model().objects.get(username="dsb"))
    with CaptureQueriesContext(connection) as captured:
        cards(ctx, today or timezone.localdate())
    return len(captured.captured_queries)


def _month_tally(event_type: str) -> int:
    today = timezone.localdate()
    return sum(
        1
        for e in AuditEvent.objects.filter(event_type=event_type)
        if today.replace(day=1) <= timezone.localtime(e.created_at).date() <= today
    )


# --- the chain ---------------------------------------------------------------------------------


def test_chain_card_says_never_verified_until_a_verification_is_recorded(
    login_as: Callable[[str], Client],
) -> None:
    client = login_as("dsb")
    assert not AuditEvent.objects.filter(event_type=EventType.AUDIT_VERIFIED).exists()
    card = _cards()[CHAIN]
    assert (card.number, card.label) == ("–", "noch nie geprüft")
    assert card.items[0].status == "warning"
    assert "noch nie geprüft" in client.get("/").content.decode()

    call_command("audit", "verify", stdout=io.StringIO())
    last = AuditEvent.objects.filter(event_type=EventType.AUDIT_VERIFIED).get()
    checked = AuditEvent.objects.filter(pk__lt=last.pk).count()  # every event before it
    card = _cards()[CHAIN]
    assert card.label == "zuletzt geprüft: intakt"
    assert card.number == timezone.localtime(last.created_at).strftime("%d.%m.%Y")
    german = f"{checked:,}".replace(",", ".")
    assert f"intakt, {german} Ereignisse geprüft" in card.items[0].text
    assert card.items[0].status == "success"
    assert card.items[0].url == f"/audit/{last.code}/"
    for item in card.items:
        assert client.get(item.url).status_code == 200, item.url


def test_chain_card_shows_the_latest_web_verification_and_a_broken_chain(
    login_as: Callable[[str], Client],
) -> None:
    client = login_as("dsb")
    call_command("audit", "verify", stdout=io.StringIO())
    target = AuditEvent.objects.order_by("id")[5]
    AuditEvent.objects.filter(pk=target.pk).update(extra={"rows": 999})  # tampering
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=io.StringIO())
    card = _cards()[CHAIN]
    assert card.label == "zuletzt geprüft: BESCHÄDIGT"
    assert "beschädigt nach 5 intakten Ereignissen" in card.items[0].text
    assert card.items[0].status == "warning"

    assert client.post("/audit/pruefen/").status_code == 200  # the web verification
    latest = AuditEvent.objects.filter(event_type=EventType.AUDIT_VERIFIED).order_by("-id")[0]
    assert latest.actor_username == "dsb"
    assert _cards()[CHAIN].items[0].url == f"/audit/{latest.code}/"


# --- refused disclosures and Art. 15 exports this month ----------------------------------------


def _check_month(client: Client) -> dict[str, Card]:
    found = _cards()
    today = timezone.localdate()
    for title, event_type in (
        (REFUSED, EventType.DISCLOSURE_REFUSED),
        (EXPORTS, EventType.CASE_EXPORTED),
    ):
        card, tally = found[title], _month_tally(event_type)
        assert card.number == f"{tally:,}".replace(",", "."), title
        (item,) = card.items
        assert item.url == (
            f"/audit/?event_type={event_type}"
            f"&date_from={today.replace(day=1).isoformat()}&date_to={today.isoformat()}"
        )
        response = client.get(item.url)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == tally, title
    return found


def test_month_cards_count_the_trail_and_stay_at_six_queries(
    login_as: Callable[[str], Client],
) -> None:
    client = login_as("dsb")
    _check_month(client)
    before = _queries()
    assert before <= 6  # D-057's five, and the jobs' retention count (D-063)

    cm = get_user_model().objects.get(username="cm-siegen")
    for _i in range(1001):
        record(EventType.DISCLOSURE_REFUSED, actor=cm, subject_type="cases.case")
    for _i in range(3):
        record(EventType.CASE_EXPORTED, actor=cm, subject_type="cases.case")
    found = _check_month(client)
    assert re.fullmatch(r"1\.\d{3}", found[REFUSED].number)  # German thousands separator
    with translation.override("en"):
        english = _cards()
    assert re.fullmatch(r"1,\d{3}", english["Refused disclosures"].number)
    assert _queries() == before


def test_cards_only_for_readers_of_the_trail() -> None:
    for username in ("cm-siegen", "koordination", "teamlead-siegen", "abh"):
        assert not _cards(username)
    assert CHAIN in _cards("admin")


# --- retention ---------------------------------------------------------------------------------


def _dry_run_total(day: dt.date) -> int:
    return sum(sum(step.fn(day, True).counts.values()) for step in retention_steps())


@pytest.mark.parametrize("years", [0, 15])
def test_retention_card_counts_what_a_dry_run_would_do(years: int) -> None:
    day = timezone.localdate() + dt.timedelta(days=365 * years)
    events = AuditEvent.objects.count()
    card = _cards(today=day)[RETENTION]
    assert AuditEvent.objects.count() == events  # counting writes nothing
    total = _dry_run_total(day)
    assert card.number == f"{total:,}".replace(",", ".")
    assert card.items[0].status == ("warning" if total else "success")
    if years:
        assert total > 0 and card.items[0].text.startswith("Heute fällig: ")
    assert _queries(day) <= 6


def test_retention_card_shows_the_last_run(login_as: Callable[[str], Client]) -> None:
    client = login_as("dsb")
    card = _cards()[RETENTION]
    assert card.items[-1].text == "Noch kein Löschlauf protokolliert."
    call_command("retention", "run", stdout=io.StringIO())
    run = AuditEvent.objects.filter(event_type=EventType.RETENTION_RUN).get()
    card = _cards()[RETENTION]
    when = timezone.localtime(run.created_at).strftime("%d.%m.%Y %H:%M")
    assert card.items[-1].text == f"Letzter Löschlauf am {when}: {run.extra['applied']} ausgeführt"
    response = client.get(card.items[-1].url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
