"""The demo's topics: proposed by the rule from the demo barriers (not set by hand), at three
levels, with a dated level history; running the step again changes nothing."""

from __future__ import annotations

import pytest

from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Barrier
from kim.organisations.models import Organisation
from kim.steering.demo_topics import seed_topics
from kim.steering.models import Topic, TopicLevel, TopicStatus

pytestmark = pytest.mark.django_db


def _state() -> list[tuple[str, str, str, int]]:
    return sorted(
        (t.category.key, t.status, t.level, t.barriers.count())
        for t in Topic.objects.filter(region__ags="05970")
    )


def test_three_topics_at_different_levels_from_the_threshold() -> None:
    topics = {t.category.key: t for t in Topic.objects.filter(region__ags="05970")}
    assert set(topics) == {"angebot", "wartezeit", "schnittstelle"}
    assert topics["angebot"].status == TopicStatus.PROPOSED
    assert topics["angebot"].level == TopicLevel.CASE_TEAM
    assert (topics["wartezeit"].status, topics["wartezeit"].level) == (
        TopicStatus.OPEN,
        TopicLevel.WORKING_GROUP,
    )
    assert (topics["schnittstelle"].status, topics["schnittstelle"].level) == (
        TopicStatus.OPEN,
        TopicLevel.STEERING_GROUP,
    )
    history = list(topics["schnittstelle"].level_changes.order_by("changed_on"))
    assert [c.to_level for c in history] == [TopicLevel.WORKING_GROUP, TopicLevel.STEERING_GROUP]
    assert history[0].changed_on < history[1].changed_on and all(c.reason for c in history)
    for topic in topics.values():
        # Each came from the proposal rule: an event, ≥ 5 barriers from ≥ 2 organisations.
        assert AuditEvent.objects.filter(
            event_type=EventType.TOPIC_PROPOSED, subject_code=topic.code
        ).exists()
        barriers = topic.barriers.all()
        assert barriers.count() >= 5
        assert len({b.organisation_id for b in barriers}) >= 2
        assert topic.proposed_quarter


def test_the_demo_barriers_hold_no_personal_data_and_the_step_is_idempotent() -> None:
    assert not Barrier.objects.filter(organisation__isnull=True).exists()
    before = (_state(), Barrier.objects.count(), AuditEvent.objects.count())
    seed_topics(Organisation.objects.get(ags="05970"))
    assert (_state(), Barrier.objects.count(), AuditEvent.objects.count()) == before


def test_the_confirmed_topics_are_on_the_next_agenda_linked_for_members_only(login_as) -> None:
    """The demo puts both confirmed topics on the Lenkungsgruppe's planned meeting; the topic
    page lists the agenda item, linked for the coordination (who may open the meeting) and as
    plain text for a team lead (reads topics, is no member)."""
    from kim.steering.models import MeetingAgendaItem, MeetingStatus

    items = MeetingAgendaItem.objects.filter(topic__region__ags="05970").select_related(
        "meeting", "topic__category"
    )
    assert {i.topic.category.key for i in items} == {"schnittstelle", "wartezeit"}
    assert {i.meeting.status for i in items} == {MeetingStatus.PLANNED}
    item = next(i for i in items if i.topic.category.key == "schnittstelle")
    meeting_url = f"/steuerung/sitzungen/{item.meeting.code}/"
    coordination = login_as("koordination").get(f"/steuerung/themen/{item.topic.code}/")
    assert 'id="topic-agenda"' in coordination.text and meeting_url in coordination.text
    lead = login_as("teamlead-siegen").get(f"/steuerung/themen/{item.topic.code}/")
    assert 'id="topic-agenda"' in lead.text and item.title in lead.text
    assert meeting_url not in lead.text
    assert login_as("teamlead-siegen").get(meeting_url).status_code == 404
