"""API v1 for talks with welfare agencies: the same doors as the UI, owners only for managers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kim.accounts.access import load_user_context
from kim.accounts.actions import create_user, grant_role, issue_api_token
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.access import submissions_for_user
from kim.partners.actions import calls
from kim.partners.models import (
    Agreement,
    Call,
    CallStatus,
    Payment,
    ReportingDuty,
    Review,
    Talk,
)
from kim.programmes.models import Position

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
    # Talks, agreements and calls for interest: nothing else under partners.
    assert not [
        p
        for p in paths
        if p.startswith("/api/v1/partners/")
        and not any(part in p for part in ("talks", "agreements", "calls"))
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


# --- calls for expressions of interest --------------------------------------------------------
# Built through the actions (create → criteria to 100 % → publish → submissions); the demo's own
# call is never counted on, only the calls these tests create.

CALLS = "/api/v1/partners/calls/"
CALL_FIELDS = {
    "code",
    "title",
    "issuer",
    "baustein",
    "area",
    "period_start",
    "period_end",
    "funding_per_vze",
    "top_up_per_vze",
    "offered_vze",
    "published_on",
    "deadline",
    "status",
    "decision",
    "decision_reason",
    "decided_on",
    "submissions",
}
SUBMISSION_FIELDS = {"code", "traeger", "submitted_at", "vze_offered", "status", "agreement"}
CALL_DEADLINE = (2025, 10, 31, 12, 0)
PUBLISHED = dt.date(2025, 10, 1)


def _at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=timezone.get_current_timezone())


def _free_posts(town: str) -> list[Position]:
    """The town's B2 posts that no agency fills and no open call offers."""
    return list(
        Position.objects.filter(baustein="B2", home=_org(town))
        .exclude(employer_type="traeger")
        .exclude(calls__status__in=[CallStatus.DRAFT, CallStatus.PUBLISHED])
        .order_by("id")
    )


def _call(
    issuer: str,
    town: str,
    *,
    by: str = "koordination",
    title: str = "API-Testaufruf",
    publish: bool = True,
    offers: tuple[tuple[str, str, dt.datetime], ...] = (),
    take: int | None = None,
) -> Call:
    """A call of ``issuer`` offering the free B2 posts of ``town``, with two criteria (60 + 40),
    published on 01.10.2025 with a deadline of 31.10.2025 12:00, and the submissions
    ``offers`` (agency short name, VZÄ, received at)."""
    user = User.objects.get(username=by)
    region = _org("Siegen").region
    assert region is not None
    call = calls.create_call(
        acting_user=user,
        issuer=region if issuer == "kreis" else _org(issuer),
        title=title,
        baustein="B2",
        area=f"Stadt {town}",
        positions=_free_posts(town)[:take],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2027, 12, 31),
        funding_per_vze=Decimal("57000.00"),
        top_up_per_vze=Decimal("6000.00"),
        deadline=_at(*CALL_DEADLINE),
    )
    calls.add_criterion(call, acting_user=user, name="Konzept", weight=60)
    calls.add_criterion(call, acting_user=user, name="Personal", weight=40)
    if not publish:
        return call
    call = calls.publish_call(call, acting_user=user, published_on=PUBLISHED)
    for agency, vze, received in offers:
        calls.submit_interest(
            call,
            acting_user=user,
            traeger=_org(agency),
            vze_offered=Decimal(vze),
            summary=f"Konzept von {agency} (Test)",
            submitted_at=received,
        )
    return call


def _calls() -> dict[str, Call]:
    """Three calls of the Kreis Siegen-Wittgenstein:

    - "kreis": the Kreis offers Kreuztal's two posts; Brücke Siegerland and its competitor
      Lebenswege both submit;
    - "siegen": the Stadt Siegen offers one of its posts; only Lebenswege submits;
    - "draft": the Kreis prepares a call for another Siegen post, not yet published.
    """
    return {
        "kreis": _call(
            "kreis",
            "Kreuztal",
            title="Aufruf Kreuztal",
            offers=(
                ("Brücke Siegerland", "1.00", _at(2025, 10, 10, 9, 0)),
                ("Lebenswege", "1.50", _at(2025, 10, 20, 14, 30)),
            ),
        ),
        "siegen": _call(
            "Siegen",
            "Siegen",
            by="siegen",
            title="Aufruf Siegen",
            take=1,
            offers=(("Lebenswege", "1.00", _at(2025, 10, 30, 11, 0)),),
        ),
        "draft": _call("kreis", "Siegen", title="Entwurf Siegen", take=1, publish=False),
    }


