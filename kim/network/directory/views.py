"""Pages of the directory (docs/permissions.md § Service network, docs/network.md).

Whoever works in no Kreis gets 404 on every page; an entry of another Kreis: 404, exactly like
a missing one; who reads but may not change an entry gets 403 on its actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.core import languages
from kim.core.exports import ExportQuery, Table, csv_bytes, export_builder, table_export
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.network import access
from kim.network.directory import actions, importer, queries
from kim.network.directory.forms import (
    ALL,
    EndForm,
    ImportForm,
    ServiceFilterForm,
    ServiceForm,
    ServiceTextForm,
    TopicVersionForm,
    service_initial,
)
from kim.network.models import Service, ServiceTopic


def _require_directory(ctx: UserContext) -> None:
    if not access.can_use_directory(ctx):
        raise Http404("No directory")


def _require_maintainer(ctx: UserContext) -> None:
    _require_directory(ctx)
    if not access.can_maintain_directory(ctx):
        raise PermissionDenied


# --- the list and its exports -----------------------------------------------------------------


def _filter(ctx: UserContext, params: QueryDict) -> tuple[ServiceFilterForm, queries.ServiceFilter]:
    """The list's door (404) and filter, shared by the page and its exports."""
    _require_directory(ctx)
    towns = queries.filter_towns(ctx)
    form = ServiceFilterForm(
        params,
        topics=actions.current_topics(),
        towns=towns,
        maintainer=access.can_maintain_directory(ctx),
    )
    data = form.cleaned_data if form.is_valid() else {}
    town = data.get("town")
    return form, queries.ServiceFilter(
        q=data.get("q", "").strip(),
        topic=data.get("topic", ""),
        sphere=data.get("sphere", ""),
        town=int(town) if town else None,
        language=data.get("language", ""),
        current_only=data.get("valid") != ALL,
        due_only=bool(data.get("due")),
    )


@login_required
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    form, f = _filter(ctx, request.GET)
    page = Paginator(queries.service_list(ctx, f), queries.PER_PAGE).get_page(
        request.GET.get("page")
    )
    for service in page.object_list:
        service.language_names = [languages.name(c) for c in service.languages]  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "params": params.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "maintainer": access.can_maintain_directory(ctx),
        "due_before": access.confirmation_due_before(),
    }
    return render(request, "network/directory/service_list.html", context)


