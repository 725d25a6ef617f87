"""Meetings of a steering body: plan, agenda, attendance, minutes (text and documents) and
decisions. Minutes text and decisions are edited with optimistic locking (``version``).

A decision that ``closes_topic`` closes its topic when it is set to done – in the same
transaction, with the topic's own ``TOPIC_CLOSED`` event naming the decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user
from kim.core.uploads import DOCX, PDF, CheckedFile
from kim.steering.actions import as_text
from kim.steering.models import (
    Attendance,
    AttendanceStatus,
    BodyMember,
    Decision,
    DecisionStatus,
    MeetingAgendaItem,
    MeetingStatus,
    MinutesDocument,
    SteeringBody,
    SteeringMeeting,
    Topic,
    TopicStatus,
)

MEETING_FIELDS = ("held_on", "starts_at", "location", "status")
MEETING_LABELS = {
    "held_on": gettext_lazy("date"),
    "starts_at": gettext_lazy("begins at"),
    "location": gettext_lazy("place"),
    "status": gettext_lazy("status"),
}
MINUTES_FIELDS = ("minutes",)
MINUTES_LABELS = {"minutes": gettext_lazy("minutes")}
DECISION_FIELDS = ("status", "status_note", "due_on")
DECISION_LABELS = {
    "status": gettext_lazy("status"),
    "status_note": gettext_lazy("state of implementation"),
    "due_on": gettext_lazy("due on"),
}
MINUTES_TYPES = (DOCX, PDF)
UNUSABLE_TOPIC_STATUSES = (TopicStatus.REJECTED, TopicStatus.MERGED)


def _audit(event: str, meeting: SteeringMeeting, *, acting_user: Actor, **extra: object) -> None:
    """One meeting event: subject the meeting, organisation the body's."""
    record(
        event,
        actor=acting_user,
        subject=meeting,
        organisation=meeting.body.organisation,
        extra=extra,
    )


