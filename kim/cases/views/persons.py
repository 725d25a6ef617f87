"""Clients: registering a new client with their case, editing, household links, name search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.accounts.models import Role
from kim.cases.access import (
    can_edit_case,
    can_open_cases,
    case_manager_organisations,
    get_case_for_user,
)
from kim.cases.actions.persons import (
    PERSON_EDIT_FIELDS,
    link_household,
    record_person_search,
    register_client,
    update_person,
)
from kim.cases.forms.persons import (
    HouseholdForm,
    PersonEditForm,
    PersonSearchForm,
    RegisterClientForm,
    kreis_organisations,
    kreis_towns,
    organisations_by_ids,
)
from kim.cases.models import Case
from kim.cases.queries.persons import (
    duplicate_candidates,
    household_candidate,
    person_rows,
    search_organisations,
    search_persons,
)
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict, _display


def case_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.code])


def _register_form(request: HttpRequest, ctx: UserContext) -> RegisterClientForm:
    regions = ctx.regions_with_role(Role.CASE_MANAGER)
    return RegisterClientForm(
        request.POST or None,
        towns=kreis_towns(regions),
        organisations=organisations_by_ids(case_manager_organisations(ctx)),
        referrers=kreis_organisations(regions),
        initial={"referred_on": timezone.localdate()},
    )


def _candidates(ctx: UserContext, data: dict[str, Any]) -> list[Any]:
    found = duplicate_candidates(
        data["organisation"].pk,
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=data["birth_date"],
    )
    return person_rows(ctx, found)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """New client and case in one step; similar persons of the same organisation must be
    confirmed as someone else first."""
    ctx = user_context(request)
    if not can_open_cases(ctx):
        raise PermissionDenied
    form = _register_form(request, ctx)
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        candidates = _candidates(ctx, data)
        confirmed = data.pop("confirm_distinct")
        try:
            case = register_client(acting_user=request.user, duplicates_confirmed=confirmed, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The client has been recorded and the case opened."))
            return redirect(case_url(case))
    return render(
        request,
        "cases/person_create.html",
        {"form": form, "candidates": candidates, "cancel_url": reverse("cases:worklist")},
    )


def _submitted(form: PersonEditForm) -> dict[str, str]:
    """The user's entries as displayed text, for the conflict table."""
    shown = {f: _display(form.cleaned_data.get(f)) for f in PERSON_EDIT_FIELDS}
    town = form.cleaned_data.get("town")
    shown["town"] = town.name if town else ""
    return shown


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    case = get_case_for_user(ctx, code)
    if not can_edit_case(ctx, case):
        raise PermissionDenied
    person = case.person
    towns = kreis_towns(ctx.regions_with_role(Role.CASE_MANAGER))
    form = PersonEditForm(
        request.POST or None, towns=towns, initial=PersonEditForm.initial_for(person)
    )
    conflict_rows: list[Any] = []
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        try:
            update_person(person, acting_user=request.user, version=version, **changes)
        except EditConflict as exc:
            conflict_rows = exc.rows(_submitted(form))
            form = _rebased(request, towns, exc)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The client's data has been saved."))
            return redirect(case_url(case))
    context = {"form": form, "case": case, "conflict_rows": conflict_rows}
    return render(request, "cases/person_edit.html", context | {"cancel_url": case_url(case)})


def _rebased(request: HttpRequest, towns: Any, exc: EditConflict) -> PersonEditForm:
    """The user's input on top of the saved version: saving again overwrites knowingly."""
    data = request.POST.copy()
    data["version"] = str(exc.current.version)  # type: ignore[attr-defined]
    form = PersonEditForm(data, towns=towns)
    form.is_valid()
    add_action_errors(form, exc)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    case = get_case_for_user(ctx, code)
    if not can_edit_case(ctx, case):
        raise PermissionDenied
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = household_candidate(ctx, case.person, form.cleaned_data["number"])
        try:
            if other is None:
                raise ValidationError({"number": _("No client with this case number.")})
            link_household(
                case.person, other, form.cleaned_data["relation"], acting_user=request.user
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The household link has been recorded."))
            return redirect(case_url(case))
    return render(
        request,
        "cases/person_household.html",
        {"form": form, "case": case, "cancel_url": case_url(case)},
    )


@login_required
@require_GET
def person_search(request: HttpRequest) -> HttpResponse:
    """Search by name (keyed tokens) among the persons whose cases the user may see."""
    ctx = user_context(request)
    if not search_organisations(ctx):
        raise PermissionDenied
    form = PersonSearchForm(request.GET or None)
    rows = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        found = search_persons(
            ctx, form.cleaned_data["q"], birth_date=form.cleaned_data["birth_date"]
        )
        rows = person_rows(ctx, found)
        record_person_search(
            acting_user=request.user,
            results=len(rows),
            birth_date_filter=form.cleaned_data["birth_date"] is not None,
        )
    return render(request, "cases/person_search.html", {"form": form, "rows": rows})


urlpatterns: list[URLPattern] = [
    path("klienten/neu/", person_create, name="person_create"),
    path("klienten/suche/", person_search, name="person_search"),
    path("faelle/<str:code>/person/", person_edit, name="person_edit"),
    path("faelle/<str:code>/haushalt/neu/", household_add, name="household_add"),
]
