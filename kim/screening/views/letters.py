"""The invitation letter's texts of a Kreis (issue 19, D-092): list, new version,
correction, preview. For the Kreis' KIM coordination only; everybody else gets 404
(``kim.screening.access.get_letter_text_for_user``). Reached from the consent form texts page.
"""

from __future__ import annotations

import json
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
from kim.core import languages
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.organisations.models import Organisation
from kim.screening import access, letters
from kim.screening.actions.letters import TEXT_FIELDS, save_letter_text
from kim.screening.forms.letters import LetterTextForm
from kim.screening.models import ScreeningEntry


def _region(ctx: UserContext) -> Organisation:
    return access.get_letter_text_kreis(ctx)


@login_required
@require_GET
def text_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    region = _region(ctx)
    today = timezone.localdate()
    texts = list(access.letter_texts_for_user(ctx).order_by("language", "-valid_from"))
    current = letters.letter_texts(region.pk, today)
    order = {code: index for index, (code, _name) in enumerate(languages.choices())}
    texts.sort(
        key=lambda t: (order.get(t.language, 999), t.region_id is None, -t.valid_from.toordinal())
    )
    rows = [
        {
            "text": t,
            "language_name": languages.name(t.language),
            "autonym": languages.autonym(t.language),
            "current": current.get(t.language) is not None and current[t.language].pk == t.pk,
            "own": t.region_id is not None,
        }
        for t in texts
    ]
    return render(request, "screening/lettertext_list.html", {"region": region, "rows": rows})


def _initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    source = request.GET.get("von", "")
    if source.isdigit():
        text = access.get_letter_text_for_user(user_context(request), int(source))
        initial.update({f: getattr(text, f) for f in TEXT_FIELDS if f != "valid_to"})
        initial["language"] = text.language
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def text_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    region = _region(ctx)
    form = LetterTextForm(request.POST or None, new=True, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            save_letter_text(acting_user=request.user, region=region, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The invitation letter text has been saved."))
            return redirect("screening:lettertext_list")
    return _page(request, form, _("New invitation letter text"))


@login_required
@require_http_methods(["GET", "POST"])
def text_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = user_context(request)
    region = _region(ctx)
    text = access.get_letter_text_for_user(ctx, pk, edit=True)
    initial = {f: getattr(text, f) for f in TEXT_FIELDS} | {"version": text.version}
    form = LetterTextForm(request.POST or None, new=False, language=text.language, initial=initial)
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version") or 0
        try:
            save_letter_text(
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
            messages.success(request, _("The invitation letter text has been saved."))
            return redirect("screening:lettertext_list")
    title = _("Correct the text: %(language)s from %(day)s") % {
        "language": languages.name(text.language),
        "day": text.valid_from.strftime("%d.%m.%Y"),
    }
    return _page(request, form, title, conflict_rows)


def _page(request: HttpRequest, form: LetterTextForm, title: str, rows: Any = None) -> HttpResponse:
    return render(
        request,
        "screening/lettertext_form.html",
        {"form": form, "title": title, "conflict_rows": rows},
    )


EXAMPLE_RESULTS = [
    {"rule": "aufenthg_25b", "outcome": "likely", "criteria": []},
    {
        "rule": "stag_10_3",
        "outcome": "unlikely",
        "met_from": "2027-03-01",
        "criteria": [{"id": "language_level", "kind": "checkable", "met": None}],
    },
]


@login_required
@require_GET
def text_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter with an example person: German, then this text (if not German)."""
    ctx = user_context(request)
    region = _region(ctx)
    text = access.get_letter_text_for_user(ctx, pk)
    entry = ScreeningEntry(ref="AZ-BEISPIEL", label="Erika Mustermann")
    entry.results = json.dumps(EXAMPLE_RESULTS)
    letter = letters.preview_letter(text, entry, region)
    return render(
        request,
        "screening/lettertext_preview.html",
        {"text": text, "letter": letter, "region": region},
    )


urlpatterns: list[URLPattern] = [
    path("texte/", text_list, name="lettertext_list"),
    path("texte/neu/", text_create, name="lettertext_create"),
    path("texte/<int:pk>/", text_edit, name="lettertext_edit"),
    path("texte/<int:pk>/vorschau/", text_preview, name="lettertext_preview"),
]
