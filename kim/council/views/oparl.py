"""The read-only OParl 1.1 API at ``/oparl/v1/``: no login, public records only.

Rows come from ``access.public_*`` through ``queries.oparl_*``; objects are built by
``kim.council.oparl``. Lists are paginated (``page``, ``elementsPerPage`` up to 100) and
filtered by ``created_since``/``created_until``/``modified_since``/``modified_until``; every
JSON answer carries ``Access-Control-Allow-Origin: *`` as OParl requires. Files leave the
server through ``accessUrl`` (inline) and ``downloadUrl`` (attachment), for released papers
only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from kim.core.files import file_response
from kim.council import access, oparl, queries
from kim.council.models import Body

LIST_KINDS: dict[str, tuple[Callable[[Body], QuerySet[Any]], Callable[..., dict[str, Any]]]] = {
    "organizations": (queries.oparl_organizations, oparl.organization),
    "meetings": (queries.oparl_meetings, oparl.meeting),
    "papers": (queries.oparl_papers, oparl.paper),
    "agenda-items": (queries.oparl_agenda_items, oparl.agenda_item),
    "consultations": (queries.oparl_consultations, oparl.consultation),
    "files": (queries.oparl_files, oparl.file),
}


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _list(request: HttpRequest, qs: QuerySet[Any], render: Callable[..., Any]) -> JsonResponse:
    """One page of a list: 400 for parameters it cannot read, 404 beyond the last page."""
    try:
        params = oparl.ListParams.parse(request.GET)
    except oparl.BadRequest as exc:
        return _json({"error": str(exc)}, status=400)
    qs = qs.filter(**params.lookups())
    total = qs.count()
    if params.page > 1 and (params.page - 1) * params.per_page >= total:
        raise Http404("No such page")
    start = (params.page - 1) * params.per_page
    # The page's ids first (an index-only slice), then those rows with their relations: the
    # database does not sort every row with its joins to reach a page in the middle.
    ids = list(qs.values_list("pk", flat=True)[start : start + params.per_page])
    by_id = {row.pk: row for row in qs.filter(pk__in=ids)}
    rows = [by_id[pk] for pk in ids]
    urls = oparl.Urls(request)
    base = request.build_absolute_uri(request.path)
    return _json(oparl.list_page(base, params, total, rows, lambda row: render(urls, row)))


@require_GET
def system(request: HttpRequest) -> JsonResponse:
    urls = oparl.Urls(request)
    return _json(oparl.system(urls, settings.KIM_PLATFORM_NAME, request.build_absolute_uri("/")))


@require_GET
def body_list(request: HttpRequest) -> JsonResponse:
    return _list(request, queries.oparl_bodies(), oparl.body)


@require_GET
def body_detail(request: HttpRequest, code: str) -> JsonResponse:
    row = access.get_public(access.public_bodies(), code)
    return _json(oparl.body(oparl.Urls(request), row))


@require_GET
def body_sublist(request: HttpRequest, code: str, kind: str) -> JsonResponse:
    body = access.get_public(access.public_bodies(), code)
    if kind == "persons":  # no persons are published (no personal data in the export)
        return _list(request, queries.oparl_bodies().none(), oparl.body)
    if kind not in LIST_KINDS:
        raise Http404("No such list")
    query, render = LIST_KINDS[kind]
    return _list(request, query(body), render)


def _detail(request: HttpRequest, qs: QuerySet[Any], code: str, render: Callable[..., Any]) -> Any:
    return _json(render(oparl.Urls(request), access.get_public(qs, code)))


@require_GET
def organization_detail(request: HttpRequest, code: str) -> JsonResponse:
    qs = access.public_organizations().select_related("body")
    return _detail(request, qs, code, oparl.organization)


@require_GET
def meeting_detail(request: HttpRequest, code: str) -> JsonResponse:
    return _detail(request, queries.oparl_meetings(), code, oparl.meeting)


@require_GET
def agenda_item_detail(request: HttpRequest, code: str) -> JsonResponse:
    return _detail(request, queries.oparl_agenda_items(), code, oparl.agenda_item)


@require_GET
def paper_detail(request: HttpRequest, code: str) -> JsonResponse:
    return _detail(request, queries.oparl_papers(), code, oparl.paper)


@require_GET
def consultation_detail(request: HttpRequest, code: str) -> JsonResponse:
    return _detail(request, queries.oparl_consultations(), code, oparl.consultation)


@require_GET
def file_detail(request: HttpRequest, code: str) -> JsonResponse:
    return _detail(request, queries.oparl_files(), code, oparl.file)


def _serve(code: str, *, as_attachment: bool) -> FileResponse:
    row = access.get_public(access.public_files(), code)
    response = file_response(
        row.file, filename=row.file_name, content_type=row.mime_type, as_attachment=as_attachment
    )
    del response["Cache-Control"]  # public records: the CDN and harvesters may cache them
    return response


@require_GET
def file_access(request: HttpRequest, code: str) -> FileResponse:
    """``accessUrl``: the document itself, shown inline (never an ``attachment`` disposition)."""
    return _serve(code, as_attachment=False)


@require_GET
def file_download(request: HttpRequest, code: str) -> FileResponse:
    """``downloadUrl``: the document as an attachment with its file name."""
    return _serve(code, as_attachment=True)
