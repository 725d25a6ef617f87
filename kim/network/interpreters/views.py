"""The interpreter pool (``/netzwerk/dolmetschende/``): case managers and team leads of the
Kreis read it to book, the KIM coordination maintains it; everybody else gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.core import languages
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.network import access
from kim.network.interpreters import actions
from kim.network.interpreters.forms import ActiveForm, InterpreterForm, PoolFilterForm
from kim.network.interpreters.queries import pool
from kim.network.models import Interpreter
from kim.organisations.models import Organisation

GET_POST = require_http_methods(["GET", "POST"])


def _reader_of(ctx: UserContext) -> UserContext:
    if not access.can_use_interpreters(ctx):
        raise Http404("No interpreter pool")
    return ctx


def _reader(request: HttpRequest) -> UserContext:
    return _reader_of(user_context(request))


def _pool_filter(params: QueryDict) -> tuple[PoolFilterForm, dict[str, Any]]:
    """The list's filter form and its valid filters: one reading for the page and its export."""
    form = PoolFilterForm(params or None)
    return form, form.cleaned_data if form.is_valid() else {}


def _editable(request: HttpRequest, code: str) -> Interpreter:
    ctx = _reader(request)
    interpreter = access.get_interpreter_for_user(ctx, code)
    if not access.can_edit_interpreter(ctx, interpreter):
        raise PermissionDenied
    return interpreter


def _maintained_region(ctx: UserContext) -> Organisation:
    region = access.pool_region(ctx)
    if region is None:
        raise Http404("No interpreter pool to maintain")
    return region


def language_names(codes: list[str]) -> str:
    return ", ".join(languages.name(code) for code in codes)


@login_required
@require_GET
def interpreter_list(request: HttpRequest) -> HttpResponse:
    ctx = _reader(request)
    form, filters = _pool_filter(request.GET)
    rows = [(i, language_names(i.languages)) for i in pool(ctx, filters)]
    context = {
        "form": form,
        "rows": rows,
        "may_maintain": access.can_maintain_pool(ctx),
        "may_book": access.can_book_interpreters(ctx),
        "params": request.GET.urlencode(),
    }
    return render(request, "network/interpreters/interpreter_list.html", context)


@export_builder
def interpreter_table(query: ExportQuery) -> Table:
    """The pool as an export: the page's door, filter and rows; office contact data only."""
    ctx = _reader_of(query.ctx)
    _form, filters = _pool_filter(query.params)

    def rows() -> list[list[object]]:
        return [
            [
                interpreter.name,
                language_names(interpreter.languages),
                interpreter.get_kind_display(),
                interpreter.organisation.name if interpreter.organisation else "",
                interpreter.hourly_rate,
                interpreter.phone,
                interpreter.email,
                _("available for bookings") if interpreter.active else _("deactivated"),
            ]
            for interpreter in pool(ctx, filters)
        ]

    return Table(
        filename=f"dolmetschende-{timezone.localdate():%Y%m%d}",
        title=_("Interpreter pool"),
        header=[
            _("Name"),
            _("Languages"),
            _("Kind"),
            _("Organisation"),
            _("Cost per hour (€)"),
            _("Office phone"),
            _("Office e-mail"),
            _("Status"),
        ],
        rows=rows,
        audit_subject="network.interpreter_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def interpreter_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, interpreter_table)


@login_required
@require_GET
def interpreter_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _reader(request)
    interpreter = access.get_interpreter_for_user(ctx, code)
    context = {
        "interpreter": interpreter,
        "language_list": [languages.name(c) for c in interpreter.languages],
        "may_edit": access.can_edit_interpreter(ctx, interpreter),
        "active_form": ActiveForm(initial={"version": interpreter.version}),
    }
    return render(request, "network/interpreters/interpreter_detail.html", context)


def _form_page(
    request: HttpRequest,
    form: InterpreterForm,
    title: str,
    cancel_url: str,
    conflict_rows: object = None,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "conflict_rows": conflict_rows,
    }
    return render(request, "network/interpreters/interpreter_form.html", context)


@login_required
@GET_POST
def interpreter_add(request: HttpRequest) -> HttpResponse:
    ctx = _reader(request)
    if not access.can_maintain_pool(ctx):
        raise PermissionDenied
    region = _maintained_region(ctx)
    form = InterpreterForm(request.POST or None, employers=actions.employer_choices(region))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            interpreter = actions.record_interpreter(region, acting_user=request.user, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The interpreter has been added to the pool."))
            return redirect("network:interpreter_detail", code=interpreter.code)
    return _form_page(request, form, _("Add an interpreter"), reverse("network:interpreter_list"))


@login_required
@GET_POST
def interpreter_edit(request: HttpRequest, code: str) -> HttpResponse:
    interpreter = _editable(request, code)
    initial = {f: getattr(interpreter, f) for f in actions.FIELDS if f != "organisation"}
    initial["organisation"] = interpreter.organisation_id
    initial["version"] = interpreter.version
    form = InterpreterForm(
        request.POST or None,
        initial=initial,
        employers=actions.employer_choices(interpreter.region),
    )
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            actions.update_interpreter(
                interpreter, acting_user=request.user, expected_version=version, **data
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The interpreter's entry has been saved."))
            return redirect("network:interpreter_detail", code=interpreter.code)
    detail = reverse("network:interpreter_detail", args=[interpreter.code])
    return _form_page(request, form, _("Change the interpreter's entry"), detail, conflict_rows)


def _set_active(request: HttpRequest, code: str, active: bool) -> HttpResponse:
    interpreter = _editable(request, code)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    try:
        actions.set_interpreter_active(
            interpreter,
            acting_user=request.user,
            expected_version=form.cleaned_data["version"],
            active=active,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The interpreter is available for bookings again.")
            if active
            else _("The interpreter has been deactivated; existing bookings stay."),
        )
    return redirect("network:interpreter_detail", code=interpreter.code)


@login_required
@require_POST
def interpreter_deactivate(request: HttpRequest, code: str) -> HttpResponse:
    return _set_active(request, code, False)


@login_required
@require_POST
def interpreter_reactivate(request: HttpRequest, code: str) -> HttpResponse:
    return _set_active(request, code, True)
