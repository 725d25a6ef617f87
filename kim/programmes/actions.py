"""Every change to the programme: positions and their history, staff, grants, rates, scenarios.

Each action runs in one transaction and writes its audit event there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.models import Actor, actor_user
from kim.organisations.models import Organisation
from kim.programmes.models import (
    STATUS_TRANSITIONS,
    AllocationScenario,
    FundingPeriod,
    FundingRate,
    Grant,
    Incumbency,
    Position,
    PositionStatus,
    PositionStatusChange,
    Qualification,
    StaffMember,
)

POSITION_FIELDS = (
    "baustein",
    "title",
    "vze",
    "home",
    "unit",
    "employer_type",
    "rate_kind",
    "tasks",
    "pay_group",
    "entry_step",
    "step_since",
)


@transaction.atomic
def create_position(
    *,
    acting_user: Actor,
    region: Organisation,
    status: str = PositionStatus.PLANNED,
    status_from: dt.date,
    scenario: Any = None,
    **fields: Any,
) -> Position:
    position = Position(
        region=region,
        scenario=scenario,
        **{k: v for k, v in fields.items() if k in POSITION_FIELDS},
    )
    if position.home_id is not None and position.home.region_id_or_self != region.pk:
        raise ValidationError({"home": _("The organisational home must belong to this Kreis.")})
    position.full_clean()
    position.save()
    PositionStatusChange.objects.create(
        position=position,
        status=status,
        valid_from=status_from,
        recorded_by=actor_user(acting_user),
    )
    record(
        EventType.POSITION_CREATED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"baustein": position.baustein, "vze": str(position.vze), "status": status},
    )
    return position


@transaction.atomic
def update_position(
    position: Position, *, acting_user: Actor, expected_version: int, **fields: Any
) -> Position:
    current = Position.objects.select_for_update().get(pk=position.pk)
    if current.version != expected_version:
        raise ValidationError(
            _(
                "This position was changed by someone else in the meantime. "
                "Please reload the page and enter your changes again."
            )
        )
    changed = [k for k, v in fields.items() if k in POSITION_FIELDS and getattr(current, k) != v]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, fields[name])
    if current.home.region_id_or_self != current.region_id:
        raise ValidationError({"home": _("The organisational home must belong to this Kreis.")})
    current.full_clean()
    current.version += 1
    current.save()
    record(
        EventType.POSITION_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current.home,
        extra={"fields": sorted(changed)},
    )
    return current


@transaction.atomic
def change_position_status(
    position: Position, *, acting_user: Actor, status: str, valid_from: dt.date, note: str = ""
) -> PositionStatusChange:
    """Append a status to the history. Only forward in time and along allowed transitions."""
    last = (
        PositionStatusChange.objects.select_for_update()
        .filter(position=position)
        .order_by("-valid_from", "-id")
        .first()
    )
    if last is not None:
        if valid_from < last.valid_from:
            raise ValidationError(
                {
                    "valid_from": _(
                        "The history can only be continued: the last change is dated %(date)s."
                    )
                    % {"date": last.valid_from.strftime("%d.%m.%Y")}
                }
            )
        if status not in STATUS_TRANSITIONS[last.status]:
            raise ValidationError(
                {
                    "status": _("A position cannot go from “%(old)s” to “%(new)s”.")
                    % {
                        "old": PositionStatus(last.status).label,
                        "new": PositionStatus(status).label,
                    }
                }
            )
    change = PositionStatusChange.objects.create(
        position=position,
        status=status,
        valid_from=valid_from,
        note=note,
        recorded_by=actor_user(acting_user),
    )
    record(
        EventType.POSITION_STATUS_CHANGED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"status": status, "valid_from": valid_from.isoformat()},
    )
    return change


@transaction.atomic
def create_staff_member(
    *, acting_user: Actor, employer: Organisation, pseudonym: str, name: str = ""
) -> StaffMember:
    """A staff record of ``employer`` (the organisation hosting the posts the person holds)."""
    region_id = employer.region_id_or_self
    if region_id is None:
        raise ValidationError(_("Staff are employed by an organisation of a Kreis."))
    staff = StaffMember(region_id=region_id, employer=employer, pseudonym=pseudonym, name=name)
    staff.full_clean()
    staff.save()
    record(EventType.STAFF_CREATED, actor=acting_user, subject=staff, organisation=employer)
    return staff


@transaction.atomic
def record_qualification(
    staff: StaffMember, *, acting_user: Actor, state: str, on: dt.date, provider: str = ""
) -> Qualification:
    qualification = Qualification(staff=staff, state=state, on=on, provider=provider)
    qualification.full_clean()
    qualification.save()
    record(
        EventType.STAFF_QUALIFICATION_RECORDED,
        actor=acting_user,
        subject=staff,
        extra={"state": state, "on": on.isoformat()},
    )
    return qualification


@transaction.atomic
def assign_incumbent(
    position: Position,
    *,
    acting_user: Actor,
    staff: StaffMember,
    start: dt.date,
    end: dt.date | None = None,
) -> Incumbency:
    """Put a staff member on the post; the post's status becomes ``filled`` from ``start``.

    Only staff of the post's employing organisation (its home) may hold it (decisions D-046).
    """
    if staff.employer_id != position.home_id:
        raise ValidationError({"staff": _("The staff member is employed by another organisation.")})
    overlapping = [i for i in position.incumbencies.all() if i.end is None or i.end >= start]
    total_share = len(overlapping)
    if total_share and position.vze <= Decimal(1):
        raise ValidationError(
            {
                "start": _("The post is still held by %(who)s on this date; end that first.")
                % {"who": overlapping[0].staff.pseudonym}
            }
        )
    needs_status = position.status_on(start) != PositionStatus.FILLED
    if needs_status:
        _check_fillable(position, start)
    incumbency = Incumbency(position=position, staff=staff, start=start, end=end)
    incumbency.full_clean()
    incumbency.save()
    if needs_status:
        try:
            change_position_status(
                position, acting_user=acting_user, status=PositionStatus.FILLED, valid_from=start
            )
        except ValidationError as exc:  # a rule _check_fillable does not know yet
            raise ValidationError({"start": exc.messages}) from exc
    record(
        EventType.POSITION_INCUMBENT_ASSIGNED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"staff": staff.code, "start": start.isoformat()},
    )
    return incumbency


def _check_history_reaches(
    position: Position, day: dt.date, *, field: str, shift: dt.timedelta = dt.timedelta(0)
) -> PositionStatusChange | None:
    """A status from ``day`` only continues the history (``change_position_status``): refuse
    an earlier day next to ``field``, naming the earliest possible value (``day - shift``)."""
    last = position.status_changes.order_by("-valid_from", "-id").first()
    if last is not None and day < last.valid_from:
        raise ValidationError(
            {
                field: _(
                    "The post's history is recorded up to %(date)s: the earliest possible date "
                    "here is %(earliest)s."
                )
                % {
                    "date": last.valid_from.strftime("%d.%m.%Y"),
                    "earliest": (last.valid_from - shift).strftime("%d.%m.%Y"),
                }
            }
        )
    return last


def _check_fillable(position: Position, start: dt.date) -> None:
    """The status history must allow ``filled`` from ``start``; refusals name ``start``, the
    only date the holder forms and the API ask for (a post's status is not theirs to set)."""
    last = _check_history_reaches(position, start, field="start")
    if last is None or PositionStatus.FILLED in STATUS_TRANSITIONS[last.status]:
        return
    if last.status == PositionStatus.PLANNED:
        message = _(
            "The post is only planned on this date: record its approval (status) first, then "
            "its holder."
        )
    elif last.status == PositionStatus.DISCONTINUED:
        message = _("The post is discontinued on this date and takes no holder.")
    else:
        message = _("A post in status “%(status)s” cannot be filled on this date.") % {
            "status": PositionStatus(last.status).label
        }
    raise ValidationError({"start": message})


@transaction.atomic
def end_incumbency(incumbency: Incumbency, *, acting_user: Actor, end: dt.date) -> Incumbency:
    """End a holder's time on the post; without another holder the post is vacant the next day."""
    if end < incumbency.start:
        raise ValidationError({"end": _("The end date lies before the start date.")})
    position = incumbency.position
    next_day = end + dt.timedelta(days=1)
    still_held = [
        i for i in position.incumbencies.all() if i.pk != incumbency.pk and i.covers(next_day)
    ]
    becomes_vacant = not still_held and position.status_on(next_day) == PositionStatus.FILLED
    if becomes_vacant:
        _check_history_reaches(position, next_day, field="end", shift=dt.timedelta(days=1))
    incumbency.end = end
    incumbency.save(update_fields=["end"])
    if becomes_vacant:
        try:
            change_position_status(
                position, acting_user=acting_user, status=PositionStatus.VACANT, valid_from=next_day
            )
        except ValidationError as exc:  # a rule _check_history_reaches does not know yet
            raise ValidationError({"end": exc.messages}) from exc
    record(
        EventType.POSITION_INCUMBENT_ENDED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"staff": incumbency.staff.code, "end": end.isoformat()},
    )
    return incumbency