def _not_cancelled(meeting: SteeringMeeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting has been cancelled."))


# --------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------


@transaction.atomic
def plan_meeting(
    *,
    acting_user: Actor,
    body: SteeringBody,
    held_on: dt.date,
    starts_at: dt.time | None = None,
    location: str = "",
) -> SteeringMeeting:
    if body.dissolved_on is not None and held_on > body.dissolved_on:
        raise ValidationError({"held_on": _("The body is dissolved on that date.")})
    if held_on < body.established_on:
        raise ValidationError({"held_on": _("The body did not exist yet on that date.")})
    meeting = SteeringMeeting(
        body=body,
        held_on=held_on,
        starts_at=starts_at,
        location=location.strip(),
        created_by=actor_user(acting_user),
    )
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    _audit(EventType.STEERING_MEETING_PLANNED, meeting, acting_user=acting_user)
    return meeting


@transaction.atomic
def update_meeting(
    *,
    acting_user: Actor,
    meeting: SteeringMeeting,
    expected_version: int,
    held_on: dt.date,
    status: str,
    starts_at: dt.time | None = None,
    location: str = "",
) -> SteeringMeeting:
    """Change date, time, place or status (held, cancelled); ``EditConflict`` when outdated."""
    current = lock_version(
        SteeringMeeting,
        meeting.pk,
        expected_version,
        fields=MEETING_FIELDS,
        labels=as_text(MEETING_LABELS),
    )
    if status == MeetingStatus.HELD and held_on > timezone.localdate():
        raise ValidationError({"status": _("A meeting in the future cannot have been held.")})
    if current.minutes_approved_on is not None and status != MeetingStatus.HELD:
        raise ValidationError({"status": _("The minutes are approved: the meeting was held.")})
    changes = {
        "held_on": held_on,
        "starts_at": starts_at,
        "location": location.strip(),
        "status": status,
    }
    changed = sorted(f for f, v in changes.items() if getattr(current, f) != v)
    if not changed:
        return current
    for field in changed:
        setattr(current, field, changes[field])
    current.version += 1
    current.full_clean(exclude=["created_by"])
    current.save()
    _audit(EventType.STEERING_MEETING_UPDATED, current, acting_user=acting_user, fields=changed)
    return current


# --------------------------------------------------------------------------------------------
# Agenda
# --------------------------------------------------------------------------------------------


def _check_topic(meeting: SteeringMeeting, topic: Topic | None, field: str = "topic") -> None:
    if topic is None:
        return
    if topic.region_id != meeting.body.region_id:
        raise ValidationError({field: _("The topic belongs to another Kreis.")})
    if topic.status in UNUSABLE_TOPIC_STATUSES:
        raise ValidationError({field: _("The topic has been rejected or merged.")})


@transaction.atomic
def add_agenda_item(
    *,
    acting_user: Actor,
    meeting: SteeringMeeting,
    title: str,
    description: str = "",
    topic: Topic | None = None,
) -> MeetingAgendaItem:
    """Append an item to the agenda; it may be a topic of the body's Kreis."""
    meeting = SteeringMeeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    _not_cancelled(meeting)
    _check_topic(meeting, topic)
    last = meeting.agenda_items.aggregate(n=Max("number"))["n"] or 0
    item = MeetingAgendaItem(
        meeting=meeting,
        number=last + 1,
        title=title.strip() or (topic.title if topic else ""),
        description=description.strip(),
        topic=topic,
    )
    item.full_clean()
    item.save()
    _audit(
        EventType.STEERING_AGENDA_CHANGED,
        meeting,
        acting_user=acting_user,
        change="added",
        item=item.code,
        topic=topic.code if topic else "",
    )
    return item


@transaction.atomic
def update_agenda_item(
    *,
    acting_user: Actor,
    item: MeetingAgendaItem,
    title: str,
    description: str = "",
    topic: Topic | None = None,
) -> MeetingAgendaItem:
    current = MeetingAgendaItem.objects.select_for_update().get(pk=item.pk)
    meeting = SteeringMeeting.objects.select_related("body").get(pk=current.meeting_id)
    _check_topic(meeting, topic)
    current.title, current.description, current.topic = title.strip(), description.strip(), topic
    current.full_clean()
    current.save()
    _audit(
        EventType.STEERING_AGENDA_CHANGED,
        meeting,
        acting_user=acting_user,
        change="changed",
        item=current.code,
        topic=topic.code if topic else "",
    )
    return current


@transaction.atomic
def remove_agenda_item(*, acting_user: Actor, item: MeetingAgendaItem) -> None:
    """Remove the item and close the gap in the numbering (its decisions keep their text)."""
    meeting = (
        SteeringMeeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
    )
    number, code = item.number, item.code
    MeetingAgendaItem.objects.filter(pk=item.pk).delete()
    # Ascending, one row at a time: each target number has just become free.
    for later in meeting.agenda_items.filter(number__gt=number).order_by("number"):
        MeetingAgendaItem.objects.filter(pk=later.pk).update(number=F("number") - 1)
    _audit(
        EventType.STEERING_AGENDA_CHANGED,
        meeting,
        acting_user=acting_user,
        change="removed",
        item=code,
    )


@transaction.atomic
def move_agenda_item(*, acting_user: Actor, item: MeetingAgendaItem, up: bool) -> None:
    """Swap the item with the one before (``up``) or after it; at the edge nothing happens."""
    meeting = (
        SteeringMeeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
    )
    current = meeting.agenda_items.get(pk=item.pk)
    if up:
        other = meeting.agenda_items.filter(number__lt=current.number).order_by("-number").first()
    else:
        other = meeting.agenda_items.filter(number__gt=current.number).order_by("number").first()
    if other is None:
        return
    a, b = current.number, other.number
    # Through 0 (never a real number), so that the unique (meeting, number) holds throughout.
    MeetingAgendaItem.objects.filter(pk=current.pk).update(number=0)
    MeetingAgendaItem.objects.filter(pk=other.pk).update(number=a)
    MeetingAgendaItem.objects.filter(pk=current.pk).update(number=b)
    _audit(
        EventType.STEERING_AGENDA_CHANGED,
        meeting,
        acting_user=acting_user,
        change="moved",
        item=current.code,
    )


# --------------------------------------------------------------------------------------------
# Attendance
# --------------------------------------------------------------------------------------------


def members_on(meeting: SteeringMeeting) -> list[BodyMember]:
    """The members of the meeting's body on the day of the meeting."""
    return [
        m
        for m in meeting.body.members.select_related("user", "organisation")
        if m.is_active_on(meeting.held_on)
    ]


@transaction.atomic
def record_attendance(
    *,
    acting_user: Actor,
    meeting: SteeringMeeting,
    entries: Mapping[int, tuple[str, str]],
) -> list[Attendance]:
    """Attendance of every member of the body on the day, all at once: ``entries`` maps each
    member's id to (status, note). A missing or unknown member refuses the whole list."""
    meeting = SteeringMeeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    _not_cancelled(meeting)
    members = members_on(meeting)
    expected = {m.pk for m in members}
    if set(entries) != expected:
        raise ValidationError(_("Record the attendance of every member of the body."))
    valid = set(AttendanceStatus.values)
    if any(status not in valid for status, _note in entries.values()):
        raise ValidationError(_("Choose an attendance for every member."))
    rows = []
    for member in members:
        status, note = entries[member.pk]
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting, member=member, defaults={"status": status, "note": note.strip()}
        )
        rows.append(row)
    # Members who left before the meeting day are not on the list any more.
    meeting.attendance.exclude(member_id__in=expected).delete()
    there = (AttendanceStatus.PRESENT, AttendanceStatus.REPRESENTED)
    present = sum(1 for r in rows if r.status in there)
    _audit(
        EventType.STEERING_ATTENDANCE,
        meeting,
        acting_user=acting_user,
        members=len(rows),
        present=present,
    )
    return rows


