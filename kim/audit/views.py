from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.audit.access import audit_events_for_user, get_audit_event_for_user, require_audit_reader
from kim.audit.forms import AuditFilterForm
from kim.audit.models import EventType
from kim.audit.queries import csv_rows, describe_extra, filter_events
from kim.audit.record import record, verify_chain


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    require_audit_reader(ctx)
    form = AuditFilterForm(request.GET)
    events = audit_events_for_user(ctx)
    events = filter_events(events, form.to_filter()) if form.is_valid() else events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request, "audit/list.html", {"form": form, "page": page, "params": params.urlencode()}
    )


@login_required
def event_detail(request: HttpRequest, code: str) -> HttpResponse:
    event = get_audit_event_for_user(user_context(request), code)
    return render(
        request, "audit/detail.html", {"event": event, "extra_rows": describe_extra(event.extra)}
    )


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    """CSV of the filtered events: refused exactly like the list (403), then – a bulk export –
    the password again, then an event."""
    require_audit_reader(user_context(request))
    return _event_export(request)


@reauthentication_required
def _event_export(request: HttpRequest) -> StreamingHttpResponse:
    ctx = user_context(request)
    require_audit_reader(ctx)
    form = AuditFilterForm(request.GET)
    events = audit_events_for_user(ctx)
    events = filter_events(events, form.to_filter()) if form.is_valid() else events.none()
    record(
        EventType.AUDIT_EXPORTED,
        actor=request.user,
        subject_type="audit.export",
        extra={
            "filters": {k: v for k, v in request.GET.items() if k != "page"},
            "rows": events.count(),
        },
    )
    response = StreamingHttpResponse(
        csv_rows(events.iterator(chunk_size=1000)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def chain_verify(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    require_audit_reader(ctx)
    result = None
    if request.method == "POST":
        result = verify_chain()
        record(
            EventType.AUDIT_VERIFIED,
            actor=request.user,
            subject_type="audit.chain",
            extra={"ok": result.ok, "checked": result.checked},
        )
    return render(request, "audit/verify.html", {"result": result})
