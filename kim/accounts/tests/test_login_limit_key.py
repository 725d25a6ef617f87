"""The per-account login limit counts failures per user name – not per user name and host.

allauth keys its ``login_failed`` counter by the current site's domain and the login; without
``django.contrib.sites`` that domain is the request's ``Host`` header, port included. Django
checks ``ALLOWED_HOSTS`` without the port, so every port number (``kim.example:1``,
``kim.example:2``, …) – and every other allowed name, or each node addressed directly in a
cluster (tests/cluster) – would open a fresh budget of guesses for the same account.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def _per_account_limit() -> int:
    rules = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    (amount,) = [rule.split("/")[0] for rule in rules if rule.strip().endswith("/key")]
    return int(amount)


def test_failed_logins_under_different_host_names_share_one_account_limit() -> None:
    hosts = ["127.0.0.1:8001", "127.0.0.1:8002", "localhost", "127.0.0.1:1"]
    for attempt in range(_per_account_limit()):
        response = Client(HTTP_HOST=hosts[attempt % len(hosts)]).post(
            "/konto/login/", {"login": "cm-kreuztal", "password": f"wrong-{attempt}"}
        )
        assert response.status_code == 200

    owner = Client(HTTP_HOST="127.0.0.1:9999")
    response = owner.post("/konto/login/", {"login": "CM-Kreuztal", "password": "demo"})

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in owner.session


def test_the_right_password_still_signs_in_below_the_limit() -> None:
    """Same setup one failure short of the limit: the owner gets in (the test above fails for
    the right reason)."""
    hosts = ["127.0.0.1:8001", "127.0.0.1:8002", "localhost", "127.0.0.1:1"]
    for attempt in range(_per_account_limit() - 1):
        Client(HTTP_HOST=hosts[attempt % len(hosts)]).post(
            "/konto/login/", {"login": "cm-kreuztal", "password": f"wrong-{attempt}"}
        )

    owner = Client(HTTP_HOST="127.0.0.1:9999")
    response = owner.post("/konto/login/", {"login": "cm-kreuztal", "password": "demo"})

    assert response.status_code == 302
    assert "_auth_user_id" in owner.session
