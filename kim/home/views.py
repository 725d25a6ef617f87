from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kim.accounts.access import (
    UserContext,
    can_run_retention,
    can_view_retention,
    has_second_factor,
    user_context,
)
from kim.accounts.queries import grant_overview
from kim.core.jobs import job_url, start_job
from kim.core.shell import retention_due
from kim.home.queries import start_page_cards
from kim.home.tasks import retention_job

DEMO_MFA_NOTE_SHOWN = "kim_demo_mfa_note_shown"


def _mfa_notice(request: HttpRequest, ctx: UserContext) -> str:
    """``"warning"`` when the role should have MFA and has none; in demo mode ``"demo"``
    instead, once per session (the demo has no authenticator apps to hand), then ``""``.

    With ``KIM_REQUIRE_MFA`` (production) the middleware has already sent such a user to the
    set-up, so the start page never needs to warn there.
    """
    if not ctx.needs_mfa or has_second_factor(request):
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
            # Directory and identity-provider accounts have no local password (D-069/D-070).
            "directory_user": not getattr(request.user, "has_usable_password", lambda: True)(),
        },
    )


# --- retention from the web (decisions D-066) ------------------------------------------------


def _require(allowed: bool) -> None:
    """403: every installation has the retention page, so its existence is no secret."""
    if not allowed:
        raise PermissionDenied


@login_required
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    """What a run today would delete or anonymise (the start page's counts), the plan as a job,
    and – for administrators – the run itself. Reading the page changes nothing."""
    ctx = user_context(request)
    _require(can_view_retention(ctx))
    today = timezone.localdate()
    due = retention_due(today)
    context = {
        "today": today,
        "due": sorted(due.items()),
        "total": sum(due.values()),
        "may_run": can_run_retention(ctx),
    }
    return render(request, "home/retention.html", context)


@login_required
@require_POST
def retention_plan(request: HttpRequest) -> HttpResponse:
    _require(can_view_retention(user_context(request)))
    job = start_job(
        retention_job,
        kind="home.retention_plan",
        title=_("Retention plan (dry run)"),
        owner=request.user,
        args=[True],
    )
    return redirect(job_url(job))


@login_required
@require_POST
def retention_run(request: HttpRequest) -> HttpResponse:
    """Refused first (403), then the password again, then the job."""
    _require(can_run_retention(user_context(request)))
    return _start_retention_run(request)


@reauthentication_required
def _start_retention_run(request: HttpRequest) -> HttpResponse:
    _require(can_run_retention(user_context(request)))
    job = start_job(
        retention_job,
        kind="home.retention_run",
        title=_("Retention run, started by hand"),
        owner=request.user,
        args=[False],
    )
    return redirect(job_url(job))
