"""Art. 15 GDPR: everything stored about one person, as JSON and as PDF.

The export covers the person's cases that the requesting user may see (``cases_for_user``) and
the person-wide rows (master data, household, residence and benefit periods, consents).

Confidential notes follow the rule of the case page (docs/permissions.md, decisions D-049): they
are in the export only when the responsible case manager of that case makes it. An export made
by anyone else (a deputy, the team lead) leaves them out – it shows exactly the activities
``access.visible_activities`` shows – and says so for every case, in the JSON
(``confidential_notes``) and as a sentence in the PDF, naming who can complete it: the
responsible case manager, by the name the case page shows the reader too. The sentence does not
depend on whether the case has confidential notes at all, so it does not tell that there are
any. Restrictions under Art. 23 GDPR / § 83 SGB X are decided case by case by the
data-protection officer before the export is handed over.

JSON keys (stable, version ``FORMAT``; dates ISO 8601, times with offset):

- ``format``, ``generated_at``, ``controller`` (organisation keeping the file), ``notes``
- ``confidential_notes_included``: whether every case's confidential notes are included
- ``person``: number, names, birth_date, sex, languages, nationalities, interpreter_needed,
  town, address, phone, email, special_categories, notes, created
- ``household``: relation and the other person's case ``number`` only
- ``residence``, ``benefits``: dated periods with legal basis, authority, file reference
- ``cases``: each with phase history, assessment, goals with measures, activities, documents
  (metadata; files are listed, not embedded), referrals (with the service), interpreter
  bookings, conferences and tasks, and
  ``confidential_notes``: ``included`` (bool), ``completed_by`` (``null`` when included, else
  ``role`` ``"responsible_case_manager"``, its ``role_label`` and the case manager's ``name`` –
  empty while the case has no responsible case manager who may read them) and ``statement``
  (the sentence the PDF prints)
- ``consents``: recipient, purpose, categories, given/valid until/revoked
- ``disclosures``: case, recipient, kind, categories, time, legal basis
- ``audit_events``: what was done with the case files and when, by which organisation
  (Art. 15 (1) (c): recipients); the persons acting are not named.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.accounts.access import UserContext
from kim.accounts.models import Membership, Role
from kim.audit.models import AuditEvent
from kim.cases.access import (
    can_read_confidential,
    cases_for_user,
    load_deputy_ids,
    visible_activities,
)
from kim.cases.models import (
    BenefitPeriod,
    Case,
    Consent,
    Disclosure,
    HouseholdLink,
    Person,
    ResidencePeriod,
)
from kim.core import languages
from kim.core.pdf import html_to_pdf

FORMAT = "kim-art15/2"
SECTIONS = [
    "person",
    "household",
    "residence",
    "benefits",
    "cases",
    "consents",
    "disclosures",
    "audit_events",
]


def _name(org: Any) -> str:
    return org.name if org is not None else ""


def _person(person: Person) -> dict[str, Any]:
    return {
        "number": person.number,
        "first_name": person.first_name or "",
        "last_name": person.last_name or "",
        "birth_date": person.birth_date,
        "sex": person.get_sex_display() if person.sex else "",
        "languages": list(person.languages),
        "nationalities": list(person.nationalities),
        "interpreter_needed": person.interpreter_needed,
        "town": _name(person.town),
        "address": person.address or "",
        "phone": person.phone or "",
        "email": person.email or "",
        "special_categories": person.special_categories or "",
        "notes": person.notes or "",
        "created": person.created,
    }


def _household(person: Person) -> list[dict[str, Any]]:
    links = HouseholdLink.objects.filter(Q(person=person) | Q(other=person)).select_related(
        "person", "other"
    )
    rows = []
    for link in links.order_by("id"):
        outgoing = link.person_id == person.pk
        rows.append(
            {
                "relation": link.relation if outgoing else f"{link.relation} (reverse)",
                "relation_label": str(link.get_relation_display()),
                "number": (link.other if outgoing else link.person).number,
            }
        )
    return rows


def _periods(rows: Any, kind_field: str) -> list[dict[str, Any]]:
    return [
        {
            kind_field: getattr(p, kind_field),
            f"{kind_field}_label": str(getattr(p, f"get_{kind_field}_display")()),
            "section": getattr(p, "section", ""),
            "valid_from": p.valid_from,
            "valid_until": p.valid_until,
            "authority": _name(p.authority),
            "file_reference": p.file_reference or "",
        }
        for p in rows.select_related("authority")
    ]


def _goals(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "life_area": goal.life_area.name,
            "description": goal.description,
            "due_on": goal.due_on,
            "status": goal.status,
            "status_label": str(goal.get_status_display()),
            "responsible_organisation": _name(goal.responsible_organisation),
            "measures": [
                {
                    "description": m.description,
                    "responsible_organisation": _name(m.responsible_organisation),
                    "due_on": m.due_on,
                    "done_on": m.done_on,
                }
                for m in goal.measures.all()
            ],
        }
        for goal in case.goals.all()
    ]


def _case_activities(ctx: UserContext, case: Case) -> list[dict[str, Any]]:
    # What the case page shows this reader: confidential notes for the responsible one only.
    activities = visible_activities(ctx, case).order_by("occurred_at", "id")
    return [
        {
            "kind": a.kind,
            "kind_label": str(a.get_kind_display()),
            "occurred_at": a.occurred_at,
            "duration_minutes": a.duration_minutes,
            "channel": a.channel,
            "with_interpreter": a.with_interpreter,
            "confidential": a.confidential,
            "text": a.text or "",
        }
        for a in activities
    ]


def _confidential_notes(ctx: UserContext, case: Case, readers: set[int]) -> dict[str, Any]:
    """Whether the case's confidential notes are in the export, and who can complete it.
    ``readers`` are the ids of cases whose responsible still holds the case-manager role."""
    if can_read_confidential(ctx, case):
        return {
            "included": True,
            "completed_by": None,
            "statement": _("This information includes the confidential notes on this case."),
        }
    name = ""
    if case.pk in readers:
        name = case.responsible.get_full_name() or case.responsible.get_username()
    if name:
        statement = _(
            "Confidential notes on this case, if there are any, are not included in this "
            "information. Only the responsible case manager, %(name)s, can read them and "
            "complete the information with them."
        ) % {"name": name}
    else:
        statement = _(
            "Confidential notes on this case, if there are any, are not included in this "
            "information. Only the responsible case manager can read them and complete the "
            "information with them; the team lead must first name one for this case."
        )
    return {
        "included": False,
        "completed_by": {
            "role": "responsible_case_manager",
            "role_label": str(_("Responsible case manager")),
            "name": name,
        },
        "statement": statement,
    }


def _cases_with_reading_responsible(cases: list[Case]) -> set[int]:
    """Ids of the cases whose responsible case manager may read confidential notes: they still
    hold the case-manager role in the case's organisation (D-041). One query."""
    held = set(
        Membership.objects.active()
        .filter(
            role=Role.CASE_MANAGER,
            user__is_active=True,
            user_id__in={c.responsible_id for c in cases},
            organisation_id__in={c.organisation_id for c in cases},
        )
        .values_list("user_id", "organisation_id")
    )
    return {c.pk for c in cases if (c.responsible_id, c.organisation_id) in held}