# persona → the calls above it reads, and whose submissions it sees in them (agency short
# names); anyone not listed gets 403 on the list and 404 on every call.
ALL_SUBMISSIONS = {
    "kreis": {"Brücke Siegerland", "Lebenswege"},
    "siegen": {"Lebenswege"},
    "draft": set(),
}
CALL_READERS: dict[str, dict[str, set[str]]] = {
    "koordination": ALL_SUBMISSIONS,
    "admin": ALL_SUBMISSIONS,
    # Its own call with every submission, and the Kreis's draft that offers a Siegen post.
    "siegen": {"siegen": {"Lebenswege"}, "draft": set()},
    # Published calls of its Kreis; only its own submission, never the competitor's.
    "traeger": {"kreis": {"Brücke Siegerland"}, "siegen": set()},
}


def _listed(client: Client, **params: object) -> dict[str, dict[str, Any]]:
    response = client.get(CALLS, {"limit": 500, **params})
    assert response.status_code == 200
    return {c["code"]: c for c in response.json()["results"]}


def _agencies(item: dict[str, Any]) -> set[str]:
    names = {o.name: o.short_name for o in Organisation.objects.filter(kind="traeger")}
    return {names[s["traeger"]["name"]] for s in item["submissions"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_call_matrix(login_as, persona: str) -> None:
    made = _calls()
    client = login_as(persona)
    readable = CALL_READERS.get(persona)
    response = client.get(CALLS, {"limit": 500})
    if readable is None:
        assert response.status_code == 403
    else:
        listed = _listed(client)
        for which, call in made.items():
            assert (call.code in listed) == (which in readable), which
            if which in readable:
                assert _agencies(listed[call.code]) == readable[which], which
    for which, call in made.items():
        detail = client.get(f"{CALLS}{call.code}/")
        if readable is not None and which in readable:
            assert detail.status_code == 200, which
            assert _agencies(detail.json()) == readable[which], which
        else:
            assert detail.status_code == 404, which


def test_stranger_sees_no_call_of_the_kreis(stranger: Client, login_as) -> None:
    made = _calls()
    for call in made.values():
        url = f"{CALLS}{call.code}/"
        assert login_as("koordination").get(url).status_code == 200
        assert stranger.get(url).status_code == 404
    # Coordination elsewhere may use the list – and finds nothing of Siegen-Wittgenstein.
    for params in ({}, {"status": "published"}, {"year": 2025}):
        body = stranger.get(CALLS, params).json()
        assert body["count"] == 0 and body["results"] == []


def test_traeger_sees_only_its_own_submission_beside_a_competitor(login_as) -> None:
    call = _calls()["kreis"]
    competitor = call.submissions.get(traeger=_org("Lebenswege"))
    own = call.submissions.get(traeger=_org("Brücke Siegerland"))
    for url in (CALLS, f"{CALLS}{call.code}/"):
        body = login_as("traeger").get(url, {"limit": 500}).json()
        item = (
            body if "code" in body else next(c for c in body["results"] if c["code"] == call.code)
        )
        assert [s["code"] for s in item["submissions"]] == [own.code]
        assert competitor.code not in str(item) and "Lebenswege" not in str(item)
        # The coordination sees both, in order of receipt.
        everything = login_as("koordination").get(url, {"limit": 500}).json()
        item = (
            everything
            if "code" in everything
            else next(c for c in everything["results"] if c["code"] == call.code)
        )
        assert [s["code"] for s in item["submissions"]] == [own.code, competitor.code]


def test_drafts_are_invisible_to_traeger_managers(login_as) -> None:
    draft = _calls()["draft"]
    url = f"{CALLS}{draft.code}/"
    assert login_as("koordination").get(url).json()["status"] == "draft"
    client = login_as("traeger")
    assert draft.code not in _listed(client)
    assert _listed(client, status="draft") == {}
    hidden = client.get(url)
    missing = client.get(f"{CALLS}doesnotexist0000/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    # Once published, the agency finds it.
    user = User.objects.get(username="koordination")
    calls.publish_call(draft, acting_user=user, published_on=PUBLISHED)
    assert draft.code in _listed(client)
    assert client.get(url).status_code == 200


def test_submissions_follow_submissions_for_user(login_as) -> None:
    """Whatever the persona, each listed call shows exactly ``submissions_for_user``."""
    _calls()
    for persona in CALL_READERS:
        ctx = load_user_context(User.objects.get(username=persona))
        for item in _listed(login_as(persona)).values():
            call = Call.objects.get(code=item["code"])
            expected = [s.code for s in submissions_for_user(ctx, call).order_by("submitted_at")]
            assert [s["code"] for s in item["submissions"]] == expected, (persona, call.title)


def test_calls_anonymous_gets_401(client: Client) -> None:
    call = _calls()["kreis"]
    for url in [CALLS, f"{CALLS}{call.code}/"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"


def test_calls_token_authentication_keeps_the_role(client: Client) -> None:
    made = _calls()
    user = User.objects.get(username="traeger")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    body = client.get(CALLS, {"limit": 500}, **auth).json()
    codes = {c["code"] for c in body["results"]}
    assert {made["kreis"].code, made["siegen"].code} <= codes
    assert made["draft"].code not in codes
    item = next(c for c in body["results"] if c["code"] == made["kreis"].code)
    assert [s["traeger"]["name"] for s in item["submissions"]] == [_org("Brücke Siegerland").name]
    assert client.get(f"{CALLS}{made['draft'].code}/", **auth).status_code == 404
    rat = User.objects.get(username="rat")
    rat_auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=rat)}"}
    assert client.get(CALLS, **rat_auth).status_code == 403
    assert client.get(f"{CALLS}{made['kreis'].code}/", **rat_auth).status_code == 404
    assert client.get(CALLS, HTTP_AUTHORIZATION="Token nope").status_code == 401


# --- content ----------------------------------------------------------------------------------


def test_call_list_item(login_as) -> None:
    call = _calls()["kreis"]
    item = _listed(login_as("koordination"))[call.code]
    assert set(item) == CALL_FIELDS
    kreis = call.issuer
    assert item["issuer"] == {"code": kreis.code, "name": kreis.name}
    assert {k: item[k] for k in CALL_FIELDS - {"issuer", "deadline", "submissions"}} == {
        "code": call.code,
        "title": "Aufruf Kreuztal",
        "baustein": "B2",
        "area": "Stadt Kreuztal",
        "period_start": "2026-01-01",
        "period_end": "2027-12-31",
        "funding_per_vze": "57000.00",
        "top_up_per_vze": "6000.00",
        "offered_vze": "1.50",  # Kreuztal's posts: 1 + 0.5 VZÄ
        "published_on": "2025-10-01",
        "status": "published",
        "decision": "",
        "decision_reason": "",
        "decided_on": None,
    }
    assert dt.datetime.fromisoformat(item["deadline"]) == _at(*CALL_DEADLINE)
    first = item["submissions"][0]
    assert set(first) == SUBMISSION_FIELDS
    brucke = _org("Brücke Siegerland")
    assert first["traeger"] == {"code": brucke.code, "name": brucke.name}
    assert (first["vze_offered"], first["status"], first["agreement"]) == (
        "1.00",
        "submitted",
        None,
    )
    assert dt.datetime.fromisoformat(first["submitted_at"]) == _at(2025, 10, 10, 9, 0)
    # The detail says the same, plus the description and the criteria.
    detail = login_as("koordination").get(f"{CALLS}{call.code}/").json()
    assert set(detail) == CALL_FIELDS | {"description", "criteria"}
    assert {k: detail[k] for k in CALL_FIELDS} == item
    assert detail["criteria"] == [
        {"name": "Konzept", "description": "", "weight": 60},
        {"name": "Personal", "description": "", "weight": 40},
    ]


def _score_and_award(call: Call, winner: str) -> Call:
    """Both evaluators score every submission (four-eyes rule), then every post goes to
    ``winner``."""
    evaluators = [User.objects.get(username=u) for u in ("koordination", "siegen")]
    criteria = list(call.criteria.all())
    for submission in call.submissions.all():
        for evaluator in evaluators:
            calls.score_submission(
                submission, acting_user=evaluator, points={c.pk: 7 for c in criteria}
            )
    won = call.submissions.get(traeger=_org(winner))
    return calls.decide_call(
        call,
        acting_user=evaluators[0],
        decision="award",
        reason="Bestes Konzept (Test)",
        decided_on=dt.date(2025, 12, 1),
        awards={position: won for position in call.positions.all()},
    )


def test_decided_call_shows_the_decision_and_the_agreement_but_no_scores(login_as) -> None:
    call = _score_and_award(_calls()["kreis"], "Lebenswege")
    won = call.submissions.get(traeger=_org("Lebenswege"))
    assert won.agreement is not None
    body = login_as("koordination").get(f"{CALLS}{call.code}/").json()
    assert (body["status"], body["decision"], body["decided_on"]) == (
        "decided",
        "award",
        "2025-12-01",
    )
    assert body["decision_reason"] == "Bestes Konzept (Test)"
    assert [(s["status"], s["agreement"]) for s in body["submissions"]] == [
        ("not_awarded", None),
        ("awarded", won.agreement.code),
    ]
    # Scores exist, yet no key or value of them reaches the API – not even for managers.
    text = str(body).lower()
    assert "score" not in text and "rank" not in text and "points" not in text
    # The losing agency learns its own result only.
    own = login_as("traeger").get(f"{CALLS}{call.code}/").json()
    assert [(s["status"], s["agreement"]) for s in own["submissions"]] == [("not_awarded", None)]
    assert won.agreement.code not in str(own)


def test_call_list_filters(login_as) -> None:
    made = _calls()
    user = User.objects.get(username="koordination")
    calls.decide_call(
        made["kreis"],
        acting_user=user,
        decision="withdrawn",
        reason="Zurückgezogen (Test)",
        decided_on=dt.date(2025, 11, 5),
    )
    mine = {c.code: which for which, c in made.items()}
    client = login_as("koordination")

    def found(**params: object) -> set[str]:
        return {mine[code] for code in _listed(client, **params) if code in mine}

    assert found() == {"kreis", "siegen", "draft"}
    assert found(status="draft") == {"draft"}
    assert found(status="published") == {"siegen"}
    assert found(status="decided") == {"kreis"}
    assert found(status="") == {"kreis", "siegen", "draft"}
    assert found(year=2025) == {"kreis", "siegen", "draft"}  # the year of the deadline
    assert found(year=2026) == set()
    assert found(year=2025, status="decided") == {"kreis"}


def test_call_list_newest_deadline_first(login_as) -> None:
    made = _calls()
    region = _org("Siegen").region
    later = calls.create_call(
        acting_user=None,
        issuer=region,  # type: ignore[arg-type]
        title="Späterer Aufruf",
        baustein="B2",
        area="Kreis",
        positions=_free_posts("Siegen")[:1],
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 12, 31),
        funding_per_vze=Decimal("57000.00"),
        deadline=_at(2026, 3, 1, 12, 0),
    )
    order = [c for c in _listed(login_as("koordination")) if c in {later.code, made["kreis"].code}]
    assert order == [later.code, made["kreis"].code]


@pytest.mark.parametrize(
    "params",
    [{"status": "open"}, {"year": "1999"}, {"year": "2101"}, {"year": "zweitausend"}],
)
def test_call_list_rejects_bad_filters(login_as, params: dict[str, str]) -> None:
    response = login_as("koordination").get(CALLS, params)
    assert response.status_code == 400
    body = response.json()
    field = next(iter(params))
    assert body["detail"].startswith(f"{field}: ") and body[field]


def test_calls_403_before_the_filter_is_checked(login_as) -> None:
    for persona in ("rat", "cm-siegen", "teamlead-siegen"):
        assert login_as(persona).get(CALLS, {"year": "x"}).status_code == 403


# --- query counts -----------------------------------------------------------------------------


def _decided_calls(count: int) -> None:
    """``count`` calls for Kreuztal's posts, one after the other (a decided call frees its
    posts), each with three submissions."""
    user = User.objects.get(username="koordination")
    for number in range(count):
        call = _call(
            "kreis",
            "Kreuztal",
            title=f"Aufruf {number}",
            offers=(
                ("Brücke Siegerland", "1.00", _at(2025, 10, 10, 9, 0)),
                ("Lebenswege", "1.00", _at(2025, 10, 11, 9, 0)),
                ("Nachbarschaftswerk", "0.50", _at(2025, 10, 12, 9, 0)),
            ),
        )
        calls.decide_call(
            call,
            acting_user=user,
            decision="no_award",
            reason="Kein Zuschlag (Test)",
            decided_on=dt.date(2025, 11, 1),
        )


@pytest.mark.parametrize("persona", ["koordination", "traeger", "siegen"])
def test_call_list_query_count_does_not_grow(login_as, persona: str) -> None:
    client = login_as(persona)
    _decided_calls(1)
    before = _queries(client, CALLS)
    assert before <= 7  # session, user, memberships, managed calls, calls, submissions (+1)
    _decided_calls(6)
    _calls()
    assert _queries(client, CALLS) == before
    # Filters add no query (a page without calls even saves the submissions' one).
    assert _queries(client, CALLS + "?status=decided&year=2025") <= before


def test_call_detail_query_count(login_as) -> None:
    call = _calls()["kreis"]
    client = login_as("koordination")
    # session, user, memberships, the call, its posts, its submissions, its criteria
    before = _queries(client, f"{CALLS}{call.code}/")
    assert before <= 8
    calls.submit_interest(
        call,
        acting_user=None,
        traeger=_org("Nachbarschaftswerk"),
        vze_offered=Decimal("0.50"),
        summary="Nachzügler (Test)",
        submitted_at=_at(2025, 10, 31, 11, 59),
    )
    assert _queries(client, f"{CALLS}{call.code}/") == before


def test_calls_token_query_count(client: Client, django_assert_max_num_queries) -> None:
    _calls()
    user = User.objects.get(username="koordination")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    with django_assert_max_num_queries(6):
        assert client.get(CALLS, **auth).status_code == 200


# --- schema -----------------------------------------------------------------------------------


def test_schema_documents_the_call_endpoints_without_scores(client: Client) -> None:
    schema = client.get("/api/v1/schema.json").json()
    paths = schema["paths"]
    assert set(paths[CALLS]["get"]["responses"]) >= {"200", "400", "401", "403"}
    assert set(paths[CALLS + "{code}/"]["get"]["responses"]) >= {"200", "401", "403", "404"}
    for path in (CALLS, CALLS + "{code}/"):
        assert "never part of the API" in paths[path]["get"]["description"]
    components = schema["components"]["schemas"]
    for name in ("Call", "CallDetail", "CallSubmission", "Criterion"):
        properties = set(components[name]["properties"])
        assert not {p for p in properties if "score" in p or "rank" in p or "point" in p}, name
    assert set(components["Call"]["properties"]) == CALL_FIELDS
    assert set(components["CallSubmission"]["properties"]) == SUBMISSION_FIELDS
    # A call not yet decided has an empty decision: the schema must allow it.
    decision = components["Call"]["properties"]["decision"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in decision["oneOf"]


def test_schema_generates_without_warnings(tmp_path: Path) -> None:
    """``kim spectacular --validate --fail-on-warn``: valid OpenAPI, no naming collisions."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/v1/partners/calls/{code}/" in (tmp_path / "schema.yaml").read_text()
