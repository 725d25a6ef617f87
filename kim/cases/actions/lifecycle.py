"""The case lifecycle: the phases of case management (DGCC) as actions with their own checks.

Allowed transitions (every other one is refused with a message naming the current phase)::

    access ─start_intake→ intake ─decide_indication(indicated)→ assessment
                                 └decide_indication(short counselling / not indicated)→ closed
    assessment ─finish_assessment→ planning ─agree_plan→ linking ─start_monitoring→ monitoring
    monitoring ─revise_plan→ planning;  monitoring ─resume_linking→ linking
    assessment … monitoring ─close_case→ closed;  closed accepts nothing.

The integration plan (goals, measures, agreement, revision) lives in ``actions.plan``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.accounts.models import Membership, Role
from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import (
    ACTIVE_PHASES,
    FINAL_GOAL_STATUSES,
    AssessmentEntry,
    Case,
    ClosingReason,
    Goal,
    GoalStatus,
    Indication,
    LifeArea,
    NeedLevel,
    Person,
    Phase,
    PhaseChange,
    ReferralSource,
    TargetGroupCriterion,
)
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user
from kim.organisations.models import Organisation

# Phases in which a case may be closed with ``close_case`` (intake ends via the indication).
CLOSABLE_PHASES = (Phase.ASSESSMENT, Phase.PLANNING, Phase.LINKING, Phase.MONITORING)
# Reasons ``close_case`` accepts; short counselling and "not indicated" come from the indication.
CLOSE_REASONS = (
    ClosingReason.GOALS_MET,
    ClosingReason.DROPPED_OUT,
    ClosingReason.MOVED_AWAY,
    ClosingReason.HANDED_OVER,
)
REFERRAL_FIELDS = ("referral_source", "referral_organisation", "referred_on")
REFERRAL_LABELS = {
    "referral_source": gettext_lazy("Referred by"),
    "referral_organisation": gettext_lazy("Referring organisation"),
    "referred_on": gettext_lazy("Referred on"),
}
# What each transition is called in the "only possible in phase …" message.
STEP_NAMES = {
    "start_intake": gettext_lazy("Starting the intake"),
    "triage": gettext_lazy("A waiting-list triage"),
    "indication": gettext_lazy("An indication decision"),
    "assessment": gettext_lazy("Recording the assessment"),
    "finish_assessment": gettext_lazy("Finishing the assessment"),
    "plan": gettext_lazy("Changing the integration plan"),
    "agree_plan": gettext_lazy("Agreeing the integration plan"),
    "start_monitoring": gettext_lazy("Starting the monitoring"),
    "review": gettext_lazy("Recording a review"),
    "revise_plan": gettext_lazy("Revising the integration plan"),
    "resume_linking": gettext_lazy("Returning to linking"),
    "close": gettext_lazy("Closing the case"),
    "edit": gettext_lazy("Changing the case"),
}


def check_case_manager(user: User, organisation: Organisation, field: str = "responsible") -> None:
    """``user`` must hold the case-manager role in ``organisation`` (city and Träger apart)."""
    if (
        not Membership.objects.active()
        .filter(user=user, organisation=organisation, role=Role.CASE_MANAGER)
        .exists()
    ):
        raise ValidationError(
            {
                field: _("%(name)s is not a case manager of %(org)s.")
                % {"name": user.get_full_name() or user.get_username(), "org": organisation.name}
            }
        )


def require_phase(case: Case, allowed: Sequence[str], step: str) -> None:
    """Refuse ``step`` unless the case is in one of the ``allowed`` phases (German message)."""
    if case.phase in allowed:
        return
    names = [str(Phase(p).label) for p in allowed]
    if len(names) == 1:
        message = _(
            "%(step)s is only possible in the phase %(allowed)s; "
            "the case is in the phase %(current)s."
        )
    else:
        message = _(
            "%(step)s is only possible in the phases %(allowed)s; "
            "the case is in the phase %(current)s."
        )
    raise ValidationError(
        message
        % {
            "step": STEP_NAMES[step],
            "allowed": ", ".join(names),
            "current": Phase(case.phase).label,
        },
        code="phase",
    )


def check_day(day: dt.date, case: Case, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date lies in the future.")})
    if day < case.referred_on:
        raise ValidationError({field: _("The date lies before the referral.")})


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


@transaction.atomic
def record_case_read(case: Case, *, acting_user: Actor) -> Case:
    """Reading a person's case file is an audit event (CONVENTIONS § 4)."""
    record(EventType.CASE_READ, actor=acting_user, subject=case, organisation=case.organisation)
    return case


