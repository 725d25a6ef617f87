"""API v1 for topics: the board's door (404 for topics the reader may not see, and for roles
without topics), filters checked, counts only, in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kim.organisations.models import Organisation
from kim.steering.actions.topics import propose_topics
from kim.steering.models import Topic

pytestmark = pytest.mark.django_db

TOPICS = "/api/v1/steering/topics/"


@pytest.fixture
def topic(barriers: Callable) -> Topic:
    barriers("digital", dt.date(2025, 2, 10), {"cm-siegen": 3, "cm-traeger": 2})
    kreis = Organisation.objects.get(ags="05970")
    (made,) = propose_topics(acting_user=None, region=kreis, day=dt.date(2025, 12, 31))
    return made


def _codes(response: Any) -> set[str]:
    return {item["code"] for item in response.json()["results"]}


DETAIL = {
    "koordination": 200,
    "siegen": 200,
    "teamlead-siegen": 200,
    "cm-siegen": 200,
    "cm-traeger": 200,
    "cm-kreuztal": 404,
    "traeger": 404,
    "rat": 404,
    "abh": 404,
    "dsb": 404,
    "admin": 404,
}


@pytest.mark.parametrize("persona", sorted(DETAIL))
def test_detail_and_list_per_persona(
    login_as: Callable[[str], Client], topic: Topic, persona: str
) -> None:
    client = login_as(persona)
    detail = client.get(f"{TOPICS}{topic.code}/")
    assert detail.status_code == DETAIL[persona]
    listing = client.get(TOPICS)
    if persona in ("traeger", "rat", "abh", "dsb", "admin"):
        assert listing.status_code == 404
        return
    assert listing.status_code == 200
    assert (topic.code in _codes(listing)) is (DETAIL[persona] == 200)
    if detail.status_code != 200:
        return
    data = detail.json()
    assert data["evidence"]["total"] == 5 and data["evidence"]["organisations"] == 2
    assert data["evidence"]["by_quarter"] == [{"name": "2025/Q1", "barriers": 5}]
    full = persona in ("koordination", "siegen", "teamlead-siegen")
    assert ("description" in data) is full and ("level_history" in data) is full


def test_filters_are_checked(login_as: Callable[[str], Client], topic: Topic) -> None:
    client = login_as("koordination")
    assert topic.code in _codes(client.get(TOPICS, {"status": "proposed", "level": "case_team"}))
    assert topic.code not in _codes(client.get(TOPICS, {"status": "open"}))
    assert topic.code not in _codes(client.get(TOPICS, {"level": "land"}))
    bad = client.get(TOPICS, {"status": "gibtesnicht"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("status:")


def test_a_stranger_gets_404(stranger: Client, topic: Topic) -> None:
    assert stranger.get(f"{TOPICS}{topic.code}/").status_code == 404
    assert topic.code not in _codes(stranger.get(TOPICS))


def test_in_the_schema(client: Client) -> None:
    paths = client.get("/api/v1/schema.json").json()["paths"]
    assert "/api/v1/steering/topics/" in paths and "/api/v1/steering/topics/{code}/" in paths
