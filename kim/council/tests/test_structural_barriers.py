"""The answer block "Strukturelle Hürden": the Kreis' confirmed topics up to the reference
date with the level on that day, the dated level changes and the decisions taken on them –
from the demo's topics (kim/steering/demo_topics.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kim.council import answers
from kim.organisations.models import Organisation
from kim.steering.models import (
    BodyKind,
    Decision,
    SteeringBody,
    SteeringMeeting,
    Topic,
    TopicStatus,
)

pytestmark = pytest.mark.django_db


def _topic(key: str) -> Topic:
    return Topic.objects.get(region__ags="05970", category__key=key)


def test_the_block_lists_the_confirmed_topics_with_levels_and_decisions() -> None:
    today = timezone.localdate()
    interface, waiting = _topic("schnittstelle"), _topic("wartezeit")
    assert _topic("angebot").status == TopicStatus.PROPOSED  # proposals stay internal
    kreis = Organisation.objects.get(ags="05970")
    body = SteeringBody.objects.create(
        region=kreis,
        organisation=kreis,
        kind=BodyKind.STEERING_GROUP,
        name="Lenkungsgruppe (Test)",
        established_on=dt.date(2024, 1, 1),
    )
    meeting = SteeringMeeting.objects.create(body=body, held_on=today)
    Decision.objects.create(
        meeting=meeting,
        topic=interface,
        text="Sozialamt und Jobcenter vereinbaren ein Übergabeverfahren.",
        due_on=today + dt.timedelta(days=90),
    )

    block = answers.compute(
        "structural_barriers", Organisation.objects.get(short_name="Siegen"), today
    )

    assert (
        block.key == "structural_barriers"
        and block.title == "Strukturelle Hürden: Themen, Ebenen und Beschlüsse"
    )
    assert block.table is not None
    titles = [row[0] for row in block.table.rows]
    assert sorted(titles) == sorted([interface.title, waiting.title])
    row = block.table.rows[titles.index(interface.title)]
    assert row[2] == "Lenkungsgruppe"
    assert "Arbeitsgruppe → Lenkungsgruppe" in row[5]
    assert "Übergabeverfahren" in row[6]
    assert "2 Themen" in block.text and "1 Beschluss" in block.text
    assert block.sources and "KIM-Plattform" in block.sources[0]


def test_the_level_and_the_decisions_on_an_earlier_day() -> None:
    interface = _topic("schnittstelle")
    first, second = interface.level_changes.order_by("changed_on")
    day = first.changed_on
    block = answers.compute("structural_barriers", Organisation.objects.get(ags="05970"), day)
    assert block.table is not None
    row = next(r for r in block.table.rows if r[0] == interface.title)
    assert row[2] == "Arbeitsgruppe"
    assert "Lenkungsgruppe" not in row[5]
    assert second.changed_on > day


def test_no_topics_yet() -> None:
    block = answers.compute(
        "structural_barriers", Organisation.objects.get(ags="05970"), dt.date(2020, 1, 1)
    )
    assert block.table is None and "kein Thema" in block.text
