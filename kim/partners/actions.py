"""Every change to talks, minutes, follow-ups, services, contacts and staffing decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.models import Actor
from kim.organisations.models import Organisation, OrgKind
from kim.partners.models import (
    FollowUp,
    Outcome,
    ParticipantRole,
    StaffingDecision,
    Talk,
    TalkDocument,
    TalkParticipant,
    TraegerContact,
    TraegerService,
)
from kim.partners.uploads import CheckedFile
from kim.programmes.models import Position


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _check_region(region: Organisation, organisations: Iterable[Organisation], field: str) -> None:
    for org in organisations:
        if org.region_id_or_self != region.pk:
            raise ValidationError(
                {field: _("%(org)s does not belong to this Kreis.") % {"org": org.name}}
            )


@transaction.atomic
def record_talk(
    *,
    acting_user: Actor,
    host: Organisation,
    held_on: dt.date,
    format: str,
    topics: str,
    traeger: Iterable[Organisation],
    baustein: str = "",
    positions: Iterable[Position] = (),
    outcome: str = Outcome.OPEN,
    outcome_summary: str = "",
) -> Talk:
    """A talk held by a Kreis or town with one or more welfare agencies."""
    region = host if host.is_region else host.region
    agencies = list(traeger)
    if region is None:
        raise ValidationError({"host": _("The talk must be held by a Kreis or a town.")})
    if not agencies:
        raise ValidationError({"traeger": _("Name at least one welfare agency that took part.")})
    if any(a.kind != OrgKind.TRAEGER for a in agencies):
        raise ValidationError({"traeger": _("Only welfare agencies can be named here.")})
    _check_region(region, agencies, "traeger")
    positions = list(positions)
    if any(p.region_id != region.pk for p in positions):
        raise ValidationError({"positions": _("The positions must belong to this Kreis.")})
    talk = Talk(
        region=region,
        host=host,
        held_on=held_on,
        format=format,
        topics=topics,
        baustein=baustein,
        outcome=outcome,
        outcome_summary=outcome_summary,
        created_by=_user(acting_user),
    )
    talk.full_clean(exclude=["created_by"])  # None for system jobs (seed, imports)
    talk.save()
    talk.positions.set(positions)
    TalkParticipant.objects.create(talk=talk, organisation=host, role=ParticipantRole.HOST)
    for agency in agencies:
        TalkParticipant.objects.create(talk=talk, organisation=agency, role=ParticipantRole.TRAEGER)
    record(
        EventType.TALK_RECORDED,
        actor=acting_user,
        subject=talk,
        organisation=host,
        extra={"traeger": sorted(a.code for a in agencies), "outcome": outcome},
    )
    return talk


@transaction.atomic
def record_outcome(
    talk: Talk, *, acting_user: Actor, expected_version: int, outcome: str, outcome_summary: str
) -> Talk:
    current = Talk.objects.select_for_update().get(pk=talk.pk)
    if current.version != expected_version:
        raise ValidationError(
            _(
                "This talk was changed by someone else in the meantime. "
                "Please reload the page and enter your changes again."
            )
        )
    current.outcome, current.outcome_summary = outcome, outcome_summary
    current.full_clean(exclude=["created_by"])
    current.version += 1
    current.save(update_fields=["outcome", "outcome_summary", "version"])
    record(
        EventType.TALK_OUTCOME_RECORDED,
        actor=acting_user,
        subject=current,
        organisation=current.host,
        extra={"outcome": outcome},
    )
    return current


@transaction.atomic
def attach_minutes(talk: Talk, *, acting_user: Actor, checked: CheckedFile) -> TalkDocument:
    """Store already checked minutes (see ``uploads.check_document``) under MEDIA_ROOT."""
    document = TalkDocument(
        talk=talk,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=_user(acting_user),
    )
    document.file.save(f"{document.code}.bin", ContentFile(checked.data), save=False)
    document.save()
    record(
        EventType.TALK_MINUTES_ATTACHED,
        actor=acting_user,
        subject=talk,
        organisation=talk.host,
        extra={"document": document.code, "size": checked.size},
    )
    return document


def record_minutes_download(document: TalkDocument, *, acting_user: Actor) -> None:
    """Reading minutes is a disclosure of their content: an audit event (own transaction)."""
    record(
        EventType.TALK_MINUTES_READ,
        actor=acting_user,
        subject=document.talk,
        organisation=document.talk.host,
        extra={"document": document.code},
    )


@transaction.atomic
def add_follow_up(
    talk: Talk, *, acting_user: Actor, title: str, owner: User, due: dt.date
) -> FollowUp:
    if due < talk.held_on:
        raise ValidationError({"due": _("The due date lies before the talk.")})
    task = FollowUp(talk=talk, title=title, owner=owner, due=due)
    task.full_clean()
    task.save()
    record(
        EventType.FOLLOW_UP_ADDED,
        actor=acting_user,
        subject=task,
        organisation=talk.host,
        extra={"due": due.isoformat()},
    )
    return task


@transaction.atomic
def complete_follow_up(task: FollowUp, *, acting_user: Actor) -> FollowUp:
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        record(
            EventType.FOLLOW_UP_DONE, actor=acting_user, subject=task, organisation=task.talk.host
        )
    return task


@transaction.atomic
def add_service(
    traeger: Organisation,
    *,
    acting_user: Actor,
    kind: str,
    description: str = "",
    towns: Iterable[Organisation] = (),
) -> TraegerService:
    towns = list(towns)
    region = traeger.region
    if region is not None:
        _check_region(region, towns, "towns")
    service = TraegerService(traeger=traeger, kind=kind, description=description)
    service.full_clean()
    service.save()
    service.towns.set(towns)
    record(
        EventType.TRAEGER_SERVICE_ADDED,
        actor=acting_user,
        subject=service,
        organisation=traeger,
        extra={"kind": kind},
    )
    return service


@transaction.atomic
def add_contact(
    traeger: Organisation,
    *,
    acting_user: Actor,
    role: str,
    office_email: str = "",
    office_phone: str = "",
) -> TraegerContact:
    contact = TraegerContact(
        traeger=traeger, role=role, office_email=office_email, office_phone=office_phone
    )
    contact.full_clean()
    contact.save()
    record(
        EventType.TRAEGER_CONTACT_ADDED, actor=acting_user, subject=contact, organisation=traeger
    )
    return contact


@transaction.atomic
def record_staffing_decision(
    position: Position,
    *,
    acting_user: Actor,
    decided_on: dt.date,
    employer_type: str,
    rationale: str,
    traeger: Organisation | None = None,
    tasks: str = "",
    decided_by: str = "",
) -> StaffingDecision:
    """The answer to "city staff or Träger, and which tasks?" for one post, dated."""
    if employer_type == "traeger" and traeger is None:
        raise ValidationError({"traeger": _("Name the welfare agency that fills the post.")})
    if employer_type == "municipal" and traeger is not None:
        raise ValidationError(
            {"traeger": _("A post filled by municipal staff has no welfare agency.")}
        )
    if traeger is not None:
        _check_region(position.region, [traeger], "traeger")
    last = StaffingDecision.objects.filter(position=position).order_by("-decided_on", "-id").first()
    if last is not None and decided_on < last.decided_on:
        raise ValidationError(
            {
                "decided_on": _("A later decision for this post exists (%(date)s).")
                % {"date": last.decided_on.strftime("%d.%m.%Y")}
            }
        )
    decision = StaffingDecision(
        position=position,
        decided_on=decided_on,
        employer_type=employer_type,
        traeger=traeger,
        rationale=rationale,
        tasks=tasks,
        decided_by=decided_by,
        recorded_by=_user(acting_user),
    )
    decision.full_clean(exclude=["recorded_by"])  # None for system jobs (seed, imports)
    decision.save()
    record(
        EventType.STAFFING_DECIDED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"employer_type": employer_type, "decided_on": decided_on.isoformat()},
    )
    return decision
