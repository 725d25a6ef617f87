"""The public page of the service network (``/hilfenetz/``, no login, D-091).

Anonymous by design: the views read of the user only whether someone is signed in (for the
cache header), and ``RequireMFAMiddleware`` lets the prefix through. Responses are cached for
five minutes by browsers and shared caches (``public``) and vary on ``Accept-Language`` and
``Cookie`` (the UI language comes from either); a signed-in visitor gets ``private`` (their
session cookie may be refreshed on the response). The page carries no CSRF token – the
filters are GET forms and the UI language switch is a link (``?ui=en``) – so nothing on it
sets a cookie.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from kim.core import languages
from kim.network.access import get_public_region, public_regions
from kim.network.public import queries
from kim.network.public.forms import PublicFilterForm

MAX_AGE = 300
UI_LANGUAGES = ("de", "en")


def _cached(request: HttpRequest, response: HttpResponse, ui: str) -> HttpResponse:
    response.headers["Content-Language"] = ui  # the locale middleware only sets a default
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _ui_language(request: HttpRequest) -> str:
    """``?ui=en`` / ``?ui=de`` overrides the language the locale middleware chose."""
    chosen = request.GET.get("ui", "")
    if chosen in UI_LANGUAGES:
        return chosen
    current = translation.get_language() or "de"
    return "en" if current.startswith("en") else "de"


def _query(params: QueryDict, **changes: str) -> str:
    """The current query string with ``changes`` (an empty value drops the parameter)."""
    data = {key: value for key, value in params.items() if value}
    for key, value in changes.items():
        if value:
            data[key] = value
        else:
            data.pop(key, None)
    return "?" + urlencode(data) if data else "?"


def _ui_param(request: HttpRequest) -> str:
    """``?ui=xx`` to carry a chosen UI language into a link to another page, else ""."""
    chosen = request.GET.get("ui", "")
    return _query(QueryDict(), ui=chosen) if chosen in UI_LANGUAGES else ""


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    ui = _ui_language(request)
    with translation.override(ui):
        response = render(
            request,
            "network/public/index.html",
            {
                "regions": list(public_regions()),
                "ui": ui,
                "ui_switch": _query(request.GET, ui="en" if ui == "de" else "de"),
                "ui_param": _ui_param(request),
            },
        )
    return _cached(request, response, ui)


@require_safe
def directory(request: HttpRequest, ags: str) -> HttpResponse:
    region = get_public_region(ags)
    ui = _ui_language(request)
    with translation.override(ui):
        form = PublicFilterForm(
            request.GET,
            topics=queries.topic_choices(region),
            towns=queries.public_town_choices(region),
            offered=queries.offered_language_choices(region),
        )
        filters = form.filters()
        data = queries.directory(region, filters, request.GET.get("sprache", "de"))
        params = request.GET
        response = render(
            request,
            "network/public/directory.html",
            {
                "region": region,
                "data": data,
                "form": form,
                "filters": filters,
                "ui": ui,
                "content_dir": languages.direction(data.language),
                "ui_switch": _query(params, ui="en" if ui == "de" else "de"),
                "language_links": [
                    (offer, _query(params, sprache="" if offer.code == "de" else offer.code))
                    for offer in data.content_languages
                ],
                "reset": _query(
                    QueryDict(), sprache=params.get("sprache", ""), ui=params.get("ui", "")
                ),
                "index_url": _ui_param(request),
            },
        )
    return _cached(request, response, ui)
