"""Every change to council records: bodies, organizations, meetings and agenda items, papers
and motions with their questions, consultations, files, status changes and releases.

Each action checks that everything it links belongs to the same body, writes one audit event
in its transaction and, where OParl embeds the changed row in another object (agenda items in
a meeting, consultations and files in a paper), touches that object's ``modified`` so that
``modified_since`` harvesters see the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.files import save_file
from kim.core.models import Actor, actor_user
from kim.core.uploads import CheckedFile
from kim.council.blocks import clean_block_keys
from kim.council.models import (
    MEETING_KINDS,
    MOTION_TYPES,
    AgendaItem,
    Body,
    Consultation,
    ConsultationRole,
    File,
    FileRole,
    Meeting,
    MeetingState,
    MotionQuestion,
    MotionStatus,
    Organization,
    OrganizationKind,
    Paper,
    PaperType,
)
from kim.organisations.models import AGS_KINDS, Organisation


def _touch(row: Model) -> None:
    """Move ``modified`` of an object whose OParl form embeds the changed row."""
    type(row)._default_manager.filter(pk=row.pk).update(modified=timezone.now())


def _check_body(body: Body, rows: Iterable[Organization | Meeting], field: str) -> None:
    for row in rows:
        if row.body_id != body.pk:
            raise ValidationError(
                {field: _("%(name)s does not belong to %(body)s.") % {"name": row, "body": body}}
            )


def _check_kind(org: Organization | None, kinds: Sequence[str], field: str, message: str) -> None:
    if org is not None and org.kind not in kinds:
        raise ValidationError({field: message})


# --- bodies and organizations -----------------------------------------------------------------


@transaction.atomic
def create_body(
    *,
    acting_user: Actor,
    organisation: Organisation,
    name: str = "",
    short_name: str = "",
    website: str = "",
) -> Body:
    """The council side of a Kreis or town (one per organisation)."""
    region = organisation if organisation.is_region else organisation.region
    if organisation.kind not in AGS_KINDS or region is None:
        raise ValidationError(
            {"organisation": _("Council business is recorded for a Kreis or a town.")}
        )
    if Body.objects.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("%(org)s already has a council body.") % {"org": organisation}}
        )
    body = Body(
        organisation=organisation,
        region=region,
        name=name or organisation.name,
        short_name=short_name or organisation.short_name,
        website=website,
    )
    body.full_clean()
    body.save()
    record(
        EventType.COUNCIL_BODY_CREATED, actor=acting_user, subject=body, organisation=organisation
    )
    return body


@transaction.atomic
def create_organization(
    body: Body,
    *,
    acting_user: Actor,
    name: str,
    kind: str,
    short_name: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Organization:
    """A council, committee, council group (Fraktion) or department of the body."""
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": _("The end lies before the start.")})
    if Organization.objects.filter(body=body, name=name).exists():
        raise ValidationError(
            {"name": _("%(body)s already has an organization of this name.") % {"body": body}}
        )
    org = Organization(
        body=body,
        name=name,
        kind=kind,
        short_name=short_name,
        start_date=start_date,
        end_date=end_date,
    )
    org.full_clean()
    org.save()
    record(
        EventType.COUNCIL_ORGANIZATION_CREATED,
        actor=acting_user,
        subject=org,
        organisation=body.organisation,
        extra={"kind": kind},
    )
    return org


# --- meetings ---------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(
    body: Body,
    *,
    acting_user: Actor,
    name: str,
    start: dt.datetime,
    organizations: Iterable[Organization],
    end: dt.datetime | None = None,
    state: str = MeetingState.PLANNED,
    public: bool = True,
) -> Meeting:
    """A meeting of one or more committees (or the council) of the body."""
    orgs = list(organizations)
    if not orgs:
        raise ValidationError({"organizations": _("Name the committee that meets.")})
    _check_body(body, orgs, "organizations")
    if any(not o.holds_meetings for o in orgs):
        raise ValidationError(
            {"organizations": _("Only the council and its committees hold meetings.")}
        )
    if end is not None and end <= start:
        raise ValidationError({"end": _("The meeting ends before it starts.")})
    meeting = Meeting(body=body, name=name, start=start, end=end, state=state, public=public)
    meeting.full_clean()
    meeting.save()
    meeting.organizations.set(orgs)
    record(
        EventType.MEETING_CREATED,
        actor=acting_user,
        subject=meeting,
        organisation=body.organisation,
        extra={"start": start.isoformat(), "public": public},
    )
    return meeting


@transaction.atomic
def add_agenda_item(
    meeting: Meeting,
    *,
    acting_user: Actor,
    number: str,
    name: str,
    public: bool = True,
    order: int | None = None,
    result: str = "",
) -> AgendaItem:
    """An item of the agenda; without ``order`` it goes to the end."""
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    items = AgendaItem.objects.filter(meeting=meeting)
    if order is None:
        order = (items.aggregate(last=Max("order"))["last"] or 0) + 1
    elif items.filter(order=order).exists():
        raise ValidationError(
            {"order": _("Position %(order)s on the agenda is taken.") % {"order": order}}
        )
    item = AgendaItem(
        meeting=meeting, number=number, name=name, public=public, order=order, result=result
    )
    item.full_clean()
    item.save()
    _touch(meeting)
    record(
        EventType.AGENDA_ITEM_ADDED,
        actor=acting_user,
        subject=item,
        organisation=meeting.body.organisation,
        extra={"meeting": meeting.code, "number": number, "public": public},
    )
    return item


# --- papers and motions -----------------------------------------------------------------------


def _check_reference(body: Body, reference: str) -> None:
    if Paper.objects.filter(body=body, reference=reference).exists():
        raise ValidationError(
            {
                "reference": _("Reference number %(ref)s is already used in %(body)s.")
                % {"ref": reference, "body": body}
            }
        )


def _check_department(body: Body, department: Organization | None) -> None:
    if department is not None:
        _check_body(body, [department], "department")
    _check_kind(
        department,
        [OrganizationKind.DEPARTMENT],
        "department",
        _("Choose an administration department of the body."),
    )


@transaction.atomic
def create_paper(
    body: Body,
    *,
    acting_user: Actor,
    reference: str,
    date: dt.date,
    paper_type: str,
    name: str,
    originators: Iterable[Organization] = (),
    department: Organization | None = None,
    related: Iterable[Paper] = (),
) -> Paper:
    """An administration paper (Mitteilungsvorlage, Beschlussvorlage, answer …) as a draft.
    Motions and enquiries come in through ``receive_motion``, with their questions."""
    if paper_type in MOTION_TYPES:
        raise ValidationError(
            {"paper_type": _("Motions and enquiries are recorded with their questions.")}
        )
    orgs, related = list(originators), list(related)
    _check_body(body, orgs, "originators")
    _check_department(body, department)
    if any(p.body_id != body.pk for p in related):
        raise ValidationError({"related": _("Related papers must belong to the same body.")})
    _check_reference(body, reference)
    paper = Paper(
        body=body,
        reference=reference,
        date=date,
        paper_type=paper_type,
        name=name,
        under_direction_of=department,
        created_by=actor_user(acting_user),
    )
    paper.full_clean(exclude=["created_by"])
    paper.save()
    paper.originator_organizations.set(orgs)
    paper.related_papers.set(related)
    record(
        EventType.PAPER_CREATED,
        actor=acting_user,
        subject=paper,
        organisation=body.organisation,
        extra={"reference": reference, "paper_type": paper_type},
    )
    return paper


def _check_motion_links(
    body: Body,
    *,
    date: dt.date,
    originators: list[Organization],
    committee: Organization,
    meeting: Meeting | None,
    deadline: dt.date | None,
) -> None:
    """Originators are council groups or committees, the committee holds meetings, the meeting
    is one of that committee and lies after the motion, and so does the deadline."""
    if not originators:
        raise ValidationError(
            {"originators": _("Name who submitted the motion, e.g. a council group.")}
        )
    _check_body(body, originators, "originators")
    _check_body(body, [committee], "committee")
    if any(o.kind == OrganizationKind.DEPARTMENT for o in originators):
        raise ValidationError(
            {"originators": _("Motions come from the council side, not from a department.")}
        )
    _check_kind(committee, MEETING_KINDS, "committee", _("Choose a committee or the council."))
    if meeting is not None:
        _check_body(body, [meeting], "meeting")
        if not meeting.organizations.filter(pk=committee.pk).exists():
            raise ValidationError(
                {"meeting": _("This is not a meeting of %(org)s.") % {"org": committee}}
            )
        if meeting.start.date() < date:
            raise ValidationError({"meeting": _("The meeting lies before the motion's date.")})
    if deadline is not None and deadline < date:
        raise ValidationError({"deadline": _("The deadline lies before the motion's date.")})


@transaction.atomic
def receive_motion(
    body: Body,
    *,
    acting_user: Actor,
    reference: str,
    date: dt.date,
    paper_type: str,
    name: str,
    originators: Iterable[Organization],
    committee: Organization,
    questions: Sequence[str],
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    deadline: dt.date | None = None,
    department: Organization | None = None,
) -> Paper:
    """Record an Antrag or Anfrage with its numbered questions (status "received").

    1. Check type, links (``_check_motion_links``), department, questions, reference.
    2. Store the paper and its questions, numbered from 1 in the given order.
    3. Record the consultation by the committee (in the meeting and under the agenda item, if
       given): an Antrag is decided there, an Anfrage is answered for information.
    """
    if paper_type not in MOTION_TYPES:
        raise ValidationError({"paper_type": _("A motion is an Antrag or an Anfrage.")})
    orgs = list(originators)
    _check_motion_links(
        body, date=date, originators=orgs, committee=committee, meeting=meeting, deadline=deadline
    )
    _check_department(body, department)
    if agenda_item is not None:
        if meeting is None:
            raise ValidationError({"agenda_item": _("Choose the meeting of the agenda item.")})
        _consultation_meeting_checked(meeting, agenda_item)
    texts = [t.strip() for t in questions if t.strip()]
    if not texts:
        raise ValidationError({"questions": _("Enter at least one question.")})
    _check_reference(body, reference)
    motion = Paper(
        body=body,
        reference=reference,
        date=date,
        paper_type=paper_type,
        name=name,
        under_direction_of=department,
        status=MotionStatus.RECEIVED,
        deadline=deadline,
        committee=committee,
        meeting=meeting,
        created_by=actor_user(acting_user),
    )
    motion.full_clean(exclude=["created_by"])
    motion.save()
    motion.originator_organizations.set(orgs)
    for number, text in enumerate(texts, start=1):
        MotionQuestion.objects.create(paper=motion, number=number, text=text)
    decides = paper_type == PaperType.ANTRAG
    Consultation.objects.create(
        paper=motion,
        meeting=meeting,
        agenda_item=agenda_item,
        organization=committee,
        role=ConsultationRole.ENTSCHEIDUNG if decides else ConsultationRole.KENNTNISNAHME,
        authoritative=decides,
    )
    record(
        EventType.MOTION_RECEIVED,
        actor=acting_user,
        subject=motion,
        organisation=body.organisation,
        extra={"reference": reference, "paper_type": paper_type, "questions": len(texts)},
    )
    return motion


def _lock_motion(motion: Paper) -> Paper:
    current = (
        Paper.objects.select_for_update().select_related("body__organisation").get(pk=motion.pk)
    )
    if not current.is_motion:
        raise ValidationError(_("Only motions and enquiries have questions and a status."))
    return current


def _refuse_if_settled(motion: Paper, field: str) -> None:
    if motion.status == MotionStatus.SETTLED:
        raise ValidationError({field: _("The motion is settled; its questions no longer change.")})


@transaction.atomic
def add_question(
    motion: Paper, *, acting_user: Actor, text: str, block_keys: Iterable[str] = ()
) -> MotionQuestion:
    """Another question, numbered after the last one."""
    current = _lock_motion(motion)
    _refuse_if_settled(current, "text")
    if not text.strip():
        raise ValidationError({"text": _("Enter the question.")})
    keys = clean_block_keys(block_keys)
    last = current.questions.aggregate(last=Max("number"))["last"] or 0
    question = MotionQuestion.objects.create(
        paper=current, number=last + 1, text=text.strip(), block_keys=keys
    )
    record(
        EventType.MOTION_QUESTION_ADDED,
        actor=acting_user,
        subject=current,
        organisation=current.body.organisation,
        extra={"question": question.number, "block_keys": keys},
    )
    return question


@transaction.atomic
def tag_question(
    question: MotionQuestion, *, acting_user: Actor, block_keys: Iterable[str]
) -> MotionQuestion:
    """Set the answer blocks that answer the question (keys of ``blocks.BLOCK_KEYS``)."""
    motion = _lock_motion(question.paper)
    _refuse_if_settled(motion, "block_keys")
    keys = clean_block_keys(block_keys)
    current = MotionQuestion.objects.get(pk=question.pk)
    current.block_keys = keys
    current.save(update_fields=["block_keys", "modified"])
    record(
        EventType.MOTION_QUESTION_TAGGED,
        actor=acting_user,
        subject=motion,
        organisation=motion.body.organisation,
        extra={"question": current.number, "block_keys": keys},
    )
    return current


@transaction.atomic
def change_motion_status(
    motion: Paper, *, acting_user: Actor, status: str, expected_status: str
) -> Paper:
    """received → in progress → answered → settled (answered may be reopened)."""
    current = _lock_motion(motion)
    if current.status != expected_status:
        raise ValidationError(
            _(
                "The status of this motion was changed by someone else in the meantime. "
                "Please reload the page."
            )
        )
    if not current.can_move_to(status):
        raise ValidationError(
            {
                "status": _("A motion cannot go from “%(old)s” to “%(new)s”.")
                % {
                    "old": MotionStatus(current.status).label,
                    "new": MotionStatus(status).label if status in MotionStatus else status,
                }
            }
        )
    old, current.status = current.status, status
    current.save(update_fields=["status", "modified"])
    record(
        EventType.MOTION_STATUS_CHANGED,
        actor=acting_user,
        subject=current,
        organisation=current.body.organisation,
        extra={"from": old, "to": status},
    )
    return current


@transaction.atomic
def release_paper(paper: Paper, *, acting_user: Actor) -> Paper:
    """Make a paper visible to council members and the OParl API. There is no way back: what
    has been published may have been harvested."""
    current = (
        Paper.objects.select_for_update().select_related("body__organisation").get(pk=paper.pk)
    )
    if current.released:
        raise ValidationError(_("This paper has already been released."))
    current.released, current.released_at = True, timezone.now()
    current.save(update_fields=["released", "released_at", "modified"])
    record(
        EventType.PAPER_RELEASED,
        actor=acting_user,
        subject=current,
        organisation=current.body.organisation,
        extra={"reference": current.reference},
    )
    return current


# --- consultations and files ------------------------------------------------------------------


def _consultation_meeting_checked(meeting: Meeting | None, agenda_item: AgendaItem) -> Meeting:
    """The agenda item is free and of the given meeting (if any); returns its meeting."""
    if meeting is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("The agenda item is of another meeting.")})
    if Consultation.objects.filter(agenda_item=agenda_item).exists():
        raise ValidationError(
            {"agenda_item": _("This agenda item already deals with another paper.")}
        )
    return agenda_item.meeting


def _consultation_meeting(
    paper: Paper, meeting: Meeting | None, agenda_item: AgendaItem | None
) -> Meeting | None:
    """The meeting of the consultation: given, or the agenda item's; both must agree."""
    if agenda_item is not None:
        meeting = _consultation_meeting_checked(meeting, agenda_item)
    if meeting is not None:
        _check_body(paper.body, [meeting], "meeting")
    return meeting