# --------------------------------------------------------------------------------------------
# Minutes
# --------------------------------------------------------------------------------------------


@transaction.atomic
def save_minutes(
    *, acting_user: Actor, meeting: SteeringMeeting, expected_version: int, minutes: str
) -> SteeringMeeting:
    """Save the minutes text; ``EditConflict`` when someone saved in the meantime. Approved
    minutes are final."""
    current = lock_version(
        SteeringMeeting,
        meeting.pk,
        expected_version,
        fields=MINUTES_FIELDS,
        labels=as_text(MINUTES_LABELS),
    )
    if current.minutes_approved_on is not None:
        raise ValidationError(
            {"minutes": _("The minutes have been approved and cannot be changed any more.")}
        )
    _not_cancelled(current)
    text = minutes.strip()
    if text == current.minutes:
        return current
    current.minutes = text
    current.version += 1
    current.save(update_fields=["minutes", "version"])
    _audit(
        EventType.STEERING_MINUTES_SAVED,
        current,
        acting_user=acting_user,
        length=len(text),
    )
    return current


@transaction.atomic
def approve_minutes(
    *,
    acting_user: Actor,
    meeting: SteeringMeeting,
    expected_version: int,
    approved_on: dt.date,
) -> SteeringMeeting:
    """Approve the minutes of a held meeting: from then on they are final."""
    current = lock_version(
        SteeringMeeting,
        meeting.pk,
        expected_version,
        fields=MINUTES_FIELDS,
        labels=as_text(MINUTES_LABELS),
    )
    if current.status != MeetingStatus.HELD:
        raise ValidationError(_("Only the minutes of a held meeting can be approved."))
    if not current.minutes.strip():
        raise ValidationError(_("The minutes are still empty."))
    if current.minutes_approved_on is not None:
        raise ValidationError(_("The minutes have already been approved."))
    if approved_on < current.held_on:
        raise ValidationError(
            {"approved_on": _("The minutes cannot be approved before the meeting.")}
        )
    current.minutes_approved_on = approved_on
    current.version += 1
    current.save(update_fields=["minutes_approved_on", "version"])
    _audit(
        EventType.STEERING_MINUTES_SAVED,
        current,
        acting_user=acting_user,
        approved=approved_on.isoformat(),
    )
    return current


@transaction.atomic
def attach_minutes_document(
    *, acting_user: Actor, meeting: SteeringMeeting, checked: CheckedFile
) -> MinutesDocument:
    """Store already checked minutes (DOCX or PDF only) under MEDIA_ROOT."""
    if checked.content_type not in MINUTES_TYPES:
        raise ValidationError({"file": _("Please upload the minutes as a PDF or DOCX file.")})
    document = MinutesDocument(meeting=meeting)
    document.store(checked, uploaded_by=actor_user(acting_user))
    _audit(
        EventType.STEERING_MINUTES_ATTACHED,
        meeting,
        acting_user=acting_user,
        document=document.code,
        size=checked.size,
    )
    return document


def record_minutes_read(
    *,
    acting_user: Actor,
    meeting: SteeringMeeting,
    document: MinutesDocument | None = None,
    fmt: str = "",
) -> None:
    """Reading minutes – a stored document or the generated DOCX/PDF – is an audit event
    (own transaction)."""
    _audit(
        EventType.STEERING_MINUTES_READ,
        meeting,
        acting_user=acting_user,
        document=document.code if document else "",
        format=fmt or (document.content_type if document else ""),
    )


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


