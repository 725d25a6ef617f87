"""The rule versions as data: reference data, the loader action and the database view."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from kim.audit.models import AuditEvent, EventType
from kim.screening.actions.reference import load_screening_reference_data
from kim.screening.models import RuleVersion
from kim.screening.reference_data import RULE_ORDER
from kim.screening.rulebook import database_versions, reference_versions, version_on
from kim.screening.rules import CHECKS
from kim.screening.tests.rulecases import d


def test_every_version_is_complete() -> None:
    versions = reference_versions()
    assert {v.rule for v in versions} == set(RULE_ORDER)
    for v in versions:
        assert v.norm.startswith("§") and "https://" in v.source
        assert v.valid_to is None or v.valid_to >= v.valid_from
        for c in v.criteria:
            assert c["id"] in CHECKS, c
            assert c["kind"] in ("checkable", "discretionary")
            assert c["label"] and c["norm"].startswith("§")


def test_versions_of_a_rule_do_not_overlap() -> None:
    versions = reference_versions()
    for rule in RULE_ORDER:
        mine = [v for v in versions if v.rule == rule]
        for earlier, later in pairwise(mine):
            assert earlier.valid_to is not None and earlier.valid_to < later.valid_from


@pytest.mark.parametrize(
    ("rule", "day", "valid_from"),
    [
        ("aufenthg_25a", "2022-12-30", "2015-08-01"),
        ("aufenthg_25a", "2022-12-31", "2022-12-31"),
        ("aufenthg_104c", "2025-12-31", "2022-12-31"),
        ("aufenthg_104c", "2026-01-01", None),
        ("stag_10", "2024-06-26", "2000-01-01"),
        ("stag_10", "2024-06-27", "2024-06-27"),
        ("stag_10_3", "2025-10-29", "2024-06-27"),
        ("stag_10_3", "2025-10-30", None),
    ],
)
def test_version_on(rule: str, day: str, valid_from: str | None) -> None:
    found = version_on(reference_versions(), rule, d(day))
    assert (found.valid_from if found else None) == (d(valid_from) if valid_from else None)


@pytest.mark.django_db
def test_loader_is_idempotent_and_audited(django_assert_num_queries: Any) -> None:
    RuleVersion.objects.all().delete()
    with django_assert_num_queries(1):
        assert database_versions() == reference_versions()  # empty table: fallback
    # The German letter text exists already (the demo world): only the versions are new.
    assert load_screening_reference_data(acting_user=None) == {
        "rule_versions": 8,
        "letter_texts": 0,
    }
    event = AuditEvent.objects.filter(event_type=EventType.REFERENCE_DATA_LOADED).latest("id")
    assert event.subject_type == "screening.reference"
    assert event.extra == {"screening": {"rule_versions": 8, "letter_texts": 0}}
    count = AuditEvent.objects.count()
    assert load_screening_reference_data(acting_user=None) == {
        "rule_versions": 0,
        "letter_texts": 0,
    }
    assert AuditEvent.objects.count() == count
    with django_assert_num_queries(1):
        assert database_versions() == reference_versions()


@pytest.mark.django_db
def test_local_corrections_survive_a_reload() -> None:
    RuleVersion.objects.all().delete()
    load_screening_reference_data(acting_user=None)
    RuleVersion.objects.filter(rule="stag_10_3").update(valid_to=d("2025-10-30"), confirmed=True)
    load_screening_reference_data(acting_user=None)
    (turbo,) = [v for v in database_versions() if v.rule == "stag_10_3"]
    assert turbo.valid_to == d("2025-10-30") and turbo.confirmed
