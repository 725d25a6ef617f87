"""A holder the post's history refuses is a German message next to the date, never a 500.

Placing a holder makes the post *filled* from the start date, so the status history has to
allow it: a *planned* post must be approved first, a discontinued one takes nobody, and the
history cannot be continued before its last change. Nothing is saved when refused.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from kim.audit.models import AuditEvent
from kim.organisations.models import Organisation
from kim.programmes import actions
from kim.programmes.models import Incumbency, Position, PositionStatusChange, StaffMember

pytestmark = pytest.mark.django_db


def _post(status: str, since: dt.date) -> Position:
    siegen = Organisation.objects.get(ags="05970040")
    return actions.create_position(
        acting_user=None,
        region=siegen.region,
        status=status,
        status_from=since,
        baustein="B2",
        title=f"Test-Stelle ({status})",
        vze=Decimal("1.0"),
        home=siegen,
        employer_type="municipal",
    )


def _refused(client: Client, post: Position, start: str, message: str) -> None:
    before = (
        Incumbency.objects.count(),
        StaffMember.objects.count(),
        PositionStatusChange.objects.count(),
        AuditEvent.objects.count(),
    )
    response = client.post(
        f"/programm/stellen/{post.code}/besetzung/", {"new_pseudonym": "CM-99", "start": start}
    )
    assert response.status_code == 200
    page = response.content.decode()
    error = page.split('id="id_start_error"', 1)[1].split("</div>", 1)[0]
    assert message in html.unescape(error)
    assert (
        Incumbency.objects.count(),
        StaffMember.objects.count(),
        PositionStatusChange.objects.count(),
        AuditEvent.objects.count(),
    ) == before


@pytest.mark.parametrize("persona", ["koordination", "siegen"])
def test_planned_post_asks_for_the_approval_first(login_as, persona: str) -> None:
    post = _post("planned", dt.date(2026, 1, 1))
    client = login_as(persona)
    _refused(client, post, "01.12.2026", "Die Stelle ist an diesem Tag erst geplant")
    # The same request succeeds once the post is approved.
    actions.change_position_status(
        post, acting_user=None, status="approved", valid_from=dt.date(2026, 6, 1)
    )
    response = client.post(
        f"/programm/stellen/{post.code}/besetzung/",
        {"new_pseudonym": "CM-99", "start": "01.12.2026"},
    )
    assert response.status_code == 302
    assert Incumbency.objects.filter(position=post, staff__pseudonym="CM-99").exists()


def test_discontinued_post_takes_no_holder(login_as) -> None:
    post = _post("approved", dt.date(2025, 1, 1))
    actions.change_position_status(
        post, acting_user=None, status="discontinued", valid_from=dt.date(2026, 1, 1)
    )
    _refused(login_as("siegen"), post, "01.12.2026", "entfallen")


def test_start_before_the_last_status_change_is_refused(login_as) -> None:
    post = _post("approved", dt.date(2026, 6, 1))
    _refused(login_as("siegen"), post, "01.01.2026", "01.06.2026")


def test_the_action_names_the_start_date() -> None:
    """Every caller (views, API, seed) gets the error keyed by ``start``, the action's argument."""
    post = _post("planned", dt.date(2026, 1, 1))
    staff = actions.create_staff_member(acting_user=None, employer=post.home, pseudonym="CM-98")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        actions.assign_incumbent(post, acting_user=None, staff=staff, start=dt.date(2026, 12, 1))
    assert list(exc.value.message_dict) == ["start"]
    assert not Incumbency.objects.filter(position=post).exists()


def test_ending_a_holder_before_the_recorded_history_is_a_message(login_as) -> None:
    """Ending a holder makes the post vacant the next day: before the post's last recorded status
    change that would rewrite the history, so it is refused next to the date (was a 500)."""
    post = _post("approved", dt.date(2023, 1, 1))
    staff = actions.create_staff_member(acting_user=None, employer=post.home, pseudonym="CM-97")
    incumbency = actions.assign_incumbent(
        post, acting_user=None, staff=staff, start=dt.date(2023, 2, 1)
    )
    actions.change_position_status(
        post, acting_user=None, status="vacant", valid_from=dt.date(2026, 7, 1)
    )
    client = login_as("siegen")
    url = f"/programm/stellen/{post.code}/besetzung/{incumbency.pk}/ende/"
    before = (PositionStatusChange.objects.count(), AuditEvent.objects.count())
    response = client.post(url, {"end": "31.12.2025"})
    assert response.status_code == 200
    error = response.content.decode().split('id="id_end_error"', 1)[1].split("</div>", 1)[0]
    assert "30.06.2026" in html.unescape(error)
    incumbency.refresh_from_db()
    assert incumbency.end is None
    assert (PositionStatusChange.objects.count(), AuditEvent.objects.count()) == before
    # From the day before the last change on, the end is recorded.
    assert client.post(url, {"end": "30.06.2026"}).status_code == 302
    incumbency.refresh_from_db()
    assert incumbency.end == dt.date(2026, 6, 30)
