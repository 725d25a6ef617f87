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
    app_name: str  # the URL namespace of the pages the link stands for
    current: bool = False


def _current(links: list[MenuLink], request: HttpRequest) -> int | None:
    """The one link marked as the current page: the link whose address is the longest prefix
    of the page's path (/fallmanagement/statistik/ over /fallmanagement/); failing that, a
    link of the page's URL namespace – the last in menu order, the app's main entry (a meeting
    page of steering marks "Steuerung", not "Themen")."""
    path = request.path
    prefixed = [(len(link.url), i) for i, link in enumerate(links) if path.startswith(link.url)]
    if prefixed:
        return max(prefixed)[1]
    match = getattr(request, "resolver_match", None)
    app_name = getattr(match, "app_name", None)
    same = [i for i, link in enumerate(links) if app_name and link.app_name == app_name]
    return same[-1] if same else None


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
    current = _current(menu, request)
    if current is not None:
        link = menu[current]
        menu[current] = MenuLink(link.label, link.url, link.app_name, current=True)
    return {"nav": nav, "nav_menu": menu}
