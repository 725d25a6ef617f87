"""API v1 for talks with welfare agencies: the same doors as the UI, owners only for managers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kim.accounts.actions import create_user, grant_role, issue_api_token
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.models import Agreement, Payment, ReportingDuty, Review, Talk

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
    # Talks and agreements for now: calls for interest come later.
    assert not [
        p
        for p in paths
        if p.startswith("/api/v1/partners/") and "talks" not in p and "agreements" not in p
    ]


# --- pass-through agreements ------------------------------------------------------------------
# Whatever the demo seeds for agreements is never counted on, only the rows these tests create.

AGREEMENTS = "/api/v1/partners/agreements/"
A_START, A_END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
AGREEMENT_FIELDS = {
    "code",
    "kind",
    "title",
    "grantor",
    "recipient",
    "signed_on",
    "period_start",
    "period_end",
    "status",
    "open_payments",
    "open_reports",
    "overdue",
}


def _agreement(**change: Any) -> Agreement:
    kwargs: dict[str, Any] = {
        "acting_user": User.objects.get(username="siegen"),
        "grantor": _org("Siegen"),
        "recipient": _org("Brücke Siegerland"),
        "kind": "contract",
        "title": "API-Testvertrag",
        "signed_on": dt.date(2024, 12, 1),
        "period_start": A_START,
        "period_end": A_END,
        "amounts": [(2025, Decimal("114000.00"), Decimal("20000.00"))],
        "positions": [],
    }
    kwargs.update(change)
    return actions.create_agreement(**kwargs)


def _agreements() -> dict[str, Agreement]:
    kreis = _org("Siegen").region
    coordination = User.objects.get(username="koordination")
    return {
        "kreis-siegen": _agreement(
            acting_user=coordination, grantor=kreis, recipient=_org("Siegen"), kind="notice"
        ),
        "siegen-bruecke": _agreement(),
        "siegen-lebenswege": _agreement(recipient=_org("Lebenswege")),
        "kreis-kreuztal": _agreement(
            acting_user=coordination, grantor=kreis, recipient=_org("Kreuztal"), kind="notice"
        ),
    }


# persona → the agreements above it reads; anyone not listed gets 403 on the list, 404 on each.
AGREEMENT_READERS = {
    "koordination": {"kreis-siegen", "siegen-bruecke", "siegen-lebenswege", "kreis-kreuztal"},
    "admin": {"kreis-siegen", "siegen-bruecke", "siegen-lebenswege", "kreis-kreuztal"},
    "siegen": {"kreis-siegen", "siegen-bruecke", "siegen-lebenswege"},
    "traeger": {"siegen-bruecke"},  # only where Brücke Siegerland is the recipient
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_agreement_matrix(login_as, persona: str) -> None:
    agreements = _agreements()
    client = login_as(persona)
    readable = AGREEMENT_READERS.get(persona)
    response = client.get(AGREEMENTS, {"limit": 500})
    if readable is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        listed = {a["code"] for a in response.json()["results"]}
        for which, agreement in agreements.items():
            assert (agreement.code in listed) == (which in readable), which
    for which, agreement in agreements.items():
        status = 200 if readable and which in readable else 404
        assert client.get(f"{AGREEMENTS}{agreement.code}/").status_code == status, which


def test_traeger_sees_only_agreements_its_agency_receives(login_as) -> None:
    _agreements()
    body = login_as("traeger").get(AGREEMENTS, {"limit": 500}).json()
    brucke = _org("Brücke Siegerland").code
    assert body["count"] >= 1
    assert all(a["recipient"]["code"] == brucke for a in body["results"])


def test_stranger_sees_no_agreement(stranger: Client, login_as) -> None:
    agreement = _agreement()
    url = f"{AGREEMENTS}{agreement.code}/"
    assert login_as("koordination").get(url).status_code == 200
    assert stranger.get(url).status_code == 404
    codes = {a["code"] for a in stranger.get(AGREEMENTS, {"limit": 500}).json()["results"]}
    assert agreement.code not in codes


def test_unknown_agreement_is_404_like_a_hidden_one(login_as) -> None:
    hidden = _agreement(recipient=_org("Lebenswege"))
    client = login_as("traeger")
    hidden_response = client.get(f"{AGREEMENTS}{hidden.code}/")
    missing = client.get(f"{AGREEMENTS}doesnotexist0000/")
    assert hidden_response.status_code == missing.status_code == 404
    assert hidden_response.json() == missing.json()


def test_agreements_anonymous_gets_401(client: Client) -> None:
    for url in [AGREEMENTS, f"{AGREEMENTS}{_agreement().code}/"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"


def test_agreements_token_authentication_keeps_the_role(client: Client) -> None:
    agreements = _agreements()
    user = User.objects.get(username="traeger")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    codes = {a["code"] for a in client.get(AGREEMENTS, {"limit": 500}, **auth).json()["results"]}
    assert agreements["siegen-bruecke"].code in codes
    assert agreements["siegen-lebenswege"].code not in codes
    own = f"{AGREEMENTS}{agreements['siegen-bruecke'].code}/"
    assert client.get(own, **auth).status_code == 200
    other = f"{AGREEMENTS}{agreements['siegen-lebenswege'].code}/"
    assert client.get(other, **auth).status_code == 404
    rat = User.objects.get(username="rat")
    rat_auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=rat)}"}
    assert client.get(AGREEMENTS, **rat_auth).status_code == 403
    assert client.get(AGREEMENTS, HTTP_AUTHORIZATION="Token nope").status_code == 401


def _with_schedule(agreement: Agreement) -> None:
    Payment.objects.create(
        agreement=agreement, kind="call", due_on=dt.date(2025, 2, 1), amount=Decimal("57000.00")
    )
    Payment.objects.create(
        agreement=agreement,
        kind="payment",
        due_on=dt.date(2025, 1, 15),
        amount=Decimal("57000.00"),
        done_on=dt.date(2025, 1, 14),
    )
    ReportingDuty.objects.create(agreement=agreement, kind="interim", due_on=dt.date(2025, 7, 1))
    ReportingDuty.objects.create(
        agreement=agreement,
        kind="vn",
        due_on=dt.date(2025, 3, 1),
        received_on=dt.date(2025, 2, 20),
        review=Review.RECLAIM,
        reclaim_amount=Decimal("1234.50"),
    )


@pytest.mark.parametrize(
    ("day", "status", "overdue"),
    [
        (dt.date(2024, 12, 15), "not_yet_started", False),
        (dt.date(2025, 6, 1), "running", False),
        (dt.date(2025, 7, 2), "running", True),
        (dt.date(2026, 1, 1), "ended", True),
    ],
)
def test_agreement_list_items(login_as, day: dt.date, status: str, overdue: bool) -> None:
    agreement = _agreement()
    _with_schedule(agreement)
    client = login_as("siegen")
    with time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC), tick=False):
        results = client.get(AGREEMENTS, {"limit": 500}).json()["results"]
        detail = client.get(f"{AGREEMENTS}{agreement.code}/").json()
    item = next(a for a in results if a["code"] == agreement.code)
    assert set(item) == AGREEMENT_FIELDS
    siegen, brucke = _org("Siegen"), _org("Brücke Siegerland")
    assert item["grantor"] == {"code": siegen.code, "name": siegen.name}
    assert item["recipient"] == {"code": brucke.code, "name": brucke.name}
    assert (item["kind"], item["title"]) == ("contract", "API-Testvertrag")
    assert (item["signed_on"], item["period_start"], item["period_end"]) == (
        "2024-12-01",
        "2025-01-01",
        "2025-12-31",
    )
    assert (item["status"], item["overdue"]) == (status, overdue)
    assert (item["open_payments"], item["open_reports"]) == (1, 1)
    # The detail says the same as the list item.
    assert {k: detail[k] for k in AGREEMENT_FIELDS} == item


def test_agreement_detail_content(login_as) -> None:
    agreement = _agreement()
    _with_schedule(agreement)
    body = login_as("traeger").get(f"{AGREEMENTS}{agreement.code}/").json()
    assert set(body) == AGREEMENT_FIELDS | {"amounts", "payments", "duties"}
    assert body["amounts"] == [{"year": 2025, "amount": "114000.00", "top_up": "20000.00"}]
    assert body["payments"] == [
        {"due_on": "2025-01-15", "kind": "payment", "amount": "57000.00", "done_on": "2025-01-14"},
        {"due_on": "2025-02-01", "kind": "call", "amount": "57000.00", "done_on": None},
    ]
    assert body["duties"] == [
        {
            "due_on": "2025-03-01",
            "kind": "vn",
            "received_on": "2025-02-20",
            "review": "reclaim",
            "reclaim_amount": "1234.50",
        },
        {
            "due_on": "2025-07-01",
            "kind": "interim",
            "received_on": None,
            "review": "pending",
            "reclaim_amount": None,
        },
    ]


def _codes(client: Client, params: dict[str, object]) -> set[str]:
    response = client.get(AGREEMENTS, {"limit": 500, **params})
    assert response.status_code == 200
    return {a["code"] for a in response.json()["results"]}


def test_agreement_list_filters(login_as) -> None:
    agreements = _agreements()
    later = _agreement(
        title="Folgevertrag",
        signed_on=dt.date(2025, 12, 1),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2027, 6, 30),
        amounts=[(2026, Decimal(1), Decimal(0)), (2027, Decimal(1), Decimal(0))],
    )
    mine = {a.code for a in agreements.values()} | {later.code}
    client = login_as("koordination")
    notices = {agreements["kreis-siegen"].code, agreements["kreis-kreuztal"].code}
    assert _codes(client, {"kind": "notice"}) & mine == notices
    assert _codes(client, {"kind": "contract"}) & mine == mine - notices
    assert _codes(client, {"kind": ""}) & mine == mine
    brucke = _org("Brücke Siegerland").code
    assert _codes(client, {"recipient": brucke}) & mine == {
        agreements["siegen-bruecke"].code,
        later.code,
    }
    assert _codes(client, {"recipient": "unknown"}) == set()
    assert _codes(client, {"year": 2025}) & mine == mine - {later.code}
    assert _codes(client, {"year": 2027}) & mine == {later.code}
    assert _codes(client, {"year": 2026, "recipient": brucke}) & mine == {later.code}
    assert _codes(client, {"year": 2024}) & mine == set()


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "gift"},
        {"year": "1999"},
        {"year": "2101"},
        {"year": "zweitausend"},
        {"recipient": "x" * 41},
    ],
)
def test_agreement_list_rejects_bad_filters(login_as, params: dict[str, str]) -> None:
    response = login_as("koordination").get(AGREEMENTS, params)
    assert response.status_code == 400
    body = response.json()
    field = next(iter(params))
    assert body["detail"].startswith(f"{field}: ") and body[field]


def test_agreements_403_before_the_filter_is_checked(login_as) -> None:
    assert login_as("dsb").get(AGREEMENTS, {"year": "x"}).status_code == 403


def test_agreement_list_query_count_does_not_grow(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(6):
        assert client.get(AGREEMENTS).status_code == 200
    before = _queries(client, AGREEMENTS)
    for _ in range(3):
        _with_schedule(_agreement())
    assert _queries(client, AGREEMENTS) == before


def test_agreement_detail_query_count(login_as, django_assert_max_num_queries) -> None:
    agreement = _agreement()
    _with_schedule(agreement)
    client = login_as("traeger")
    # session, user, memberships, agreement, the agreement again with its related rows
    with django_assert_max_num_queries(10):
        assert client.get(f"{AGREEMENTS}{agreement.code}/").status_code == 200


def test_agreements_token_query_count(client: Client, django_assert_max_num_queries) -> None:
    user = User.objects.get(username="koordination")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    with django_assert_max_num_queries(5):
        assert client.get(AGREEMENTS, **auth).status_code == 200


def test_schema_documents_the_agreement_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/schema.json").json()["paths"]
    assert set(paths[AGREEMENTS]["get"]["responses"]) >= {"200", "400", "401", "403"}
    assert set(paths[AGREEMENTS + "{code}/"]["get"]["responses"]) >= {"200", "401", "403", "404"}