# --- access and intake -----------------------------------------------------------------------


@transaction.atomic
def update_referral(
    case: Case,
    *,
    acting_user: Actor,
    expected_version: int,
    referral_source: str,
    referred_on: dt.date,
    referral_organisation: Organisation | None = None,
) -> Case:
    """Correct the referral data (optimistic locking on ``Case.version``)."""
    require_phase(case, ACTIVE_PHASES, "edit")
    current = lock_version(
        Case,
        case.pk,
        expected_version,
        fields=REFERRAL_FIELDS,
        labels={k: str(v) for k, v in REFERRAL_LABELS.items()},
    )
    if referral_source not in ReferralSource.values:
        raise ValidationError({"referral_source": _("Choose who referred the person.")})
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": _("The referral date lies in the future.")})
    new = {
        "referral_source": referral_source,
        "referral_organisation": referral_organisation,
        "referred_on": referred_on,
    }
    changed = sorted(f for f, v in new.items() if getattr(current, f) != v)
    for field, value in new.items():
        setattr(case, field, value)
    case.version = current.version + 1
    case.save()
    record(
        EventType.CASE_UPDATED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"fields": changed},
    )
    return case


@transaction.atomic
def triage_case(
    case: Case,
    *,
    acting_user: Actor,
    criteria: Iterable[TargetGroupCriterion],
    on_waiting_list: bool,
    day: dt.date | None = None,
) -> Case:
    """Score a case in access against its Kreis' target-group criteria valid on ``day``."""
    require_phase(case, (Phase.ACCESS,), "triage")
    day = day or timezone.localdate()
    criteria = list(criteria)
    region_id = case.organisation.region_id_or_self
    for criterion in criteria:
        if criterion.region_id != region_id or not (
            criterion.valid_from <= day
            and (criterion.valid_to is None or day <= criterion.valid_to)
        ):
            raise ValidationError(
                {"criteria": _("Choose only criteria of this Kreis that are valid today.")}
            )
    case.triage_score = sum(c.weight for c in criteria)
    case.on_waiting_list = on_waiting_list
    case.version += 1
    case.save()
    case.triage_criteria.set(criteria)
    record(
        EventType.CASE_TRIAGED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={
            "criteria": len(criteria),
            "score": case.triage_score,
            "waiting_list": on_waiting_list,
        },
    )
    return case


@transaction.atomic
def start_intake(case: Case, *, acting_user: Actor, day: dt.date | None = None) -> Case:
    """Access → intake; the case leaves the waiting list."""
    require_phase(case, (Phase.ACCESS,), "start_intake")
    case.on_waiting_list = False
    change_phase(case, Phase.INTAKE, acting_user=acting_user, day=day or timezone.localdate())
    return case


def _close(
    case: Case,
    *,
    acting_user: Actor,
    reason: str,
    closed_on: dt.date,
    handed_to: Organisation | None,
    note: str,
) -> None:
    case.closed_on, case.closing_reason, case.handed_to = closed_on, reason, handed_to
    case.closing_note = note or None
    case.next_review_on = None
    change_phase(case, Phase.CLOSED, acting_user=acting_user, day=closed_on)
    record(
        EventType.CASE_CLOSED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"reason": reason, "handed_over": handed_to is not None, "note": bool(note)},
    )


