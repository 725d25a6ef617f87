"""Row-level security as the second wall (issue 15 § 6, kim/core/rls.py, decisions D-076).

On PostgreSQL a page that forgets every filter still sees only the rows of the reader's
organisations: a case manager of Kreuztal only Kreuztal's, one of Siegen only Siegen's, the
coordination none at all; a connection that declared no reader sees nothing; writes across
the wall are refused by the database; system work sees everything and is recorded.
SQLite has no row-level security (documented single wall): those tests say so and skip.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from kim.accounts.access import ANONYMOUS, load_user_context
from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Activity, Case, Person
from kim.core import rls
from kim.screening.models import ScreeningEntry, ScreeningList

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level security exists only on PostgreSQL; SQLite keeps one wall")


def _ctx(username: str) -> Any:
    from django.contrib.auth.models import User

    return load_user_context(User.objects.get(username=username))


def _expected(org_ids: set[int]) -> dict[str, Any]:
    """What the reader's organisations hold, counted by the test as system work."""
    cases = Case.objects.filter(organisation_id__in=org_ids)
    return {
        "cases": cases.count(),
        "case_orgs": sorted(set(cases.values_list("organisation_id", flat=True))),
        "persons": Person.objects.filter(organisation_id__in=org_ids).count(),
        "activities": Activity.objects.filter(case__organisation_id__in=org_ids).count(),
    }


def test_every_table_of_case_and_screening_data_is_listed() -> None:
    """A new model in cases or screening must be put under a policy or named as exempt."""
    protected = {t.table for t in rls.PROTECTED_TABLES}
    tables = {
        m._meta.db_table
        for app in ("cases", "screening")
        for m in apps.get_app_config(app).get_models(include_auto_created=True)
    }
    assert tables == protected | rls.UNPROTECTED_TABLES
    assert not protected & rls.UNPROTECTED_TABLES


def test_policies_are_installed_and_forced(postgres: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity "
            "AND relkind = 'r'"
        )
        forced = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'kim_scope'")
        with_policy = {row[0] for row in cursor.fetchall()}
    protected = {t.table for t in rls.PROTECTED_TABLES}
    assert protected <= forced
    assert protected <= with_policy
    assert not rls.UNPROTECTED_TABLES & forced


@pytest.mark.urls("kim.core.tests.rls_urls")
@pytest.mark.parametrize("username", ["cm-kreuztal", "cm-siegen"])
def test_an_unfiltered_page_sees_only_the_readers_organisation(
    postgres: None, login_as: Any, username: str
) -> None:
    ctx = _ctx(username)
    own = set(ctx.organisations_with_role("case_manager", "team_lead"))
    expected = _expected(own)
    assert expected["cases"] > 0, "the demo gives each case manager cases"
    total = Case.objects.count()
    assert total > expected["cases"], "the demo has cases of other organisations too"

    seen = login_as(username).get("/unfiltered/").json()

    assert {k: seen[k] for k in expected} == expected
    assert seen["raw_cases"] == expected["cases"]
    assert seen["raw_orgs"] == expected["case_orgs"] == sorted(own & set(expected["case_orgs"]))
    assert seen["lists"] == seen["entries"] == 0


@pytest.mark.urls("kim.core.tests.rls_urls")
def test_roles_without_case_data_see_no_case_rows(postgres: None, login_as: Any) -> None:
    for username in ("koordination", "admin", "dsb"):
        seen = login_as(username).get("/unfiltered/").json()
        assert seen["cases"] == seen["persons"] == seen["raw_cases"] == 0, username


@pytest.mark.urls("kim.core.tests.rls_urls")
def test_screening_officers_see_only_their_authoritys_lists(postgres: None, login_as: Any) -> None:
    ctx = _ctx("abh")
    own = set(ctx.organisations_with_role("b3_officer"))
    expected = ScreeningList.objects.filter(organisation_id__in=own).count()
    entries = ScreeningEntry.objects.filter(screening_list__organisation_id__in=own).count()
    assert expected > 0, "the demo has screening lists"
    seen = login_as("abh").get("/unfiltered/").json()
    assert (seen["lists"], seen["entries"]) == (expected, entries)
    assert seen["cases"] == 0


def test_a_connection_without_a_reader_sees_nothing(postgres: None) -> None:
    """The default of a production connection: no role switch, no scope – fail closed."""
    assert Case.objects.count() > 0  # the test's own work runs as the system role
    with rls.reader_scope(ANONYMOUS):
        assert Case.objects.count() == 0
        assert Person.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_persontoken")
            assert cursor.fetchone()[0] == 0
    assert Case.objects.count() > 0


def test_writes_across_the_wall_are_refused(postgres: None) -> None:
    kreuztal = _ctx("cm-kreuztal")
    other = Case.objects.exclude(
        organisation_id__in=kreuztal.organisations_with_role("case_manager")
    ).first()
    assert other is not None
    with rls.reader_scope(kreuztal):
        # An update without a filter does not reach the other organisation's case …
        assert Case.objects.filter(pk=other.pk).update(on_waiting_list=True) == 0
        # … and a row written into it is refused by the database itself.
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE cases_person SET organisation_id = %s WHERE id = %s",
                [other.organisation_id, Person.objects.values_list("pk", flat=True)[0]],
            )


def test_system_access_sees_everything_and_is_recorded(postgres: None) -> None:
    before = AuditEvent.objects.filter(event_type=EventType.RLS_BYPASSED).count()
    total = Case.objects.count()
    with rls.reader_scope(_ctx("cm-kreuztal")):
        scoped = Case.objects.count()
        with rls.system_access("test: statistics"):
            assert Case.objects.count() == total
        assert Case.objects.count() == scoped < total
    events = AuditEvent.objects.filter(event_type=EventType.RLS_BYPASSED).order_by("-id")
    assert events.count() == before + 1
    assert events.first().extra == {"reason": "test: statistics"}  # type: ignore[union-attr]


def test_the_scope_is_reset_after_each_request(postgres: None, login_as: Any) -> None:
    client: Client = login_as("cm-kreuztal")
    assert client.get(reverse("cases:case_list")).status_code == 200
    assert rls.current_scope() == rls.default_scope()
    assert Case.objects.count() > 0
