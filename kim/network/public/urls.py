"""URLs of the public page (no login, D-091)."""

from django.urls import path

from kim.network.public import views

app_name = "network_public"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:ags>/", views.directory, name="directory"),
]
