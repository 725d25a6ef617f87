"""The case lifecycle: the phases of case management (DGCC) as actions with their own checks."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.accounts.models import Membership, Role
from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import Case, Person, Phase, PhaseChange, ReferralSource
from kim.core.models import Actor, actor_user
from kim.organisations.models import Organisation


def check_case_manager(user: User, organisation: Organisation, field: str = "responsible") -> None:
    """``user`` must hold the case-manager role in ``organisation`` (city and Träger apart)."""
    if not Membership.objects.filter(
        user=user, organisation=organisation, role=Role.CASE_MANAGER, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {
                field: _("%(name)s is not a case manager of %(org)s.")
                % {"name": user.get_full_name() or user.get_username(), "org": organisation.name}
            }
        )


def change_phase(case: Case, to_phase: str, *, acting_user: Actor, day: dt.date) -> None:
    """Move the case and keep the history (called inside a transition action)."""
    PhaseChange.objects.create(
        case=case,
        from_phase=case.phase,
        to_phase=to_phase,
        changed_on=day,
        changed_by=actor_user(acting_user),
    )
    previous, case.phase = case.phase, to_phase
    case.version += 1
    case.save()
    record(
        EventType.CASE_PHASE_CHANGED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"from": previous, "to": to_phase},
    )


@transaction.atomic
def open_case(
    *,
    acting_user: Actor,
    person: Person,
    responsible: User,
    referral_source: str,
    referred_on: dt.date,
    referral_organisation: Organisation | None = None,
    on_waiting_list: bool = False,
) -> Case:
    """Phase 0 (Zugang): a referral arrives. The case starts in ``access``, possibly on the
    waiting list, with the person's organisation as the case's organisation."""
    if referral_source not in ReferralSource.values:
        raise ValidationError({"referral_source": _("Choose who referred the person.")})
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": _("The referral date lies in the future.")})
    check_case_manager(responsible, person.organisation)
    if Case.objects.filter(person=person).exclude(phase=Phase.CLOSED).exists():
        raise ValidationError(_("This person already has an open case."))
    case = Case.objects.create(
        person=person,
        organisation=person.organisation,
        responsible=responsible,
        referral_source=referral_source,
        referral_organisation=referral_organisation,
        referred_on=referred_on,
        on_waiting_list=on_waiting_list,
        phase=Phase.ACCESS,
    )
    PhaseChange.objects.create(
        case=case, to_phase=Phase.ACCESS, changed_on=referred_on, changed_by=actor_user(acting_user)
    )
    record(
        EventType.CASE_OPENED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"referral_source": referral_source, "waiting_list": on_waiting_list},
    )
    return case
