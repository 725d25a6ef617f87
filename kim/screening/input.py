"""Turning the CLI's / an upload's person dictionaries into ``PersonFacts``.

Strict on shape, lenient on absence: a field that is missing or ``null`` is "not known"
(``None``) and makes criteria unclear, but a value of the wrong type ("yes" for a bool, -1 for
a count), an unknown status or level, an impossible date (2023-02-30) or a period whose ``to``
lies before its ``from`` is an ``InputError`` whose message names the person (``ref`` or its
position) and the field. ``parse_document`` validates the whole document before anything is
evaluated, so a caller never produces partial output.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from kim.core.forms import DEFAULT_BOUNDS
from kim.screening.facts import KnowledgeTest, Level, Livelihood, Period, PersonFacts, Status


class InputError(ValueError):
    """Malformed input: the message names the person (ref or position) and the field."""


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BOOL_FIELDS = (
    "asylum_recognized",
    "school_or_vocational_qualification",
    "fdgo_commitment",
    "receives_sgb2_or_sgb12",
    "in_education",
    "minor_child_in_household",
    "school_age_children_attend_school",
    "identity_clarified",
    "identity_deception",
    "former_guest_or_contract_worker",
    "special_integration_achievements",
    "illness_or_disability_exception",
)
INT_FIELDS = ("school_years_de", "criminal_fine_daily_rates", "full_time_months_last_24")
ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "german_level": Level,
    "oral_german_level": Level,
    "knowledge_test": KnowledgeTest,
    "livelihood": Livelihood,
}
DATE_FIELDS = ("birth_date", "application_date")
KNOWN_FIELDS = frozenset(
    {"ref", "residence_periods", "extra", *BOOL_FIELDS, *INT_FIELDS, *ENUM_FIELDS, *DATE_FIELDS}
)


class _Person:
    """Error messages for one person."""

    def __init__(self, raw: Mapping[str, Any], index: int) -> None:
        ref = raw.get("ref")
        self.who = (
            _("Person %(index)s (ref “%(ref)s”)") % {"index": index, "ref": ref}
            if isinstance(ref, str) and ref.strip()
            else _("Person %(index)s") % {"index": index}
        )

    def error(self, field: str, problem: str) -> InputError:
        return InputError(
            _("%(who)s, field “%(field)s”: %(problem)s")
            % {"who": self.who, "field": field, "problem": problem}
        )


def parse_date(value: object, fail: Any) -> dt.date:
    """A strict ISO date (YYYY-MM-DD) in the plausible range of ``kim.core.forms`` (the rules
    add years and months to dates: 9999-12-31 would overflow); ``fail(problem)`` builds the
    error."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise fail(_("expected a date YYYY-MM-DD, got %(value)s") % {"value": _show(value)})
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise fail(_("%(value)s is not a valid date") % {"value": value}) from None
    if not DEFAULT_BOUNDS.contains(day):
        raise fail(DEFAULT_BOUNDS.message())
    return day


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 40 else text[:37] + "…"


def _enum[E: StrEnum](enum: type[E], value: object, field: str, person: _Person) -> E:
    if isinstance(value, str):
        for member in enum:
            if member.value.lower() == value.strip().lower():
                return member
    allowed = ", ".join(m.value for m in enum)
    raise person.error(
        field,
        _("unknown value %(value)s (allowed: %(allowed)s)")
        % {"value": _show(value), "allowed": allowed},
    )


def _bool(value: object, field: str, person: _Person) -> bool:
    if isinstance(value, bool):
        return value
    raise person.error(field, _("expected true or false, got %(value)s") % {"value": _show(value)})


def _int(value: object, field: str, person: _Person) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise person.error(
        field, _("expected a whole number of at least 0, got %(value)s") % {"value": _show(value)}
    )


def normalise_section(value: str) -> str:
    """ "§ 60b", "§60b", " 60B " → "60b"."""
    return value.replace("§", "").strip().lower().replace(" ", "")