def _check_owner(meeting: SteeringMeeting, owner: BodyMember | None) -> None:
    if owner is None:
        return
    if owner.body_id != meeting.body_id:
        raise ValidationError({"owner": _("The responsible person is no member of the body.")})
    if owner.left_on is not None and owner.left_on < meeting.held_on:
        raise ValidationError(
            {"owner": _("The responsible person had left the body before the meeting.")}
        )


@transaction.atomic
def record_decision(
    *,
    acting_user: Actor,
    meeting: SteeringMeeting,
    text: str,
    owner: BodyMember | None = None,
    due_on: dt.date | None = None,
    agenda_item: MeetingAgendaItem | None = None,
    topic: Topic | None = None,
    closes_topic: bool = False,
) -> Decision:
    """A decision of the meeting: what, who carries it out (a member of the body), by when;
    taken on an agenda item and/or a topic, which it may close once it is done."""
    meeting = SteeringMeeting.objects.select_related("body").get(pk=meeting.pk)
    _not_cancelled(meeting)
    if not text.strip():
        raise ValidationError({"text": _("Enter the decision.")})
    _check_owner(meeting, owner)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("The agenda item belongs to another meeting.")})
    if topic is None and agenda_item is not None:
        topic = agenda_item.topic
    _check_topic(meeting, topic)
    if closes_topic and topic is None:
        raise ValidationError({"closes_topic": _("Only a decision on a topic can close it.")})
    if due_on is not None and due_on < meeting.held_on:
        raise ValidationError({"due_on": _("The due date lies before the meeting.")})
    decision = Decision(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text.strip(),
        owner=owner,
        due_on=due_on,
        topic=topic,
        closes_topic=closes_topic,
    )
    decision.full_clean()
    decision.save()
    record(
        EventType.STEERING_DECISION_RECORDED,
        actor=acting_user,
        subject=decision,
        organisation=meeting.body.organisation,
        extra={
            "meeting": meeting.code,
            "topic": topic.code if topic else "",
            "closes_topic": closes_topic,
        },
    )
    return decision


@transaction.atomic
def update_decision(
    *,
    acting_user: Actor,
    decision: Decision,
    expected_version: int,
    status: str,
    status_note: str = "",
    due_on: dt.date | None = None,
) -> Decision:
    """Change where a decision stands; ``EditConflict`` when outdated. Set to done, a decision
    that ``closes_topic`` closes its topic in the same transaction."""
    current = lock_version(
        Decision,
        decision.pk,
        expected_version,
        fields=DECISION_FIELDS,
        labels=as_text(DECISION_LABELS),
    )
    if status not in DecisionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    meeting = SteeringMeeting.objects.select_related("body").get(pk=current.meeting_id)
    if due_on is not None and due_on < meeting.held_on:
        raise ValidationError({"due_on": _("The due date lies before the meeting.")})
    changes = {"status": status, "status_note": status_note.strip(), "due_on": due_on}
    changed = sorted(f for f, v in changes.items() if getattr(current, f) != v)
    if not changed:
        return current
    for field in changed:
        setattr(current, field, changes[field])
    current.version += 1
    current.full_clean()
    current.save()
    record(
        EventType.STEERING_DECISION_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=meeting.body.organisation,
        extra={"fields": changed, "status": status},
    )
    if status == DecisionStatus.DONE and current.closes_topic and current.topic_id:
        _close_topic(acting_user, current, meeting)
    return current


def _close_topic(acting_user: Actor, decision: Decision, meeting: SteeringMeeting) -> None:
    """The decision's topic becomes closed (inside ``update_decision``'s transaction)."""
    assert decision.topic_id is not None
    topic = Topic.objects.select_for_update().get(pk=decision.topic_id)
    if topic.status not in (TopicStatus.OPEN, TopicStatus.PROPOSED):
        return
    topic.status = TopicStatus.CLOSED
    topic.status_reason = _("Closed by decision %(code)s of the meeting on %(day)s.") % {
        "code": decision.code,
        "day": meeting.held_on.strftime("%d.%m.%Y"),
    }
    topic.version += 1
    topic.save(update_fields=["status", "status_reason", "version", "updated_at"])
    record(
        EventType.TOPIC_CLOSED,
        actor=acting_user,
        subject=topic,
        organisation=meeting.body.organisation,
        extra={"decision": decision.code, "meeting": meeting.code},
    )
