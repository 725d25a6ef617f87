"""The consent form's texts of a Kreis (issue 19, D-092): list, new version, correction,
preview. For the Kreis' KIM coordination only; everybody else gets 404
(``kim.cases.access.get_form_text_for_user``). Reached from the coordination's start card.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.cases import access
from kim.cases.actions.formtexts import TEXT_FIELDS, save_form_text
from kim.cases.forms.consent import FormTextForm
from kim.cases.queries import consent as queries
from kim.core import languages
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.organisations.models import Organisation


def _region(ctx: UserContext) -> Organisation:
    return access.get_form_text_kreis(ctx)


@login_required
@require_GET
def text_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    region = _region(ctx)
    rows = queries.form_text_rows(access.form_texts_for_user(ctx), timezone.localdate())
    return render(request, "cases/formtext_list.html", {"region": region, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def text_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    region = _region(ctx)
    form = FormTextForm(request.POST or None, new=True, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            save_form_text(acting_user=request.user, region=region, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The consent form text has been saved."))
            return redirect("cases:formtext_list")
    return _form_page(request, form, _("New consent form text"))


def _initial(request: HttpRequest) -> dict[str, Any]:
    """A new version starts from the text it replaces (``?von=<id>``) where the user sees it."""
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    source = request.GET.get("von", "")
    if source.isdigit():
        text = access.get_form_text_for_user(user_context(request), int(source))
        initial.update({f: getattr(text, f) for f in TEXT_FIELDS if f != "valid_to"})
        initial["language"] = text.language
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def text_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = user_context(request)
    region = _region(ctx)
    text = access.get_form_text_for_user(ctx, pk, edit=True)
    initial = {f: getattr(text, f) for f in TEXT_FIELDS} | {"version": text.version}
    form = FormTextForm(request.POST or None, new=False, language=text.language, initial=initial)
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version") or 0
        try:
            save_form_text(
                acting_user=request.user,
                region=region,
                language=text.language,
                valid_from=text.valid_from,
                text=text,
                expected_version=expected,
                **data,
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The consent form text has been saved."))
            return redirect("cases:formtext_list")
    title = _("Correct the text: %(language)s from %(day)s") % {
        "language": languages.name(text.language),
        "day": text.valid_from.strftime("%d.%m.%Y"),
    }
    return _form_page(request, form, title, conflict_rows)


def _form_page(
    request: HttpRequest, form: FormTextForm, title: str, conflict_rows: Any = None
) -> HttpResponse:
    return render(
        request,
        "cases/formtext_form.html",
        {"form": form, "title": title, "conflict_rows": conflict_rows},
    )


@login_required
@require_GET
def text_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The text filled with example values, after the German text valid today."""
    ctx = user_context(request)
    region = _region(ctx)
    text = access.get_form_text_for_user(ctx, pk)
    forms = queries.preview_forms(text, region.pk, timezone.localdate())
    return render(
        request,
        "cases/formtext_preview.html",
        {"text": text, "forms": forms, "demo_mark": queries.DEMO_MARK},
    )


urlpatterns: list[URLPattern] = [
    path("texte/", text_list, name="formtext_list"),
    path("texte/neu/", text_create, name="formtext_create"),
    path("texte/<int:pk>/", text_edit, name="formtext_edit"),
    path("texte/<int:pk>/vorschau/", text_preview, name="formtext_preview"),
]
