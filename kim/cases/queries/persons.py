"""Finding persons by keyed tokens: the duplicate check and the name search.

Both work on ``PersonToken`` (keyed hashes of name tokens and their Kölner Phonetik codes) and
``Person.birth_date_token``; no plaintext is compared. A query word matches a person when the
exact token or its phonetic code matches; every word of the query must match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.cases.access import case_manager_organisations, cases_for_user, persons_for_user
from kim.cases.models import HouseholdLink, Person, PersonToken, Phase, Relation
from kim.core.crypto import birth_date_token, name_token, phonetic_token
from kim.core.phonetics import cologne_phonetic, name_tokens

MAX_CANDIDATES = 20
MAX_RESULTS = 50


def word_token_sets(text: str) -> list[frozenset[str]]:
    """Per distinct word of ``text``: its exact token and (if any) its phonetic token."""
    sets = []
    for word in dict.fromkeys(name_tokens(text)):
        tokens = {name_token(word)}
        code = cologne_phonetic(word)
        if code:
            tokens.add(phonetic_token(code))
        sets.append(frozenset(tokens))
    return sets


def _persons_with_any(tokens: Iterable[str], org_ids: Iterable[int]) -> QuerySet[Any, Any]:
    """Uses the (token, organisation_id_copy) index: organisations first, then tokens."""
    return PersonToken.objects.filter(
        token__in=sorted(tokens), organisation_id_copy__in=sorted(org_ids)
    ).values("person_id")


def all_words(sets: list[frozenset[str]], org_ids: Iterable[int]) -> Q:
    condition = Q()
    for tokens in sets:
        condition &= Q(pk__in=_persons_with_any(tokens, org_ids))
    return condition


def duplicate_candidates(
    organisation_id: int,
    *,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None = None,
) -> list[Person]:
    """Persons of the SAME organisation that may be the one being recorded: every name word
    matches, or the birth date matches together with at least one name word. Never looks at
    other organisations (that would tell that someone is a client elsewhere)."""
    sets = word_token_sets(f"{first_name} {last_name}")
    if not sets:
        return []
    orgs = [organisation_id]
    condition = all_words(sets, orgs)
    if birth_date is not None:
        every_token = frozenset().union(*sets)
        condition |= Q(birth_date_token=birth_date_token(birth_date)) & Q(
            pk__in=_persons_with_any(every_token, orgs)
        )
    return list(
        Person.objects.filter(organisation_id=organisation_id, anonymised_at__isnull=True)
        .filter(condition)
        .order_by("number")[:MAX_CANDIDATES]
    )


@dataclass(frozen=True)
class PersonRow:
    """A found person with the case the user may open (code empty when they may not)."""

    person: Person
    case_code: str
    case_phase: str

    @property
    def phase_label(self) -> str:
        return str(Phase(self.case_phase).label) if self.case_phase else ""


def _visible_cases(ctx: UserContext, persons: list[Person]) -> dict[int, tuple[str, str]]:
    """person id → (code, phase) of the newest case the user may see, one query."""
    rows = (
        cases_for_user(ctx)
        .filter(person_id__in=[p.pk for p in persons])
        .order_by("person_id", "referred_on", "id")
        .values_list("person_id", "code", "phase")
    )
    return {person_id: (code, phase) for person_id, code, phase in rows}


def person_rows(ctx: UserContext, persons: list[Person]) -> list[PersonRow]:
    cases = _visible_cases(ctx, persons) if persons else {}
    return [PersonRow(p, *cases.get(p.pk, ("", ""))) for p in persons]


def search_organisations(ctx: UserContext) -> frozenset[int]:
    """Where the user may find persons at all: case-manager and team-lead organisations."""
    return case_manager_organisations(ctx) | ctx.organisations_with_role(Role.TEAM_LEAD)


def search_persons(
    ctx: UserContext, query: str, *, birth_date: dt.date | None = None
) -> list[Person]:
    """Persons whose cases the user may see and whose name matches every word of ``query``.

    Restricted by the user's organisations first (index on token and organisation), then by
    the token intersection, then by visibility; at most ``MAX_RESULTS`` rows.
    """
    sets = word_token_sets(query)
    orgs = search_organisations(ctx)
    if not sets or not orgs:
        return []
    qs = persons_for_user(ctx).filter(organisation_id__in=orgs).filter(all_words(sets, orgs))
    if birth_date is not None:
        qs = qs.filter(birth_date_token=birth_date_token(birth_date))
    return list(qs.filter(anonymised_at__isnull=True).order_by("number")[:MAX_RESULTS])


def household_candidate(ctx: UserContext, person: Person, number: str) -> Person | None:
    """The visible person of ``person``'s organisation with case number ``number``."""
    return (
        persons_for_user(ctx)
        .filter(organisation_id=person.organisation_id, number=number.strip().upper())
        .exclude(pk=person.pk)
        .first()
    )


INVERSE_RELATION = {
    Relation.SPOUSE: Relation.SPOUSE,
    Relation.CHILD: Relation.PARENT,
    Relation.PARENT: Relation.CHILD,
    Relation.SIBLING: Relation.SIBLING,
    Relation.OTHER: Relation.OTHER,
}


def household_links(person: Person) -> list[tuple[str, Person]]:
    """(relation label, other person) both ways: links made from this person, and links made
    from the other person read backwards (other = child of person → person = parent of other).
    """
    links = HouseholdLink.objects.filter(Q(person=person) | Q(other=person)).select_related(
        "person", "other"
    )
    rows = []
    for link in links:
        relation = Relation(link.relation)
        if link.person_id == person.pk:
            rows.append((str(relation.label), link.other))
        else:
            rows.append((str(INVERSE_RELATION[relation].label), link.person))
    return rows
