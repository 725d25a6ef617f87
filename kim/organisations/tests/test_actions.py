"""Organisation actions: each writes exactly its audit event, and refuses bad changes whole."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.organisations import actions
from kim.organisations.models import Organisation, ResponsibilityPeriod
from tests.support import events_besides_system_access

pytestmark = pytest.mark.django_db


def _events_after(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last_id).order_by("id"))


def _last_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.id if last else 0


def test_create_organisation_writes_one_event_and_derives_region() -> None:
    user = get_user_model().objects.get(username="koordination")
    kreis = Organisation.objects.get(ags="05970")
    mark = _last_id()
    org = actions.create_organisation(
        acting_user=user,
        kind="authority",
        name="Schulamt für den Kreis",
        authority_type="schulamt",
        parent=kreis,
    )
    events = _events_after(mark)
    assert [(e.event_type, e.subject_code, e.actor_username) for e in events] == [
        (EventType.ORGANISATION_CREATED, org.code, "koordination")
    ]
    assert org.region == kreis


@pytest.mark.sqlite_too
def test_update_uses_optimistic_locking() -> None:
    user = get_user_model().objects.get(username="koordination")
    siegen = Organisation.objects.get(ags="05970040")
    mark = _last_id()
    updated = actions.update_organisation(
        siegen, acting_user=user, expected_version=1, website="https://www.siegen.de/"
    )
    assert updated.version == 2
    with pytest.raises(ValidationError, match="zwischenzeitlich von jemand anderem geändert"):
        actions.update_organisation(siegen, acting_user=user, expected_version=1, short_name="Sieg")
    siegen.refresh_from_db()
    assert siegen.short_name == "Siegen"
    events = _events_after(mark)
    assert [e.event_type for e in events] == [EventType.ORGANISATION_UPDATED]
    assert events[0].extra == {"fields": ["website"]}


def test_invalid_ags_is_refused_and_nothing_is_written() -> None:
    mark = _last_id()
    before = Organisation.objects.count()
    kreis = Organisation.objects.get(ags="05970")
    with pytest.raises(ValidationError) as exc:
        actions.create_organisation(
            acting_user=None, kind="kommune", name="Nirgendwo", ags="1234", parent=kreis
        )
    assert "ags" in exc.value.message_dict
    assert Organisation.objects.count() == before
    assert _events_after(mark) == []


def test_responsibility_periods_of_one_kind_may_not_overlap() -> None:
    siegen = Organisation.objects.get(ags="05970040")
    abh_kreis = Organisation.objects.get(name="Ausländerbehörde Kreis Siegen-Wittgenstein")
    with pytest.raises(ValidationError) as exc:
        actions.set_responsibility(
            acting_user=None, authority=abh_kreis, kommune=siegen, valid_from=dt.date(2024, 1, 1)
        )
    assert "Ausländerbehörde Stadt Siegen" in str(exc.value)


def test_siegen_changes_auslaenderbehoerde_at_the_merger() -> None:
    from kim.organisations.queries import responsible_authorities

    siegen = Organisation.objects.get(ags="05970040")

    def abh_on(day: dt.date) -> list[str]:
        return [
            p.authority.name
            for p in responsible_authorities(siegen, day)
            if p.authority.authority_type == "auslaenderbehoerde"
        ]

    assert abh_on(dt.date(2024, 6, 1)) == ["Ausländerbehörde Stadt Siegen"]
    assert abh_on(dt.date(2025, 6, 30)) == ["Ausländerbehörde Stadt Siegen"]
    assert abh_on(dt.date(2025, 7, 1)) == ["Ausländerbehörde Kreis Siegen-Wittgenstein"]
    assert (
        ResponsibilityPeriod.objects.filter(kommune=siegen, authority__authority_type="jugendamt")
        .get()
        .authority.name
        == "Jugendamt Stadt Siegen"
    )


def test_seed_is_idempotent() -> None:
    from kim.home.demo import seed_demo

    counts = (
        Organisation.objects.count(),
        events_besides_system_access(),
        get_user_model().objects.count(),
    )
    seed_demo()
    assert (
        Organisation.objects.count(),
        events_besides_system_access(),
        get_user_model().objects.count(),
    ) == counts
    assert Organisation.objects.filter(kind="kommune", region__ags="05970").count() == 11
