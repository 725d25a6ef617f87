from __future__ import annotations

import hmac
import sys

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kim.accounts.access import can_rotate_keys, user_context
from kim.core import health, metrics
from kim.core.crypto import encrypted_columns, field_keys, rotation_models
from kim.core.files import bytes_response
from kim.core.jobs import (
    RECENT_JOBS,
    get_job_for_user,
    job_url,
    jobs_for_user,
    result_bytes,
    start_job,
)
from kim.core.outages import outage_response
from kim.core.tasks import rotate_keys_job


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
    """A database or cache that is away is a 503 with its own page (``kim.core.outages``);
    anything else is the general error page. Called by Django inside its ``except`` block, so
    ``sys.exc_info()`` is the exception that failed the request."""
    outage = outage_response(request, sys.exc_info()[1])
    if outage is not None:
        return outage
    # Rendered without the request: no context processor may touch a database that failed.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)


# --------------------------------------------------------------------------------------------
# Background jobs: the owner's list, one job's progress and result (kim/core/jobs.py)
# --------------------------------------------------------------------------------------------


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_for_user(request.user)[:RECENT_JOBS]
    return render(request, "core/job_list.html", {"jobs": jobs})


@login_required
@require_GET
@never_cache
def job_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The job's progress; htmx polls the fragment, without JavaScript the page refreshes."""
    job = get_job_for_user(request.user, code)
    if request.headers.get("HX-Request"):
        return render(request, "core/_job_progress.html", {"job": job})
    return render(request, "core/job_detail.html", {"job": job})


@login_required
@require_GET
def job_download(request: HttpRequest, code: str) -> HttpResponse:
    job = get_job_for_user(request.user, code)
    if not job.result_file:
        raise Http404("No result file")
    try:
        data = result_bytes(job)
    except FileNotFoundError as exc:
        raise Http404("Result file missing") from exc
    return bytes_response(data, filename=job.result_name, content_type=job.result_type)


# --------------------------------------------------------------------------------------------
# Key rotation from the web: superusers only (decisions D-066)
# --------------------------------------------------------------------------------------------


def _require_key_rotator(request: HttpRequest) -> None:
    """403 for everyone else: the page exists on every installation, like the audit trail."""
    if not can_rotate_keys(user_context(request)):
        raise PermissionDenied


@login_required
@require_GET
def key_rotation(request: HttpRequest) -> HttpResponse:
    """How many keys are configured and which models hold encrypted values (nothing is read
    from the database); the dry run and the rotation are jobs."""
    _require_key_rotator(request)
    models = [(m._meta.label, encrypted_columns(m)) for m in rotation_models()]
    context = {"keys": len(field_keys()), "models": models}
    return render(request, "core/key_rotation.html", context)


@login_required
@require_POST
def key_rotation_dry_run(request: HttpRequest) -> HttpResponse:
    _require_key_rotator(request)
    return _start_rotation(request, dry_run=True)


@login_required
@require_POST
def key_rotation_start(request: HttpRequest) -> HttpResponse:
    """Refused first (403), then the password again, then the job."""
    _require_key_rotator(request)
    return _rotate(request)


@reauthentication_required
def _rotate(request: HttpRequest) -> HttpResponse:
    _require_key_rotator(request)
    return _start_rotation(request, dry_run=False)


def _start_rotation(request: HttpRequest, *, dry_run: bool) -> HttpResponse:
    job = start_job(
        rotate_keys_job,
        kind="core.key_rotation_dry_run" if dry_run else "core.key_rotation",
        title=_("Key rotation (dry run)") if dry_run else _("Key rotation"),
        owner=request.user,
        args=[dry_run],
    )
    return redirect(job_url(job))