@transaction.atomic
def add_consultation(
    paper: Paper,
    *,
    acting_user: Actor,
    role: str,
    organization: Organization | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    authoritative: bool = False,
) -> Consultation:
    """Who deals with the paper, where, and in which role (Beratungsfolge)."""
    meeting = _consultation_meeting(paper, meeting, agenda_item)
    if meeting is None and organization is None:
        raise ValidationError(
            {"organization": _("Name the committee or the meeting that deals with the paper.")}
        )
    if organization is not None:
        _check_body(paper.body, [organization], "organization")
        _check_kind(
            organization, MEETING_KINDS, "organization", _("Choose a committee or the council.")
        )
    consultation = Consultation(
        paper=paper,
        meeting=meeting,
        agenda_item=agenda_item,
        organization=organization,
        role=role,
        authoritative=authoritative,
    )
    consultation.full_clean()
    consultation.save()
    _touch(paper)
    if agenda_item is not None:
        _touch(agenda_item)
    record(
        EventType.CONSULTATION_ADDED,
        actor=acting_user,
        subject=consultation,
        organisation=paper.body.organisation,
        extra={"paper": paper.code, "role": role},
    )
    return consultation


@transaction.atomic
def attach_file(
    paper: Paper,
    *,
    acting_user: Actor,
    checked: CheckedFile,
    role: str = FileRole.AUXILIARY,
    name: str = "",
    date: dt.date | None = None,
) -> File:
    """Store an already checked document (``core.uploads.check_document``) of a paper."""
    Paper.objects.select_for_update().get(pk=paper.pk)
    if role == FileRole.MAIN and File.objects.filter(paper=paper, role=FileRole.MAIN).exists():
        raise ValidationError({"role": _("This paper already has a main document.")})
    file = File(
        body_id=paper.body_id,
        paper=paper,
        role=role,
        name=name or checked.name,
        file_name=checked.name,
        mime_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        sha512=hashlib.sha512(checked.data).hexdigest(),
        date=date or timezone.localdate(),
        uploaded_by=actor_user(acting_user),
    )
    file.full_clean(exclude=["uploaded_by", "file"])
    save_file(file.file, f"{file.code}.bin", checked.data)  # a refusal: ValidationError
    file.save()
    _touch(paper)
    record(
        EventType.COUNCIL_FILE_ATTACHED,
        actor=acting_user,
        subject=paper,
        organisation=paper.body.organisation,
        extra={"file": file.code, "role": role, "size": checked.size},
    )
    return file
