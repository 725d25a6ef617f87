from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    """The environment every template may show (the navigation: kim.home.context_processors)."""
    return {
        "KIM_ENV": settings.KIM_ENV,
        "DEMO_MODE": settings.DEMO_MODE,
        "PLATFORM_NAME": settings.KIM_PLATFORM_NAME,
    }