def _period(raw: object, field: str, person: _Person) -> Period:
    if not isinstance(raw, Mapping):
        raise person.error(field, _("expected an object with status, from and to"))
    unknown = sorted(set(raw) - {"status", "section", "from", "to"})
    if unknown:
        raise person.error(f"{field}.{unknown[0]}", _("unknown field"))
    if raw.get("status") is None:
        raise person.error(f"{field}.status", _("is missing"))
    status = _enum(Status, raw["status"], f"{field}.status", person)
    if raw.get("from") is None:
        raise person.error(f"{field}.from", _("is missing"))
    start = parse_date(raw["from"], lambda p: person.error(f"{field}.from", p))
    end = None
    if raw.get("to") is not None:
        end = parse_date(raw["to"], lambda p: person.error(f"{field}.to", p))
        if end < start:
            raise person.error(
                f"{field}.to",
                _("%(to)s lies before “from” %(from)s")
                % {"to": end.isoformat(), "from": start.isoformat()},
            )
    section = raw.get("section")
    if section is not None and not isinstance(section, str | int):
        raise person.error(f"{field}.section", _("expected text such as “60a”"))
    return Period(
        status=status, start=start, end=end, section=normalise_section(str(section or ""))
    )


def _periods(raw: object, person: _Person) -> tuple[Period, ...]:
    if not isinstance(raw, list):
        raise person.error("residence_periods", _("expected a list of periods"))
    periods = [_period(item, f"residence_periods[{i}]", person) for i, item in enumerate(raw, 1)]
    return tuple(sorted(periods, key=lambda p: p.start))


def _extra(raw: object, person: _Person) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) for k in raw):
        raise person.error("extra", _("expected an object of texts"))
    return {k: "" if v is None else str(v) for k, v in raw.items()}


def parse_person(raw: Mapping[str, Any], index: int) -> PersonFacts:
    """One PERSON object of the CLI contract (issue 7 § 4); ``index`` is its 1-based position,
    used in messages when ``ref`` is missing. Raises ``InputError``."""
    if not isinstance(raw, Mapping):
        raise InputError(_("Person %(index)s: expected an object") % {"index": index})
    person = _Person(raw, index)
    ref = raw.get("ref")
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref.strip():
        raise person.error("ref", _("is missing or empty"))
    unknown = sorted(set(raw) - KNOWN_FIELDS)
    if unknown:
        raise person.error(unknown[0], _("unknown field"))
    values: dict[str, Any] = {"ref": ref.strip()}
    values.update(_scalars(raw, person))
    if raw.get("residence_periods") is not None:
        values["residence_periods"] = _periods(raw["residence_periods"], person)
    if raw.get("extra") is not None:
        values["extra"] = _extra(raw["extra"], person)
    return PersonFacts(**values)


def _scalars(raw: Mapping[str, Any], person: _Person) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in DATE_FIELDS:
        if raw.get(name) is not None:
            values[name] = parse_date(raw[name], lambda p, n=name: person.error(n, p))
    for name in BOOL_FIELDS:
        if raw.get(name) is not None:
            values[name] = _bool(raw[name], name, person)
    for name in INT_FIELDS:
        if raw.get(name) is not None:
            values[name] = _int(raw[name], name, person)
    for name, enum in ENUM_FIELDS.items():
        if raw.get(name) is not None:
            values[name] = _enum(enum, raw[name], name, person)
    return values


def parse_document(
    data: object, date_override: dt.date | None
) -> tuple[dt.date, list[PersonFacts]]:
    """``{"decision_date": "YYYY-MM-DD", "persons": [PERSON, ...]}`` → (decision date, facts);
    ``date_override`` (``--date``) wins over the document's date. Validates everything first;
    duplicate refs are an error too (results are keyed by ref)."""
    if not isinstance(data, Mapping):
        raise InputError(_("The input must be a JSON object with “decision_date” and “persons”."))
    if date_override is not None:
        decision_date = date_override
    elif data.get("decision_date") is None:
        raise InputError(_("Field “decision_date” is missing (or pass --date)."))
    else:
        decision_date = parse_date(
            data["decision_date"],
            lambda p: InputError(_("Field “decision_date”: %(problem)s") % {"problem": p}),
        )
    raw_persons = data.get("persons")
    if not isinstance(raw_persons, list):
        raise InputError(_("Field “persons” is missing or not a list."))
    persons: list[PersonFacts] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_persons, start=1):
        facts = parse_person(raw, index)
        if facts.ref in seen:
            raise _Person(raw, index).error("ref", _("duplicate reference"))
        seen.add(facts.ref)
        persons.append(facts)
    return decision_date, persons
