"""§ 25a AufenthG: both versions, as tables of known cases at several decision dates."""

from __future__ import annotations

import pytest

from kim.screening.facts import PersonFacts
from kim.screening.tests.rulecases import criterion, d, period, person, result

RULE = "aufenthg_25a"

BASE = PersonFacts(
    ref="A",
    birth_date=d("2002-06-10"),
    residence_periods=(
        period("gestattung", "2016-01-01", "2019-12-31"),
        period("duldung", "2020-01-01", None, "60a"),
    ),
    school_years_de=4,
    school_or_vocational_qualification=False,
    identity_deception=False,
    fdgo_commitment=True,
    in_education=True,
)
TURNS_27_ON_15_03_2026 = person(BASE, birth_date=d("1999-03-15"))
TURNS_21_ON_10_01_2022 = person(BASE, birth_date=d("2001-01-10"))
ARRIVED_2019_06 = person(
    BASE, birth_date=d("2003-01-01"), residence_periods=(period("duldung", "2019-06-01"),)
)
SIXTY_B = person(
    BASE,
    residence_periods=(
        period("duldung", "2021-01-01", "2022-12-31"),
        period("duldung", "2023-01-01", "2025-06-30", "60b"),
        period("duldung", "2025-07-01"),
    ),
)
DULDUNG_SINCE_09_2025 = person(
    BASE,
    residence_periods=(
        period("gestattung", "2022-01-01", "2025-08-31"),
        period("duldung", "2025-09-01"),
    ),
)

CASES = [
    # (label, facts, decision date, outcome, version_valid_from, met_from)
    ("typical", BASE, "2026-03-15", "likely", "2022-12-31", None),
    (
        "day before 27th birthday",
        TURNS_27_ON_15_03_2026,
        "2026-03-14",
        "likely",
        "2022-12-31",
        None,
    ),
    ("on 27th birthday", TURNS_27_ON_15_03_2026, "2026-03-15", "unlikely", "2022-12-31", None),
    ("old law: 21 already", TURNS_21_ON_10_01_2022, "2022-12-30", "unlikely", "2015-08-01", None),
    ("new law: before 27", TURNS_21_ON_10_01_2022, "2022-12-31", "likely", "2022-12-31", None),
    ("old law: 4 years", ARRIVED_2019_06, "2022-12-30", "unlikely", "2015-08-01", "2023-06-01"),
    ("new law: 3 years", ARRIVED_2019_06, "2022-12-31", "likely", "2022-12-31", None),
    ("§ 60b paused", SIXTY_B, "2026-03-15", "unlikely", "2022-12-31", "2026-07-02"),
    ("§ 60b paused, day before", SIXTY_B, "2026-07-01", "unlikely", "2022-12-31", "2026-07-02"),
    ("§ 60b paused, later", SIXTY_B, "2026-07-02", "likely", "2022-12-31", None),
    (
        "12 months Duldung",
        DULDUNG_SINCE_09_2025,
        "2026-03-15",
        "unlikely",
        "2022-12-31",
        "2026-09-01",
    ),
    (
        "12 months Duldung reached",
        DULDUNG_SINCE_09_2025,
        "2026-09-01",
        "likely",
        "2022-12-31",
        None,
    ),
]