@transaction.atomic
def decide_indication(
    case: Case,
    *,
    acting_user: Actor,
    indication: str,
    reason: str,
    decided_on: dt.date,
    handed_to: Organisation | None = None,
) -> Case:
    """Intake → assessment when case management is indicated; otherwise the case closes at
    once (short counselling: handed to the regular service; not indicated: with a reason)."""
    require_phase(case, (Phase.INTAKE,), "indication")
    if indication not in Indication.values:
        raise ValidationError({"indication": _("Choose an indication.")})
    check_day(decided_on, case, "decided_on")
    if indication == Indication.SHORT_COUNSELLING and handed_to is None:
        raise ValidationError(
            {"handed_to": _("Name the regular service the person was referred to.")}
        )
    if indication == Indication.NOT_INDICATED and not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason why case management is not indicated.")}
        )
    case.indication, case.indication_reason = indication, reason.strip() or None
    case.indicated_on = decided_on
    record(
        EventType.CASE_UPDATED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={
            "fields": ["indication", "indication_reason", "indicated_on"],
            "indication": indication,
        },
    )
    if indication == Indication.INDICATED:
        change_phase(case, Phase.ASSESSMENT, acting_user=acting_user, day=decided_on)
    else:
        _close(
            case,
            acting_user=acting_user,
            reason=indication,  # the closing reasons share these two values
            closed_on=decided_on,
            handed_to=handed_to if indication == Indication.SHORT_COUNSELLING else None,
            note="",
        )
    return case


# --- assessment ------------------------------------------------------------------------------

AssessmentInput = tuple[str, str, str]  # need, needs text, resources text


@transaction.atomic
def record_assessment(
    case: Case,
    *,
    acting_user: Actor,
    entries: Mapping[LifeArea, AssessmentInput],
    assessed_on: dt.date,
) -> Case:
    """Needs and resources per life area; at least one area with a need."""
    require_phase(case, (Phase.ASSESSMENT,), "assessment")
    check_day(assessed_on, case, "assessed_on")
    if any(not area.is_valid_on(assessed_on) for area in entries):
        raise ValidationError(_("Use only life areas that are valid on the assessment date."))
    if any(need not in NeedLevel.values for need, _n, _r in entries.values()):
        raise ValidationError(_("Choose a need level for every life area."))
    if not any(need != NeedLevel.NONE for need, _n, _r in entries.values()):
        raise ValidationError(_("Record a need in at least one life area."))
    for area, (need, needs_text, resources_text) in entries.items():
        AssessmentEntry.objects.update_or_create(
            case=case,
            life_area=area,
            defaults={
                "need": need,
                "needs_text": needs_text.strip() or None,
                "resources_text": resources_text.strip() or None,
                "assessed_on": assessed_on,
            },
        )
    record(
        EventType.CASE_ASSESSED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"life_areas": sorted(a.key for a in entries)},
    )
    return case


@transaction.atomic
def finish_assessment(case: Case, *, acting_user: Actor, day: dt.date | None = None) -> Case:
    """Assessment → planning, once a need has been recorded."""
    require_phase(case, (Phase.ASSESSMENT,), "finish_assessment")
    if not AssessmentEntry.objects.filter(case=case).exclude(need=NeedLevel.NONE).exists():
        raise ValidationError(_("Record a need in at least one life area first."))
    change_phase(case, Phase.PLANNING, acting_user=acting_user, day=day or timezone.localdate())
    return case


# --- linking, monitoring -----------------------------------------------------------------------


@transaction.atomic
def start_monitoring(
    case: Case, *, acting_user: Actor, next_review_on: dt.date, day: dt.date | None = None
) -> Case:
    require_phase(case, (Phase.LINKING,), "start_monitoring")
    day = day or timezone.localdate()
    if next_review_on <= day:
        raise ValidationError({"next_review_on": _("The next review must lie in the future.")})
    case.next_review_on = next_review_on
    change_phase(case, Phase.MONITORING, acting_user=acting_user, day=day)
    return case


