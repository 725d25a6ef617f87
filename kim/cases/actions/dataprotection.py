"""Data protection: retention items applied, erasure on request (Art. 17 GDPR), legal hold, and
the audit of reads through the API.

What anonymising a case file keeps (the skeleton for statistics, no personal data): the case's
phase, dates, closing reason, indication, phase history, life areas and need levels of the
assessment, goal statuses and due dates, referral recipients and statuses, barriers, and of the
person the pseudonymous number, organisation, town and sex. Everything else that describes the
person is set to NULL (names, birth date, contact data, notes, file references, free texts) or
deleted (search tokens, household links, activities, documents with their files, tasks,
consents with their signed forms, disclosures).

Disclosures point to their consent (``PROTECT``): the consent rule (``RetentionTarget.CONSENTS``)
never deletes a consent that a disclosure rests on; such consents go together with the
disclosures when the case-file rule anonymises (or erasure deletes) the person (decision in
``docs/decisions.md``: the proof of a disclosure is kept as long as the case file).

Stored files are deleted only after the transaction commits, so a rolled-back deletion keeps
its files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import (
    Activity,
    AssessmentEntry,
    BenefitPeriod,
    Case,
    CaseConference,
    CaseDocument,
    Consent,
    ConsentDocument,
    Disclosure,
    Goal,
    HouseholdLink,
    InterpreterBooking,
    Measure,
    Person,
    PersonToken,
    Phase,
    Referral,
    ResidencePeriod,
    RetentionAction,
    RetentionTarget,
    Task,
)
from kim.cases.retention import RetentionItem, add_months, rule_on
from kim.core.models import Actor, StoredDocument


class ErasureGround(models.TextChoices):
    """Why a person is erased (Art. 17 (1) GDPR); recorded in the audit trail instead of a
    free-text reason, which could carry personal data."""

    REQUEST = "withdrawn", gettext_lazy("Consent withdrawn / request of the person (Art. 17 (1) b)")
    NOT_NEEDED = "not_needed", gettext_lazy("No longer needed for the purpose (Art. 17 (1) a)")
    OBJECTION = "objection", gettext_lazy("Objection (Art. 17 (1) c, Art. 21)")
    UNLAWFUL = "unlawful", gettext_lazy("Processed unlawfully (Art. 17 (1) d)")


# --- deleting rows and their files ----------------------------------------------------------


def _delete_files_on_commit(documents: Iterable[StoredDocument]) -> int:
    """Remember the documents' files and delete them once the transaction has committed."""
    files = [(d.file.storage, d.file.name) for d in documents if d.file and d.file.name]

    def _delete() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(_delete)
    return len(files)


def _delete_case_documents(cases: models.QuerySet[Case] | list[Case]) -> int:
    documents = CaseDocument.objects.filter(case__in=cases)
    count = _delete_files_on_commit(documents)
    documents.delete()
    return count


def _delete_person_consents(person: Person) -> None:
    """The person's consents with their signed forms (disclosures must be gone already)."""
    _delete_files_on_commit(ConsentDocument.objects.filter(consent__person=person))
    Consent.objects.filter(person=person).delete()


def _person_counts(person: Person, cases: list[Case]) -> dict[str, int]:
    return {
        "cases": len(cases),
        "activities": Activity.objects.filter(case__in=cases).count(),
        "documents": CaseDocument.objects.filter(case__in=cases).count(),
        "consents": Consent.objects.filter(person=person).count(),
        "disclosures": Disclosure.objects.filter(case__in=cases).count(),
    }


# --- anonymising ----------------------------------------------------------------------------

PERSON_CLEARED = {
    "first_name": None,
    "last_name": None,
    "birth_date": None,
    "address": None,
    "phone": None,
    "email": None,
    "special_categories": None,
    "notes": None,
}


def _anonymise_person(person: Person, now: dt.datetime) -> None:
    """Names, birth date, contact data and notes to NULL; tokens, household links and consents
    deleted; file references of the legal-sphere timeline to NULL (statuses and dates stay)."""
    Disclosure.objects.filter(case__person=person).delete()
    # Interpreter bookings stay as cost records without the consent (D-093).
    InterpreterBooking.objects.filter(case__person=person).update(consent=None)
    _delete_person_consents(person)
    PersonToken.objects.filter(person=person).delete()
    HouseholdLink.objects.filter(models.Q(person=person) | models.Q(other=person)).delete()
    ResidencePeriod.objects.filter(person=person).update(file_reference=None)
    BenefitPeriod.objects.filter(person=person).update(file_reference=None)
    for field, value in PERSON_CLEARED.items():
        setattr(person, field, value)
    person.languages, person.nationalities = [], []
    person.interpreter_needed = False
    person.birth_date_token = ""
    person.anonymised_at = now
    person.version += 1
    person.save()


