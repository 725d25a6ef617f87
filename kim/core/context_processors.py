from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kim.accounts.access import user_context
from kim.audit.access import can_view_audit
from kim.cases.access import can_use_cases, can_view_barrier_log
from kim.council.access import can_use_council
from kim.organisations.access import can_browse_directory
from kim.partners.access import (
    can_use_agreements,
    can_use_calls,
    can_use_deadlines,
    can_use_partners,
)
from kim.programmes.access import can_use_programme
from kim.screening.access import can_use_screening


def platform(request: HttpRequest) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "KIM_ENV": settings.KIM_ENV,
        "DEMO_MODE": settings.DEMO_MODE,
        "PLATFORM_NAME": settings.KIM_PLATFORM_NAME,
        "nav": {},
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        uctx = user_context(request)
        ctx["nav"] = {
            "directory": can_browse_directory(uctx),
            "audit": can_view_audit(uctx),
            "programme": can_use_programme(uctx),
            "partners": can_use_partners(uctx),
            "agreements": can_use_agreements(uctx),
            "calls": can_use_calls(uctx),
            "deadlines": can_use_deadlines(uctx),
            "council": can_use_council(uctx),
            "cases": can_use_cases(uctx),
            "screening": can_use_screening(uctx),
            "barriers": can_view_barrier_log(uctx) and not can_use_cases(uctx),
        }
    return ctx
