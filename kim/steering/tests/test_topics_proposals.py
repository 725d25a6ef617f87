"""The proposal rule: thresholds as dated data, the most specific row winning, at least two
organisations, and never the same category and quarter twice (D-084)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command

from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Barrier, BarrierCategory
from kim.cases.queries.barriers import Quarter
from kim.organisations.models import Organisation
from kim.steering import proposals
from kim.steering.actions.topics import propose_topics, record_threshold, reject_topic
from kim.steering.models import Topic, TopicStatus, TopicThreshold

pytestmark = pytest.mark.django_db

Q1_2025 = dt.date(2025, 2, 10)
Q2_2025 = dt.date(2025, 5, 10)
END_2025 = dt.date(2025, 12, 31)


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


def _rule(
    region: int | None, category: int | None, n: int, start: str, **kw: object
) -> proposals.Rule:
    return proposals.Rule(
        region_id=region,
        category_id=category,
        min_barriers=n,
        min_organisations=2,
        valid_from=dt.date.fromisoformat(start),
        valid_to=kw.get("end"),  # type: ignore[arg-type]
    )


# --- the pure rule ------------------------------------------------------------------------------


def test_the_most_specific_valid_rule_wins() -> None:
    default = _rule(None, None, 5, "2020-01-01")
    for_category = _rule(None, 7, 4, "2020-01-01")
    for_kreis = _rule(1, None, 8, "2025-04-01")
    for_both = _rule(1, 7, 3, "2025-07-01", end=dt.date(2025, 9, 30))
    rules = [default, for_category, for_kreis, for_both]
    assert proposals.applicable_rule(rules, 1, 7, dt.date(2025, 1, 1)) == for_category
    assert proposals.applicable_rule(rules, 1, 7, dt.date(2025, 4, 1)) == for_kreis
    assert proposals.applicable_rule(rules, 1, 7, dt.date(2025, 7, 1)) == for_both
    assert proposals.applicable_rule(rules, 1, 7, dt.date(2025, 10, 1)) == for_kreis
    assert proposals.applicable_rule(rules, 2, 7, dt.date(2025, 10, 1)) == for_category
    assert proposals.applicable_rule(rules, 2, 8, dt.date(2025, 10, 1)) == default
    assert proposals.applicable_rule([for_both], 2, 8, dt.date(2025, 7, 1)) is None


def test_a_newer_row_of_the_same_kind_supersedes_an_older_one() -> None:
    old, new = _rule(None, None, 5, "2020-01-01"), _rule(None, None, 9, "2025-04-01")
    assert proposals.applicable_rule([new, old], 1, 1, dt.date(2025, 3, 31)) == old
    assert proposals.applicable_rule([old, new], 1, 1, dt.date(2025, 4, 1)) == new


def test_tally_counts_barriers_and_distinct_known_organisations_per_quarter() -> None:
    rows = [
        (7, dt.date(2025, 1, 1), 1),
        (7, dt.date(2025, 3, 1), 1),
        (7, dt.date(2025, 2, 1), None),
        (7, dt.date(2025, 4, 1), 2),
        (8, dt.date(2025, 1, 1), 3),
    ]
    tallies = proposals.tally(rows)
    assert [(t.category_id, t.quarter, t.barriers, t.organisations) for t in tallies] == [
        (7, Quarter(2025, 1), 3, 1),
        (8, Quarter(2025, 1), 1, 1),
        (7, Quarter(2025, 2), 1, 1),
    ]


# --- proposals in the database ----------------------------------------------------------------


def test_the_default_threshold_is_seeded_as_configurable_data() -> None:
    row = TopicThreshold.objects.get(region=None, category=None)
    assert (row.min_barriers, row.min_organisations) == (5, 2)
    assert "von der KIM-Koordination festzulegen" in row.source


def test_a_category_reaching_the_threshold_is_proposed_once(barriers: Callable) -> None:
    made = barriers("digital", Q1_2025, {"cm-siegen": 3, "cm-kreuztal": 2})
    kreis = _kreis()

    created = propose_topics(acting_user=None, region=kreis, day=END_2025)

    assert len(created) == 1
    topic = created[0]
    assert (topic.status, topic.proposed_quarter, topic.category.key) == (
        TopicStatus.PROPOSED,
        "2025-Q1",
        "digital",
    )
    assert set(topic.barriers.all()) == set(made)
    event = AuditEvent.objects.get(event_type=EventType.TOPIC_PROPOSED, subject_code=topic.code)
    assert event.extra["barriers"] == 5 and event.extra["organisations"] == 2
    # Again: nothing new, also after the proposal was rejected.
    assert propose_topics(acting_user=None, region=kreis, day=END_2025) == []
    reject_topic(topic, acting_user=None, reason="Schon bekannt.", expected_version=topic.version)
    assert propose_topics(acting_user=None, region=kreis, day=END_2025) == []
    assert Topic.objects.filter(category__key="digital").count() == 1


def test_barriers_of_one_organisation_or_too_few_propose_nothing(barriers: Callable) -> None:
    barriers("digital", Q1_2025, {"cm-siegen": 7})
    barriers("sprache", Q1_2025, {"cm-siegen": 2, "cm-kreuztal": 2})
    assert propose_topics(acting_user=None, region=_kreis(), day=END_2025) == []


def test_barriers_after_the_day_do_not_count(barriers: Callable) -> None:
    barriers("digital", Q2_2025, {"cm-siegen": 3, "cm-kreuztal": 2})
    assert propose_topics(acting_user=None, region=_kreis(), day=dt.date(2025, 4, 30)) == []
    assert len(propose_topics(acting_user=None, region=_kreis(), day=dt.date(2025, 5, 31))) == 1


def test_thresholds_changing_over_time(barriers: Callable) -> None:
    """The Kreis raises its threshold from Q2 on and lowers it for one category from Q3:
    each quarter is measured by the row valid on its first day."""
    kreis = _kreis()
    digital = BarrierCategory.objects.get(key="digital")
    record_threshold(
        acting_user=None,
        region=kreis,
        category=None,
        min_barriers=6,
        min_organisations=2,
        valid_from=dt.date(2025, 4, 1),
        source="Beschluss der Lenkungsgruppe (Test)",
    )
    record_threshold(
        acting_user=None,
        region=kreis,
        category=digital,
        min_barriers=3,
        min_organisations=2,
        valid_from=dt.date(2025, 7, 1),
        source="Beschluss der Lenkungsgruppe (Test)",
    )
    assert AuditEvent.objects.filter(event_type=EventType.TOPIC_THRESHOLD_RECORDED).count() >= 2
    five = {"cm-siegen": 3, "cm-kreuztal": 2}
    barriers("digital", Q1_2025, five)  # default 5: proposed
    barriers("digital", Q2_2025, five)  # Kreis 6: not
    barriers("digital", dt.date(2025, 8, 1), {"cm-siegen": 2, "cm-kreuztal": 1})  # 3: proposed
    barriers("sprache", dt.date(2025, 8, 1), {"cm-siegen": 3, "cm-kreuztal": 2})  # 6: not

    created = propose_topics(acting_user=None, region=kreis, day=END_2025)

    assert sorted((t.category.key, t.proposed_quarter) for t in created) == [
        ("digital", "2025-Q1"),
        ("digital", "2025-Q3"),
    ]


def test_the_command_proposes_and_refuses_bad_input(barriers: Callable) -> None:
    barriers("digital", Q1_2025, {"cm-siegen": 3, "cm-kreuztal": 2})
    out = io.StringIO()
    call_command("steering", "propose", "--kreis", "05970", "--date", "2025-12-31", stdout=out)
    assert "2025-Q1" in out.getvalue() and "1 neue Vorschläge." in out.getvalue()
    for bad in (["--date", "31.12.2025"], ["--kreis", "99999"]):
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit_info:
            call_command("steering", "propose", *bad, stderr=err)
        assert exit_info.value.code == 2
        assert err.getvalue().startswith("Fehler:")


def test_barriers_keep_their_case_organisation(barriers: Callable) -> None:
    made = barriers("digital", Q1_2025, {"cm-kreuztal": 1})
    barrier = Barrier.objects.get(pk=made[0].pk)
    assert barrier.organisation is not None and barrier.organisation.name == "Stadt Kreuztal"


@pytest.mark.sqlite_too
def test_the_migration_fills_the_organisation_of_existing_barriers(barriers: Callable) -> None:
    """``cases 0004`` copies the case's organisation – on PostgreSQL past row-level security,
    as the system role, and back to the role it ran as."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    migration = importlib.import_module("kim.cases.migrations.0004_barrier_organisation")
    made = barriers("digital", Q1_2025, {"cm-siegen": 1, "cm-kreuztal": 1})
    Barrier.objects.filter(pk__in=[b.pk for b in made]).update(organisation=None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('role')")
            (role_before,) = cursor.fetchone()
    # The operation needs only the editor's connection.
    migration.copy_organisation(None, SimpleNamespace(connection=connection))
    assert {b.organisation.name for b in Barrier.objects.filter(pk__in=[b.pk for b in made])} == {
        "Stadt Siegen",
        "Stadt Kreuztal",
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('role')")
            assert cursor.fetchone() == (role_before,)
