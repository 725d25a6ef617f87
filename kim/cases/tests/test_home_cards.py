"""Start-page cards of case management (kim/cases/home.py): a case manager's work list in
numbers, a team lead's caseload, the coordination's barriers this quarter.

Every number is compared with a tally counted from the models here, the links must answer 200
and show the same rows, no client name may appear, and each card runs a fixed number of
queries whatever the amount of data (decisions D-057).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kim.accounts.access import load_user_context
from kim.accounts.actions import create_user, grant_role
from kim.accounts.models import Membership, Role
from kim.cases.actions.barriers import record_barrier
from kim.cases.actions.timeline import create_task, record_residence_period
from kim.cases.home import cards
from kim.cases.models import (
    ACTIVE_PHASES,
    Barrier,
    BarrierCategory,
    Case,
    CaseloadRule,
    Person,
    ResidencePeriod,
    Task,
)
from kim.cases.tests.conftest import organisation_of
from kim.core.shell import Card
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _user(username: str) -> User:
    return get_user_model().objects.get(username=username)


def _cards(username: str, today: dt.date | None = None) -> dict[str, Card]:
    ctx = load_user_context(_user(username))
    return {card.title: card for card in cards(ctx, today or timezone.localdate())}


def _queries(username: str) -> int:
    ctx = load_user_context(_user(username))
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as captured:
        cards(ctx, today)
    return len(captured.captured_queries)


def _more_work(make_case: Callable[..., Case], n: int, username: str = "cm-siegen") -> None:
    """``n`` more cases, each with an overdue review, an overdue and a due task and a residence
    status ending soon."""
    user = _user(username)
    today = timezone.localdate()
    for i in range(n):
        case = make_case(username, first_name=f"Zusatz{chr(97 + i)}", last_name=f"Fall{i}")
        Case.objects.filter(pk=case.pk).update(next_review_on=today - dt.timedelta(days=2))
        create_task(case, acting_user=user, title="Nachfassen", due_on=today - dt.timedelta(days=1))
        create_task(case, acting_user=user, title="Termin", due_on=today + dt.timedelta(days=3))
        record_residence_period(
            case,
            acting_user=user,
            status="duldung",
            valid_from=today - dt.timedelta(days=100),
            valid_until=today + dt.timedelta(days=10),
        )


# --- the case manager's work list ----------------------------------------------------------------


def _notice_days(org: Organisation, today: dt.date) -> int:
    valid = CaseloadRule.objects.filter(valid_from__lte=today).exclude(valid_to__lt=today)
    rule = (
        valid.filter(organisation=org).order_by("-valid_from").first()
        or valid.filter(organisation__isnull=True).order_by("-valid_from").first()
    )
    return rule.transition_notice_days if rule else 60


def _work_tally(username: str) -> dict[str, int]:
    today = timezone.localdate()
    org = organisation_of(username)
    own = Case.objects.filter(
        responsible__username=username, organisation=org, phase__in=ACTIVE_PHASES
    )
    open_tasks = Task.objects.filter(case__in=own, done_on__isnull=True)
    notice = _notice_days(org, today)
    return {
        "reviews": own.filter(next_review_on__lt=today).count(),
        "overdue_tasks": open_tasks.filter(due_on__lt=today).count(),
        "due_tasks": open_tasks.filter(
            due_on__gte=today, due_on__lte=today + dt.timedelta(days=14)
        ).count(),
        "transitions": ResidencePeriod.objects.filter(
            person__cases__in=own,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=notice),
        ).count(),
        "notice": notice,
    }


def _leading_number(text: str) -> int:
    return int(text.split(" ", 1)[0].replace(".", ""))


def _check_work_card(username: str) -> Card:
    tally = _work_tally(username)
    card = _cards(username)["Ihre Arbeitsliste heute"]
    reviews, overdue, due, transitions = card.items
    assert _leading_number(reviews.text) == tally["reviews"]
    assert _leading_number(overdue.text) == tally["overdue_tasks"]
    assert _leading_number(due.text) == tally["due_tasks"]
    assert _leading_number(transitions.text) == tally["transitions"]
    assert f"{tally['notice']} Tagen" in transitions.text
    assert card.number == str(tally["reviews"] + tally["overdue_tasks"])
    assert reviews.status == ("warning" if tally["reviews"] else "")
    assert [item.url for item in card.items] == [
        "/fallmanagement/#reviews-title",
        "/fallmanagement/#overdue-tasks-title",
        "/fallmanagement/#due-tasks-title",
        "/fallmanagement/#transitions-title",
    ]
    return card


@pytest.mark.parametrize("username", ["cm-siegen", "cm-kreuztal", "cm-traeger"])
def test_work_list_card_counts_what_the_work_list_shows(
    username: str, login_as: Callable[[str], Client]
) -> None:
    _check_work_card(username)
    page = login_as(username).get("/fallmanagement/")
    assert page.status_code == 200
    work, tally = page.context["work"], _work_tally(username)
    # The blocks behind the anchors list exactly the counted rows (the demo stays below the
    # 25 rows a block shows).
    assert work.overdue_review_count == tally["reviews"]
    assert len(work.overdue_tasks) == tally["overdue_tasks"]
    assert len(work.due_tasks) == tally["due_tasks"]
    assert len(work.transitions) == tally["transitions"]


def test_work_list_card_grows_with_the_work_and_its_queries_do_not(
    make_case: Callable[..., Case],
) -> None:
    before = _queries("cm-siegen")
    tally = _work_tally("cm-siegen")
    _more_work(make_case, 8)
    card = _check_work_card("cm-siegen")
    assert _leading_number(card.items[0].text) == tally["reviews"] + 8
    assert _queries("cm-siegen") == before <= 4


def test_work_list_card_only_for_case_managers() -> None:
    for username in ("teamlead-siegen", "koordination", "siegen", "abh", "dsb", "traeger"):
        assert "Ihre Arbeitsliste heute" not in _cards(username)


# --- the team lead's caseload ----------------------------------------------------------------


def _team_tally() -> tuple[dict[str, int], int, int]:
    siegen = Organisation.objects.get(name="Stadt Siegen")
    active = Case.objects.filter(organisation=siegen, phase__in=ACTIVE_PHASES)
    managers = Membership.objects.active().filter(organisation=siegen, role=Role.CASE_MANAGER)
    per_manager = {
        m.user.get_full_name(): active.filter(responsible=m.user).count()
        for m in managers.select_related("user")
    }
    return per_manager, active.count(), active.filter(on_waiting_list=True).count()


def _check_team_card(client: Client) -> Card:
    per_manager, total, waiting = _team_tally()
    card = _cards("teamlead-siegen")["Fallbelastung Ihres Teams"]
    assert card.number == f"{total:,}".replace(",", ".")
    shown = {
        item.text.split(":")[0]: _leading_number(item.text.split(": ", 1)[1])
        for item in card.items
        if "responsible=" in item.url
    }
    assert shown == per_manager
    waiting_item = next(item for item in card.items if item.url.endswith("?waiting=on"))
    assert _leading_number(waiting_item.text) == waiting
    # Each link lists exactly the counted cases.
    for item in card.items:
        if not item.url:
            continue
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        if "?" in item.url:
            assert response.context["page"].paginator.count == _leading_number(
                item.text.split(": ", 1)[-1]
            ), item.url
    return card


def _new_case_manager(username: str) -> User:
    user = create_user(acting_user=None, username=username, password=None)
    user.first_name, user.last_name = "Neue", "Kollegin"
    user.save()
    grant_role(
        acting_user=None,
        user=user,
        organisation=Organisation.objects.get(name="Stadt Siegen"),
        role=Role.CASE_MANAGER,
    )
    return user


def test_team_card_counts_per_case_manager_and_the_waiting_list(
    login_as: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    lead = login_as("teamlead-siegen")
    _check_team_card(lead)
    before = _queries("teamlead-siegen")

    _new_case_manager("cm-siegen-2")
    for i in range(5):
        make_case("cm-siegen-2", first_name=f"Neu{chr(97 + i)}", last_name="Fiktiva")
    waiting = make_case("cm-siegen", first_name="Wartend", last_name="Fiktiva")
    Case.objects.filter(pk=waiting.pk).update(on_waiting_list=True)

    card = _check_team_card(lead)
    assert any(item.text.startswith("Neue Kollegin: 5 ") for item in card.items)
    assert _queries("teamlead-siegen") == before <= 3


def test_team_card_only_for_team_leads() -> None:
    for username in ("cm-siegen", "koordination", "siegen", "dsb"):
        assert "Fallbelastung Ihres Teams" not in _cards(username)


# --- no client names ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["cm-siegen", "teamlead-siegen"])
def test_start_page_names_no_client(username: str, login_as: Callable[[str], Client]) -> None:
    html = login_as(username).get("/").content.decode()
    assert "Ihre Arbeitsliste heute" in html or "Fallbelastung Ihres Teams" in html
    names = {
        part
        for person in Person.objects.all()
        for part in (person.first_name, person.last_name)
        if part
    }
    assert {"Amal", "Beispiel"} <= names  # the demo's clients were decrypted
    for name in names:
        assert not re.search(rf"\b{re.escape(name)}\b", html), name


# --- the coordination's barriers this quarter ---------------------------------------------


def _quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last_month = first.month + 2
    end = dt.date(first.year, last_month, 28) + dt.timedelta(days=4)
    return first, end.replace(day=1) - dt.timedelta(days=1)


def _barrier_tally(today: dt.date) -> int:
    first, last = _quarter(today)
    kreis = Organisation.objects.get(ags="05970")
    return Barrier.objects.filter(
        region=kreis, observed_month__gte=first, observed_month__lte=last
    ).count()


def test_barrier_card_counts_this_quarter_and_its_links_show_them(
    login_as: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    today = timezone.localdate()
    client = login_as("koordination")
    card = _cards("koordination")["Strukturelle Barrieren"]
    assert card.number == str(_barrier_tally(today))
    before = _queries("koordination")

    case = make_case("cm-siegen", first_name="Barriere", last_name="Fiktiva")
    category = BarrierCategory.objects.order_by("position").first()
    assert category is not None
    for _i in range(4):
        record_barrier(
            case,
            acting_user=_user("cm-siegen"),
            category=category,
            rechtskreis="",
            organisation_involved=None,
            description="Lange Wartezeit auf einen Termin (Test).",
            observed_on=today,
        )
    card = _cards("koordination")["Strukturelle Barrieren"]
    assert card.number == str(_barrier_tally(today))
    assert _barrier_tally(today) >= 4
    q = (today.month - 1) // 3 + 1
    assert card.items[0].url == f"/fallmanagement/barrieren/?year={today.year}&quarter={q}"
    assert any(
        item.url.endswith(f"&category={category.key}") and item.text.startswith(category.name)
        for item in card.items
    )
    for item in card.items:
        response = client.get(item.url)
        assert response.status_code == 200, item.url
    log = client.get(card.items[0].url)
    assert sum(group.count for group in log.context["groups"]) == _barrier_tally(today)
    assert _queries("koordination") == before <= 1


def test_barrier_card_counts_only_the_readers_kreis(stranger: Client) -> None:
    fremd = load_user_context(_user("fremd"))
    card = next(
        c for c in cards(fremd, timezone.localdate()) if c.title == "Strukturelle Barrieren"
    )
    assert card.number == "0"
    assert not Barrier.objects.filter(~Q(region__ags="05970")).exists()


def test_barrier_card_only_for_the_coordination() -> None:
    for username in ("siegen", "teamlead-siegen", "cm-siegen", "dsb"):
        assert "Strukturelle Barrieren" not in _cards(username)


# --- retention: the cheap count behind the data-protection officer's card --------------------


@pytest.mark.parametrize("years", [0, 2, 15])
def test_retention_count_equals_the_dry_run(years: int) -> None:
    from kim.cases.retention import count_due, run_retention

    day = timezone.localdate() + dt.timedelta(days=365 * years)
    with CaptureQueriesContext(connection) as captured:
        counted = count_due(day)
    assert counted == run_retention(day, True).counts
    assert len(captured.captured_queries) <= 2
    if years == 15:
        assert sum(counted.values()) > 0  # the demo's closed cases and old consents are due