def _case_lists(ctx: UserContext, case: Case) -> dict[str, Any]:
    return {
        "phase_history": [
            {"from": c.from_phase, "to": c.to_phase, "on": c.changed_on}
            for c in case.phase_changes.all()
        ],
        "assessment": [
            {
                "life_area": e.life_area.name,
                "need": e.need,
                "needs": e.needs_text or "",
                "resources": e.resources_text or "",
                "assessed_on": e.assessed_on,
            }
            for e in case.assessment.all()
        ],
        "goals": _goals(case),
        "activities": _case_activities(ctx, case),
        "documents": [
            {
                "file_name": d.original_name,
                "doc_type": d.doc_type,
                "content_type": d.content_type,
                "size": d.size,
                "uploaded_at": d.uploaded_at,
            }
            for d in case.documents.all()
        ],
        "referrals": [
            {
                "recipient": r.recipient.name,
                "service": r.service.name if r.service else "",
                "purpose": r.purpose,
                "categories": list(r.categories),
                "sent_on": r.sent_on,
                "status": r.status,
                "note": r.note or "",
            }
            for r in case.referrals.all()
        ],
        "conferences": [
            {
                "held_on": c.held_on,
                "participants": sorted(o.name for o in c.participants.all()),
                "summary": c.summary or "",
            }
            for c in case.conferences.all()
        ],
        "interpreter_bookings": [
            {
                "starts_at": b.starts_at,
                "interpreter": b.interpreter.name,
                "language": b.language,
                "language_name": languages.name(b.language),
                "duration_minutes": b.duration_minutes,
                "place": b.place or "",
                "shared_categories": list(b.shared_categories),
                "status": b.status,
                "status_label": str(b.get_status_display()),
                "cancelled_at": b.cancelled_at,
                "cancel_reason": b.cancel_reason,
            }
            for b in case.interpreter_bookings.all()
        ],
        "tasks": [
            {"kind": t.kind, "title": t.title, "due_on": t.due_on, "done_on": t.done_on}
            for t in case.tasks.order_by("due_on", "id")
        ],
    }


