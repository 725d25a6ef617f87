"""STUB – to be written."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


def barrier_log(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stub")


urlpatterns: list[URLPattern] = [path("barrieren/", barrier_log, name="barrier_log")]