@transaction.atomic
def set_funding_period(
    position: Position,
    *,
    acting_user: Actor,
    source: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    note: str = "",
) -> FundingPeriod:
    period = FundingPeriod(
        position=position, source=source, valid_from=valid_from, valid_to=valid_to, note=note
    )
    period.full_clean()
    clash = [
        p
        for p in position.funding_periods.all()
        if (p.valid_to is None or p.valid_to >= valid_from)
        and (valid_to is None or p.valid_from <= valid_to)
    ]
    if clash:
        raise ValidationError(
            {"valid_from": _("This period overlaps another funding period of the post.")}
        )
    period.save()
    record(
        EventType.POSITION_FUNDING_SET,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"source": source, "valid_from": valid_from.isoformat()},
    )
    return period


@transaction.atomic
def create_grant(*, acting_user: Actor, **fields: Any) -> Grant:
    grant = Grant(**fields)
    grant.full_clean()
    grant.save()
    record(
        EventType.GRANT_RECORDED,
        actor=acting_user,
        subject=grant,
        organisation=grant.recipient,
        extra={"year": grant.year, "baustein": grant.baustein, "amount": str(grant.amount)},
    )
    return grant


@transaction.atomic
def load_reference_data(*, acting_user: Actor) -> dict[str, int]:
    """Load the public facts of ``reference_data`` (pay tables, step rules, special payments,
    employer add-on, funding rates) into their tables. Idempotent: existing rows (same natural
    key) are left as they are, so locally corrected values survive a reload."""
    from kim.programmes import reference_data as ref
    from kim.programmes.models import (
        EmployerAddOn,
        FundingRate,
        PayTableEntry,
        SpecialPaymentRate,
        StepRule,
    )

    counts = {"pay": 0, "steps": 0, "special": 0, "addon": 0, "rates": 0}
    for row in ref.PAY_TABLE:
        for step, amount in enumerate(row.amounts, start=1):
            _, created = PayTableEntry.objects.get_or_create(
                group=row.group,
                step=step,
                valid_from=row.valid_from,
                defaults={
                    "scale": row.scale,
                    "amount": amount,
                    "computed": row.computed,
                    "rule": row.rule,
                    "source": row.source[:500],
                },
            )
            counts["pay"] += created
    for rule in ref.STEP_RULES:
        _, created = StepRule.objects.get_or_create(
            scale=rule.scale,
            step=rule.step,
            defaults={"years": rule.years, "source": rule.source[:500]},
        )
        counts["steps"] += created
    for rate in ref.SPECIAL_PAYMENT_RATES:
        _, created = SpecialPaymentRate.objects.get_or_create(
            scale=rate.scale,
            group_from=rate.group_from,
            group_to=rate.group_to,
            valid_from=rate.valid_from,
            defaults={"valid_to": rate.valid_to, "rate": rate.rate, "source": rate.source[:500]},
        )
        counts["special"] += created
    for addon in ref.EMPLOYER_ADD_ONS:
        _, created = EmployerAddOn.objects.get_or_create(
            valid_from=addon.valid_from,
            defaults={
                "factor": addon.factor,
                "breakdown": [[label, str(value)] for label, value in addon.breakdown],
                "confirmed": addon.confirmed,
                "source": addon.source[:500],
            },
        )
        counts["addon"] += created
    for fact in ref.FUNDING_RATES:
        _, created = FundingRate.objects.get_or_create(
            baustein=fact.baustein,
            kind=fact.kind,
            valid_from=fact.valid_from,
            defaults={
                "amount": fact.amount,
                "valid_to": fact.valid_to,
                "confirmed": fact.confirmed,
                "source": fact.source[:500],
                "note": fact.note[:500],
            },
        )
        counts["rates"] += created
    if any(counts.values()):
        record(
            EventType.REFERENCE_DATA_LOADED,
            actor=acting_user,
            subject_type="programmes.reference",
            extra=counts,
        )
    return counts


