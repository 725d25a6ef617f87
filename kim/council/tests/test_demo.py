"""The council part of the demo world: the Stadt Siegen's 2022 KIM motion, as the report
composition will find it."""

from __future__ import annotations

import datetime as dt

import pytest

from kim.audit.models import AuditEvent
from kim.council.demo import DEMO_MOTION_REFERENCE, QUESTIONS, seed_council
from kim.council.models import Body, Meeting, MotionQuestion, Organization, Paper
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_2022_motion() -> None:
    motion = Paper.objects.select_related("body__organisation", "committee", "meeting").get(
        reference=DEMO_MOTION_REFERENCE
    )
    assert motion.body.organisation.ags == "05970040" and motion.body.ags == "05970040"
    assert (motion.paper_type, motion.date, motion.released) == (
        "antrag",
        dt.date(2022, 8, 19),
        True,
    )
    assert motion.committee.name == "Ausschuss für Soziales, Familien und Senioren"
    assert motion.meeting.start.date() == dt.date(2022, 9, 7)
    assert motion.under_direction_of.name == "Sozialamt"
    assert {o.short_name for o in motion.originator_organizations.all()} == {"CDU", "SPD"}
    questions = list(MotionQuestion.objects.filter(paper=motion).order_by("number"))
    assert [q.number for q in questions] == [1, 2, 3]
    assert [q.block_keys for q in questions] == [
        ["positions_per_baustein"],
        ["staffing_split"],
        ["talks", "calls"],
    ]
    assert [q.text for q in questions] == [text for text, _keys in QUESTIONS]
    assert "Siegen" in questions[0].text and "Trägern" in questions[2].text
    assert motion.files.get(role="main").mime_type == "application/pdf"
    consultation = motion.consultations.select_related("agenda_item").get()
    assert consultation.agenda_item.meeting_id == motion.meeting_id


def test_the_committee_meetings_of_2022() -> None:
    body = Body.objects.get(organisation__ags="05970040")
    meetings = Meeting.objects.filter(body=body).order_by("start")
    assert [m.start.date() for m in meetings] == [dt.date(2022, 9, 7), dt.date(2022, 11, 16)]
    assert all(m.public and m.state == "held" for m in meetings)
    november = meetings.last()
    assert november.agenda_items.get().number == "4b"
    kinds = dict(Organization.objects.filter(body=body).values_list("short_name", "kind"))
    assert kinds == {
        "Rat": "council",
        "ASFS": "committee",
        "CDU": "fraktion",
        "SPD": "fraktion",
        "Sozialamt": "department",
    }


def test_seed_is_idempotent() -> None:
    orgs = {"Siegen": Organisation.objects.get(ags="05970040")}
    counts = (Paper.objects.count(), Meeting.objects.count(), AuditEvent.objects.count())
    seed_council(orgs)
    assert (Paper.objects.count(), Meeting.objects.count(), AuditEvent.objects.count()) == counts
