"""Work list, case list, team view and statistics: contents, permissions, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from kim.cases.actions.timeline import create_task, record_residence_period
from kim.cases.models import Case, CaseloadRule
from kim.cases.queries.worklists import BLOCK_ROWS, Caseload
from kim.cases.tests.conftest import organisation_of

pytestmark = pytest.mark.django_db

WORKLIST = "/fallmanagement/"
CASE_LIST = "/fallmanagement/faelle/"


def _cases(make_case, n: int, username: str = "cm-siegen", prefix: str = "Testa") -> list[Case]:
    return [
        make_case(username, first_name=f"{prefix}{chr(97 + i % 26)}", last_name=f"Fall{i}")
        for i in range(n)
    ]


def _with_work(cases: list[Case]) -> None:
    """Overdue reviews, tasks and an ending residence status on every case."""
    user = get_user_model().objects.get(username="cm-siegen")
    today = dt.date.today()
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        next_review_on=today - dt.timedelta(days=3)
    )
    for case in cases:
        create_task(case, acting_user=user, title="Nachfassen", due_on=today - dt.timedelta(days=1))
        create_task(case, acting_user=user, title="Termin", due_on=today + dt.timedelta(days=5))
        record_residence_period(
            case,
            acting_user=user,
            status="duldung",
            valid_from=today - dt.timedelta(days=100),
            valid_until=today + dt.timedelta(days=20),
        )


@pytest.mark.parametrize("n", [2, 30])
def test_worklist_runs_a_fixed_number_of_queries(
    n, login_as, make_case, django_assert_max_num_queries
):
    cases = _cases(make_case, n)
    _with_work(cases)
    client = login_as("cm-siegen")

    with django_assert_max_num_queries(10):
        response = client.get(WORKLIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert cases[0].person.number in html and cases[0].person.display_name in html
    assert "Termin" in html and "läuft ab in 20 Tagen" in html
    if n > BLOCK_ROWS:  # the transition tasks come first; each block shows BLOCK_ROWS rows
        assert "alle anzeigen" in html
    else:
        assert "Nachfassen" in html


def test_worklist_caseload_warning_and_unconfirmed_default(login_as, make_case):
    client = login_as("cm-siegen")
    html = client.get(WORKLIST).content.decode()
    assert "unbestätigter Standardwert" in html
    assert "Fallzahlgrenze erreicht" not in html

    active = Case.objects.filter(responsible__username="cm-siegen").exclude(phase="closed").count()
    rule = CaseloadRule.objects.create(
        organisation=organisation_of("cm-siegen"),
        limit=max(active + 1, 1),
        valid_from=dt.date(2020, 1, 1),
        confirmed=True,
        source="Test",
    )
    make_case("cm-siegen")
    html = client.get(WORKLIST).content.decode()
    assert "Fallzahlgrenze erreicht" in html
    assert "unbestätigter Standardwert" not in html
    CaseloadRule.objects.filter(pk=rule.pk).update(limit=active + 2)
    html = client.get(WORKLIST).content.decode()
    assert "Fallzahlgrenze erreicht" not in html


def test_caseload_levels():
    assert Caseload(10, 10, True).reached and not Caseload(10, 10, True).near
    assert Caseload(9, 10, True).near and not Caseload(9, 10, True).reached
    assert not Caseload(8, 10, True).near


def test_worklist_redirects_coordination_and_refuses_others(login_as):
    assert login_as("koordination").get(WORKLIST)["Location"] == "/fallmanagement/statistik/"
    assert login_as("rat").get(WORKLIST).status_code == 403


@pytest.mark.parametrize("n", [2, 60])
def test_case_list_runs_a_fixed_number_of_queries(
    n, login_as, make_case, django_assert_max_num_queries
):
    _cases(make_case, n)
    client = login_as("teamlead-siegen")

    with django_assert_max_num_queries(10):
        response = client.get(CASE_LIST, {"sort": "-referred"})

    assert response.status_code == 200
    assert response.content.decode().count("/fallmanagement/faelle/") >= min(n, 50)


def test_case_list_shows_only_visible_cases_and_filters(login_as, make_case):
    siegen = make_case("cm-siegen", first_name="Amira", last_name="Beispielfrau")
    other = make_case("cm-siegen", first_name="Nour", last_name="Anderswo")
    kreuztal = make_case("cm-kreuztal", first_name="Omar", last_name="Beispielmann")
    Case.objects.filter(pk=other.pk).update(on_waiting_list=True)

    html = login_as("cm-siegen").get(CASE_LIST).content.decode()
    assert siegen.person.number in html and "Amira Beispielfrau" in html
    assert kreuztal.person.number not in html

    html = login_as("cm-siegen").get(CASE_LIST, {"q": "beispilfrau"}).content.decode()
    assert siegen.person.number in html and other.person.number not in html
    html = login_as("cm-siegen").get(CASE_LIST, {"waiting": "on"}).content.decode()
    assert other.person.number in html and siegen.person.number not in html
    html = login_as("cm-kreuztal").get(CASE_LIST, {"q": "Amira Beispielfrau"}).content.decode()
    assert siegen.person.number not in html

    lead = login_as("teamlead-siegen")
    user = get_user_model().objects.get(username="cm-siegen")
    html = lead.get(CASE_LIST, {"responsible": user.pk}).content.decode()
    assert siegen.person.number in html
    assert login_as("koordination").get(CASE_LIST).status_code == 403


def test_team_view_for_team_leads(login_as, make_case, django_assert_max_num_queries):
    cases = _cases(make_case, 3)
    Case.objects.filter(pk=cases[0].pk).update(next_review_on=dt.date.today() - dt.timedelta(1))
    lead = login_as("teamlead-siegen")

    with django_assert_max_num_queries(10):
        response = lead.get("/fallmanagement/team/")

    assert response.status_code == 200
    user = get_user_model().objects.get(username="cm-siegen")
    assert f"/fallmanagement/faelle/?responsible={user.pk}" in response.content.decode()
    assert login_as("cm-siegen").get("/fallmanagement/team/").status_code == 403


def test_statistics_are_aggregates_only(login_as, make_case):
    cases = _cases(make_case, 4, prefix="Geheima")
    make_case("cm-kreuztal", first_name="Einzela", last_name="Person")
    url = "/fallmanagement/statistik/"
    params = {"measure": "new_cases", "by": "organisation", "start": "2020-01-01"}

    response = login_as("koordination").get(url, params)

    assert response.status_code == 200
    html = response.content.decode()
    for case in cases:
        assert case.person.number not in html and case.code not in html
        assert case.person.last_name not in html
    assert "Geheima" not in html and "Einzela" not in html
    assert "&lt; 3" in html or "x</td>" in html  # small counts are never shown
    assert (
        login_as("koordination").get(f"/fallmanagement/faelle/{cases[0].code}/person/").status_code
        == 404
    )
    assert login_as("siegen").get(url).status_code == 200
    assert login_as("teamlead-siegen").get(url).status_code == 200
    assert login_as("cm-siegen").get(url).status_code == 403
    assert login_as("rat").get(url).status_code == 403