def _case(ctx: UserContext, case: Case, readers: set[int]) -> dict[str, Any]:
    return {
        "code": case.code,
        "organisation": case.organisation.name,
        "responsible": case.responsible.get_full_name() or case.responsible.get_username(),
        "phase": case.phase,
        "phase_label": str(case.get_phase_display()),
        "referral_source": case.referral_source,
        "referred_on": case.referred_on,
        "on_waiting_list": case.on_waiting_list,
        "indication": case.indication,
        "indication_reason": case.indication_reason or "",
        "indicated_on": case.indicated_on,
        "plan_agreed_on": case.plan_agreed_on,
        "next_review_on": case.next_review_on,
        "closed_on": case.closed_on,
        "closing_reason": case.closing_reason,
        "closing_note": case.closing_note or "",
        "handed_to": _name(case.handed_to),
        **_case_lists(ctx, case),
        "confidential_notes": _confidential_notes(ctx, case, readers),
    }


def _consents(person: Person) -> list[dict[str, Any]]:
    consents = Consent.objects.filter(person=person).select_related("recipient")
    return [
        {
            "recipient": c.recipient.name,
            "purpose": c.purpose,
            "categories": list(c.categories),
            "given_on": c.given_on,
            "valid_until": c.valid_until,
            "revoked_at": c.revoked_at,
            "form_language": c.form_language,
        }
        for c in consents.order_by("given_on", "id")
    ]


def _disclosures(cases: list[Case]) -> list[dict[str, Any]]:
    rows = Disclosure.objects.filter(case__in=cases).select_related("recipient", "case")
    return [
        {
            "case": d.case.code,
            "recipient": d.recipient.name,
            "kind": d.kind,
            "categories": list(d.categories),
            "disclosed_at": d.disclosed_at,
            "legal_basis": d.legal_basis,
        }
        for d in rows.order_by("disclosed_at", "id")
    ]


def _audit_events(person: Person, cases: list[Case]) -> list[dict[str, Any]]:
    codes = [person.code, *(c.code for c in cases)]
    events = AuditEvent.objects.filter(subject_code__in=codes).select_related("organisation")
    return [
        {
            "time": e.created_at,
            "event_type": e.event_type,
            "event": str(e.get_event_type_display()),
            "organisation": _name(e.organisation),
            "subject": e.subject_code,
        }
        for e in events.order_by("created_at", "id")
    ]


def _visible_cases(ctx: UserContext, person: Person) -> list[Case]:
    cases = list(
        cases_for_user(ctx)
        .filter(person_id=person.pk)
        .select_related("organisation", "responsible", "handed_to")
        .prefetch_related(
            "phase_changes",
            "assessment__life_area",
            "goals__life_area",
            "goals__responsible_organisation",
            "goals__measures__responsible_organisation",
            "documents",
            "referrals__recipient",
            "referrals__service",
            "interpreter_bookings__interpreter",
            "conferences__participants",
        )
        .order_by("referred_on", "id")
    )
    return load_deputy_ids(cases)


def art15_data(ctx: UserContext, case: Case) -> dict[str, Any]:
    """The export as a dict of plain values (dates and times as Python objects)."""
    person = Person.objects.select_related("town", "organisation").get(pk=case.person_id)
    cases = _visible_cases(ctx, person)
    readers = _cases_with_reading_responsible(cases)
    exported = [_case(ctx, c, readers) for c in cases]
    complete = all(c["confidential_notes"]["included"] for c in exported)
    if complete:
        notes = _(
            "Information under Art. 15 GDPR, including the confidential notes on the person. "
            "Documents are only listed; copies are handed over separately on request."
        )
    else:
        notes = _(
            "Information under Art. 15 GDPR without confidential notes (see the note on each "
            "case: only the responsible case manager can complete it). Documents are only "
            "listed; copies are handed over separately on request."
        )
    return {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "controller": person.organisation.name,
        "notes": notes,
        "confidential_notes_included": complete,
        "person": _person(person),
        "household": _household(person),
        "residence": _periods(ResidencePeriod.objects.filter(person=person), "status"),
        "benefits": _periods(BenefitPeriod.objects.filter(person=person), "system"),
        "cases": exported,
        "consents": _consents(person),
        "disclosures": _disclosures(cases),
        "audit_events": _audit_events(person, cases),
    }


def art15_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def art15_pdf(data: dict[str, Any]) -> bytes:
    """A4, German headings (template ``cases/art15.html``), printed by WeasyPrint."""
    return html_to_pdf(render_to_string("cases/art15.html", {"data": data}))
