from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kim.accounts.access import has_totp, user_context
from kim.accounts.queries import grant_overview
from kim.home.queries import start_page_cards


@login_required
def start(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    has_mfa = has_totp(request.user)
    return render(
        request,
        "home/start.html",
        {
            "cards": start_page_cards(ctx),
            "ctx": ctx,
            "has_mfa": has_mfa,
            "grants": grant_overview(ctx),
        },
    )
