"""The legal-sphere timeline (residence and benefit periods) and the tasks it causes.

After every change ``sync_transition_tasks`` derives the dated tasks for upcoming status
transitions from the timeline, one per source row and kind (``Task.source_key``):

- ``expiry:<period>``: a Duldung, Aufenthaltserlaubnis or Fiktionsbescheinigung ends and no
  follow-up period is recorded → clarify extension or follow-up status, due ``notice`` days
  before the end (``CaseloadRule.transition_notice_days`` of the case's organisation).
- ``gestattung:<period>``: an Aufenthaltsgestattung ends without a follow-up status → clarify
  the outcome of the asylum procedure, due ``notice`` days before the end.
- ``recognition:<period>``: a protection permit (Aufenthaltserlaubnis § 25 …) starts while
  AsylbLG is paid → apply for SGB II at the Jobcenter, due 14 days after the permit starts.

Open tasks whose reason has gone (a follow-up status or SGB II was recorded) are marked done
by the system; done tasks are never touched again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import (
    BenefitPeriod,
    BenefitSystem,
    Case,
    ResidencePeriod,
    ResidenceStatus,
    Task,
    TaskKind,
)
from kim.cases.queries.worklists import caseload_rule
from kim.core.models import Actor, actor_user
from kim.organisations.models import Organisation

EXPIRING_STATUSES = (
    ResidenceStatus.DULDUNG,
    ResidenceStatus.AUFENTHALTSERLAUBNIS,
    ResidenceStatus.FIKTION,
)
RECOGNITION_DELAY = dt.timedelta(days=14)


def _d(day: dt.date) -> str:
    return str(formats.date_format(day, "SHORT_DATE_FORMAT"))


def _check_range(valid_from: dt.date, valid_until: dt.date | None) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end lies before the start.")})


def _check_no_overlap(
    case: Case, valid_from: dt.date, valid_until: dt.date | None, exclude: int | None = None
) -> None:
    others = ResidencePeriod.objects.filter(person_id=case.person_id)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if valid_until is not None:
        others = others.filter(valid_from__lte=valid_until)
    clash = (
        others.exclude(valid_until__lt=valid_from).order_by("valid_from").first()
    )  # open-ended or ending on/after the new start
    if clash is not None:
        until = _d(clash.valid_until) if clash.valid_until else _("open-ended")
        raise ValidationError(
            {
                "valid_from": _(
                    "Overlaps with the residence period from %(start)s to %(end)s (%(status)s)."
                )
                % {
                    "start": _d(clash.valid_from),
                    "end": until,
                    "status": ResidenceStatus(clash.status).label,
                }
            }
        )


@transaction.atomic
def record_residence_period(
    case: Case,
    *,
    acting_user: Actor,
    status: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    section: str = "",
    authority: Organisation | None = None,
    file_reference: str = "",
) -> ResidencePeriod:
    """A residence status of the case's person; periods of one person never overlap."""
    if status not in ResidenceStatus.values:
        raise ValidationError({"status": _("Choose a residence status.")})
    _check_range(valid_from, valid_until)
    _check_no_overlap(case, valid_from, valid_until)
    period = ResidencePeriod.objects.create(
        person_id=case.person_id,
        status=status,
        section=section.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        authority=authority,
        file_reference=file_reference.strip() or None,
    )
    record(
        EventType.RESIDENCE_RECORDED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={
            "status": status,
            "fields": _filled(section, valid_until, authority, file_reference),
        },
    )
    sync_transition_tasks(case, acting_user=acting_user)
    return period


@transaction.atomic
def end_residence_period(
    period: ResidencePeriod, case: Case, *, acting_user: Actor, valid_until: dt.date
) -> ResidencePeriod:
    """Set (or move) the end of a residence period, e.g. the day before a new status starts."""
    if period.person_id != case.person_id:
        raise ValueError("period of another person")
    _check_range(period.valid_from, valid_until)
    _check_no_overlap(case, period.valid_from, valid_until, exclude=period.pk)
    period.valid_until = valid_until
    period.save(update_fields=["valid_until"])
    record(
        EventType.RESIDENCE_RECORDED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"status": period.status, "fields": ["valid_until"], "changed": True},
    )
    sync_transition_tasks(case, acting_user=acting_user)
    return period


