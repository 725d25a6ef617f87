"""Activities (contacts, appointments, notes) and documents of a case file."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.documents import store_document
from kim.cases.models import Activity, ActivityKind, Case, CaseDocument, Channel, DocumentType
from kim.core.models import Actor, actor_user
from kim.core.uploads import CheckedFile

# Kinds that took place with the client: they need a channel and a duration.
WITH_CLIENT = (ActivityKind.CONTACT, ActivityKind.APPOINTMENT)


def _check_open(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed; nothing can be added to it."))


def _check_activity(
    kind: str, occurred_at: dt.datetime, duration_minutes: int | None, channel: str, text: str
) -> None:
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Choose the kind of entry.")})
    if kind in WITH_CLIENT and (not channel or channel not in Channel.values):
        raise ValidationError({"channel": _("Choose how the contact took place.")})
    if kind in WITH_CLIENT and not duration_minutes:
        raise ValidationError({"duration_minutes": _("Enter the duration in minutes.")})
    if kind == ActivityKind.NOTE and not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    if kind != ActivityKind.APPOINTMENT and occurred_at > timezone.now():
        raise ValidationError({"occurred_at": _("Only appointments may lie in the future.")})


@transaction.atomic
def record_activity(
    case: Case,
    *,
    acting_user: Actor,
    kind: str,
    occurred_at: dt.datetime,
    duration_minutes: int | None = None,
    channel: str = "",
    with_interpreter: bool = False,
    text: str = "",
    confidential: bool = False,
) -> Activity:
    """A contact, appointment or note. Confidential entries are read by the responsible case
    manager only (``access.visible_activities``)."""
    _check_open(case)
    _check_activity(kind, occurred_at, duration_minutes, channel, text)
    if kind == ActivityKind.NOTE:
        channel, duration_minutes = "", None
    activity = Activity.objects.create(
        case=case,
        kind=kind,
        occurred_at=occurred_at,
        duration_minutes=duration_minutes,
        channel=channel,
        with_interpreter=with_interpreter,
        text=text.strip() or None,
        confidential=confidential,
        author=actor_user(acting_user),
    )
    record(
        EventType.ACTIVITY_RECORDED,
        actor=acting_user,
        subject=activity,
        organisation=case.organisation,
        extra={"case": case.code, "kind": kind, "confidential": confidential},
    )
    return activity


@transaction.atomic
def attach_document(
    case: Case, *, acting_user: Actor, upload: CheckedFile, doc_type: str
) -> CaseDocument:
    """Store a checked upload (``kim.core.uploads.check_document``) encrypted at rest."""
    _check_open(case)
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose the type of document.")})
    document = CaseDocument(case=case, doc_type=doc_type)
    store_document(document, upload, uploaded_by=actor_user(acting_user))
    record(
        EventType.CASE_DOCUMENT_ATTACHED,
        actor=acting_user,
        subject=document,
        organisation=case.organisation,
        extra={"case": case.code, "doc_type": doc_type, "content_type": upload.content_type},
    )
    return document


@transaction.atomic
def record_document_download(document: CaseDocument, *, acting_user: Actor) -> CaseDocument:
    """A document of a case file left the server (after the access check)."""
    record(
        EventType.CASE_DOCUMENT_READ,
        actor=acting_user,
        subject=document,
        organisation=document.case.organisation,
        extra={"case": document.case.code, "doc_type": document.doc_type},
    )
    return document
