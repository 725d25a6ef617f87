"""The demo seed: the ABH's list of 30 fictional persons, screened, and two of cm-siegen's
clients with a screening consent (the session seed runs ``kim.home.demo.seed_demo``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from kim.cases.models import Case, ConsentScope
from kim.screening.demo import CONSENTING_CLIENTS, demo_persons, seed_screening
from kim.screening.engine import evaluate
from kim.screening.input import parse_person
from kim.screening.models import ListStatus, RuleVersion, ScreeningList
from kim.screening.rulebook import reference_versions


def _outcomes(entry_results: str) -> dict[str, str]:
    return {r["rule"]: r["outcome"] for r in json.loads(entry_results)}


def test_demo_list_is_screened(db: None) -> None:
    screening_list = ScreeningList.objects.get(organisation__short_name="ABH Kreis")
    assert screening_list.status == ListStatus.DONE
    assert screening_list.total == screening_list.screened == 30
    assert screening_list.decision_date == timezone.localdate()
    entries = list(screening_list.entries.order_by("row"))
    assert len(entries) == 30 and all(e.results for e in entries)
    assert [e.ref for e in entries][:2] == ["DEMO-ABH-001", "DEMO-ABH-002"]
    assert all((e.label or "").startswith("Fiktive Person ") for e in entries)
    outcomes = [_outcomes(e.results or "[]") for e in entries]
    assert any(o["aufenthg_25b"] == "likely" for o in outcomes)
    assert any(o["aufenthg_25a"] == "likely" for o in outcomes)
    assert any(o["stag_10"] == "likely" for o in outcomes)
    assert any("unclear" in o.values() for o in outcomes)
    assert all(o["aufenthg_104c"] == "not_in_force" for o in outcomes)
    assert any(e.likely_from and e.likely_from > timezone.localdate() for e in entries)
    assert RuleVersion.objects.filter(rule="aufenthg_104c").exists()


def test_demo_edge_cases_say_what_they_show() -> None:
    """Evaluated without the database: the 27th birthday tomorrow vs today, § 104c before it
    lapsed, the Turbo route inside its window."""
    today = dt.date(2026, 11, 25)
    persons = {p["label"].split(" – ")[0]: p for p in demo_persons(today)}
    versions = reference_versions()

    def outcome(label: str, rule: str, day: dt.date = today) -> str:
        raw = {k: v for k, v in persons[label].items() if k != "label"}
        results = evaluate(parse_person(raw, 1), day, versions)
        return next(r.outcome.value for r in results if r.rule == rule)

    assert outcome("Fiktive Person 12", "aufenthg_25a") == "likely"  # birthday tomorrow
    assert outcome("Fiktive Person 13", "aufenthg_25a") == "unlikely"  # birthday today
    assert outcome("Fiktive Person 17", "aufenthg_104c") == "not_in_force"
    assert outcome("Fiktive Person 17", "aufenthg_104c", dt.date(2025, 6, 1)) == "likely"
    assert outcome("Fiktive Person 19", "stag_10_3") == "not_in_force"


def test_two_clients_consented_to_the_screening(login_as: Callable[[str], Any]) -> None:
    client = login_as("cm-siegen")
    screened = 0
    for case in Case.objects.filter(responsible__username="cm-siegen").select_related("person"):
        name = (case.person.first_name, case.person.last_name)
        has_consent = case.person.consents.filter(scope=ConsentScope.SCREENING).exists()
        assert has_consent == (name in CONSENTING_CLIENTS)
        if has_consent:
            response = client.get(f"/screening/klienten/{case.code}/")
            assert response.status_code == 200
            screened += 1
    assert screened == 2


def test_seed_is_idempotent(db: None) -> None:
    lists, consents = ScreeningList.objects.count(), ConsentScope.SCREENING
    seed_screening({})
    assert ScreeningList.objects.count() == lists
    assert Case.objects.filter(person__consents__scope=consents).distinct().count() == 2
