"""What the screening knows about one person: plain, typed, immutable facts.

``None`` always means "not known" (never "no"): a checkable criterion whose fact is unknown
makes the rule ``unclear``, never a crash. The CLI's JSON, an uploaded list and a case's
legal-sphere timeline are all turned into ``PersonFacts`` before evaluation
(``kim.screening.input``), so the engine does not know where the facts came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    GESTATTUNG = "gestattung"
    DULDUNG = "duldung"
    AUFENTHALTSERLAUBNIS = "aufenthaltserlaubnis"
    NIEDERLASSUNGSERLAUBNIS = "niederlassungserlaubnis"
    DAUERAUFENTHALT_EU = "daueraufenthalt_eu"
    NONE = "none"


class Level(StrEnum):
    """German language level (CEFR)."""

    NONE = "none"
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class KnowledgeTest(StrEnum):
    NONE = "none"
    LEBEN_IN_DEUTSCHLAND = "leben_in_deutschland"
    EINBUERGERUNGSTEST = "einbuergerungstest"


class Livelihood(StrEnum):
    SECURED = "secured"
    MOSTLY_SECURED = "mostly_secured"
    NOT_SECURED = "not_secured"


@dataclass(frozen=True)
class Period:
    """A residence period; ``section`` is the legal basis without "§" (e.g. "60b", "25b")."""

    status: Status
    start: dt.date
    end: dt.date | None = None
    section: str = ""


@dataclass(frozen=True)
class PersonFacts:
    ref: str
    birth_date: dt.date | None = None
    application_date: dt.date | None = None
    residence_periods: tuple[Period, ...] | None = None
    asylum_recognized: bool | None = None
    school_years_de: int | None = None
    school_or_vocational_qualification: bool | None = None
    german_level: Level | None = None
    oral_german_level: Level | None = None
    knowledge_test: KnowledgeTest | None = None
    fdgo_commitment: bool | None = None
    livelihood: Livelihood | None = None
    receives_sgb2_or_sgb12: bool | None = None
    in_education: bool | None = None
    minor_child_in_household: bool | None = None
    school_age_children_attend_school: bool | None = None
    criminal_fine_daily_rates: int | None = None
    identity_clarified: bool | None = None
    identity_deception: bool | None = None
    full_time_months_last_24: int | None = None
    former_guest_or_contract_worker: bool | None = None
    special_integration_achievements: bool | None = None
    illness_or_disability_exception: bool | None = None
    # Free extras an uploaded list may carry (shown, never evaluated), e.g. the authority's
    # own file number; never names in the CLI output.
    extra: dict[str, str] = field(default_factory=dict, compare=False)
