"""API v1: the same access rules as the UI, session and token authentication, a full schema."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_list_is_paginated_and_scoped_to_the_region(login_as) -> None:
    data = login_as("koordination").get("/api/v1/organisations/", {"limit": 100}).json()
    names = {o["name"] for o in data["results"]}
    assert "Stadt Siegen" in names and "Land Nordrhein-Westfalen" in names
    assert data["count"] == len(data["results"])


def test_filter_by_kind_and_search(login_as) -> None:
    client = login_as("cm-kreuztal")
    data = client.get("/api/v1/organisations/", {"kind": "kommune"}).json()
    assert data["count"] == 11
    data = client.get("/api/v1/organisations/", {"q": "05970024"}).json()
    assert [o["name"] for o in data["results"]] == ["Stadt Kreuztal"]
    assert client.get("/api/v1/organisations/", {"kind": "planet"}).status_code == 400


def test_token_authentication(client: Client) -> None:
    user = get_user_model().objects.get(username="siegen")
    token = Token.objects.create(user=user)
    siegen = Organisation.objects.get(ags="05970040")
    response = client.get(
        f"/api/v1/organisations/{siegen.code}/", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ags"] == "05970040"
    assert {"reference_date": "2019-12-31", "value": 102770}.items() <= body["population"][
        -1
    ].items() or any(p["value"] == 102770 for p in body["population"])


def test_anonymous_is_refused(client: Client) -> None:
    assert client.get("/api/v1/organisations/").status_code == 401


def test_stranger_gets_404_and_council_member_403(stranger, login_as) -> None:
    siegen = Organisation.objects.get(ags="05970040")
    assert login_as("siegen").get(f"/api/v1/organisations/{siegen.code}/").status_code == 200
    assert stranger.get(f"/api/v1/organisations/{siegen.code}/").status_code == 404
    assert login_as("rat").get("/api/v1/organisations/").status_code == 403
    assert login_as("rat").get(f"/api/v1/organisations/{siegen.code}/").status_code == 404


def test_list_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(6):
        client.get("/api/v1/organisations/", {"limit": 200})


def test_schema_documents_every_response(client: Client) -> None:
    schema = client.get("/api/v1/schema.json").json()
    ops = schema["paths"]
    assert set(ops["/api/v1/organisations/"]["get"]["responses"]) >= {"200", "400", "401", "403"}
    assert set(ops["/api/v1/organisations/{code}/"]["get"]["responses"]) >= {
        "200",
        "401",
        "403",
        "404",
    }


def test_anonymous_gets_401_with_challenge(client: Client) -> None:
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_issuance_is_audited_and_needs_mfa_when_required(settings) -> None:
    from allauth.mfa.models import Authenticator

    from kim.accounts.actions import issue_api_token
    from kim.audit.models import AuditEvent, EventType

    user = get_user_model().objects.get(username="koordination")
    key = issue_api_token(acting_user=None, user=user)
    assert Token.objects.get(user=user).key == key
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.subject_code) == (EventType.API_TOKEN_ISSUED, str(user.pk))
    assert key not in str(event.extra)
    settings.KIM_REQUIRE_MFA = True
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        issue_api_token(acting_user=None, user=user)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    assert issue_api_token(acting_user=None, user=user) != key
