"""§ 10 StAG (before/after 27.06.2024) and § 10 Abs. 3 StAG (Turbo, 27.06.2024 – 29.10.2025)."""

from __future__ import annotations

import pytest

from kim.screening.facts import KnowledgeTest, Level, Livelihood, PersonFacts
from kim.screening.tests.rulecases import VERSIONS, criterion, d, period, person, result

BASE = PersonFacts(
    ref="N",
    birth_date=d("1990-01-01"),
    residence_periods=(period("aufenthaltserlaubnis", "2019-01-01", None, "25"),),
    identity_clarified=True,
    fdgo_commitment=True,
    receives_sgb2_or_sgb12=False,
    livelihood=Livelihood.SECURED,
    criminal_fine_daily_rates=0,
    german_level=Level.B1,
    knowledge_test=KnowledgeTest.EINBUERGERUNGSTEST,
    special_integration_achievements=False,
)
AFTER_DULDUNG = person(
    BASE,
    residence_periods=(
        period("duldung", "2015-01-01", "2021-05-31"),
        period("aufenthaltserlaubnis", "2021-06-01", None, "25b"),
    ),
)
GESTATTUNG_FIRST = person(
    BASE,
    residence_periods=(
        period("gestattung", "2018-01-01", "2021-12-31"),
        period("aufenthaltserlaubnis", "2022-01-01", None, "25"),
    ),
    asylum_recognized=False,
)
TURBO = person(
    BASE,
    residence_periods=(period("aufenthaltserlaubnis", "2022-01-01", None, "18b"),),
    german_level=Level.C1,
    special_integration_achievements=True,
)
TURBO_LATE = person(TURBO, residence_periods=(period("aufenthaltserlaubnis", "2023-01-01"),))

CASES = [
    # rule, label, facts, day, outcome, version, met_from
    ("stag_10", "old law: 8 years", BASE, "2024-06-26", "unlikely", "2000-01-01", "2027-01-01"),
    ("stag_10", "new law: 5 years", BASE, "2024-06-27", "likely", "2024-06-27", None),
    (
        "stag_10",
        "Duldung does not count",
        AFTER_DULDUNG,
        "2026-03-15",
        "unlikely",
        "2024-06-27",
        "2026-06-01",
    ),
    (
        "stag_10",
        "Duldung does not count, later",
        AFTER_DULDUNG,
        "2026-06-01",
        "likely",
        "2024-06-27",
        None,
    ),
    (
        "stag_10",
        "Gestattung without recognition",
        GESTATTUNG_FIRST,
        "2026-03-15",
        "unlikely",
        "2024-06-27",
        "2027-01-01",
    ),
    (
        "stag_10",
        "Gestattung after recognition",
        person(GESTATTUNG_FIRST, asylum_recognized=True),
        "2026-03-15",
        "likely",
        "2024-06-27",
        None,
    ),
    (
        "stag_10",
        "recognition unknown",
        person(GESTATTUNG_FIRST, asylum_recognized=None),
        "2026-03-15",
        "unclear",
        "2024-06-27",
        None,
    ),
    (
        "stag_10",
        "old law: 6 with achievements",
        person(
            BASE,
            special_integration_achievements=True,
            residence_periods=(period("aufenthaltserlaubnis", "2017-01-01"),),
        ),
        "2024-01-15",
        "likely",
        "2000-01-01",
        None,
    ),
    (
        "stag_10",
        "old law: achievements unknown",
        person(
            BASE,
            special_integration_achievements=None,
            residence_periods=(period("aufenthaltserlaubnis", "2017-01-01"),),
        ),
        "2024-01-15",
        "unclear",
        "2000-01-01",
        None,
    ),
    ("stag_10_3", "before the reform", TURBO, "2024-06-26", "not_in_force", None, None),
    (
        "stag_10_3",
        "first day, 2½ years",
        TURBO,
        "2024-06-27",
        "unlikely",
        "2024-06-27",
        "2025-01-01",
    ),
    ("stag_10_3", "3 years", TURBO, "2025-01-01", "likely", "2024-06-27", None),
    ("stag_10_3", "last assumed day", TURBO, "2025-10-29", "likely", "2024-06-27", None),
    ("stag_10_3", "abolished", TURBO, "2025-10-30", "not_in_force", None, None),
    (
        "stag_10_3",
        "too late for Turbo",
        TURBO_LATE,
        "2025-10-29",
        "unlikely",
        "2024-06-27",
        "2026-01-01",
    ),
    (
        "stag_10",
        "Turbo person, general rule",
        TURBO,
        "2025-10-30",
        "unlikely",
        "2024-06-27",
        "2027-01-01",
    ),
]


