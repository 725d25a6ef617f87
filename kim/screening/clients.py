"""Screening a case manager's own client: the consent gate and the case → ``PersonFacts`` mapping.

Who may screen (docs/permissions.md § Screening): the responsible case manager and the
deputies of a case (``kim.cases.access.case_role``), and only while the person has an active
consent with scope ``screening`` (given on or before today, not expired, not revoked). A
stranger gets 404 (``get_case_for_user``); a team lead, who reads the case but does not work
on it, gets 403. A visible case without that consent shows a refusal page; nothing is
evaluated and nothing is audited but the page itself.

The mapping reads the legal-sphere timeline of the case file:

- Residence periods keep their status where the screening knows it (Gestattung, Duldung,
  Aufenthaltserlaubnis, Niederlassungserlaubnis, Daueraufenthalt-EU). The legal basis is
  reduced to its section ("§ 60b" → "60b", "§ 25 Abs. 2" → "25").
- A **Fiktionsbescheinigung** continues the status of the period before it (§ 81 Abs. 3/4
  AufenthG: the stay counts as permitted, the old permit as continuing); without a previous
  period it counts as "none".
- **EU freedom of movement** is treated as an unlimited right of residence (a
  Niederlassungserlaubnis, section "FreizügG/EU"): it counts as lawful habitual residence for
  § 10 StAG and is no Duldung for §§ 25a, 25b, 104c.
- Periods as a **German citizen** are left out (no foreign residence period); the page says so.
- ``asylum_recognized`` is true when a § 25 Abs. 1 or 2 permit follows (recognition, § 55
  Abs. 3 AsylG), otherwise unknown.
- ``receives_sgb2_or_sgb12``: an SGB II or SGB XII period open on the decision date; false if
  benefit periods are recorded but none of them; unknown without any benefit period.
- ``minor_child_in_household``: a child in the household (``HouseholdLink``) under 18 on the
  decision date; false if the household is recorded without such a child; unknown otherwise.
- ``in_education``: true while a BAföG / BAB period is open, otherwise unknown.

Everything else comes from the case manager's form (``ScreeningFactsForm``); a fact the form
leaves empty stays unknown, which makes the criteria depending on it ``unclear``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from kim.accounts.access import UserContext
from kim.cases.access import can_screen_client, get_case_for_user
from kim.cases.models import (
    BenefitPeriod,
    BenefitSystem,
    Case,
    Consent,
    ConsentScope,
    HouseholdLink,
    Person,
    Relation,
    ResidencePeriod,
    ResidenceStatus,
)
from kim.screening.facts import Period, PersonFacts, Status

SGB_II_XII = (BenefitSystem.SGB_II, BenefitSystem.SGB_XII)
SAME_STATUS = {
    ResidenceStatus.GESTATTUNG: Status.GESTATTUNG,
    ResidenceStatus.DULDUNG: Status.DULDUNG,
    ResidenceStatus.AUFENTHALTSERLAUBNIS: Status.AUFENTHALTSERLAUBNIS,
    ResidenceStatus.NIEDERLASSUNGSERLAUBNIS: Status.NIEDERLASSUNGSERLAUBNIS,
    ResidenceStatus.DAUERAUFENTHALT_EU: Status.DAUERAUFENTHALT_EU,
    ResidenceStatus.NONE: Status.NONE,
}
EU_SECTION = "FreizügG/EU"
_SECTION = re.compile(r"(\d+[a-z]?)(?![A-Za-z])(?:\s*Abs\.?\s*(\d+))?")


# --------------------------------------------------------------------------------------------
# Who may screen
# --------------------------------------------------------------------------------------------


def active_screening_consent(case: Case, day: dt.date) -> Consent | None:
    """The person's newest consent for the screening that is active on ``day`` (one query)."""
    return (
        Consent.objects.filter(
            person_id=case.person_id,
            scope=ConsentScope.SCREENING,
            revoked_at=None,
            given_on__lte=day,
        )
        .filter(Q(valid_until=None) | Q(valid_until__gte=day))
        .order_by("-given_on", "-id")
        .first()
    )


@dataclass(frozen=True)
class ClientGate:
    """A case the user may screen, with the consent that allows it (None: no consent)."""

    case: Case
    consent: Consent | None

    @property
    def allowed(self) -> bool:
        return self.consent is not None


def get_client_for_screening(ctx: UserContext, code: str, day: dt.date) -> ClientGate:
    """404 for strangers, 403 for who sees the case but does not work on it."""
    case = get_case_for_user(ctx, code)
    if not can_screen_client(ctx, case):
        raise PermissionDenied
    return ClientGate(case, active_screening_consent(case, day))


# --------------------------------------------------------------------------------------------
# The case file's timeline → facts
# --------------------------------------------------------------------------------------------


def normalise_section(section: str) -> str:
    """ "§ 60b" → "60b", "§ 25 Abs. 2" → "25", "§25a Abs.1" → "25a"; "" when none."""
    match = _SECTION.search(section or "")
    return match.group(1) if match else ""


def is_recognition(section: str) -> bool:
    """§ 25 Abs. 1 (asylum) or Abs. 2 (international protection): recognised in the procedure."""
    match = _SECTION.search(section or "")
    return bool(match and normalise_section(section) == "25" and match.group(2) in ("1", "2"))


