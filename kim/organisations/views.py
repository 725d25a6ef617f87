from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.core.forms import add_action_errors
from kim.organisations import actions, queries
from kim.organisations.access import (
    can_browse_directory,
    can_create_organisations,
    can_edit_organisation,
    get_organisation_for_editing,
    get_organisation_for_user,
    organisations_for_user,
)
from kim.organisations.forms import (
    OrganisationFilterForm,
    OrganisationForm,
    PopulationImportForm,
    ResponsibilityForm,
)
from kim.organisations.models import OrgKind


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_browse_directory(ctx):
        raise PermissionDenied
    form = OrganisationFilterForm(request.GET or None)
    q = kind = ""
    if form.is_valid():
        q, kind = form.cleaned_data["q"].strip(), form.cleaned_data["kind"]
    page = Paginator(queries.organisation_list(ctx, q=q, kind=kind), 50).get_page(
        request.GET.get("page")
    )
    template = (
        "organisations/_table.html"
        if request.headers.get("HX-Request")
        else "organisations/list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "may_create": can_create_organisations(ctx),
            "filter_query": _without_page(request),
        },
    )


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    org = get_organisation_for_user(ctx, code)
    data = {"org": org, "may_edit": can_edit_organisation(ctx, org), "today": timezone.localdate()}
    if org.is_region:
        data["overview"] = queries.region_overview(org)
    if org.kind in (OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT):
        data["figures"] = org.population_figures.order_by("category", "-reference_date")
        data["served_by"] = org.served_by.select_related("authority").order_by("-valid_from")
    if org.kind == OrgKind.AUTHORITY:
        data["periods"] = org.responsibilities.select_related("kommune").order_by(
            "kommune__name", "valid_from"
        )
    return render(request, "organisations/detail.html", data)


def _parents_for(request: HttpRequest):  # type: ignore[no-untyped-def]
    ctx = user_context(request)
    return organisations_for_user(ctx).exclude(kind__in=[OrgKind.TRAEGER, OrgKind.UMBRELLA])


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    org = get_organisation_for_editing(ctx, code)
    form = OrganisationForm(
        request.POST or None, instance=org, parents=_parents_for(request), ctx=ctx
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        org.refresh_from_db()
        try:
            actions.update_organisation(
                org,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                **fields,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("organisations:detail", code=org.code)
    return render(request, "organisations/form.html", {"form": form, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_create_organisations(ctx):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, parents=_parents_for(request), ctx=ctx)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            org = actions.create_organisation(acting_user=request.user, **fields)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The organisation has been created."))
            return redirect("organisations:detail", code=org.code)
    return render(request, "organisations/form.html", {"form": form, "org": None})


@login_required
@require_http_methods(["GET", "POST"])
def population_import(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    region = get_organisation_for_editing(ctx, code)
    if not region.is_region:
        raise Http404("Population imports exist for Kreise and kreisfreie Städte only")
    towns = [row.town for row in queries.region_overview(region).towns]
    form = PopulationImportForm(request.POST or None, request.FILES or None, towns=towns)
    if request.method == "POST" and form.is_valid():
        count = actions.import_population(
            acting_user=request.user,
            region=region,
            rows=form.rows,
            file_name=form.cleaned_data["file"].name,
        )
        messages.success(
            request,
            ngettext(
                "%(n)d population figure has been imported.",
                "%(n)d population figures have been imported.",
                count,
            )
            % {"n": count},
        )
        return redirect("organisations:detail", code=region.code)
    return render(request, "organisations/population_import.html", {"form": form, "org": region})


@login_required
@require_http_methods(["GET", "POST"])
def responsibility_add(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    authority = get_organisation_for_editing(ctx, code)
    if authority.kind != OrgKind.AUTHORITY:
        raise Http404("Responsibility periods exist for authorities only")
    towns = organisations_for_user(ctx).filter(kind__in=[OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT])
    form = ResponsibilityForm(request.POST or None, towns=towns)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_responsibility(
                acting_user=request.user, authority=authority, **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The responsibility period has been recorded."))
            return redirect("organisations:detail", code=authority.code)
    return render(
        request, "organisations/responsibility_form.html", {"form": form, "org": authority}
    )
