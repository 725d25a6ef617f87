"""Login limits behind a reverse proxy: a town hall behind one address, an account under attack.

The per-account limit (5 failed logins per 5 minutes per login name) is the defence against
guessing; the per-address limits are sized so that a whole town hall behind one NAT address, or
the whole installation seen through a misconfigured proxy, can still log in (D-058).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from kim.audit.models import AuditEvent, EventType
from kim.core.tests.test_settings import PROD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
LOGIN = "/konto/login/"
PROXY = "127.0.0.1"  # nginx on the node: what gunicorn sees as REMOTE_ADDR
TOWN_HALL = "198.51.100.7"  # the town hall's one NAT address, as nginx reports it
LOCKED = "Zu viele gescheiterte Anmeldeversuche"


def _now() -> dt.datetime:
    """The clock stands still at the real time (so sessions stay valid) and is moved by hand."""
    return dt.datetime.now(tz=dt.UTC)


def _post_login(client: Client, username: str, password: str, forwarded_for: str) -> Any:
    return client.post(
        LOGIN,
        {"login": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_two_hundred_colleagues_behind_one_address_all_log_in_within_two_minutes() -> None:
    password = "Rathaus-Montagmorgen-2026"
    hashed = make_password(password)  # the tests' MD5 hasher: fast
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"rathaus-{n:03}", password=hashed) for n in range(200)]
    )
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    refused = []
    with time_machine.travel(_now(), tick=False) as clock:
        for user in users:
            client = Client()
            response = _post_login(client, user.username, password, TOWN_HALL)
            if response.status_code != 302 or client.session.get("_auth_user_id") != str(user.pk):
                refused.append((user.username, response.status_code))
            clock.shift(dt.timedelta(seconds=0.6))  # 200 logins in 120 seconds

    assert refused == []
    logins = AuditEvent.objects.filter(id__gt=first_event, event_type=EventType.LOGIN)
    assert logins.count() == 200


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_six_wrong_passwords_lock_the_account_but_not_the_address() -> None:
    attacker = Client()
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with time_machine.travel(_now(), tick=False) as clock:
        for _ in range(5):
            response = _post_login(attacker, "cm-kreuztal", "falsch-geraten", TOWN_HALL)
            assert response.status_code == 200
            assert LOCKED not in response.content.decode()
            clock.shift(dt.timedelta(seconds=5))
        sixth = _post_login(attacker, "cm-kreuztal", "falsch-geraten", TOWN_HALL)
        right = _post_login(attacker, "cm-kreuztal", "demo", TOWN_HALL)
        colleague = Client()
        colleague_response = _post_login(colleague, "cm-siegen", "demo", TOWN_HALL)

        # The account stays locked until five minutes after the first failure have passed.
        clock.shift(dt.timedelta(minutes=4, seconds=30))
        still_locked = _post_login(Client(), "cm-kreuztal", "demo", "203.0.113.9")
        clock.shift(dt.timedelta(seconds=40))
        owner = Client()
        later = _post_login(owner, "cm-kreuztal", "demo", TOWN_HALL)

    for refused in (sixth, right, still_locked):
        assert refused.status_code in (200, 429)
        assert LOCKED in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    # Another user behind the same address is not affected.
    assert colleague_response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(
        get_user_model().objects.get(username="cm-siegen").pk
    )
    assert later.status_code == 302
    assert "_auth_user_id" in owner.session
    events = AuditEvent.objects.filter(id__gt=first_event).order_by("id")
    assert [e.event_type for e in events] == [EventType.LOGIN_FAILED] * 5 + [EventType.LOGIN] * 2


# A small per-address limit makes the address that the limit counts visible.
SMALL = {"login": "3/m/ip", "login_failed": "100/m/ip,5/5m/key"}


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS=SMALL)
def test_behind_one_trusted_proxy_the_limit_follows_the_forwarded_client_address() -> None:
    client = Client()
    # A client-supplied entry in front of nginx's own is not trusted: the last one counts.
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert _post_login(client, "rat", "x", f"{forged}, {TOWN_HALL}").status_code == 200
    refused = _post_login(client, "rat", "x", f"10.0.0.4, {TOWN_HALL}")
    assert refused.status_code == 429
    assert "Von Ihrer Adresse kamen in kurzer Zeit zu viele Anfragen" in refused.content.decode()
    # Another client address behind the same proxy has its own bucket.
    assert _post_login(client, "rat", "x", "203.0.113.9").status_code == 200


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0, ACCOUNT_RATE_LIMITS=SMALL)
def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored() -> None:
    client = Client()
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert _post_login(client, "rat", "x", forged).status_code == 200
    assert _post_login(client, "rat", "x", "203.0.113.9").status_code == 429
    # The address that counts is the peer's own.
    other = client.post(LOGIN, {"login": "rat", "password": "x"}, REMOTE_ADDR="192.0.2.1")
    assert other.status_code == 200


def _setting(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KIM_", "DJANGO_"))}
    base.update(env)
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [sys.executable, "-m", "kim", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_trusted_proxy_count_is_one_in_production_zero_elsewhere_and_checked() -> None:
    assert _setting("ALLAUTH_TRUSTED_PROXY_COUNT").stdout.strip() == "0"
    assert (
        _setting("ALLAUTH_TRUSTED_PROXY_COUNT", KIM_TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"
    )
    bad = _setting("ALLAUTH_TRUSTED_PROXY_COUNT", KIM_TRUSTED_PROXY_COUNT="-1")
    assert bad.returncode != 0 and "KIM_TRUSTED_PROXY_COUNT" in bad.stderr
    production = _setting("ALLAUTH_TRUSTED_PROXY_COUNT", **PROD)
    assert production.stdout.strip() == "1", production.stderr


def test_login_rate_limits_are_configurable_and_checked() -> None:
    limits = _setting("ACCOUNT_RATE_LIMITS", KIM_LOGIN_ADDRESS_RATE_LIMIT="900/m/ip")
    assert "'login': '900/m/ip'" in limits.stdout
    assert "'login_failed': '100/m/ip,5/5m/key'" in limits.stdout
    bad = _setting("ACCOUNT_RATE_LIMITS", KIM_LOGIN_RATE_LIMIT="5 per minute")
    assert bad.returncode != 0 and "KIM_LOGIN_RATE_LIMIT" in bad.stderr