def _set_goal_statuses(
    case: Case, statuses: Mapping[Goal, str], *, acting_user: Actor, allowed: Sequence[str]
) -> int:
    changed = 0
    for goal, status in statuses.items():
        if goal.case_id != case.pk:
            raise ValidationError(_("The goal does not belong to this case."))
        if status not in allowed:
            raise ValidationError({f"goal_{goal.code}": _("Choose a valid status.")})
        if goal.status == status:
            continue
        previous, goal.status = goal.status, status
        goal.save(update_fields=["status"])
        changed += 1
        record(
            EventType.GOAL_STATUS_CHANGED,
            actor=acting_user,
            subject=goal,
            organisation=case.organisation,
            extra={"case": case.code, "from": previous, "to": status},
        )
    return changed


@transaction.atomic
def record_review(
    case: Case,
    *,
    acting_user: Actor,
    reviewed_on: dt.date,
    next_review_on: dt.date,
    goal_statuses: Mapping[Goal, str] | None = None,
) -> Case:
    """A monitoring review: goal statuses and the date of the next review."""
    require_phase(case, (Phase.MONITORING,), "review")
    check_day(reviewed_on, case, "reviewed_on")
    if next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": _("The next review must follow this review.")})
    changed = _set_goal_statuses(
        case, goal_statuses or {}, acting_user=acting_user, allowed=GoalStatus.values
    )
    case.next_review_on = next_review_on
    case.version += 1
    case.save()
    record(
        EventType.REVIEW_RECORDED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"goals_changed": changed},
    )
    return case


@transaction.atomic
def resume_linking(case: Case, *, acting_user: Actor, day: dt.date | None = None) -> Case:
    """Monitoring → linking (e.g. a new referral is needed within the agreed plan)."""
    require_phase(case, (Phase.MONITORING,), "resume_linking")
    case.next_review_on = None
    change_phase(case, Phase.LINKING, acting_user=acting_user, day=day or timezone.localdate())
    return case


# --- closing and assignment --------------------------------------------------------------------


@transaction.atomic
def close_case(
    case: Case,
    *,
    acting_user: Actor,
    reason: str,
    closed_on: dt.date,
    attainment: Mapping[Goal, str] | None = None,
    handed_to: Organisation | None = None,
    note: str = "",
) -> Case:
    """Close the case; every goal gets its final status (goal attainment)."""
    require_phase(case, CLOSABLE_PHASES, "close")
    if reason not in CLOSE_REASONS:
        raise ValidationError({"reason": _("Choose a closing reason.")})
    check_day(closed_on, case, "closed_on")
    if reason == ClosingReason.HANDED_OVER and handed_to is None:
        raise ValidationError({"handed_to": _("Name the organisation the case was handed to.")})
    attainment = attainment or {}
    missing = Goal.objects.filter(case=case).exclude(pk__in=[g.pk for g in attainment])
    if missing.exists():
        raise ValidationError(_("Give every goal of the plan its final status."))
    _set_goal_statuses(case, attainment, acting_user=acting_user, allowed=FINAL_GOAL_STATUSES)
    _close(
        case,
        acting_user=acting_user,
        reason=reason,
        closed_on=closed_on,
        handed_to=handed_to,
        note=note.strip(),
    )
    return case


@transaction.atomic
def assign_case(
    case: Case, *, acting_user: Actor, responsible: User, deputies: Iterable[User]
) -> Case:
    """Set the responsible case manager and the deputies (all case managers of the case's
    organisation). Who may change which part is decided by the caller (``can_assign_case``)."""
    require_phase(case, ACTIVE_PHASES, "edit")
    deputies = [d for d in deputies if d.pk != responsible.pk]
    check_case_manager(responsible, case.organisation)
    for deputy in deputies:
        check_case_manager(deputy, case.organisation, field="deputies")
    before = {case.responsible_id, *case.deputies.values_list("pk", flat=True)}
    responsible_changed = case.responsible_id != responsible.pk
    case.responsible = responsible
    case.version += 1
    case.save()
    case.deputies.set(deputies)
    case.deputy_ids = frozenset(d.pk for d in deputies)  # type: ignore[attr-defined]
    record(
        EventType.CASE_ASSIGNED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={
            "responsible_changed": responsible_changed,
            "deputies": len(deputies),
            "users_changed": len(before ^ {responsible.pk, *(d.pk for d in deputies)}),
        },
    )
    return case