@transaction.atomic
def record_benefit_period(
    case: Case,
    *,
    acting_user: Actor,
    system: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    authority: Organisation | None = None,
    file_reference: str = "",
) -> BenefitPeriod:
    """A benefit the case's person receives (AsylbLG, SGB II …)."""
    if system not in BenefitSystem.values:
        raise ValidationError({"system": _("Choose a benefit system.")})
    _check_range(valid_from, valid_until)
    period = BenefitPeriod.objects.create(
        person_id=case.person_id,
        system=system,
        valid_from=valid_from,
        valid_until=valid_until,
        authority=authority,
        file_reference=file_reference.strip() or None,
    )
    record(
        EventType.BENEFIT_RECORDED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"system": system, "fields": _filled("", valid_until, authority, file_reference)},
    )
    sync_transition_tasks(case, acting_user=acting_user)
    return period


def _filled(
    section: str, valid_until: dt.date | None, authority: object, file_reference: str
) -> list[str]:
    values = {
        "section": section,
        "valid_until": valid_until,
        "authority": authority,
        "file_reference": file_reference,
    }
    return sorted(k for k, v in values.items() if v)


# --- transition tasks ------------------------------------------------------------------------


@dataclass(frozen=True)
class WantedTask:
    source_key: str
    title: str
    due_on: dt.date


def _has_follow_up(period: ResidencePeriod, periods: list[ResidencePeriod]) -> bool:
    assert period.valid_until is not None
    return any(
        p.pk != period.pk
        and p.valid_from > period.valid_from
        and p.valid_from <= period.valid_until + dt.timedelta(days=1)
        for p in periods
    )


def _is_protection_permit(period: ResidencePeriod) -> bool:
    section = period.section.replace(" ", "").replace("\u00a0", "")
    return period.status == ResidenceStatus.AUFENTHALTSERLAUBNIS and section.startswith("§25")


def _benefit_open_on(benefits: list[BenefitPeriod], system: str, day: dt.date) -> bool:
    return any(
        b.system == system
        and b.valid_from <= day
        and (b.valid_until is None or b.valid_until >= day)
        for b in benefits
    )


def _sgb_ii_since(benefits: list[BenefitPeriod], day: dt.date) -> bool:
    return any(b.system == BenefitSystem.SGB_II and b.valid_from >= day for b in benefits)


def _expiry_task(period: ResidencePeriod, notice: dt.timedelta) -> WantedTask:
    assert period.valid_until is not None
    if period.status == ResidenceStatus.GESTATTUNG:
        return WantedTask(
            f"gestattung:{period.pk}",
            _(
                "Aufenthaltsgestattung ends on %(date)s without a follow-up status – clarify "
                "the outcome of the asylum procedure"
            )
            % {"date": _d(period.valid_until)},
            period.valid_until - notice,
        )
    return WantedTask(
        f"expiry:{period.pk}",
        _("%(status)s expires on %(date)s – clarify extension or follow-up status")
        % {"status": _short_status(period.status), "date": _d(period.valid_until)},
        period.valid_until - notice,
    )


def _short_status(status: str) -> str:
    return {
        ResidenceStatus.DULDUNG: "Duldung",
        ResidenceStatus.AUFENTHALTSERLAUBNIS: "Aufenthaltserlaubnis",
        ResidenceStatus.FIKTION: "Fiktionsbescheinigung",
    }.get(ResidenceStatus(status), str(ResidenceStatus(status).label))


