"""Steering bodies (Lenkungsgruppe, working and project groups) and their members."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.locking import lock_version
from kim.core.models import Actor
from kim.organisations.models import Organisation, OrgKind
from kim.steering.actions import as_text
from kim.steering.models import BodyKind, BodyMember, MemberRole, SteeringBody
from kim.steering.queries_bodies import account_choices

BODY_FIELDS = ("name", "remit", "parent", "established_on", "dissolved_on")
BODY_LABELS = {
    "name": gettext_lazy("name"),
    "remit": gettext_lazy("remit"),
    "parent": gettext_lazy("reports to"),
    "established_on": gettext_lazy("established on"),
    "dissolved_on": gettext_lazy("dissolved on"),
}
RUNNING_KINDS = (OrgKind.KREIS, OrgKind.KREISFREIE_STADT, OrgKind.KOMMUNE)


def _check_parent(region: Organisation, kind: str, parent: SteeringBody | None) -> None:
    if parent is None:
        return
    if kind == BodyKind.STEERING_GROUP:
        raise ValidationError({"parent": _("A steering group reports to no other body.")})
    if parent.kind != BodyKind.STEERING_GROUP or parent.region_id != region.pk:
        raise ValidationError(
            {"parent": _("A group reports to a steering group of the same Kreis.")}
        )


@transaction.atomic
def create_body(
    *,
    acting_user: Actor,
    organisation: Organisation,
    kind: str,
    name: str,
    established_on: dt.date,
    remit: str = "",
    parent: SteeringBody | None = None,
) -> SteeringBody:
    """A body run by a Kreis or one of its towns; its Kreis follows from the organisation."""
    if organisation.kind not in RUNNING_KINDS:
        raise ValidationError({"organisation": _("A steering body is run by a Kreis or a town.")})
    region = organisation if organisation.is_region else organisation.region
    if region is None:
        raise ValidationError({"organisation": _("This town belongs to no Kreis.")})
    _check_parent(region, kind, parent)
    body = SteeringBody(
        region=region,
        organisation=organisation,
        kind=kind,
        name=name.strip(),
        remit=remit.strip(),
        parent=parent,
        established_on=established_on,
    )
    body.full_clean()
    body.save()
    record(
        EventType.STEERING_BODY_CREATED,
        actor=acting_user,
        subject=body,
        organisation=organisation,
        extra={"kind": kind},
    )
    return body


@transaction.atomic
def update_body(
    *,
    acting_user: Actor,
    body: SteeringBody,
    expected_version: int,
    name: str,
    remit: str,
    established_on: dt.date,
    parent: SteeringBody | None = None,
    dissolved_on: dt.date | None = None,
) -> SteeringBody:
    """Change a body's name, remit, parent and dates; ``EditConflict`` when outdated."""
    current = lock_version(
        SteeringBody, body.pk, expected_version, fields=BODY_FIELDS, labels=as_text(BODY_LABELS)
    )
    if parent is not None and parent.pk == current.pk:
        raise ValidationError({"parent": _("A body cannot report to itself.")})
    _check_parent(current.region, current.kind, parent)
    changes = {
        "name": name.strip(),
        "remit": remit.strip(),
        "parent": parent,
        "established_on": established_on,
        "dissolved_on": dissolved_on,
    }
    changed = sorted(f for f, v in changes.items() if getattr(current, f) != v)
    if not changed:
        return current
    for field in changed:
        setattr(current, field, changes[field])
    if dissolved_on is not None and dissolved_on < established_on:
        raise ValidationError(
            {"dissolved_on": _("The body cannot be dissolved before it was established.")}
        )
    current.version += 1
    current.full_clean()
    current.save()
    record(
        EventType.STEERING_BODY_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current.organisation,
        extra={"fields": changed},
    )
    return current


@transaction.atomic
def add_member(
    *,
    acting_user: Actor,
    body: SteeringBody,
    joined_on: dt.date,
    user: User | None = None,
    name: str = "",
    organisation: Organisation | None = None,
    organisation_name: str = "",
    function: str = "",
    office_email: str = "",
    office_phone: str = "",
    role: str = MemberRole.MEMBER,
) -> BodyMember:
    """A member with an account, or an external member named with the organisation and
    function they represent – office contact data only."""
    name = name.strip()
    if user is None and not name:
        raise ValidationError({"name": _("Choose an account or enter the member's name.")})
    if user is not None and not account_choices(body).filter(pk=user.pk).exists():
        raise ValidationError(
            {"user": _("This account has no role in the body's Kreis that allows membership.")}
        )
    if user is not None and body.members.filter(user=user, left_on__isnull=True).exists():
        raise ValidationError({"user": _("This account is already a member of the body.")})
    if joined_on < body.established_on:
        raise ValidationError(
            {"joined_on": _("The member cannot join before the body was established.")}
        )
    member = BodyMember(
        body=body,
        user=user,
        name=name,
        organisation=organisation,
        organisation_name=organisation_name.strip(),
        function=function.strip(),
        office_email=office_email.strip(),
        office_phone=office_phone.strip(),
        role=role,
        joined_on=joined_on,
    )
    member.full_clean()
    member.save()
    record(
        EventType.STEERING_MEMBER_ADDED,
        actor=acting_user,
        subject=member,
        organisation=body.organisation,
        extra={"body": body.code, "account": user is not None, "role": role},
    )
    return member


@transaction.atomic
def end_membership(*, acting_user: Actor, member: BodyMember, left_on: dt.date) -> BodyMember:
    """The member leaves the body on ``left_on`` (the last day of membership)."""
    current = BodyMember.objects.select_for_update().get(pk=member.pk)
    if current.left_on is not None:
        raise ValidationError({"left_on": _("This membership has already ended.")})
    if left_on < current.joined_on:
        raise ValidationError({"left_on": _("The membership cannot end before it began.")})
    current.left_on = left_on
    current.save(update_fields=["left_on"])
    record(
        EventType.STEERING_MEMBER_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current.body.organisation,
        extra={"body": current.body.code, "fields": ["left_on"]},
    )
    return current
