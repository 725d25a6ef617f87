"""§ 25b AufenthG: both versions, interruptions, the child rule, exclusions."""

from __future__ import annotations

import datetime as dt

import pytest

from kim.screening.facts import KnowledgeTest, Level, Livelihood, PersonFacts
from kim.screening.tests.rulecases import criterion, d, period, person, result

RULE = "aufenthg_25b"

BASE = PersonFacts(
    ref="B",
    birth_date=d("1985-01-01"),
    residence_periods=(period("duldung", "2019-01-01", None, "60a"),),
    fdgo_commitment=True,
    knowledge_test=KnowledgeTest.LEBEN_IN_DEUTSCHLAND,
    livelihood=Livelihood.MOSTLY_SECURED,
    oral_german_level=Level.A2,
    minor_child_in_household=False,
    identity_deception=False,
    criminal_fine_daily_rates=0,
)
SINCE_2016_06 = person(BASE, residence_periods=(period("duldung", "2016-06-01"),))
WITH_CHILD = person(
    BASE,
    residence_periods=(period("duldung", "2021-01-01"),),
    minor_child_in_household=True,
    school_age_children_attend_school=True,
)


def gap_until(restart: str) -> PersonFacts:
    return person(
        BASE,
        residence_periods=(
            period("duldung", "2018-01-01", "2021-12-31"),
            period("duldung", restart),
        ),
    )


CASES = [
    ("typical", BASE, "2026-03-15", "likely", "2022-12-31", None),
    ("old law: 8 years", SINCE_2016_06, "2022-12-30", "unlikely", "2015-08-01", "2024-06-01"),
    ("new law: 6 years", SINCE_2016_06, "2022-12-31", "likely", "2022-12-31", None),
    (
        "4 years with child, day before",
        WITH_CHILD,
        "2024-12-31",
        "unlikely",
        "2022-12-31",
        "2025-01-01",
    ),
    ("4 years with child", WITH_CHILD, "2025-01-01", "likely", "2022-12-31", None),
    ("gap 59 days", gap_until("2022-03-01"), "2026-03-15", "likely", "2022-12-31", None),
    ("gap exactly 90 days", gap_until("2022-04-01"), "2024-06-01", "likely", "2022-12-31", None),
    (
        "gap 91 days restarts",
        gap_until("2022-04-02"),
        "2024-06-01",
        "unlikely",
        "2022-12-31",
        "2028-04-02",
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


def test_old_version_warns_that_the_law_changes_before_the_date() -> None:
    res = result(SINCE_2016_06, "2022-12-30", RULE)
    assert "gilt nur bis 30.12.2022; danach ändert sich die Rechtslage" in res.explanation


def test_unknown_child_makes_the_shorter_period_unclear() -> None:
    facts = person(
        WITH_CHILD, minor_child_in_household=None, school_age_children_attend_school=None
    )
    res = result(facts, "2025-06-01", RULE)
    assert criterion(res, "residence_time") is None
    assert res.outcome == "unclear"


def test_tolerated_gap_is_not_counted() -> None:
    # effective start 2018-01-01 + 90 uncounted days (01.01.–31.03.2022) = 01.04.2018
    res = result(gap_until("2022-04-01"), "2024-01-01", RULE)
    assert res.met_from == d("2024-04-01")


@pytest.mark.parametrize(
    ("changes", "outcome", "failing"),
    [
        ({"criminal_fine_daily_rates": 180}, "likely", None),
        ({"criminal_fine_daily_rates": 181}, "unlikely", "criminal"),
        ({"livelihood": Livelihood.NOT_SECURED, "in_education": True}, "likely", None),
        (
            {"livelihood": Livelihood.NOT_SECURED, "in_education": False},
            "unlikely",
            "livelihood_mostly",
        ),
        ({"oral_german_level": Level.A1}, "unlikely", "oral_german"),
        ({"oral_german_level": None, "german_level": Level.B1}, "likely", None),
        (
            {
                "oral_german_level": Level.A1,
                "knowledge_test": KnowledgeTest.NONE,
                "school_or_vocational_qualification": False,
                "illness_or_disability_exception": True,
            },
            "likely",
            None,
        ),
        (
            {"knowledge_test": KnowledgeTest.NONE, "school_or_vocational_qualification": False},
            "unlikely",
            "knowledge",
        ),
        (
            {"knowledge_test": KnowledgeTest.NONE, "school_or_vocational_qualification": True},
            "likely",
            None,
        ),
        ({"fdgo_commitment": False}, "unlikely", "fdgo"),
        ({"identity_deception": True}, "unlikely", "identity_deception"),
        (
            {"minor_child_in_household": True, "school_age_children_attend_school": False},
            "unlikely",
            "children_school",
        ),
        ({"residence_periods": (period("gestattung", "2015-01-01"),)}, "unlikely", "status"),
        (
            {
                "residence_periods": (
                    period("duldung", "2015-01-01", "2024-12-31"),
                    period("aufenthaltserlaubnis", "2025-01-01", None, "104c"),
                )
            },
            "likely",
            None,
        ),
        ({"livelihood": None}, "unclear", None),
    ],
)
def test_criteria(changes: dict[str, object], outcome: str, failing: str | None) -> None:
    res = result(person(BASE, **changes), "2026-03-15", RULE)
    assert res.outcome == outcome
    if failing:
        assert criterion(res, failing) is False


def test_60d_is_noted_not_decided() -> None:
    facts = person(BASE, residence_periods=(period("duldung", "2019-01-01", None, "60d"),))
    res = result(facts, "2026-03-15", RULE)
    note = next(c for c in res.criteria if c.id == "section_60d")
    assert note.met is None and "30 Monaten" in note.explanation
    assert res.outcome == "likely"


def test_duldung_light_leaves_the_deception_exclusion_open() -> None:
    """Under § 60b the form's "no deception" is not enough for § 25b; § 104c counts such
    holders in (its own exclusion is checked as given)."""
    from dataclasses import replace as _replace

    from kim.screening.engine import evaluate
    from kim.screening.facts import Period, PersonFacts, Status
    from kim.screening.tests.rulecases import VERSIONS

    facts = PersonFacts(
        ref="L",
        identity_deception=False,
        residence_periods=(Period(Status.DULDUNG, dt.date(2015, 1, 1), None, "60b"),),
    )
    results = {r.rule: r for r in evaluate(facts, dt.date(2024, 6, 1), VERSIONS)}
    deception = {c.id: c for c in results["aufenthg_25b"].criteria}["identity_deception"]
    assert deception.met is None and "§ 60b" in deception.explanation
    in_104c = {c.id: c for c in results["aufenthg_104c"].criteria}["identity_deception"]
    assert in_104c.met is True
    plain = _replace(
        facts, residence_periods=(Period(Status.DULDUNG, dt.date(2015, 1, 1), None, "60a"),)
    )
    again = {r.rule: r for r in evaluate(plain, dt.date(2024, 6, 1), VERSIONS)}
    assert {c.id: c for c in again["aufenthg_25b"].criteria}["identity_deception"].met is True
