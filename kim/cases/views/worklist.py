"""STUB – to be written."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


def worklist(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stub")


urlpatterns: list[URLPattern] = [path("", worklist, name="worklist")]
