"""Council actions: what they refuse (and that a refusal writes nothing), what they store, the
one audit event each, and the motion's status transitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kim.audit.models import AuditEvent, EventType
from kim.audit.record import verify_chain
from kim.council import actions, blocks
from kim.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    MotionQuestion,
    MotionStatus,
    Organization,
    Paper,
)
from kim.council.tests import factories as f
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Paper.objects.count(),
        MotionQuestion.objects.count(),
        Consultation.objects.count(),
        AuditEvent.objects.count(),
    )


def _refused(call: Any, field: str | None = None, **kwargs: Any) -> str:
    """Call, expect a refusal naming ``field`` (None: a non-field error); nothing is written.
    Returns the message, in English so the assertion does not depend on the catalogue."""
    before = _counts()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    assert _counts() == before
    if field is None:
        return excinfo.value.messages[0]
    assert field in excinfo.value.message_dict, excinfo.value
    return excinfo.value.message_dict[field][0]


# --- motions ------------------------------------------------------------------------------------


def test_receive_motion_stores_paper_questions_consultation_and_one_event() -> None:
    body = f.siegen()
    events = AuditEvent.objects.count()
    motion = f.new_motion(
        body,
        paper_type="antrag",
        meeting=f.meeting_on(dt.date(2022, 9, 7)),
        date=dt.date(2022, 8, 1),
        deadline=dt.date(2022, 9, 1),
    )
    assert motion.status == MotionStatus.RECEIVED and not motion.released
    assert [(q.number, q.text) for q in motion.questions.all()] == [
        (1, "Wie viele Stellen sind besetzt?"),
        (2, "Wer besetzt sie?"),
    ]
    assert list(motion.originator_organizations.values_list("short_name", flat=True)) == ["SPD"]
    consultation = motion.consultations.get()
    assert (consultation.role, consultation.authoritative) == ("entscheidung", True)
    assert consultation.organization == f.committee(body)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == events + 1
    assert event.event_type == EventType.MOTION_RECEIVED
    assert event.subject_code == motion.code
    assert event.organisation == body.organisation
    assert event.extra == {"reference": "T-1/2026", "paper_type": "antrag", "questions": 2}
    assert verify_chain().ok


def test_an_enquiry_is_consulted_for_information() -> None:
    consultation = f.new_motion().consultations.get()
    assert (consultation.role, consultation.authoritative, consultation.meeting) == (
        "kenntnisnahme",
        False,
        None,
    )


def test_empty_questions_are_left_out_and_numbering_has_no_gaps() -> None:
    motion = f.new_motion(questions=["  ", "Erste Frage?", "", "Zweite Frage?  "])
    assert list(motion.questions.values_list("number", "text")) == [
        (1, "Erste Frage?"),
        (2, "Zweite Frage?"),
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"paper_type": "mitteilungsvorlage"},
            "paper_type",
            "A motion is an Antrag or an Anfrage.",
        ),
        ({"questions": ["", "  "]}, "questions", "Enter at least one question."),
        (
            {"originators": []},
            "originators",
            "Name who submitted the motion, e.g. a council group.",
        ),
        (
            {"deadline": dt.date(2026, 1, 31)},
            "deadline",
            "The deadline lies before the motion's date.",
        ),
    ],
)
def test_receive_motion_refuses(change: dict[str, Any], field: str, message: str) -> None:
    kwargs = f.motion_kwargs(**change)
    assert _refused(actions.receive_motion, field, body=f.siegen(), **kwargs) == message


def test_originators_must_be_council_side_and_of_the_body() -> None:
    body = f.siegen()
    message = _refused(
        actions.receive_motion,
        "originators",
        body=body,
        **f.motion_kwargs(originators=[f.org(body, "Sozialamt")]),
    )
    assert message == "Motions come from the council side, not from a department."
    kreuztal = f.kreuztal_body()
    foreign = Organization.objects.get(body=kreuztal, kind="fraktion")
    message = _refused(
        actions.receive_motion, "originators", body=body, **f.motion_kwargs(originators=[foreign])
    )
    assert message == "Fraktion Kreuztal does not belong to Stadt Siegen."
    # The same motion is accepted with the body's own group (shared setup, other outcome).
    assert f.new_motion(body, originators=[f.org(body, "CDU")]).pk


def test_committee_department_and_meeting_must_fit() -> None:
    body = f.siegen()
    assert (
        _refused(
            actions.receive_motion,
            "committee",
            body=body,
            **f.motion_kwargs(committee=f.org(body, "CDU")),
        )
        == "Choose a committee or the council."
    )
    assert (
        _refused(
            actions.receive_motion,
            "department",
            body=body,
            **f.motion_kwargs(department=f.org(body, "SPD")),
        )
        == "Choose an administration department of the body."
    )
    council_meeting = f.new_meeting(body, organizations=[f.org(body, "Rat")])
    assert (
        _refused(
            actions.receive_motion,
            "meeting",
            body=body,
            **f.motion_kwargs(meeting=council_meeting),
        )
        == f"This is not a meeting of {f.committee(body).name}."
    )
    assert (
        _refused(
            actions.receive_motion,
            "meeting",
            body=body,
            **f.motion_kwargs(meeting=f.meeting_on(dt.date(2022, 9, 7))),
        )
        == "The meeting lies before the motion's date."
    )


def test_reference_is_unique_per_body_only() -> None:
    body = f.siegen()
    f.new_motion(body)
    assert (
        _refused(actions.receive_motion, "reference", body=body, **f.motion_kwargs())
        == "Reference number T-1/2026 is already used in Stadt Siegen."
    )
    kreuztal = f.kreuztal_body()
    actions.create_organization(kreuztal, acting_user=None, name="Sozialamt", kind="department")
    other = actions.receive_motion(
        kreuztal,
        **f.motion_kwargs(
            kreuztal,
            originators=[Organization.objects.get(body=kreuztal, kind="fraktion")],
            committee=Organization.objects.get(body=kreuztal, kind="committee"),
            department=Organization.objects.get(body=kreuztal, name="Sozialamt"),
        ),
    )
    assert other.reference == "T-1/2026"


def test_administration_papers_are_no_motions() -> None:
    body = f.siegen()
    message = _refused(
        actions.create_paper,
        "paper_type",
        body=body,
        acting_user=None,
        reference="V-1/2026",
        date=dt.date(2026, 2, 1),
        paper_type="antrag",
        name="Falsch",
    )
    assert message == "Motions and enquiries are recorded with their questions."
    paper = actions.create_paper(
        body,
        acting_user=None,
        reference="V-1/2026",
        date=dt.date(2026, 2, 1),
        paper_type="mitteilungsvorlage",
        name="Sachstand KIM",
        department=f.org(body, "Sozialamt"),
    )
    assert (paper.status, paper.is_motion, paper.released) == ("", False, False)
    with pytest.raises(ValidationError):
        actions.change_motion_status(
            paper, acting_user=None, status="in_progress", expected_status=""
        )


# --- status transitions -------------------------------------------------------------------------

ALLOWED = {
    ("received", "in_progress"),
    ("in_progress", "answered"),
    ("answered", "settled"),
    ("answered", "in_progress"),
}
PATHS = {
    "received": [],
    "in_progress": ["in_progress"],
    "answered": ["in_progress", "answered"],
    "settled": ["in_progress", "answered", "settled"],
}


def _motion_in(status: str) -> Paper:
    motion = f.new_motion()
    for step in PATHS[status]:
        motion = actions.change_motion_status(
            motion, acting_user=None, status=step, expected_status=motion.status
        )
    return motion


@pytest.mark.parametrize("old", list(PATHS))
@pytest.mark.parametrize("new", list(PATHS))
def test_status_transitions(old: str, new: str) -> None:
    motion = _motion_in(old)
    if (old, new) in ALLOWED:
        changed = actions.change_motion_status(
            motion, acting_user=f.user("siegen"), status=new, expected_status=old
        )
        assert changed.status == new
        event = AuditEvent.objects.order_by("-id").first()
        assert (event.event_type, event.extra) == (
            EventType.MOTION_STATUS_CHANGED,
            {"from": old, "to": new},
        )
    else:
        message = _refused(
            actions.change_motion_status,
            "status",
            motion=motion,
            acting_user=None,
            status=new,
            expected_status=old,
        )
        assert message.startswith("A motion cannot go from")
        motion.refresh_from_db()
        assert motion.status == old


@pytest.mark.sqlite_too
def test_status_change_refuses_a_stale_form() -> None:
    motion = _motion_in("in_progress")
    message = _refused(
        actions.change_motion_status,
        motion=motion,
        acting_user=None,
        status="answered",
        expected_status="received",
    )
    assert "changed by someone else" in message


def test_status_labels_in_the_refusal_are_readable() -> None:
    motion = _motion_in("settled")
    message = _refused(
        actions.change_motion_status,
        "status",
        motion=motion,
        acting_user=None,
        status="received",
        expected_status="settled",
    )
    assert message == "A motion cannot go from “settled” to “received”."


# --- questions and answer blocks ----------------------------------------------------------------


def test_block_registry() -> None:
    keys = [key for key, _label in blocks.BLOCK_KEYS]
    assert keys == [
        "positions_per_baustein",
        "staffing_split",
        "talks",
        "calls",
        "funding_forecast",
        "case_figures",
        "structural_barriers",
    ]
    assert set(keys) == blocks.KEYS
    assert blocks.label_for("talks") != "talks"
    assert blocks.label_for("gone") == "gone"  # old data stays readable


def test_tag_question_keeps_registry_order_without_duplicates() -> None:
    question = f.new_motion().questions.first()
    tagged = actions.tag_question(
        question, acting_user=f.user("siegen"), block_keys=["calls", "talks", "calls"]
    )
    assert tagged.block_keys == ["talks", "calls"]
    event = AuditEvent.objects.order_by("-id").first()
    assert event.event_type == EventType.MOTION_QUESTION_TAGGED
    assert event.extra == {"question": 1, "block_keys": ["talks", "calls"]}
    assert actions.tag_question(question, acting_user=None, block_keys=[]).block_keys == []


def test_tag_question_refuses_unknown_keys() -> None:
    question = f.new_motion().questions.first()
    events = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        actions.tag_question(question, acting_user=None, block_keys=["talks", "case_stats"])
    assert excinfo.value.message_dict == {"block_keys": ["Unknown answer block: case_stats."]}
    question.refresh_from_db()
    assert question.block_keys == []
    assert AuditEvent.objects.count() == events


def test_add_question_numbers_after_the_last() -> None:
    motion = f.new_motion()
    question = actions.add_question(
        motion, acting_user=None, text=" Und wann? ", block_keys=["funding_forecast"]
    )
    assert (question.number, question.text, question.block_keys) == (
        3,
        "Und wann?",
        ["funding_forecast"],
    )


def test_a_settled_motion_no_longer_changes_its_questions() -> None:
    motion = _motion_in("settled")
    question = motion.questions.first()
    assert "settled" in _refused(
        actions.add_question, "text", motion=motion, acting_user=None, text="Noch eine?"
    )
    assert "settled" in _refused(
        actions.tag_question, "block_keys", question=question, acting_user=None, block_keys=[]
    )


# --- release, consultations, files --------------------------------------------------------------


def test_release_once() -> None:
    motion = f.new_motion()
    before = motion.modified
    released = actions.release_paper(motion, acting_user=f.user("siegen"))
    assert released.released and released.released_at is not None
    assert released.modified > before
    assert AuditEvent.objects.order_by("-id").first().event_type == EventType.PAPER_RELEASED
    assert _refused(actions.release_paper, paper=released, acting_user=None) == (
        "This paper has already been released."
    )


def test_attach_file_stores_checksums_and_touches_the_paper() -> None:
    motion = f.new_motion()
    before = motion.modified
    file = actions.attach_file(
        motion, acting_user=f.user("siegen"), checked=f.pdf(), role="main", name="Anfrage"
    )
    stored = File.objects.get(pk=file.pk)
    assert (stored.mime_type, stored.size, len(stored.sha512)) == (
        "application/pdf",
        len(f.PDF_BYTES),
        128,
    )
    assert stored.file.read() == f.PDF_BYTES
    assert stored.body_id == motion.body_id
    motion.refresh_from_db()
    assert motion.modified > before
    files = File.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        actions.attach_file(motion, acting_user=None, checked=f.pdf(), role="main")
    assert excinfo.value.message_dict == {"role": ["This paper already has a main document."]}
    assert File.objects.count() == files
    assert actions.attach_file(motion, acting_user=None, checked=f.pdf(), role="auxiliary").pk


def test_add_consultation_with_agenda_item() -> None:
    body = f.siegen()
    paper = actions.create_paper(
        body,
        acting_user=None,
        reference="V-2/2026",
        date=dt.date(2026, 2, 1),
        paper_type="mitteilungsvorlage",
        name="Sachstand",
    )
    meeting = f.new_meeting(body)
    item = actions.add_agenda_item(meeting, acting_user=None, number="3", name="Sachstand")
    consultation = actions.add_consultation(
        paper,
        acting_user=None,
        role="kenntnisnahme",
        agenda_item=item,
        organization=f.committee(body),
    )
    assert consultation.meeting == meeting
    assert "already deals with another paper" in _refused(
        actions.add_consultation,
        "agenda_item",
        paper=paper,
        acting_user=None,
        role="kenntnisnahme",
        agenda_item=item,
    )
    assert "Name the committee or the meeting" in _refused(
        actions.add_consultation, "organization", paper=paper, acting_user=None, role="vorberatung"
    )


# --- records ------------------------------------------------------------------------------------


def test_create_body_once_per_town_and_only_for_municipalities() -> None:
    kreuztal = Organisation.objects.get(ags="05970024")
    body = actions.create_body(acting_user=None, organisation=kreuztal)
    assert (body.name, body.region.ags, body.ags) == ("Stadt Kreuztal", "05970", "05970024")
    assert AuditEvent.objects.order_by("-id").first().event_type == EventType.COUNCIL_BODY_CREATED
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        actions.create_body(acting_user=None, organisation=kreuztal)
    assert excinfo.value.message_dict == {
        "organisation": ["Stadt Kreuztal already has a council body."]
    }
    agency = Organisation.objects.filter(kind="traeger").first()
    with pytest.raises(ValidationError):
        actions.create_body(acting_user=None, organisation=agency)
    assert Body.objects.count() == 2


def test_create_meeting_checks_committees_and_times() -> None:
    body = f.siegen()
    start = f.at(dt.date(2026, 5, 6))
    common = {"body": body, "acting_user": None, "name": "Sitzung", "start": start}
    assert _meeting_refused(common, organizations=[]) == "Name the committee that meets."
    assert _meeting_refused(common, organizations=[f.org(body, "CDU")]) == (
        "Only the council and its committees hold meetings."
    )
    assert (
        _meeting_refused(
            common, organizations=[f.committee(body)], end=start - dt.timedelta(hours=1)
        )
        == "The meeting ends before it starts."
    )
    meeting = actions.create_meeting(**common, organizations=[f.committee(body)])
    assert list(meeting.organizations.all()) == [f.committee(body)]


def _meeting_refused(common: dict[str, Any], **change: Any) -> str:
    meetings = Meeting.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        actions.create_meeting(**common, **change)
    assert Meeting.objects.count() == meetings
    return next(iter(excinfo.value.message_dict.values()))[0]


def test_agenda_items_go_to_the_end_and_touch_the_meeting() -> None:
    meeting = f.new_meeting()
    before = meeting.modified
    first = actions.add_agenda_item(meeting, acting_user=None, number="1", name="Eröffnung")
    second = actions.add_agenda_item(meeting, acting_user=None, number="2", name="Bericht")
    assert (first.order, second.order) == (1, 2)
    meeting.refresh_from_db()
    assert meeting.modified > before
    with pytest.raises(ValidationError):
        actions.add_agenda_item(meeting, acting_user=None, number="2a", name="X", order=2)
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2


def test_organization_names_are_unique_per_body() -> None:
    body = f.siegen()
    message = _refused(
        actions.create_organization,
        "name",
        body=body,
        acting_user=None,
        name="Sozialamt",
        kind="department",
    )
    assert message == "Stadt Siegen already has an organization of this name."
