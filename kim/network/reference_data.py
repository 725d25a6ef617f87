"""The topic catalogue of the service network (issue 19, D-090), as typed records with their
source: the key, the German and English name, the legal spheres (``organisations.Rechtskreis``
values) a topic usually touches, and its position in lists.

``kim.network.directory.actions.load_topics`` copies them into ``ServiceTopic`` (idempotent:
a key that has a row is left as it is, so the coordination's later versions survive a reload).
The catalogue is a default of the platform, not an official list: no Land catalogue of
counselling topics exists; the legal spheres follow the statutes the KIM guideline names for
the case management across legal spheres.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

TOPICS_VALID_FROM = date(2020, 1, 1)

SRC_TOPICS = (
    "Voreinstellung der KIM-Plattform; Rechtskreise nach SGB II, SGB III, SGB VIII, SGB XII, "
    "AsylbLG, AufenthG/AsylG, StAG und IntV (rechtskreisübergreifendes Case Management, "
    "Förderrichtlinie KIM vom 12.12.2024, MBl. NRW 2024 Nr. 43 S. 1229)"
)


@dataclass(frozen=True)
class TopicRecord:
    key: str
    name: str
    name_en: str
    legal_spheres: tuple[str, ...]
    position: int


TOPICS: tuple[TopicRecord, ...] = (
    TopicRecord("work", "Arbeit und Beruf", "Work and employment", ("sgb_ii", "sgb_iii"), 10),
    TopicRecord(
        "language",
        "Sprache und Integrationskurse",
        "Language and integration courses",
        ("intv", "aufenthg"),
        20,
    ),
    TopicRecord("residence", "Aufenthalt und Asyl", "Residence and asylum", ("aufenthg",), 30),
    TopicRecord("naturalisation", "Einbürgerung", "Naturalisation", ("stag",), 40),
    TopicRecord(
        "recognition",
        "Anerkennung ausländischer Berufsabschlüsse",
        "Recognition of foreign qualifications",
        ("sgb_ii", "sgb_iii"),
        50,
    ),
    TopicRecord(
        "livelihood",
        "Existenzsicherung und Sozialleistungen",
        "Livelihood and social benefits",
        ("sgb_ii", "sgb_xii", "asylblg"),
        60,
    ),
    TopicRecord("housing", "Wohnen", "Housing", ("sgb_ii", "sgb_xii", "asylblg"), 70),
    TopicRecord(
        "family", "Kinder, Jugend und Familie", "Children, youth and family", ("sgb_viii",), 80
    ),
    TopicRecord(
        "school",
        "Schule und Ausbildung",
        "School and vocational training",
        ("schulrecht", "sgb_iii"),
        90,
    ),
    TopicRecord(
        "health",
        "Gesundheit und psychosoziale Hilfe",
        "Health and psychosocial support",
        ("asylblg", "sgb_xii"),
        100,
    ),
    TopicRecord("debt", "Schuldnerberatung", "Debt counselling", ("sgb_ii", "sgb_xii"), 110),
    TopicRecord(
        "migration_counselling",
        "Migrationsberatung",
        "Migration counselling",
        ("aufenthg", "intv"),
        120,
    ),
)

TOPIC_KEYS: tuple[str, ...] = tuple(t.key for t in TOPICS)
