"""Fixtures of the steering tests: the demo's Lenkungsgruppe and a topic of the Kreis."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from kim.cases.models import BarrierCategory
from kim.organisations.models import Organisation
from kim.steering.demo import STEERING_GROUP, WORKING_GROUP
from kim.steering.models import SteeringBody, SteeringMeeting, Topic, TopicStatus


@pytest.fixture
def group(db: None) -> SteeringBody:
    return SteeringBody.objects.get(name=STEERING_GROUP)


@pytest.fixture
def working_group(db: None) -> SteeringBody:
    return SteeringBody.objects.get(name=WORKING_GROUP)


@pytest.fixture
def held(group: SteeringBody) -> SteeringMeeting:
    """The demo's first meeting (12.11.2025): held, with attendance, minutes and decisions."""
    return group.meetings.order_by("held_on").first()  # type: ignore[return-value]


@pytest.fixture
def koordination(db: None) -> User:
    return User.objects.get(username="koordination")


@pytest.fixture
def kreis(db: None) -> Organisation:
    return Organisation.objects.get(name="Kreis Siegen-Wittgenstein")


def make_topic(region: Organisation, status: str = TopicStatus.OPEN, title: str = "") -> Topic:
    """A topic row as the topics' actions would leave it (their own tests cover them)."""
    return Topic.objects.create(
        region=region,
        category=BarrierCategory.objects.order_by("position", "id").first(),
        title=title or f"Thema ({status})",
        status=status,
    )
