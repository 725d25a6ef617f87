"""The coordination's actions on a topic: each audited, each checking the version the user
saw, each refusing what its state does not allow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from kim.audit.models import AuditEvent, EventType
from kim.cases.queries.barriers import Quarter
from kim.core.locking import EditConflict
from kim.organisations.models import Organisation
from kim.steering.actions import topics as actions
from kim.steering.models import BodyKind, SteeringBody, Topic, TopicLevel, TopicStatus

pytestmark = pytest.mark.django_db

Q1_2025 = dt.date(2025, 2, 10)
FIVE = {"cm-siegen": 3, "cm-kreuztal": 2}


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


def _coordinator():  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username="koordination")


def _events(topic: Topic, event_type: str) -> int:
    return AuditEvent.objects.filter(event_type=event_type, subject_code=topic.code).count()


@pytest.fixture
def proposal(barriers: Callable) -> Topic:
    barriers("digital", Q1_2025, FIVE)
    (topic,) = actions.propose_topics(acting_user=None, region=_kreis(), day=dt.date(2025, 12, 31))
    return topic


def _open(topic: Topic) -> Topic:
    return actions.confirm_topic(topic, acting_user=_coordinator(), expected_version=topic.version)


def test_confirm_opens_a_proposal_once(proposal: Topic) -> None:
    topic = _open(proposal)
    assert topic.status == TopicStatus.OPEN and topic.version == proposal.version + 1
    assert _events(topic, EventType.TOPIC_CONFIRMED) == 1
    with pytest.raises(ValidationError):
        actions.confirm_topic(topic, acting_user=_coordinator(), expected_version=topic.version)


def test_an_outdated_version_is_refused(proposal: Topic) -> None:
    old_version = proposal.version
    actions.edit_topic(
        proposal,
        acting_user=_coordinator(),
        title="Digitale Terminvergabe",
        description="",
        expected_version=old_version,
    )
    with pytest.raises(EditConflict):
        actions.edit_topic(
            proposal,
            acting_user=_coordinator(),
            title="Online-Anträge",
            description="",
            expected_version=old_version,
        )
    proposal.refresh_from_db()
    assert proposal.title == "Digitale Terminvergabe"
    assert _events(proposal, EventType.TOPIC_UPDATED) == 1


def test_reject_needs_a_reason(proposal: Topic) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.reject_topic(
            proposal, acting_user=_coordinator(), reason="  ", expected_version=proposal.version
        )
    assert "reason" in refused.value.error_dict
    topic = actions.reject_topic(
        proposal, acting_user=_coordinator(), reason="Doppelt", expected_version=proposal.version
    )
    assert (topic.status, topic.status_reason) == (TopicStatus.REJECTED, "Doppelt")
    assert _events(topic, EventType.TOPIC_REJECTED) == 1


def test_merge_moves_the_barriers_within_the_kreis(proposal: Topic, barriers: Callable) -> None:
    barriers("digital", dt.date(2025, 5, 5), FIVE)
    (later,) = actions.propose_topics(acting_user=None, region=_kreis(), day=dt.date(2025, 12, 31))
    target = _open(proposal)
    moved = set(later.barriers.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        actions.merge_topic(
            later, acting_user=_coordinator(), into=later, expected_version=later.version
        )
    merged = actions.merge_topic(
        later, acting_user=_coordinator(), into=target, expected_version=later.version
    )
    assert (merged.status, merged.merged_into) == (TopicStatus.MERGED, target)
    assert not merged.barriers.exists()
    assert moved <= set(target.barriers.values_list("pk", flat=True))
    assert target.barriers.count() == 10
    assert _events(merged, EventType.TOPIC_MERGED) == 1


def test_add_barriers_of_a_later_quarter(proposal: Topic, barriers: Callable) -> None:
    barriers("digital", dt.date(2025, 8, 5), {"cm-siegen": 2})
    count = actions.add_barriers(
        proposal,
        acting_user=_coordinator(),
        quarter=Quarter(2025, 3),
        expected_version=proposal.version,
    )
    assert count == 2 and proposal.barriers.count() == 7
    proposal.refresh_from_db()
    with pytest.raises(ValidationError):  # nothing further in that quarter
        actions.add_barriers(
            proposal,
            acting_user=_coordinator(),
            quarter=Quarter(2025, 3),
            expected_version=proposal.version,
        )


def _body(kind: str, region: Organisation, name: str) -> SteeringBody:
    return SteeringBody.objects.create(
        region=region,
        organisation=region,
        kind=kind,
        name=name,
        established_on=dt.date(2025, 1, 1),
    )


def test_assign_only_to_a_working_group_of_the_same_kreis(proposal: Topic) -> None:
    kreis = _kreis()
    group = _body(BodyKind.WORKING_GROUP, kreis, "AG Digitale Zugänge (Test)")
    steering = _body(BodyKind.STEERING_GROUP, kreis, "Lenkungsgruppe (Test)")
    other = Organisation.objects.exclude(pk=kreis.pk).filter(kind=kreis.kind).first() or (
        Organisation.objects.get(kind="land")
    )
    foreign = _body(BodyKind.WORKING_GROUP, other, "AG anderswo (Test)")
    for wrong in (steering, foreign):
        with pytest.raises(ValidationError):
            actions.assign_working_group(
                proposal, acting_user=_coordinator(), body=wrong, expected_version=proposal.version
            )
    topic = actions.assign_working_group(
        proposal, acting_user=_coordinator(), body=group, expected_version=proposal.version
    )
    assert topic.working_group == group
    assert _events(topic, EventType.TOPIC_ASSIGNED) == 1


def test_level_moves_are_dated_reasoned_and_in_order(proposal: Topic) -> None:
    with pytest.raises(ValidationError):  # a proposal is confirmed first
        actions.change_level(
            proposal,
            acting_user=_coordinator(),
            to_level=TopicLevel.WORKING_GROUP,
            changed_on=dt.date(2025, 6, 1),
            reason="AG",
            expected_version=proposal.version,
        )
    topic = _open(proposal)

    def move(level: str, day: dt.date, reason: str = "Begründung") -> None:
        topic.refresh_from_db()
        actions.change_level(
            topic,
            acting_user=_coordinator(),
            to_level=level,
            changed_on=day,
            reason=reason,
            expected_version=topic.version,
        )

    move(TopicLevel.WORKING_GROUP, dt.date(2025, 6, 1))
    move(TopicLevel.LAND, dt.date(2025, 9, 1))
    move(TopicLevel.STEERING_GROUP, dt.date(2025, 10, 1))  # down again
    for level, day, reason in (
        (TopicLevel.CASE_TEAM, dt.date(2025, 9, 30), "früher als der letzte Schritt"),
        (TopicLevel.CASE_TEAM, timezone.localdate() + dt.timedelta(days=1), "Zukunft"),
        (TopicLevel.CASE_TEAM, dt.date(2025, 11, 1), " "),
        (TopicLevel.STEERING_GROUP, dt.date(2025, 11, 1), "dieselbe Ebene"),
    ):
        with pytest.raises(ValidationError):
            move(level, day, reason)
    topic.refresh_from_db()
    assert topic.level == TopicLevel.STEERING_GROUP
    history = list(topic.level_changes.values_list("from_level", "to_level", "changed_on"))
    assert history == [
        (TopicLevel.CASE_TEAM, TopicLevel.WORKING_GROUP, dt.date(2025, 6, 1)),
        (TopicLevel.WORKING_GROUP, TopicLevel.LAND, dt.date(2025, 9, 1)),
        (TopicLevel.LAND, TopicLevel.STEERING_GROUP, dt.date(2025, 10, 1)),
    ]
    events = AuditEvent.objects.filter(
        event_type=EventType.TOPIC_LEVEL_CHANGED, subject_code=topic.code
    ).order_by("id")
    assert [e.extra["direction"] for e in events] == ["up", "up", "down"]


def test_close_needs_an_open_topic_and_a_reason(proposal: Topic) -> None:
    with pytest.raises(ValidationError):
        actions.close_topic(
            proposal,
            acting_user=_coordinator(),
            reason="Erledigt",
            expected_version=proposal.version,
        )
    topic = _open(proposal)
    closed = actions.close_topic(
        topic, acting_user=_coordinator(), reason="Erledigt", expected_version=topic.version
    )
    assert closed.status == TopicStatus.CLOSED
    assert _events(closed, EventType.TOPIC_CLOSED) == 1
