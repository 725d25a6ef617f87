"""Signed-in devices: listed per user, ended elsewhere or everywhere (D-072)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import translation

from kim.accounts.models import UserSession
from kim.accounts.sessions import device_label
from kim.audit.models import AuditEvent, EventType

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROMIUM = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/131.0"


def _sign_in(agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post("/konto/login/", {"login": "cm-siegen", "password": "demo"})
    assert response.status_code == 302
    return client


def test_the_page_lists_each_browser_and_marks_this_one() -> None:
    _sign_in(FIREFOX)
    laptop = _sign_in(CHROMIUM)

    page = laptop.get("/konto/sitzungen/").content.decode()

    assert "Firefox unter Windows" in page
    assert "Chromium unter Linux" in page
    assert page.count("dieses Gerät") == 1
    assert UserSession.objects.filter(user__username="cm-siegen").count() == 2


def test_sign_out_elsewhere_ends_the_other_sessions_only() -> None:
    office = _sign_in(FIREFOX)
    laptop = _sign_in(CHROMIUM)

    response = laptop.post("/konto/sitzungen/", {"scope": "others"})

    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert office.get("/").status_code == 302  # back to the login page
    event = AuditEvent.objects.get(event_type=EventType.SESSIONS_ENDED)
    assert event.extra == {"ended": 1, "this_device_too": False}


def test_sign_out_everywhere_ends_this_session_too() -> None:
    office = _sign_in(FIREFOX)
    laptop = _sign_in(CHROMIUM)

    laptop.post("/konto/sitzungen/", {"scope": "all"})

    assert laptop.get("/").status_code == 302
    assert office.get("/").status_code == 302
    assert not UserSession.objects.filter(user__username="cm-siegen").exists()
    assert Session.objects.count() == 0


def test_logout_forgets_the_device() -> None:
    client = _sign_in(FIREFOX)
    client.post("/konto/logout/")
    assert not UserSession.objects.exists()


def test_last_seen_is_refreshed_at_most_once_a_minute() -> None:
    start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = _sign_in(FIREFOX)
        client.get("/konto/sitzungen/")
        row = UserSession.objects.get()
        assert row.last_seen == start
        clock.shift(dt.timedelta(seconds=30))
        client.get("/konto/sitzungen/")
        assert UserSession.objects.get().last_seen == start
        clock.shift(dt.timedelta(seconds=31))
        client.get("/konto/sitzungen/")
        assert UserSession.objects.get().last_seen == start + dt.timedelta(seconds=61)


def test_device_labels_are_plain() -> None:
    with translation.override("de"):
        assert device_label("") == "Unbekannter Browser"
        assert device_label(FIREFOX) == "Firefox unter Windows"
    with translation.override("en"):
        assert device_label(CHROMIUM) == "Chromium on Linux"


def test_strangers_get_the_login_page(client: Client) -> None:
    assert client.get("/konto/sitzungen/").status_code == 302
