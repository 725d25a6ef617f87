"""§ 104c AufenthG: in force 31.12.2022 – 31.12.2025, cut-off 31.10.2022."""

from __future__ import annotations

import pytest

from kim.screening.facts import PersonFacts
from kim.screening.tests.rulecases import criterion, d, period, person, result

RULE = "aufenthg_104c"

BASE = PersonFacts(
    ref="C",
    birth_date=d("1980-01-01"),
    residence_periods=(period("duldung", "2015-01-01"),),
    fdgo_commitment=True,
    criminal_fine_daily_rates=0,
    identity_deception=False,
)
ARRIVED_2017_10_31 = person(
    BASE,
    residence_periods=(
        period("gestattung", "2017-10-31", "2019-01-01"),
        period("duldung", "2019-01-02"),
    ),
)
ARRIVED_2017_11_01 = person(BASE, residence_periods=(period("duldung", "2017-11-01"),))

CASES = [
    ("day before entry into force", BASE, "2022-12-30", "not_in_force", None),
    ("entry into force", BASE, "2022-12-31", "likely", "2022-12-31"),
    ("last application day", BASE, "2025-12-31", "likely", "2022-12-31"),
    ("lapsed", BASE, "2026-01-01", "not_in_force", None),
    ("exactly 5 years on the cut-off", ARRIVED_2017_10_31, "2024-01-01", "likely", "2022-12-31"),
    ("one day short", ARRIVED_2017_11_01, "2024-01-01", "unlikely", "2022-12-31"),
]


@pytest.mark.parametrize(
    ("facts", "day", "outcome", "valid_from"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_known_cases(facts: PersonFacts, day: str, outcome: str, valid_from: str | None) -> None:
    res = result(facts, day, RULE)
    assert res.outcome == outcome
    assert res.version_valid_from == (d(valid_from) if valid_from else None)
    assert res.met_from is None  # the cut-off lies in the past: time cannot heal


def test_not_in_force_explains_why() -> None:
    res = result(BASE, "2026-03-15", RULE)
    assert res.criteria == ()
    assert res.explanation == (
        "§ 104c AufenthG: Anträge waren nur bis 31.12.2025 möglich; "
        "die Regelung gilt am 15.03.2026 nicht mehr."
    )
    early = result(BASE, "2022-12-30", RULE)
    assert "gilt erst ab 31.12.2022" in early.explanation


@pytest.mark.parametrize(
    ("changes", "outcome", "failing"),
    [
        ({"criminal_fine_daily_rates": 50}, "likely", None),
        ({"criminal_fine_daily_rates": 51}, "unlikely", "criminal"),
        ({"fdgo_commitment": False}, "unlikely", "fdgo"),
        ({"identity_deception": True}, "unlikely", "identity_deception"),
        (
            {
                "residence_periods": (
                    period("duldung", "2015-01-01", "2023-06-30"),
                    period("aufenthaltserlaubnis", "2023-07-01", None, "25b"),
                )
            },
            "unlikely",
            "status",
        ),
        ({"residence_periods": (period("duldung", "2015-01-01", None, "60b"),)}, "likely", None),
        (
            {
                "residence_periods": (
                    period("duldung", "2015-01-01", "2019-12-31"),
                    period("duldung", "2020-02-01"),
                )
            },
            "unlikely",
            "residence_on_cutoff",
        ),
        ({"criminal_fine_daily_rates": None}, "unclear", None),
    ],
)
def test_criteria(changes: dict[str, object], outcome: str, failing: str | None) -> None:
    res = result(person(BASE, **changes), "2024-06-01", RULE)
    assert res.outcome == outcome
    if failing:
        assert criterion(res, failing) is False


def test_fines_between_50_and_90_get_a_discretionary_note() -> None:
    res = result(person(BASE, criminal_fine_daily_rates=80), "2024-06-01", RULE)
    note = next(c for c in res.criteria if c.id == "criminal_foreigner_offences")
    assert note.kind == "discretionary" and note.met is None
    assert "nur Straftaten nach AufenthG/AsylG" in note.explanation