@pytest.mark.parametrize(
    ("rule", "facts", "day", "outcome", "valid_from", "met_from"),
    [(c[0], *c[2:]) for c in CASES],
    ids=[f"{c[0]}: {c[1]}" for c in CASES],
)
def test_known_cases(
    rule: str,
    facts: PersonFacts,
    day: str,
    outcome: str,
    valid_from: str | None,
    met_from: str | None,
) -> None:
    res = result(facts, day, rule)
    assert res.outcome == outcome
    assert res.version_valid_from == (d(valid_from) if valid_from else None)
    assert res.met_from == (d(met_from) if met_from else None)


def test_turbo_warns_when_the_time_comes_after_abolition() -> None:
    res = result(TURBO_LATE, "2025-10-29", "stag_10_3")
    assert "gilt nur bis 29.10.2025; danach entfällt die Regelung" in res.explanation
    gone = result(TURBO, "2025-10-30", "stag_10_3")
    assert "abgeschafft" in gone.explanation and "30.10.2025 nicht mehr" in gone.explanation


def test_turbo_abolition_day_is_unconfirmed() -> None:
    (turbo,) = [v for v in VERSIONS if v.rule == "stag_10_3"]
    assert turbo.valid_to == d("2025-10-29") and not turbo.confirmed
    assert "genauer Tag nicht bestätigt – bitte prüfen" in turbo.note


@pytest.mark.parametrize(
    ("changes", "outcome", "failing"),
    [
        (
            {
                "receives_sgb2_or_sgb12": True,
                "full_time_months_last_24": 20,
                "former_guest_or_contract_worker": False,
            },
            "likely",
            None,
        ),
        (
            {
                "receives_sgb2_or_sgb12": True,
                "full_time_months_last_24": 19,
                "former_guest_or_contract_worker": False,
            },
            "unlikely",
            "livelihood_naturalisation",
        ),
        ({"receives_sgb2_or_sgb12": True, "former_guest_or_contract_worker": True}, "likely", None),
        ({"receives_sgb2_or_sgb12": True}, "unclear", None),
        ({"criminal_fine_daily_rates": 90}, "likely", None),
        ({"criminal_fine_daily_rates": 91}, "unlikely", "criminal"),
        ({"german_level": Level.A2}, "unlikely", "german_b1"),
        (
            {
                "german_level": Level.A2,
                "oral_german_level": Level.B1,
                "former_guest_or_contract_worker": True,
            },
            "likely",
            None,
        ),
        ({"german_level": Level.A2, "illness_or_disability_exception": True}, "likely", None),
        # "Leben in Deutschland" counts only with 17 of 33 points, which the facts do not say.
        ({"knowledge_test": KnowledgeTest.LEBEN_IN_DEUTSCHLAND}, "unclear", None),
        ({"knowledge_test": KnowledgeTest.NONE}, "unlikely", "naturalisation_test"),
        ({"identity_clarified": False}, "unlikely", "identity_clarified"),
        (
            {"residence_periods": (period("aufenthaltserlaubnis", "2019-01-01", None, "16b"),)},
            "unlikely",
            "permit",
        ),
        ({"residence_periods": (period("niederlassungserlaubnis", "2019-01-01"),)}, "likely", None),
        (
            {
                "residence_periods": (
                    period("aufenthaltserlaubnis", "2019-01-01", "2025-12-31"),
                    period("duldung", "2026-01-01"),
                )
            },
            "unlikely",
            "permit",
        ),
    ],
)
def test_naturalisation_criteria(
    changes: dict[str, object], outcome: str, failing: str | None
) -> None:
    res = result(person(BASE, **changes), "2026-03-15", "stag_10")
    assert res.outcome == outcome
    if failing:
        assert criterion(res, failing) is False


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"german_level": Level.B2}, "german_c1"),
        ({"special_integration_achievements": False}, "special_achievements"),
        ({"livelihood": Livelihood.MOSTLY_SECURED}, "livelihood_secured"),
    ],
)
def test_turbo_criteria(changes: dict[str, object], failing: str) -> None:
    res = result(person(TURBO, **changes), "2025-06-01", "stag_10_3")
    assert res.outcome == "unlikely" and criterion(res, failing) is False


def test_old_law_benefit_receipt_is_discretionary() -> None:
    facts = person(
        BASE,
        receives_sgb2_or_sgb12=True,
        residence_periods=(period("aufenthaltserlaubnis", "2015-01-01"),),
    )
    res = result(facts, "2024-01-15", "stag_10")
    livelihood = next(c for c in res.criteria if c.id == "livelihood_old")
    assert livelihood.kind == "discretionary" and livelihood.met is None
    assert res.outcome == "likely"
