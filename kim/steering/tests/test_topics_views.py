"""The topic board, a topic's page and the actions behind it, per persona (docs/permissions.md
§ Topics): the coordination manages, leads read, case managers read counts of the topics
that hold their own barriers, everybody else gets 404 – like a made-up code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.steering.actions.topics import propose_topics
from kim.steering.models import Topic, TopicLevel, TopicStatus

pytestmark = pytest.mark.django_db

FULL_READERS = ("koordination", "siegen", "teamlead-siegen")
NOBODY = ("traeger", "rat", "abh", "dsb", "admin")


@pytest.fixture
def topic(barriers: Callable) -> Topic:
    """A proposal made of barriers of cm-siegen's and cm-traeger's cases (not cm-kreuztal's)."""
    barriers("digital", dt.date(2025, 2, 10), {"cm-siegen": 3, "cm-traeger": 2})
    kreis = Organisation.objects.get(ags="05970")
    (made,) = propose_topics(acting_user=None, region=kreis, day=dt.date(2025, 12, 31))
    made.description = "Termine nur online: Unterstützung fehlt."
    made.save()
    return made


EXPECTED_DETAIL = {
    **dict.fromkeys(FULL_READERS, 200),
    "cm-siegen": 200,
    "cm-traeger": 200,
    "cm-kreuztal": 404,
    **dict.fromkeys(NOBODY, 404),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED_DETAIL))
def test_topic_page_per_persona(
    login_as: Callable[[str], Client], topic: Topic, persona: str
) -> None:
    client = login_as(persona)
    response = client.get(f"/steuerung/themen/{topic.code}/")
    assert response.status_code == EXPECTED_DETAIL[persona]
    made_up = client.get("/steuerung/themen/00000000000000000000000000/")
    assert made_up.status_code == 404
    if response.status_code != 200:
        return
    page = response.content.decode()
    assert "evidence-quarter" in page and "2025/Q1" in page
    # Never a case, person or case manager.
    assert "Hürdia" not in page and "Testfall" not in page
    assert ("Termine nur online" in page) is (persona in FULL_READERS)
    assert ('id="topic-actions"' in page) is (persona == "koordination")


def test_a_stranger_gets_404(stranger: Client, topic: Topic) -> None:
    assert stranger.get(f"/steuerung/themen/{topic.code}/").status_code == 404
    board = stranger.get("/steuerung/themen/")
    assert board.status_code == 200 and topic.title not in board.content.decode()


BOARD = {**dict.fromkeys(FULL_READERS, 200), **dict.fromkeys(NOBODY, 404)}


@pytest.mark.parametrize("persona", [*sorted(BOARD), "cm-siegen", "cm-kreuztal"])
def test_board_per_persona(login_as: Callable[[str], Client], topic: Topic, persona: str) -> None:
    response = login_as(persona).get("/steuerung/themen/?status=all")
    expected = BOARD.get(persona, 200)
    assert response.status_code == expected
    if expected == 200:
        shown = topic.title in response.content.decode()
        assert shown is (persona != "cm-kreuztal")


ACTIONS = [
    ("topic_edit", {"title": "Neu", "description": ""}),
    ("topic_reject", {"reason": "Doppelt"}),
    ("topic_merge", {"reason": ""}),
    ("topic_add_barriers", {"quarter": "2025-1"}),
    ("topic_assign", {"body": ""}),
    ("topic_level", {"to_level": "working_group", "changed_on": "01.06.2025", "reason": "x"}),
    ("topic_close", {"reason": "Erledigt"}),
]


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_only_the_coordination_acts(
    login_as: Callable[[str], Client], topic: Topic, name: str, data: dict[str, str]
) -> None:
    url = reverse(f"steering:{name}", args=[topic.code])
    steering = AuditEvent.objects.filter(event_type__startswith="steering.")
    before = steering.count()
    for persona, status in (
        ("cm-kreuztal", 404),
        ("siegen", 403),
        ("cm-siegen", 403),
        ("rat", 404),
    ):
        client = login_as(persona)
        assert client.get(url).status_code == status, persona
        assert client.post(url, {**data, "version": topic.version}).status_code == status
    assert steering.count() == before
    assert login_as("koordination").get(url).status_code == 200