def _anonymise_case(case: Case, now: dt.datetime) -> None:
    """Free texts of the case to NULL (goal and measure texts, which cannot be NULL, to an
    empty text), activities, documents, disclosures and tasks deleted."""
    Activity.objects.filter(case=case).delete()
    _delete_case_documents([case])
    Disclosure.objects.filter(case=case).delete()
    Task.objects.filter(case=case).delete()
    # Interpreter bookings stay as cost records (date, interpreter, language, minutes, rate):
    # the place and the reason for a cancellation go (D-093).
    InterpreterBooking.objects.filter(case=case).update(place=None, cancel_reason="")
    AssessmentEntry.objects.filter(case=case).update(needs_text=None, resources_text=None)
    Goal.objects.filter(case=case).update(description="")
    Measure.objects.filter(goal__case=case).update(description="")
    Referral.objects.filter(case=case).update(note=None)
    CaseConference.objects.filter(case=case).update(summary=None)
    case.indication_reason = None
    case.closing_note = None
    case.anonymised_at = now
    case.version += 1
    case.save()


# --- retention items ------------------------------------------------------------------------


def _retention_event(item: RetentionItem, subject_type: str, organisation: object) -> None:
    event = (
        EventType.RETENTION_ANONYMISED
        if item.action == RetentionAction.ANONYMISE
        else EventType.RETENTION_DELETED
    )
    record(
        event,
        actor=None,
        subject_type=subject_type,
        subject_code=item.code,
        organisation=organisation,
        extra={
            "target": item.target,
            "rule": item.rule_id,
            "months": item.months,
            "clock": item.clock_started.isoformat(),
        },
    )


def _apply_case_file(item: RetentionItem) -> bool:
    case = Case.objects.select_related("person").filter(code=item.code).first()
    if case is None or case.anonymised_at is not None:
        return False
    now = timezone.now()
    if item.action == RetentionAction.DELETE:
        _erase(case.person, list(Case.objects.filter(person=case.person)))
    else:
        _anonymise_case(case, now)
        if case.person.anonymised_at is None:
            _anonymise_person(case.person, now)
    _retention_event(item, "cases.case", case.organisation)
    return True


def _apply_activity(item: RetentionItem) -> bool:
    activity = Activity.objects.select_related("case").filter(code=item.code).first()
    if activity is None:
        return False
    activity.delete()
    _retention_event(item, "cases.activity", activity.case.organisation)
    return True


def _apply_document(item: RetentionItem) -> bool:
    document = CaseDocument.objects.select_related("case").filter(code=item.code).first()
    if document is None:
        return False
    _delete_files_on_commit([document])
    document.delete()
    _retention_event(item, "cases.casedocument", document.case.organisation)
    return True


def _apply_consent(item: RetentionItem) -> bool:
    consent = Consent.objects.select_related("person").filter(code=item.code).first()
    if consent is None or consent.disclosures.exists():
        return False
    if InterpreterBooking.objects.filter(consent=consent).exists():
        return False  # a booking rests on it like a disclosure (D-093)
    _delete_files_on_commit(consent.documents.all())
    consent.delete()
    _retention_event(item, "cases.consent", consent.person.organisation)
    return True


def _apply_waiting_list(item: RetentionItem) -> bool:
    case = Case.objects.select_related("person").filter(code=item.code).first()
    if case is None or case.phase != Phase.ACCESS:
        return False
    person = case.person
    _delete_case(case)
    if not Case.objects.filter(person=person).exists():
        _delete_person(person)
    _retention_event(item, "cases.case", case.organisation)
    return True


APPLY = {
    RetentionTarget.CASE_FILE: _apply_case_file,
    RetentionTarget.ACTIVITIES: _apply_activity,
    RetentionTarget.DOCUMENTS: _apply_document,
    RetentionTarget.CONSENTS: _apply_consent,
    RetentionTarget.WAITING_LIST: _apply_waiting_list,
}


@transaction.atomic
def apply_retention_item(item: RetentionItem, *, acting_user: Actor = None) -> bool:
    """Apply one planned item in its own transaction with its audit event (the system acts:
    ``acting_user`` is ignored and recorded as no actor). Returns False when the row has gone
    in the meantime (or was already anonymised): nothing to do, no event."""
    return APPLY[RetentionTarget(item.target)](item)


@transaction.atomic
def record_retention_run(
    *, acting_user: Actor, today: dt.date, counts: dict[str, int], applied: int
) -> None:
    record(
        EventType.RETENTION_RUN,
        actor=acting_user,
        subject_type="cases.retention",
        extra={"date": today.isoformat(), "counts": counts, "applied": applied},
    )


# --- erasure on request ---------------------------------------------------------------------


def _delete_case(case: Case) -> None:
    """The case with every dependent row and its documents' files (barriers stay, unlinked)."""
    _delete_case_documents([case])
    Disclosure.objects.filter(case=case).delete()
    case.delete()


def _delete_person(person: Person) -> None:
    Disclosure.objects.filter(consent__person=person).delete()
    _delete_person_consents(person)
    person.delete()


