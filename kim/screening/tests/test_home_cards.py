"""Start-page cards of screening (kim/screening/home.py): persons likely now and likely within
six months over the officer's screened lists, each list linking to its filtered results.

Numbers are compared with a tally from the entries, each link's results page must list exactly
the counted persons, and the cards run one query whatever the number of lists and persons
(decisions D-057).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kim.accounts.access import load_user_context
from kim.cases.retention import add_months
from kim.core.shell import Card
from kim.screening.home import cards
from kim.screening.models import ListStatus, ScreeningEntry, ScreeningList
from kim.screening.tests.test_lists import make_list, screened_list

pytestmark = pytest.mark.django_db

NOW = "Screening: jetzt wahrscheinlich"
SOON = "Screening: wahrscheinlich binnen 6 Monaten"


def _cards(username: str = "abh") -> dict[str, Card]:
    ctx = load_user_context(get_user_model().objects.get(username=username))
    return {card.title: card for card in cards(ctx, timezone.localdate())}


def _queries() -> int:
    ctx = load_user_context(get_user_model().objects.get(username="abh"))
    with CaptureQueriesContext(connection) as captured:
        cards(ctx, timezone.localdate())
    return len(captured.captured_queries)


def _tally() -> tuple[dict[str, int], dict[str, int]]:
    """Per list code of the officer's screened lists: persons likely now, likely within six
    months."""
    today = timezone.localdate()
    entries = ScreeningEntry.objects.filter(
        screening_list__organisation__name="Ausländerbehörde Kreis Siegen-Wittgenstein",
        screening_list__status=ListStatus.DONE,
    )
    codes = ScreeningList.objects.filter(status=ListStatus.DONE).values_list("code", flat=True)
    now = {c: entries.filter(screening_list__code=c, rank=0).count() for c in codes}
    soon = {
        c: entries.filter(
            screening_list__code=c, rank=1, likely_from__lte=add_months(today, 6)
        ).count()
        for c in codes
    }
    return now, soon


def _per_list(card: Card, show: str) -> dict[str, int]:
    found = {}
    for item in card.items:
        if show in item.url:
            code = item.url.split("/")[3]
            found[code] = int(item.text.rsplit(": ", 1)[1].replace(".", ""))
    return found


def _check(client: Client) -> tuple[Card, Card]:
    now_tally, soon_tally = _tally()
    found = _cards()
    now, soon = found[NOW], found[SOON]
    assert now.number == f"{sum(now_tally.values()):,}".replace(",", ".")
    assert soon.number == f"{sum(soon_tally.values()):,}".replace(",", ".")
    assert _per_list(now, "?show=now") == now_tally
    assert _per_list(soon, "?show=soon&months=6") == soon_tally
    # Each link's results page lists exactly the counted persons.
    for card in (now, soon):
        for item in card.items:
            response = client.get(item.url)
            assert response.status_code == 200, item.url
            if "?show=" in item.url:
                n = int(item.text.rsplit(": ", 1)[1].replace(".", ""))
                assert response.context["page"].paginator.count == n, item.url
    return now, soon


def test_cards_count_the_demo_list(login_as: Callable[[str], Client]) -> None:
    now, _soon = _check(login_as("abh"))
    assert int(now.number) > 0  # the demo list has persons likely now
    assert now.items[-1].url == "/screening/listen/"


def test_cards_grow_with_more_lists_and_their_queries_do_not(
    login_as: Callable[[str], Client],
) -> None:
    client = login_as("abh")
    before = _queries()
    assert before <= 3  # the authority card (two) and the results (one)
    screened_list(12)
    screened_list(6)
    pending = make_list(4)  # uploaded, not yet screened: listed apart, not counted
    now, _soon = _check(client)
    assert pending.code not in {item.url.split("/")[3] for item in now.items if "?" in item.url}
    assert any(item.status == "warning" and item.url == "/screening/listen/" for item in now.items)
    assert _queries() == before


def test_cards_count_only_the_officers_lists() -> None:
    screened_list(3)
    for username in ("cm-siegen", "koordination", "dsb", "admin"):
        found = _cards(username)
        assert NOW not in found and SOON not in found


def test_the_cards_speak_english_in_english() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert {"Screening: likely now", "Screening: likely within 6 months"} <= set(_cards())
