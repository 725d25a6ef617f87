"""The outermost middleware: request id, latency and status metrics, the request log line.

It runs first and last, around everything else (security headers, sessions, MFA, the view),
so the time it measures and the status it counts are what the client gets.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from kim.core import metrics
from kim.core.logs import FIELDS, current_request_id

logger = logging.getLogger("kim.request")

# What the reverse proxy may hand on as the request id (nginx: $request_id is 32 hex digits).
INCOMING_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex


def view_name(request: HttpRequest) -> str:
    """The URL name of the view that answered (bounded: one per route, never a path)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return str(match.view_name)
    if request.path.startswith(settings.STATIC_URL):
        return "static"  # answered by WhiteNoise before any URL is resolved
    return "unresolved"


def user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id if this request already loaded the user: the log line must not
    cost a session and user query of its own."""
    user = request.__dict__.get("user")
    if user is None or (
        isinstance(user, SimpleLazyObject) and "_cached_user" not in request.__dict__
    ):
        return None
    return int(user.pk) if user.is_authenticated else None


class RequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_for(request)
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response.headers["X-Request-ID"] = request_id
            view = view_name(request)
            metrics.observe_request(view, response.status_code, seconds)
            if logger.isEnabledFor(logging.INFO):
                self.log(request, response, request_id, view, seconds)
        finally:
            current_request_id.reset(token)
        return response

    @staticmethod
    def log(
        request: HttpRequest, response: HttpResponse, request_id: str, view: str, seconds: float
    ) -> None:
        fields = {
            "request_id": request_id,
            "user_id": user_id(request),
            "view": view,
            "method": request.method,
            "path": request.path,  # without the query string: searches may carry names
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        }
        logger.info(
            "%s %s %s", request.method, request.path, response.status_code, extra={FIELDS: fields}
        )
