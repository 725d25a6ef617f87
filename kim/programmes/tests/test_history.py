"""Stichtag: a position's status and holder on any date; history only grows, through actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.programmes import actions
from kim.programmes.models import Position, PositionStatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def post() -> Position:
    kreuztal = Organisation.objects.get(ags="05970024")
    return actions.create_position(
        acting_user=None,
        region=kreuztal.region,
        status_from=dt.date(2024, 1, 1),
        baustein="B2",
        title="Test-CM Kreuztal",
        vze=Decimal("1.0"),
        home=kreuztal,
        employer_type="municipal",
        pay_group="S 12",
        entry_step=1,
    )


def test_status_and_holder_on_any_date(post: Position) -> None:
    actions.change_position_status(
        post, acting_user=None, status="approved", valid_from=dt.date(2024, 3, 1)
    )
    actions.change_position_status(
        post, acting_user=None, status="advertised", valid_from=dt.date(2024, 4, 1)
    )
    staff = actions.create_staff_member(acting_user=None, employer=post.home, pseudonym="CM-T1")
    actions.assign_incumbent(post, acting_user=None, staff=staff, start=dt.date(2024, 7, 1))
    incumbency = post.incumbencies.get()
    actions.end_incumbency(incumbency, acting_user=None, end=dt.date(2025, 12, 31))
    post = Position.objects.prefetch_related("status_changes", "incumbencies__staff").get(
        pk=post.pk
    )
    assert post.status_on(dt.date(2023, 12, 31)) is None
    assert post.status_on(dt.date(2024, 2, 29)) == "planned"
    assert post.status_on(dt.date(2024, 3, 1)) == "approved"
    assert post.status_on(dt.date(2024, 6, 30)) == "advertised"
    assert post.status_on(dt.date(2024, 7, 1)) == "filled"
    assert [i.staff.pseudonym for i in post.incumbents_on(dt.date(2025, 12, 31))] == ["CM-T1"]
    assert post.incumbents_on(dt.date(2026, 1, 1)) == []
    assert post.status_on(dt.date(2026, 1, 1)) == "vacant"


def test_history_cannot_be_rewritten(post: Position) -> None:
    actions.change_position_status(
        post, acting_user=None, status="approved", valid_from=dt.date(2024, 3, 1)
    )
    before = list(
        PositionStatusChange.objects.filter(position=post).values_list("status", "valid_from")
    )
    with pytest.raises(ValidationError) as exc:
        actions.change_position_status(
            post, acting_user=None, status="advertised", valid_from=dt.date(2024, 2, 1)
        )
    assert "valid_from" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.change_position_status(
            post, acting_user=None, status="planned", valid_from=dt.date(2024, 5, 1)
        )
    assert "status" in exc.value.message_dict
    assert (
        list(PositionStatusChange.objects.filter(position=post).values_list("status", "valid_from"))
        == before
    )


def test_discontinued_is_final(post: Position) -> None:
    actions.change_position_status(
        post, acting_user=None, status="discontinued", valid_from=dt.date(2024, 6, 1)
    )
    with pytest.raises(ValidationError):
        actions.change_position_status(
            post, acting_user=None, status="approved", valid_from=dt.date(2024, 7, 1)
        )


def test_every_change_is_one_audit_event(post: Position) -> None:
    mark = AuditEvent.objects.order_by("-id").first().id
    actions.change_position_status(
        post, acting_user=None, status="approved", valid_from=dt.date(2024, 3, 1)
    )
    actions.update_position(post, acting_user=None, expected_version=1, entry_step=2)
    events = list(
        AuditEvent.objects.filter(id__gt=mark)
        .order_by("id")
        .values_list("event_type", "subject_code")
    )
    assert events == [
        (EventType.POSITION_STATUS_CHANGED, post.code),
        (EventType.POSITION_UPDATED, post.code),
    ]


@pytest.mark.sqlite_too
def test_stale_edit_is_refused(post: Position) -> None:
    actions.update_position(post, acting_user=None, expected_version=1, title="Neu")
    with pytest.raises(ValidationError):
        actions.update_position(post, acting_user=None, expected_version=1, title="Alt")
    post.refresh_from_db()
    assert post.title == "Neu"


def test_home_must_lie_in_the_kreis(post: Position, stranger) -> None:
    olpe = Organisation.objects.get(ags="05966024")
    with pytest.raises(ValidationError):
        actions.update_position(post, acting_user=None, expected_version=1, home=olpe)


def test_funding_periods_may_not_overlap(post: Position) -> None:
    actions.set_funding_period(
        post,
        acting_user=None,
        source="kim",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    with pytest.raises(ValidationError):
        actions.set_funding_period(
            post, acting_user=None, source="own", valid_from=dt.date(2025, 6, 1)
        )
    actions.set_funding_period(post, acting_user=None, source="own", valid_from=dt.date(2026, 1, 1))
    post = Position.objects.prefetch_related("funding_periods").get(pk=post.pk)
    assert post.funding_on(dt.date(2026, 2, 1)).source == "own"


def test_costs_and_eigenanteil_for_a_position(post: Position) -> None:
    from kim.programmes.queries import position_costs, with_history

    actions.change_position_status(
        post, acting_user=None, status="approved", valid_from=dt.date(2024, 3, 1)
    )
    staff = actions.create_staff_member(acting_user=None, employer=post.home, pseudonym="CM-T2")
    actions.assign_incumbent(post, acting_user=None, staff=staff, start=dt.date(2025, 1, 1))
    post = with_history(Position.objects.filter(pk=post.pk)).get()
    rows = position_costs(post, years=range(2025, 2027))
    assert rows is not None
    y2025 = rows[0]
    assert y2025.months == 12
    # 57,000 € B2 rate (unconfirmed default) for a full year on 1.0 VZÄ
    assert y2025.funding == Decimal("57000.00")
    assert y2025.eigenanteil == y2025.employer_cost - y2025.funding
    assert y2025.employer_cost > y2025.funding  # the funding gap the councils talk about
    assert rows[1].eigenanteil > y2025.eigenanteil  # pay rises and steps widen the gap