@export_builder
def service_table(query: ExportQuery) -> Table:
    """The list as an export: the page's door, filter and rows (all pages)."""
    _form, f = _filter(query.ctx, query.params)
    return Table(
        filename=f"hilfenetz-{timezone.localdate():%Y%m%d}",
        title=_("Service network"),
        header=queries.HEADER,
        rows=lambda: queries.export_rows(list(queries.service_list(query.ctx, f))),
        audit_subject="network.service_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, service_table)


# --- one entry --------------------------------------------------------------------------------


@login_required
@require_GET
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    _require_directory(ctx)
    service = access.get_service_for_user(ctx, code)
    texts = [
        {
            "text": text,
            "language": languages.name(text.language),
            "dir": languages.direction(text.language),
        }
        for text in queries.detail_texts(service)
    ]
    context = {
        "service": service,
        "topics": list(service.topics.order_by("position", "name")),
        "towns": list(service.towns.order_by("name")),
        "spheres": [queries.sphere_labels().get(s, s) for s in service.legal_spheres],
        "languages": [languages.name(c) for c in service.languages],
        "texts": texts,
        "can_edit": access.can_edit_service(ctx, service),
        "unconfirmed": service.confirmed_on < access.confirmation_due_before(),
        "valid_today": service.is_valid_on(timezone.localdate()),
        "confirmed_by": service.confirmed_by.get_full_name() or service.confirmed_by.username
        if service.confirmed_by_id and service.confirmed_by
        else "",
    }
    return render(request, "network/directory/service_detail.html", context)


def _editable(request: HttpRequest, code: str) -> tuple[UserContext, Service]:
    ctx = user_context(request)
    _require_directory(ctx)
    service = access.get_service_for_user(ctx, code)
    if not access.can_edit_service(ctx, service):
        raise PermissionDenied
    return ctx, service


def _topics_for(service: Service | None) -> list[ServiceTopic]:
    topics = actions.current_topics()
    if service is not None:  # an entry keeps a topic version that has ended since
        have = {t.pk for t in topics}
        topics += [t for t in service.topics.all() if t.pk not in have]
    return topics


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    _require_maintainer(ctx)
    regions = list(access.maintainable_regions(ctx))
    if not regions:
        raise PermissionDenied
    chosen = request.GET.get("kreis")
    region = next((r for r in regions if r.code == chosen), regions[0])
    form = ServiceForm(
        request.POST or None,
        providers=access.provider_choices(ctx, region),
        topics=_topics_for(None),
        towns=access.town_choices(region),
        initial={"valid_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.create_service(
                acting_user=request.user, region=region, **form.action_values()
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The entry has been created."))
            return redirect("network:service_detail", code=service.code)
    context = {"form": form, "service": None, "region": region, "regions": regions}
    return render(request, "network/directory/service_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx, service = _editable(request, code)
    form = ServiceForm(
        request.POST or None,
        providers=access.provider_choices(ctx, service.region),
        topics=_topics_for(service),
        towns=access.town_choices(service.region),
        initial=service_initial(service),
        editing=True,
    )
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_service(
                service,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                confirm=form.cleaned_data["confirm"],
                **form.action_values(),
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(form.data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The entry has been saved."))
            return redirect("network:service_detail", code=service.code)
    context = {
        "form": form,
        "service": service,
        "region": service.region,
        "regions": [],
        "conflict_rows": conflict_rows,
    }
    return render(request, "network/directory/service_form.html", context)


@login_required
@require_POST
def service_confirm(request: HttpRequest, code: str) -> HttpResponse:
    _ctx, service = _editable(request, code)
    actions.confirm_service(service, acting_user=request.user)
    messages.success(request, _("The entry has been confirmed as current."))
    return redirect("network:service_detail", code=service.code)


def _step_page(
    request: HttpRequest, service: Service, form: Any, title: str, intro: str, **extra: Any
) -> HttpResponse:
    context = {"service": service, "form": form, "title": title, "intro": intro, **extra}
    return render(request, "network/directory/service_step.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_end(request: HttpRequest, code: str) -> HttpResponse:
    _ctx, service = _editable(request, code)
    form = EndForm(
        request.POST or None,
        initial={"valid_to": timezone.localdate(), "version": service.version},
    )
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_service(
                service,
                acting_user=request.user,
                valid_to=form.cleaned_data["valid_to"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(form.data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The entry has been ended."))
            return redirect("network:service_detail", code=service.code)
    return _step_page(
        request,
        service,
        form,
        _("End the entry"),
        _("The service is no longer offered after this day; the entry stays as a past one."),
        conflict_rows=conflict_rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_delete(request: HttpRequest, code: str) -> HttpResponse:
    _ctx, service = _editable(request, code)
    if request.method == "POST":
        try:
            actions.delete_service(service, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("network:service_detail", code=service.code)
        messages.success(request, _("The entry has been deleted."))
        return redirect("network:service_list")
    return render(request, "network/directory/service_delete.html", {"service": service})


# --- texts in further languages ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_text(request: HttpRequest, code: str, language: str = "") -> HttpResponse:
    _ctx, service = _editable(request, code)
    existing = service.texts.filter(language=language).first() if language else None
    if language and existing is None:
        raise Http404("No text in this language")
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {n: getattr(existing, n) for n in actions.TEXT_FIELDS}
        initial |= {"language": existing.language, "version": existing.version}
    form = ServiceTextForm(request.POST or None, initial=initial)
    if existing is not None:
        form.fields["language"].disabled = True
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        lang = data.pop("language")
        if existing is None and service.texts.filter(language=lang).exists():
            form.add_error("language", _("A text in this language exists; change that one."))
        else:
            try:
                actions.save_service_text(
                    service,
                    acting_user=request.user,
                    language=lang,
                    expected_version=version if existing is not None else None,
                    **data,
                )
            except EditConflict as exc:
                add_action_errors(form, exc)
                conflict_rows = exc.rows(form.data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The text has been saved."))
                return redirect("network:service_detail", code=service.code)
    title = (
        _("Text in %(language)s") % {"language": languages.name(language)}
        if existing is not None
        else _("Add a text in another language")
    )
    return _step_page(
        request,
        service,
        form,
        title,
        _("Texts for clients: an empty field shows the German text on the public page."),
        conflict_rows=conflict_rows,
        text_dir=languages.direction(language) if language else "",
        text_lang=language,
    )


@login_required
@require_POST
def service_text_delete(request: HttpRequest, code: str, language: str) -> HttpResponse:
    _ctx, service = _editable(request, code)
    try:
        actions.delete_service_text(service, acting_user=request.user, language=language)
    except ValidationError as exc:
        raise Http404("No text in this language") from exc
    messages.success(request, _("The text has been deleted."))
    return redirect("network:service_detail", code=service.code)


# --- import ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_import(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    _require_maintainer(ctx)
    form = ImportForm(
        request.POST or None, request.FILES or None, regions=access.maintainable_regions(ctx)
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        region = form.cleaned_data["region"]
        try:
            rows = importer.parse_directory_file(ctx, region, upload.name, data)
            result = actions.import_directory(
                acting_user=request.user, region=region, rows=rows, file_name=upload.name, data=data
            )
        except importer.DirectoryFileError as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("The file has been imported: %(created)d new entries, %(updated)d changed.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("network:service_list")
    return render(
        request, "network/directory/service_import.html", {"form": form, "errors": errors}
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The import file's columns with one example row (no data of the directory)."""
    _require_maintainer(user_context(request))
    header, rows = importer.template_rows()
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hilfenetz-vorlage.csv"'
    return response


# --- topics -----------------------------------------------------------------------------------


@login_required
@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    _require_directory(ctx)
    today = timezone.localdate()
    topics = queries.topic_versions()
    labels = queries.sphere_labels()
    context = {
        "topics": [
            (t, t.is_valid_on(today), [labels.get(s, s) for s in t.legal_spheres]) for t in topics
        ],
        "can_record": bool(access.coordinated_regions(ctx)),
    }
    return render(request, "network/directory/topic_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def topic_add(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    _require_directory(ctx)
    if not access.coordinated_regions(ctx):
        raise PermissionDenied
    form = TopicVersionForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_topic(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The new version of the topic has been recorded."))
            return redirect("network:topic_list")
    return render(request, "network/directory/topic_form.html", {"form": form})
