"""Fixtures of the steering tests: the demo's Lenkungsgruppe, a topic of the Kreis, and
barriers recorded through the cases action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from kim.cases.actions.barriers import record_barrier
from kim.cases.models import Barrier, BarrierCategory, Case
from kim.cases.tests.conftest import make_case  # noqa: F401 (a fixture)
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


@pytest.fixture
def barriers(make_case: Callable[..., Case]) -> Callable[..., list[Barrier]]:  # noqa: F811
    """``barriers("digital", dt.date(2025, 2, 10), {"cm-siegen": 3, "cm-kreuztal": 2})`` →
    that many barriers of the category observed on the day, each in a new case of the
    persona."""

    def _make(key: str, day: dt.date, per_persona: dict[str, int]) -> list[Barrier]:
        category = BarrierCategory.objects.get(key=key)
        made = []
        for username, n in per_persona.items():
            user = get_user_model().objects.get(username=username)
            case = make_case(username, first_name="Hürdia", last_name="Testfall")
            for _i in range(n):
                made.append(
                    record_barrier(
                        case,
                        acting_user=user,
                        category=category,
                        rechtskreis="sgb_ii",
                        organisation_involved=None,
                        description="Online-Termine nur ohne Unterstützung buchbar.",
                        observed_on=day,
                    )
                )
        return made

    return _make