@pytest.mark.parametrize(
    ("facts", "day", "outcome", "valid_from", "met_from"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_known_cases(
    facts: PersonFacts, day: str, outcome: str, valid_from: str, met_from: str | None
) -> None:
    res = result(facts, day, RULE)
    assert res.outcome == outcome
    assert res.version_valid_from == d(valid_from)
    assert res.met_from == (d(met_from) if met_from else None)
    assert res.norm.startswith("§ 25a AufenthG (Fassung")


def test_application_date_rules_the_age_not_the_decision_date() -> None:
    applied = person(TURNS_27_ON_15_03_2026, application_date=d("2026-03-14"))
    assert result(applied, "2026-06-01", RULE).outcome == "likely"
    late = person(TURNS_27_ON_15_03_2026, application_date=d("2026-03-15"))
    res = result(late, "2026-06-01", RULE)
    assert criterion(res, "age_at_application") is False
    assert "27. Geburtstag war am 15.03.2026" in next(
        c.explanation for c in res.criteria if c.id == "age_at_application"
    )


def test_time_met_only_after_the_27th_birthday_gives_no_date() -> None:
    facts = person(DULDUNG_SINCE_09_2025, birth_date=d("1999-08-01"))
    res = result(facts, "2026-03-15", RULE)
    assert res.outcome == "unlikely" and res.met_from is None
    assert "nur bis 31.07.2026 möglich" in res.explanation


def test_section_104c_holders_count_their_60b_time() -> None:
    holder = person(
        SIXTY_B,
        residence_periods=(
            *SIXTY_B.residence_periods[:2],
            period("aufenthaltserlaubnis", "2025-07-01", None, "104c"),
        ),
    )  # type: ignore[misc]
    res = result(holder, "2026-03-15", RULE)
    assert criterion(res, "residence_time") is True
    assert criterion(res, "duldung_months") is True  # not needed with a § 104c permit
    assert res.outcome == "likely"


def test_a_current_60b_duldung_stops_the_12_months() -> None:
    facts = person(
        BASE,
        residence_periods=(
            period("duldung", "2020-01-01", "2025-10-31"),
            period("duldung", "2025-11-01", None, "60b"),
        ),
    )
    res = result(facts, "2026-03-15", RULE)
    assert criterion(res, "status") is True
    assert criterion(res, "duldung_months") is True  # 2020–2025 already count
    fresh = person(BASE, residence_periods=(period("duldung", "2025-11-01", None, "60b"),))
    res = result(fresh, "2026-03-15", RULE)
    assert criterion(res, "duldung_months") is False and res.met_from is None


@pytest.mark.parametrize(
    ("changes", "outcome", "failing"),
    [
        ({"residence_periods": (period("gestattung", "2016-01-01"),)}, "unlikely", "status"),
        ({"identity_deception": True}, "unlikely", "identity_deception"),
        ({"school_years_de": 2}, "unlikely", "education"),
        ({"school_years_de": 2, "illness_or_disability_exception": True}, "likely", None),
        ({"school_years_de": 1, "school_or_vocational_qualification": True}, "likely", None),
        ({"school_years_de": None, "school_or_vocational_qualification": None}, "unclear", None),
        ({"birth_date": None}, "unclear", None),
        ({"residence_periods": None}, "unclear", None),
        ({"in_education": False, "livelihood": "not_secured"}, "unclear", None),
        ({"fdgo_commitment": None}, "likely", None),
    ],
)
def test_criteria(changes: dict[str, object], outcome: str, failing: str | None) -> None:
    from kim.screening.facts import Livelihood

    if "livelihood" in changes:
        changes = {**changes, "livelihood": Livelihood(str(changes["livelihood"]))}
    res = result(person(BASE, **changes), "2026-03-15", RULE)
    assert res.outcome == outcome
    if failing:
        assert criterion(res, failing) is False


def test_minimum_age_heals_with_time() -> None:
    child = person(BASE, birth_date=d("2014-01-01"))
    res = result(child, "2026-03-15", RULE)
    assert res.outcome == "unlikely" and res.met_from == d("2028-01-01")
    assert "voraussichtlich erfüllt ab 01.01.2028" in res.explanation


def test_every_explanation_names_the_norm() -> None:
    res = result(BASE, "2026-03-15", RULE)
    assert all(c.explanation.startswith("§ 25a") for c in res.criteria)
    assert {c.kind.value for c in res.criteria} == {"checkable", "discretionary"}
    residence = next(c for c in res.criteria if c.id == "residence_time")
    assert residence.explanation == (
        "§ 25a Abs. 1 Satz 1 Nr. 2 AufenthG: 3 Jahre ununterbrochener Aufenthalt erforderlich; "
        "erfüllt seit 01.01.2019 (bisher 10 Jahre, 2 Monate)."
    )
