"""URLs of the service network for signed-in users (``/netzwerk/``); the public page has its
own mount (``/hilfenetz/``, ``kim.network.public.urls``)."""

from django.urls import include, path

app_name = "network"

urlpatterns = [
    path("", include("kim.network.directory.urls")),
    path("dolmetschende/", include("kim.network.interpreters.urls")),
]
