"""Structural barriers: what a case manager sees in one case, lifted to the system level.

The description and the suggested remedy go into the coordination's anonymised log, so they
must not contain personal data. ``personal_data_found`` rejects the obvious kinds (the
person's names, the case number, dates, e-mail addresses, phone numbers, IBANs); it cannot
catch everything, so the form says so too (D-041). Only the month is stored, the log shows the
quarter.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import Barrier, BarrierCategory, Case
from kim.core.models import Actor
from kim.core.phonetics import name_tokens
from kim.organisations.models import Organisation, Rechtskreis

_DATE = re.compile(
    r"\b\d{1,2}\s?\.\s?\d{1,2}\s?\.(\s?\d{2,4})?"  # 17.05. / 17.05.1990
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b"  # 1990-05-17
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"  # 05/17/1990
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+|\b)\d(?:[\s/().-]*\d){5,}")
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]){11,30}\b")


def personal_data_found(text: str, case: Case) -> list[str]:
    """German descriptions of the kinds of personal data found in ``text`` (empty: none)."""
    person = case.person
    found = []
    names = set(name_tokens(f"{person.first_name or ''} {person.last_name or ''}"))
    if names & set(name_tokens(text)):
        found.append(_("the person's name"))
    if person.number and person.number.casefold() in text.casefold():
        found.append(_("the case number"))
    checks = (
        (_IBAN, _("a bank account (IBAN)")),
        (_EMAIL, _("an e-mail address")),
        (_DATE, _("a date")),
        (_PHONE, _("a phone number or another long number")),
    )
    for pattern, label in checks:
        if pattern.search(text):
            found.append(label)
    return found


def _check_text(field: str, text: str, case: Case) -> None:
    found = personal_data_found(text, case)
    if found:
        raise ValidationError(
            {
                field: _("Please describe the barrier without personal data. Found: %(found)s.")
                % {"found": ", ".join(found)}
            }
        )


@transaction.atomic
def record_barrier(
    case: Case,
    *,
    acting_user: Actor,
    category: BarrierCategory,
    rechtskreis: str,
    organisation_involved: Organisation | None,
    description: str,
    suggested_remedy: str = "",
    observed_on: dt.date,
) -> Barrier:
    """Record a barrier seen in ``case`` for the region's anonymised barrier log."""
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    description, suggested_remedy = description.strip(), suggested_remedy.strip()
    if not description:
        raise ValidationError({"description": _("Describe the barrier.")})
    if rechtskreis not in Rechtskreis.values:
        raise ValidationError({"rechtskreis": _("Choose a legal sphere.")})
    if observed_on > timezone.localdate():
        raise ValidationError({"observed_on": _("The date lies in the future.")})
    _check_text("description", description, case)
    _check_text("suggested_remedy", suggested_remedy, case)
    region_id = case.organisation.region_id_or_self
    if region_id is None:
        raise ValidationError(_("The case's organisation belongs to no Kreis."))
    barrier = Barrier.objects.create(
        case=case,
        region_id=region_id,
        organisation=case.organisation,
        category=category,
        rechtskreis=rechtskreis,
        organisation_involved=organisation_involved,
        description=description,
        suggested_remedy=suggested_remedy,
        observed_month=observed_on.replace(day=1),
    )
    record(
        EventType.BARRIER_RECORDED,
        actor=acting_user,
        subject=barrier,
        organisation=case.organisation,
        extra={
            "category": category.key,
            "rechtskreis": rechtskreis,
            "organisation_involved": organisation_involved.code if organisation_involved else "",
        },
    )
    return barrier
