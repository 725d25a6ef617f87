"""Parsing PERSON objects and whole documents: lenient on absence, strict on shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kim.screening.facts import KnowledgeTest, Level, Livelihood, Period, Status
from kim.screening.input import InputError, parse_document, parse_person

FULL: dict[str, Any] = {
    "ref": "K-17",
    "birth_date": "2001-04-02",
    "application_date": "2026-01-10",
    "residence_periods": [
        {"status": "duldung", "section": "§ 60b", "from": "2019-05-01", "to": "2020-01-31"},
        {"status": "gestattung", "from": "2016-01-01", "to": "2019-04-30"},
        {"status": "Duldung", "section": "60a", "from": "2020-02-01", "to": None},
    ],
    "asylum_recognized": False,
    "school_years_de": 3,
    "school_or_vocational_qualification": True,
    "german_level": "b1",
    "oral_german_level": "A2",
    "knowledge_test": "leben_in_deutschland",
    "fdgo_commitment": True,
    "livelihood": "mostly_secured",
    "receives_sgb2_or_sgb12": False,
    "in_education": True,
    "minor_child_in_household": False,
    "school_age_children_attend_school": None,
    "criminal_fine_daily_rates": 0,
    "identity_clarified": True,
    "identity_deception": False,
    "full_time_months_last_24": 12,
    "former_guest_or_contract_worker": False,
    "special_integration_achievements": False,
    "illness_or_disability_exception": False,
}


def test_a_full_person_is_parsed_and_normalised() -> None:
    facts = parse_person(FULL, 1)
    assert facts.ref == "K-17"
    assert facts.birth_date == dt.date(2001, 4, 2)
    assert facts.residence_periods == (
        Period(Status.GESTATTUNG, dt.date(2016, 1, 1), dt.date(2019, 4, 30), ""),
        Period(Status.DULDUNG, dt.date(2019, 5, 1), dt.date(2020, 1, 31), "60b"),
        Period(Status.DULDUNG, dt.date(2020, 2, 1), None, "60a"),
    )
    assert facts.german_level is Level.B1 and facts.oral_german_level is Level.A2
    assert facts.knowledge_test is KnowledgeTest.LEBEN_IN_DEUTSCHLAND
    assert facts.livelihood is Livelihood.MOSTLY_SECURED
    assert facts.school_age_children_attend_school is None
    assert facts.criminal_fine_daily_rates == 0


def test_only_ref_is_required() -> None:
    facts = parse_person({"ref": "x"}, 4)
    assert facts.ref == "x" and facts.residence_periods is None and facts.birth_date is None


BAD = [
    # (changes, field named in the message)
    ({"ref": None}, "ref"),
    ({"ref": "  "}, "ref"),
    ({"birth_date": "2023-02-30"}, "birth_date"),
    ({"birth_date": "01.02.2003"}, "birth_date"),
    ({"application_date": 20260110}, "application_date"),
    ({"fdgo_commitment": "yes"}, "fdgo_commitment"),
    ({"in_education": 1}, "in_education"),
    ({"school_years_de": -1}, "school_years_de"),
    ({"school_years_de": 2.5}, "school_years_de"),
    ({"criminal_fine_daily_rates": True}, "criminal_fine_daily_rates"),
    ({"german_level": "B3"}, "german_level"),
    ({"oral_german_level": "fluent"}, "oral_german_level"),
    ({"knowledge_test": "yes"}, "knowledge_test"),
    ({"livelihood": "rich"}, "livelihood"),
    ({"nickname": "Ali"}, "nickname"),
    ({"residence_periods": "duldung"}, "residence_periods"),
    ({"residence_periods": ["duldung"]}, "residence_periods[1]"),
    (
        {"residence_periods": [{"status": "geduldet", "from": "2020-01-01"}]},
        "residence_periods[1].status",
    ),
    ({"residence_periods": [{"from": "2020-01-01"}]}, "residence_periods[1].status"),
    ({"residence_periods": [{"status": "duldung"}]}, "residence_periods[1].from"),
    (
        {"residence_periods": [{"status": "duldung", "from": "2020-13-01"}]},
        "residence_periods[1].from",
    ),
    (
        {
            "residence_periods": [
                {"status": "duldung", "from": "2020-01-01"},
                {"status": "duldung", "from": "2021-05-01", "to": "2021-04-30"},
            ]
        },
        "residence_periods[2].to",
    ),
    (
        {"residence_periods": [{"status": "duldung", "from": "2020-01-01", "until": None}]},
        "residence_periods[1].until",
    ),
]


@pytest.mark.parametrize(("changes", "field"), BAD, ids=[f for _, f in BAD])
def test_malformed_values_name_person_and_field(changes: dict[str, Any], field: str) -> None:
    raw = {**FULL, **changes}
    with pytest.raises(InputError) as error:
        parse_person(raw, 3)
    message = str(error.value)
    assert f"“{field}”" in message
    if field == "ref":
        assert "Person 3" in message
    else:
        assert "K-17" in message and "Person 3" in message


def test_document_decision_date_and_override() -> None:
    doc = {"decision_date": "2026-03-15", "persons": [{"ref": "a"}, {"ref": "b"}]}
    day, persons = parse_document(doc, None)
    assert day == dt.date(2026, 3, 15) and [p.ref for p in persons] == ["a", "b"]
    day, _ = parse_document({"persons": []}, dt.date(2025, 1, 1))
    assert day == dt.date(2025, 1, 1)


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ([], "JSON"),
        ("text", "JSON"),
        ({"decision_date": "2026-03-15"}, "persons"),
        ({"decision_date": "2026-03-15", "persons": {"ref": "a"}}, "persons"),
        ({"persons": []}, "decision_date"),
        ({"decision_date": "2026-02-30", "persons": []}, "decision_date"),
        ({"decision_date": "2026-03-15", "persons": [{"ref": "a"}, {"ref": "a"}]}, "Person 2"),
        ({"decision_date": "2026-03-15", "persons": [{"ref": "a"}, 7]}, "Person 2"),
    ],
)
def test_malformed_documents(doc: object, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_document(doc, None)
