from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kim.core import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when database, cache, storage and a worker are ok; 503 naming what failed."""
    report = health.report()
    return JsonResponse(report, status=200 if report["status"] == health.OK else 503)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processor may touch a database that failed.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
