"""Read side of the interpreter pool: the filtered list (one query, whatever its length)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kim.accounts.access import UserContext
from kim.network.access import interpreters_for_user
from kim.network.models import Interpreter


def pool(ctx: UserContext, filters: dict[str, Any]) -> QuerySet[Interpreter]:
    """The interpreters the user may read, filtered by name, language, kind and status."""
    qs = interpreters_for_user(ctx).select_related("organisation")
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"].strip())
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("active") == "yes":
        qs = qs.filter(active=True)
    elif filters.get("active") == "no":
        qs = qs.filter(active=False)
    if filters.get("language"):
        # A JSON list of codes; ``contains`` is not available on SQLite's JSON: filter on the
        # quoted code in the list's text form, which matches only whole codes.
        qs = qs.filter(languages__icontains=f'"{filters["language"]}"')
    return qs.order_by("name", "id")
