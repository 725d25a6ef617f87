"""The idle-timeout warning in real Chromium (D-075).

With a two-minute timeout and the warning 115 seconds before its end, ``cm-siegen`` sees
"Sind Sie noch da?" five seconds after the page loaded; "Angemeldet bleiben" closes it and gives
the session its full two minutes again. When the server's session is over (its last activity
moved back), the next look of the page – here the one it takes when it becomes visible again –
goes to the login page, which says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from kim.accounts.sessions import ACTIVITY_KEY
from kim.audit.models import AuditEvent, EventType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _age_the_session(page: Page, seconds: int) -> None:
    """Move the server's record of the last activity back (as if that long had passed)."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)
    store[ACTIVITY_KEY] = time.time() - seconds
    store.save()


def test_the_warning_offers_to_stay_signed_in(
    page: Page,
    server: str,
    settings: Any,
    log_in: Callable[[str], None],
    check_page: Callable[[str], None],
) -> None:
    settings.KIM_IDLE_TIMEOUT_MINUTES = 2
    settings.KIM_IDLE_WARNING_SECONDS = 115
    log_in("cm-siegen")
    warning = page.get_by_role("alertdialog", name="Sind Sie noch da?")
    expect(warning).to_be_hidden()

    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("Ohne Aktivität werden Sie in")
    expect(warning.get_by_role("button", name="Angemeldet bleiben")).to_be_focused()
    check_page("idle-warning")
    warning.get_by_role("button", name="Angemeldet bleiben").click()

    expect(warning).to_be_hidden()
    status = page.request.get(f"{server}/konto/sitzung/status/").json()
    assert status["signed_in"] and status["remaining"] >= 110
    page.reload()
    expect(page).to_have_url(f"{server}/")

    # Nobody answers this time: once the server's session is over, the page goes to the login.
    expect(warning).to_be_visible(timeout=15_000)
    _age_the_session(page, 3 * 60)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page).to_have_url(f"{server}/konto/login/?next=%2F")
    expect(page.get_by_text("Sie wurden nach 2 Minuten ohne Aktivität abgemeldet.")).to_be_visible()
    check_page("idle-signed-out")
    event = AuditEvent.objects.get(event_type=EventType.SESSION_TIMED_OUT)
    assert event.actor is not None and event.actor.username == "cm-siegen"
    assert event.extra == {"idle_minutes": 2}
