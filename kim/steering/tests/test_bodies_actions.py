"""Steering actions: every change audited and atomic, optimistic locking on the minutes and
decisions, the rules of agenda, attendance and decisions, and the topic closed by a decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.core.locking import EditConflict
from kim.core.uploads import DOCX, ODT, PDF, CheckedFile
from kim.organisations.models import Organisation
from kim.steering.actions import bodies as b
from kim.steering.actions import meetings as m
from kim.steering.models import (
    AttendanceStatus,
    BodyKind,
    DecisionStatus,
    MeetingStatus,
    MemberRole,
    SteeringBody,
    SteeringMeeting,
    Topic,
    TopicStatus,
)
from kim.steering.tests.conftest import make_topic

pytestmark = pytest.mark.django_db


def _events(event_type: str) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def _plan(group: SteeringBody, user: User, day: dt.date = dt.date(2026, 9, 1)) -> SteeringMeeting:
    return m.plan_meeting(acting_user=user, body=group, held_on=day, location="Kreishaus")


# --- bodies and members ---------------------------------------------------------------------


def test_a_body_is_created_for_its_kreis_with_an_event(koordination: User, kreis) -> None:
    town = Organisation.objects.get(ags="05970024")  # Kreuztal
    before = _events(EventType.STEERING_BODY_CREATED)
    body = b.create_body(
        acting_user=koordination,
        organisation=town,
        kind=BodyKind.PROJECT_GROUP,
        name="  Projektgruppe Wohnen ",
        established_on=dt.date(2026, 1, 1),
    )
    assert (body.region, body.name) == (kreis, "Projektgruppe Wohnen")
    assert _events(EventType.STEERING_BODY_CREATED) == before + 1


def test_a_steering_group_reports_to_nobody_and_groups_only_to_steering_groups(
    koordination: User, kreis, group: SteeringBody, working_group: SteeringBody
) -> None:
    kwargs = {"acting_user": koordination, "organisation": kreis, "name": "X"}
    day = dt.date(2026, 1, 1)
    with pytest.raises(ValidationError) as exc:
        b.create_body(kind=BodyKind.STEERING_GROUP, parent=group, established_on=day, **kwargs)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        b.create_body(
            kind=BodyKind.WORKING_GROUP, parent=working_group, established_on=day, **kwargs
        )
    agency = Organisation.objects.get(name__startswith="Brücke Siegerland")
    with pytest.raises(ValidationError) as exc:
        b.create_body(
            acting_user=koordination,
            organisation=agency,
            kind=BodyKind.WORKING_GROUP,
            name="X",
            established_on=day,
        )
    assert "organisation" in exc.value.message_dict


def test_update_body_refuses_an_outdated_version(koordination: User, group: SteeringBody) -> None:
    fields = {"name": group.name, "remit": "Neu", "established_on": group.established_on}
    b.update_body(acting_user=koordination, body=group, expected_version=group.version, **fields)
    before = AuditEvent.objects.count()
    with pytest.raises(EditConflict) as exc:
        b.update_body(
            acting_user=koordination,
            body=group,
            expected_version=group.version,  # the version the form was loaded with
            **{**fields, "remit": "Anders"},
        )
    assert exc.value.saved_values()["remit"] == "Neu"
    group.refresh_from_db()
    assert (group.remit, group.version) == ("Neu", 2)
    assert AuditEvent.objects.count() == before


def test_members_with_account_or_name_and_ending_a_membership(
    koordination: User, group: SteeringBody
) -> None:
    with pytest.raises(ValidationError) as exc:
        b.add_member(acting_user=koordination, body=group, joined_on=dt.date(2026, 1, 1))
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # already an active member
        b.add_member(
            acting_user=koordination, body=group, user=koordination, joined_on=dt.date(2026, 1, 1)
        )
    assert "user" in exc.value.message_dict
    member = b.add_member(
        acting_user=koordination,
        body=group,
        name="Ute Demo",
        organisation_name="Kommunales Integrationszentrum",
        function="Leitung",
        office_email="ki@example.org",
        role=MemberRole.ADVISORY,
        joined_on=dt.date(2026, 1, 1),
    )
    event = AuditEvent.objects.filter(event_type=EventType.STEERING_MEMBER_ADDED).latest("id")
    assert event.subject_code == member.code and "name" not in event.extra
    with pytest.raises(ValidationError):
        b.end_membership(acting_user=koordination, member=member, left_on=dt.date(2025, 1, 1))
    b.end_membership(acting_user=koordination, member=member, left_on=dt.date(2026, 6, 30))
    member.refresh_from_db()
    assert member.left_on == dt.date(2026, 6, 30)
    assert not member.is_active_on(dt.date(2026, 7, 1))
    with pytest.raises(ValidationError):
        b.end_membership(acting_user=koordination, member=member, left_on=dt.date(2026, 7, 1))


# --- agenda -----------------------------------------------------------------------------------


def test_agenda_items_are_numbered_moved_and_removed_without_gaps(
    koordination: User, group: SteeringBody
) -> None:
    meeting = _plan(group, koordination)
    for title in ("A", "B", "C"):
        m.add_agenda_item(acting_user=koordination, meeting=meeting, title=title)

    def order() -> list[tuple[int, str]]:
        return list(meeting.agenda_items.order_by("number").values_list("number", "title"))

    assert order() == [(1, "A"), (2, "B"), (3, "C")]
    c = meeting.agenda_items.get(title="C")
    m.move_agenda_item(acting_user=koordination, item=c, up=True)
    assert order() == [(1, "A"), (2, "C"), (3, "B")]
    a = meeting.agenda_items.get(title="A")
    m.move_agenda_item(acting_user=koordination, item=a, up=True)  # at the top: nothing
    assert order() == [(1, "A"), (2, "C"), (3, "B")]
    m.remove_agenda_item(acting_user=koordination, item=a)
    assert order() == [(1, "C"), (2, "B")]
    assert _events(EventType.STEERING_AGENDA_CHANGED) >= 6


def test_a_topic_on_the_agenda_must_be_of_the_kreis_and_still_usable(
    koordination: User, group: SteeringBody, kreis: Organisation
) -> None:
    meeting = _plan(group, koordination)
    olpe = Organisation.objects.create(name="Kreis Olpe (Test)", kind="kreis", ags="05966")
    for topic, message in (
        (make_topic(olpe), "anderen Kreis"),
        (make_topic(kreis, TopicStatus.REJECTED), "abgelehnt oder zusammengeführt"),
        (make_topic(kreis, TopicStatus.MERGED, "M"), "abgelehnt oder zusammengeführt"),
    ):
        with pytest.raises(ValidationError) as exc:
            m.add_agenda_item(acting_user=koordination, meeting=meeting, title="", topic=topic)
        assert message in str(exc.value.message_dict["topic"])
    topic = make_topic(kreis, title="Anerkennung dauert zu lange")
    item = m.add_agenda_item(acting_user=koordination, meeting=meeting, title="", topic=topic)
    assert (item.title, item.topic) == ("Anerkennung dauert zu lange", topic)
    event = AuditEvent.objects.filter(event_type=EventType.STEERING_AGENDA_CHANGED).latest("id")
    assert event.extra["topic"] == topic.code


# --- attendance ---------------------------------------------------------------------------------


def test_attendance_is_recorded_for_every_member_at_once_or_not_at_all(
    koordination: User, group: SteeringBody
) -> None:
    meeting = _plan(group, koordination)
    members = m.members_on(meeting)
    entries = {member.pk: (AttendanceStatus.PRESENT, "") for member in members}
    partial = dict(list(entries.items())[1:])
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        m.record_attendance(acting_user=koordination, meeting=meeting, entries=partial)
    assert meeting.attendance.count() == 0 and AuditEvent.objects.count() == before
    first = members[0].pk
    entries[first] = (AttendanceStatus.EXCUSED, "vertreten durch Stellvertretung")
    m.record_attendance(acting_user=koordination, meeting=meeting, entries=entries)
    assert meeting.attendance.count() == len(members)
    assert meeting.attendance.get(member_id=first).status == AttendanceStatus.EXCUSED
    event = AuditEvent.objects.filter(event_type=EventType.STEERING_ATTENDANCE).latest("id")
    assert event.extra == {"members": len(members), "present": len(members) - 1}
    # Recording again replaces the list, it does not add to it.
    m.record_attendance(acting_user=koordination, meeting=meeting, entries=entries)
    assert meeting.attendance.count() == len(members)


# --- minutes ------------------------------------------------------------------------------------


def test_minutes_text_with_optimistic_locking(koordination: User, group: SteeringBody) -> None:
    meeting = _plan(group, koordination)
    loaded = meeting.version
    m.save_minutes(
        acting_user=koordination, meeting=meeting, expected_version=loaded, minutes="TOP 1: a"
    )
    before = _events(EventType.STEERING_MINUTES_SAVED)
    with pytest.raises(EditConflict) as exc:
        m.save_minutes(
            acting_user=koordination, meeting=meeting, expected_version=loaded, minutes="TOP 1: b"
        )
    rows = exc.value.rows({"minutes": "TOP 1: b"})
    assert [(r.yours, r.saved) for r in rows] == [("TOP 1: b", "TOP 1: a")]
    meeting.refresh_from_db()
    assert meeting.minutes == "TOP 1: a"
    assert _events(EventType.STEERING_MINUTES_SAVED) == before


def test_approving_needs_a_held_meeting_with_minutes_and_makes_them_final(
    koordination: User, group: SteeringBody
) -> None:
    meeting = _plan(group, koordination, dt.date(2026, 10, 1))
    with pytest.raises(ValidationError):  # still planned
        m.approve_minutes(
            acting_user=koordination,
            meeting=meeting,
            expected_version=meeting.version,
            approved_on=dt.date(2026, 10, 2),
        )
    meeting = m.update_meeting(
        acting_user=koordination,
        meeting=meeting,
        expected_version=meeting.version,
        held_on=meeting.held_on,
        location=meeting.location,
        status=MeetingStatus.HELD,
    )
    with pytest.raises(ValidationError):  # no minutes yet
        m.approve_minutes(
            acting_user=koordination,
            meeting=meeting,
            expected_version=meeting.version,
            approved_on=dt.date(2026, 10, 2),
        )
    meeting = m.save_minutes(
        acting_user=koordination, meeting=meeting, expected_version=meeting.version, minutes="x"
    )
    meeting = m.approve_minutes(
        acting_user=koordination,
        meeting=meeting,
        expected_version=meeting.version,
        approved_on=dt.date(2026, 10, 2),
    )
    assert meeting.minutes_approved_on == dt.date(2026, 10, 2)
    with pytest.raises(ValidationError):
        m.save_minutes(
            acting_user=koordination, meeting=meeting, expected_version=meeting.version, minutes="y"
        )


def test_a_meeting_in_the_future_cannot_be_marked_held(
    koordination: User, group: SteeringBody
) -> None:
    meeting = _plan(group, koordination, dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        m.update_meeting(
            acting_user=koordination,
            meeting=meeting,
            expected_version=meeting.version,
            held_on=meeting.held_on,
            status=MeetingStatus.HELD,
        )
    assert "status" in exc.value.message_dict


@pytest.mark.parametrize(("content_type", "ok"), [(PDF, True), (DOCX, True), (ODT, False)])
def test_minutes_documents_are_pdf_or_docx(
    koordination: User, held: SteeringMeeting, content_type: str, ok: bool
) -> None:
    checked = CheckedFile.generated("protokoll.x", content_type, b"%PDF-1.4 test")
    before = _events(EventType.STEERING_MINUTES_ATTACHED)
    if ok:
        document = m.attach_minutes_document(
            acting_user=koordination, meeting=held, checked=checked
        )
        assert document.file.read() == b"%PDF-1.4 test"
        assert _events(EventType.STEERING_MINUTES_ATTACHED) == before + 1
    else:
        with pytest.raises(ValidationError):
            m.attach_minutes_document(acting_user=koordination, meeting=held, checked=checked)
        assert held.documents.count() == 0
        assert _events(EventType.STEERING_MINUTES_ATTACHED) == before


# --- decisions ----------------------------------------------------------------------------------


def test_the_owner_of_a_decision_is_a_member_of_the_body(
    koordination: User, held: SteeringMeeting, working_group: SteeringBody
) -> None:
    outsider = working_group.members.get(name="Nicole Wagner (Demo)")
    with pytest.raises(ValidationError) as exc:
        m.record_decision(acting_user=koordination, meeting=held, text="X", owner=outsider)
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        m.record_decision(
            acting_user=koordination, meeting=held, text="X", due_on=dt.date(2025, 1, 1)
        )
    assert "due_on" in exc.value.message_dict


def test_a_decision_takes_the_topic_of_its_agenda_item(
    koordination: User, group: SteeringBody, kreis: Organisation
) -> None:
    meeting = _plan(group, koordination)
    topic = make_topic(kreis)
    item = m.add_agenda_item(acting_user=koordination, meeting=meeting, title="T", topic=topic)
    decision = m.record_decision(
        acting_user=koordination, meeting=meeting, text="Beschluss", agenda_item=item
    )
    assert decision.topic == topic
    with pytest.raises(ValidationError) as exc:
        m.record_decision(acting_user=koordination, meeting=meeting, text="X", closes_topic=True)
    assert "closes_topic" in exc.value.message_dict


def _closing_decision(koordination: User, held: SteeringMeeting, kreis: Organisation):
    topic = make_topic(kreis)
    decision = m.record_decision(
        acting_user=koordination,
        meeting=held,
        text="Das Thema ist mit dem neuen Verfahren erledigt.",
        owner=held.body.members.get(user=koordination),
        topic=topic,
        closes_topic=True,
    )
    return topic, decision


def test_a_done_decision_that_closes_its_topic_closes_it_in_the_same_transaction(
    koordination: User, held: SteeringMeeting, kreis: Organisation
) -> None:
    topic, decision = _closing_decision(koordination, held, kreis)
    m.update_decision(
        acting_user=koordination,
        decision=decision,
        expected_version=decision.version,
        status=DecisionStatus.IN_PROGRESS,
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN  # not done yet
    m.update_decision(
        acting_user=koordination,
        decision=decision,
        expected_version=decision.version + 1,
        status=DecisionStatus.DONE,
        status_note="umgesetzt",
    )
    topic.refresh_from_db()
    assert (topic.status, topic.version) == (TopicStatus.CLOSED, 2)
    event = AuditEvent.objects.filter(event_type=EventType.TOPIC_CLOSED).latest("id")
    assert (event.subject_code, event.extra["decision"]) == (topic.code, decision.code)


def test_no_half_save_when_closing_the_topic_fails(
    koordination: User, held: SteeringMeeting, kreis: Organisation, monkeypatch
) -> None:
    _topic, decision = _closing_decision(koordination, held, kreis)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Topic, "save", broken)
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        m.update_decision(
            acting_user=koordination,
            decision=decision,
            expected_version=decision.version,
            status=DecisionStatus.DONE,
        )
    decision.refresh_from_db()
    assert (decision.status, decision.version) == (DecisionStatus.OPEN, 1)
    assert AuditEvent.objects.count() == before


def test_decision_updates_refuse_an_outdated_version(
    koordination: User, held: SteeringMeeting
) -> None:
    decision = held.decisions.order_by("id").first()
    assert decision is not None
    loaded = decision.version
    m.update_decision(
        acting_user=koordination,
        decision=decision,
        expected_version=loaded,
        status=DecisionStatus.DONE,
        due_on=decision.due_on,
    )
    with pytest.raises(EditConflict):
        m.update_decision(
            acting_user=koordination,
            decision=decision,
            expected_version=loaded,
            status=DecisionStatus.DROPPED,
            due_on=decision.due_on,
        )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE


@pytest.mark.parametrize(("username", "allowed"), [("traeger", True), ("admin", False)])
def test_accounts_with_only_platform_roles_cannot_become_members(
    koordination: User, working_group: SteeringBody, username: str, allowed: bool
) -> None:
    """D-083: administrator and DPO look after the platform; their roles make nobody a member
    (so that the menu knows without a query that they have no steering)."""
    user = User.objects.get(username=username)
    if allowed:
        member = b.add_member(
            acting_user=koordination, body=working_group, user=user, joined_on=dt.date(2026, 1, 1)
        )
        assert member.user == user
    else:
        with pytest.raises(ValidationError) as exc:
            b.add_member(
                acting_user=koordination,
                body=working_group,
                user=user,
                joined_on=dt.date(2026, 1, 1),
            )
        assert "user" in exc.value.message_dict
        assert not working_group.members.filter(user=user).exists()