@transaction.atomic
def assign_incumbent_or_new_staff(
    position: Position,
    *,
    acting_user: Actor,
    start: dt.date,
    staff: StaffMember | None = None,
    new_pseudonym: str = "",
    new_name: str = "",
) -> Incumbency:
    """The form's path: an existing staff member, or a new one created in the same transaction."""
    if staff is None:
        if StaffMember.objects.filter(
            region_id=position.region_id, pseudonym=new_pseudonym
        ).exists():
            raise ValidationError(
                {"new_pseudonym": _("This pseudonym is already in use in this Kreis.")}
            )
        staff = create_staff_member(
            acting_user=acting_user, employer=position.home, pseudonym=new_pseudonym, name=new_name
        )
    return assign_incumbent(position, acting_user=acting_user, staff=staff, start=start)


@transaction.atomic
def save_scenario(
    *, acting_user: Actor, inputs: Any, name: str, baustein: str
) -> AllocationScenario:
    """Compute an allocation (``allocation.Inputs``) and keep inputs and result together."""
    from kim.programmes import allocation

    result, source, _claimants = allocation.run(inputs)
    scenario = AllocationScenario.objects.create(
        region=inputs.region,
        baustein=baustein,
        name=name,
        total=inputs.total,
        step=inputs.step,
        minimum=inputs.minimum,
        method=inputs.method,
        key=inputs.key,
        as_of=inputs.as_of,
        pools=[{"name": p.name, "ags": list(p.ags)} for p in inputs.pools],
        custom_weights={k: str(v) for k, v in (inputs.custom_weights or {}).items()},
        key_source=source[:500],
        result=allocation.result_to_json(result, source, inputs.pools),
        created_by=actor_user(acting_user),
    )
    record(
        EventType.SCENARIO_SAVED,
        actor=acting_user,
        subject=scenario,
        organisation=inputs.region,
        extra={"method": inputs.method, "total": str(inputs.total), "key": inputs.key},
    )
    return scenario