def test_the_coordination_confirms_and_moves_a_topic(
    login_as: Callable[[str], Client], topic: Topic
) -> None:
    client = login_as("koordination")
    confirm = reverse("steering:topic_confirm", args=[topic.code])
    assert login_as("siegen").post(confirm, {"version": topic.version}).status_code == 403
    response = client.post(confirm, {"version": topic.version})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN
    level = reverse("steering:topic_level", args=[topic.code])
    bad = client.post(level, {"version": topic.version, "to_level": "land", "reason": ""})
    assert bad.status_code == 200 and "id_reason_error" in bad.content.decode()
    ok = client.post(
        level,
        {"version": topic.version, "to_level": "land", "changed_on": "01.06.2025", "reason": "x"},
    )
    assert ok.status_code == 302
    topic.refresh_from_db()
    assert topic.level == TopicLevel.LAND
    page = client.get(f"/steuerung/themen/{topic.code}/").content.decode()
    assert "level-history" in page and "01.06.2025" in page


def test_an_edit_conflict_shows_both_versions(
    login_as: Callable[[str], Client], topic: Topic
) -> None:
    client = login_as("koordination")
    url = reverse("steering:topic_edit", args=[topic.code])
    old = topic.version
    assert (
        client.post(url, {"version": old, "title": "Erster", "description": ""}).status_code == 302
    )
    again = client.post(url, {"version": old, "title": "Zweiter", "description": ""})
    assert again.status_code == 200 and 'id="edit-conflict"' in again.content.decode()
    topic.refresh_from_db()
    assert topic.title == "Erster"


def test_propose_button_and_thresholds(
    login_as: Callable[[str], Client], barriers: Callable
) -> None:
    client = login_as("koordination")
    assert login_as("siegen").post("/steuerung/themen/vorschlaege/").status_code == 404
    assert login_as("siegen").get("/steuerung/themen/schwellen/").status_code == 404
    barriers("digital", dt.date.today(), {"cm-siegen": 3, "cm-kreuztal": 2})
    response = client.post("/steuerung/themen/vorschlaege/")
    assert response.status_code == 302
    assert Topic.objects.filter(category__key="digital", status=TopicStatus.PROPOSED).exists()
    page = client.get("/steuerung/themen/schwellen/")
    assert page.status_code == 200 and "Voreinstellung der KIM-Plattform" in page.content.decode()
    kreis = Organisation.objects.get(ags="05970")
    bad = client.post(
        "/steuerung/themen/schwellen/",
        {"region": kreis.pk, "min_barriers": 0, "min_organisations": 2, "source": ""},
    )
    assert bad.status_code == 200 and "id_min_barriers_error" in bad.content.decode()
    good = client.post(
        "/steuerung/themen/schwellen/",
        {
            "region": kreis.pk,
            "min_barriers": 8,
            "min_organisations": 3,
            "valid_from": "01.01.2027",
            "source": "Beschluss der Lenkungsgruppe",
        },
    )
    assert good.status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.TOPIC_THRESHOLD_RECORDED).exists()


def test_board_query_count_does_not_grow_with_topics(
    login_as: Callable[[str], Client],
    barriers: Callable,
    django_assert_max_num_queries: Callable,
) -> None:
    client = login_as("koordination")
    client.get("/steuerung/themen/")
    for day in (dt.date(2025, 2, 1), dt.date(2025, 5, 1), dt.date(2025, 8, 1)):
        barriers("digital", day, {"cm-siegen": 3, "cm-kreuztal": 2})
    propose_topics(
        acting_user=None, region=Organisation.objects.get(ags="05970"), day=dt.date(2025, 12, 31)
    )
    with django_assert_max_num_queries(10):
        response = client.get("/steuerung/themen/?status=all")
    assert response.status_code == 200
    assert response.content.decode().count("/steuerung/themen/") >= 6


def test_empty_state(login_as: Callable[[str], Client]) -> None:
    page = login_as("koordination").get("/steuerung/themen/?q=gibtesnicht").content.decode()
    assert 'id="no-topics"' in page


def test_barrier_log_links_to_the_board_for_those_allowed(
    login_as: Callable[[str], Client],
) -> None:
    assert (
        'href="/steuerung/themen/"'
        in login_as("koordination").get("/fallmanagement/barrieren/").content.decode()
    )