def _erase(person: Person, cases: list[Case]) -> None:
    for case in cases:
        _delete_case(case)
    _delete_person(person)


def erasure_blocked_until(person: Person, today: dt.date) -> dt.date | None:
    """The first day on which the person's disclosures need no longer be provable, or None.

    A disclosure is proof that data left the organisation with the person's consent
    (Art. 7 (1), Art. 5 (2) GDPR); it is kept as long as the retention rule for consents
    (``RetentionTarget.CONSENTS``) says, counted from the day of the disclosure.
    """
    rule = rule_on(RetentionTarget.CONSENTS, today)
    if rule is None:
        return None
    last = (
        Disclosure.objects.filter(case__person=person)
        .order_by("-disclosed_at")
        .values_list("disclosed_at", flat=True)
        .first()
    )
    if last is None:
        return None
    possible_from = add_months(timezone.localdate(last), rule.months)
    return possible_from if possible_from > today else None


def check_erasure(person: Person, cases: list[Case], today: dt.date) -> None:
    """Raise ``ValidationError`` (German message) when the person may not be erased now."""
    if person.legal_hold or any(c.legal_hold for c in cases):
        raise ValidationError(
            _("The person or one of their cases is under a legal hold: lift it before erasing.")
        )
    if any(c.phase != Phase.CLOSED for c in cases):
        raise ValidationError(_("A case of this person is still open: close it first."))
    until = erasure_blocked_until(person, today)
    if until is not None:
        raise ValidationError(
            _(
                "Data of this person was disclosed to other organisations; the disclosures must "
                "stay provable. Erasure is possible from %(date)s."
            )
            % {"date": date_format(until, "SHORT_DATE_FORMAT")}
        )


@transaction.atomic
def erase_person(case: Case, *, acting_user: Actor, reason: str) -> Person:
    """Erase the person of ``case`` on request (Art. 17 GDPR), with all their cases.

    Refused while
    1. the person or any of their cases is under a legal hold,
    2. any of their cases is open (close it first),
    3. a retention duty applies: a disclosure of their data was made less than the months of
       the consent retention rule ago (the disclosure must stay provable, Art. 5 (2), 7 (1)
       GDPR); the message names the date from which erasure is possible.
    Otherwise deletes the person, all their cases and every dependent row (activities,
    documents and signed forms with their files, consents, disclosures, tasks, goals …);
    structural barriers stay, unlinked (``Barrier.case`` becomes NULL). The audit event names
    the person's pseudonymous number, the ground and the counts only. Returns the deleted
    person (unsaved, without primary key).
    """
    if reason not in ErasureGround.values:
        raise ValidationError({"reason": _("Choose the ground for the erasure.")})
    person = Person.objects.select_for_update().get(pk=case.person_id)
    cases = list(Case.objects.filter(person=person))
    check_erasure(person, cases, timezone.localdate())
    counts = _person_counts(person, cases)
    code, number, organisation = person.code, person.number, person.organisation
    _erase(person, cases)
    record(
        EventType.PERSON_ERASED,
        actor=acting_user,
        subject_type="cases.person",
        subject_code=code,
        organisation=organisation,
        extra={"number": number, "ground": reason, "counts": counts},
    )
    return person


# --- legal hold -----------------------------------------------------------------------------


@transaction.atomic
def set_legal_hold(case: Case, *, acting_user: Actor, on: bool, reason: str = "") -> Case:
    """Put the case under a legal hold (it is then excluded from every retention rule and from
    erasure) or lift it. The reason names the proceedings, never personal data."""
    reason = reason.strip()
    if on and not reason:
        raise ValidationError(
            {"reason": _("Name the reason for the legal hold, e.g. the court or file number.")}
        )
    Case.objects.filter(pk=case.pk).update(
        legal_hold=on, legal_hold_reason=reason if on else "", version=models.F("version") + 1
    )
    case.legal_hold, case.legal_hold_reason = on, reason if on else ""
    case.version += 1
    record(
        EventType.LEGAL_HOLD_SET,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"on": on},
    )
    return case


# --- reads through the API ------------------------------------------------------------------


@transaction.atomic
def record_case_read_via_api(case: Case, *, acting_user: Actor) -> Case:
    """A case file read through the API is an audit event like a read of the page."""
    record(
        EventType.CASE_READ,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"via": "api"},
    )
    return case


@transaction.atomic
def record_case_export(
    case: Case, *, acting_user: Actor, fmt: str, sections: list[str], confidential_notes: bool
) -> Case:
    """The Art. 15 export of the person's data (JSON or PDF); ``confidential_notes`` tells
    whether it held every case's confidential notes (D-049), so that the DPO can see which
    exports were complete."""
    record(
        EventType.CASE_EXPORTED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"format": fmt, "sections": sections, "confidential_notes": confidential_notes},
    )
    return case
