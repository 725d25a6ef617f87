"""Uploaded lists of the Baustein-3 officer: index, upload, screening with progress, results,
one person's detail, exports, the invitation letter and deletion.

Screening runs in the background (``kim/screening/tasks.py``): the upload starts the job, and
the list page shows a ``<progress>`` bar that htmx refreshes every 2 seconds from the progress
fragment (a GET) until the list is done, then loads the results (``HX-Redirect``). Without
JavaScript the officer reloads the page with a link. If no job is running for an unfinished
list (the list was uploaded before, or its job failed), a button starts one; starting twice
is harmless. Exports, letters and deletion ask for the password again (after the access
check, so that strangers get 404, not a password prompt).
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import user_context
from kim.core.exports import FORMATS, csv_bytes, xlsx_bytes
from kim.core.files import bytes_response
from kim.core.forms import add_action_errors
from kim.screening import letters
from kim.screening.access import (
    authorities_for_upload,
    can_use_screening,
    get_entry_for_user,
    get_list_for_user,
    lists_for_user,
)
from kim.screening.actions.lists import (
    delete_list,
    record_letter,
    record_list_export,
    record_list_read,
    upload_list,
)
from kim.screening.forms.lists import DeleteListForm, EntryFilterForm, UploadForm
from kim.screening.imports import FIELD_ALIASES
from kim.screening.models import ListStatus, ScreeningList
from kim.screening.queries import lists as queries
from kim.screening.tasks import screening_job, start_screening

ENTRIES_PER_PAGE = 100
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LETTER_FORMATS = ("docx", "pdf", "html")


def _require_screening(request: HttpRequest) -> None:
    if not can_use_screening(user_context(request)):
        raise PermissionDenied


@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    _require_screening(request)
    lists = lists_for_user(user_context(request)).select_related("uploaded_by")
    return render(request, "screening/list_index.html", {"lists": lists})


@login_required
@require_http_methods(["GET", "POST"])
def list_upload(request: HttpRequest) -> HttpResponse:
    _require_screening(request)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        organisations=authorities_for_upload(user_context(request)),
        initial={"decision_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            screening_list = upload_list(
                acting_user=request.user,
                organisation=form.organisation(),
                upload=data["upload"],
                title=data["title"],
                decision_date=data["decision_date"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            _upload_message(request, screening_list)
            start_screening(screening_list, acting_user=request.user)
            return redirect("screening:list_detail", code=screening_list.code)
    context = {
        "form": form,
        "aliases": list(FIELD_ALIASES.items()),
        "retention_days": settings.KIM_SCREENING_RETENTION_DAYS,
    }
    return render(request, "screening/upload.html", context)


def _upload_message(request: HttpRequest, screening_list: ScreeningList) -> None:
    messages.success(
        request,
        _("The list has been stored with %(n)s persons. The file itself was not kept.")
        % {"n": screening_list.total},
    )
    ignored = getattr(screening_list, "ignored_columns", [])
    if ignored:
        messages.warning(
            request, _("These columns are not used: %s") % ", ".join(f"„{c}“" for c in ignored)
        )


@login_required
@require_GET
def list_detail(request: HttpRequest, code: str) -> HttpResponse:
    screening_list = get_list_for_user(user_context(request), code)
    if screening_list.status != ListStatus.DONE:
        context = _progress_context(request, screening_list)
        return render(request, "screening/list_progress.html", context)
    form = EntryFilterForm(request.GET)
    entries = queries.filtered_entries(screening_list, form.to_filter(), timezone.localdate())
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "list": screening_list,
        "form": form,
        "page": page,
        "rows": queries.entry_rows(page.object_list, queries.criterion_labels()),
        "rule_columns": queries.RULE_COLUMNS,
        "counts": queries.rank_counts(screening_list),
        "params": params.urlencode(),
    }
    record_list_read(screening_list, acting_user=request.user, page="results")
    template = "screening/list_table.html" if request.headers.get("HX-Request") else None
    return render(request, template or "screening/list_detail.html", context)


def _progress_context(request: HttpRequest, screening_list: ScreeningList) -> dict[str, object]:
    """The list, its running job (if any) and whether the viewer may open that job (its
    owner only; other officers of the authority see the progress, not the job)."""
    job = screening_job(screening_list)
    return {
        "list": screening_list,
        "job": job,
        "job_link": job is not None and job.owner_id == request.user.pk,
    }


@login_required
@require_GET
@never_cache
def list_progress(request: HttpRequest, code: str) -> HttpResponse:
    """The progress fragment htmx polls; once the list is done or failed, the list page."""
    screening_list = get_list_for_user(user_context(request), code)
    detail = reverse("screening:list_detail", args=[screening_list.code])
    if not request.headers.get("HX-Request"):
        return redirect(detail)
    if screening_list.status in (ListStatus.DONE, ListStatus.FAILED):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = detail
        return response
    context = _progress_context(request, screening_list)
    return render(request, "screening/_progress.html", context)


@login_required
@require_POST
def list_screen(request: HttpRequest, code: str) -> HttpResponse:
    """Start (or continue) screening the list in the background, then show its progress."""
    screening_list = get_list_for_user(user_context(request), code)
    start_screening(screening_list, acting_user=request.user)
    return redirect("screening:list_detail", code=screening_list.code)


@login_required
@require_GET
def entry_detail(request: HttpRequest, code: str, row: int) -> HttpResponse:
    entry = get_entry_for_user(user_context(request), code, row)
    authority = entry.screening_list.organisation
    texts = letters.letter_texts(authority.region_id_or_self, timezone.localdate())
    context = {
        "entry": entry,
        "list": entry.screening_list,
        "rules": queries.rule_views(entry, queries.criterion_labels()),
        "letter_languages": letters.letter_language_choices(texts),
    }
    record_list_read(entry.screening_list, acting_user=request.user, page="entry", row=entry.row)
    return render(request, "screening/entry_detail.html", context)


# --------------------------------------------------------------------------------------------
# Exports, letter, deletion: access first (404), then the password again
# --------------------------------------------------------------------------------------------


@login_required
@require_GET
def list_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    screening_list = get_list_for_user(user_context(request), code)
    if fmt not in FORMATS or screening_list.status != ListStatus.DONE:
        raise Http404("Nothing to export")
    return _list_export(request, code, fmt)


@reauthentication_required
def _list_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    screening_list = get_list_for_user(user_context(request), code)
    form = EntryFilterForm(request.GET)
    entries = queries.filtered_entries(screening_list, form.to_filter(), timezone.localdate())
    header, rows = queries.export_header(), list(queries.export_rows(entries))
    title = _("Screening results")
    content = csv_bytes(header, rows) if fmt == "csv" else xlsx_bytes(title, header, rows)
    record_list_export(
        screening_list,
        acting_user=request.user,
        fmt=fmt,
        rows=len(rows),
        filters={k: v for k, v in request.GET.items() if k != "page"},
    )
    return _download(content, FORMATS[fmt], f"screening-{screening_list.code}.{fmt}")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    return bytes_response(content, filename=filename, content_type=content_type)


@login_required
@require_GET
def entry_letter(request: HttpRequest, code: str, row: int) -> HttpResponse:
    get_entry_for_user(user_context(request), code, row)
    return _entry_letter(request, code, row)


@reauthentication_required
def _entry_letter(request: HttpRequest, code: str, row: int) -> HttpResponse:
    """DOCX (default), PDF or HTML; German, or German and the translation in ``?sprache=``
    (a language with a letter text of the authority's Kreis; others 404)."""
    entry = get_entry_for_user(user_context(request), code, row)
    authority = entry.screening_list.organisation
    language = request.GET.get("sprache") or "de"
    fmt = request.GET.get("format") or "docx"
    available = letters.letter_texts(authority.region_id_or_self, timezone.localdate())
    if fmt not in LETTER_FORMATS or (language != "de" and language not in available):
        raise Http404("No such letter")
    letter = letters.build_letter(entry, authority, language)
    record_letter(entry, acting_user=request.user, language=language, fmt=fmt)
    name = f"einladung-{entry.screening_list.code}-{entry.row}"
    if language != "de":
        name += f"-{language}"
    if fmt == "html":
        params = urlencode({"sprache": language})
        return HttpResponse(letters.letter_html(letter, params=params))
    if fmt == "pdf":
        return _download(letters.letter_pdf(letter), "application/pdf", f"{name}.pdf")
    return _download(letters.letter_docx(letter), DOCX, f"{name}.docx")


@login_required
@require_http_methods(["GET", "POST"])
def list_delete(request: HttpRequest, code: str) -> HttpResponse:
    get_list_for_user(user_context(request), code)
    return _list_delete(request, code)


@reauthentication_required(allow_get=True)
def _list_delete(request: HttpRequest, code: str) -> HttpResponse:
    screening_list = get_list_for_user(user_context(request), code)
    form = DeleteListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        delete_list(screening_list, acting_user=request.user)
        messages.success(request, _("The list and all its results have been deleted."))
        return redirect("screening:list_index")
    return render(request, "screening/list_delete.html", {"list": screening_list, "form": form})


urlpatterns: list[URLPattern] = [
    path("listen/", list_index, name="list_index"),
    path("listen/hochladen/", list_upload, name="list_upload"),
    path("listen/<str:code>/", list_detail, name="list_detail"),
    path("listen/<str:code>/pruefen/", list_screen, name="list_screen"),
    path("listen/<str:code>/fortschritt/", list_progress, name="list_progress"),
    path("listen/<str:code>/export/<str:fmt>/", list_export, name="list_export"),
    path("listen/<str:code>/loeschen/", list_delete, name="list_delete"),
    path("listen/<str:code>/personen/<int:row>/", entry_detail, name="entry_detail"),
    path("listen/<str:code>/personen/<int:row>/einladung/", entry_letter, name="entry_letter"),
]
