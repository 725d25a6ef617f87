"""The rules page (``/screening/regeln/``): every rule with all its versions and sources.

Public law, no personal data: every signed-in user with a role may read it; without a role 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from kim.accounts.access import user_context
from kim.screening.queries.rules import can_read_rules, rule_catalogue


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    if not can_read_rules(user_context(request)):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request, "screening/rules.html", {"groups": rule_catalogue(today), "today": today}
    )


urlpatterns: list[URLPattern] = [
    path("regeln/", rules, name="rules"),
]
