"""Persons (clients): recording, changing, household links, and their keyed search tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import Person, PersonToken
from kim.core.crypto import birth_date_token, search_tokens
from kim.core.models import Actor
from kim.organisations.models import Organisation

ENCRYPTED_PERSON_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "address",
    "phone",
    "email",
    "special_categories",
    "notes",
)


def _number_prefix(organisation: Organisation) -> str:
    """Two letters of the organisation (not of the person): SI for Siegen, KR for Kreuztal."""
    letters = [c for c in (organisation.short_name or organisation.name).upper() if c.isalpha()]
    return "".join(letters[:2]) or "KM"


def next_person_number(organisation: Organisation, year: int) -> str:
    prefix = f"{_number_prefix(organisation)}-{year}-"
    numbers = Person.objects.filter(organisation=organisation, number__startswith=prefix)
    taken = [int(n.rsplit("-", 1)[1]) for n in numbers.values_list("number", flat=True)]
    return f"{prefix}{max(taken, default=0) + 1:04d}"


def store_tokens(person: Person) -> None:
    """Replace the person's keyed name tokens (first and last name) and birth-date token."""
    PersonToken.objects.filter(person=person).delete()
    tokens = search_tokens(f"{person.first_name or ''} {person.last_name or ''}")
    PersonToken.objects.bulk_create(
        PersonToken(person=person, organisation_id_copy=person.organisation_id, token=t)
        for t in sorted(tokens)
    )
    person.birth_date_token = birth_date_token(person.birth_date) if person.birth_date else ""
    Person.objects.filter(pk=person.pk).update(birth_date_token=person.birth_date_token)


@transaction.atomic
def create_person(
    *,
    acting_user: Actor,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None = None,
    languages: Iterable[str] = (),
    nationalities: Iterable[str] = (),
    **fields: object,
) -> Person:
    """Record a client of ``organisation``. Duplicate checks happen before (``queries``)."""
    if not (first_name.strip() or last_name.strip()):
        raise ValidationError({"last_name": _("Enter at least a first or a last name.")})
    if birth_date is not None and birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The birth date lies in the future.")})
    person = Person(
        organisation=organisation,
        number=next_person_number(organisation, timezone.localdate().year),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_date=birth_date,
        languages=list(languages),
        nationalities=list(nationalities),
        **fields,
    )
    person.full_clean(exclude=["number", *ENCRYPTED_PERSON_FIELDS])
    person.save()
    store_tokens(person)
    record(
        EventType.PERSON_CREATED,
        actor=acting_user,
        subject=person,
        organisation=organisation,
        extra={"fields": sorted(k for k, v in fields.items() if v not in (None, "", False))},
    )
    return person
