"""URLs of the public page (no login)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

app_name = "network_public"
