"""Helpers shared by tests in several apps (fixtures live in the root conftest.py)."""

from __future__ import annotations

from django.test import Client


def reauthenticated(username: str) -> Client:
    """A client signed in through the real login form as ``username`` (demo password) that has
    just entered its password again, as sensitive actions ask (allauth re-authentication)."""
    client = Client()
    assert client.post("/konto/login/", {"login": username, "password": "demo"}).status_code == 302
    assert client.post("/konto/reauthenticate/", {"password": "demo"}).status_code == 302
    return client
