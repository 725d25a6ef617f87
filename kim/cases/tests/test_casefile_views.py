"""The case-file page and the transition views: who gets what (persona × URL), the whole
lifecycle through the forms without JavaScript, the audited read, and a bounded query count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions import lifecycle as lc
from kim.cases.actions import plan
from kim.cases.actions.activities import record_activity
from kim.cases.models import ActivityKind, Case, ClosingReason, Goal, GoalStatus, Phase
from kim.cases.tests.test_lifecycle import (
    REFERRED,
    TODAY,
    advance,
    area,
    second_case_manager,
)

pytestmark = pytest.mark.django_db

STRANGERS = ("cm-kreuztal", "cm-traeger", "koordination", "admin", "dsb", "siegen", "rat")
OK = {200, 302}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0), tick=False):
        yield


@pytest.fixture
def planning_case(make_case: Callable[..., Case]) -> Case:
    """A Siegen case in planning with one goal and a deputy (cm-siegen-2)."""
    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.PLANNING)
    plan.add_goal(
        case,
        acting_user=case.responsible,
        life_area=area(),
        description="Sprachkurs B1",
        due_on=TODAY + dt.timedelta(days=90),
    )
    lc.assign_case(
        case,
        acting_user=case.responsible,
        responsible=case.responsible,
        deputies=[second_case_manager()],
    )
    return case


def urls(case: Case) -> tuple[list[str], list[str]]:
    """(GET/POST form pages, POST-only actions) of the case."""
    base = f"/fallmanagement/faelle/{case.code}/"
    goal = Goal.objects.filter(case=case).first()
    assert goal is not None
    forms = [
        "zugang/",
        "triage/",
        "klaerung/",
        "assessment/",
        "ziele/neu/",
        f"ziele/{goal.code}/",
        f"ziele/{goal.code}/massnahmen/neu/",
        "plan/",
        "monitoring/",
        "monitoring/ueberpruefung/",
        "abschluss/",
        "aktivitaeten/neu/",
        "dokumente/neu/",
    ]
    posts = [
        "klaerung/start/",
        "assessment/abschliessen/",
        "plan/ueberarbeiten/",
        "monitoring/umsetzung/",
    ]
    return [base + u for u in forms], [base + u for u in posts]


def _codes(client: Client, case: Case) -> dict[str, set[int]]:
    forms, posts = urls(case)
    base = f"/fallmanagement/faelle/{case.code}/"
    seen: dict[str, set[int]] = {
        "page": {client.get(base).status_code},
        "assign": {client.get(base + "zuordnung/").status_code},
        "forms": set(),
        "posts": set(),
    }
    for url in forms:
        seen["forms"] |= {client.get(url).status_code, client.post(url, {}).status_code}
    seen["posts"] = {client.post(url).status_code for url in posts}
    return seen


@pytest.mark.parametrize(
    # Not "page": that name is pytest-playwright's fixture and would pull in the browser.
    ("persona", "case_page", "assign", "edits"),
    [
        ("cm-siegen", {200}, {200}, OK),
        ("cm-siegen-2", {200}, {403}, OK),
        ("teamlead-siegen", {200}, {200}, {403}),
        *((name, {404}, {404}, {404}) for name in STRANGERS),
    ],
)
def test_permission_matrix(
    planning_case: Case,
    login_as: Callable[[str], Client],
    persona: str,
    case_page: set[int],
    assign: set[int],
    edits: set[int],
) -> None:
    seen = _codes(login_as(persona), planning_case)
    assert seen["page"] == case_page
    assert seen["assign"] == assign
    assert seen["forms"] <= edits and seen["posts"] <= edits, seen


def test_closed_case_is_read_only(planning_case: Case, login_as: Callable[[str], Client]) -> None:
    forms, posts = urls(planning_case)
    client = login_as("cm-siegen")
    assert client.get(forms[0]).status_code == 200  # the same URLs work while the case is open
    plan.agree_plan(
        planning_case,
        acting_user=planning_case.responsible,
        agreed_on=TODAY,
        expected_plan_version=planning_case.plan_version,
    )
    lc.close_case(
        planning_case,
        acting_user=planning_case.responsible,
        reason=ClosingReason.DROPPED_OUT,
        closed_on=TODAY,
        attainment=dict.fromkeys(Goal.objects.filter(case=planning_case), GoalStatus.DROPPED),
    )
    base = f"/fallmanagement/faelle/{planning_case.code}/"
    for who in ("cm-siegen", "cm-siegen-2", "teamlead-siegen"):
        c = login_as(who)
        assert c.get(base).status_code == 200
        assert c.get(base + "zuordnung/").status_code == 403
        assert {c.get(u).status_code for u in forms} == {403}
        assert {c.post(u).status_code for u in forms + posts} == {403}


def test_reading_the_case_file_is_audited(
    planning_case: Case, login_as: Callable[[str], Client]
) -> None:
    reads = AuditEvent.objects.filter(
        event_type=EventType.CASE_READ, subject_code=planning_case.code
    )
    assert (
        login_as("cm-kreuztal").get(f"/fallmanagement/faelle/{planning_case.code}/").status_code
        == 404
    )
    assert not reads.exists()
    response = login_as("teamlead-siegen").get(f"/fallmanagement/faelle/{planning_case.code}/")
    assert response.status_code == 200
    assert reads.get().actor == User.objects.get(username="teamlead-siegen")
    html = response.content.decode()
    assert 'aria-current="step"' in html
    assert "Sprachkurs B1" in html and "Integrationsplanung" in html
    assert "Fallaufnahme beginnen" not in html  # the team lead only reads


def test_the_close_link_shows_in_the_closable_phases_only(
    planning_case: Case, make_case: Callable[..., Case], login_as: Callable[[str], Client]
) -> None:
    client = login_as("cm-siegen")
    for case, shown in (
        (planning_case, True),
        (make_case("cm-siegen", referred_on=REFERRED), False),
    ):
        base = f"/fallmanagement/faelle/{case.code}/"
        assert (f'href="{base}abschluss/"' in client.get(base).content.decode()) is shown


def test_the_whole_lifecycle_through_the_forms(
    make_case: Callable[..., Case], login_as: Callable[[str], Client]
) -> None:
    case = make_case("cm-siegen", referred_on=REFERRED)
    client = login_as("cm-siegen")
    base = f"/fallmanagement/faelle/{case.code}/"
    day = "02.03.2026"

    def post(url: str, data: dict[str, object] | None = None) -> None:
        response = client.post(base + url, data or {})
        assert response.status_code == 302, response.content.decode()[-3000:]

    post("klaerung/start/")
    post("klaerung/", {"indication": "indicated", "decided_on": day})
    post("assessment/", {"assessed_on": day, "need_sprache": "high", "needs_sprache": "A1"})
    post("assessment/abschliessen/")
    post(
        "ziele/neu/",
        {"plan_version": 1, "life_area": area().pk, "description": "B1", "due_on": "01.09.2026"},
    )
    goal = Goal.objects.get(case=case)
    post(f"ziele/{goal.code}/massnahmen/neu/", {"plan_version": 2, "description": "VHS"})
    post("plan/", {"plan_version": 3, "agreed_on": day})
    post("monitoring/", {"next_review_on": "01.04.2026"})
    post(
        "monitoring/ueberpruefung/",
        {"reviewed_on": day, "next_review_on": "01.05.2026", f"goal_{goal.code}": "in_progress"},
    )
    post(
        "abschluss/",
        {"reason": "goals_met", "closed_on": day, f"goal_{goal.code}": "achieved"},
    )
    case.refresh_from_db()
    assert case.phase == Phase.CLOSED
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.ACHIEVED
    page = client.get(base).content.decode()
    assert "Ziele erreicht" in page and "VHS" in page


def test_refused_transition_shows_the_german_message(
    planning_case: Case, login_as: Callable[[str], Client]
) -> None:
    client = login_as("cm-siegen")
    base = f"/fallmanagement/faelle/{planning_case.code}/"
    response = client.post(base + "klaerung/start/", follow=True)
    assert (
        "Eine Fallaufnahme ist nur in der Phase Zugang möglich; der Fall ist in der Phase "
        "Integrationsplanung." in response.content.decode()
    )
    response = client.post(base + "monitoring/", {"next_review_on": "01.04.2026"})
    assert response.status_code == 200
    assert "Der Beginn des Monitorings ist nur in der Phase Umsetzung" in response.content.decode()


@pytest.mark.sqlite_too
def test_goal_edit_conflict_shows_both_versions(
    planning_case: Case, login_as: Callable[[str], Client]
) -> None:
    goal = Goal.objects.get(case=planning_case)
    url = f"/fallmanagement/faelle/{planning_case.code}/ziele/{goal.code}/"
    client = login_as("cm-siegen")
    loaded = planning_case.plan_version
    data = {
        "plan_version": loaded,
        "life_area": area().pk,
        "description": "Sprachkurs C1",
        "due_on": "01.09.2026",
    }
    plan.update_goal(
        goal,
        acting_user=planning_case.responsible,
        expected_plan_version=loaded,
        life_area=area(),
        description="Sprachkurs B2",
        due_on=TODAY + dt.timedelta(days=90),
    )
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="edit-conflict"' in html
    assert "Sprachkurs C1" in html and "Sprachkurs B2" in html
    assert Goal.objects.get(pk=goal.pk).description == "Sprachkurs B2"
    response = client.post(url, {**data, "plan_version": loaded + 1})
    assert response.status_code == 302
    assert Goal.objects.get(pk=goal.pk).description == "Sprachkurs C1"


def test_the_team_lead_changes_the_responsible_case_manager(
    planning_case: Case, login_as: Callable[[str], Client]
) -> None:
    deputy = User.objects.get(username="cm-siegen-2")
    url = f"/fallmanagement/faelle/{planning_case.code}/zuordnung/"
    response = login_as("cm-siegen").post(url, {"responsible": deputy.pk, "deputies": []})
    assert response.status_code == 302  # the responsible one cannot hand the case away …
    planning_case.refresh_from_db()
    assert planning_case.responsible.username == "cm-siegen"
    response = login_as("teamlead-siegen").post(url, {"responsible": deputy.pk, "deputies": []})
    assert response.status_code == 302  # … the team lead can
    planning_case.refresh_from_db()
    assert planning_case.responsible == deputy
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.CASE_ASSIGNED, subject_code=planning_case.code
        ).count()
        == 3
    )


def _fill(case: Case, n: int) -> None:
    for i in range(n):
        goal = plan.add_goal(
            case,
            acting_user=case.responsible,
            life_area=area(),
            description=f"Ziel {i}",
            due_on=TODAY + dt.timedelta(days=90),
        )
        plan.add_measure(goal, acting_user=case.responsible, description=f"Maßnahme {i}")
        record_activity(
            case,
            acting_user=case.responsible,
            kind=ActivityKind.CONTACT,
            occurred_at=dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC),
            duration_minutes=30,
            channel="phone",
        )


def test_case_page_query_count_does_not_grow(
    make_case: Callable[..., Case], login_as: Callable[[str], Client]
) -> None:
    client = login_as("cm-siegen")
    counts = []
    for n, name in ((1, "Eins"), (10, "Zehn")):
        case = advance(
            make_case("cm-siegen", referred_on=REFERRED, first_name=name), Phase.PLANNING
        )
        _fill(case, n)
        client.get(f"/fallmanagement/faelle/{case.code}/")  # warm caches (content types, …)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/fallmanagement/faelle/{case.code}/")
        assert response.status_code == 200
        assert response.content.decode().count("Maßnahme ") >= n
        counts.append(len(queries))
        lc.close_case(
            case,
            acting_user=case.responsible,
            reason=ClosingReason.DROPPED_OUT,
            closed_on=TODAY,
            attainment=dict.fromkeys(Goal.objects.filter(case=case), GoalStatus.DROPPED),
        )
    # The page includes the other sections' partials (timeline, consents, referrals, …);
    # the lifecycle part itself is checked on its own below.
    assert counts[0] == counts[1] <= 40, counts


def test_casefile_context_query_count(
    make_case: Callable[..., Case], django_assert_max_num_queries: Any
) -> None:
    from kim.accounts.access import load_user_context
    from kim.cases.access import get_case_for_user
    from kim.cases.queries.casefile import casefile_context

    case = advance(make_case("cm-siegen", referred_on=REFERRED), Phase.PLANNING)
    _fill(case, 10)
    ctx = load_user_context(case.responsible)
    loaded = get_case_for_user(ctx, case.code)
    with django_assert_max_num_queries(8):
        context = casefile_context(ctx, loaded)
        assert len(context["goals"]) == 10 and len(context["activities"]) == 10
        assert all(len(g.measures.all()) == 1 for g in context["goals"])
