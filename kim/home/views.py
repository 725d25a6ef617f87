from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kim.accounts.access import UserContext, has_totp, user_context
from kim.accounts.queries import grant_overview
from kim.home.queries import start_page_cards

DEMO_MFA_NOTE_SHOWN = "kim_demo_mfa_note_shown"


def _mfa_notice(request: HttpRequest, ctx: UserContext) -> str:
    """``"warning"`` when the role should have MFA and has none; in demo mode ``"demo"``
    instead, once per session (the demo has no authenticator apps to hand), then ``""``.

    With ``KIM_REQUIRE_MFA`` (production) the middleware has already sent such a user to the
    set-up, so the start page never needs to warn there.
    """
    if not ctx.needs_mfa or has_totp(request.user):
        return ""
    if not settings.DEMO_MODE:
        return "warning"
    if request.session.get(DEMO_MFA_NOTE_SHOWN):
        return ""
    request.session[DEMO_MFA_NOTE_SHOWN] = True
    return "demo"


@login_required
def start(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    return render(
        request,
        "home/start.html",
        {
            "cards": start_page_cards(ctx),
            "ctx": ctx,
            "mfa_notice": _mfa_notice(request, ctx),
            "grants": grant_overview(ctx),
        },
    )
