"""Changes to actual cost, payroll imports and Land payments (decisions D-086).

Each action runs in one transaction and writes one audit event there. Audit extras carry
counts and months, never a person's amount.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user
from kim.organisations.models import Organisation
from kim.programmes.models import (
    ActualCost,
    CostKind,
    CostSource,
    Grant,
    GrantPayment,
    PayrollImport,
    Position,
)
from kim.programmes.payroll import (
    MAX_AMOUNT,
    PayrollFileError,
    check_month,
    parse_payroll_file,
)

COST_FIELDS = ("amount", "note")
COST_LABELS = {"amount": gettext_lazy("Amount (€)"), "note": gettext_lazy("Note")}


def _labels() -> dict[str, str]:
    """The conflict table's field labels, in the request's language."""
    return {key: str(label) for key, label in COST_LABELS.items()}


def _check_amount(amount: Decimal) -> None:
    if amount < 0:
        raise ValidationError({"amount": _("The amount must not be negative.")})
    if amount >= MAX_AMOUNT:
        raise ValidationError({"amount": _("This is not a plausible monthly cost of one post.")})


@transaction.atomic
def record_cost(
    position: Position,
    *,
    acting_user: Actor,
    month: dt.date,
    kind: str = CostKind.PERSONNEL,
    amount: Decimal,
    note: str = "",
    expected_version: int | None = None,
) -> ActualCost:
    """Enter (``expected_version`` None) or correct one month's actual cost of a post.

    A correction is refused with ``EditConflict`` when someone saved the row in the meantime;
    a new entry for a month that already has one is refused (correct that row instead). A month
    outside the post's history is allowed (e.g. a final payment after the post ended)."""
    month = month.replace(day=1)
    try:
        check_month(month)
    except ValueError as exc:
        raise ValidationError({"month": str(exc)}) from exc
    if kind not in CostKind.values:
        raise ValidationError({"kind": _("Unknown kind of cost.")})
    _check_amount(amount)
    existing = ActualCost.objects.filter(position=position, month=month, kind=kind).first()
    if expected_version is None:
        if existing is not None:
            raise ValidationError(
                {
                    "month": _(
                        "An amount for %(month)s is recorded already; please correct that row."
                    )
                    % {"month": month.strftime("%m.%Y")}
                }
            )
        day = month.replace(day=15)
        holders = [i.staff for i in position.incumbencies.select_related("staff") if i.covers(day)]
        cost = ActualCost.objects.create(
            position=position,
            month=month,
            kind=kind,
            amount=amount,
            note=note,
            staff=holders[0] if len(holders) == 1 else None,
            source=CostSource.MANUAL,
            recorded_by=actor_user(acting_user),
        )
        change = "created"
    else:
        if existing is None:
            raise ValidationError(_("This row has been deleted in the meantime."))
        cost = lock_version(
            ActualCost, existing.pk, expected_version, fields=COST_FIELDS, labels=_labels()
        )
        cost.amount = amount
        cost.note = note
        cost.source = CostSource.MANUAL
        cost.batch = None
        cost.recorded_by = actor_user(acting_user)
        cost.version += 1
        cost.save()
        change = "updated"
    record(
        EventType.COST_RECORDED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"change": change, "month": month.isoformat()[:7], "kind": kind},
    )
    return cost


@transaction.atomic
def delete_cost(cost: ActualCost, *, acting_user: Actor, expected_version: int) -> None:
    """Delete one row (a wrong entry); refused when it changed after the page was loaded."""
    current = lock_version(
        ActualCost, cost.pk, expected_version, fields=COST_FIELDS, labels=_labels()
    )
    position = current.position
    record(
        EventType.COST_RECORDED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"change": "deleted", "month": current.month.isoformat()[:7], "kind": current.kind},
    )
    current.delete()


@dataclass(frozen=True)
class ImportResult:
    batch: PayrollImport
    created: int
    replaced: int


