"""The start page per role is a dashboard (issue 13, item 3): each card a number, a short label
and links, figures tallied independently from the demo data here, German formats in German and
English ones in English, and a query count that stays flat when the data grows.

The figures of the same thing agree everywhere: the programme lead's card counts the town's posts
as the council report does (the posts passed on to a welfare agency included, D-056).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PERSONAS
from kim.council import answers
from kim.council.actions import reports as report_actions
from kim.council.models import Paper, Report, ReportRelease
from kim.organisations.models import Organisation
from kim.partners import actions as partner_actions
from kim.partners.actions import calls as call_actions
from kim.programmes import actions as programme_actions
from kim.programmes.models import Position, PositionStatus

pytestmark = pytest.mark.django_db

ENGLISH_VZE = re.compile(r"\d+\.\d\d VZÄ")
# issue 13: 15; issue 18: + the proofs card (one query, D-088); issue 19: + the service
# network's card of the maintainers (one query, D-090)
MAX_QUERIES = 17
KREIS = "05970"
BRUECKE = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"


def _page(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _de(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _status_on(position: Position, day: dt.date) -> str | None:
    """Independent of kim.programmes: the latest status change on or before the day."""
    changes = [c for c in position.status_changes.all() if c.valid_from <= day]
    return max(changes, key=lambda c: (c.valid_from, c.pk)).status if changes else None


def _tally(positions: list[Position], day: dt.date) -> tuple[Decimal, Decimal, Decimal]:
    established = filled = Decimal(0)
    for p in positions:
        status = _status_on(p, day)
        if status in ("approved", "advertised", "vacant", "filled"):
            established += p.vze
            if status == "filled":
                filled += p.vze
    return established, filled, established - filled


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    return len(captured)


# --- every persona -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_start_page_shows_english_decimals_in_german(
    login_as: Callable[[str], Client], persona: str
) -> None:
    page = _page(login_as(persona))
    assert not ENGLISH_VZE.findall(page), persona


def test_expected_cards_per_persona(login_as: Callable[[str], Client]) -> None:
    expected = {
        "koordination": [
            "KIM-Stellen – Kreis Siegen-Wittgenstein",
            "Seit mehr als 90 Tagen unbesetzte Stellen",
            "Fristen der Weiterleitungsvereinbarungen",
            "Gremienarbeit",
        ],
        "siegen": ["KIM-Stellen der Stadt Siegen", "Fristen der Weiterleitungsvereinbarungen"],
        "teamlead-siegen": ["KIM-Stellen der Stadt Siegen"],
        "traeger": ["Vereinbarungen, Berichte und Interessenbekundungsverfahren"],
        "rat": ["Ratsinformation – Stadt Siegen"],
    }
    for persona, titles in expected.items():
        page = _page(login_as(persona))
        for title in titles:
            assert f">{title}</h2>" in page, (persona, title)
    # Figures of the programme and the council belong to their roles only.
    for persona in ("cm-siegen", "abh", "dsb", "rat"):
        assert "VZÄ eingerichtet am" not in _page(login_as(persona)), persona
    assert "Gremienarbeit" not in _page(login_as("rat"))


def test_english_formats_in_english(login_as: Callable[[str], Client]) -> None:
    client = login_as("koordination")
    client.cookies["django_language"] = "en"
    page = _page(client)
    assert "19.50" in page and "19,50" not in page
    assert re.search(r"since \d\d/\d\d/\d{4}", page)  # Django's English SHORT_DATE_FORMAT
    german = _page(login_as("koordination"))
    assert "19,50" in german and re.search(r"seit \d\d\.\d\d\.\d{4}", german)


# --- koordination ------------------------------------------------------------------------------


def test_coordination_posts_match_an_independent_tally(login_as: Callable[[str], Client]) -> None:
    today = timezone.localdate()
    posts = list(Position.objects.filter(region__ags=KREIS).prefetch_related("status_changes"))
    established, filled, vacant = _tally(posts, today)
    assert established == Decimal("19.50")  # the demo world
    page = _page(login_as("koordination"))
    assert f'kim-figure__number">{_de(established)}<' in page
    assert f"Besetzt: {_de(filled)} VZÄ" in page
    assert f"Unbesetzt (eingerichtet, nicht besetzt): {_de(vacant)} VZÄ" in page
    # The chart comes with its table: B2 established twice (a month ago, today).
    assert 'role="img"' in page and "<table" in page
    b2 = _tally([p for p in posts if p.baustein == "B2"], today)[0]
    assert re.search(rf"<th[^>]*>B2</th>\s*(<td[^>]*>{_de(b2)}</td>\s*){{2}}", page)


def test_month_on_month_change_from_the_history(login_as: Callable[[str], Client]) -> None:
    today = timezone.localdate()
    koordination = User.objects.get(username="koordination")
    netphen = Position.objects.get(title="B2 Stadt Netphen, Stelle 1")  # vacant since 01.07.2026
    programme_actions.change_position_status(
        netphen,
        acting_user=koordination,
        status=PositionStatus.ADVERTISED,
        valid_from=today - dt.timedelta(days=20),
    )
    programme_actions.change_position_status(
        netphen,
        acting_user=koordination,
        status=PositionStatus.FILLED,
        valid_from=today - dt.timedelta(days=10),
    )
    page = _page(login_as("koordination"))
    last_of_previous = today.replace(day=1) - dt.timedelta(days=1)
    since = last_of_previous.replace(day=min(today.day, last_of_previous.day)).strftime("%d.%m.%Y")
    assert f"Besetzt: 17,00 VZÄ (+1,00 VZÄ seit {since})" in page
    assert f"(eingerichtet, nicht besetzt): 2,50 VZÄ (−1,00 VZÄ seit {since})" in page
    assert f"Eingerichtet: ±0,00 VZÄ seit {since}" in page


def test_vacancies_older_than_90_days(login_as: Callable[[str], Client]) -> None:
    today = timezone.localdate()
    koordination = User.objects.get(username="koordination")
    kreis = Organisation.objects.get(ags=KREIS)
    for title, days in (("Neu ausgeschrieben", 30), ("Lange offen", 120)):
        programme_actions.create_position(
            acting_user=koordination,
            region=kreis,
            home=kreis,
            baustein="B1",
            title=title,
            vze=Decimal("0.50"),
            employer_type="municipal",
            status=PositionStatus.APPROVED,
            status_from=today - dt.timedelta(days=days),
        )
    posts = Position.objects.filter(region=kreis).prefetch_related("status_changes")
    expected = []
    for p in posts:
        changes = sorted(
            (c for c in p.status_changes.all() if c.valid_from <= today),
            key=lambda c: (c.valid_from, c.pk),
        )
        since = None
        for c in changes:
            unfilled = c.status in ("approved", "advertised", "vacant")
            since = (since or c.valid_from) if unfilled else None
        if since and (today - since).days > 90:
            expected.append(p.title)
    assert "Lange offen" in expected and "Neu ausgeschrieben" not in expected
    page = _page(login_as("koordination"))
    card = page[page.index("Seit mehr als 90 Tagen unbesetzte Stellen") :]
    card = card[: card.index("</section>")]
    assert f'kim-figure__number">{len(expected)}<' in card
    assert "Lange offen" in card and "Neu ausgeschrieben" not in card


# --- siegen: the same figures as the council report ------------------------------------------


def test_town_card_equals_the_report_block_for_the_same_day(
    login_as: Callable[[str], Client],
) -> None:
    today = timezone.localdate()
    siegen = Organisation.objects.get(name="Stadt Siegen")
    block = answers.positions_per_baustein(siegen, today)
    assert block.table is not None and block.table.footer is not None
    established, filled, unfilled = block.table.footer[3:6]
    assert (established, filled) == ("5,00", "4,00")  # with the 2,00 VZÄ at Brücke
    for persona in ("siegen", "teamlead-siegen"):
        page = _page(login_as(persona))
        card = page[page.index("KIM-Stellen der Stadt Siegen") :]
        card = card[: card.index("</section>")]
        assert f'kim-figure__number">{established}<' in card
        assert f"Besetzt: {filled} VZÄ" in card
        assert f"nicht besetzt): {unfilled} VZÄ" in card
        assert "Davon an freie Träger weitergegeben: 2,00 VZÄ" in card


def test_four_eyes_waiting_for_you(login_as: Callable[[str], Client]) -> None:
    # The demo draft was changed last by `siegen`: koordination may release it, siegen may not.
    report = Report.objects.get(reference="196/2022")
    assert report.last_edited_by == User.objects.get(username="siegen")
    assert "Wartet auf Ihre Freigabe: 196/2022" in _page(login_as("koordination"))
    siegen = _page(login_as("siegen"))
    assert "Wartet auf Ihre Freigabe" not in siegen
    assert "Entwurf wartet auf die Freigabe durch eine zweite Person" in siegen
    assert f'href="/rat/berichte/{report.code}/"' in siegen


def test_released_draft_no_longer_waits(login_as: Callable[[str], Client]) -> None:
    report = Report.objects.get(reference="196/2022")
    report_actions.release_report(
        report,
        acting_user=User.objects.get(username="koordination"),
        expected_version=report.version,
        # The demo draft's answers predate the figures fingerprint: each is confirmed (D-054).
        confirmed_sections=["1", "2", "3"],
    )
    assert "196/2022" not in _page(login_as("koordination")).split("Gremienarbeit")[1]


# --- rat: the latest released reports, from live data ----------------------------------------


def test_council_member_sees_the_released_report(login_as: Callable[[str], Client]) -> None:
    release = ReportRelease.objects.get(report__reference="196/2022", number=1)
    client = login_as("rat")
    page = _page(client)
    assert "noch keine Berichte freigegeben" not in page
    url = f"/rat/berichte/{release.report.code}/versionen/1/"
    assert f'href="{url}"' in page
    assert "196/2022" in page
    assert client.get(url).status_code == 200


def test_council_member_without_releases_is_told_so(login_as: Callable[[str], Client]) -> None:
    # Withdrawn from publication, the released paper is no longer the council member's to read.
    Paper.objects.filter(reference="196/2022").update(released=False)
    page = _page(login_as("rat"))
    assert "Für Sie wurden noch keine Berichte freigegeben" in page


# --- traeger ---------------------------------------------------------------------------------


def test_agency_card_lists_agreements_duties_and_open_calls(
    login_as: Callable[[str], Client],
) -> None:
    today = timezone.localdate()
    siegen_lead = User.objects.get(username="siegen")
    siegen = Organisation.objects.get(name="Stadt Siegen")
    post = Position.objects.get(title="B2 Stadt Siegen, Stelle 4")
    call = call_actions.create_call(
        acting_user=siegen_lead,
        issuer=siegen,
        title="Testaufruf Fallmanagement",
        baustein="B2",
        area="Stadt Siegen",
        positions=[post],
        period_start=today + dt.timedelta(days=60),
        period_end=today + dt.timedelta(days=800),
        funding_per_vze=Decimal("47000"),
        deadline=timezone.now() + dt.timedelta(days=14),
    )
    call_actions.add_criterion(call, acting_user=siegen_lead, name="Konzept", weight=100)
    call_actions.publish_call(call, acting_user=siegen_lead, published_on=today)
    page = _page(login_as("traeger"))
    card = page[page.index("Vereinbarungen, Berichte und") :]
    card = card[: card.index("</section>")]
    assert f'href="/partner/interessenbekundungen/{call.code}/"' in card
    agency = Organisation.objects.get(name=BRUECKE)
    running = agency.agreements_received.filter(
        period_start__lte=today, period_end__gte=today
    ).count()
    assert f'kim-figure__number">{running}<' in card
    overdue = [
        d
        for a in agency.agreements_received.all()
        for d in a.duties.all()
        if d.received_on is None and d.due_on < today
    ]
    assert card.count("Überfällig seit") == len(overdue) > 0


# --- query counts ------------------------------------------------------------------------------


def _more_data() -> None:
    """More posts with history, agreements with duties, talks with tasks, motions: every card's
    rows grow."""
    today = timezone.localdate()
    koordination = User.objects.get(username="koordination")
    siegen_lead = User.objects.get(username="siegen")
    kreis = Organisation.objects.get(ags=KREIS)
    siegen = Organisation.objects.get(name="Stadt Siegen")
    agency = Organisation.objects.get(name=BRUECKE)
    for n in range(6):
        post = programme_actions.create_position(
            acting_user=koordination,
            region=kreis,
            home=siegen,
            baustein="B2",
            title=f"Zusatzstelle {n}",
            vze=Decimal("1.00"),
            employer_type="municipal",
            status=PositionStatus.APPROVED,
            status_from=today - dt.timedelta(days=200 + n),
        )
        programme_actions.change_position_status(
            post, acting_user=koordination, status="advertised", valid_from=today
        )
        agreement = partner_actions.create_agreement(
            acting_user=siegen_lead,
            grantor=siegen,
            recipient=agency,
            kind="contract",
            title=f"Zusatzvertrag {n}",
            signed_on=today - dt.timedelta(days=30),
            period_start=today - dt.timedelta(days=30),
            period_end=today + dt.timedelta(days=300),
            amounts=[(today.year, Decimal("1000"), Decimal(0))],
            positions=[post],
        )
        partner_actions.add_reporting_duty(
            agreement, acting_user=siegen_lead, kind="interim", due_on=today - dt.timedelta(days=1)
        )
        talk = partner_actions.record_talk(
            acting_user=siegen_lead,
            host=siegen,
            held_on=today - dt.timedelta(days=n + 1),
            format="in_person",
            topics=f"Zusatzgespräch {n}",
            traeger=[agency],
        )
        partner_actions.add_follow_up(
            talk, acting_user=siegen_lead, title=f"Aufgabe {n}", owner=siegen_lead, due=today
        )


def test_query_count_is_bounded_and_flat(login_as: Callable[[str], Client]) -> None:
    clients = {persona: login_as(persona) for persona in PERSONAS}
    for client in clients.values():
        client.get("/")  # the one-off demo MFA note writes the session once
    before = {persona: _queries(client) for persona, client in clients.items()}
    _more_data()
    after = {persona: _queries(client) for persona, client in clients.items()}
    for persona in PERSONAS:
        assert before[persona] <= MAX_QUERIES, (persona, before[persona])
        assert after[persona] == before[persona], (persona, before[persona], after[persona])
