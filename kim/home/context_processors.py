"""The navigation every page shows, from the entries the apps register in their ``home.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

from kim.accounts.access import user_context
from kim.core.shell import nav_entries


@dataclass(frozen=True)
class MenuLink:
    label: str | Promise
    url: str
    app_name: str  # the link is marked current on every page of this URL namespace


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav``: every registered key → whether the user may use it (``nav.calls``);
    ``nav_menu``: the main menu's links the user may follow, in order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "nav_menu": []}
    ctx = user_context(request)
    entries = nav_entries()
    nav = {entry.key: entry.predicate(ctx) for entry in entries}
    menu = [
        MenuLink(entry.label, reverse(entry.url_name), entry.app_name)
        for entry in entries
        if entry.url_name and nav[entry.key]
    ]
    return {"nav": nav, "nav_menu": menu}