@transaction.atomic
def import_payroll(
    organisation: Organisation, *, acting_user: Actor, name: str, data: bytes
) -> ImportResult:
    """Import a payroll file of an employer: every row or none (D-086).

    All rows are checked first; any error refuses the whole file with a ``ValidationError`` on
    ``file`` listing every bad row ("Zeile N: …"). A row for a post, month and kind that already
    has an amount replaces it (counted as replaced)."""
    try:
        rows = parse_payroll_file(name, data, organisation)
    except PayrollFileError as exc:
        raise ValidationError({"file": exc.errors}) from exc
    total = sum((r.amount for r in rows), Decimal(0))
    batch = PayrollImport.objects.create(
        organisation=organisation,
        file_name=name.rsplit("/", 1)[-1][:200],
        sha256=hashlib.sha256(data).hexdigest(),
        rows=len(rows),
        total=total,
        created_by=actor_user(acting_user),
    )
    user = actor_user(acting_user)
    months = {r.month for r in rows}
    existing = {
        (c.position_id, c.month, c.kind): c
        for c in ActualCost.objects.select_for_update().filter(
            position_id__in={r.position.pk for r in rows}, month__in=months
        )
    }
    new, changed = [], []
    for row in rows:
        cost = existing.get((row.position.pk, row.month, row.kind))
        if cost is None:
            new.append(
                ActualCost(
                    position=row.position,
                    month=row.month,
                    kind=row.kind,
                    amount=row.amount,
                    staff=row.staff,
                    source=CostSource.IMPORT,
                    batch=batch,
                    recorded_by=user,
                )
            )
            continue
        cost.amount = row.amount
        cost.staff = row.staff or cost.staff
        cost.source = CostSource.IMPORT
        cost.batch = batch
        cost.note = ""
        cost.recorded_by = user
        cost.version += 1
        changed.append(cost)
    ActualCost.objects.bulk_create(new)
    ActualCost.objects.bulk_update(
        changed, ["amount", "staff", "source", "batch", "note", "recorded_by", "version"]
    )
    record(
        EventType.PAYROLL_IMPORTED,
        actor=acting_user,
        subject=batch,
        organisation=organisation,
        extra={
            "rows": len(rows),
            "created": len(new),
            "replaced": len(changed),
            "posts": len({r.position.pk for r in rows}),
            "months": [m.isoformat()[:7] for m in (min(months), max(months))],
            "sha256": batch.sha256,
        },
    )
    return ImportResult(batch, len(new), len(changed))


@transaction.atomic
def record_grant_payment(
    grant: Grant, *, acting_user: Actor, received_on: dt.date, amount: Decimal, note: str = ""
) -> GrantPayment:
    """A payment of the Land received on a grant (counts as received in the proof of use)."""
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be above 0.")})
    paid = sum((p.amount for p in grant.payments.all()), Decimal(0))
    if paid + amount > grant.amount:
        raise ValidationError(
            {
                "amount": _(
                    "With this payment the Land would have paid more than the approved "
                    "%(approved)s €."
                )
                % {"approved": grant.amount}
            }
        )
    payment = GrantPayment(
        grant=grant,
        received_on=received_on,
        amount=amount,
        note=note,
        recorded_by=actor_user(acting_user),
    )
    payment.full_clean()
    payment.save()
    record(
        EventType.GRANT_PAYMENT_RECORDED,
        actor=acting_user,
        subject=grant,
        organisation=grant.recipient,
        extra={
            "payment": payment.code,
            "received_on": received_on.isoformat(),
            "amount": str(amount),
        },
    )
    return payment


@transaction.atomic
def set_proof_due_months(grant: Grant, *, acting_user: Actor, months: int) -> Grant:
    """How many months after the funding period the proof of use is due on this grant."""
    if not 1 <= months <= 36:
        raise ValidationError({"months": _("Please enter between 1 and 36 months.")})
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    before = grant.proof_due_months
    grant.proof_due_months = months
    grant.save(update_fields=["proof_due_months"])
    record(
        EventType.GRANT_RECORDED,
        actor=acting_user,
        subject=grant,
        organisation=grant.recipient,
        extra={
            "proof_due_months": [before, months],
            "proof_due_on": grant.proof_due_on.isoformat(),
        },
    )
    return grant
