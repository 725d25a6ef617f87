"""API v1 for cases: the same door as the UI (404 for strangers, 403 on the list for roles
without case management), audited reads, bounded queries, a schema the fuzzer can trust."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kim.accounts.actions import issue_api_token
from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Consent, Goal, LifeArea, PhaseChange, Referral
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
LIST_FIELDS = {
    "code",
    "number",
    "display_name",
    "phase",
    "phase_label",
    "organisation",
    "responsible",
    "referred_on",
    "next_review_on",
    "closed_on",
}
# persona → status of the detail of a case of cm-siegen (Stadt Siegen).
DETAIL = {
    "cm-siegen": 200,
    "teamlead-siegen": 200,
    "cm-kreuztal": 404,
    "cm-traeger": 404,
    "koordination": 404,
    "siegen": 404,
    "admin": 404,
    "dsb": 404,
    "rat": 404,
}


def _codes(response: Any) -> set[str]:
    return {item["code"] for item in response.json()["results"]}


def test_list_shows_the_visible_cases_per_persona(make_case: Any, login_as: Any) -> None:
    siegen = make_case("cm-siegen", first_name="Lisa", last_name="Liste")
    kreuztal = make_case("cm-kreuztal", first_name="Kai", last_name="Kreuz")
    response = login_as("cm-siegen").get(CASES)
    assert response.status_code == 200
    items = {item["code"]: item for item in response.json()["results"]}
    assert siegen.code in items and kreuztal.code not in items
    item = items[siegen.code]
    assert set(item) == LIST_FIELDS
    assert item["number"] == siegen.person.number and item["display_name"] == "Lisa Liste"
    assert item["phase"] == "access" and item["responsible"] == "cm-siegen"
    assert item["organisation"] == siegen.organisation.code
    assert item["referred_on"] == siegen.referred_on.isoformat()
    assert siegen.code in _codes(login_as("teamlead-siegen").get(CASES))
    assert _codes(login_as("cm-kreuztal").get(CASES)) >= {kreuztal.code}
    assert siegen.code not in _codes(login_as("cm-kreuztal").get(CASES))
    for persona in ("koordination", "admin", "rat", "siegen"):
        assert login_as(persona).get(CASES).status_code == 403, persona


def test_phase_filter_and_bad_parameters(make_case: Any, login_as: Any) -> None:
    case = make_case("cm-siegen", first_name="Fiona", last_name="Filter")
    client = login_as("cm-siegen")
    assert case.code in _codes(client.get(CASES, {"phase": "access"}))
    assert case.code not in _codes(client.get(CASES, {"phase": "closed"}))
    bad = client.get(CASES, {"phase": "nonsense"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("phase:")
    assert client.get(CASES, {"limit": "abc", "offset": "-1"}).status_code == 200
    assert client.get(CASES + "%00%ff/").status_code == 404
    assert client.get(CASES + ("x" * 500) + "/").status_code == 404


def test_detail_per_persona_and_audit(make_case: Any, login_as: Any) -> None:
    case = make_case("cm-siegen", first_name="Dora", last_name="Detail")
    recipient = Organisation.objects.get(name="Jobcenter Siegen-Wittgenstein")
    area = LifeArea.objects.first()
    Goal.objects.create(
        case=case, life_area=area, description="Deutschkurs B1", due_on=dt.date(2026, 12, 1)
    )
    Referral.objects.create(
        case=case,
        recipient=recipient,
        purpose="Sprachkurs",
        categories=["master_data"],
        sent_on=dt.date(2026, 11, 1),
        status_changed_on=dt.date(2026, 11, 1),
    )
    Consent.objects.create(
        person=case.person,
        recipient=recipient,
        purpose="Vermittlung",
        categories=["master_data", "education_work"],
        given_on=dt.date(2026, 10, 1),
    )
    url = f"{CASES}{case.code}/"
    for persona, status in DETAIL.items():
        assert login_as(persona).get(url).status_code == status, persona
    data = login_as("cm-siegen").get(url).json()
    assert set(data) == LIST_FIELDS | {"goals", "referrals", "consents", "phase_history"}
    assert data["goals"][0]["description"] == "Deutschkurs B1"
    assert data["goals"][0]["status"] == "open" and data["goals"][0]["due_on"] == "2026-12-01"
    assert data["referrals"][0] == {
        "code": data["referrals"][0]["code"],
        "recipient": recipient.code,
        "service": None,
        "status": "sent",
        "sent_on": "2026-11-01",
    }
    consent = data["consents"][0]
    assert consent["recipient"] == recipient.code and consent["active"] is True
    assert consent["categories"] == ["master_data", "education_work"]
    assert data["phase_history"] == [
        {"phase": "access", "previous_phase": "", "changed_on": case.referred_on.isoformat()}
    ]
    reads = AuditEvent.objects.filter(event_type=EventType.CASE_READ, subject_code=case.code)
    # Two successful reads (cm-siegen, teamlead-siegen) in the loop and one more above.
    assert reads.count() == 3
    assert all(e.extra == {"via": "api"} for e in reads)
    assert {e.actor_username for e in reads} == {"cm-siegen", "teamlead-siegen"}


def test_token_auth(make_case: Any, client: Client, settings: Any) -> None:
    settings.KIM_REQUIRE_MFA = False
    case = make_case("cm-siegen")
    user = User.objects.get(username="cm-siegen")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    assert client.get(CASES).status_code == 401
    assert client.get(CASES, HTTP_AUTHORIZATION="Token nope").status_code == 401
    assert case.code in _codes(client.get(CASES, **auth))
    assert client.get(f"{CASES}{case.code}/", **auth).status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_list_query_count_does_not_grow(
    count: int, make_case: Any, login_as: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(count):
        make_case("cm-siegen", first_name=f"Q{i}", last_name="Zaehlung")
    client = login_as("cm-siegen")
    with django_assert_max_num_queries(10):
        response = client.get(CASES, {"limit": 100})
    assert response.json()["count"] >= count


def test_detail_query_count_is_bounded(
    make_case: Any, login_as: Any, django_assert_max_num_queries: Any
) -> None:
    case = make_case("cm-siegen")
    area = LifeArea.objects.first()
    for i in range(10):
        Goal.objects.create(
            case=case, life_area=area, description=f"Ziel {i}", due_on=dt.date(2027, 1, i + 1)
        )
        PhaseChange.objects.create(
            case=case, from_phase="access", to_phase="intake", changed_on=dt.date(2026, 11, 1)
        )
    client = login_as("teamlead-siegen")
    # session, user, memberships, case, deputies, goals, referrals, phases, consents, audit (4)
    with django_assert_max_num_queries(16):
        response = client.get(f"{CASES}{case.code}/")
    assert response.status_code == 200 and len(response.json()["goals"]) == 10


def test_schema_documents_the_case_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/schema.json").json()["paths"]
    assert set(paths[CASES]["get"]["responses"]) >= {"200", "400", "401", "403"}
    assert set(paths[CASES + "{code}/"]["get"]["responses"]) >= {"200", "401", "403", "404"}
