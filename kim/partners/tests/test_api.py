"""API v1 for talks with welfare agencies: the same doors as the UI, owners only for managers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kim.accounts.actions import create_user, grant_role, issue_api_token
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.models import Talk

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "teamlead-siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
]
# persona → (status of the list, talks in it); anyone not listed has no part in the cooperation.
TALK_LOG = {
    "koordination": (200, 4),
    "admin": (200, 4),
    "siegen": (200, 4),
    "teamlead-siegen": (200, 4),
    "traeger": (200, 3),  # Brücke Siegerland took part in three of Siegen's four talks
}
# The talk of 14.09.2022 without Brücke Siegerland: the Träger manager must not find it.
WITHOUT_OWN_AGENCY = {"koordination": 200, "admin": 200, "siegen": 200, "teamlead-siegen": 200}
# Who may manage Siegen's talks, and so sees who owns a task.
MANAGERS = {"koordination", "admin", "siegen"}
LIST_FIELDS = {
    "code",
    "held_on",
    "host",
    "host_name",
    "format",
    "outcome",
    "outcome_summary",
    "traeger",
    "baustein",
}


def _talk_on(day: dt.date) -> Talk:
    return Talk.objects.get(host__short_name="Siegen", held_on=day)


AGREEMENT = dt.date(2022, 11, 10)
DECLINED = dt.date(2022, 9, 14)


def _org(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


def _kreuztal_talk_with(agency: str) -> Talk:
    """A talk of another town with one other agency only."""
    return actions.record_talk(
        acting_user=None,
        host=_org("Kreuztal"),
        held_on=dt.date(2023, 3, 2),
        format="video",
        topics="Flüchtlingsberatung in Kreuztal",
        traeger=[_org(agency)],
    )


# --- permission matrices ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_talk_log_matrix(login_as, persona: str) -> None:
    status, count = TALK_LOG.get(persona, (403, 0))
    response = login_as(persona).get("/api/v1/partners/talks/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == count


@pytest.mark.parametrize("persona", PERSONAS)
def test_talk_detail_matrix(login_as, persona: str) -> None:
    client = login_as(persona)
    with_own = client.get(f"/api/v1/partners/talks/{_talk_on(AGREEMENT).code}/")
    assert with_own.status_code == TALK_LOG.get(persona, (404,))[0]
    without = client.get(f"/api/v1/partners/talks/{_talk_on(DECLINED).code}/")
    assert without.status_code == WITHOUT_OWN_AGENCY.get(persona, 404)


def test_stranger_sees_no_talk_of_the_kreis(stranger: Client, login_as) -> None:
    url = f"/api/v1/partners/talks/{_talk_on(AGREEMENT).code}/"
    assert login_as("koordination").get(url).status_code == 200
    assert stranger.get(url).status_code == 404
    # Coordination elsewhere may use the talk log – and finds nothing of Siegen-Wittgenstein.
    for params in ({}, {"traeger": _org("Brücke Siegerland").code}, {"year": 2022}):
        body = stranger.get("/api/v1/partners/talks/", params).json()
        assert body["count"] == 0 and body["results"] == []


def test_unknown_talk_is_404_like_a_hidden_one(login_as) -> None:
    client = login_as("traeger")
    hidden = client.get(f"/api/v1/partners/talks/{_talk_on(DECLINED).code}/")
    missing = client.get("/api/v1/partners/talks/doesnotexist0000/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_anonymous_gets_401(client: Client) -> None:
    for url in ["/api/v1/partners/talks/", f"/api/v1/partners/talks/{_talk_on(AGREEMENT).code}/"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"


def test_token_authentication_keeps_the_role(client: Client) -> None:
    user = User.objects.get(username="traeger")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    assert client.get("/api/v1/partners/talks/", **auth).json()["count"] == 3
    agreement = client.get(f"/api/v1/partners/talks/{_talk_on(AGREEMENT).code}/", **auth)
    assert agreement.status_code == 200
    assert all("owner" not in task for task in agreement.json()["follow_ups"])
    declined = f"/api/v1/partners/talks/{_talk_on(DECLINED).code}/"
    assert client.get(declined, **auth).status_code == 404
    bad = client.get("/api/v1/partners/talks/", HTTP_AUTHORIZATION="Token nope")
    assert bad.status_code == 401


# --- a Träger manager sees only the talks of the own agency -----------------------------------


def test_traeger_manager_never_sees_talks_of_another_agency(login_as) -> None:
    other = _kreuztal_talk_with("Lebenswege")
    mine = _kreuztal_talk_with("Brücke Siegerland")
    client = login_as("traeger")
    codes = {t["code"] for t in client.get("/api/v1/partners/talks/").json()["results"]}
    assert mine.code in codes and other.code not in codes
    assert _talk_on(DECLINED).code not in codes
    assert client.get(f"/api/v1/partners/talks/{other.code}/").status_code == 404
    # Filtering by the other agency shows only talks the own agency attended as well.
    lebenswege = client.get("/api/v1/partners/talks/", {"traeger": _org("Lebenswege").code})
    assert [t["held_on"] for t in lebenswege.json()["results"]] == ["2022-06-23"]
    # Coordination sees both new talks.
    all_codes = {
        t["code"] for t in login_as("koordination").get("/api/v1/partners/talks/").json()["results"]
    }
    assert {mine.code, other.code} <= all_codes


def test_manager_of_another_agency_sees_its_own_talks(login_as) -> None:
    user = create_user(acting_user=None, username="leitung-lebenswege", password=None)
    grant_role(acting_user=None, user=user, organisation=_org("Lebenswege"), role="traeger_manager")
    body = login_as("leitung-lebenswege").get("/api/v1/partners/talks/").json()
    assert sorted(t["held_on"] for t in body["results"]) == ["2022-06-23", "2022-09-14"]
    agreement = f"/api/v1/partners/talks/{_talk_on(AGREEMENT).code}/"
    assert login_as("leitung-lebenswege").get(agreement).status_code == 404


# --- content ----------------------------------------------------------------------------------


def test_talk_log_items(login_as) -> None:
    results = login_as("siegen").get("/api/v1/partners/talks/").json()["results"]
    assert [t["held_on"] for t in results] == [
        "2022-11-10",
        "2022-09-14",
        "2022-06-23",
        "2022-05-12",
    ]  # newest first
    first = results[0]
    assert set(first) == LIST_FIELDS
    siegen = _org("Siegen")
    assert (first["host"], first["host_name"]) == (siegen.code, siegen.name)
    assert (first["outcome"], first["format"], first["baustein"]) == (
        "agreement",
        "in_person",
        "B2",
    )
    assert first["outcome_summary"].startswith("Einigung")
    brucke, werk = _org("Brücke Siegerland"), _org("Nachbarschaftswerk")
    assert sorted(first["traeger"], key=lambda t: t["name"]) == [
        {"code": brucke.code, "name": brucke.name},
        {"code": werk.code, "name": werk.name},
    ]  # the host is not listed among the agencies
    assert [len(t["traeger"]) for t in results] == [2, 2, 3, 2]


@pytest.mark.parametrize(
    ("params", "dates"),
    [
        ({"outcome": "agreement"}, ["2022-11-10"]),
        ({"outcome": "postponed", "year": 2022}, ["2022-06-23"]),
        ({"year": 2023}, []),
        ({"outcome": ""}, ["2022-11-10", "2022-09-14", "2022-06-23", "2022-05-12"]),
        ({"traeger": "unknown"}, []),
    ],
)
def test_talk_log_filters(login_as, params: dict[str, object], dates: list[str]) -> None:
    body = login_as("koordination").get("/api/v1/partners/talks/", params).json()
    assert [t["held_on"] for t in body["results"]] == dates


def test_talk_log_filter_by_agency(login_as) -> None:
    params = {"traeger": _org("Lebenswege").code}
    body = login_as("koordination").get("/api/v1/partners/talks/", params).json()
    assert [t["held_on"] for t in body["results"]] == ["2022-09-14", "2022-06-23"]


@pytest.mark.parametrize(
    "params",
    [
        {"outcome": "won"},
        {"year": "1999"},
        {"year": "2101"},
        {"year": "zweitausend"},
        {"traeger": "x" * 41},
    ],
)
def test_talk_log_rejects_bad_filters(login_as, params: dict[str, str]) -> None:
    response = login_as("koordination").get("/api/v1/partners/talks/", params)
    assert response.status_code == 400
    body = response.json()
    field = next(iter(params))
    assert body["detail"].startswith(f"{field}: ") and body[field]


def test_role_without_part_gets_403_before_the_filter_is_checked(login_as) -> None:
    assert login_as("rat").get("/api/v1/partners/talks/", {"year": "x"}).status_code == 403


@pytest.mark.parametrize(
    "persona", ["koordination", "admin", "siegen", "teamlead-siegen", "traeger"]
)
def test_owner_only_for_those_who_manage_the_talk(login_as, persona: str) -> None:
    talk = _talk_on(AGREEMENT)
    body = login_as(persona).get(f"/api/v1/partners/talks/{talk.code}/").json()
    assert body["topics"] == talk.topics
    tasks = body["follow_ups"]
    assert len(tasks) == 3 and [t["done"] for t in tasks].count(True) == 1
    assert {"code", "title", "due", "done"} <= set(tasks[0])
    if persona in MANAGERS:
        assert {t["owner"] for t in tasks} == {"siegen"}
    else:
        assert all("owner" not in t for t in tasks)
        assert "siegen" not in str(tasks)


def test_follow_ups_in_due_order_with_done_flag(login_as) -> None:
    talk = _talk_on(DECLINED)
    siegen = User.objects.get(username="siegen")
    with time_machine.travel(dt.datetime(2022, 9, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        later = actions.add_follow_up(
            talk, acting_user=siegen, title="Nachfrage", owner=siegen, due=dt.date(2022, 10, 30)
        )
        sooner = actions.add_follow_up(
            talk, acting_user=siegen, title="Vermerk", owner=siegen, due=dt.date(2022, 9, 21)
        )
        actions.complete_follow_up(sooner, acting_user=siegen)
    body = login_as("siegen").get(f"/api/v1/partners/talks/{talk.code}/").json()
    assert body["follow_ups"] == [
        {
            "code": sooner.code,
            "title": "Vermerk",
            "due": "2022-09-21",
            "done": True,
            "owner": "siegen",
        },
        {
            "code": later.code,
            "title": "Nachfrage",
            "due": "2022-10-30",
            "done": False,
            "owner": "siegen",
        },
    ]


# --- query counts -----------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_talk_log_query_count_does_not_grow_with_talks(
    login_as, django_assert_max_num_queries
) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(6):
        client.get("/api/v1/partners/talks/")
    before = _queries(client, "/api/v1/partners/talks/")
    for _ in range(5):
        _kreuztal_talk_with("Lebenswege")
    assert _queries(client, "/api/v1/partners/talks/") == before


def test_talk_detail_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("traeger")
    url = f"/api/v1/partners/talks/{_talk_on(AGREEMENT).code}/"
    with django_assert_max_num_queries(9):  # session, user, memberships, talk, related rows
        assert client.get(url).status_code == 200


def test_token_query_count(client: Client, django_assert_max_num_queries) -> None:
    user = User.objects.get(username="koordination")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/partners/talks/", **auth).status_code == 200


# --- schema -----------------------------------------------------------------------------------


def test_schema_documents_every_response(client: Client) -> None:
    schema = client.get("/api/v1/schema.json").json()
    paths = schema["paths"]
    expected = {
        "/api/v1/partners/talks/": {"200", "400", "401", "403"},
        "/api/v1/partners/talks/{code}/": {"200", "401", "403", "404"},
    }
    for path, codes in expected.items():
        assert set(paths[path]["get"]["responses"]) >= codes, path
    follow_up = schema["components"]["schemas"]["FollowUp"]
    assert "owner" in follow_up["properties"] and "owner" not in follow_up["required"]
    # Only talks for now: calls for interest and agreements come later.
    assert not [p for p in paths if p.startswith("/api/v1/partners/") and "talks" not in p]