def wanted_transition_tasks(case: Case, today: dt.date) -> list[WantedTask]:
    """The transition tasks the case's timeline calls for (pure apart from two reads)."""
    rule = caseload_rule(case.organisation_id, today)
    notice = dt.timedelta(days=rule.transition_notice_days if rule else 60)
    periods = list(ResidencePeriod.objects.filter(person_id=case.person_id))
    benefits = list(BenefitPeriod.objects.filter(person_id=case.person_id))
    wanted = []
    for period in periods:
        expiring = period.status in (*EXPIRING_STATUSES, ResidenceStatus.GESTATTUNG)
        if expiring and period.valid_until and not _has_follow_up(period, periods):
            wanted.append(_expiry_task(period, notice))
        if (
            _is_protection_permit(period)
            and _benefit_open_on(benefits, BenefitSystem.ASYLBLG, period.valid_from)
            and not _sgb_ii_since(benefits, period.valid_from)
        ):
            wanted.append(
                WantedTask(
                    f"recognition:{period.pk}",
                    _("Switch AsylbLG → SGB II (Jobcenter): apply"),
                    period.valid_from + RECOGNITION_DELAY,
                )
            )
    return wanted


def sync_transition_tasks(case: Case, *, acting_user: Actor) -> list[Task]:
    """Create or update the transition tasks of ``case``; close those no longer called for.

    Titles are stored in the platform language (German), whoever triggers the sync.
    """
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        wanted = {w.source_key: w for w in wanted_transition_tasks(case, today)}
    existing = {
        t.source_key: t
        for t in Task.objects.filter(case=case, kind=TaskKind.TRANSITION).exclude(source_key="")
    }
    changed = []
    for key, want in wanted.items():
        task = existing.get(key)
        if task is None:
            changed.append(_create(case, want, acting_user))
        elif task.done_on is None and (task.title, task.due_on) != (want.title, want.due_on):
            task.title, task.due_on = want.title, want.due_on
            task.save(update_fields=["title", "due_on"])
            changed.append(task)
    for key, task in existing.items():
        if key not in wanted and task.done_on is None:
            changed.append(_close(task, case, acting_user, today, reason="superseded"))
    return changed


def _create(case: Case, want: WantedTask, acting_user: Actor) -> Task:
    task = Task.objects.create(
        case=case,
        kind=TaskKind.TRANSITION,
        title=want.title,
        due_on=want.due_on,
        source_key=want.source_key,
        created_by=actor_user(acting_user),
    )
    record(
        EventType.TASK_CREATED,
        actor=acting_user,
        subject=task,
        organisation=case.organisation,
        extra={"kind": TaskKind.TRANSITION, "case": case.code, "source": want.source_key},
    )
    return task


def _close(task: Task, case: Case, acting_user: Actor, day: dt.date, reason: str) -> Task:
    task.done_on = day
    task.save(update_fields=["done_on"])
    record(
        EventType.TASK_DONE,
        actor=acting_user,
        subject=task,
        organisation=case.organisation,
        extra={"case": case.code, "reason": reason},
    )
    return task


@transaction.atomic
def create_task(case: Case, *, acting_user: Actor, title: str, due_on: dt.date) -> Task:
    """A manual to-do on the case."""
    if not title.strip():
        raise ValidationError({"title": _("Describe the task.")})
    task = Task.objects.create(
        case=case,
        kind=TaskKind.MANUAL,
        title=title.strip(),
        due_on=due_on,
        created_by=actor_user(acting_user),
    )
    record(
        EventType.TASK_CREATED,
        actor=acting_user,
        subject=task,
        organisation=case.organisation,
        extra={"kind": TaskKind.MANUAL, "case": case.code},
    )
    return task


@transaction.atomic
def complete_task(task: Task, case: Case, *, acting_user: Actor) -> Task:
    """Mark a task of ``case`` done (today); a done task stays done."""
    if task.case_id != case.pk:
        raise ValueError("task of another case")
    if task.done_on is not None:
        raise ValidationError(_("This task is done already."))
    return _close(task, case, acting_user, timezone.localdate(), reason="done")
