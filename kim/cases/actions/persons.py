"""Persons (clients): recording, changing, household links, and their keyed search tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.actions.lifecycle import check_case_manager, open_case
from kim.cases.models import Case, HouseholdLink, Person, PersonToken, Relation
from kim.cases.queries.persons import duplicate_candidates
from kim.core.crypto import birth_date_token, search_tokens
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user
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


# Fields a case manager edits on the person page (the conflict table shows them in this order).
PERSON_EDIT_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "languages",
    "interpreter_needed",
    "nationalities",
    "town",
    "address",
    "phone",
    "email",
    "special_categories",
    "notes",
)
TOKEN_FIELDS = frozenset({"first_name", "last_name", "birth_date"})


def person_field_labels() -> dict[str, str]:
    return {
        f: str(getattr(Person._meta.get_field(f), "verbose_name", f)) for f in PERSON_EDIT_FIELDS
    }


@transaction.atomic
def register_client(
    *,
    acting_user: Actor,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    referral_source: str,
    referred_on: dt.date,
    referral_organisation: Organisation | None = None,
    on_waiting_list: bool = False,
    duplicates_confirmed: bool = False,
    birth_date: dt.date | None = None,
    **person_fields: Any,
) -> Case:
    """A new client and their case in one step, the requesting case manager responsible.

    1. The acting user must be a case manager of ``organisation``.
    2. Persons of the same organisation with matching name tokens (and birth date) block the
       step until the user confirms that this is someone else (never other organisations).
    3. ``create_person`` and ``open_case`` in this one transaction.
    """
    user = actor_user(acting_user)
    if user is None:
        raise ValueError("a client is registered by a signed-in case manager")
    check_case_manager(user, organisation, field="organisation")
    if not duplicates_confirmed and duplicate_candidates(
        organisation.pk, first_name=first_name, last_name=last_name, birth_date=birth_date
    ):
        raise ValidationError(
            {"confirm_distinct": _("Check the similar persons below and confirm.")}
        )
    person = create_person(
        acting_user=acting_user,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        **{k: _blank_to_none(k, v) for k, v in person_fields.items()},
    )
    return open_case(
        acting_user=acting_user,
        person=person,
        responsible=user,
        referral_source=referral_source,
        referred_on=referred_on,
        referral_organisation=referral_organisation,
        on_waiting_list=on_waiting_list,
    )


def _blank_to_none(field: str, value: Any) -> Any:
    """Empty optional encrypted fields are stored as NULL, not as an encrypted ""."""
    if field in ENCRYPTED_PERSON_FIELDS and isinstance(value, str) and not value.strip():
        return None
    return value


def _comparable(person: Person, field: str) -> object:
    if field == "town":
        return person.town_id
    return getattr(person, field)


def _new_comparable(field: str, value: object) -> object:
    if field == "town":
        return value.pk if isinstance(value, Organisation) else value
    if field in ("languages", "nationalities"):
        return list(value) if isinstance(value, list | tuple) else value
    return value


@transaction.atomic
def update_person(person: Person, *, acting_user: Actor, version: int, **changes: Any) -> Person:
    """Change a person's data, refused with ``EditConflict`` when ``version`` is outdated.

    The audit event names the changed fields, never their values; the search tokens follow
    names and birth date.
    """
    unknown = set(changes) - set(PERSON_EDIT_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    current = lock_version(
        Person, person.pk, version, fields=PERSON_EDIT_FIELDS, labels=person_field_labels()
    )
    changes = {k: _blank_to_none(k, v) for k, v in changes.items()}
    changed = sorted(
        f for f, v in changes.items() if _comparable(current, f) != _new_comparable(f, v)
    )
    if not changed:
        return current
    first = changes.get("first_name", current.first_name) or ""
    last = changes.get("last_name", current.last_name) or ""
    if not (first.strip() or last.strip()):
        raise ValidationError({"last_name": _("Enter at least a first or a last name.")})
    birth = changes.get("birth_date", current.birth_date)
    if birth is not None and birth > timezone.localdate():
        raise ValidationError({"birth_date": _("The birth date lies in the future.")})
    for field in changed:
        setattr(current, field, changes[field])
    current.version += 1
    current.full_clean(exclude=["number", *ENCRYPTED_PERSON_FIELDS])
    current.save()
    if TOKEN_FIELDS & set(changed):
        store_tokens(current)
    record(
        EventType.PERSON_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current.organisation,
        extra={"fields": changed},
    )
    return current


@transaction.atomic
def link_household(
    person: Person, other: Person, relation: str, *, acting_user: Actor
) -> HouseholdLink:
    """Record that ``other`` is ``person``'s <relation>; both in the same organisation."""
    if relation not in Relation.values:
        raise ValidationError({"relation": _("Choose a relation.")})
    if other.pk == person.pk:
        raise ValidationError({"number": _("A person cannot be linked to themselves.")})
    if other.organisation_id != person.organisation_id:
        raise ValidationError({"number": _("No client with this case number.")})
    if HouseholdLink.objects.filter(person=person, other=other).exists():
        raise ValidationError({"number": _("This household link exists already.")})
    link = HouseholdLink.objects.create(person=person, other=other, relation=relation)
    record(
        EventType.HOUSEHOLD_LINKED,
        actor=acting_user,
        subject=person,
        organisation=person.organisation,
        extra={"relation": relation, "other": other.code},
    )
    return link


@transaction.atomic
def record_person_search(*, acting_user: Actor, results: int, birth_date_filter: bool) -> None:
    """A name search is a read of personal data: audited with the number of results only."""
    record(
        EventType.PERSON_SEARCHED,
        actor=acting_user,
        subject_type="cases.person",
        extra={"results": results, "birth_date_filter": birth_date_filter},
    )
