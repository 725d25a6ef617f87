from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kim.core import health, metrics


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when database, cache, storage and a worker are ok; 503 naming what failed."""
    report = health.report()
    return JsonResponse(report, status=200 if report["status"] == health.OK else 503)


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text, only with ``Authorization: Bearer <KIM_METRICS_TOKEN>``; without a
    configured token, or with a missing or wrong one, the page does not exist (404)."""
    token = settings.KIM_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processor may touch a database that failed.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