@dataclass(frozen=True)
class MappedTimeline:
    """The residence periods for the screening, and the notes on what was mapped how."""

    periods: tuple[Period, ...]
    notes: tuple[str, ...]


def _map_period(row: ResidencePeriod, previous: Period | None) -> Period | None:
    status = row.status
    if status in SAME_STATUS:
        return Period(
            SAME_STATUS[ResidenceStatus(status)],
            row.valid_from,
            row.valid_until,
            normalise_section(row.section),
        )
    if status == ResidenceStatus.FIKTION:
        if previous is None:
            return Period(Status.NONE, row.valid_from, row.valid_until)
        return Period(previous.status, row.valid_from, row.valid_until, previous.section)
    if status == ResidenceStatus.EU_FREEDOM:
        return Period(Status.NIEDERLASSUNGSERLAUBNIS, row.valid_from, row.valid_until, EU_SECTION)
    return None  # German citizen: no foreign residence period


def _note(status: str) -> str:
    notes = {
        ResidenceStatus.FIKTION: _(
            "A Fiktionsbescheinigung continues the status of the period before it "
            "(§ 81 Abs. 3 and 4 AufenthG)."
        ),
        ResidenceStatus.EU_FREEDOM: _(
            "EU freedom of movement counts as an unlimited right of residence."
        ),
        ResidenceStatus.GERMAN: _("Periods as a German citizen are not screened."),
    }
    return str(notes.get(ResidenceStatus(status), ""))


def map_residence(rows: list[ResidencePeriod]) -> MappedTimeline:
    periods: list[Period] = []
    notes: list[str] = []
    for row in sorted(rows, key=lambda r: (r.valid_from, r.pk or 0)):
        period = _map_period(row, periods[-1] if periods else None)
        if period is not None:
            periods.append(period)
        note = _note(row.status)
        if note and note not in notes:
            notes.append(note)
    return MappedTimeline(tuple(periods), tuple(notes))


def _open_on(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day <= end)


def benefit_facts(rows: list[BenefitPeriod], day: dt.date) -> dict[str, bool | None]:
    if not rows:
        return {"receives_sgb2_or_sgb12": None, "in_education": None}
    open_systems = {r.system for r in rows if _open_on(r.valid_from, r.valid_until, day)}
    return {
        "receives_sgb2_or_sgb12": bool(open_systems & set(SGB_II_XII)),
        "in_education": True if BenefitSystem.BAFOEG in open_systems else None,
    }


def is_minor_on(birth_date: dt.date, day: dt.date) -> bool:
    try:
        eighteenth = birth_date.replace(year=birth_date.year + 18)
    except ValueError:  # born on 29 February
        eighteenth = dt.date(birth_date.year + 18, 3, 1)
    return day < eighteenth


def minor_child(children: list[Person], linked: bool, day: dt.date) -> bool | None:
    """True with a child under 18 on ``day``; False if the household is recorded without one
    (and every child's birth date is known); None when it cannot be told."""
    if any(c.birth_date and is_minor_on(c.birth_date, day) for c in children):
        return True
    if any(c.birth_date is None for c in children) or not linked:
        return None
    return False


def household_children(person: Person) -> tuple[list[Person], bool]:
    """The person's children in the household and whether any household link exists."""
    links = list(
        HouseholdLink.objects.filter(Q(person=person) | Q(other=person)).select_related(
            "person", "other"
        )
    )
    children = [
        link.other
        for link in links
        if link.person_id == person.pk and link.relation == Relation.CHILD
    ] + [
        link.person
        for link in links
        if link.other_id == person.pk and link.relation == Relation.PARENT
    ]
    return children, bool(links)


@dataclass(frozen=True)
class CaseFacts:
    """What the case file says for the screening, before the form's additions."""

    facts: PersonFacts
    notes: tuple[str, ...]


def case_facts(case: Case, day: dt.date) -> CaseFacts:
    """The facts the case file holds, judged on ``day`` (three queries)."""
    person = case.person
    rows = list(ResidencePeriod.objects.filter(person=person))
    residence = map_residence(rows)
    benefits = benefit_facts(list(BenefitPeriod.objects.filter(person=person)), day)
    children, linked = household_children(person)
    recognised = any(
        r.status == ResidenceStatus.AUFENTHALTSERLAUBNIS and is_recognition(r.section) for r in rows
    )
    facts = PersonFacts(
        ref=person.number,
        birth_date=person.birth_date,
        residence_periods=residence.periods or None,
        asylum_recognized=True if recognised else None,
        receives_sgb2_or_sgb12=benefits["receives_sgb2_or_sgb12"],
        in_education=benefits["in_education"],
        minor_child_in_household=minor_child(children, linked, day),
    )
    return CaseFacts(facts, residence.notes)


def with_additions(facts: PersonFacts, additions: Mapping[str, Any]) -> PersonFacts:
    """The case file's facts completed by the form: a value the form gives wins, an empty one
    (None or "") keeps what the file says."""
    given = {
        name: value
        for name, value in additions.items()
        if value is not None and value != "" and hasattr(facts, name) and name != "ref"
    }
    return replace(facts, **given)
