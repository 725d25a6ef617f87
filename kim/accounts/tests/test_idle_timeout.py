"""Idle timeout: signed out after a pause, warned before, background requests are no activity
(D-075). The clock is moved with time_machine; the default timeout is 30 minutes for roles that
reach personal data (``cm-siegen``) and none for the others (``rat``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client, override_settings

from kim.accounts.models import UserSession
from kim.audit.models import AuditEvent, EventType
from kim.core.tests.test_settings import run_kim

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
MESSAGE = "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet."
BACKGROUND = {"X-KIM-Background": "1"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _sign_in(username: str = "cm-siegen") -> Client:
    client = Client()
    response = client.post("/konto/login/", {"login": username, "password": "demo"})
    assert response.status_code == 302
    return client


def _wait(clock: time_machine.Coordinates, minutes: float) -> None:
    clock.shift(dt.timedelta(minutes=minutes))


def _signed_in(client: Client) -> bool:
    return client.get("/konto/sitzung/status/", headers=BACKGROUND).json()["signed_in"]


def test_a_pause_longer_than_the_timeout_signs_out_with_an_audit_event_and_a_message(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 31)

    response = client.get("/fallmanagement/?phase=open")

    assert response.status_code == 302
    assert response["Location"] == "/konto/login/?next=/fallmanagement/%3Fphase%3Dopen"
    login_page = client.get(response["Location"]).content.decode()
    assert MESSAGE in login_page
    event = AuditEvent.objects.get(event_type=EventType.SESSION_TIMED_OUT)
    assert event.actor is not None and event.actor.username == "cm-siegen"
    assert event.extra == {"idle_minutes": 30}
    # One event for the sign-out: the timeout, not an ordinary logout as well.
    assert not AuditEvent.objects.filter(event_type=EventType.LOGOUT).exists()
    assert not UserSession.objects.filter(user__username="cm-siegen").exists()
    assert client.get("/").status_code == 302


def test_requests_are_activity_and_move_the_timeout(clock: time_machine.Coordinates) -> None:
    client = _sign_in()
    _wait(clock, 20)
    assert client.get("/").status_code == 200
    _wait(clock, 20)  # 40 minutes after signing in, 20 after the last request
    assert client.get("/").status_code == 200
    _wait(clock, 29)
    assert client.get("/konto/sitzung/status/").json()["remaining"] == 60
    _wait(clock, 1)

    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.SESSION_TIMED_OUT).count() == 1


def test_just_before_the_timeout_the_session_is_still_there(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 29.9)
    assert client.get("/").status_code == 200


def test_background_requests_and_the_status_endpoint_are_no_activity(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 10)
    assert client.get("/", headers=BACKGROUND).status_code == 200
    _wait(clock, 10)
    status = client.get("/konto/sitzung/status/")
    assert status.json() == {"signed_in": True, "timeout": 1800, "remaining": 600}
    assert "no-cache" in status["Cache-Control"]
    _wait(clock, 10)

    # The background request after the timeout signs out too, and gets an answer as a stranger.
    assert client.get("/konto/sitzung/status/", headers=BACKGROUND).json() == {
        "signed_in": False,
        "remaining": 0,
    }
    assert AuditEvent.objects.filter(event_type=EventType.SESSION_TIMED_OUT).count() == 1
    assert MESSAGE in client.get("/konto/login/").content.decode()


def test_roles_without_personal_data_have_no_timeout_by_default(
    clock: time_machine.Coordinates,
) -> None:
    council = _sign_in("rat")
    _wait(clock, 3 * 60)
    assert council.get("/").status_code == 200
    assert council.get("/konto/sitzung/status/").json() == {
        "signed_in": True,
        "timeout": None,
        "remaining": None,
    }
    assert 'id="kim-idle"' not in council.get("/").content.decode()


@override_settings(KIM_IDLE_TIMEOUT_ALL_MINUTES=60)
def test_a_timeout_for_everyone_else_can_be_set(clock: time_machine.Coordinates) -> None:
    council = _sign_in("rat")
    case_manager = _sign_in("cm-siegen")
    _wait(clock, 45)
    assert _signed_in(council)
    assert not _signed_in(case_manager)
    _wait(clock, 16)
    assert council.get("/").status_code == 302
    assert AuditEvent.objects.get(
        event_type=EventType.SESSION_TIMED_OUT, actor__username="rat"
    ).extra == {"idle_minutes": 60}


def test_stay_signed_in_is_activity(clock: time_machine.Coordinates) -> None:
    client = _sign_in()
    _wait(clock, 29)

    response = client.post("/konto/sitzung/verlaengern/", headers=JSON)

    assert response.json() == {"signed_in": True, "timeout": 1800, "remaining": 1800}
    _wait(clock, 29)
    assert client.get("/").status_code == 200


def test_stay_signed_in_without_javascript_returns_to_the_page(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 29)
    back = client.post("/konto/sitzung/verlaengern/", {"next": "/fallmanagement/"})
    assert back.status_code == 302 and back["Location"] == "/fallmanagement/"
    elsewhere = client.post("/konto/sitzung/verlaengern/", {"next": "https://example.org/"})
    assert elsewhere["Location"] == "/"
    _wait(clock, 29)
    assert client.get("/").status_code == 200


def test_stay_signed_in_comes_too_late_after_the_timeout(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 30)

    response = client.post("/konto/sitzung/verlaengern/", headers=JSON)

    assert response.status_code == 401
    assert response.json() == {"signed_in": False, "remaining": 0}
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.SESSION_TIMED_OUT).count() == 1


def test_keep_alive_needs_a_post_and_strangers_get_the_login_page(client: Client) -> None:
    assert client.get("/konto/sitzung/verlaengern/").status_code == 405
    response = client.post("/konto/sitzung/verlaengern/")
    assert response.status_code == 302 and response["Location"] == "/konto/login/"
    assert client.get("/konto/sitzung/status/").json() == {"signed_in": False, "remaining": 0}


def test_after_the_timeout_htmx_is_sent_to_the_login_page(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 31)
    response = client.get("/fallmanagement/", headers={"HX-Request": "true", **BACKGROUND})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/konto/login/"


def test_a_form_sent_after_the_timeout_is_not_carried_out(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 31)
    response = client.post("/konto/sitzungen/", {"scope": "all"})
    assert response.status_code == 302 and response["Location"] == "/konto/login/"
    assert not AuditEvent.objects.filter(event_type=EventType.SESSIONS_ENDED).exists()


def test_the_page_carries_the_warning_for_users_with_a_timeout(
    clock: time_machine.Coordinates,
) -> None:
    client = _sign_in()
    _wait(clock, 5)
    page = client.get("/").content.decode()
    assert 'role="alertdialog"' in page
    assert 'data-remaining="1800"' in page  # this page view is activity itself
    assert 'data-warning="60"' in page
    assert "Angemeldet bleiben" in page
    assert "/static/kim/idle.js" in page


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KIM_IDLE_TIMEOUT_MINUTES", "0"),
        ("KIM_IDLE_TIMEOUT_MINUTES", "600"),  # longer than SESSION_COOKIE_AGE (8 hours)
        ("KIM_IDLE_TIMEOUT_ALL_MINUTES", "-1"),
        ("KIM_IDLE_WARNING_SECONDS", "1800"),
    ],
)
def test_settings_refuse_timeouts_that_cannot_work(name: str, value: str) -> None:
    result = run_kim("check", **{name: value})
    assert result.returncode != 0 and name in result.stderr