def _stored_title(baustein: str, name: str, number: int) -> str:
    """Titles are data: always in the platform's language, not the adopting user's."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(baustein)s %(name)s, post %(n)d") % {
            "baustein": baustein,
            "name": name,
            "n": number,
        }


def _chunks(vze: Decimal) -> list[Decimal]:
    """Split an allocation into posts of at most one VZÄ (5.0 → 5 × 1.0; 1.5 → 1.0 + 0.5)."""
    whole, rest = divmod(vze, Decimal(1))
    return [Decimal(1)] * int(whole) + ([rest] if rest else [])


@transaction.atomic
def adopt_scenario(
    scenario: AllocationScenario, *, acting_user: Actor, planned_from: dt.date
) -> list[Position]:
    """Turn a scenario into planned posts (at most 1 VZÄ each) per town, or per pool hosted by
    its first town. Posts of this Kreis and Baustein that are still only *planned* from an
    earlier adoption are discontinued first; approved, advertised or filled posts are untouched."""
    earlier = [
        p
        for p in Position.objects.filter(region=scenario.region, baustein=scenario.baustein)
        .exclude(scenario=None)
        .prefetch_related("status_changes")
        if p.status_on(dt.date.max) == PositionStatus.PLANNED
    ]
    for position in earlier:
        change_position_status(
            position,
            acting_user=acting_user,
            status=PositionStatus.DISCONTINUED,
            valid_from=max(planned_from, list(position.status_changes.all())[-1].valid_from),
            note=_("replaced by scenario “%(name)s”") % {"name": scenario.name},
        )
    homes = {o.ags: o for o in Organisation.objects.filter(region=scenario.region)}
    created = []
    for row in scenario.result["rows"]:
        home = homes[row["members"][0]]
        for number, vze in enumerate(_chunks(Decimal(row["allocated"])), start=1):
            created.append(
                create_position(
                    acting_user=acting_user,
                    region=scenario.region,
                    status_from=planned_from,
                    scenario=scenario,
                    baustein=scenario.baustein,
                    title=_stored_title(scenario.baustein, row["name"], number),
                    vze=vze,
                    home=home,
                    employer_type="municipal",
                    tasks="",
                )
            )
    AllocationScenario.objects.filter(pk=scenario.pk).update(adopted_at=timezone.now())
    record(
        EventType.SCENARIO_ADOPTED,
        actor=acting_user,
        subject=scenario,
        organisation=scenario.region,
        extra={"created": len(created), "replaced": len(earlier)},
    )
    return created


@transaction.atomic
def record_funding_rate(*, acting_user: Actor, **fields: Any) -> FundingRate:
    """A new rate (e.g. a confirmed amount replacing an unconfirmed default from a date on)."""
    rate = FundingRate(**fields)
    rate.full_clean()
    overlapping = FundingRate.objects.filter(baustein=rate.baustein, kind=rate.kind).exclude(
        valid_to__lt=rate.valid_from
    )
    if rate.valid_to is not None:
        overlapping = overlapping.exclude(valid_from__gt=rate.valid_to)
    if overlapping.exists():
        raise ValidationError(
            {"valid_from": _("Another rate of this kind is valid in this period; end it first.")}
        )
    rate.save()
    record(
        EventType.FUNDING_RATE_RECORDED,
        actor=acting_user,
        subject=rate,
        extra={"baustein": rate.baustein, "kind": rate.kind, "amount": str(rate.amount)},
    )
    return rate
