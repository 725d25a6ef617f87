"""Confirming and rejecting role grants (four-eyes rule, D-051).

Administrators and the data-protection officer see the pending grants; whoever neither made
nor received a grant confirms or rejects it after entering the password again.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import (
    UserContext,
    can_decide_grant,
    can_review_grants,
    get_grant_for_review,
    user_context,
)
from kim.accounts.actions import confirm_role, reject_role
from kim.accounts.models import CONFIRMING_ROLES, GrantStatus, Membership
from kim.accounts.queries import grant_overview


@login_required
@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_review_grants(ctx):
        raise PermissionDenied
    return render(request, "accounts/grant_list.html", {"grants": grant_overview(ctx)})


def _refusal(ctx: UserContext, grant: Membership) -> str:
    """Why the reader may not decide this grant, in words (empty when they may)."""
    if grant.revoked_at is not None:
        return _("This grant has been revoked; there is nothing left to decide.")
    if grant.status != GrantStatus.PENDING:
        return _("This grant has already been decided.")
    if ctx.user_id == grant.user_id:
        return _("The grant is for you: someone else has to confirm it.")
    if ctx.user_id == grant.granted_by_id:
        return _(
            "You granted this role: a second administrator or the data-protection officer has "
            "to confirm it."
        )
    if not ctx.has_role(*CONFIRMING_ROLES):
        return _(
            "Only holders of the administrator or data-protection officer role may confirm grants."
        )
    return ""


Decision = Callable[..., Membership]


def _decide(request: HttpRequest, code: str, decision: Decision, done: str) -> HttpResponse:
    ctx = user_context(request)
    grant = get_grant_for_review(ctx, code)
    may_decide = can_decide_grant(ctx, grant)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        decision(acting_user=request.user, membership=grant)
        messages.success(request, done)
        return redirect("accounts:grant_list")
    context = {
        "grant": grant,
        "may_decide": may_decide,
        "refusal": _refusal(ctx, grant),
        "confirming": decision is confirm_role,
    }
    return render(request, "accounts/grant_decide.html", context)


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def grant_confirm(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(request, code, confirm_role, _("The role grant has been confirmed."))


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def grant_reject(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(request, code, reject_role, _("The role grant has been rejected."))


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    """The user's own signed-in browsers, and signing out elsewhere or everywhere (D-072)."""
    from django.contrib.auth import logout

    from kim.accounts import sessions as browser_sessions

    if request.method == "POST":
        everywhere = request.POST.get("scope") == "all"
        ended = browser_sessions.end_sessions(request, keep_current=not everywhere)
        if everywhere:
            logout(request)
            return redirect("account_login")
        messages.success(
            request,
            ngettext(
                "Signed out on %(count)d other device.",
                "Signed out on %(count)d other devices.",
                ended,
            )
            % {"count": ended},
        )
        return redirect("account_sessions")
    rows = [
        {
            "device": browser_sessions.device_label(row.user_agent),
            "created_at": row.created_at,
            "last_seen": row.last_seen,
            "current": row.session_key == request.session.session_key,
        }
        for row in browser_sessions.current_sessions(int(request.user.pk or 0))
    ]
    return render(request, "accounts/sessions.html", {"rows": rows})


def _idle_state(request: HttpRequest) -> dict[str, object]:
    from kim.accounts import sessions as browser_sessions

    if not request.user.is_authenticated:
        return {"signed_in": False, "remaining": 0}
    timeout = browser_sessions.idle_timeout(request)
    remaining = browser_sessions.seconds_left(request, timeout) if timeout else None
    return {"signed_in": True, "timeout": timeout or None, "remaining": remaining}


@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds until the idle timeout (D-075); asking is no activity (idle.js polls here)."""
    return JsonResponse(_idle_state(request))


@never_cache
@require_POST
def session_keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": counts as activity. JSON for idle.js, a redirect back without it."""
    from kim.accounts import sessions as browser_sessions

    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse(_idle_state(request), status=401)
        return redirect("account_login")
    browser_sessions.record_activity(request)
    if wants_json:
        return JsonResponse(_idle_state(request))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home:start")
    # A path, never a view name: ``redirect`` would try to reverse "123" (found by form fuzzing).
    return HttpResponseRedirect(next_url)
